//! The behaviour every backend must show, run by each backend's test binary with
//! [`conformance_tests!`](crate::conformance_tests). Written once so that SQLite and
//! PostgreSQL cannot drift apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use candor_domain::{OrgSlug, TrustCenter};
use time::OffsetDateTime;

use candor_domain::audit::AuditEvent;
use candor_domain::policy::Role;

use crate::{
    MembershipChange, MembershipOutcome, OrgScope, PublishOutcome, Store, StoreError, create_org,
    publish_draft, scope_for, verify_audit,
};

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
            hosts_are_claimed_per_org_and_evidence_remembers_when_failing_began
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

const ACTOR: &str = "operator:test";

/// A realistic document to store: the demo trust center.
pub fn sample() -> TrustCenter {
    TrustCenter::from_yaml(include_str!("../../candor-demo/quillfeather.yaml")).unwrap()
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

pub async fn orgs_are_unique_by_slug(store: Arc<dyn Store>) {
    let slug = unique_slug("acme");
    let scope = create_org(&*store, &slug, "Acme").await.unwrap();
    let again = create_org(&*store, &slug, "Acme again").await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let found = scope_for(&*store, &slug).await.unwrap().unwrap();
    assert_eq!(found, scope);
    let org = store.org_by_slug(&slug).await.unwrap().unwrap();
    assert_eq!(org.name, "Acme");
    assert!(
        store
            .list_orgs()
            .await
            .unwrap()
            .iter()
            .any(|o| o.slug == slug)
    );
    assert!(
        scope_for(&*store, &unique_slug("missing"))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn drafts_round_trip_and_overwrite(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "drafts").await;
    assert!(store.draft(&scope).await.unwrap().is_none());
    let mut content = sample();
    store.save_draft(&scope, &content).await.unwrap();
    assert_eq!(store.draft(&scope).await.unwrap().unwrap().content, content);
    content.controls.truncate(3);
    store.save_draft(&scope, &content).await.unwrap();
    assert_eq!(store.draft(&scope).await.unwrap().unwrap().content, content);
}

pub async fn revisions_are_numbered_hashed_and_retrievable(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "revs").await;
    assert!(store.latest_revision(&scope).await.unwrap().is_none());
    let first = sample();
    let t1 = now();
    let r1 = store
        .insert_revision(&scope, &first, t1, ACTOR)
        .await
        .unwrap();
    assert_eq!(
        (r1.number, r1.content_hash, r1.published_at),
        (1, first.content_hash(), t1)
    );
    let mut second = first.clone();
    second.faq.pop();
    let r2 = store
        .insert_revision(&scope, &second, now(), ACTOR)
        .await
        .unwrap();
    assert_eq!(r2.number, 2);
    assert_eq!(store.latest_revision(&scope).await.unwrap().unwrap(), r2);
    assert_eq!(store.revision(&scope, 1).await.unwrap().unwrap(), r1);
    assert_eq!(
        store.revision(&scope, 1).await.unwrap().unwrap().content,
        first
    );
    assert!(store.revision(&scope, 3).await.unwrap().is_none());
    let summary = store
        .latest_revision_summary(&scope)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (summary.number, summary.content_hash),
        (2, second.content_hash())
    );
    let list: Vec<u64> = store
        .revisions(&scope)
        .await
        .unwrap()
        .iter()
        .map(|r| r.number)
        .collect();
    assert_eq!(list, vec![2, 1]);
}

pub async fn publish_skips_an_unchanged_draft(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "publish").await;
    assert!(matches!(
        publish_draft(&*store, &scope, now(), ACTOR).await.unwrap(),
        PublishOutcome::NoDraft
    ));
    let mut content = sample();
    store.save_draft(&scope, &content).await.unwrap();
    let PublishOutcome::Published { revision, changes } =
        publish_draft(&*store, &scope, now(), ACTOR).await.unwrap()
    else {
        panic!("first publish did not publish");
    };
    assert_eq!(revision.number, 1);
    assert!(
        changes.is_empty(),
        "a first revision has nothing to compare with"
    );
    assert!(matches!(
        publish_draft(&*store, &scope, now(), ACTOR).await.unwrap(),
        PublishOutcome::Unchanged { latest: 1 }
    ));
    content.roadmap.pop();
    store.save_draft(&scope, &content).await.unwrap();
    let PublishOutcome::Published { revision, changes } =
        publish_draft(&*store, &scope, now(), ACTOR).await.unwrap()
    else {
        panic!("changed draft did not publish");
    };
    assert_eq!(revision.number, 2);
    assert_eq!(changes.describe().len(), 1, "{:?}", changes.describe());
}

pub async fn orgs_cannot_see_each_others_data(store: Arc<dyn Store>) {
    let a = new_org(&*store, "tenant-a").await;
    let b = new_org(&*store, "tenant-b").await;
    let content = sample();
    store.save_draft(&a, &content).await.unwrap();
    store
        .insert_revision(&a, &content, now(), ACTOR)
        .await
        .unwrap();
    store
        .insert_revision(&a, &content, now(), ACTOR)
        .await
        .unwrap();

    assert!(store.draft(&b).await.unwrap().is_none());
    assert!(store.latest_revision(&b).await.unwrap().is_none());
    assert!(store.latest_revision_summary(&b).await.unwrap().is_none());
    assert!(store.revision(&b, 1).await.unwrap().is_none());
    assert!(store.revisions(&b).await.unwrap().is_empty());

    // B's numbering starts at 1 regardless of A's history, and B's writes leave A alone.
    let mut other = content.clone();
    other.promises.clear();
    let rb = store
        .insert_revision(&b, &other, now(), ACTOR)
        .await
        .unwrap();
    assert_eq!(rb.number, 1);
    store.save_draft(&b, &other).await.unwrap();
    assert_eq!(store.draft(&a).await.unwrap().unwrap().content, content);
    assert_eq!(store.latest_revision(&a).await.unwrap().unwrap().number, 2);
    assert_eq!(
        store.revision(&a, 1).await.unwrap().unwrap().content,
        content
    );
}

pub async fn concurrent_publishes_get_distinct_numbers(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "race").await;
    let content = sample();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, scope, content) = (store.clone(), scope.clone(), content.clone());
        tasks.push(tokio::spawn(async move {
            store
                .insert_revision(&scope, &content, now(), ACTOR)
                .await
                .unwrap()
                .number
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=8).collect::<Vec<u64>>());
}

pub async fn unicode_survives_storage(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "unicode").await;
    let mut content = sample();
    content.promises[0].title = "Wir verkaufen keine Daten — никогда — 決して 🚫"
        .parse()
        .unwrap();
    content.promises[0].body =
        "Quotes \" and \\ backslashes,\ttabs\nand 'single' quotes; DROP TABLE orgs;--"
            .parse()
            .unwrap();
    let r = store
        .insert_revision(&scope, &content, now(), ACTOR)
        .await
        .unwrap();
    let back = store.revision(&scope, r.number).await.unwrap().unwrap();
    assert_eq!(back.content, content);
    assert_eq!(back.content_hash, content.content_hash());
}

pub async fn publishing_records_an_audit_entry(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "audited").await;
    let mut content = sample();
    store.save_draft(&scope, &content).await.unwrap();
    publish_draft(&*store, &scope, now(), "user:alice-id")
        .await
        .unwrap();
    content.faq.pop();
    store.save_draft(&scope, &content).await.unwrap();
    publish_draft(&*store, &scope, now(), "user:bob-id")
        .await
        .unwrap();
    // An unchanged draft publishes nothing and records nothing.
    publish_draft(&*store, &scope, now(), "user:bob-id")
        .await
        .unwrap();
    let log = store.audit_log(&scope).await.unwrap();
    let seen: Vec<(u64, &str, &str, &str)> = log
        .entries
        .iter()
        .map(|e| {
            (
                e.seq,
                e.event.actor.as_str(),
                e.event.action.as_str(),
                e.event.target.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (1, "user:alice-id", "revision.publish", "revision:1"),
            (2, "user:bob-id", "revision.publish", "revision:2"),
        ]
    );
    assert_eq!(verify_audit(&*store, &scope).await.unwrap(), Ok(2));
}

