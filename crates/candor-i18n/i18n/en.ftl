# Candor's public trust page: the words of the interface (not the company's
# content, which translates itself through profile.locales). One file per
# language; every message here must exist in every file (a test checks).

page-title = { $name } · Trust center
page-description = How { $name } protects customer data: controls, compliance, subprocessors and commitments.
link-json = This revision as JSON
link-feed = Changes to this trust center
preview-banner = Preview of the unpublished draft. Readers see the published revision until you publish.
page-heading = { $name } trust center
last-reviewed = Last reviewed { $date }
revision-published = Revision { $number }, published
nav-languages = Languages
nav-sections = Sections
section-overview = Overview
section-verify = Verify this page
applies-to = Applies to:
posture-caption = Where we stand on each standard
col-standard = Standard
col-status = Status
col-detail = Detail
col-target = Target
see-document = See the document
coverage-caption = Framework coverage, computed from the controls below: a requirement counts when an implemented control addresses it
col-framework = Framework
col-covered = Covered by implemented controls
col-addressed = Addressed by any control
col-share = Share
category-implemented = ({ $implemented } of { $total } implemented)
aria-mappings = Framework mappings
aria-evidence = Evidence Candor collected
subprocessors-notice-before = New subprocessors are listed here at least { $period } before they receive any data; the
subprocessors-notice-effective = effective
subprocessors-notice-after = date is when they start.
subprocessors-notified = You will be notified before any new subprocessor is added.
subprocessors-subscribe-link = Subscribe
subprocessors-subscribe-rest = to be told of changes to this list, with a link to object to a new subprocessor.
subprocessors-caption = Companies that process customer data on our behalf, as of { $date }
col-name = Name
col-purpose = Purpose
col-locations = Locations
col-data = Data
col-default = Default
col-notes = Notes
col-announced = Announced
col-effective = Effective
until-date = until { $date }
changelog-details = Details
advisory-label = Advisory { $id }
advisory-cvss = CVSS { $score }
advisory-csaf = CSAF document
changelog-fixes = Fixes a finding of
incidents-intro = Each update shows when it was published: the time of the revision that first carried it, recorded in this page's transparency log (history from before the first revision is as the company recorded it). Also as
incidents-json = JSON
incidents-and = and an
incidents-feed = Atom feed
incident-severity = Severity
incident-material = , material to customers
incident-affected = Affected
incident-confirmed = Confirmed
incident-resolved = Resolved
incident-notice = Customer notice
incident-review = Review
badge-late = Late
incident-review-heading = Post-incident review
incident-full-review = The full review
roadmap-target = Target: { $target }
assessment-fixes = Findings fixed since, in the changelog:
col-document = Document
col-kind = Kind
col-access = Access
col-version = Version
col-updated = Updated
document-elsewhere = Published elsewhere
document-expired = Expired { $date }
document-valid-until = Valid until { $date }
knowledge-search-label = Search the answers
knowledge-search-button = Search
disclosure-report-link = Report a vulnerability
disclosure-report-rest = through this trust center (stored encrypted).
subscribe-heading = Stay informed
subscribe-intro-before = Get every change by email or webhook, or follow the
subscribe-intro-feed = Atom feed
subscribe-intro-after = . Email subscriptions start once you confirm them from your inbox; every message has a one-click unsubscribe link.
subscribe-deliver-to = Deliver to
subscribe-email = Email address
subscribe-webhook = Webhook URL (signed per Standard Webhooks)
subscribe-address = Email address or https URL
subscribe-topics = Tell me about
subscribe-all = Every change
subscribe-subprocessors = Subprocessor changes only
subscribe-incidents = Incident updates only
subscribe-button = Subscribe
verify-revision = This page shows revision { $number } of { $name }'s trust center, published
verify-immutable = . Published revisions are never edited: a change is a new revision.
verify-hash = Content hash
verify-machine = Machine-readable
verify-evidence = ; the evidence beside controls, with what each check observed:
verify-log = Transparency log
verify-entry = Entry
verify-entry-rest = of this org's append-only log records this revision's number, hash and time;
verify-proof = its inclusion proof
verify-log-at = Log at this revision
verify-log-size = Size { $size }, root hash
footer-published = Published with Candor. Revision { $number } ·
heading-promises = What we don't do
heading-controls = Security controls
heading-posture = Compliance
heading-commitments = Commitments
heading-subprocessors = Subprocessors
heading-changelog = Changelog
heading-roadmap = Where we're not finished
heading-incidents = Incident history
heading-documents = Documents
heading-faq = Frequently asked questions
heading-assessments = Audits and assessments
heading-disclosure = Report a vulnerability
heading-knowledge = Security questions, answered

