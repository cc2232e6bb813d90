# Die öffentliche Trust-Seite von Candor: die Wörter der Oberfläche (nicht die
# Inhalte des Unternehmens, die über profile.locales übersetzt werden). Eine Datei
# pro Sprache; jede Nachricht hier muss in jeder Datei vorhanden sein (ein Test prüft das).

page-title = { $name } · Trust Center
page-description = Wie { $name } Kundendaten schützt: Kontrollen, Compliance, Unterauftragsverarbeiter und Zusagen.
link-json = Diese Revision als JSON
link-feed = Änderungen an diesem Trust Center
preview-banner = Vorschau des unveröffentlichten Entwurfs. Leser sehen die veröffentlichte Revision, bis Sie veröffentlichen.
page-heading = Trust Center von { $name }
last-reviewed = Zuletzt geprüft am { $date }
revision-published = Revision { $number }, veröffentlicht am
nav-languages = Sprachen
nav-sections = Abschnitte
section-overview = Überblick
section-verify = Diese Seite überprüfen
applies-to = Gilt für:
posture-caption = Unser Stand bei jedem Standard
col-standard = Standard
col-status = Status
col-detail = Einzelheiten
col-target = Ziel
see-document = Siehe Dokument
coverage-caption = Abdeckung der Frameworks, berechnet aus den unten aufgeführten Kontrollen: Eine Anforderung zählt, wenn eine umgesetzte Kontrolle sie abdeckt
col-framework = Framework
col-covered = Durch umgesetzte Kontrollen abgedeckt
col-addressed = Von einer beliebigen Kontrolle adressiert
col-share = Anteil
category-implemented = ({ $implemented } von { $total } umgesetzt)
aria-mappings = Framework-Zuordnungen
aria-evidence = Von Candor erhobene Nachweise
subprocessors-notice-before = Neue Unterauftragsverarbeiter werden hier mindestens { $period } vor dem Erhalt jeglicher Daten aufgeführt; die Spalte
subprocessors-notice-effective = Wirksam ab
subprocessors-notice-after = nennt das Datum, an dem sie beginnen.
subprocessors-notified = Sie werden benachrichtigt, bevor ein neuer Unterauftragsverarbeiter hinzugefügt wird.
subprocessors-subscribe-link = Abonnieren Sie
subprocessors-subscribe-rest = Benachrichtigungen über Änderungen an dieser Liste, mit einem Link, um einem neuen Unterauftragsverarbeiter zu widersprechen.
subprocessors-caption = Unternehmen, die in unserem Auftrag Kundendaten verarbeiten, Stand { $date }
col-name = Name
col-purpose = Zweck
col-locations = Standorte
col-data = Daten
col-default = Voreinstellung
col-notes = Hinweise
col-announced = Angekündigt
col-effective = Wirksam ab
until-date = bis { $date }
changelog-details = Details
advisory-label = Sicherheitshinweis { $id }
advisory-cvss = CVSS { $score }
advisory-csaf = CSAF-Dokument
changelog-fixes = Behebt einen Befund aus
incidents-intro = Jede Aktualisierung zeigt, wann sie veröffentlicht wurde: den Zeitpunkt der Revision, die sie zuerst enthielt, festgehalten im Transparenzprotokoll dieser Seite (der Verlauf vor der ersten Revision entspricht den Aufzeichnungen des Unternehmens). Auch als
incidents-json = JSON
incidents-and = und als
incidents-feed = Atom-Feed
incident-severity = Schweregrad
incident-material = , für Kunden wesentlich
incident-affected = Betroffen
incident-confirmed = Bestätigt
incident-resolved = Behoben
incident-notice = Kundenbenachrichtigung
incident-review = Nachbetrachtung
badge-late = Verspätet
incident-review-heading = Nachbetrachtung des Vorfalls
incident-full-review = Die vollständige Nachbetrachtung
roadmap-target = Ziel: { $target }
assessment-fixes = Seitdem behobene Befunde laut Änderungsprotokoll:
col-document = Dokument
col-kind = Art
col-access = Zugang
col-version = Version
col-updated = Aktualisiert
document-elsewhere = An anderer Stelle veröffentlicht
document-expired = Abgelaufen am { $date }
document-valid-until = Gültig bis { $date }
knowledge-search-label = Antworten durchsuchen
knowledge-search-button = Suchen
disclosure-report-link = Melden Sie eine Sicherheitslücke
disclosure-report-rest = über dieses Trust Center (verschlüsselt gespeichert).
subscribe-heading = Auf dem Laufenden bleiben
subscribe-intro-before = Erhalten Sie jede Änderung per E-Mail oder Webhook oder folgen Sie dem
subscribe-intro-feed = Atom-Feed
subscribe-intro-after = . E-Mail-Abonnements beginnen, sobald Sie sie aus Ihrem Posteingang heraus bestätigen; jede Nachricht enthält einen Link zum Abbestellen mit einem Klick.
subscribe-deliver-to = Zustellen an
subscribe-email = E-Mail-Adresse
subscribe-webhook = Webhook-URL (signiert gemäß Standard Webhooks)
subscribe-address = E-Mail-Adresse oder https-URL
subscribe-topics = Benachrichtigen Sie mich über
subscribe-all = Jede Änderung
subscribe-subprocessors = Nur Änderungen bei Unterauftragsverarbeitern
subscribe-incidents = Nur Aktualisierungen zu Vorfällen
subscribe-button = Abonnieren
verify-revision = Diese Seite zeigt Revision { $number } des Trust Centers von { $name }, veröffentlicht am
verify-immutable = . Veröffentlichte Revisionen werden nie bearbeitet: Eine Änderung ist eine neue Revision.
verify-hash = Inhalts-Hash
verify-machine = Maschinenlesbar
verify-evidence = ; die Nachweise zu den Kontrollen, mit dem, was jede Prüfung festgestellt hat:
verify-log = Transparenzprotokoll
verify-entry = Eintrag
verify-entry-rest = des nur erweiterbaren Protokolls dieser Organisation hält Nummer, Hash und Zeitpunkt dieser Revision fest;
verify-proof = sein Inklusionsnachweis
verify-log-at = Protokoll zum Stand dieser Revision
verify-log-size = Größe { $size }, Wurzel-Hash
footer-published = Veröffentlicht mit Candor. Revision { $number } ·
heading-promises = Was wir nicht tun
heading-controls = Sicherheitsmaßnahmen
heading-posture = Compliance
heading-commitments = Zusagen
heading-subprocessors = Unterauftragsverarbeiter
heading-changelog = Änderungsprotokoll
heading-roadmap = Woran wir noch arbeiten
heading-incidents = Vorfallhistorie
heading-documents = Dokumente
heading-faq = Häufig gestellte Fragen
heading-assessments = Audits und Prüfungen
heading-disclosure = Schwachstelle melden
heading-knowledge = Sicherheitsfragen, beantwortet

