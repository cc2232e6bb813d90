//! Reader access: a reader asks once for one, several or all gated documents;
//! NDA documents are granted when the NDA is accepted, approval documents by
//! the org's allow-list or an admin, and the block-list denies everything.
//! Every grant expires; the request, each decision and the operator events it
//! raises are stored in one transaction.

use candor_domain::model::{DocumentAccess, DocumentMeta};
use candor_store::documents::{DocumentRequest, RequestKind, RequestStatus};
use candor_store::readers::{
    Decider, ListVerdict, ReaderEvent, ReaderEventKind, ReaderPolicy, day_of,
};
use candor_store::{OrgScope, Store};
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::compose::{self, Links, OperatorEvent};

/// Who asks, and why (checked by the front end).
#[derive(Clone, Debug)]
pub struct Requester {
    pub name: String,
    /// Lowercase.
    pub email: String,
    pub company: String,
    pub reason: String,
    /// The language they asked in (`en`, `de`, `fr`): their mails are in it.
    pub locale: String,
}

/// One form sent: who, for which documents (gated ones; public ones are
/// skipped), and the NDA version the reader accepted, if any (NDA documents
/// without one are not requested).
#[derive(Clone, Copy, Debug)]
pub struct ReaderRequest<'a> {
    pub requester: &'a Requester,
    pub documents: &'a [&'a DocumentMeta],
    pub nda_version: Option<&'a str>,
}

/// What one request form did: the stored requests, one per document.
#[derive(Clone, Debug)]
pub struct Requested {
    pub requests: Vec<DocumentRequest>,
}

impl Requested {
    fn with(&self, status: RequestStatus) -> impl Iterator<Item = &DocumentRequest> {
        self.requests.iter().filter(move |r| r.status == status)
    }
    pub fn granted(&self) -> impl Iterator<Item = &DocumentRequest> {
        self.with(RequestStatus::Granted)
    }
    pub fn pending(&self) -> impl Iterator<Item = &DocumentRequest> {
        self.with(RequestStatus::Pending)
    }
    pub fn denied(&self) -> impl Iterator<Item = &DocumentRequest> {
        self.with(RequestStatus::Denied)
    }
}

/// How long a grant made `now` for `days` lasts.
pub fn grant_until(now: OffsetDateTime, days: u16) -> OffsetDateTime {
    now + Duration::days(i64::from(days))
}

/// Records a reader's request, decided where the NDA or the org's lists
/// decide it, with the reader's history, the operator events and the reader's
/// mail, in one transaction.
pub async fn request_documents(
    store: &dyn Store,
    scope: &OrgScope,
    links: &Links,
    org_name: &str,
    form: &ReaderRequest<'_>,
    now: OffsetDateTime,
) -> candor_store::Result<Requested> {
    let ReaderRequest {
        requester,
        documents,
        nda_version,
    } = *form;
    let policy = store.reader_policy(scope).await?;
    let verdict = policy.verdict(&requester.email);
    let batch = Uuid::new_v4();
    let until = grant_until(now, policy.grant_days);
    let mut requests = Vec::new();
    let mut events = Vec::new();
    for doc in documents {
        let kind = match doc.access {
            DocumentAccess::Public => continue,
            DocumentAccess::Nda if nda_version.is_none() => continue,
            DocumentAccess::Nda => RequestKind::Nda,
            DocumentAccess::Approval => RequestKind::Approval,
        };
        let (status, decided_by) = match (verdict, kind) {
            (ListVerdict::Blocked, _) => (RequestStatus::Denied, Some(Decider::BlockList)),
            (_, RequestKind::Nda) => (RequestStatus::Granted, Some(Decider::Nda)),
            (ListVerdict::Allowed, _) => (RequestStatus::Granted, Some(Decider::AllowList)),
            (ListVerdict::Unlisted, _) => (RequestStatus::Pending, None),
        };
        let granted = status == RequestStatus::Granted;
        let request = DocumentRequest {
            id: Uuid::new_v4(),
            doc_key: doc.key.to_string(),
            kind,
            name: requester.name.clone(),
            email: requester.email.clone(),
            company: requester.company.clone(),
            nda_version: (kind == RequestKind::Nda)
                .then(|| nda_version.unwrap_or_default().to_owned()),
            reason: requester.reason.clone(),
            status,
            created_at: now,
            decided_at: decided_by.map(|_| now),
            expires_at: granted.then_some(until),
            revoked_at: None,
            batch_id: Some(batch),
            decided_by,
            decision_note: None,
            locale: requester.locale.clone(),
        };
        let line = |kind, detail: String| {
            ReaderEvent::new(
                now,
                &request.email,
                &request.doc_key,
                Some(request.id),
                kind,
                detail,
            )
        };
        events.push(line(ReaderEventKind::Requested, String::new()));
        match decided_by {
            Some(Decider::Nda) => events.push(line(
                ReaderEventKind::NdaAccepted,
                format!(
                    "NDA version {}, granted until {}",
                    nda_version.unwrap_or_default(),
                    day_of(until)
                ),
            )),
            Some(Decider::AllowList) => events.push(line(
                ReaderEventKind::Approved,
                format!("by the allow-list, until {}", day_of(until)),
            )),
            Some(Decider::BlockList) => {
                events.push(line(ReaderEventKind::Denied, "by the block-list".into()))
            }
            Some(Decider::Admin) | None => {}
        }
        requests.push(request);
    }
    let requested = Requested { requests };
    if requested.requests.is_empty() {
        return Ok(requested);
    }
    let hooks = store.event_hooks(scope).await?;
    let mut notify = operator_events(&hooks, links, requester, &requested, &policy, now);
    if let Some(mail) = reader_mail(links, org_name, requester, documents, &requested) {
        notify.push(mail);
    }
    store
        .insert_reader_requests(scope, &requested.requests, &events, &notify)
        .await?;
    Ok(requested)
}

