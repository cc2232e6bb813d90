//! Real trust pages, transcribed: every claim rendered, and nothing the source does not say.

use crate::harness::App;

/// The text of a page from `from`, up to Candor's own subscribe and verify
/// sections, as text segments (one per run of text between tags).
fn page_segments(html: &str, from: &str) -> Vec<String> {
    let start = html.find(from).expect("the start marker");
    let end = ["<section id=\"subscribe\"", "<section id=\"verify\""]
        .iter()
        .filter_map(|marker| html[start..].find(marker))
        .min()
        .map_or(html.len(), |i| start + i);
    let mut segments = Vec::new();
    let mut rest = &html[start..end];
    while let Some(open) = rest.find('<') {
        segments.push(rest[..open].to_owned());
        rest = rest[open..]
            .find('>')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    segments.push(rest.to_owned());
    segments
        .into_iter()
        .map(|s| {
            let s = s
                .replace("&#39;", "'")
                .replace("&#34;", "\"")
                .replace("&#60;", "<")
                .replace("&#62;", ">")
                .replace("&#38;", "&")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            s.trim_matches(|c: char| c.is_whitespace() || ":;,·".contains(c))
                .to_owned()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether `text` occurs in `haystack` as whole words (so "no" is not found in "not").
fn contains_words(haystack: &str, text: &str) -> bool {
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    haystack.match_indices(text).any(|(at, _)| {
        boundary(haystack[..at].chars().next_back())
            && boundary(haystack[at + text.len()..].chars().next())
    })
}

/// Whitespace collapsed, lowercased.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Candor's own words on a trust page: headings, labels and column names that
/// name what follows, never a claim.
const CHROME: &[&str] = &[
    "Overview",
    "Commitments",
    "Security controls",
    "Subprocessors",
    "Compliance",
    "Report a vulnerability",
    "through this trust center (stored encrypted).",
    "Standard",
    "Status",
    "Detail",
    "Target",
    "Where we stand on each standard",
    "Provider",
    "Regions",
    "Region selection",
    "Data residency",
    "Network isolation",
    "Component",
    "Minimum TLS version",
    "In transit",
    "At rest",
    "Per-tenant keys",
    "Secrets",
    "Backups encrypted",
    "Backups",
    "Isolation",
    "Backups and recovery",
    "Full backups",
    "Backups geo-replicated",
    "Point-in-time recovery",
    "Recovery time objective (RTO)",
    "Recovery point objective (RPO)",
    "Disaster-recovery exercise",
    "Also",
    "Incident response",
    "On call",
    "Customer notice",
    "Post-incident review",
    "Questions this page does not answer",
    "Name",
    "Purpose",
    "Default",
    "Notes",
    "Document",
    "Kind",
    "Access",
    "Contact",
    "Acknowledgement",
    "Fixes",
    "Safe harbour",
    "OpenPGP fingerprint",
    "Security contact",
    "Controls",
    "Documents",
    "Subscribe",
    "to be told of changes to this list, with a link to object to a new subprocessor.",
    "See the document",
    "Active",
    "Policy",
];

/// Publishes a transcription of a real trust page and checks the rendered page:
/// every claim listed is there, and every text on the page is the source's own
/// words, Candor's labels, or a typed value the test maps to its source phrase.
async fn check_transcription(
    app: &App,
    slug: &str,
    yaml: &str,
    source: &str,
    claims: &[&str],
    typed: &[(&str, &str)],
) {
    app.publish(slug, yaml).await;
    let html = app.page(&format!("/{slug}")).await;
    let source = normalized(source);
    for (rendered, phrase) in typed {
        assert!(
            contains_words(&source, &normalized(phrase)),
            "{slug}: the test's source phrase {phrase:?} is not in the source"
        );
        assert!(
            html.contains(rendered),
            "{slug}: typed value {rendered:?} not rendered"
        );
    }
    // Claims may be anywhere (the tagline is in the header); the check for what
    // the source does not say covers the content, <main>.
    let page = normalized(&page_segments(&html, "<body").join(" | "));
    for claim in claims {
        assert!(
            page.contains(&normalized(claim)),
            "{slug}: the claim {claim:?} is not on the page"
        );
    }
    let caption = "companies that process customer data on our behalf, as of";
    for segment in page_segments(&html, "<main") {
        let text = normalized(&segment);
        let supported = contains_words(&source, &text)
            || CHROME.iter().any(|c| normalized(c) == text)
            || typed
                .iter()
                .any(|(rendered, _)| normalized(rendered) == text)
            || text.starts_with(caption);
        assert!(
            supported,
            "{slug}: the page says {segment:?}, which the source does not"
        );
    }
}

#[tokio::test]
async fn real_trust_pages_render_every_claim_and_nothing_else() {
    let app = App::start_default().await;
    check_transcription(
        &app,
        "velaurum",
        include_str!("../data/trust-pages/velaurum.yaml"),
        include_str!("../data/trust-pages/velaurum.txt"),
        &[
            "Built so the wrong things cannot happen.",
            "Hosted on Microsoft Azure.",
            "Azure Functions for the worker tier",
            "Customer-selectable at provisioning",
            "Cross-region replication only for backup",
            "No service exposes a public endpoint other than the API gateway.",
            "Azure SQL with Transparent Data Encryption",
            "Azure Service Bus with managed identities",
            "Encrypted at every layer.",
            "TLS 1.3",
            "Bring-your-own-key on the enterprise tier.",
            "Backup access logged separately from production access.",
            "Multi-tenant, properly.",
            "Every read and write passes OrgId explicitly.",
            "Per-tenant data export available on request; no data lock-in.",
            "Where we are. Where we're going.",
            "We won't claim a certification we don't hold.",
            "GDPR-aware design",
            "Type I audit scheduled for Q4 2026.",
            "ISO 55000 (asset mgmt)",
            "Velaurum doesn't process payment card data.",
            "Annual DR exercise conducted with documented results.",
            "Customer-facing post-mortem on any incident exceeding RPO.",
            "On-call rotation 24/7 for production.",
            "We'll respond with the actual answer, not a deflection.",
        ],
        &[
            ("Compliant", "Compliant"),
            ("On the roadmap", "On the roadmap"),
            ("Designed against", "Designed against"),
            ("Not pursued", "Not pursued"),
            ("Out of scope", "Out of scope"),
            ("In progress", "In progress"),
            ("Q4 2026", "Q4 2026"),
            ("2027", "2027"),
            ("Yes", "Encrypted with the same keys as live data"),
            ("Continuous", "Continuous transaction log shipping"),
            ("Weekly", "Weekly full-backup geo-replicated"),
            (
                "Up to 35 days back (up to 365 days on the enterprise plan)",
                "within 35 days (configurable to 365 days on enterprise tier)",
            ),
            ("4 hours", "RTO target 4 hours"),
            ("15 minutes", "RPO target 15 minutes"),
            (
                "Within 1 hour, for confirmed material incidents",
                "notified within one hour of confirmed material incident",
            ),
            ("Within 5 business days", "shared within 5 business days"),
            ("Datastore", "Datastore"),
            ("Messaging", "Messaging"),
        ],
    )
    .await;
    check_transcription(
        &app,
        "iqcloud",
        include_str!("../data/trust-pages/iqcloud.yaml"),
        include_str!("../data/trust-pages/iqcloud.txt"),
        &[
            "How we keep your business data secure",
            "What we DON'T do.",
            "We do not sell your data.",
            "Not to advertisers, not to data brokers, not to AI training providers.",
            "never pooled with other customers and never folded into a shared model",
            "We do not share your data with third parties.",
            "What we do.",
            "there is no premium tier you have to buy to get them",
            "Microsoft Entra-backed identity.",
            "Image scanning and canary gates on deploys.",
            "Who else touches your data.",
            "Twilio / SendGrid",
            "Card numbers never touch our servers.",
            "HIPAA-eligible plan",
            "Eligibility requires a signed Business Associate Agreement (BAA)",
            "Reporting a vulnerability",
            "security@iqcloud.cloud",
            "We will not pursue legal action against good-faith research",
            "placeholder — full key published before public launch",
        ],
        &[
            (
                "Implemented",
                "baked into the platform and apply to every workspace by default",
            ),
            ("7 of 7 implemented", "apply to every workspace by default"),
            (
                "You will be notified before any new subprocessor is added.",
                "You will be notified before any addition.",
            ),
            ("Opt-in", "Disabled by default"),
            (
                "Zero data retention: yes",
                "under a zero-retention agreement",
            ),
            (
                "No training on customer data: yes",
                "Prompt content is not used to train any model",
            ),
            (
                "In legal review: not binding yet",
                "The HIPAA disclosure is currently in legal review",
            ),
            ("HIPAA disclosure", "HIPAA disclosure"),
            (
                "On approved request",
                "contact us before evaluating iqcloud for a HIPAA workload",
            ),
            (
                "Within 1 business day",
                "We acknowledge within one business day",
            ),
        ],
    )
    .await;
    app.stop().await;
}
