//! The transparency log of revisions: inclusion and consistency proofs, signed checkpoints.

use std::sync::Arc;

use super::{ACTOR, audit_event, new_org, now, sample};
use crate::Store;

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

    // Ranges, for the tiles: entries in order, cut at the log's end, per org.
    let entries = store.log_entries(&a, 2, 20).await.unwrap();
    let expected: Vec<Vec<u8>> = revisions[2..]
        .iter()
        .map(|r| r.log_entry(a.slug().as_str()))
        .collect();
    assert_eq!(entries, expected);
    assert_eq!(store.log_entries(&b, 0, 256).await.unwrap().len(), 1);
    let leaves = store.log_level(&a, 0, 0, 256).await.unwrap();
    let mut tree = candor_log::tree::MemoryTree::new();
    for r in &revisions {
        tree.append(&r.log_entry(a.slug().as_str()));
    }
    let level = |l: u8, n: u64| -> Vec<[u8; 32]> {
        (0..n)
            .map(|i| candor_log::tree::NodeStore::node(&tree, l, i).unwrap())
            .collect()
    };
    assert_eq!(leaves, level(0, 9));
    assert_eq!(store.log_level(&a, 3, 0, 256).await.unwrap(), level(3, 1));
    assert_eq!(
        store.log_level(&a, 1, 1, 3).await.unwrap(),
        level(1, 3)[1..]
    );
    assert!(store.log_level(&a, 4, 0, 256).await.unwrap().is_empty());
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

    // Rotation: each new key is vouched for by the one it replaces, audited,
    // and only in its own org.
    use crate::log::{log_key_generation, log_key_history, rotate_log_key};
    assert!(
        log_key_history(&*store, &a, &master, &origin)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        rotate_log_key(&*store, &a, &master, ACTOR).await.unwrap(),
        2
    );
    assert_eq!(
        rotate_log_key(&*store, &a, &master, ACTOR).await.unwrap(),
        3
    );
    assert_eq!(log_key_generation(&*store, &a).await.unwrap(), 3);
    assert_eq!(log_key_generation(&*store, &b).await.unwrap(), 1);
    let current = log_signer(&*store, &a, &master, &origin).await.unwrap();
    assert_ne!(current.verifier_key(), first.verifier_key());
    let history = log_key_history(&*store, &a, &master, &origin)
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    let mut key = first.verifier_key();
    for statement in &history {
        let text = NoteVerifier::parse(&key).unwrap().open(statement).unwrap();
        let (o, old, new) = candor_log::note::parse_rotation(text).unwrap();
        assert_eq!((o, old), (origin.as_str(), key.as_str()));
        NoteVerifier::parse(new).unwrap().open(statement).unwrap();
        key = new.to_owned();
    }
    assert_eq!(key, current.verifier_key());
    let rotations = store
        .audit_log(&a)
        .await
        .unwrap()
        .entries
        .iter()
        .filter(|e| e.event.action == "log.key_rotate")
        .count();
    assert_eq!(rotations, 2);
    assert_eq!(
        log_signer(
            &*store,
            &b,
            &master,
            &format!("trust.example.com/{}", b.slug())
        )
        .await
        .unwrap()
        .verifier_key(),
        other.verifier_key(),
        "B's key is untouched"
    );
}

/// The public page's one read agrees with the separate reads it replaces, sees
/// only its org, and reports what moved while the revision stayed the same.
pub async fn the_page_snapshot_agrees_with_the_reads_it_replaces(store: Arc<dyn Store>) {
    use crate::evidence::{EvidenceRecord, EvidenceSnapshot};
    use crate::keys::MasterKey;
    use crate::log::{log_root, log_signer, rotate_log_key};
    use crate::page::{KnownPage, PageSnapshot, shows_evidence};

    let a = new_org(&*store, "snap-a").await;
    let b = new_org(&*store, "snap-b").await;
    assert!(matches!(
        store.page_snapshot(&a, None).await.unwrap(),
        PageSnapshot::Unpublished
    ));
    let content = sample();
    assert!(shows_evidence(&store_revision(&*store, &a, &content).await));
    store
        .claim_host(&a, "app.example.com", "token", now())
        .await
        .unwrap();
    store
        .record_evidence(
            &a,
            &EvidenceRecord {
                host: "app.example.com".into(),
                check: "hsts".into(),
                ran_at: now(),
                verdict: "pass".into(),
                summary: "pass summary".into(),
                findings_json: "[]".into(),
                failing_since: None,
            },
        )
        .await
        .unwrap();
    let separate = EvidenceSnapshot {
        records: store.evidence(&a).await.unwrap(),
        claims: store.host_claims(&a).await.unwrap(),
    };
    assert_eq!(separate.records.len(), 1);

    let PageSnapshot::Latest(first) = store.page_snapshot(&a, None).await.unwrap() else {
        panic!("a published org's first snapshot shows its revision");
    };
    assert_eq!(
        Some(&first.revision),
        store.latest_revision(&a).await.unwrap().as_ref()
    );
    assert_eq!(first.log_root, log_root(&*store, &a, 1).await.unwrap());
    assert_eq!(first.evidence.as_ref(), Some(&separate));
    assert_eq!(first.log_key_generation, 1);
    // The other org has published nothing, whatever org a holds.
    assert!(matches!(
        store.page_snapshot(&b, None).await.unwrap(),
        PageSnapshot::Unpublished
    ));

    // Same revision: nothing new but the evidence (when asked) and the key's generation.
    let known = KnownPage {
        number: 1,
        with_evidence: true,
    };
    let (master, _) = MasterKey::generate().unwrap();
    log_signer(&*store, &a, &master, "example/snap")
        .await
        .unwrap();
    rotate_log_key(&*store, &a, &master, ACTOR).await.unwrap();
    match store.page_snapshot(&a, Some(known)).await.unwrap() {
        PageSnapshot::Unchanged {
            evidence,
            log_key_generation,
        } => {
            assert_eq!(evidence.as_ref(), Some(&separate));
            assert_eq!(log_key_generation, 2);
        }
        other => panic!("expected Unchanged, got {other:?}"),
    }
    let without = KnownPage {
        with_evidence: false,
        ..known
    };
    assert!(matches!(
        store.page_snapshot(&a, Some(without)).await.unwrap(),
        PageSnapshot::Unchanged { evidence: None, .. }
    ));

    // A newer revision: the whole of it, with the log's root at its size.
    let mut second = content.clone();
    second.controls.iter_mut().for_each(|c| c.checks.clear());
    store
        .insert_revision(&a, &second, now(), ACTOR)
        .await
        .unwrap();
    let PageSnapshot::Latest(latest) = store.page_snapshot(&a, Some(known)).await.unwrap() else {
        panic!("a known page behind the latest revision gets the latest");
    };
    assert_eq!(latest.revision.number, 2);
    assert_eq!(latest.log_root, log_root(&*store, &a, 2).await.unwrap());
    assert_ne!(latest.log_root, first.log_root);
    assert_eq!(latest.evidence, None, "no control names checks any more");
    assert_eq!(latest.log_key_generation, 2);
}

