//! Demo content: two fictional companies, loaded by `candor serve --demo`.

use anyhow::{Context, Result, bail};
use candor_app::accounts::{AddAccountError, add_account};
use candor_domain::audit::{AuditAction, AuditEvent};
use candor_domain::model::{
    DocumentAccess, Incident, IncidentReview, IncidentSeverity, IncidentStatus, IncidentUpdate,
};
use candor_domain::policy::Role;
use candor_domain::types::{Day, Moment, Text};
use candor_domain::{OrgSlug, TrustCenter};
use candor_store::keys::MasterKey;
use candor_store::{OrgScope, PublishOutcome, SharedStore, create_org, publish_draft, scope_for};

/// Who the audit log says published the demo content.
const ACTOR: &str = "operator:demo";

pub struct DemoOrg {
    pub slug: &'static str,
    pub yaml: &'static str,
}

pub const ORGS: &[DemoOrg] = &[
    DemoOrg {
        slug: "quillfeather",
        yaml: candor_demo::QUILLFEATHER,
    },
    DemoOrg {
        slug: "harborlight",
        yaml: candor_demo::HARBORLIGHT,
    },
];

/// Creates the demo orgs if needed and, on a fresh database, publishes the demo files
/// as two revisions: an older one without the latest subprocessor, then the current
/// one that announces it. The announcement is dated from today with the org's full
/// notice period, as the publish rule demands, so the demo never goes stale. An org
/// that already has revisions is left as it is: its drafts may be someone's work.
pub async fn load(store: &SharedStore, master: &MasterKey) -> Result<()> {
    let now = time::OffsetDateTime::now_utc();
    for org in ORGS {
        let mut content = TrustCenter::from_yaml(org.yaml)
            .with_context(|| format!("demo file for {}", org.slug))?;
        let slug: OrgSlug = org.slug.parse().map_err(anyhow::Error::msg)?;
        let scope = match scope_for(&**store, &slug).await? {
            Some(scope) => scope,
            None => create_org(&**store, &slug, content.profile.name.as_str()).await?,
        };
        demo_accounts(store, &scope).await?;
        if store.latest_revision_summary(&scope).await?.is_some() {
            demo_reader_link(store, &scope).await?;
            continue;
        }
        // A resolved incident with its review, brought in as the starting
        // history of the first revision (whose times are taken as written).
        content.incidents.push(demo_incident(org.slug, now)?);
        // A security fix published as an advisory (CSAF), three weeks ago.
        content.changelog.insert(0, demo_advisory(org.slug, now)?);
        translate_demo(&mut content)?;
        // The companies' own time zones, for the admin's times.
        let zone = if org.slug == "harborlight" {
            "America/Chicago"
        } else {
            "Europe/Berlin"
        };
        content.profile.time_zone = Some(zone.parse().map_err(anyhow::Error::msg)?);
        // Audit reports cover a period: the demo's ends five months from today.
        for doc in &mut content.documents {
            if doc.kind == candor_domain::model::DocumentKind::AuditReport {
                doc.valid_until = Some(Day(now.date() + time::Duration::days(150)));
            }
        }
        let mut earlier = content.clone();
        earlier.subprocessors.pop();
        store.save_draft(&scope, &earlier).await?;
        publish_draft(&**store, &scope, now - time::Duration::days(30), ACTOR).await?;

        let notice = i64::from(content.notice_days().unwrap_or(0));
        if let Some(newest) = content.subprocessors.last_mut() {
            newest.announced_at = Some(Day(now.date()));
            newest.effective_at = Some(Day(now.date() + time::Duration::days(notice + 14)));
        }
        store.save_draft(&scope, &content).await?;
        demo_files(store, &scope, master, &content).await?;
        match publish_draft(&**store, &scope, now, ACTOR).await? {
            PublishOutcome::Published { revision, .. } => tracing::info!(
                org = org.slug,
                revision = revision.number,
                "demo content published"
            ),
            PublishOutcome::Refused(refusal) => bail!("demo content for {}: {refusal}", org.slug),
            PublishOutcome::Held { restored_size } => bail!(
                "demo content: {}",
                candor_store::hold_explanation(org.slug, restored_size)
            ),
            PublishOutcome::Unchanged { .. } | PublishOutcome::NoDraft => {}
        }
        demo_questionnaire(store, &scope, master).await?;
        demo_reader(store, &scope, &content, now).await?;
        demo_reader_link(store, &scope).await?;
    }
    Ok(())
}