# Words around the content's values (facts, commitments, evidence, incidents).
applies-to-inline = applies to: { $scope }
scope-plan = { $plan } plan
coverage-of = { $implemented } of { $total }
coverage-aria = { $framework } coverage
controls-implemented = { $implemented } of { $total } implemented
n-days = { $n -> 
    [one] { $n } day
   *[other] { $n } days
}
n-business-days = { $n -> 
    [one] { $n } business day
   *[other] { $n } business days
}
n-hours = { $n -> 
    [one] { $n } hour
   *[other] { $n } hours
}
n-minutes = { $n -> 
    [one] { $n } minute
   *[other] { $n } minutes
}
span-d = { $n } d
span-h = { $n } h
span-min = { $n } min
span-under-minute = under 1 min
month = { $n ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
}
month-year = { $month } { $year }
quarter-year = Q{ $quarter } { $year }
within = Within { $span }
within-for = Within { $span }, for { $which }
within-of-confirming = Within { $span } of confirming an incident that affects you
every = Every { $span }
kept = Kept { $span }
up-to-back = Up to { $span } back
up-to-on-plan = up to { $span } on the { $plan } plan
severity-within = { $severity }: within { $span }
note-yes = { $label }: yes
note-no = { $label }: no
evidence-what = { $check } on { $host }
evidence-unverified = { $what }: not verified, the org has not proven it controls this host
evidence-unchecked = { $what }: not checked yet
evidence-stale = { $what }: last checked { $when }, too long ago to count
evidence-pass = { $what }: verified { $when } ({ $summary })
evidence-warn = { $what }: checked { $when }: { $summary }
evidence-fail = { $what }: failing since { $when }: { $summary }
notified-after = Notified after { $span }.
notified-after-commitment = Notified after { $span }; commitment { $commitment }.
notified-after-not-material = Notified after { $span } (not material: the notice commitment does not apply).
review-published = Review published { $span } after resolution.
review-published-commitment = Review published { $span } after resolution; commitment { $commitment }.
review-pending = Review not published yet.
review-pending-due = Review not published yet; due by { $date }.
log-gap-restored = This log was restored from a backup on { $day }.
log-gap-lost = Entries after the first { $size } that readers may have seen before then could not be recovered from any copy, and the log continues from entry { $size }: a watcher that saw later entries will report a fork.
log-key-before = The log's checkpoints
log-key-checkpoint = current checkpoint
log-key-after = are C2SP signed notes by this key; pin it, then check each new checkpoint's signature and its consistency with the last one you saw
log-retired-before = Earlier keys of this log, oldest first, each replaced by the next with a statement both keys signed
log-retired-history = the key history
log-retired-after = candor watch follows it from a key pinned earlier
log-witnesses = Each checkpoint is submitted to these witnesses, which cosign it only if it extends every checkpoint of this log they cosigned before. Require their fresh cosignatures when you watch the log, and no one can show you a fork or an old checkpoint
verify-how-before = To check it: download
verify-how-take = , take its
verify-how-member = member exactly as served (it is canonical JSON, RFC 8785), and compute its SHA-256, for example with
verify-how-after = . The result must equal the content hash above.