fn event(action: &str, n: usize) -> AuditEvent {
    AuditEvent {
        actor: "operator:test".into(),
        action: action.into(),
        target: format!("thing:{n}"),
        at: OffsetDateTime::now_utc(),
    }
}

pub async fn audit_logs_chain_per_org_even_under_concurrency(store: Arc<dyn Store>) {
    let a = new_org(&*store, "audit-a").await;
    let b = new_org(&*store, "audit-b").await;
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(0));
    let mut tasks = Vec::new();
    for n in 0..8 {
        let (store, a) = (store.clone(), a.clone());
        tasks.push(tokio::spawn(async move {
            store
                .append_audit(&a, &event("settings.change", n))
                .await
                .unwrap()
                .seq
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=8).collect::<Vec<u64>>());
    let entry = store
        .append_audit(&b, &event("member.invite", 0))
        .await
        .unwrap();
    assert_eq!(entry.seq, 1, "each org has its own chain");
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(8));
    assert_eq!(verify_audit(&*store, &b).await.unwrap(), Ok(1));
    let b_log = store.audit_log(&b).await.unwrap();
    assert_eq!(b_log.entries.len(), 1);
    assert_eq!(b_log.entries[0].event.action, "member.invite");
    // What comes back is exactly what was hashed.
    assert_eq!(b_log.entries[0], entry);
}

fn unique_email(prefix: &str) -> String {
    format!(
        "{prefix}-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

pub async fn users_sessions_expire_and_can_be_revoked_everywhere(store: Arc<dyn Store>) {
    let email = unique_email("alice");
    let user = store
        .insert_user(&email, "$argon2id$placeholder")
        .await
        .unwrap();
    assert!(matches!(
        store.insert_user(&email, "x").await,
        Err(StoreError::Conflict(_))
    ));
    let creds = store.credentials_by_email(&email).await.unwrap().unwrap();
    assert_eq!(
        (creds.user.id, creds.password_hash.as_str()),
        (user.id, "$argon2id$placeholder")
    );
    assert!(
        store
            .credentials_by_email(&unique_email("nobody"))
            .await
            .unwrap()
            .is_none()
    );

    let now = OffsetDateTime::now_utc();
    let hour = time::Duration::hours(1);
    store
        .insert_session("session-a", user.id, now + hour)
        .await
        .unwrap();
    store
        .insert_session("session-b", user.id, now + hour)
        .await
        .unwrap();
    store
        .insert_session("session-old", user.id, now - hour)
        .await
        .unwrap();
    assert_eq!(
        store
            .session_user("session-a", now)
            .await
            .unwrap()
            .unwrap()
            .id,
        user.id
    );
    assert!(
        store
            .session_user("session-old", now)
            .await
            .unwrap()
            .is_none(),
        "expired sessions do not count"
    );
    assert!(
        store
            .session_user("session-a", now + hour * 2)
            .await
            .unwrap()
            .is_none()
    );
    store.delete_session("session-a").await.unwrap();
    assert!(
        store
            .session_user("session-a", now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_user("session-b", now)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.delete_user_sessions(user.id).await.unwrap(), 2);
    assert!(
        store
            .session_user("session-b", now)
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn memberships_belong_to_one_org_and_are_listed_for_their_user(store: Arc<dyn Store>) {
    let a = new_org(&*store, "members-a").await;
    let b = new_org(&*store, "members-b").await;
    let alice = store
        .insert_user(&unique_email("alice"), "h")
        .await
        .unwrap();
    let bob = store.insert_user(&unique_email("bob"), "h").await.unwrap();
    let audit = |target: &str| AuditEvent {
        actor: "operator:test".into(),
        action: "member.set_role".into(),
        target: target.into(),
        at: OffsetDateTime::now_utc(),
    };
    store
        .set_member_role(&a, alice.id, Role::Owner, &audit("user:alice"))
        .await
        .unwrap();
    store
        .set_member_role(&b, alice.id, Role::Viewer, &audit("user:alice"))
        .await
        .unwrap();
    store
        .set_member_role(&a, bob.id, Role::Editor, &audit("user:bob"))
        .await
        .unwrap();
    store
        .set_member_role(&a, bob.id, Role::Admin, &audit("user:bob"))
        .await
        .unwrap();

    assert_eq!(
        store.member_role(&a, alice.id).await.unwrap(),
        Some(Role::Owner)
    );
    assert_eq!(
        store.member_role(&b, alice.id).await.unwrap(),
        Some(Role::Viewer)
    );
    assert_eq!(
        store.member_role(&a, bob.id).await.unwrap(),
        Some(Role::Admin)
    );
    assert_eq!(
        store.member_role(&b, bob.id).await.unwrap(),
        None,
        "bob is not in B"
    );
    let in_b: Vec<_> = store
        .members(&b)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.user.id, m.role))
        .collect();
    assert_eq!(in_b, vec![(alice.id, Role::Viewer)]);
    let mut orgs: Vec<(String, Role)> = store
        .memberships_of(alice.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(o, r)| (o.slug.to_string(), r))
        .collect();
    orgs.sort();
    let mut expected = vec![
        (a.slug().to_string(), Role::Owner),
        (b.slug().to_string(), Role::Viewer),
    ];
    expected.sort();
    assert_eq!(orgs, expected);
    // Every change is in the org's audit log.
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(3));
    assert_eq!(verify_audit(&*store, &b).await.unwrap(), Ok(1));
}

pub async fn api_tokens_are_per_org_revocable_and_audited(store: Arc<dyn Store>) {
    let a = new_org(&*store, "tokens-a").await;
    let b = new_org(&*store, "tokens-b").await;
    let now = OffsetDateTime::now_utc();
    let audit = AuditEvent {
        actor: "operator:test".into(),
        action: "token.create".into(),
        target: "token".into(),
        at: now,
    };
    let token = store
        .insert_token(
            &a,
            "ci",
            Role::Editor,
            "hash-of-secret",
            now + time::Duration::days(30),
            &audit,
        )
        .await
        .unwrap();
    let found = store
        .token_by_hash(&a, "hash-of-secret")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, token);
    assert!(found.is_usable(now));
    assert!(!found.is_usable(now + time::Duration::days(31)), "expired");
    assert!(
        store
            .token_by_hash(&b, "hash-of-secret")
            .await
            .unwrap()
            .is_none(),
        "another org's token"
    );
    assert_eq!(store.tokens(&a).await.unwrap().len(), 1);
    assert!(store.tokens(&b).await.unwrap().is_empty());
    assert!(
        !store.revoke_token(&b, token.id, now, &audit).await.unwrap(),
        "B cannot revoke A's token"
    );
    assert!(store.revoke_token(&a, token.id, now, &audit).await.unwrap());
    assert!(
        !store.revoke_token(&a, token.id, now, &audit).await.unwrap(),
        "already revoked"
    );
    let revoked = store
        .token_by_hash(&a, "hash-of-secret")
        .await
        .unwrap()
        .unwrap();
    assert!(!revoked.is_usable(now));
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(2));
    assert_eq!(verify_audit(&*store, &b).await.unwrap(), Ok(0));
}