# Wörter um die Werte des Inhalts (Fakten, Zusagen, Nachweise, Vorfälle).
applies-to-inline = gilt für: { $scope }
scope-plan = Tarif { $plan }
coverage-of = { $implemented } von { $total }
coverage-aria = Abdeckung { $framework }
controls-implemented = { $implemented } von { $total } umgesetzt
n-days = { $n -> 
    [one] { $n } Tag
   *[other] { $n } Tage
}
n-business-days = { $n -> 
    [one] { $n } Werktag
   *[other] { $n } Werktage
}
n-hours = { $n -> 
    [one] { $n } Stunde
   *[other] { $n } Stunden
}
n-minutes = { $n -> 
    [one] { $n } Minute
   *[other] { $n } Minuten
}
span-d = { $n } T.
span-h = { $n } Std.
span-min = { $n } Min.
span-under-minute = unter 1 Min.
month = { $n ->
    [1] Januar
    [2] Februar
    [3] März
    [4] April
    [5] Mai
    [6] Juni
    [7] Juli
    [8] August
    [9] September
    [10] Oktober
    [11] November
   *[12] Dezember
}
month-year = { $month } { $year }
quarter-year = Q{ $quarter } { $year }
within = Innerhalb von { $span }
within-for = Innerhalb von { $span }, für { $which }
within-of-confirming = Innerhalb von { $span } nach Bestätigung eines Vorfalls, der Sie betrifft
every = Alle { $span }
kept = { $span } aufbewahrt
up-to-back = Bis zu { $span } zurück
up-to-on-plan = bis zu { $span } im Tarif { $plan }
severity-within = { $severity }: innerhalb von { $span }
note-yes = { $label }: ja
note-no = { $label }: nein
evidence-what = { $check } auf { $host }
evidence-unverified = { $what }: nicht verifiziert, die Organisation hat die Kontrolle über diesen Host nicht nachgewiesen
evidence-unchecked = { $what }: noch nicht geprüft
evidence-stale = { $what }: zuletzt geprüft { $when }, zu lange her, um zu zählen
evidence-pass = { $what }: verifiziert { $when } ({ $summary })
evidence-warn = { $what }: geprüft { $when }: { $summary }
evidence-fail = { $what }: fehlschlagend seit { $when }: { $summary }
notified-after = Benachrichtigt nach { $span }.
notified-after-commitment = Benachrichtigt nach { $span }; Zusage { $commitment }.
notified-after-not-material = Benachrichtigt nach { $span } (nicht wesentlich: die Benachrichtigungszusage gilt nicht).
review-published = Auswertung { $span } nach der Behebung veröffentlicht.
review-published-commitment = Auswertung { $span } nach der Behebung veröffentlicht; Zusage { $commitment }.
review-pending = Auswertung noch nicht veröffentlicht.
review-pending-due = Auswertung noch nicht veröffentlicht; fällig bis { $date }.
log-gap-restored = Dieses Protokoll wurde am { $day } aus einer Sicherung wiederhergestellt.
log-gap-lost = Einträge nach den ersten { $size }, die Leser zuvor gesehen haben könnten, ließen sich aus keiner Kopie wiederherstellen; das Protokoll wird ab Eintrag { $size } fortgesetzt: Ein Beobachter, der spätere Einträge gesehen hat, meldet eine Abspaltung.
log-key-before = Die Prüfpunkte des Protokolls
log-key-checkpoint = aktueller Prüfpunkt
log-key-after = sind mit diesem Schlüssel signierte C2SP-Notizen; merken Sie ihn sich und prüfen Sie dann die Signatur jedes neuen Prüfpunkts und seine Konsistenz mit dem zuletzt gesehenen
log-retired-before = Frühere Schlüssel dieses Protokolls, älteste zuerst, jeder durch den nächsten ersetzt mit einer von beiden Schlüsseln signierten Erklärung
log-retired-history = die Schlüsselhistorie
log-retired-after = candor watch folgt ihr ab einem früher gemerkten Schlüssel
log-witnesses = Jeder Prüfpunkt wird diesen Zeugen vorgelegt, die ihn nur mitsignieren, wenn er jeden zuvor von ihnen mitsignierten Prüfpunkt dieses Protokolls fortsetzt. Verlangen Sie beim Beobachten des Protokolls ihre aktuellen Mitsignaturen, dann kann Ihnen niemand eine Abspaltung oder einen alten Prüfpunkt zeigen
verify-how-before = So prüfen Sie es: Laden Sie
verify-how-take = herunter, nehmen Sie das Element
verify-how-member = genau wie ausgeliefert (es ist kanonisches JSON, RFC 8785) und berechnen Sie seinen SHA-256, zum Beispiel mit
verify-how-after = . Das Ergebnis muss dem obigen Inhalts-Hash entsprechen.