/// The demo pages in German and French too: the taglines, overviews and
/// promises are translated (`candor_demo::TRANSLATIONS`); the rest of the
/// content shows in English on every page, with the interface in the page's
/// language.
fn translate_demo(content: &mut TrustCenter) -> Result<()> {
    use candor_domain::types::{Locale, Text};
    #[derive(serde::Deserialize)]
    struct Translated {
        en: String,
        de: String,
        fr: String,
    }
    content.profile.locales = ["en", "de", "fr"]
        .iter()
        .map(|l| l.parse::<Locale>().map_err(anyhow::Error::msg))
        .collect::<Result<_>>()?;
    let table: Vec<Translated> = serde_json::from_str(candor_demo::TRANSLATIONS)?;
    let translate = |text: &mut Text| -> Result<()> {
        if let Some(t) = table.iter().find(|t| t.en == text.as_str()) {
            *text = text
                .clone()
                .with_translations("en", &[("de", &t.de), ("fr", &t.fr)])
                .map_err(anyhow::Error::msg)?;
        }
        Ok(())
    };
    let profile = &mut content.profile;
    for text in profile
        .tagline
        .iter_mut()
        .chain(profile.overview.iter_mut())
    {
        translate(text)?;
    }
    for promise in &mut content.promises {
        translate(&mut promise.title)?;
        translate(&mut promise.body)?;
    }
    Ok(())
}

/// The demo's reader, who asked for every gated document a week ago.
const DEMO_READER: &str = "reader@customer.example";

/// Grants to [`DEMO_READER`]: the NDA's documents as if accepted, the others
/// approved, for 30 days from a week ago (so they show an expiry to come).
async fn demo_reader(
    store: &SharedStore,
    scope: &OrgScope,
    content: &TrustCenter,
    now: time::OffsetDateTime,
) -> Result<()> {
    use candor_domain::model::DocumentAccess;
    use candor_store::documents::{DocumentRequest, RequestKind, RequestStatus};
    use candor_store::readers::{Decider, ReaderEvent, ReaderEventKind};
    let asked = now - time::Duration::days(7);
    let until = asked + time::Duration::days(30);
    let batch = uuid::Uuid::new_v4();
    let nda = content.profile.nda.as_ref().map(|n| n.version.to_string());
    let mut requests = Vec::new();
    let mut events = Vec::new();
    for doc in content.documents.iter().filter(|d| d.url.is_none()) {
        let (kind, decided_by, line) = match doc.access {
            DocumentAccess::Public => continue,
            DocumentAccess::Nda if nda.is_none() => continue,
            DocumentAccess::Nda => (RequestKind::Nda, Decider::Nda, ReaderEventKind::NdaAccepted),
            DocumentAccess::Approval => (
                RequestKind::Approval,
                Decider::Admin,
                ReaderEventKind::Approved,
            ),
        };
        let request = DocumentRequest {
            id: uuid::Uuid::new_v4(),
            doc_key: doc.key.to_string(),
            kind,
            name: "Riley Reader".into(),
            email: DEMO_READER.into(),
            company: "Customer Example Ltd".into(),
            nda_version: (kind == RequestKind::Nda).then(|| nda.clone().unwrap_or_default()),
            reason: "Annual vendor review".into(),
            status: RequestStatus::Granted,
            created_at: asked,
            decided_at: Some(asked),
            expires_at: Some(until),
            revoked_at: None,
            batch_id: Some(batch),
            decided_by: Some(decided_by),
            decision_note: None,
            locale: "en".into(),
        };
        for kind in [ReaderEventKind::Requested, line] {
            events.push(ReaderEvent::new(
                asked,
                DEMO_READER,
                &request.doc_key,
                Some(request.id),
                kind,
                "demo",
            ));
        }
        requests.push(request);
    }
    store
        .insert_reader_requests(scope, &requests, &events, &[])
        .await?;
    Ok(())
}

/// A sign-in link for the demo's reader, printed at each start (a demo has
/// no mail to send it by). Standard output, never the log.
async fn demo_reader_link(store: &SharedStore, scope: &OrgScope) -> Result<()> {
    if store
        .requests_by_email(scope, DEMO_READER)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let secret = candor_web::auth::new_secret()?;
    store
        .insert_reader_token(
            scope,
            &candor_web::auth::secret_hash(&secret),
            DEMO_READER,
            candor_store::readers::ReaderTokenKind::Link,
            time::OffsetDateTime::now_utc() + time::Duration::days(1),
        )
        .await?;
    println!(
        "demo reader sign-in: /{}/reader/signin?token={secret} ({DEMO_READER}; works once, for a day)",
        scope.slug()
    );
    Ok(())
}