pub async fn invites_are_per_org_used_once_and_grant_their_role(store: Arc<dyn Store>) {
    let a = new_org(&*store, "invites-a").await;
    let b = new_org(&*store, "invites-b").await;
    let now = OffsetDateTime::now_utc();
    let event = |action: &str| AuditEvent {
        actor: "operator:test".into(),
        action: action.into(),
        target: "invite".into(),
        at: now,
    };
    let email = unique_email("carol");
    let expires = now + time::Duration::hours(72);
    let invite = store
        .insert_invite(
            &a,
            &email,
            Role::Editor,
            "invite-hash",
            expires,
            &event("member.invite"),
        )
        .await
        .unwrap();
    let found = store
        .invite_by_hash(&a, "invite-hash")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, invite);
    assert!(found.is_open(now));
    assert!(!found.is_open(now + time::Duration::hours(73)), "expired");
    assert!(
        store
            .invite_by_hash(&b, "invite-hash")
            .await
            .unwrap()
            .is_none(),
        "another org's invite"
    );
    let carol = store.insert_user(&email, "h").await.unwrap();
    let join = event("member.join");
    assert!(
        !store
            .accept_invite(&b, invite.id, carol.id, now, &join)
            .await
            .unwrap()
    );
    assert!(
        store
            .accept_invite(&a, invite.id, carol.id, now, &join)
            .await
            .unwrap()
    );
    assert_eq!(
        store.member_role(&a, carol.id).await.unwrap(),
        Some(Role::Editor)
    );
    assert!(
        !store
            .accept_invite(&a, invite.id, carol.id, now, &join)
            .await
            .unwrap(),
        "used once"
    );
    assert!(
        !store
            .invite_by_hash(&a, "invite-hash")
            .await
            .unwrap()
            .unwrap()
            .is_open(now)
    );
    assert_eq!(store.member_role(&b, carol.id).await.unwrap(), None);
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(2));
    assert_eq!(verify_audit(&*store, &b).await.unwrap(), Ok(0));
}

pub async fn every_revision_is_in_the_transparency_log_with_provable_inclusion(
    store: Arc<dyn Store>,
) {
    use crate::log::{log_consistency, log_inclusion, log_root, log_size};
    use candor_log::tree::{verify_consistency, verify_inclusion};
    let a = new_org(&*store, "log-a").await;
    let b = new_org(&*store, "log-b").await;
    let mut content = sample();
    let mut revisions = Vec::new();
    for i in 0..9 {
        content.promises[0].title = format!("Promise version {i}").parse().unwrap();
        revisions.push(
            store
                .insert_revision(&a, &content, now(), ACTOR)
                .await
                .unwrap(),
        );
    }
    store
        .insert_revision(&b, &content, now(), ACTOR)
        .await
        .unwrap();
    assert_eq!(log_size(&*store, &a).await.unwrap(), 9);
    assert_eq!(
        log_size(&*store, &b).await.unwrap(),
        1,
        "each org has its own log"
    );
    for (i, revision) in revisions.iter().enumerate() {
        let entry = store.log_entry(&a, i as u64).await.unwrap().unwrap();
        assert_eq!(
            entry,
            revision.log_entry(a.slug().as_str()),
            "entry {i} records revision {}",
            i + 1
        );
        let text = String::from_utf8(entry.clone()).unwrap();
        assert!(text.contains(&revision.content_hash.to_string()) && !text.contains("promises"));
        for size in (i as u64 + 1)..=9 {
            let p = log_inclusion(&*store, &a, i as u64, size).await.unwrap();
            assert_eq!(p.leaf, candor_log::leaf_hash(&entry));
            verify_inclusion(&p.leaf, i as u64, size, &p.proof, &p.root).unwrap();
        }
    }
    for old in 1..9u64 {
        let c = log_consistency(&*store, &a, old, 9).await.unwrap();
        assert_eq!(c.old_root, log_root(&*store, &a, old).await.unwrap());
        verify_consistency(old, 9, &c.old_root, &c.new_root, &c.proof).unwrap();
    }
    assert!(store.log_entry(&a, 9).await.unwrap().is_none());
    assert!(store.log_entry(&b, 1).await.unwrap().is_none());
    assert_ne!(
        log_root(&*store, &a, 1).await.unwrap(),
        log_root(&*store, &b, 1).await.unwrap()
    );
}

pub async fn log_keys_are_generated_once_sealed_and_signed_checkpoints_verify(
    store: Arc<dyn Store>,
) {
    use crate::keys::MasterKey;
    use crate::log::{LOG_KEY_PURPOSE, log_root, log_signer, signed_checkpoint};
    use candor_log::checkpoint::Checkpoint;
    use candor_log::note::NoteVerifier;
    let a = new_org(&*store, "keys-a").await;
    let b = new_org(&*store, "keys-b").await;
    let (master, _) = MasterKey::generate().unwrap();
    let origin = format!("trust.example.com/{}", a.slug());
    let first = log_signer(&*store, &a, &master, &origin).await.unwrap();
    let again = log_signer(&*store, &a, &master, &origin).await.unwrap();
    assert_eq!(
        first.verifier_key(),
        again.verifier_key(),
        "the key is made once"
    );
    let other = log_signer(
        &*store,
        &b,
        &master,
        &format!("trust.example.com/{}", b.slug()),
    )
    .await
    .unwrap();
    assert_ne!(
        first.verifier_key(),
        other.verifier_key(),
        "each org has its own key"
    );
    // What is stored is sealed: not the seed, and useless under another master key.
    let sealed = store
        .org_secret(&a, LOG_KEY_PURPOSE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sealed.ciphertext.len(), 32 + 16);
    let (wrong, _) = MasterKey::generate().unwrap();
    assert!(log_signer(&*store, &a, &wrong, &origin).await.is_err());

    store
        .insert_revision(&a, &sample(), now(), ACTOR)
        .await
        .unwrap();
    store
        .insert_revision(&a, &sample(), now(), ACTOR)
        .await
        .unwrap();
    let note = signed_checkpoint(&*store, &a, &first, &origin)
        .await
        .unwrap();
    let verifier = NoteVerifier::parse(&first.verifier_key()).unwrap();
    let checkpoint = Checkpoint::parse(verifier.open(&note).unwrap()).unwrap();
    assert_eq!(
        (checkpoint.origin.as_str(), checkpoint.size),
        (origin.as_str(), 2)
    );
    assert_eq!(checkpoint.root, log_root(&*store, &a, 2).await.unwrap());
    let b_verifier = NoteVerifier::parse(&other.verifier_key()).unwrap();
    assert!(
        b_verifier.open(&note).is_err(),
        "B's key does not vouch for A's log"
    );
}

