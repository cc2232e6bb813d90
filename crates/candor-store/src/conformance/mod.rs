//! The behaviour every backend must show, run by each backend's test binary with
//! [`conformance_tests!`](crate::conformance_tests). Written once so that SQLite and
//! PostgreSQL cannot drift apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use candor_domain::audit::AuditEvent;
use candor_domain::{OrgSlug, TrustCenter};
use time::OffsetDateTime;

use crate::{OrgScope, Store, create_org};

/// Generates one `#[tokio::test]` per conformance case. `$make` is an async
/// expression yielding a fresh `Arc<dyn Store>`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@cases $make;
            orgs_are_unique_by_slug,
            drafts_round_trip_and_overwrite,
            revisions_are_numbered_hashed_and_retrievable,
            publish_skips_an_unchanged_draft,
            orgs_cannot_see_each_others_data,
            concurrent_publishes_get_distinct_numbers,
            unicode_survives_storage,
            publishing_records_an_audit_entry,
            audit_logs_chain_per_org_even_under_concurrency,
            users_sessions_expire_and_can_be_revoked_everywhere,
            memberships_belong_to_one_org_and_are_listed_for_their_user,
            members_are_removed_or_changed_but_an_org_keeps_an_owner,
            concurrent_owner_demotions_leave_an_owner,
            passwords_change_and_accounts_are_deleted_only_without_memberships,
            open_invites_are_listed_and_revoked,
            api_tokens_are_per_org_revocable_and_audited,
            invites_are_per_org_used_once_and_grant_their_role,
            every_revision_is_in_the_transparency_log_with_provable_inclusion,
            log_keys_are_generated_once_sealed_and_signed_checkpoints_verify,
            the_audit_log_is_also_a_merkle_tree_with_its_own_signed_checkpoints,
            subscribers_confirm_once_unsubscribe_and_stay_in_their_org,
            announcements_queue_once_and_claims_are_leased,
            concurrent_workers_never_claim_the_same_delivery,
            documents_are_encrypted_per_org_and_survive_a_master_key_rotation,
            document_requests_grants_and_downloads_stay_in_their_org,
            vulnerability_reports_are_sealed_queued_and_acknowledged_once,
            personal_data_can_be_erased_per_person,
            a_persons_erasure_is_one_write_with_its_audit_entry,
            deleting_an_org_removes_all_of_it_and_nothing_else,
            hosts_are_claimed_per_org_and_evidence_remembers_when_failing_began,
            the_page_snapshot_agrees_with_the_reads_it_replaces,
            questionnaires_are_sealed_versioned_audited_and_stay_in_their_org,
            attempts_are_counted_per_bucket_and_window_exactly_under_concurrency,
            a_restored_log_holds_publishing_until_released_and_stays_in_its_org,
            orgs_that_publish_are_listed_for_page_caches,
            incident_updates_carry_their_revisions_time_and_stay_as_told,
            daily_counts_add_up_and_stay_in_their_org,
            reader_grants_expire_are_revoked_and_stay_in_their_org,
            reader_sign_in_links_work_once_and_sessions_expire,
            event_hooks_are_sealed_audited_and_stay_in_their_org,
            acme_certificates_are_shared_and_attempted_by_one_replica_at_a_time
        );
    };
    (@cases $make:expr; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let store: ::std::sync::Arc<dyn $crate::Store> = $make.await;
                $crate::conformance::$case(store).await;
            }
        )*
    };
}

mod accounts;
mod audit;
mod certificates;
mod content;
mod directory;
mod documents;
mod evidence;
mod members;
mod outbox;
mod privacy;
mod questionnaires;
mod readers;
mod reports;
mod transparency;