# Bezeichnungen: die Wörter, die Candor für einen Fakt, einen Status oder eine
# Art ausgibt (Kennung: label- und die englischen Wörter).
label-yes = Ja
label-no = Nein
label-when = Wann
label-kind = Art
label-assessor = Prüfer
label-scope = Umfang
label-methodology = Methodik
label-summary = Zusammenfassung
label-report = Bericht
label-provider = Anbieter
label-regions = Regionen
label-region-selection = Regionswahl
label-data-residency = Datenspeicherort
label-network-isolation = Netzwerkisolation
label-component = Komponente
label-minimum-tls-version = Mindestversion TLS
label-in-transit = Bei der Übertragung
label-at-rest = Im Ruhezustand
label-per-customer-keys = Schlüssel pro Kunde
label-per-tenant-keys = Schlüssel pro Mandant
label-key-management = Schlüsselverwaltung
label-secrets = Geheimnisse
label-backups-encrypted = Sicherungen verschlüsselt
label-backups = Sicherungen
label-model = Modell
label-resource = Ressource
label-isolation = Isolation
label-backup-frequency = Sicherungshäufigkeit
label-full-backups = Vollsicherungen
label-backups-geo-replicated = Sicherungen georepliziert
label-backup-retention = Aufbewahrung der Sicherungen
label-point-in-time-recovery = Wiederherstellung zu einem Zeitpunkt
label-recovery-time-objective-rto = Wiederanlaufzeit (RTO)
label-recovery-point-objective-rpo = Maximal tolerierbarer Datenverlust (RPO)
label-disaster-recovery-exercise = Notfallwiederherstellungsübung
label-last-disaster-recovery-exercise = Letzte Notfallwiederherstellungsübung
label-uptime-target = Verfügbarkeitsziel
label-also = Außerdem
label-on-call = Bereitschaft
label-customer-notice = Kundenbenachrichtigung
label-post-incident-review = Auswertung nach einem Vorfall
label-status-page = Statusseite
label-how-we-respond = Wie wir reagieren
label-contact = Kontakt
label-acknowledgement = Eingangsbestätigung
label-fix-deadlines = Fristen für Korrekturen
label-fixes = Korrekturen
label-safe-harbour = Safe Harbour
label-policy = Richtlinie
label-openpgp-key = OpenPGP-Schlüssel
label-openpgp-fingerprint = OpenPGP-Fingerabdruck
label-preferred-languages = Bevorzugte Sprachen
label-hall-of-fame = Hall of Fame
label-bug-bounty = Bug-Bounty
label-website = Website
label-security-contact = Sicherheitskontakt
label-other-questions = Andere Fragen
label-regions-offered = Angebotene Regionen
label-service-level-agreement = Service-Level-Vereinbarung
label-questions-this-page-does-not-answer = Fragen, die diese Seite nicht beantwortet
label-controls = Maßnahmen
label-hosting-and-data-residency = Hosting und Datenspeicherort
label-encryption = Verschlüsselung
label-tenancy = Mandantenfähigkeit
label-backups-and-recovery = Sicherung und Wiederherstellung
label-incident-response = Reaktion auf Vorfälle
label-one-per-tenant = Eine pro Mandant
label-shared-between-tenants = Von Mandanten gemeinsam genutzt
label-continuous = Kontinuierlich
label-daily = Täglich
label-weekly = Wöchentlich
label-our-key-for-encrypted-reports = Unser Schlüssel für verschlüsselte Meldungen
label-enabled = Aktiviert
label-opt-in = Auf Wunsch
label-active = Aktiv
label-upcoming = Bevorstehend
label-leaving = Scheidet aus
label-removed = Entfernt
label-hipaa-eligible = HIPAA-fähig
label-zero-data-retention = Keine Datenspeicherung
label-no-training-on-customer-data = Kein Training mit Kundendaten
label-not-verified = Nicht verifiziert
label-not-checked-yet = Noch nicht geprüft
label-stale = Veraltet
label-verified = Verifiziert
label-verified-with-warnings = Verifiziert mit Warnungen
label-failing = Fehlschlagend
label-implemented = Umgesetzt
label-in-progress = In Arbeit
label-planned = Geplant
label-not-applicable = Nicht zutreffend
label-reliability = Zuverlässigkeit
label-security = Sicherheit
label-privacy = Datenschutz
label-billing = Abrechnung
label-ux = Bedienung
label-tls-1-2 = TLS 1.2
label-tls-1-3 = TLS 1.3
label-pooled-shared-infrastructure-isolated-per-tenant = Gemeinsam (geteilte Infrastruktur, pro Mandant isoliert)
label-siloed-dedicated-infrastructure-per-tenant = Getrennt (eigene Infrastruktur pro Mandant)
label-hybrid-pooled-by-default-dedicated-on-request = Hybrid (standardmäßig gemeinsam, auf Anfrage eigene)
label-critical = Kritisch
label-high = Hoch
label-medium = Mittel
label-low = Niedrig
label-draft = Entwurf
label-in-legal-review-not-binding-yet = In rechtlicher Prüfung: noch nicht verbindlich
label-non-binding = Unverbindlich
label-minor = Gering
label-major = Schwer
label-investigating = Wird untersucht
label-identified = Ursache gefunden
label-monitoring = Wird beobachtet
label-resolved = Behoben
label-public = Öffentlich
label-after-a-click-through-nda = Nach Annahme einer Vertraulichkeitsvereinbarung
label-on-approved-request = Auf genehmigte Anfrage
label-audit-report = Prüfbericht
label-certificate = Zertifikat
label-penetration-test-summary = Zusammenfassung eines Penetrationstests
label-agreement = Vereinbarung
label-questionnaire = Fragebogen
label-document = Dokument
label-compliant = Konform
label-certified = Zertifiziert
label-on-the-roadmap = Geplant
label-designed-against = Daran ausgerichtet
label-not-pursued = Nicht angestrebt
label-out-of-scope = Nicht relevant
label-internal = Intern
label-external = Extern
label-partly = Teilweise
label-criteria = Kriterien
label-articles-with-obligations = Artikel mit Pflichten
label-annex-a-controls = Maßnahmen aus Anhang A
label-standards-and-specifications = Standards und Spezifikationen
label-requirements = Anforderungen

