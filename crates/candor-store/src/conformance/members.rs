//! Access to an org: memberships, owners, API tokens and invitations.

use std::sync::Arc;

use candor_domain::policy::Role;
use time::OffsetDateTime;

use super::{audit_event, member_event, new_org, now, unique_email};
use crate::{MembershipChange, MembershipOutcome, OrgScope, Store, verify_audit};

pub async fn memberships_belong_to_one_org_and_are_listed_for_their_user(store: Arc<dyn Store>) {
    let a = new_org(&*store, "members-a").await;
    let b = new_org(&*store, "members-b").await;
    let alice = store
        .insert_user(&unique_email("alice"), "h")
        .await
        .unwrap();
    let bob = store.insert_user(&unique_email("bob"), "h").await.unwrap();
    let audit = |target: &str| audit_event("member.set_role", target, OffsetDateTime::now_utc());
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

pub async fn api_tokens_are_per_org_revocable_and_audited(store: Arc<dyn Store>) {
    let a = new_org(&*store, "tokens-a").await;
    let b = new_org(&*store, "tokens-b").await;
    let now = OffsetDateTime::now_utc();
    let audit = audit_event("token.create", "token", now);
    let token = store
        .insert_token(
            &a,
            "ci",
            crate::NewGrant {
                id: uuid::Uuid::new_v4(),
                role: Role::Editor,
                secret_hash: "hash-of-secret",
                expires_at: now + time::Duration::days(30),
            },
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
    // Its use is recorded, in its own org only.
    assert_eq!(found.last_used_at, None);
    let used = now.replace_nanosecond(0).unwrap();
    store.touch_token(&b, token.id, used).await.unwrap();
    assert_eq!(
        store.tokens(&a).await.unwrap()[0].last_used_at,
        None,
        "B cannot touch A's token"
    );
    store.touch_token(&a, token.id, used).await.unwrap();
    assert_eq!(store.tokens(&a).await.unwrap()[0].last_used_at, Some(used));
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
    let event = |action: &str| audit_event(action, "invite", now);
    let email = unique_email("carol");
    let expires = now + time::Duration::hours(72);
    let invite = store
        .insert_invite(
            &a,
            &email,
            crate::NewGrant {
                id: uuid::Uuid::new_v4(),
                role: Role::Editor,
                secret_hash: "invite-hash",
                expires_at: expires,
            },
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

pub async fn open_invites_are_listed_and_revoked(store: Arc<dyn Store>) {
    let a = new_org(&*store, "invites-open-a").await;
    let b = new_org(&*store, "invites-open-b").await;
    let event = |action: &str| audit_event(action, "invite", OffsetDateTime::now_utc());
    let now = now();
    let later = now + time::Duration::hours(72);
    let first = store
        .insert_invite(
            &a,
            "one@example.com",
            crate::NewGrant {
                id: uuid::Uuid::new_v4(),
                role: Role::Editor,
                secret_hash: "hash-one",
                expires_at: later,
            },
            &event("member.invite"),
        )
        .await
        .unwrap();
    let second = store
        .insert_invite(
            &a,
            "two@example.com",
            crate::NewGrant {
                id: uuid::Uuid::new_v4(),
                role: Role::Viewer,
                secret_hash: "hash-two",
                expires_at: later,
            },
            &event("member.invite"),
        )
        .await
        .unwrap();
    store
        .insert_invite(
            &a,
            "old@example.com",
            crate::NewGrant {
                id: uuid::Uuid::new_v4(),
                role: Role::Viewer,
                secret_hash: "hash-old",
                expires_at: now - time::Duration::hours(1),
            },
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
