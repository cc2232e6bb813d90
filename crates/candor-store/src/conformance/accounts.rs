//! People: users, sessions and passwords, and deleting an account.

use std::sync::Arc;

use candor_domain::policy::Role;
use time::OffsetDateTime;

use super::{member_event, new_org, unique_email};
use crate::{MembershipChange, Store, StoreError};

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

/// Rate-limit counters: per bucket and window, shared, exact under concurrency,
/// and forgotten an hour after their window.
pub async fn attempts_are_counted_per_bucket_and_window_exactly_under_concurrency(
    store: Arc<dyn Store>,
) {
    let bucket = format!("test:{}", uuid::Uuid::new_v4());
    let other = format!("test:{}", uuid::Uuid::new_v4());
    let w = 1_700_000_000;
    for expected in 1..=3 {
        assert_eq!(
            store.count_attempt(&bucket, w, 60).await.unwrap(),
            (expected, 0)
        );
    }
    assert_eq!(store.count_attempt(&other, w, 60).await.unwrap(), (1, 0));
    // The next window sees the one before it.
    assert_eq!(
        store.count_attempt(&bucket, w + 60, 60).await.unwrap(),
        (1, 3)
    );
    // Many at once (several replicas): every attempt counted once.
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, bucket) = (store.clone(), bucket.clone());
            tokio::spawn(async move { store.count_attempt(&bucket, w + 60, 60).await.unwrap().0 })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (2..=21).collect::<Vec<u32>>());
    // Two hours on, the old windows are gone.
    assert_eq!(
        store.count_attempt(&bucket, w + 7200, 60).await.unwrap(),
        (1, 0)
    );
    assert_eq!(
        store.count_attempt(&bucket, w + 60, 60).await.unwrap(),
        (1, 0)
    );
}