# Die anderen Leserseiten: Dokumente, Zugangsanfragen, die eigene Seite des
# Lesers, Schwachstellenmeldungen, Abonnements, Suche und Fehlerseiten.
skip-to-content = Zum Inhalt springen
candor-home = Candor-Startseite
not-found-title = Nicht gefunden
not-found-text = Nicht gefunden: { $what }. Prüfen Sie die Adresse oder fragen Sie das Unternehmen nach dem Link zu seinem Trust Center.
internal-title = Etwas ist schiefgegangen
internal-message = Auf unserer Seite ist etwas schiefgegangen; es wurde protokolliert. Diese Anfrage hat nichts geändert, es sei denn, die Seite, zu der Sie zurückkehren, sagt es.
field-error = { $field }: { $message }
field-name = Name
field-email = E-Mail
field-company = Unternehmen
field-accept = Zustimmung
field-nda_version = NDA-Version
field-documents = Dokumente
field-file = Datei
field-format = Format
field-title = Titel
field-details = Details
field-channel = Kanal
field-topics = Themen
field-address = Adresse
field-subprocessor = Unterauftragsverarbeiter
field-token = Link
noun-trust-center = Trust Center
noun-document = Dokument
noun-download-link = Download-Link
noun-file-for-this-document = Datei zu diesem Dokument
noun-request-behind-this-link = Anfrage zu diesem Link
noun-nda-for-this-document = NDA zu diesem Dokument
noun-nda-for-these-documents = NDA zu diesen Dokumenten
noun-request-form-for-this-document = Anfrageformular zu diesem Dokument
noun-subscription = Abonnement
noun-trust-center-at-this-address = Trust Center unter dieser Adresse
busy-title = Bitte gleich noch einmal
busy-downloads = Der Server bereitet gerade andere Downloads vor. Versuchen Sie den Link in einer Minute erneut.
busy-files = Der Server liest gerade andere Dateien. Versuchen Sie es in einer Minute erneut.
document-unavailable-title = Dokument nicht verfügbar
document-unwatermarkable = Dieses PDF kann nicht mit Ihren Angaben versehen werden und wird deshalb nicht ausgeliefert. Das Unternehmen muss es neu hochladen; bitte wenden Sie sich an es.
documents-unavailable-title = Dokumente nicht verfügbar
documents-no-key = Dieser Server kann keine Dokumente ausliefern: Ihm fehlt der Schlüssel, um sie zu entschlüsseln.
enter-name = Geben Sie Ihren Namen ein
enter-email = Geben Sie eine gültige E-Mail-Adresse ein
enter-company = Geben Sie Ihr Unternehmen an
tick-nda = Kreuzen Sie das Kästchen an, um die NDA anzunehmen
tick-nda-or-leave-out = Kreuzen Sie das Kästchen an, um die NDA anzunehmen, oder lassen Sie die Dokumente weg, die sie voraussetzen
nda-changed = Die NDA hat sich geändert, während Sie sie gelesen haben; lesen Sie die aktuellen Bedingungen und stimmen Sie erneut zu
choose-documents = Wählen Sie mindestens ein Dokument
request-denied-one = { $org } gibt dieses Dokument an Ihre Adresse nicht heraus.
request-approved-domain = { $org } genehmigt Anfragen Ihrer Organisation: Eine E-Mail an { $email } erklärt, wie Sie sich anmelden und es herunterladen.
request-pending = Ihre Anfrage liegt beim Team von { $org }. Wird sie genehmigt, geht ein Download-Link an { $email }.
access-ended-title = Zugang beendet
access-ended = Ihr Zugang zu diesem Dokument ist abgelaufen oder wurde entzogen. Fragen Sie im Trust Center erneut danach.
link-expired-title = Link abgelaufen
link-expired = Dieser Download-Link ist abgelaufen. Fragen Sie im Trust Center erneut nach dem Dokument.
document-version = Version { $version }
document-updated = aktualisiert { $date }
watermark-pdf = Ihr Download trägt auf jeder Seite Ihre E-Mail-Adresse, Ihr Unternehmen, die Uhrzeit und die Freigabe.
watermark-none = Diese Datei ist kein PDF und wird deshalb unverändert ausgeliefert, ohne Ihre Angaben; jeder Download wird trotzdem erfasst.
granted-until = Sie haben Zugang bis { $date }.
download-title = { $title } herunterladen
your-documents = Ihre Dokumente
thank-you = Vielen Dank.
link-one-hour = (Der Link gilt eine Stunde lang, nur für dieses Dokument; jeder Download wird erfasst.)
nda-heading = Vertraulichkeitsvereinbarung (Version { $version })
your-name = Ihr Name
work-email = Geschäftliche E-Mail-Adresse
company = Unternehmen
nda-accept = Ich nehme die obige NDA im Namen meines Unternehmens an
nda-accept-several = Ich nehme die obige NDA im Namen meines Unternehmens an (nötig für die Dokumente, die sie voraussetzen)
nda-accept-button = Annehmen und herunterladen
approval-intro = { $org } gibt dieses Dokument nach Prüfung jeder Anfrage heraus. Sagen Sie, wer Sie sind; bei Genehmigung erhalten Sie einen Download-Link per E-Mail.
reason-it = Wofür Sie es brauchen (optional)
reason-them = Wofür Sie sie brauchen (optional)
request-access = Zugang anfragen
asked-before = Schon angefragt?
sign-in-to-documents = Melden Sie sich bei Ihren Dokumenten an
need-several = Mehrere nötig?
request-them-at-once = Fragen Sie sie auf einmal an
back-to-trust-center = Zurück zum Trust Center von { $org }
request-documents = Dokumente anfragen
no-gated-documents = { $org } veröffentlicht keine zugangsbeschränkten Dokumente.
access-intro = Fragen Sie einmal nach einem, mehreren oder allen zugangsbeschränkten Dokumenten von { $org }. Dokumente hinter der NDA gehören Ihnen, sobald Sie sie annehmen; die anderen, sobald das Team von { $org } zustimmt. Sie erhalten eine E-Mail und können sich
access-intro-sign-in = anmelden
access-intro-rest = mit derselben Adresse, um herunterzuladen, was Ihnen freigegeben ist, bis es abläuft.
all-of-them = Alle
access-granted = Freigegeben: { $documents }.
access-pending = Wartet auf das Team von { $org }: { $documents }.
access-denied = Nicht für Ihre Adresse freigegeben: { $documents }.
access-mail = Eine E-Mail an { $email } sagt, was entschieden wurde; melden Sie sich unter „Ihre Dokumente“ mit dieser Adresse an, um herunterzuladen, was freigegeben ist.
grant-pending = wartet auf eine Entscheidung
grant-revoked = vom Unternehmen entzogen
grant-expired = fragen Sie erneut, um es zu lesen
their-note = ihre Notiz: { $note }
no-longer-published = { $key } (nicht mehr veröffentlicht)
grant-state-pending = offen
grant-state-denied = abgelehnt
grant-state-active = aktiv
grant-state-expired = abgelaufen
grant-state-revoked = entzogen
sign-in-mail-subject = { $org }: Ihr Anmeldelink
sign-in-mail-body = Melden Sie sich beim Trust Center von { $org } an, um die Ihnen freigegebenen Dokumente herunterzuladen:
    { $link }
    
    Der Link funktioniert einmal, { $minutes } Minuten lang. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese E-Mail.
