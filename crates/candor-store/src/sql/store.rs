//! [`Store`] for every [`SqlBackend`]: each method is the one function of its
//! area that implements it, so both backends run the same code.

use std::collections::HashMap;

use async_trait::async_trait;
use candor_domain::audit::{AuditEntry, AuditEvent};
use candor_domain::policy::Role;
use candor_domain::{OrgSlug, Revision, TrustCenter};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::documents::{
    DocumentFile, DocumentRequest, DownloadGrant, DownloadRecord, SealedItem, StoredFile,
    StoredReport,
};
use crate::outbox::{
    Delivery, DeliveryResult, NewDelivery, Objection, OutboxStats, SubscribeOutcome,
    SubscribeRequest, Subscriber,
};
use crate::sql::{
    SqlBackend, accounts, audit, content, directory, documents, evidence, outbox, reports,
};
use crate::{
    ApiToken, AuditLog, Credentials, Draft, Invite, Member, MembershipChange, MembershipOutcome,
    Org, OrgScope, Result, RevisionSummary, Store, User, keys,
};

#[async_trait]
impl<B: SqlBackend> Store for B {
    fn backend(&self) -> &'static str {
        B::NAME
    }

    async fn ping(&self) -> Result<()> {
        directory::ping(self).await
    }

    async fn insert_org(&self, slug: &OrgSlug, name: &str) -> Result<Org> {
        directory::insert_org(self, slug, name).await
    }

    async fn org_by_slug(&self, slug: &OrgSlug) -> Result<Option<Org>> {
        directory::org_by_slug(self, slug).await
    }

    async fn list_orgs(&self) -> Result<Vec<Org>> {
        directory::list_orgs(self).await
    }

    async fn set_org_host(&self, slug: &OrgSlug, host: Option<&str>) -> Result<()> {
        directory::set_org_host(self, slug, host).await
    }

    async fn org_by_host(&self, host: &str) -> Result<Option<Org>> {
        directory::org_by_host(self, host).await
    }

    async fn draft(&self, scope: &OrgScope) -> Result<Option<Draft>> {
        content::draft(self, scope).await
    }

    async fn save_draft(&self, scope: &OrgScope, content: &TrustCenter) -> Result<()> {
        content::save_draft(self, scope, content).await
    }

    async fn insert_revision(
        &self,
        scope: &OrgScope,
        content: &TrustCenter,
        published_at: OffsetDateTime,
        actor: &str,
    ) -> Result<Revision> {
        content::insert_revision(self, scope, content, published_at, actor).await
    }

    async fn latest_revision(&self, scope: &OrgScope) -> Result<Option<Revision>> {
        content::latest_revision(self, scope).await
    }

    async fn latest_revision_summary(&self, scope: &OrgScope) -> Result<Option<RevisionSummary>> {
        content::latest_revision_summary(self, scope).await
    }

    async fn revision(&self, scope: &OrgScope, number: u64) -> Result<Option<Revision>> {
        content::revision(self, scope, number).await
    }

    async fn revisions(&self, scope: &OrgScope) -> Result<Vec<RevisionSummary>> {
        content::revisions(self, scope).await
    }

    async fn append_audit(&self, scope: &OrgScope, event: &AuditEvent) -> Result<AuditEntry> {
        audit::append_audit(self, scope, event).await
    }

    async fn audit_log(&self, scope: &OrgScope) -> Result<AuditLog> {
        audit::audit_log(self, scope).await
    }

    async fn insert_user(&self, email: &str, password_hash: &str) -> Result<User> {
        accounts::insert_user(self, email, password_hash).await
    }

    async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>> {
        accounts::credentials_by_email(self, email).await
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        accounts::insert_session(self, token_hash, user_id, expires_at).await
    }

    async fn session_user(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<User>> {
        accounts::session_user(self, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        accounts::delete_session(self, token_hash).await
    }

    async fn delete_user_sessions(&self, user_id: Uuid) -> Result<u64> {
        accounts::delete_user_sessions(self, user_id).await
    }

    async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<()> {
        accounts::set_password(self, user_id, password_hash, keep).await
    }

    async fn delete_user(&self, user_id: Uuid) -> Result<()> {
        accounts::delete_user(self, user_id).await
    }

    async fn memberships_of(&self, user_id: Uuid) -> Result<Vec<(Org, Role)>> {
        accounts::memberships_of(self, user_id).await
    }

    async fn member_role(&self, scope: &OrgScope, user_id: Uuid) -> Result<Option<Role>> {
        accounts::member_role(self, scope, user_id).await
    }

    async fn members(&self, scope: &OrgScope) -> Result<Vec<Member>> {
        accounts::members(self, scope).await
    }

    async fn set_member_role(
        &self,
        scope: &OrgScope,
        user_id: Uuid,
        role: Role,
        audit: &AuditEvent,
    ) -> Result<()> {
        accounts::set_member_role(self, scope, user_id, role, audit).await
    }

    async fn change_membership(
        &self,
        scope: &OrgScope,
        user_id: Uuid,
        change: MembershipChange,
        audit: &AuditEvent,
    ) -> Result<MembershipOutcome> {
        accounts::change_membership(self, scope, user_id, change, audit).await
    }

    async fn insert_token(
        &self,
        scope: &OrgScope,
        name: &str,
        role: Role,
        token_hash: &str,
        expires_at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<ApiToken> {
        accounts::insert_token(self, scope, name, role, token_hash, expires_at, audit).await
    }

    async fn token_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<ApiToken>> {
        accounts::token_by_hash(self, scope, token_hash).await
    }

    async fn tokens(&self, scope: &OrgScope) -> Result<Vec<ApiToken>> {
        accounts::tokens(self, scope).await
    }

    async fn revoke_token(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        accounts::revoke_token(self, scope, id, at, audit).await
    }

    async fn insert_invite(
        &self,
        scope: &OrgScope,
        email: &str,
        role: Role,
        token_hash: &str,
        expires_at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Invite> {
        accounts::insert_invite(self, scope, email, role, token_hash, expires_at, audit).await
    }

    async fn invite_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<Invite>> {
        accounts::invite_by_hash(self, scope, token_hash).await
    }

    async fn open_invites(&self, scope: &OrgScope, now: OffsetDateTime) -> Result<Vec<Invite>> {
        accounts::open_invites(self, scope, now).await
    }

    async fn revoke_invite(
        &self,
        scope: &OrgScope,
        invite_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        accounts::revoke_invite(self, scope, invite_id, at, audit).await
    }

    async fn accept_invite(
        &self,
        scope: &OrgScope,
        invite_id: Uuid,
        user_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        accounts::accept_invite(self, scope, invite_id, user_id, at, audit).await
    }

    async fn log_entry(&self, scope: &OrgScope, index: u64) -> Result<Option<Vec<u8>>> {
        content::log_entry(self, scope, index).await
    }

    async fn log_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>> {
        content::log_nodes(self, scope, nodes).await
    }

    async fn audit_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>> {
        audit::audit_nodes(self, scope, nodes).await
    }

    async fn org_secret(
        &self,
        scope: &OrgScope,
        purpose: &str,
    ) -> Result<Option<keys::SealedSecret>> {
        directory::org_secret(self, scope, purpose).await
    }

    async fn insert_org_secret(
        &self,
        scope: &OrgScope,
        purpose: &str,
        sealed: &keys::SealedSecret,
    ) -> Result<()> {
        directory::insert_org_secret(self, scope, purpose, sealed).await
    }

    async fn subscribe(
        &self,
        scope: &OrgScope,
        request: &SubscribeRequest,
        confirmation: &NewDelivery,
    ) -> Result<SubscribeOutcome> {
        outbox::subscribe(self, scope, request, confirmation).await
    }

    async fn confirm_subscriber(
        &self,
        scope: &OrgScope,
        confirm_hash: &str,
        at: OffsetDateTime,
    ) -> Result<Option<Subscriber>> {
        outbox::confirm_subscriber(self, scope, confirm_hash, at).await
    }

    async fn subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<Option<Subscriber>> {
        outbox::subscriber(self, scope, id).await
    }

    async fn subscriber_by_address(
        &self,
        scope: &OrgScope,
        channel: crate::outbox::Channel,
        address: &str,
    ) -> Result<Option<Subscriber>> {
        outbox::subscriber_by_address(self, scope, channel, address).await
    }

    async fn subscriber_by_manage_link(
        &self,
        scope: &OrgScope,
        lookup: &crate::outbox::ManageLookup,
    ) -> Result<Option<Subscriber>> {
        outbox::subscriber_by_manage_link(self, scope, lookup).await
    }

    async fn unsubscribe(&self, scope: &OrgScope, id: Uuid, at: OffsetDateTime) -> Result<bool> {
        outbox::unsubscribe(self, scope, id, at).await
    }

    async fn subscribers(&self, scope: &OrgScope) -> Result<Vec<Subscriber>> {
        outbox::subscribers(self, scope).await
    }

    async fn insert_objection(
        &self,
        scope: &OrgScope,
        subscriber_id: Uuid,
        subprocessor: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Objection> {
        outbox::insert_objection(self, scope, subscriber_id, subprocessor, reason, at).await
    }

    async fn objections(&self, scope: &OrgScope) -> Result<Vec<Objection>> {
        outbox::objections(self, scope).await
    }

    async fn unannounced_revisions(&self, scope: &OrgScope) -> Result<Vec<u64>> {
        outbox::unannounced_revisions(self, scope).await
    }

    async fn announce_revision(
        &self,
        scope: &OrgScope,
        revision: u64,
        deliveries: &[NewDelivery],
        at: OffsetDateTime,
    ) -> Result<bool> {
        outbox::announce_revision(self, scope, revision, deliveries, at).await
    }

    async fn enqueue(&self, scope: &OrgScope, deliveries: &[NewDelivery]) -> Result<()> {
        outbox::enqueue(self, scope, deliveries).await
    }

    async fn claim_deliveries(
        &self,
        scope: &OrgScope,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        outbox::claim_deliveries(self, scope, now, lease_until, limit).await
    }

    async fn finish_delivery(
        &self,
        scope: &OrgScope,
        id: Uuid,
        result: &DeliveryResult,
        at: OffsetDateTime,
    ) -> Result<()> {
        outbox::finish_delivery(self, scope, id, result, at).await
    }

    async fn outbox_stats(&self, scope: &OrgScope) -> Result<OutboxStats> {
        outbox::outbox_stats(self, scope).await
    }

    async fn data_keys(&self, scope: &OrgScope) -> Result<Vec<(u32, keys::SealedSecret)>> {
        documents::data_keys(self, scope).await
    }

    async fn insert_data_key(
        &self,
        scope: &OrgScope,
        version: u32,
        sealed: &keys::SealedSecret,
    ) -> Result<()> {
        documents::insert_data_key(self, scope, version, sealed).await
    }

    async fn insert_document_file(
        &self,
        scope: &OrgScope,
        file: &DocumentFile,
        sealed: &keys::SealedSecret,
        audit: &AuditEvent,
    ) -> Result<()> {
        documents::insert_document_file(self, scope, file, sealed, audit).await
    }

    async fn document_file(&self, scope: &OrgScope, doc_key: &str) -> Result<Option<StoredFile>> {
        documents::document_file(self, scope, doc_key).await
    }

    async fn document_files(&self, scope: &OrgScope) -> Result<Vec<DocumentFile>> {
        documents::document_files(self, scope).await
    }

    async fn insert_document_request(
        &self,
        scope: &OrgScope,
        request: &DocumentRequest,
    ) -> Result<()> {
        documents::insert_document_request(self, scope, request).await
    }

    async fn document_requests(&self, scope: &OrgScope) -> Result<Vec<DocumentRequest>> {
        documents::document_requests(self, scope).await
    }

    async fn document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
    ) -> Result<Option<DocumentRequest>> {
        documents::document_request(self, scope, id).await
    }

    async fn decide_document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
        grant: bool,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Option<DocumentRequest>> {
        documents::decide_document_request(self, scope, id, grant, at, audit).await
    }

    async fn insert_download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
        grant: &DownloadGrant,
    ) -> Result<()> {
        documents::insert_download_grant(self, scope, token_hash, grant).await
    }

    async fn download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
    ) -> Result<Option<DownloadGrant>> {
        documents::download_grant(self, scope, token_hash).await
    }

    async fn record_download(&self, scope: &OrgScope, record: &DownloadRecord) -> Result<()> {
        documents::record_download(self, scope, record).await
    }

    async fn downloads(&self, scope: &OrgScope) -> Result<Vec<DownloadRecord>> {
        documents::downloads(self, scope).await
    }

    async fn insert_report(
        &self,
        scope: &OrgScope,
        report: &StoredReport,
        notify: Option<&NewDelivery>,
    ) -> Result<()> {
        reports::insert_report(self, scope, report, notify).await
    }

    async fn reports(&self, scope: &OrgScope) -> Result<Vec<StoredReport>> {
        reports::reports(self, scope).await
    }

    async fn acknowledge_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        reports::acknowledge_report(self, scope, id, at, audit).await
    }

    async fn reseal_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        key_version: u32,
        sealed: &keys::SealedSecret,
    ) -> Result<bool> {
        reports::reseal_report(self, scope, id, key_version, sealed).await
    }

    async fn erase_subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<bool> {
        outbox::erase_subscriber(self, scope, id).await
    }

    async fn erase_document_requests(&self, scope: &OrgScope, email: &str) -> Result<u64> {
        documents::erase_document_requests(self, scope, email).await
    }

    async fn erase_person(
        &self,
        scope: &OrgScope,
        erasure: &crate::privacy::PersonErasure,
    ) -> Result<crate::privacy::ErasedCounts> {
        crate::sql::privacy::erase_person(self, scope, erasure).await
    }

    async fn delete_org(&self, scope: OrgScope) -> Result<()> {
        self.erase_org(scope).await
    }

    async fn claim_host(
        &self,
        scope: &OrgScope,
        host: &str,
        token: &str,
        at: OffsetDateTime,
    ) -> Result<crate::evidence::HostClaim> {
        evidence::claim_host(self, scope, host, token, at).await
    }

    async fn host_claims(&self, scope: &OrgScope) -> Result<Vec<crate::evidence::HostClaim>> {
        evidence::host_claims(self, scope).await
    }

    async fn mark_host_verified(
        &self,
        scope: &OrgScope,
        host: &str,
        at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        evidence::mark_host_verified(self, scope, host, at).await
    }

    async fn record_evidence(
        &self,
        scope: &OrgScope,
        record: &crate::evidence::EvidenceRecord,
    ) -> Result<crate::evidence::EvidenceRecord> {
        evidence::record_evidence(self, scope, record).await
    }

    async fn evidence(&self, scope: &OrgScope) -> Result<Vec<crate::evidence::EvidenceRecord>> {
        evidence::evidence(self, scope).await
    }

    async fn sealed_items(&self, scope: &OrgScope) -> Result<Vec<SealedItem>> {
        documents::sealed_items(self, scope).await
    }

    async fn replace_sealed_items(&self, scope: &OrgScope, items: &[SealedItem]) -> Result<()> {
        documents::replace_sealed_items(self, scope, items).await
    }
}