# Labels: the English words Candor prints for a fact, a status or a kind
# (message id: label- and the words in lower case, joined by hyphens).
label-yes = Yes
label-no = No
label-when = When
label-kind = Kind
label-assessor = Assessor
label-scope = Scope
label-methodology = Methodology
label-summary = Summary
label-report = Report
label-provider = Provider
label-regions = Regions
label-region-selection = Region selection
label-data-residency = Data residency
label-network-isolation = Network isolation
label-component = Component
label-minimum-tls-version = Minimum TLS version
label-in-transit = In transit
label-at-rest = At rest
label-per-customer-keys = Per-customer keys
label-per-tenant-keys = Per-tenant keys
label-key-management = Key management
label-secrets = Secrets
label-backups-encrypted = Backups encrypted
label-backups = Backups
label-model = Model
label-resource = Resource
label-isolation = Isolation
label-backup-frequency = Backup frequency
label-full-backups = Full backups
label-backups-geo-replicated = Backups geo-replicated
label-backup-retention = Backup retention
label-point-in-time-recovery = Point-in-time recovery
label-recovery-time-objective-rto = Recovery time objective (RTO)
label-recovery-point-objective-rpo = Recovery point objective (RPO)
label-disaster-recovery-exercise = Disaster-recovery exercise
label-last-disaster-recovery-exercise = Last disaster-recovery exercise
label-uptime-target = Uptime target
label-also = Also
label-on-call = On call
label-customer-notice = Customer notice
label-post-incident-review = Post-incident review
label-status-page = Status page
label-how-we-respond = How we respond
label-contact = Contact
label-acknowledgement = Acknowledgement
label-fix-deadlines = Fix deadlines
label-fixes = Fixes
label-safe-harbour = Safe harbour
label-policy = Policy
label-openpgp-key = OpenPGP key
label-openpgp-fingerprint = OpenPGP fingerprint
label-preferred-languages = Preferred languages
label-hall-of-fame = Hall of fame
label-bug-bounty = Bug bounty
label-website = Website
label-security-contact = Security contact
label-other-questions = Other questions
label-regions-offered = Regions offered
label-service-level-agreement = Service level agreement
label-questions-this-page-does-not-answer = Questions this page does not answer
label-controls = Controls
label-hosting-and-data-residency = Hosting and data residency
label-encryption = Encryption
label-tenancy = Tenancy
label-backups-and-recovery = Backups and recovery
label-incident-response = Incident response
label-one-per-tenant = One per tenant
label-shared-between-tenants = Shared between tenants
label-continuous = Continuous
label-daily = Daily
label-weekly = Weekly
label-our-key-for-encrypted-reports = Our key for encrypted reports
label-enabled = Enabled
label-opt-in = Opt-in
label-active = Active
label-upcoming = Upcoming
label-leaving = Leaving
label-removed = Removed
label-hipaa-eligible = HIPAA eligible
label-zero-data-retention = Zero data retention
label-no-training-on-customer-data = No training on customer data
label-not-verified = Not verified
label-not-checked-yet = Not checked yet
label-stale = Stale
label-verified = Verified
label-verified-with-warnings = Verified with warnings
label-failing = Failing
label-implemented = Implemented
label-in-progress = In progress
label-planned = Planned
label-not-applicable = Not applicable
label-reliability = Reliability
label-security = Security
label-privacy = Privacy
label-billing = Billing
label-ux = UX
label-tls-1-2 = TLS 1.2
label-tls-1-3 = TLS 1.3
label-pooled-shared-infrastructure-isolated-per-tenant = Pooled (shared infrastructure, isolated per tenant)
label-siloed-dedicated-infrastructure-per-tenant = Siloed (dedicated infrastructure per tenant)
label-hybrid-pooled-by-default-dedicated-on-request = Hybrid (pooled by default, dedicated on request)
label-critical = Critical
label-high = High
label-medium = Medium
label-low = Low
label-draft = Draft
label-in-legal-review-not-binding-yet = In legal review: not binding yet
label-non-binding = Non-binding
label-minor = Minor
label-major = Major
label-investigating = Investigating
label-identified = Identified
label-monitoring = Monitoring
label-resolved = Resolved
label-public = Public
label-after-a-click-through-nda = After a click-through NDA
label-on-approved-request = On approved request
label-audit-report = Audit report
label-certificate = Certificate
label-penetration-test-summary = Penetration test summary
label-agreement = Agreement
label-questionnaire = Questionnaire
label-document = Document
label-compliant = Compliant
label-certified = Certified
label-on-the-roadmap = On the roadmap
label-designed-against = Designed against
label-not-pursued = Not pursued
label-out-of-scope = Out of scope
label-internal = Internal
label-external = External
label-partly = Partly
label-criteria = criteria
label-articles-with-obligations = articles with obligations
label-annex-a-controls = Annex A controls
label-standards-and-specifications = standards and specifications
label-requirements = requirements