/// A changelog entry from three weeks ago with its advisory: the SDK's fix
/// (versions, a CVE) for Quillfeather, a service fix for Harborlight.
fn demo_advisory(
    slug: &str,
    now: time::OffsetDateTime,
) -> Result<candor_domain::model::ChangelogEntry> {
    let day = now.date() - time::Duration::days(21);
    let year = day.year();
    let entry = match slug {
        "harborlight" => serde_json::json!({
            "date": day.to_string(),
            "category": "security",
            "title": "Appointment details visible to another clinic's staff",
            "detail": "A missing check let staff of one clinic open an appointment of another clinic by its number. We found it in our own review; no access was recorded.",
            "advisory": {
                "id": format!("HL-{year}-001"),
                "product": "Harborlight clinic dashboard",
                "cvss": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
                "remediation": format!("Fixed in the service on {day}; clinics need do nothing."),
            },
        }),
        _ => serde_json::json!({
            "date": day.to_string(),
            "category": "security",
            "title": "Cross-site scripting in the JavaScript SDK's debug panel",
            "detail": "The SDK's debug panel printed event names without escaping them, so a crafted event name could run script on a page that had the panel open.",
            "advisory": {
                "id": format!("QF-{year}-001"),
                "product": "Quillfeather JavaScript SDK",
                "affected": ">=4.0.0|<4.12.0",
                "fixed": "4.12.0",
                "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
                "remediation": "Upgrade the SDK to 4.12.0 or later; the debug panel is off in production builds.",
            },
        }),
    };
    serde_json::from_value(entry).context("the demo advisory")
}

/// A resolved incident from six weeks ago: confirmed, customers told, fixed,
/// and the review published within the org's commitments (times relative to
/// `now`, so the demo never goes stale).
fn demo_incident(slug: &str, now: time::OffsetDateTime) -> Result<Incident> {
    let confirmed = now - time::Duration::days(45);
    let at = |minutes: i64| Moment::at(confirmed + time::Duration::minutes(minutes));
    let (title, components, first, fix, review) = match slug {
        "harborlight" => (
            "Appointment reminders sent twice",
            vec!["Reminder service"],
            "Some patients received the same appointment reminder twice. No other \
             clinic's data was exposed. We have paused reminders while we investigate.",
            "A retry after a queue failover re-sent reminders that had already gone out. \
             Reminders are running again with duplicate suppression.",
            "A failover of the reminder queue replayed 2,140 messages that had already \
             been delivered. Deliveries are now keyed by appointment and day, so a replay \
             cannot send a reminder twice, and failovers are rehearsed monthly.",
        ),
        _ => (
            "Delayed dashboard data in the EU region",
            vec!["Ingestion pipeline", "Dashboards"],
            "Events sent to the EU region are being accepted but appear on dashboards \
             up to 40 minutes late. No data has been lost.",
            "A full disk on one ingestion node slowed processing. The node was replaced \
             and the backlog has been processed; dashboards are current.",
            "An ingestion node ran out of disk because log rotation had been disabled \
             during a migration. We now alert at 70 % disk use on every node and check \
             rotation settings in the deployment pipeline.",
        ),
    };
    let text = |s: &str| s.parse::<Text>().map_err(anyhow::Error::msg);
    Ok(Incident {
        key: "first-incident".parse().map_err(anyhow::Error::msg)?,
        title: text(title)?,
        severity: IncidentSeverity::Major,
        material: true,
        confirmed_at: at(0),
        components: components.into_iter().map(text).collect::<Result<_>>()?,
        regions: vec![],
        updates: vec![
            IncidentUpdate {
                status: IncidentStatus::Investigating,
                body: text(first)?,
                published_at: Some(at(35)),
            },
            IncidentUpdate {
                status: IncidentStatus::Resolved,
                body: text(fix)?,
                published_at: Some(at(190)),
            },
        ],
        resolved_at: Some(at(170)),
        review: Some(IncidentReview {
            summary: text(review)?,
            document: None,
            published_at: Some(at(4 * 24 * 60)),
        }),
    })
}

