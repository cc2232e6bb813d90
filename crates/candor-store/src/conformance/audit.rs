//! The audit log: hash-chained per org, written with what it records, and a Merkle tree.

use std::sync::Arc;

use super::{ACTOR, event, new_org, now, sample};
use crate::{Store, publish_draft, verify_audit};

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