pub async fn the_audit_log_is_also_a_merkle_tree_with_its_own_signed_checkpoints(
    store: Arc<dyn Store>,
) {
    use crate::keys::MasterKey;
    use crate::log::{audit_root, audit_signer, log_signer, signed_audit_checkpoint};
    use candor_log::checkpoint::Checkpoint;
    use candor_log::note::NoteVerifier;
    let a = new_org(&*store, "audit-tree").await;
    for n in 0..5 {
        store
            .append_audit(&a, &event("settings.change", n))
            .await
            .unwrap();
    }
    store
        .insert_revision(&a, &sample(), now(), ACTOR)
        .await
        .unwrap();
    let log = store.audit_log(&a).await.unwrap();
    let mut expected = candor_log::tree::MemoryTree::new();
    for e in &log.entries {
        expected.append(&candor_domain::audit::entry_bytes(
            e.seq,
            &e.prev_hash,
            &e.event,
        ));
    }
    for size in 1..=6u64 {
        assert_eq!(
            audit_root(&*store, &a, size).await.unwrap(),
            candor_log::tree::root(&expected, size).unwrap()
        );
    }
    let (master, _) = MasterKey::generate().unwrap();
    let origin = format!("trust.example.com/{}/audit", a.slug());
    let signer = audit_signer(&*store, &a, &master, &origin).await.unwrap();
    let public = log_signer(
        &*store,
        &a,
        &master,
        &format!("trust.example.com/{}", a.slug()),
    )
    .await
    .unwrap();
    let note = signed_audit_checkpoint(&*store, &a, &signer, &origin)
        .await
        .unwrap();
    let checkpoint = Checkpoint::parse(
        NoteVerifier::parse(&signer.verifier_key())
            .unwrap()
            .open(&note)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(checkpoint.size, 6);
    assert!(
        NoteVerifier::parse(&public.verifier_key())
            .unwrap()
            .open(&note)
            .is_err(),
        "a key of its own"
    );
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(6));
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

/// A manage token as stored before migration 14 (kept as it was, in the clear).
pub const LEGACY_MANAGE_TOKEN: &str =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A subscriber whose salt column holds [`LEGACY_MANAGE_TOKEN`]; a backend's test
/// then rewinds its schema to before migration 14 and reopens the store.
pub async fn subscriber_with_legacy_token(store: &dyn Store) -> OrgScope {
    let scope = new_org(store, "legacy").await;
    let mut request = subscribe_request("reader@example.com", "legacy");
    request.manage_salt = LEGACY_MANAGE_TOKEN.into();
    store
        .subscribe(&scope, &request, &mail("confirm"))
        .await
        .unwrap();
    scope
}

/// After the migration, the old token still finds its subscriber by its hash,
/// and the row has a fresh salt.
pub async fn legacy_token_still_works(store: &dyn Store, scope: &OrgScope) {
    let found = store
        .subscriber_by_manage_link(
            scope,
            &crate::outbox::ManageLookup::LegacyTokenHash(crate::outbox::legacy_token_hash(
                LEGACY_MANAGE_TOKEN,
            )),
        )
        .await
        .unwrap()
        .expect("the link in mails already sent still works");
    assert_eq!(found.address, "reader@example.com");
    assert_ne!(found.manage_salt, LEGACY_MANAGE_TOKEN, "a fresh salt");
}

pub async fn subscribers_confirm_once_unsubscribe_and_stay_in_their_org(store: Arc<dyn Store>) {
    use crate::outbox::{ManageLookup, SubscribeOutcome};
    let a = new_org(&*store, "subs-a").await;
    let b = new_org(&*store, "subs-b").await;
    let hash = uuid::Uuid::new_v4().simple().to_string();
    let SubscribeOutcome::Pending(id) = store
        .subscribe(
            &a,
            &subscribe_request("reader@example.com", &hash),
            &mail("confirm"),
        )
        .await
        .unwrap()
    else {
        panic!("a new address is pending");
    };
    let pending = store.subscriber(&a, id).await.unwrap().unwrap();
    assert!(!pending.is_active());
    assert_eq!(
        store
            .subscriber_by_address(&a, crate::outbox::Channel::Email, "reader@example.com")
            .await
            .unwrap(),
        Some(pending.clone())
    );
    assert!(
        store
            .subscriber_by_address(&b, crate::outbox::Channel::Email, "reader@example.com")
            .await
            .unwrap()
            .is_none()
    );
    // The confirmation was queued with the subscriber, in the same transaction.
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 1);
    // Sending the form again at once mails nothing more, and the first link still works.
    for _ in 0..3 {
        let other = uuid::Uuid::new_v4().simple().to_string();
        assert_eq!(
            store
                .subscribe(
                    &a,
                    &subscribe_request("reader@example.com", &other),
                    &mail("again")
                )
                .await
                .unwrap(),
            SubscribeOutcome::Pending(id)
        );
    }
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 1);
    // Another org cannot confirm, see or unsubscribe it.
    assert!(
        store
            .confirm_subscriber(&b, &hash, now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.subscriber(&b, id).await.unwrap().is_none());
    assert!(
        store
            .subscriber_by_manage_link(&b, &ManageLookup::Salt(pending.manage_salt.clone()))
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.unsubscribe(&b, id, now()).await.unwrap());
    assert!(store.subscribers(&b).await.unwrap().is_empty());
    assert_eq!(store.outbox_stats(&b).await.unwrap().pending, 0);
    // An expired confirmation does nothing; a live one confirms.
    assert!(
        store
            .confirm_subscriber(&a, &hash, now() + time::Duration::days(8))
            .await
            .unwrap()
            .is_none()
    );
    let active = store
        .confirm_subscriber(&a, &hash, now())
        .await
        .unwrap()
        .unwrap();
    assert!(active.is_active());
    // Subscribing an active address again changes nothing and queues nothing.
    assert_eq!(
        store
            .subscribe(
                &a,
                &subscribe_request("reader@example.com", "other"),
                &mail("again")
            )
            .await
            .unwrap(),
        SubscribeOutcome::AlreadyActive
    );
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 1);
    let by_token = store
        .subscriber_by_manage_link(&a, &ManageLookup::Salt(active.manage_salt.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_token.id, id);
    // A new subscriber has no token from before MACed links.
    assert!(
        store
            .subscriber_by_manage_link(
                &a,
                &ManageLookup::LegacyTokenHash(crate::outbox::legacy_token_hash(
                    &active.manage_salt
                ))
            )
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.unsubscribe(&a, id, now()).await.unwrap());
    assert!(!store.unsubscribe(&a, id, now()).await.unwrap());
    assert!(!store.subscriber(&a, id).await.unwrap().unwrap().is_active());
    // Coming back needs a new confirmation, and keeps the links of old mails working.
    let again = uuid::Uuid::new_v4().simple().to_string();
    assert_eq!(
        store
            .subscribe(
                &a,
                &subscribe_request("reader@example.com", &again),
                &mail("back")
            )
            .await
            .unwrap(),
        SubscribeOutcome::Pending(id)
    );
    let back = store
        .confirm_subscriber(&a, &again, now())
        .await
        .unwrap()
        .unwrap();
    assert!(back.is_active());
    assert_eq!(back.manage_salt, active.manage_salt);

    let objection = store
        .insert_objection(&a, id, "Mailgun", "Not in the EU", now())
        .await
        .unwrap();
    assert_eq!(objection.address, "reader@example.com");
    assert_eq!(store.objections(&a).await.unwrap(), vec![objection]);
    assert!(store.objections(&b).await.unwrap().is_empty());
    assert!(matches!(
        store.insert_objection(&b, id, "Mailgun", "x", now()).await,
        Err(StoreError::Conflict(_))
    ));
}