# The other reader pages: documents, access requests, the reader's own page,
# vulnerability reports, subscriptions, search and error pages.
skip-to-content = Skip to content
candor-home = Candor home
not-found-title = Not found
not-found-text = There is no { $what } here. Check the address, or ask the company for the link to its trust center.
internal-title = Something went wrong
internal-message = Something went wrong on our side; it has been logged. Nothing was changed by this request unless the page you come back to says so.
field-error = { $field }: { $message }
field-name = name
field-email = email
field-company = company
field-accept = accept
field-nda_version = nda_version
field-documents = documents
field-file = file
field-format = format
field-title = title
field-details = details
field-channel = channel
field-topics = topics
field-address = address
field-subprocessor = subprocessor
field-token = token
noun-trust-center = trust center
noun-document = document
noun-download-link = download link
noun-file-for-this-document = file for this document
noun-request-behind-this-link = request behind this link
noun-nda-for-this-document = NDA for this document
noun-nda-for-these-documents = NDA for these documents
noun-request-form-for-this-document = request form for this document
noun-subscription = subscription
noun-trust-center-at-this-address = trust center at this address
busy-title = Try again shortly
busy-downloads = The server is busy preparing other downloads. Try the link again in a minute.
busy-files = The server is busy reading other files. Try again in a minute.
document-unavailable-title = Document unavailable
document-unwatermarkable = This PDF cannot be watermarked with your details, so it is not served. The company has to upload it again; contact them.
documents-unavailable-title = Documents unavailable
documents-no-key = This server cannot serve documents: it has no key to decrypt them.
enter-name = enter your name
enter-email = enter a valid email address
enter-company = enter your company
tick-nda = tick the box to accept the NDA
tick-nda-or-leave-out = tick the box to accept the NDA, or leave out the documents behind it
nda-changed = the NDA changed while you were reading it; read the current terms and accept again
choose-documents = choose at least one document
request-denied-one = { $org } does not share this document with your address.
request-approved-domain = { $org } approves requests from your organisation: a mail to { $email } says how to sign in and download it.
request-pending = Your request is with { $org }'s team. If they approve it, a download link goes to { $email }.
access-ended-title = Access ended
access-ended = Your access to this document has ended or was withdrawn. Ask for it again from the trust center.
link-expired-title = Link expired
link-expired = This download link has expired. Ask for the document again from the trust center.
document-version = version { $version }
document-updated = updated { $date }
watermark-pdf = Your download carries your email, your company, the time and the grant on every page.
watermark-none = This file is not a PDF, so it is served as it is, without your details on it; each download is still recorded.
granted-until = You have access until { $date }.
download-title = Download { $title }
your-documents = Your documents
thank-you = Thank you.
link-one-hour = (the link works for one hour, for this document only; each download is recorded).
nda-heading = Non-disclosure agreement (version { $version })
your-name = Your name
work-email = Work email
company = Company
nda-accept = I accept the NDA above on behalf of my company
nda-accept-several = I accept the NDA above on behalf of my company (needed for the documents behind it)
nda-accept-button = Accept and download
approval-intro = { $org } shares this document after reviewing each request. Tell them who you are; if they approve, a download link is emailed to you.
reason-it = Why you need it (optional)
reason-them = Why you need them (optional)
request-access = Request access
asked-before = Asked before?
sign-in-to-documents = Sign in to your documents
need-several = Need several?
request-them-at-once = Request them at once
back-to-trust-center = Back to { $org }'s trust center
request-documents = Request documents
no-gated-documents = { $org } publishes no gated documents.
access-intro = Ask once for one, several or all of { $org }'s gated documents. Documents behind the NDA are yours as soon as you accept it; the others after { $org }'s team approves. You will get a mail, and you can
access-intro-sign-in = sign in
access-intro-rest = with the same address to download what is granted to you until it expires.
all-of-them = All of them
access-granted = Granted: { $documents }.
access-pending = Waiting for { $org }'s team: { $documents }.
access-denied = Not shared with your address: { $documents }.
access-mail = A mail to { $email } says what was decided; sign in at “Your documents” with that address to download what is granted.
grant-pending = waiting for a decision
grant-revoked = withdrawn by the company
grant-expired = ask again to read it
their-note = their note: { $note }
no-longer-published = { $key } (no longer published)
grant-state-pending = pending
grant-state-denied = denied
grant-state-active = active
grant-state-expired = expired
grant-state-revoked = revoked
sign-in-mail-subject = { $org }: your sign-in link
sign-in-mail-body = Sign in to { $org }'s trust center to download the documents granted to you:
    { $link }
    
    The link works once, for { $minutes } minutes. If you did not ask for it, ignore this mail.
