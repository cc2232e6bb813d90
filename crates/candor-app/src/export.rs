//! Exports: one person's data (GDPR Art. 15) and the whole org as one archive
//! (`candor-org-export/1`). Each export is recorded in the audit log, the person
//! by pseudonym only.

use base64::Engine;
use candor_domain::audit::{AuditAction, AuditEvent};
use candor_store::documents::{DocumentRequest, StoredReport, open_file};
use candor_store::keys::MasterKey;
use candor_store::outbox::Subscriber;
use candor_store::privacy::subject_ref;
use candor_store::{OrgScope, Store, StoreError};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::reports::{ReportContent, opened_reports};

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn opt_time(t: Option<OffsetDateTime>) -> Value {
    t.map(|t| Value::String(rfc3339(t))).unwrap_or(Value::Null)
}

/// A document request as the API and exports show it.
pub fn request_json(r: &DocumentRequest) -> Value {
    json!({
        "id": r.id,
        "document": r.doc_key,
        "kind": r.kind.as_str(),
        "status": r.status.as_str(),
        "name": r.name,
        "email": r.email,
        "company": r.company,
        "nda_version": r.nda_version,
        "reason": r.reason,
        "created_at": rfc3339(r.created_at),
        "decided_at": r.decided_at.map(rfc3339),
        "decided_by": r.decided_by.map(|d| d.as_str()),
        "decision_note": r.decision_note,
        "expires_at": r.expires_at.map(rfc3339),
        "revoked_at": r.revoked_at.map(rfc3339),
        "grant": candor_store::readers::GrantState::of(r, time::OffsetDateTime::now_utc()).label(),
        "batch": r.batch_id,
    })
}

/// A line of a reader's history as the API and exports show it.
pub fn reader_event_json(e: &candor_store::readers::ReaderEvent) -> Value {
    json!({
        "at": rfc3339(e.at),
        "email": e.email,
        "document": (!e.doc_key.is_empty()).then_some(&e.doc_key),
        "request": e.request_id,
        "event": e.kind.as_str(),
        "detail": e.detail,
    })
}

fn report_json(r: &StoredReport, c: &ReportContent) -> Value {
    json!({
        "id": r.id,
        "received_at": rfc3339(r.received_at),
        "acknowledge_by": rfc3339(r.ack_due_at),
        "acknowledged_at": opt_time(r.acknowledged_at),
        "title": c.title,
        "details": c.details,
        "asset": c.asset,
        "name": c.name,
        "email": c.email,
    })
}

fn subscriber_json(s: &Subscriber) -> Value {
    json!({
        "channel": s.channel.as_str(),
        "address": s.address,
        "topics": s.topics.as_str(),
        "created_at": rfc3339(s.created_at),
        "confirmed_at": opt_time(s.confirmed_at),
        "unsubscribed_at": opt_time(s.unsubscribed_at),
    })
}

/// Everything the org holds about the person with this (normalised) address, as
/// JSON; records the export as `privacy.export` by `actor`.
pub async fn export_person(
    store: &dyn Store,
    scope: &OrgScope,
    master: Option<&MasterKey>,
    actor: &str,
    email: &str,
) -> Result<Value, StoreError> {
    let subscribers: Vec<_> = store
        .subscribers(scope)
        .await?
        .into_iter()
        .filter(|s| s.address == email)
        .collect();
    let objections: Vec<Value> = store
        .objections(scope)
        .await?
        .into_iter()
        .filter(|o| subscribers.iter().any(|s| s.id == o.subscriber_id))
        .map(|o| json!({"subprocessor": o.subprocessor, "reason": o.reason, "created_at": rfc3339(o.created_at)}))
        .collect();
    let requests: Vec<_> = store
        .document_requests(scope)
        .await?
        .into_iter()
        .filter(|r| r.email == email)
        .collect();
    let downloads: Vec<Value> = store
        .downloads(scope)
        .await?
        .into_iter()
        .filter(|d| {
            d.request_id
                .is_some_and(|id| requests.iter().any(|r| r.id == id))
        })
        .map(|d| json!({"document": d.doc_key, "at": rfc3339(d.at)}))
        .collect();
    let filter = candor_store::readers::ReaderFilter {
        email: Some(email.to_owned()),
        doc_key: None,
    };
    let history = store.reader_events(scope, &filter, 10_000).await?;
    let reports: Vec<Value> = opened_reports(store, scope, master)
        .await?
        .iter()
        .filter(|(_, c)| c.email == email)
        .map(|(r, c)| report_json(r, c))
        .collect();
    let data = json!({
        "subject": email,
        "org": scope.slug().as_str(),
        "generated_at": rfc3339(OffsetDateTime::now_utc()),
        "subscriptions": subscribers.iter().map(subscriber_json).collect::<Vec<_>>(),
        "objections": objections,
        "document_requests": requests.iter().map(request_json).collect::<Vec<_>>(),
        "downloads": downloads,
        "reader_history": history.iter().map(reader_event_json).collect::<Vec<_>>(),
        "vulnerability_reports": reports,
    });
    let event = AuditEvent::new(
        actor,
        AuditAction::PrivacyExport,
        subject_ref(email),
        OffsetDateTime::now_utc(),
    );
    store.append_audit(scope, &event).await?;
    Ok(data)
}