pub async fn announcements_queue_once_and_claims_are_leased(store: Arc<dyn Store>) {
    use crate::outbox::DeliveryResult;
    let a = new_org(&*store, "outbox-a").await;
    let b = new_org(&*store, "outbox-b").await;
    store.save_draft(&a, &sample()).await.unwrap();
    publish_draft(&*store, &a, now(), ACTOR).await.unwrap();
    assert_eq!(store.unannounced_revisions(&a).await.unwrap(), vec![1]);
    assert!(store.unannounced_revisions(&b).await.unwrap().is_empty());
    let batch: Vec<_> = (0..3).map(|i| mail(&format!("notice {i}"))).collect();
    assert!(store.announce_revision(&a, 1, &batch, now()).await.unwrap());
    // A second announcer (another replica) loses and queues nothing.
    assert!(
        !store
            .announce_revision(&a, 1, &batch[..1], now())
            .await
            .unwrap()
    );
    assert!(store.unannounced_revisions(&a).await.unwrap().is_empty());
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 3);

    let t0 = now();
    assert!(
        store
            .claim_deliveries(&b, t0, t0 + time::Duration::seconds(30), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let first = store
        .claim_deliveries(&a, t0, t0 + time::Duration::seconds(30), 2)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|d| d.attempts == 1));
    let rest = store
        .claim_deliveries(&a, t0, t0 + time::Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1, "claimed messages are not handed out twice");
    store
        .finish_delivery(&a, first[0].id, &DeliveryResult::Delivered, t0)
        .await
        .unwrap();
    store
        .finish_delivery(
            &a,
            first[1].id,
            &DeliveryResult::Retry {
                next_attempt_at: t0 + time::Duration::seconds(60),
                error: "421 try later".into(),
            },
            t0,
        )
        .await
        .unwrap();
    // `rest[0]`'s worker died: once its lease expires the message is due again.
    let later = t0 + time::Duration::seconds(31);
    let reclaimed = store
        .claim_deliveries(&a, later, later + time::Duration::seconds(300), 10)
        .await
        .unwrap();
    assert_eq!(
        reclaimed.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![rest[0].id]
    );
    assert_eq!(reclaimed[0].attempts, 2);
    assert_eq!(reclaimed[0].message, rest[0].message);
    let retry_time = t0 + time::Duration::seconds(61);
    let retried = store
        .claim_deliveries(&a, retry_time, retry_time + time::Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(
        retried.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![first[1].id]
    );
    store
        .finish_delivery(
            &a,
            retried[0].id,
            &DeliveryResult::Failed {
                error: "550".into(),
            },
            retry_time,
        )
        .await
        .unwrap();
    // Another org's id does nothing.
    store
        .finish_delivery(&b, reclaimed[0].id, &DeliveryResult::Delivered, later)
        .await
        .unwrap();
    let stats = store.outbox_stats(&a).await.unwrap();
    assert_eq!((stats.pending, stats.delivered, stats.failed), (1, 1, 1));
    store
        .enqueue(&a, &[mail("to the security contact")])
        .await
        .unwrap();
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 2);
}

pub async fn concurrent_workers_never_claim_the_same_delivery(store: Arc<dyn Store>) {
    let a = new_org(&*store, "outbox-race").await;
    let batch: Vec<_> = (0..60).map(|i| mail(&format!("m{i}"))).collect();
    store.enqueue(&a, &batch).await.unwrap();
    let t0 = now() + time::Duration::seconds(1);
    let mut workers = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        let a = a.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store
                    .claim_deliveries(&a, t0, t0 + time::Duration::seconds(60), 5)
                    .await
                    .unwrap();
                if got.is_empty() {
                    break mine;
                }
                mine.extend(got.into_iter().map(|d| d.id));
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let unique: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 60);
    assert_eq!(unique.len(), 60);
}

fn upload_event(key: &str) -> AuditEvent {
    AuditEvent {
        actor: ACTOR.into(),
        action: "document.upload".into(),
        target: format!("document:{key}"),
        at: now(),
    }
}

pub async fn documents_are_encrypted_per_org_and_survive_a_master_key_rotation(
    store: Arc<dyn Store>,
) {
    use crate::documents::{DocumentFile, StoredFile, open_file, rewrap, seal_file};
    use crate::keys::MasterKey;
    let a = new_org(&*store, "docs-a").await;
    let b = new_org(&*store, "docs-b").await;
    let (master, _) = MasterKey::generate().unwrap();
    let plaintext = b"SOC 2 Type II report: CONFIDENTIAL-MARKER-7731".repeat(100);
    let id = uuid::Uuid::new_v4();
    let (version, sealed) = seal_file(&*store, &a, &master, "soc2-report", id, &plaintext)
        .await
        .unwrap();
    assert_eq!(version, 1);
    let marker: &[u8] = b"CONFIDENTIAL-MARKER-7731";
    assert!(
        !sealed.ciphertext.windows(marker.len()).any(|w| w == marker),
        "the plaintext shows through"
    );
    let file = DocumentFile {
        id,
        doc_key: "soc2-report".into(),
        filename: "soc2.pdf".into(),
        content_type: "application/pdf".into(),
        size: plaintext.len() as u64,
        sha256: "00".repeat(32),
        key_version: version,
        uploaded_at: now(),
    };
    store
        .insert_document_file(&a, &file, &sealed, &upload_event("soc2-report"))
        .await
        .unwrap();
    let stored = store
        .document_file(&a, "soc2-report")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.file, file);
    assert_eq!(
        open_file(&*store, &a, &master, &stored).await.unwrap(),
        plaintext
    );
    assert!(
        store
            .document_file(&b, "soc2-report")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.document_files(&b).await.unwrap().is_empty());
    assert_eq!(store.document_files(&a).await.unwrap(), vec![file.clone()]);
    assert!(store.data_keys(&b).await.unwrap().is_empty());
    // The upload is in the audit log.
    assert!(
        store
            .audit_log(&a)
            .await
            .unwrap()
            .entries
            .iter()
            .any(|e| e.event.action == "document.upload")
    );

    // A changed byte, or the blob presented as another document or upload, is refused.
    let mut tampered = stored.clone();
    tampered.sealed.ciphertext[10] ^= 1;
    assert!(open_file(&*store, &a, &master, &tampered).await.is_err());
    let mut moved = stored.clone();
    moved.file.doc_key = "dpa".into();
    assert!(open_file(&*store, &a, &master, &moved).await.is_err());
    let elsewhere = StoredFile { ..stored.clone() };
    assert!(open_file(&*store, &b, &master, &elsewhere).await.is_err());

    // A second upload becomes the current file.
    let id2 = uuid::Uuid::new_v4();
    let (_, sealed2) = seal_file(&*store, &a, &master, "soc2-report", id2, b"v2")
        .await
        .unwrap();
    let file2 = DocumentFile {
        id: id2,
        size: 2,
        ..file.clone()
    };
    store
        .insert_document_file(&a, &file2, &sealed2, &upload_event("soc2-report"))
        .await
        .unwrap();
    let current = store
        .document_file(&a, "soc2-report")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.file.id, id2);
    assert_eq!(store.document_files(&a).await.unwrap().len(), 1);

    // Rotation: every sealed value is re-sealed under the new key; files still open,
    // and after that the old key is no longer needed.
    let secret = master.seal("log-signing-key", a.org_id(), b"seed").unwrap();
    store
        .insert_org_secret(&a, "log-signing-key", &secret)
        .await
        .unwrap();
    let ring = master.with_new_primary().unwrap();
    let count = rewrap(&*store, &a, &ring).await.unwrap();
    assert_eq!(count, 2, "the data key and the signing key");
    let new_only = ring.primary_only();
    assert_eq!(
        open_file(&*store, &a, &new_only, &current).await.unwrap(),
        b"v2".to_vec()
    );
    assert_eq!(
        new_only
            .open(
                "log-signing-key",
                a.org_id(),
                &store
                    .org_secret(&a, "log-signing-key")
                    .await
                    .unwrap()
                    .unwrap()
            )
            .unwrap(),
        b"seed"
    );
    assert!(
        open_file(&*store, &a, &master, &current).await.is_err(),
        "the old key alone no longer opens it"
    );
}