pub use accounts::{
    attempts_are_counted_per_bucket_and_window_exactly_under_concurrency,
    passwords_change_and_accounts_are_deleted_only_without_memberships,
    users_sessions_expire_and_can_be_revoked_everywhere,
};
pub use audit::{
    audit_logs_chain_per_org_even_under_concurrency, publishing_records_an_audit_entry,
    the_audit_log_is_also_a_merkle_tree_with_its_own_signed_checkpoints,
};
pub use certificates::acme_certificates_are_shared_and_attempted_by_one_replica_at_a_time;
pub use content::{
    concurrent_publishes_get_distinct_numbers, daily_counts_add_up_and_stay_in_their_org,
    drafts_round_trip_and_overwrite, incident_updates_carry_their_revisions_time_and_stay_as_told,
    orgs_cannot_see_each_others_data, publish_skips_an_unchanged_draft,
    revisions_are_numbered_hashed_and_retrievable, unicode_survives_storage,
};
pub use directory::{
    deleting_an_org_removes_all_of_it_and_nothing_else, orgs_are_unique_by_slug,
    orgs_that_publish_are_listed_for_page_caches,
};
pub use documents::{
    document_requests_grants_and_downloads_stay_in_their_org,
    documents_are_encrypted_per_org_and_survive_a_master_key_rotation,
};
pub use evidence::hosts_are_claimed_per_org_and_evidence_remembers_when_failing_began;
pub use members::{
    api_tokens_are_per_org_revocable_and_audited, concurrent_owner_demotions_leave_an_owner,
    invites_are_per_org_used_once_and_grant_their_role,
    members_are_removed_or_changed_but_an_org_keeps_an_owner,
    memberships_belong_to_one_org_and_are_listed_for_their_user,
    open_invites_are_listed_and_revoked,
};
pub use outbox::{
    LEGACY_MANAGE_TOKEN, announcements_queue_once_and_claims_are_leased,
    concurrent_workers_never_claim_the_same_delivery, legacy_token_still_works,
    subscriber_with_legacy_token, subscribers_confirm_once_unsubscribe_and_stay_in_their_org,
};
pub use privacy::{
    a_persons_erasure_is_one_write_with_its_audit_entry, personal_data_can_be_erased_per_person,
};
pub use questionnaires::questionnaires_are_sealed_versioned_audited_and_stay_in_their_org;
pub use readers::{
    event_hooks_are_sealed_audited_and_stay_in_their_org,
    reader_grants_expire_are_revoked_and_stay_in_their_org,
    reader_sign_in_links_work_once_and_sessions_expire,
};
pub use reports::vulnerability_reports_are_sealed_queued_and_acknowledged_once;
pub use transparency::{
    a_restored_log_holds_publishing_until_released_and_stays_in_its_org,
    every_revision_is_in_the_transparency_log_with_provable_inclusion,
    log_keys_are_generated_once_sealed_and_signed_checkpoints_verify,
    the_page_snapshot_agrees_with_the_reads_it_replaces,
};

const ACTOR: &str = "operator:test";

/// A realistic document to store: the demo trust center.
pub fn sample() -> TrustCenter {
    TrustCenter::from_yaml(include_str!("../../../candor-demo/quillfeather.yaml")).unwrap()
}

/// A slug no other test uses, so cases may share a database.
pub fn unique_slug(prefix: &str) -> OrgSlug {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", &suffix[..10]).parse().unwrap()
}

fn now() -> OffsetDateTime {
    // Whole seconds: some backends store microseconds, and equality must hold.
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap()
}

async fn new_org(store: &dyn Store, prefix: &str) -> OrgScope {
    create_org(store, &unique_slug(prefix), "Example Org")
        .await
        .unwrap()
}

/// An audit event recorded by the test operator ([`ACTOR`]).
fn audit_event(action: &str, target: impl Into<String>, at: OffsetDateTime) -> AuditEvent {
    AuditEvent {
        actor: ACTOR.into(),
        action: action.into(),
        target: target.into(),
        at,
    }
}

fn event(action: &str, n: usize) -> AuditEvent {
    audit_event(action, format!("thing:{n}"), OffsetDateTime::now_utc())
}

fn unique_email(prefix: &str) -> String {
    format!(
        "{prefix}-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

fn member_event(action: &str, user: uuid::Uuid) -> AuditEvent {
    audit_event(action, format!("user:{user}"), OffsetDateTime::now_utc())
}

fn subscribe_request(address: &str, confirm_hash: &str) -> crate::outbox::SubscribeRequest {
    crate::outbox::SubscribeRequest {
        channel: crate::outbox::Channel::Email,
        address: address.into(),
        topics: crate::outbox::Topics::All,
        confirm_hash: confirm_hash.into(),
        confirm_expires_at: now() + time::Duration::days(7),
        manage_salt: uuid::Uuid::new_v4().simple().to_string(),
        webhook_secret: None,
        locale: "fr".into(),
    }
}

fn mail(text: &str) -> crate::outbox::NewDelivery {
    crate::outbox::NewDelivery {
        id: uuid::Uuid::new_v4(),
        subscriber_id: None,
        channel: crate::outbox::Channel::Email,
        message: text.into(),
    }
}