fn operator_events(
    hooks: &[candor_store::readers::EventHook],
    links: &Links,
    requester: &Requester,
    requested: &Requested,
    policy: &ReaderPolicy,
    now: OffsetDateTime,
) -> Vec<candor_store::outbox::NewDelivery> {
    if hooks.is_empty() {
        return Vec::new();
    }
    let person = |documents: Vec<serde_json::Value>| {
        json!({
            "name": requester.name,
            "email": requester.email,
            "company": requester.company,
            "reason": requester.reason,
            "documents": documents,
            "grant_days": policy.grant_days,
            "admin_url": links.admin_documents(),
        })
    };
    let mut out = compose::operator_event(
        hooks,
        links,
        OperatorEvent::AccessRequested,
        person(
            requested
                .requests
                .iter()
                .map(|r| {
                    json!({
                        "request": r.id,
                        "document": r.doc_key,
                        "status": r.status.as_str(),
                        "decided_by": r.decided_by.map(Decider::as_str),
                    })
                })
                .collect(),
        ),
        now,
    );
    let accepted: Vec<_> = requested
        .granted()
        .filter(|r| r.kind == RequestKind::Nda)
        .map(|r| {
            json!({
                "request": r.id,
                "document": r.doc_key,
                "nda_version": r.nda_version,
            })
        })
        .collect();
    if !accepted.is_empty() {
        out.extend(compose::operator_event(
            hooks,
            links,
            OperatorEvent::NdaAccepted,
            person(accepted),
            now,
        ));
    }
    out
}

/// What the reader is told by mail: which documents they may read now and
/// where, and which were not approved. Pending ones get their mail when decided.
fn reader_mail(
    links: &Links,
    org_name: &str,
    requester: &Requester,
    documents: &[&DocumentMeta],
    requested: &Requested,
) -> Option<candor_store::outbox::NewDelivery> {
    let t = candor_i18n::Tr::new(&requester.locale);
    let title = |key: &str| {
        documents
            .iter()
            .find(|d| d.key.as_str() == key)
            .map(|d| d.title.in_locale(t.locale()).to_owned())
            .unwrap_or_else(|| key.to_owned())
    };
    let granted: Vec<String> = requested
        .granted()
        .map(|r| {
            let until = r.expires_at.map(day_of).unwrap_or_default();
            format!(
                "- {} ({})",
                title(&r.doc_key),
                t.t1("until-date", "date", until)
            )
        })
        .collect();
    let denied: Vec<String> = requested
        .denied()
        .map(|r| format!("- {}", title(&r.doc_key)))
        .collect();
    if granted.is_empty() && denied.is_empty() {
        return None;
    }
    let mut args = candor_i18n::Args::new();
    args.set("org", org_name.to_owned());
    args.set("reader", links.reader());
    let mut text = String::new();
    if !granted.is_empty() {
        args.set("documents", granted.join("\n"));
        text.push_str(&t.args("mail-granted", &args));
        text.push('\n');
    }
    if !denied.is_empty() {
        args.set("documents", denied.join("\n"));
        text.push('\n');
        text.push_str(&t.args("mail-denied", &args));
        text.push('\n');
    }
    let pending = requested.pending().count();
    if pending > 0 {
        text.push('\n');
        text.push_str(&t.tn1("mail-pending", pending as u64, "org", org_name));
        text.push('\n');
    }
    Some(compose::direct_email(
        &requester.email,
        t.t1("mail-request-subject", "org", org_name),
        text,
    ))
}