sign-in-link-sent = Falls { $email } bei { $org } Dokumente angefragt hat, ist ein Anmeldelink unterwegs. Er funktioniert einmal, { $minutes } Minuten lang.
sign-in-link-dead = Dieser Anmeldelink funktioniert nicht: Er wurde schon benutzt oder ist abgelaufen. Fordern Sie unten einen neuen an.
no-access-title = Kein Zugang
no-access-document = Sie haben derzeit keinen Zugang zu diesem Dokument: Es wurde dieser Adresse nicht freigegeben, die Freigabe ist abgelaufen oder das Unternehmen hat sie entzogen. Fragen Sie im Trust Center erneut danach.
no-access-questionnaire = Fragebögen werden für Leser beantwortet, die derzeit Zugang zu den Dokumenten dieses Unternehmens haben. Fragen Sie zuerst die Dokumente an.
upload-broken = Der Upload kam nicht vollständig an
choose-questionnaire = Wählen Sie Ihren Fragebogen (XLSX, CSV oder JSON)
choose-format = Wählen Sie xlsx, csv oder json
xlsx-only-from-xlsx = Nur ein als XLSX gesendeter Fragebogen kommt als XLSX zurück; wählen Sie CSV oder JSON
cannot-answer-title = Keine Antwort möglich
sign-in-confirm = Melden Sie sich beim Trust Center von { $org } an, um die Ihnen freigegebenen Dokumente zu sehen. Der Link funktioniert einmal.
sign-in = Anmelden
signed-in-as = Angemeldet als
downloads-carry = Jeder Download trägt auf jeder Seite eines PDF Ihre E-Mail-Adresse, Ihr Unternehmen und die Uhrzeit und wird erfasst.
nothing-requested = Mit dieser Adresse wurde noch nichts angefragt.
reader-caption = Von Ihnen angefragte Dokumente, neueste zuerst
col-download = Download
request-more = Weitere Dokumente anfragen
questionnaire-heading = Ihr Sicherheitsfragebogen
questionnaire-intro = Laden Sie Ihren Fragebogen hoch (XLSX, CSV oder JSON), um ihn aus der zuletzt veröffentlichten Revision von { $org } beantworten zu lassen, nie aus internen Notizen. Jede Antwort nennt ihre Quelle in dieser Revision, die Sie am signierten Protokoll prüfen können; Fragen ohne klare Quelle bleiben für das Team von { $org } leer.
questionnaire-file = Fragebogen
questionnaire-format = Antworten als
questionnaire-xlsx = Ihre Arbeitsmappe, ausgefüllt (XLSX)
questionnaire-button = Meinen Fragebogen beantworten
sign-out = Abmelden
reader-intro = Leser, die bei { $org } Dokumente angefragt haben, melden sich hier mit der Adresse ihrer Anfrage an, um alles herunterzuladen, was ihnen freigegeben ist, bis es abläuft. Wir senden Ihnen einen Anmeldelink, der einmal und 15 Minuten lang funktioniert.
email-sign-in-link = Anmeldelink per E-Mail senden
not-asked-yet = Noch nicht angefragt?
report-title-invalid = Geben Sie der Meldung einen Titel mit höchstens 200 Zeichen
report-details-invalid = Beschreiben Sie das Problem in höchstens 20.000 Zeichen
report-email-invalid = Das ist keine E-Mail-Adresse (oder lassen Sie das Feld leer, um anonym zu bleiben)
reports-unavailable-title = Meldungen nicht verfügbar
reports-no-key = Dieser Server kann Meldungen nicht verschlüsselt speichern (kein Hauptschlüssel).
report-heading = Eine Schwachstelle an { $org } melden
report-received = Meldung { $reference } erhalten.
report-ack-promise = { $org } sagt zu, den Eingang innerhalb von { $span } zu bestätigen,
report-ack-by = bis { $date }.
report-keep-reference = Bewahren Sie die Referenz auf.
report-intro = Meldungen werden verschlüsselt gespeichert und nur vom Sicherheitsteam von { $org } gelesen
report-intro-ack = , das zusagt, jede innerhalb von { $span } zu bestätigen
report-see-policy = Siehe die Richtlinie zur Offenlegung.
report-title = Titel
report-asset = Betroffene URL oder Komponente (optional)
report-details = Details: was Sie gefunden haben, wie es sich nachvollziehen lässt, welche Auswirkungen es hat
report-name = Ihr Name (optional)
report-email = Ihre E-Mail-Adresse für eine Antwort (optional)
report-button = Meldung senden
not-subscribed-title = Nicht abonniert
choose-channel = Wählen Sie E-Mail oder Webhook
choose-topics = Wählen Sie alles oder nur Unterauftragsverarbeiter
subscribe-invalid-address = Geben Sie eine E-Mail-Adresse oder eine https-URL an, die Webhooks empfangen kann
webhooks-unavailable-title = Webhooks nicht verfügbar
webhooks-no-key = Diesem Server fehlt der Hauptschlüssel, um Webhook-Geheimnisse zu schützen.
check-inbox-title = Sehen Sie in Ihr Postfach
check-inbox = Falls { $address } noch nicht abonniert ist, ist eine Nachricht mit einem Bestätigungslink unterwegs. Der Link gilt { $span }; bis Sie ihn benutzen, wird nichts gesendet.
confirm-webhook-title = Webhook bestätigen
confirm-webhook = Ein signiertes Ereignis subscription.confirm ist unterwegs an { $address }. Zur Bestätigung senden Sie sein data.token als Formularfeld token per POST an seine data.confirm_url, innerhalb von { $span }.
already-subscribed-title = Bereits abonniert
already-subscribed = Diese URL empfängt bereits Ereignisse. Ihr Geheimnis wurde nicht geändert.
confirm-subscription-title = Abonnement bestätigen
confirm-subscription = Bestätigen Sie, um benachrichtigt zu werden, wenn { $org } sein Trust Center ändert.
confirm-button = Bestätigen
subscribed-title = Abonniert
subscribed = Sie werden über jede gewünschte Änderung informiert, auch über jeden neuen Unterauftragsverarbeiter vor seinem Beginn, mit einem Link zum Widerspruch. Jede Nachricht enthält einen Link zum Abbestellen.
dead-link-title = Dieser Link funktioniert nicht
dead-confirm-link = Er ist vielleicht abgelaufen oder durch einen neueren ersetzt worden. Abonnieren Sie erneut im Trust Center.
unsubscribe-title = Abbestellen
unsubscribe-intro = Keine Neuigkeiten mehr zum Trust Center von { $org } erhalten.
unsubscribe-data = Sie können auch herunterladen, was über Ihr Abonnement gespeichert ist, oder es löschen (mit jedem Widerspruch, den Sie gesendet haben).
unsubscribe-button = Abbestellen
erase-button = Meine Daten löschen
download-data-link = Meine Daten herunterladen (JSON)
unsubscribed-title = Abbestellt
unsubscribed = Sie erhalten keine Neuigkeiten mehr. Bereits für Sie eingereihte Nachrichten werden verworfen.
no-subscription-matches = Zu diesem Link gibt es kein Abonnement.
object-title = Einem Unterauftragsverarbeiter widersprechen
object-intro = Teilen Sie { $org } mit, dass Sie dem Einsatz von { $subprocessor } widersprechen. Ihr Widerspruch wird mit der Adresse Ihres Abonnements erfasst und den Administratoren gezeigt.
object-button = Widerspruch senden
object-reason = Warum Sie widersprechen (optional; die Administratoren des Unternehmens lesen es)
no-such-subprocessor = Diesen Unterauftragsverarbeiter gibt es in diesem Trust Center nicht
link-matches-no-subscription = Dieser Link passt zu keinem Abonnement
objection-recorded-title = Widerspruch erfasst
objection-recorded = { $org } hat Ihren Widerspruch gegen { $subprocessor } erhalten. Die Administratoren sehen ihn mit der Adresse Ihres Abonnements.
erased-title = Gelöscht
erased = Ihr Abonnement, Ihre Widersprüche und alle noch für Sie eingereihten Nachrichten sind gelöscht.
webhook-secret-once = Ihr Signaturgeheimnis, nur dieses eine Mal angezeigt: Prüfen Sie damit den Signatur-Header jeder Zustellung
search-no-match = Keine Antwort passt zu „{ $query }“
search-matches = { $n ->
    [one] { $n } Antwort passt zu „{ $query }“
   *[other] { $n } Antworten passen zu „{ $query }“
}
search-as-published = Wie veröffentlicht in Revision { $revision }, Eintrag { $entry } des
search-log = Transparenzprotokolls
search-entry = Wissenseintrag { $key }