pub async fn document_requests_grants_and_downloads_stay_in_their_org(store: Arc<dyn Store>) {
    use crate::documents::{
        DocumentRequest, DownloadGrant, DownloadRecord, RequestKind, RequestStatus,
    };
    let a = new_org(&*store, "req-a").await;
    let b = new_org(&*store, "req-b").await;
    let request = DocumentRequest {
        id: uuid::Uuid::new_v4(),
        doc_key: "pentest-summary".into(),
        kind: RequestKind::Approval,
        name: "Ada Reviewer".into(),
        email: "ada@customer.example".into(),
        company: "Customer Ltd".into(),
        nda_version: None,
        reason: "Vendor review".into(),
        status: RequestStatus::Pending,
        created_at: now(),
        decided_at: None,
    };
    store.insert_document_request(&a, &request).await.unwrap();
    assert_eq!(
        store.document_requests(&a).await.unwrap(),
        vec![request.clone()]
    );
    assert!(store.document_requests(&b).await.unwrap().is_empty());
    assert!(
        store
            .document_request(&b, request.id)
            .await
            .unwrap()
            .is_none()
    );
    let event = AuditEvent {
        actor: ACTOR.into(),
        action: "document.approve".into(),
        target: format!("request:{}", request.id),
        at: now(),
    };
    assert!(
        store
            .decide_document_request(&b, request.id, true, now(), &event)
            .await
            .unwrap()
            .is_none()
    );
    let decided = store
        .decide_document_request(&a, request.id, true, now(), &event)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(decided.status, RequestStatus::Granted);
    assert!(
        store
            .decide_document_request(&a, request.id, false, now(), &event)
            .await
            .unwrap()
            .is_none(),
        "decided once"
    );
    let grant = DownloadGrant {
        doc_key: "pentest-summary".into(),
        request_id: Some(request.id),
        expires_at: now() + time::Duration::hours(1),
    };
    store
        .insert_download_grant(&a, "hash-1", &grant)
        .await
        .unwrap();
    assert_eq!(
        store.download_grant(&a, "hash-1").await.unwrap(),
        Some(grant)
    );
    assert!(store.download_grant(&b, "hash-1").await.unwrap().is_none());
    let record = DownloadRecord {
        doc_key: "pentest-summary".into(),
        file_id: uuid::Uuid::new_v4(),
        request_id: Some(request.id),
        at: now(),
    };
    store.record_download(&a, &record).await.unwrap();
    assert_eq!(store.downloads(&a).await.unwrap(), vec![record]);
    assert!(store.downloads(&b).await.unwrap().is_empty());
}

pub async fn vulnerability_reports_are_sealed_queued_and_acknowledged_once(store: Arc<dyn Store>) {
    use crate::documents::{StoredReport, open_record, seal_record};
    let a = new_org(&*store, "vuln-a").await;
    let b = new_org(&*store, "vuln-b").await;
    let (master, _) = crate::keys::MasterKey::generate().unwrap();
    let id = uuid::Uuid::new_v4();
    let text = br#"{"title":"XSS in search"}"#;
    let (key_version, sealed) = seal_record(&*store, &a, &master, "report", id, text)
        .await
        .unwrap();
    let received = now() - time::Duration::days(3);
    let report = StoredReport {
        id,
        received_at: received,
        ack_due_at: received + time::Duration::days(1),
        acknowledged_at: None,
        key_version,
        sealed,
    };
    store
        .insert_report(&a, &report, Some(&mail("to the security contact")))
        .await
        .unwrap();
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 1);
    let listed = store.reports(&a).await.unwrap();
    assert_eq!(listed, vec![report.clone()]);
    assert!(listed[0].is_overdue(now()));
    assert!(store.reports(&b).await.unwrap().is_empty());
    assert_eq!(
        open_record(
            &*store,
            &a,
            &master,
            "report",
            id,
            key_version,
            &listed[0].sealed
        )
        .await
        .unwrap(),
        text.to_vec()
    );
    assert!(
        open_record(
            &*store,
            &a,
            &master,
            "report",
            uuid::Uuid::new_v4(),
            key_version,
            &listed[0].sealed
        )
        .await
        .is_err(),
        "bound to its id"
    );
    let event = AuditEvent {
        actor: ACTOR.into(),
        action: "report.acknowledge".into(),
        target: format!("report:{id}"),
        at: now(),
    };
    assert!(
        !store
            .acknowledge_report(&b, id, now(), &event)
            .await
            .unwrap()
    );
    assert!(
        store
            .acknowledge_report(&a, id, now(), &event)
            .await
            .unwrap()
    );
    assert!(
        !store
            .acknowledge_report(&a, id, now(), &event)
            .await
            .unwrap()
    );
    let after = store.reports(&a).await.unwrap();
    assert!(after[0].acknowledged_at.is_some() && !after[0].is_overdue(now()));
}

pub async fn personal_data_can_be_erased_per_person(store: Arc<dyn Store>) {
    use crate::documents::{
        DocumentRequest, DownloadGrant, DownloadRecord, RequestKind, RequestStatus,
    };
    use crate::outbox::SubscribeOutcome;
    let a = new_org(&*store, "dsr-a").await;
    let b = new_org(&*store, "dsr-b").await;
    let SubscribeOutcome::Pending(id) = store
        .subscribe(
            &a,
            &subscribe_request("ada@example.com", "c1"),
            &mail("confirm"),
        )
        .await
        .unwrap()
    else {
        panic!("pending");
    };
    store.confirm_subscriber(&a, "c1", now()).await.unwrap();
    store
        .insert_objection(&a, id, "Mailgun", "no", now())
        .await
        .unwrap();
    let request = DocumentRequest {
        id: uuid::Uuid::new_v4(),
        doc_key: "soc2".into(),
        kind: RequestKind::Nda,
        name: "Ada".into(),
        email: "ada@example.com".into(),
        company: "C".into(),
        nda_version: Some("1".into()),
        reason: String::new(),
        status: RequestStatus::Granted,
        created_at: now(),
        decided_at: Some(now()),
    };
    store.insert_document_request(&a, &request).await.unwrap();
    store
        .insert_download_grant(
            &a,
            "grant-hash",
            &DownloadGrant {
                doc_key: "soc2".into(),
                request_id: Some(request.id),
                expires_at: now() + time::Duration::hours(1),
            },
        )
        .await
        .unwrap();
    store
        .record_download(
            &a,
            &DownloadRecord {
                doc_key: "soc2".into(),
                file_id: uuid::Uuid::new_v4(),
                request_id: Some(request.id),
                at: now(),
            },
        )
        .await
        .unwrap();
    // Another org cannot erase it.
    assert!(!store.erase_subscriber(&b, id).await.unwrap());
    assert_eq!(
        store
            .erase_document_requests(&b, "ada@example.com")
            .await
            .unwrap(),
        0
    );
    assert!(store.erase_subscriber(&a, id).await.unwrap());
    assert!(store.subscriber(&a, id).await.unwrap().is_none());
    assert!(store.objections(&a).await.unwrap().is_empty());
    assert_eq!(
        store.outbox_stats(&a).await.unwrap(),
        crate::outbox::OutboxStats::default()
    );
    assert_eq!(
        store
            .erase_document_requests(&a, "ada@example.com")
            .await
            .unwrap(),
        1
    );
    assert!(store.document_requests(&a).await.unwrap().is_empty());
    assert!(
        store
            .download_grant(&a, "grant-hash")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.downloads(&a).await.unwrap().is_empty());
}