/// Everything the org holds, as one archive: draft, revisions, members, audit log,
/// subscribers, objections, requests, downloads, decrypted files, reports and
/// questionnaires under review (with the customers' files). Records the export as `org.export` by `actor`.
pub async fn export_org(
    store: &dyn Store,
    scope: &OrgScope,
    master: Option<&MasterKey>,
    actor: &str,
) -> Result<Value, StoreError> {
    let org = store.org_by_slug(scope.slug()).await?.ok_or_else(|| {
        StoreError::Corrupt(format!("org {} is not in the directory", scope.slug()))
    })?;
    let mut revisions = Vec::new();
    for summary in store.revisions(scope).await?.iter().rev() {
        if let Some(r) = store.revision(scope, summary.number).await? {
            revisions.push(json!({
                "number": r.number,
                "content_hash": r.content_hash.to_string(),
                "published_at": rfc3339(r.published_at),
                "content": r.content,
            }));
        }
    }
    let draft = store.draft(scope).await?;
    let members = store.members(scope).await?;
    let audit = store.audit_log(scope).await?;
    let subscribers = store.subscribers(scope).await?;
    let objections = store.objections(scope).await?;
    let requests = store.document_requests(scope).await?;
    let downloads = store.downloads(scope).await?;
    let history = store
        .reader_events(scope, &Default::default(), u32::MAX)
        .await?;
    let policy = store.reader_policy(scope).await?;
    let hooks = store.event_hooks(scope).await?;
    let mut files = Vec::new();
    for f in store.document_files(scope).await? {
        let content = match (master, store.document_file(scope, &f.doc_key).await?) {
            (Some(master), Some(stored)) => Value::String(
                base64::engine::general_purpose::STANDARD
                    .encode(open_file(store, scope, master, &stored).await?),
            ),
            _ => Value::Null,
        };
        files.push(json!({
            "document": f.doc_key,
            "filename": f.filename,
            "content_type": f.content_type,
            "size": f.size,
            "sha256": f.sha256,
            "uploaded_at": rfc3339(f.uploaded_at),
            "content_base64": content,
        }));
    }
    let reports: Vec<Value> = opened_reports(store, scope, master)
        .await?
        .iter()
        .map(|(r, c)| report_json(r, c))
        .collect();
    let questionnaires = crate::review::archive(store, master, scope).await?;
    let archive = json!({
        "format": "candor-org-export/1",
        "exported_at": rfc3339(OffsetDateTime::now_utc()),
        "org": {"slug": org.slug.as_str(), "name": org.name, "created_at": rfc3339(org.created_at)},
        "draft": draft.map(|d| serde_json::to_value(d.content).unwrap_or(Value::Null)),
        "revisions": revisions,
        "members": members.iter().map(|m| json!({"email": m.user.email, "role": m.role.as_str()})).collect::<Vec<_>>(),
        "audit_log": audit.entries.iter().map(|e| json!({
            "seq": e.seq,
            "actor": e.event.actor,
            "action": e.event.action,
            "target": e.event.target,
            "at": rfc3339(e.event.at),
            "hash": hex::encode(e.hash),
        })).collect::<Vec<_>>(),
        "subscribers": subscribers.iter().map(subscriber_json).collect::<Vec<_>>(),
        "objections": objections.iter().map(|o| json!({
            "subprocessor": o.subprocessor, "address": o.address, "reason": o.reason, "created_at": rfc3339(o.created_at),
        })).collect::<Vec<_>>(),
        "document_requests": requests.iter().map(request_json).collect::<Vec<_>>(),
        "downloads": downloads.iter().map(|d| json!({
            "document": d.doc_key, "file": d.file_id, "request": d.request_id, "at": rfc3339(d.at),
        })).collect::<Vec<_>>(),
        "document_files": files,
        "reader_history": history.iter().map(reader_event_json).collect::<Vec<_>>(),
        "reader_policy": {
            "allow_domains": policy.allow_domains,
            "block_domains": policy.block_domains,
            "grant_days": policy.grant_days,
        },
        "event_endpoints": hooks.iter().map(|h| json!({
            "id": h.id, "url": h.url, "created_at": rfc3339(h.created_at),
        })).collect::<Vec<_>>(),
        "vulnerability_reports": reports,
        "questionnaires": questionnaires,
    });
    let event = AuditEvent::new(
        actor,
        AuditAction::OrgExport,
        format!("org:{}", org.slug),
        OffsetDateTime::now_utc(),
    );
    store.append_audit(scope, &event).await?;
    Ok(archive)
}

/// A subscriber's own data, as their manage link downloads it.
pub async fn export_subscription(
    store: &dyn Store,
    scope: &OrgScope,
    subscriber: &Subscriber,
) -> Result<Value, StoreError> {
    let objections: Vec<Value> = store
        .objections(scope)
        .await?
        .into_iter()
        .filter(|o| o.subscriber_id == subscriber.id)
        .map(|o| json!({"subprocessor": o.subprocessor, "reason": o.reason, "created_at": rfc3339(o.created_at)}))
        .collect();
    Ok(json!({
        "org": scope.slug().as_str(),
        "generated_at": rfc3339(OffsetDateTime::now_utc()),
        "subscription": subscriber_json(subscriber),
        "objections": objections,
    }))
}