# E-Mails an Leser und Abonnenten, in der Sprache, die sie verwendet haben.
mail-confirm-subject = Bestätigen Sie Ihr Abonnement des Trust Centers von { $org }
mail-confirm-body = Jemand (hoffentlich Sie) möchte benachrichtigt werden, wenn { $org } sein Trust Center ändert
    ({ $page }).
    
    Bestätigen Sie das Abonnement innerhalb von { $span }:
    { $confirm }
    
    Falls Sie es nicht waren, ignorieren Sie diese Nachricht: Ohne Bestätigung wird nichts gesendet.
    Abbestellen oder Gespeichertes herunterladen oder löschen: { $unsubscribe }
mail-subject-subprocessor-effective = { $org }: neuer Unterauftragsverarbeiter { $name }, ab { $date }
mail-subject-subprocessor = { $org }: neuer Unterauftragsverarbeiter { $name }
mail-subject-subprocessors = { $n ->
    [one] { $org }: { $n } neuer Unterauftragsverarbeiter
   *[other] { $org }: { $n } neue Unterauftragsverarbeiter
}
mail-subject-subprocessors-changed = { $org }: Liste der Unterauftragsverarbeiter geändert
mail-subject-incidents = { $n ->
    [one] { $org }: { $n } Neuigkeit zu Vorfällen
   *[other] { $org }: { $n } Neuigkeiten zu Vorfällen
}
mail-subject-updated = { $org }: Trust Center aktualisiert (Revision { $number })
mail-notice-published = { $org } hat Revision { $number } seines Trust Centers veröffentlicht am
mail-object-before = Neuer Unterauftragsverarbeiter { $name } ab { $date }. Widerspruch vorher hier
mail-object = Neuer Unterauftragsverarbeiter { $name }. Widerspruch hier
mail-notice-footer = Die Seite: { $page }
    Diese Revision prüfen: { $checkpoint } (Inhalts-Hash { $hash })
    
    Abbestellen oder Ihre Daten herunterladen oder löschen: { $unsubscribe }