/// A customer's questionnaire answered from the published revision and partly
/// reviewed (the first answers accepted), so the review queue has something in it.
async fn demo_questionnaire(
    store: &SharedStore,
    scope: &OrgScope,
    master: &MasterKey,
) -> Result<()> {
    use candor_app::review::{self, Decide, Decision};
    let filename = "acme-security-review.xlsx";
    let questionnaire =
        candor_questionnaire::sheet::read(filename, candor_demo::QUESTIONNAIRE_XLSX)?;
    let actor = candor_app::members::Actor {
        scope,
        role: Role::Owner,
        name: ACTOR,
        person: None,
    };
    let upload = review::Upload {
        filename,
        bytes: candor_demo::QUESTIONNAIRE_XLSX,
        questionnaire: &questionnaire,
    };
    let id = review::start(
        &**store,
        Some(master),
        &actor,
        &upload,
        false,
        candor_questionnaire::Audience::Customer,
    )
    .await?;
    let opened = review::get(&**store, Some(master), scope, id).await?;
    let drafted = opened
        .review
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.drafted.draft.verdict.is_some())
        .map(|(index, _)| index);
    for (version, index) in (opened.stored.version..).zip(drafted.take(2)) {
        let decide = Decide {
            version,
            index,
            decision: Decision::Accepted,
            verdict: None,
            explanation: String::new(),
        };
        review::decide(&**store, Some(master), &actor, id, &decide).await?;
    }
    Ok(())
}

/// An owner and a viewer per demo org, so that both the editing path and a
/// refusal can be tried. Passwords are random and printed once, when created.
async fn demo_accounts(store: &SharedStore, scope: &OrgScope) -> Result<()> {
    for (role, who) in [(Role::Owner, "owner"), (Role::Viewer, "viewer")] {
        let email = format!("{who}@{}.example", scope.slug());
        let password = candor_web::auth::new_secret()?[..20].to_owned();
        let hash = candor_web::auth::hash_password(&password)?;
        match add_account(&**store, ACTOR, &email, &hash, Some((scope, role))).await {
            Ok(_) => {}
            Err(AddAccountError::Exists) => continue,
            Err(e) => return Err(e.into()),
        }
        // Standard output, not the log stream: logs never carry credentials.
        println!(
            "demo sign-in at /admin/login: {email} / {password} ({})",
            role.as_str()
        );
    }
    Ok(())
}

/// A placeholder file for each demo document, so every download path works:
/// text for public ones, a PDF for gated ones (so a reader who accepts the NDA
/// downloads it watermarked with their details).
async fn demo_files(
    store: &SharedStore,
    scope: &OrgScope,
    master: &MasterKey,
    content: &TrustCenter,
) -> Result<()> {
    for doc in &content.documents {
        let text = format!(
            "Demo placeholder for \"{}\"{} of {}.\n\
             In a real trust center the owner uploads the actual document; Candor stores it encrypted.\n",
            doc.title,
            doc.version
                .as_ref()
                .map(|v| format!(" (version {v})"))
                .unwrap_or_default(),
            content.profile.name
        );
        let (bytes, filename, content_type) = match doc.access {
            DocumentAccess::Public => (
                text.into_bytes(),
                format!("{}.txt", doc.key),
                "text/plain; charset=utf-8",
            ),
            _ => (
                candor_watermark::sample_pdf(
                    &format!(
                        "{} - {} (demo placeholder)",
                        doc.title, content.profile.name
                    ),
                    4,
                ),
                format!("{}.pdf", doc.key),
                "application/pdf",
            ),
        };
        let id = uuid::Uuid::new_v4();
        let (key_version, sealed) = candor_store::documents::seal_file(
            &**store,
            scope,
            master,
            doc.key.as_str(),
            id,
            &bytes,
        )
        .await?;
        let file = candor_store::documents::DocumentFile {
            id,
            doc_key: doc.key.to_string(),
            filename,
            content_type: content_type.into(),
            size: bytes.len() as u64,
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
            key_version,
            uploaded_at: time::OffsetDateTime::now_utc(),
        };
        let event = AuditEvent::new(
            ACTOR,
            AuditAction::DocumentUpload,
            format!("document:{} file:{id} sha256:{}", doc.key, file.sha256),
            time::OffsetDateTime::now_utc(),
        );
        store
            .insert_document_file(scope, &file, &sealed, &event)
            .await?;
    }
    Ok(())
}