sign-in-link-sent = If { $email } has asked { $org } for documents, a sign-in link is on its way. It works once, for { $minutes } minutes.
sign-in-link-dead = This sign-in link does not work: it was used already or has expired. Ask for a new one below.
no-access-title = No access
no-access-document = You have no access to this document now: it was not granted to this address, it expired, or the company withdrew it. Ask for it again from the trust center.
no-access-questionnaire = Questionnaires are answered for readers who have access to this company's documents now. Ask for the documents first.
upload-broken = the upload did not arrive whole
choose-questionnaire = choose your questionnaire (XLSX, CSV or JSON)
choose-format = choose xlsx, csv or json
xlsx-only-from-xlsx = only a questionnaire sent as XLSX comes back as XLSX; choose CSV or JSON
cannot-answer-title = Cannot answer
sign-in-confirm = Sign in to { $org }'s trust center to see the documents granted to you. The link works once.
sign-in = Sign in
signed-in-as = Signed in as
downloads-carry = Each download carries your email, company and the time on every page of a PDF, and is recorded.
nothing-requested = Nothing has been requested with this address yet.
reader-caption = Documents you asked for, newest first
col-download = Download
request-more = Request more documents
questionnaire-heading = Your security questionnaire
questionnaire-intro = Upload your questionnaire (XLSX, CSV or JSON) to have it answered from { $org }'s latest published revision, never from internal notes. Each answer cites its source in that revision, which you can check against the signed log; questions without a clear source are left blank for { $org }'s team.
questionnaire-file = Questionnaire
questionnaire-format = Answers as
questionnaire-xlsx = your workbook, filled in (XLSX)
questionnaire-button = Answer my questionnaire
sign-out = Sign out
reader-intro = Readers who asked { $org } for documents sign in here, with the address they asked with, to download everything granted to them until it expires. We email you a sign-in link that works once, for 15 minutes.
email-sign-in-link = Email me a sign-in link
not-asked-yet = Not asked yet?
report-title-invalid = give the report a title of at most 200 characters
report-details-invalid = describe the issue in at most 20,000 characters
report-email-invalid = this is not an email address (or leave it empty to stay anonymous)
reports-unavailable-title = Reports unavailable
reports-no-key = This server cannot store reports encrypted (no master key).
report-heading = Report a vulnerability to { $org }
report-received = Report { $reference } received.
report-ack-promise = { $org } commits to acknowledge it within { $span },
report-ack-by = by { $date }.
report-keep-reference = Keep the reference.
report-intro = Reports are stored encrypted and read only by { $org }'s security team
report-intro-ack = , who commit to acknowledge each within { $span }
report-see-policy = See the disclosure policy.
report-title = Title
report-asset = Affected URL or component (optional)
report-details = Details: what you found, how to reproduce it, its impact
report-name = Your name (optional)
report-email = Your email, to hear back (optional)
report-button = Send the report
not-subscribed-title = Not subscribed
choose-channel = choose email or webhook
choose-topics = choose all or subprocessors
subscribe-invalid-address = enter an email address or an https URL that can receive webhooks
webhooks-unavailable-title = Webhooks are not available
webhooks-no-key = This server has no master key to protect webhook secrets.
check-inbox-title = Check your inbox
check-inbox = If { $address } is not subscribed yet, a message with a confirmation link is on its way. The link works for { $span }; nothing is sent until you use it.
confirm-webhook-title = Confirm the webhook
confirm-webhook = A signed subscription.confirm event is on its way to { $address }. To confirm, POST its data.token as the form field token to its data.confirm_url within { $span }.
already-subscribed-title = Already subscribed
already-subscribed = This URL already receives events. Its secret was not changed.
confirm-subscription-title = Confirm your subscription
confirm-subscription = Confirm to be told when { $org } changes its trust center.
confirm-button = Confirm
subscribed-title = Subscribed
subscribed = You will be told of every change you asked for, including each new subprocessor before it starts, with a link to object. Every message has a link to unsubscribe.
dead-link-title = This link does not work
dead-confirm-link = It may have expired or been replaced by a newer one. Subscribe again from the trust center.
unsubscribe-title = Unsubscribe
unsubscribe-intro = Stop receiving { $org }'s trust center updates.
unsubscribe-data = You can also download what is stored about your subscription, or erase it (with any objection you sent).
unsubscribe-button = Unsubscribe
erase-button = Erase my data
download-data-link = Download my data (JSON)
unsubscribed-title = Unsubscribed
unsubscribed = You will receive no more updates. Messages already queued for you are dropped.
no-subscription-matches = No subscription matches it.
object-title = Object to a subprocessor
object-intro = Tell { $org } that you object to it using { $subprocessor }. Your objection is recorded with your subscription address and shown to its administrators.
object-button = Send the objection
object-reason = Why you object (optional; the company's admins read it)
no-such-subprocessor = no such subprocessor on this trust center
link-matches-no-subscription = this link does not match a subscription
objection-recorded-title = Objection recorded
objection-recorded = { $org } has your objection to { $subprocessor }. Its administrators see it with your subscription address.
erased-title = Erased
erased = Your subscription, your objections and any message still queued for you are deleted.
webhook-secret-once = Your signing secret, shown only this once: verify each delivery's signature header with it
search-no-match = No answer matches “{ $query }”
search-matches = { $n ->
    [one] { $n } answer matches “{ $query }”
   *[other] { $n } answers match “{ $query }”
}
search-as-published = As published in revision { $revision }, entry { $entry } of the
search-log = transparency log
search-entry = knowledge entry { $key }

# Mails to readers and subscribers, in the language they used.
mail-confirm-subject = Confirm your subscription to { $org }'s trust center
mail-confirm-body = Someone (hopefully you) asked to be told when { $org } changes its trust center
    ({ $page }).
    
    Confirm the subscription within { $span }:
    { $confirm }
    
    If it was not you, ignore this message: nothing will be sent unless you confirm.
    Unsubscribe, or download or erase what is stored: { $unsubscribe }
mail-subject-subprocessor-effective = { $org }: new subprocessor { $name }, effective { $date }
mail-subject-subprocessor = { $org }: new subprocessor { $name }
mail-subject-subprocessors = { $n ->
    [one] { $org }: { $n } new subprocessor
   *[other] { $org }: { $n } new subprocessors
}
mail-subject-subprocessors-changed = { $org }: subprocessor list changed
mail-subject-incidents = { $n ->
    [one] { $org }: { $n } incident update
   *[other] { $org }: { $n } incident updates
}
mail-subject-updated = { $org }: trust center updated (revision { $number })
mail-notice-published = { $org } published revision { $number } of its trust center on
mail-object-before = New subprocessor { $name } takes effect on { $date }. To object before then
mail-object = New subprocessor { $name }. To object
mail-notice-footer = The page: { $page }
    Verify this revision: { $checkpoint } (content hash { $hash })
    
    Unsubscribe, or download or erase your data: { $unsubscribe }
mail-request-subject = { $org }: your document request
mail-granted = You can read these documents of { $org }:
    { $documents }
    
    Sign in with this address at { $reader } to download them; each download carries your name and is recorded.
mail-denied = { $org } did not approve your request for:
    { $documents }
    Contact them if you think this is a mistake.
mail-pending = { $n ->
    [one] { $n } more document waits for { $org }'s team to decide; you will get a mail.
   *[other] { $n } more documents wait for { $org }'s team to decide; you will get a mail.
}
mail-their-note = Their note: { $note }
mail-approved-subject = { $org }: your document request was approved
mail-approved = { $org } approved your request for “{ $title }” until { $until }.
    { $note }
    Download it within { $span }:
    { $url }
    
    Until then, sign in with this address at { $reader } to download it again.
    Each download carries your name and is recorded.
mail-not-approved = { $org } did not approve your request for “{ $title }”.
    { $note }
    Contact them if you think this is a mistake.
label-takes-effect = takes effect
label-none = none
label-profile-added = profile added
label-profile-removed = profile removed
label-profile-changed = profile changed
label-promise-added = promise added
label-promise-removed = promise removed
label-promise-changed = promise changed
label-control-added = control added
label-control-removed = control removed
label-control-changed = control changed
label-compliance-posture-added = compliance posture added
label-compliance-posture-removed = compliance posture removed
label-compliance-posture-changed = compliance posture changed
label-commitment-added = commitment added
label-commitment-removed = commitment removed
label-commitment-changed = commitment changed
label-subprocessor-added = subprocessor added
label-subprocessor-removed = subprocessor removed
label-subprocessor-changed = subprocessor changed
label-changelog-entry-added = changelog entry added
label-changelog-entry-removed = changelog entry removed
label-changelog-entry-changed = changelog entry changed
label-roadmap-item-added = roadmap item added
label-roadmap-item-removed = roadmap item removed
label-roadmap-item-changed = roadmap item changed
label-incident-added = incident added
label-incident-removed = incident removed
label-incident-changed = incident changed
label-document-added = document added
label-document-removed = document removed
label-document-changed = document changed
label-question-added = question added
label-question-removed = question removed
label-question-changed = question changed
label-assessment-added = assessment added
label-assessment-removed = assessment removed
label-assessment-changed = assessment changed
label-category-name-added = category name added
label-category-name-removed = category name removed
label-category-name-changed = category name changed
label-section-text-added = section text added
label-section-text-removed = section text removed
label-section-text-changed = section text changed
label-witness-added = witness added
label-witness-removed = witness removed
label-witness-changed = witness changed
label-knowledge-entry-added = knowledge entry added
label-knowledge-entry-removed = knowledge entry removed
label-knowledge-entry-changed = knowledge entry changed
label-profile-reordered = profile reordered
label-promises-reordered = promises reordered
label-controls-reordered = controls reordered
label-posture-reordered = posture reordered
label-commitments-reordered = commitments reordered
label-subprocessors-reordered = subprocessors reordered
label-changelog-reordered = changelog reordered
label-roadmap-reordered = roadmap reordered
label-incidents-reordered = incidents reordered
label-documents-reordered = documents reordered
label-faq-reordered = faq reordered
label-assessments-reordered = assessments reordered
label-categories-reordered = categories reordered
label-sections-reordered = sections reordered
label-witnesses-reordered = witnesses reordered
label-knowledge-reordered = knowledge reordered