/// Erasing a person removes their subscriptions and requests in their org only,
/// and records it in the same transaction, with what was erased.
pub async fn a_persons_erasure_is_one_write_with_its_audit_entry(store: Arc<dyn Store>) {
    use crate::privacy::{ErasedCounts, PersonErasure, subject_ref};
    let a = new_org(&*store, "erase-a").await;
    let b = new_org(&*store, "erase-b").await;
    for (scope, token) in [(&a, "ea"), (&b, "eb")] {
        store
            .subscribe(
                scope,
                &subscribe_request("bob@example.com", token),
                &mail("confirm"),
            )
            .await
            .unwrap();
    }
    let erasure = PersonErasure {
        email: "bob@example.com".into(),
        resealed_reports: Vec::new(),
        audit: AuditEvent {
            actor: ACTOR.into(),
            action: "privacy.erase".into(),
            target: subject_ref("bob@example.com"),
            at: now(),
        },
    };
    let counts = store.erase_person(&a, &erasure).await.unwrap();
    assert_eq!(
        counts,
        ErasedCounts {
            subscriptions: 1,
            requests: 0,
            reports: 0
        }
    );
    assert!(store.subscribers(&a).await.unwrap().is_empty());
    assert_eq!(
        store.subscribers(&b).await.unwrap().len(),
        1,
        "other org kept"
    );
    let log = store.audit_log(&a).await.unwrap();
    let last = log.entries.last().expect("an audit entry");
    assert_eq!(last.event.action, "privacy.erase");
    assert_eq!(
        last.event.target,
        format!(
            "{} subscriptions:1 requests:0 reports:0",
            subject_ref("bob@example.com")
        )
    );
    assert!(
        !last.event.target.contains("bob@"),
        "no address in the audit log"
    );
    assert!(crate::verify_audit(&*store, &a).await.unwrap().is_ok());
    // Nothing left to erase: still recorded, with zero counts.
    let again = store.erase_person(&a, &erasure).await.unwrap();
    assert_eq!(again, ErasedCounts::default());
    assert_eq!(
        store.audit_log(&a).await.unwrap().entries.len(),
        log.entries.len() + 1
    );
}