mail-request-subject = { $org }: Ihre Dokumentanfrage
mail-granted = Sie können diese Dokumente von { $org } lesen:
    { $documents }
    
    Melden Sie sich mit dieser Adresse unter { $reader } an, um sie herunterzuladen; jeder Download trägt Ihren Namen und wird erfasst.
mail-denied = { $org } hat Ihre Anfrage nicht genehmigt für:
    { $documents }
    Wenden Sie sich an das Unternehmen, wenn Sie das für einen Irrtum halten.
mail-pending = { $n ->
    [one] { $n } weiteres Dokument wartet auf die Entscheidung des Teams von { $org }; Sie erhalten eine E-Mail.
   *[other] { $n } weitere Dokumente warten auf die Entscheidung des Teams von { $org }; Sie erhalten eine E-Mail.
}
mail-their-note = Ihre Notiz: { $note }
mail-approved-subject = { $org }: Ihre Dokumentanfrage wurde genehmigt
mail-approved = { $org } hat Ihre Anfrage für „{ $title }“ bis { $until } genehmigt.
    { $note }
    Laden Sie es innerhalb von { $span } herunter:
    { $url }
    
    Bis dahin können Sie sich mit dieser Adresse unter { $reader } anmelden, um es erneut herunterzuladen.
    Jeder Download trägt Ihren Namen und wird erfasst.