async fn store_revision(
    store: &dyn Store,
    scope: &crate::OrgScope,
    content: &candor_domain::TrustCenter,
) -> candor_domain::Revision {
    store
        .insert_revision(scope, content, now(), ACTOR)
        .await
        .unwrap()
}

pub async fn a_restored_log_holds_publishing_until_released_and_stays_in_its_org(
    store: Arc<dyn Store>,
) {
    use crate::log::HoldOutcome;
    use crate::{PublishOutcome, publish_draft};
    let a = new_org(&*store, "hold-a").await;
    let b = new_org(&*store, "hold-b").await;
    let mut content = sample();
    for scope in [&a, &b] {
        store.save_draft(scope, &content).await.unwrap();
        let published = publish_draft(&*store, scope, now(), ACTOR).await.unwrap();
        assert!(matches!(published, PublishOutcome::Published { .. }));
    }
    assert_eq!(store.log_hold(&a).await.unwrap(), None);

    store
        .hold_log(&a, 1, now(), &audit_event("log.hold", "log:1", now()))
        .await
        .unwrap();
    let hold = store.log_hold(&a).await.unwrap().unwrap();
    assert!(hold.is_held());
    assert_eq!(hold.restored_size, 1);
    // Another org sees no hold and publishes as before.
    assert_eq!(store.log_hold(&b).await.unwrap(), None);
    content.promises[0].title = "A promise made after the restore".parse().unwrap();
    for scope in [&a, &b] {
        store.save_draft(scope, &content).await.unwrap();
    }
    match publish_draft(&*store, &a, now(), ACTOR).await.unwrap() {
        PublishOutcome::Held { restored_size } => assert_eq!(restored_size, 1),
        _ => panic!("a held org published"),
    }
    assert_eq!(store.latest_revision(&a).await.unwrap().unwrap().number, 1);
    assert!(matches!(
        publish_draft(&*store, &b, now(), ACTOR).await.unwrap(),
        PublishOutcome::Published { .. }
    ));

    // Released once, with its audit entry; then publishing resumes.
    let released = audit_event("log.recover", "log:1", now());
    assert!(
        store
            .release_log_hold(&a, HoldOutcome::Recovered, 1, now(), &released)
            .await
            .unwrap()
    );
    assert!(
        !store
            .release_log_hold(&a, HoldOutcome::Unrecoverable, 1, now(), &released)
            .await
            .unwrap()
    );
    let hold = store.log_hold(&a).await.unwrap().unwrap();
    let release = hold.released.unwrap();
    assert_eq!((release.outcome, release.size), (HoldOutcome::Recovered, 1));
    let actions: Vec<String> = store
        .audit_log(&a)
        .await
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.starts_with("log."))
            .collect::<Vec<_>>(),
        ["log.hold", "log.recover"]
    );
    assert!(matches!(
        publish_draft(&*store, &a, now(), ACTOR).await.unwrap(),
        PublishOutcome::Published { .. }
    ));
    // A new hold (another restore) replaces the ended one.
    store
        .hold_log(&a, 2, now(), &audit_event("log.hold", "log:2", now()))
        .await
        .unwrap();
    assert!(store.log_hold(&a).await.unwrap().unwrap().is_held());
    store.delete_org(a).await.unwrap();
    assert_eq!(store.log_hold(&b).await.unwrap(), None);
}