pub async fn deleting_an_org_removes_all_of_it_and_nothing_else(store: Arc<dyn Store>) {
    use crate::keys::MasterKey;
    let slug = unique_slug("gone");
    let a = create_org(&*store, &slug, "Gone").await.unwrap();
    let b = new_org(&*store, "stays").await;
    for scope in [&a, &b] {
        store.save_draft(scope, &sample()).await.unwrap();
        publish_draft(&*store, scope, now(), ACTOR).await.unwrap();
    }
    // Something in every kind of table.
    let (master, _) = MasterKey::generate().unwrap();
    let user = store
        .insert_user(&format!("{slug}@example.com"), "hash")
        .await
        .unwrap();
    let event = AuditEvent {
        actor: ACTOR.into(),
        action: "member.set_role".into(),
        target: "x".into(),
        at: now(),
    };
    store
        .set_member_role(&a, user.id, Role::Owner, &event)
        .await
        .unwrap();
    store
        .insert_token(
            &a,
            "ci",
            Role::Editor,
            &format!("{slug}-token"),
            now() + time::Duration::days(1),
            &event,
        )
        .await
        .unwrap();
    store
        .insert_invite(
            &a,
            "x@example.com",
            Role::Viewer,
            &format!("{slug}-invite"),
            now() + time::Duration::days(1),
            &event,
        )
        .await
        .unwrap();
    store
        .insert_org_secret(
            &a,
            "log-signing-key",
            &master.seal("log-signing-key", a.org_id(), b"k").unwrap(),
        )
        .await
        .unwrap();
    store
        .subscribe(
            &a,
            &subscribe_request("r@example.com", &format!("{slug}-c")),
            &mail("m"),
        )
        .await
        .unwrap();
    let id = uuid::Uuid::new_v4();
    crate::documents::seal_file(&*store, &a, &master, "dpa", id, b"file")
        .await
        .unwrap();
    store
        .set_org_host(&slug, Some(&format!("{slug}.example.com")))
        .await
        .unwrap();
    let b_revisions = store.revisions(&b).await.unwrap();

    store.delete_org(a).await.unwrap();
    assert!(store.org_by_slug(&slug).await.unwrap().is_none());
    assert!(scope_for(&*store, &slug).await.unwrap().is_none());
    assert!(
        store
            .org_by_host(&format!("{slug}.example.com"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.memberships_of(user.id).await.unwrap().is_empty());
    // The other org is untouched and its logs still verify.
    assert_eq!(store.revisions(&b).await.unwrap(), b_revisions);
    assert!(verify_audit(&*store, &b).await.unwrap().is_ok());
    // The slug is free again, and starts empty.
    let again = create_org(&*store, &slug, "New").await.unwrap();
    assert!(store.latest_revision(&again).await.unwrap().is_none());
    assert!(store.subscribers(&again).await.unwrap().is_empty());
    assert!(store.data_keys(&again).await.unwrap().is_empty());
    // Revisions stay immutable outside an org deletion.
    assert!(store.revisions(&b).await.unwrap().len() == 1);
}

pub async fn hosts_are_claimed_per_org_and_evidence_remembers_when_failing_began(
    store: Arc<dyn Store>,
) {
    use crate::evidence::EvidenceRecord;
    let a = new_org(&*store, "ev-a").await;
    let b = new_org(&*store, "ev-b").await;
    let claim = store
        .claim_host(&a, "app.example.com", "tok-1", now())
        .await
        .unwrap();
    assert_eq!(claim.token, "tok-1");
    assert!(claim.verified_at.is_none());
    // Claiming again keeps the token already published.
    assert_eq!(
        store
            .claim_host(&a, "app.example.com", "tok-2", now())
            .await
            .unwrap()
            .token,
        "tok-1"
    );
    // Another org may claim the same name, but proves it separately.
    store
        .claim_host(&b, "app.example.com", "tok-b", now())
        .await
        .unwrap();
    assert!(
        store
            .mark_host_verified(&a, "app.example.com", Some(now()))
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_host_verified(&a, "other.example.com", Some(now()))
            .await
            .unwrap()
    );
    assert!(
        store.host_claims(&a).await.unwrap()[0]
            .verified_at
            .is_some()
    );
    assert!(
        store.host_claims(&b).await.unwrap()[0]
            .verified_at
            .is_none()
    );
    // A proof that is gone unverifies the host, for this org only.
    store
        .mark_host_verified(&b, "app.example.com", Some(now()))
        .await
        .unwrap();
    assert!(
        store
            .mark_host_verified(&a, "app.example.com", None)
            .await
            .unwrap()
    );
    assert!(
        store.host_claims(&a).await.unwrap()[0]
            .verified_at
            .is_none()
    );
    assert!(
        store.host_claims(&b).await.unwrap()[0]
            .verified_at
            .is_some()
    );
    store
        .mark_host_verified(&a, "app.example.com", Some(now()))
        .await
        .unwrap();

    let at = |minutes: i64| now() + time::Duration::minutes(minutes);
    let result = |verdict: &str, ran_at| EvidenceRecord {
        host: "app.example.com".into(),
        check: "hsts".into(),
        ran_at,
        verdict: verdict.into(),
        summary: format!("{verdict} summary"),
        findings_json: "[]".into(),
        failing_since: None,
    };
    assert_eq!(
        store
            .record_evidence(&a, &result("pass", at(0)))
            .await
            .unwrap()
            .failing_since,
        None
    );
    assert_eq!(
        store
            .record_evidence(&a, &result("fail", at(10)))
            .await
            .unwrap()
            .failing_since,
        Some(at(10))
    );
    assert_eq!(
        store
            .record_evidence(&a, &result("fail", at(20)))
            .await
            .unwrap()
            .failing_since,
        Some(at(10)),
        "still failing since the first failure"
    );
    let listed = store.evidence(&a).await.unwrap();
    assert_eq!(listed.len(), 1, "one latest result per host and check");
    assert_eq!(
        (listed[0].ran_at, listed[0].failing_since),
        (at(20), Some(at(10)))
    );
    assert_eq!(
        store
            .record_evidence(&a, &result("pass", at(30)))
            .await
            .unwrap()
            .failing_since,
        None
    );
    assert!(store.evidence(&b).await.unwrap().is_empty());
}

fn member_event(action: &str, user: uuid::Uuid) -> AuditEvent {
    AuditEvent {
        actor: ACTOR.into(),
        action: action.into(),
        target: format!("user:{user}"),
        at: OffsetDateTime::now_utc(),
    }
}

pub async fn members_are_removed_or_changed_but_an_org_keeps_an_owner(store: Arc<dyn Store>) {
    let a = new_org(&*store, "leave-a").await;
    let b = new_org(&*store, "leave-b").await;
    let alice = store
        .insert_user(&unique_email("alice"), "h")
        .await
        .unwrap();
    let bob = store.insert_user(&unique_email("bob"), "h").await.unwrap();
    let stranger = store
        .insert_user(&unique_email("carol"), "h")
        .await
        .unwrap();
    for (org, user, role) in [
        (&a, &alice, Role::Owner),
        (&a, &bob, Role::Editor),
        (&b, &bob, Role::Owner),
    ] {
        store
            .set_member_role(
                org,
                user.id,
                role,
                &member_event("member.set_role", user.id),
            )
            .await
            .unwrap();
    }
    let change = |org: &OrgScope, user: uuid::Uuid, change: MembershipChange| {
        let store = store.clone();
        let org = org.clone();
        async move {
            store
                .change_membership(&org, user, change, &member_event("member.change", user))
                .await
                .unwrap()
        }
    };
    // Nobody joins without an invitation.
    assert_eq!(
        change(&a, stranger.id, MembershipChange::SetRole(Role::Viewer)).await,
        MembershipOutcome::NotMember
    );
    assert_eq!(store.member_role(&a, stranger.id).await.unwrap(), None);
    // The only owner can neither step down nor leave.
    for attempt in [
        MembershipChange::SetRole(Role::Admin),
        MembershipChange::Remove,
    ] {
        assert_eq!(
            change(&a, alice.id, attempt).await,
            MembershipOutcome::LastOwner
        );
    }
    assert_eq!(
        store.member_role(&a, alice.id).await.unwrap(),
        Some(Role::Owner)
    );
    // Once there is a second owner, the first may go.
    assert_eq!(
        change(&a, bob.id, MembershipChange::SetRole(Role::Owner)).await,
        MembershipOutcome::Done
    );
    assert_eq!(
        change(&a, alice.id, MembershipChange::Remove).await,
        MembershipOutcome::Done
    );
    assert_eq!(store.member_role(&a, alice.id).await.unwrap(), None);
    // Removing from one org leaves the others alone.
    assert_eq!(
        store.member_role(&b, bob.id).await.unwrap(),
        Some(Role::Owner)
    );
    assert_eq!(
        change(&b, alice.id, MembershipChange::Remove).await,
        MembershipOutcome::NotMember
    );
    // Refused changes record nothing; done ones are audited: 3 grants in A, 2 changes.
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(4));
    assert_eq!(verify_audit(&*store, &b).await.unwrap(), Ok(1));
}

pub async fn concurrent_owner_demotions_leave_an_owner(store: Arc<dyn Store>) {
    for _ in 0..5 {
        let org = new_org(&*store, "owners").await;
        let mut owners = Vec::new();
        for name in ["one", "two"] {
            let user = store.insert_user(&unique_email(name), "h").await.unwrap();
            store
                .set_member_role(
                    &org,
                    user.id,
                    Role::Owner,
                    &member_event("member.set_role", user.id),
                )
                .await
                .unwrap();
            owners.push(user.id);
        }
        let tasks: Vec<_> = owners
            .iter()
            .map(|id| {
                let (store, org, id) = (store.clone(), org.clone(), *id);
                tokio::spawn(async move {
                    store
                        .change_membership(
                            &org,
                            id,
                            MembershipChange::SetRole(Role::Viewer),
                            &member_event("member.change", id),
                        )
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        outcomes.sort_by_key(|o| format!("{o:?}"));
        assert_eq!(
            outcomes,
            [MembershipOutcome::Done, MembershipOutcome::LastOwner]
        );
        let left = store
            .members(&org)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.role == Role::Owner)
            .count();
        assert_eq!(left, 1);
    }
}

pub async fn passwords_change_and_accounts_are_deleted_only_without_memberships(
    store: Arc<dyn Store>,
) {
    let org = new_org(&*store, "accounts").await;
    let email = unique_email("dana");
    let user = store.insert_user(&email, "old-hash").await.unwrap();
    let later = OffsetDateTime::now_utc() + time::Duration::hours(1);
    for session in ["this-session", "other-session", "third-session"] {
        store.insert_session(session, user.id, later).await.unwrap();
    }
    store
        .set_password(user.id, "new-hash", Some("this-session"))
        .await
        .unwrap();
    let credentials = store.credentials_by_email(&email).await.unwrap().unwrap();
    assert_eq!(credentials.password_hash, "new-hash");
    let now = OffsetDateTime::now_utc();
    assert!(
        store
            .session_user("this-session", now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session_user("other-session", now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_user("third-session", now)
            .await
            .unwrap()
            .is_none()
    );

    store
        .set_member_role(
            &org,
            user.id,
            Role::Editor,
            &member_event("member.set_role", user.id),
        )
        .await
        .unwrap();
    assert!(matches!(
        store.delete_user(user.id).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.credentials_by_email(&email).await.unwrap().is_some());
    store
        .change_membership(
            &org,
            user.id,
            MembershipChange::Remove,
            &member_event("member.leave", user.id),
        )
        .await
        .unwrap();
    store.delete_user(user.id).await.unwrap();
    assert!(store.credentials_by_email(&email).await.unwrap().is_none());
    assert!(
        store
            .session_user("this-session", now)
            .await
            .unwrap()
            .is_none()
    );
    // The address can be used again.
    store.insert_user(&email, "h").await.unwrap();
}

pub async fn open_invites_are_listed_and_revoked(store: Arc<dyn Store>) {
    let a = new_org(&*store, "invites-open-a").await;
    let b = new_org(&*store, "invites-open-b").await;
    let event = |action: &str| AuditEvent {
        actor: ACTOR.into(),
        action: action.into(),
        target: "invite".into(),
        at: OffsetDateTime::now_utc(),
    };
    let now = now();
    let later = now + time::Duration::hours(72);
    let first = store
        .insert_invite(
            &a,
            "one@example.com",
            Role::Editor,
            "hash-one",
            later,
            &event("member.invite"),
        )
        .await
        .unwrap();
    let second = store
        .insert_invite(
            &a,
            "two@example.com",
            Role::Viewer,
            "hash-two",
            later,
            &event("member.invite"),
        )
        .await
        .unwrap();
    store
        .insert_invite(
            &a,
            "old@example.com",
            Role::Viewer,
            "hash-old",
            now - time::Duration::hours(1),
            &event("member.invite"),
        )
        .await
        .unwrap();
    let listed: Vec<_> = store
        .open_invites(&a, now)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(listed, [first.id, second.id]);
    assert!(store.open_invites(&b, now).await.unwrap().is_empty());
    // Another org cannot revoke it; its own can, once.
    assert!(
        !store
            .revoke_invite(&b, first.id, now, &event("member.revoke"))
            .await
            .unwrap()
    );
    assert!(
        store
            .revoke_invite(&a, first.id, now, &event("member.revoke"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_invite(&a, first.id, now, &event("member.revoke"))
            .await
            .unwrap()
    );
    let found = store.invite_by_hash(&a, "hash-one").await.unwrap().unwrap();
    assert!(!found.is_open(now));
    let listed: Vec<_> = store
        .open_invites(&a, now)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(listed, [second.id]);
    // Three invitations and one revocation.
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(4));
    assert_eq!(verify_audit(&*store, &b).await.unwrap(), Ok(0));
}