/// Why an event endpoint could not be added.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("url: {0}")]
    Target(#[from] crate::webhook::TargetError),
    #[error("url: this endpoint is already added")]
    Exists,
    #[error("this server has no master key to seal the signing secret with")]
    NoMasterKey,
    #[error("the random number generator failed")]
    Random,
    #[error(transparent)]
    Store(candor_store::StoreError),
}

/// Adds an endpoint for operator events: the URL checked like a subscriber's
/// webhook, a new Standard Webhooks secret sealed with the master key, and
/// the audit entry naming the endpoint's id (never its URL, which may hold a
/// token). Returns the endpoint and its secret, shown once.
pub async fn add_event_endpoint(
    store: &dyn Store,
    scope: &OrgScope,
    master: Option<&candor_store::keys::MasterKey>,
    url: &str,
    allow_private: bool,
    actor: &str,
) -> Result<(candor_store::readers::EventHook, String), EndpointError> {
    let url = crate::webhook::check_target(url.trim(), allow_private)?.to_string();
    let master = master.ok_or(EndpointError::NoMasterKey)?;
    if store
        .event_hooks(scope)
        .await
        .map_err(EndpointError::Store)?
        .iter()
        .any(|h| h.url == url)
    {
        return Err(EndpointError::Exists);
    }
    let secret = crate::webhook::new_secret().map_err(|_| EndpointError::Random)?;
    let sealed = master
        .seal(
            &candor_store::outbox::webhook_secret_purpose(&url),
            scope.org_id(),
            secret.as_bytes(),
        )
        .map_err(EndpointError::Store)?;
    let hook = candor_store::readers::EventHook {
        id: Uuid::new_v4(),
        url,
        secret: sealed,
        created_at: OffsetDateTime::now_utc(),
    };
    let audit = candor_domain::audit::AuditEvent::new(
        actor,
        candor_domain::audit::AuditAction::EventHookAdd,
        format!("event_endpoint:{}", hook.id),
        hook.created_at,
    );
    store
        .insert_event_hook(scope, &hook, &audit)
        .await
        .map_err(|e| match e {
            candor_store::StoreError::Conflict(_) => EndpointError::Exists,
            other => EndpointError::Store(other),
        })?;
    Ok((hook, secret))
}

/// Removes an endpoint (queued events to it are dropped); false if none had this id.
pub async fn remove_event_endpoint(
    store: &dyn Store,
    scope: &OrgScope,
    id: Uuid,
    actor: &str,
) -> candor_store::Result<bool> {
    let audit = candor_domain::audit::AuditEvent::new(
        actor,
        candor_domain::audit::AuditAction::EventHookRemove,
        format!("event_endpoint:{id}"),
        OffsetDateTime::now_utc(),
    );
    store.remove_event_hook(scope, id, &audit).await
}

/// Replaces the org's domain lists and default grant length, with its audit entry.
pub async fn set_policy(
    store: &dyn Store,
    scope: &OrgScope,
    policy: &ReaderPolicy,
    actor: &str,
) -> candor_store::Result<()> {
    let now = OffsetDateTime::now_utc();
    let audit = candor_domain::audit::AuditEvent::new(
        actor,
        candor_domain::audit::AuditAction::ReaderPolicySet,
        format!(
            "allow:{} block:{} days:{}",
            policy.allow_domains.len(),
            policy.block_domains.len(),
            policy.grant_days
        ),
        now,
    );
    store.set_reader_policy(scope, policy, now, &audit).await
}