mail-not-approved = { $org } hat Ihre Anfrage für „{ $title }“ nicht genehmigt.
    { $note }
    Wenden Sie sich an das Unternehmen, wenn Sie das für einen Irrtum halten.
label-takes-effect = gilt ab
label-none = keine
label-profile-added = Profil hinzugefügt
label-profile-removed = Profil entfernt
label-profile-changed = Profil geändert
label-promise-added = Versprechen hinzugefügt
label-promise-removed = Versprechen entfernt
label-promise-changed = Versprechen geändert
label-control-added = Maßnahme hinzugefügt
label-control-removed = Maßnahme entfernt
label-control-changed = Maßnahme geändert
label-compliance-posture-added = Compliance-Status hinzugefügt
label-compliance-posture-removed = Compliance-Status entfernt
label-compliance-posture-changed = Compliance-Status geändert
label-commitment-added = Zusage hinzugefügt
label-commitment-removed = Zusage entfernt
label-commitment-changed = Zusage geändert
label-subprocessor-added = Unterauftragsverarbeiter hinzugefügt
label-subprocessor-removed = Unterauftragsverarbeiter entfernt
label-subprocessor-changed = Unterauftragsverarbeiter geändert
label-changelog-entry-added = Eintrag im Änderungsprotokoll hinzugefügt
label-changelog-entry-removed = Eintrag im Änderungsprotokoll entfernt
label-changelog-entry-changed = Eintrag im Änderungsprotokoll geändert
label-roadmap-item-added = Punkt der Roadmap hinzugefügt
label-roadmap-item-removed = Punkt der Roadmap entfernt
label-roadmap-item-changed = Punkt der Roadmap geändert
label-incident-added = Vorfall hinzugefügt
label-incident-removed = Vorfall entfernt
label-incident-changed = Vorfall geändert
label-document-added = Dokument hinzugefügt
label-document-removed = Dokument entfernt
label-document-changed = Dokument geändert
label-question-added = Frage hinzugefügt
label-question-removed = Frage entfernt
label-question-changed = Frage geändert
label-assessment-added = Prüfung hinzugefügt
label-assessment-removed = Prüfung entfernt
label-assessment-changed = Prüfung geändert
label-category-name-added = Kategoriename hinzugefügt
label-category-name-removed = Kategoriename entfernt
label-category-name-changed = Kategoriename geändert
label-section-text-added = Abschnittstext hinzugefügt
label-section-text-removed = Abschnittstext entfernt
label-section-text-changed = Abschnittstext geändert
label-witness-added = Zeuge hinzugefügt
label-witness-removed = Zeuge entfernt
label-witness-changed = Zeuge geändert
label-knowledge-entry-added = Wissenseintrag hinzugefügt
label-knowledge-entry-removed = Wissenseintrag entfernt
label-knowledge-entry-changed = Wissenseintrag geändert
label-profile-reordered = Profil: Reihenfolge geändert
label-promises-reordered = Versprechen: Reihenfolge geändert
label-controls-reordered = Maßnahmen: Reihenfolge geändert
label-posture-reordered = Compliance-Status: Reihenfolge geändert
label-commitments-reordered = Zusagen: Reihenfolge geändert
label-subprocessors-reordered = Unterauftragsverarbeiter: Reihenfolge geändert
label-changelog-reordered = Änderungsprotokoll: Reihenfolge geändert
label-roadmap-reordered = Roadmap: Reihenfolge geändert
label-incidents-reordered = Vorfälle: Reihenfolge geändert
label-documents-reordered = Dokumente: Reihenfolge geändert
label-faq-reordered = Häufige Fragen: Reihenfolge geändert
label-assessments-reordered = Prüfungen: Reihenfolge geändert
label-categories-reordered = Kategorien: Reihenfolge geändert
label-sections-reordered = Abschnitte: Reihenfolge geändert
label-witnesses-reordered = Zeugen: Reihenfolge geändert
label-knowledge-reordered = Wissenseinträge: Reihenfolge geändert
