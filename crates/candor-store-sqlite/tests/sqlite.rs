//! The shared conformance suite and SQLite-specific guarantees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, LazyLock};

use candor_store::{conformance::sample, create_org, prelude::*};
use candor_store_sqlite::SqliteStore;

/// Keeps every test's database directory alive until the process exits, then removes it.
static DIRS: LazyLock<std::sync::Mutex<Vec<tempfile::TempDir>>> = LazyLock::new(Default::default);

async fn fresh() -> Arc<dyn Store> {
    Arc::new(fresh_sqlite().await)
}

async fn fresh_sqlite() -> SqliteStore {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candor.db");
    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    DIRS.lock().unwrap().push(dir);
    store
}

candor_store::conformance_tests!(fresh());

/// What migrations 20 (daily counts) onwards added, removed again to rewind a
/// database to before them.
const UNDO_SINCE_19: &str = "DROP TABLE daily_counts;
             DROP TABLE acme_certificates;
             DROP TABLE acme_challenges;
             DROP TABLE acme_accounts;
             DROP TABLE event_hooks;
             DROP TABLE reader_events;
             DROP TABLE reader_tokens;
             DROP TABLE reader_policies;
             DROP INDEX document_requests_email;
             ALTER TABLE document_requests DROP COLUMN expires_at;
             ALTER TABLE document_requests DROP COLUMN revoked_at;
             ALTER TABLE document_requests DROP COLUMN batch_id;
             ALTER TABLE document_requests DROP COLUMN decided_by;
             ALTER TABLE document_requests DROP COLUMN decision_note;
             ALTER TABLE document_requests DROP COLUMN locale;
             ALTER TABLE subscribers DROP COLUMN locale;
             ALTER TABLE api_tokens DROP COLUMN last_used_at;";
#[tokio::test]
async fn revisions_cannot_be_rewritten_even_with_raw_sql() {
    let store = fresh_sqlite().await;
    let scope = create_org(&store, &"immutable".parse().unwrap(), "Immutable")
        .await
        .unwrap();
    store
        .insert_revision(
            &scope,
            &sample(),
            time::OffsetDateTime::now_utc(),
            "operator:test",
        )
        .await
        .unwrap();
    let update = sqlx::query("UPDATE revisions SET content = '{}'")
        .execute(store.pool())
        .await;
    assert!(
        update
            .unwrap_err()
            .to_string()
            .contains("revisions are immutable")
    );
    let delete = sqlx::query("DELETE FROM revisions")
        .execute(store.pool())
        .await;
    assert!(
        delete
            .unwrap_err()
            .to_string()
            .contains("revisions are immutable")
    );
}

#[tokio::test]
async fn a_tampered_revision_is_refused_not_served() {
    let store = fresh_sqlite().await;
    let scope = create_org(&store, &"tampered".parse().unwrap(), "Tampered")
        .await
        .unwrap();
    store
        .insert_revision(
            &scope,
            &sample(),
            time::OffsetDateTime::now_utc(),
            "operator:test",
        )
        .await
        .unwrap();
    // Someone with file access drops the trigger and edits the stored page.
    sqlx::raw_sql("DROP TRIGGER revisions_are_immutable_update; UPDATE revisions SET content = replace(content, 'never sell', 'sometimes sell')")
        .execute(store.pool())
        .await
        .unwrap();
    let err = store.latest_revision(&scope).await.unwrap_err();
    assert!(err.to_string().contains("integrity"), "{err}");
}

#[tokio::test]
async fn reopening_an_existing_file_keeps_data_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candor.db");
    let path = path.to_str().unwrap();
    {
        let store = SqliteStore::open(path).await.unwrap();
        create_org(&store, &"kept".parse().unwrap(), "Kept")
            .await
            .unwrap();
    }
    let store = SqliteStore::open(path).await.unwrap();
    assert_eq!(store.list_orgs().await.unwrap().len(), 1);
    let (rows, highest): (i64, i64) =
        sqlx::query_as("SELECT count(*), max(version) FROM schema_migrations")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert!(highest >= 2);
    assert_eq!(rows, highest, "each migration is recorded exactly once");
}

/// A store with one org whose audit log holds four entries.
async fn audited_org(slug: &str) -> (SqliteStore, candor_store::OrgScope) {
    let store = fresh_sqlite().await;
    let scope = create_org(&store, &slug.parse().unwrap(), "Audited")
        .await
        .unwrap();
    for n in 0..4 {
        let event = candor_domain::audit::AuditEvent {
            actor: "operator:test".into(),
            action: "settings.change".into(),
            target: format!("setting:{n}"),
            at: time::OffsetDateTime::now_utc(),
        };
        store.append_audit(&scope, &event).await.unwrap();
    }
    (store, scope)
}

#[tokio::test]
async fn editing_or_deleting_audit_entries_behind_candors_back_is_detected() {
    use candor_domain::audit::ChainError;
    use candor_store::verify_audit;
    let (store, scope) = audited_org("audited").await;
    assert_eq!(verify_audit(&store, &scope).await.unwrap(), Ok(4));
    // The triggers refuse changes through SQL…
    let refused = sqlx::query("UPDATE audit_log SET actor = 'x'")
        .execute(store.pool())
        .await;
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    // …so an attacker with the file drops them first. The chain still tells.
    sqlx::raw_sql("DROP TRIGGER audit_log_is_append_only_update; DROP TRIGGER audit_log_is_append_only_delete;")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'user:innocent' WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        verify_audit(&store, &scope).await.unwrap(),
        Err(ChainError::Altered { seq: 2 })
    );
    sqlx::query("UPDATE audit_log SET actor = 'operator:test' WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(verify_audit(&store, &scope).await.unwrap(), Ok(4));
    sqlx::query("DELETE FROM audit_log WHERE seq = 4")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        verify_audit(&store, &scope).await.unwrap(),
        Err(ChainError::Truncated { last: 3, head: 4 })
    );
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    assert!(matches!(
        verify_audit(&store, &scope).await.unwrap(),
        Err(ChainError::Gap { .. })
    ));
}

/// Removing the last entries and rewinding the head leaves a chain that verifies
/// on its own; the Merkle tree's nodes and a checkpoint kept by an auditor do not
/// agree with it.
#[tokio::test]
async fn truncating_the_audit_log_and_rewinding_its_head_is_detected() {
    use candor_domain::audit::ChainError;
    use candor_store::{verify_audit, verify_audit_against};
    let (store, scope) = audited_org("truncated").await;
    let (master, _) = candor_store::keys::MasterKey::generate().unwrap();
    let origin = "trust.example.com/truncated/audit";
    let signer = candor_store::log::audit_signer(&store, &scope, &master, origin)
        .await
        .unwrap();
    let note = candor_store::log::signed_audit_checkpoint(&store, &scope, &signer, origin)
        .await
        .unwrap();
    let key = signer.verifier_key();
    assert_eq!(
        verify_audit_against(&store, &scope, &note, &key)
            .await
            .unwrap(),
        Ok(4)
    );
    assert!(
        verify_audit_against(&store, &scope, &note.replace("\n4\n", "\n5\n"), &key)
            .await
            .unwrap()
            .is_err(),
        "an altered checkpoint must not verify"
    );

    // Drop entry 4 and point the head at entry 3.
    sqlx::raw_sql("DROP TRIGGER audit_log_is_append_only_delete;")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::raw_sql(
        "DELETE FROM audit_log WHERE seq = 4;
         UPDATE audit_heads SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3);",
    )
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(
        verify_audit(&store, &scope).await.unwrap(),
        Err(ChainError::TreeLonger { size: 3 })
    );
    // Removing the leaf's node too makes the store consistent with itself; the
    // auditor's checkpoint still tells.
    sqlx::raw_sql(
        "DROP TRIGGER audit_nodes_are_append_only_delete;
         DELETE FROM audit_nodes WHERE level = 0 AND idx = 3;",
    )
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(verify_audit(&store, &scope).await.unwrap(), Ok(3));
    let against = verify_audit_against(&store, &scope, &note, &key)
        .await
        .unwrap();
    assert!(
        against
            .as_ref()
            .is_err_and(|e| e.contains("signed for 4 entries but the log holds 3")),
        "{against:?}"
    );
}

#[tokio::test]
async fn revisions_published_before_the_log_existed_are_backfilled_at_start() {
    use candor_store::log::{log_inclusion, log_size};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candor.db");
    let path = path.to_str().unwrap();
    let scope = {
        let store = SqliteStore::open(path).await.unwrap();
        let scope = create_org(&store, &"older".parse().unwrap(), "Older")
            .await
            .unwrap();
        for _ in 0..3 {
            store
                .insert_revision(
                    &scope,
                    &sample(),
                    time::OffsetDateTime::now_utc(),
                    "operator:test",
                )
                .await
                .unwrap();
        }
        // Simulate a database from before migration 5: no log rows at all.
        sqlx::raw_sql(
            "DROP TRIGGER log_entries_are_append_only_delete; DROP TRIGGER log_nodes_are_append_only_delete;
             DELETE FROM log_entries; DELETE FROM log_nodes;",
        )
        .execute(store.pool())
        .await
        .unwrap();
        scope
    };
    let store = SqliteStore::open(path).await.unwrap();
    assert_eq!(log_size(&store, &scope).await.unwrap(), 3);
    let p = log_inclusion(&store, &scope, 1, 3).await.unwrap();
    candor_log::tree::verify_inclusion(&p.leaf, 1, 3, &p.proof, &p.root).unwrap();
    // And publishing goes on from there.
    let r = store
        .insert_revision(
            &scope,
            &sample(),
            time::OffsetDateTime::now_utc(),
            "operator:test",
        )
        .await
        .unwrap();
    assert_eq!(r.number, 4);
    assert!(store.log_entry(&scope, 3).await.unwrap().is_some());
}

#[tokio::test]
async fn a_document_blob_is_unreadable_at_rest_and_a_tampered_one_is_refused() {
    use candor_store::documents::{DocumentFile, open_file, seal_file};
    let store = fresh_sqlite().await;
    let scope = create_org(&store, &"blob".parse().unwrap(), "Blob")
        .await
        .unwrap();
    let (master, _) = candor_store::keys::MasterKey::generate().unwrap();
    let id = uuid::Uuid::new_v4();
    let plaintext = b"PENTEST FINDINGS: none critical".repeat(50);
    let (version, sealed) = seal_file(&store, &scope, &master, "pentest", id, &plaintext)
        .await
        .unwrap();
    let file = DocumentFile {
        id,
        doc_key: "pentest".into(),
        filename: "pentest.pdf".into(),
        content_type: "application/pdf".into(),
        size: plaintext.len() as u64,
        sha256: String::new(),
        key_version: version,
        uploaded_at: time::OffsetDateTime::now_utc(),
    };
    let event = candor_domain::audit::AuditEvent {
        actor: "operator:test".into(),
        action: "document.upload".into(),
        target: "document:pentest".into(),
        at: time::OffsetDateTime::now_utc(),
    };
    store
        .insert_document_file(&scope, &file, &sealed, &event)
        .await
        .unwrap();
    // The raw row, read with plain SQL, holds no plaintext.
    let raw: Vec<u8> = sqlx::query_scalar("SELECT ciphertext FROM document_files WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(store.pool())
        .await
        .unwrap();
    let needle = b"PENTEST FINDINGS";
    assert!(!raw.windows(needle.len()).any(|w| w == needle));
    let stored = store
        .document_file(&scope, "pentest")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        open_file(&store, &scope, &master, &stored).await.unwrap(),
        plaintext
    );
    // Someone with file access flips one byte of the blob: it is refused, not served.
    let mut flipped = raw.clone();
    flipped[40] ^= 0x01;
    sqlx::query("UPDATE document_files SET ciphertext = $1 WHERE id = $2")
        .bind(flipped)
        .bind(id.to_string())
        .execute(store.pool())
        .await
        .unwrap();
    let tampered = store
        .document_file(&scope, "pentest")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(tampered.sealed.ciphertext, stored.sealed.ciphertext);
    let err = open_file(&store, &scope, &master, &tampered)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("altered"), "{err}");
}

#[tokio::test]
async fn deleting_an_org_leaves_no_row_with_its_id_in_any_table() {
    let store = fresh_sqlite().await;
    let slug: candor_domain::OrgSlug = "erased".parse().unwrap();
    let scope = create_org(&store, &slug, "Erased").await.unwrap();
    store.save_draft(&scope, &sample()).await.unwrap();
    candor_store::publish_draft(
        &store,
        &scope,
        time::OffsetDateTime::now_utc(),
        "operator:test",
    )
    .await
    .unwrap();
    let org_id = scope.org_id().to_string();
    store.delete_org(scope).await.unwrap();
    // Every table that has an org_id column, found from the schema itself, so a
    // table added later without being added to the deletion is caught here.
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let mut checked = 0;
    let mut with_org_id = Vec::new();
    for table in tables {
        let has_org: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM pragma_table_info('{table}') WHERE name = 'org_id'"
        )))
        .fetch_one(store.pool())
        .await
        .unwrap();
        if has_org == 0 {
            continue;
        }
        checked += 1;
        with_org_id.push(table.clone());
        let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {table} WHERE org_id = $1"
        )))
        .bind(&org_id)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(left, 0, "{table} still holds rows of the deleted org");
    }
    assert!(checked >= 20, "{checked} tables checked");
    // The one list of tenant tables names exactly the tables with an org_id
    // (the erasure marker aside), so none is left out of erasure or grants.
    with_org_id.retain(|t| t != "org_erasures");
    with_org_id.sort();
    let mut registered: Vec<String> = candor_store::tenancy::TENANT_TABLES
        .iter()
        .map(|t| t.name.to_owned())
        .collect();
    registered.sort();
    assert_eq!(with_org_id, registered, "tenant tables vs the registry");
    // Outside a deletion, revisions stay immutable.
    let other = create_org(&store, &"kept-history".parse().unwrap(), "Kept")
        .await
        .unwrap();
    store.save_draft(&other, &sample()).await.unwrap();
    candor_store::publish_draft(
        &store,
        &other,
        time::OffsetDateTime::now_utc(),
        "operator:test",
    )
    .await
    .unwrap();
    assert!(
        sqlx::query("DELETE FROM revisions")
            .execute(store.pool())
            .await
            .is_err()
    );
}

/// The database and its WAL and shared-memory files hold personal data: owner-only.
#[tokio::test]
async fn database_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candor.db");
    // An older database created world-readable is narrowed too.
    let old = dir.path().join("old.db");
    std::fs::write(&old, b"").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    for file in [&path, &old] {
        let store = SqliteStore::open(file.to_str().unwrap()).await.unwrap();
        create_org(&store, &"private".parse().unwrap(), "Private")
            .await
            .unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let name = format!("{}{suffix}", file.display());
            let mode = std::fs::metadata(&name).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{name}: {mode:o}");
        }
    }
}

#[tokio::test]
async fn manage_tokens_from_before_macs_are_kept_only_as_hashes_and_still_work() {
    use candor_store::conformance::{
        LEGACY_MANAGE_TOKEN, legacy_token_still_works, subscriber_with_legacy_token,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candor.db");
    let path = path.to_str().unwrap();
    let scope = {
        let store = SqliteStore::open(path).await.unwrap();
        let scope = subscriber_with_legacy_token(&store).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP INDEX subscribers_legacy_token_hash;
             ALTER TABLE subscribers DROP COLUMN legacy_token_hash;
             ALTER TABLE subscribers RENAME COLUMN manage_salt TO manage_token;
             DROP TABLE questionnaires;
             DROP TABLE rate_limits;
             DROP TABLE log_holds;
             {UNDO_SINCE_19}
             DROP INDEX orgs_published_at;
             ALTER TABLE orgs DROP COLUMN published_at;
             DELETE FROM schema_migrations WHERE version >= 14;"
        )))
        .execute(store.pool())
        .await
        .unwrap();
        scope
    };
    let store = SqliteStore::open(path).await.unwrap();
    legacy_token_still_works(&store, &scope).await;
    let clear: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM subscribers WHERE manage_salt = $1 OR legacy_token_hash = $1",
    )
    .bind(LEGACY_MANAGE_TOKEN)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(clear, 0, "the old token is nowhere in the database");
}

#[tokio::test]
async fn the_incident_topic_migration_widens_the_check_and_keeps_every_row() {
    use candor_store::conformance::subscriber_with_legacy_token;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candor.db");
    let path = path.to_str().unwrap();
    let count = |table: &'static str| {
        let sql: &'static str = match table {
            "subscribers" => "SELECT count(*) FROM subscribers",
            "deliveries" => "SELECT count(*) FROM deliveries",
            _ => "SELECT count(*) FROM objections",
        };
        sql
    };
    let before = {
        let store = SqliteStore::open(path).await.unwrap();
        subscriber_with_legacy_token(&store).await;
        let pool = store.pool();
        // A delivery and an objection hang off the subscriber (ON DELETE CASCADE:
        // rebuilding the table would have taken them with it).
        sqlx::raw_sql(
            "INSERT INTO deliveries (id, org_id, subscriber_id, channel, message, created_at, next_attempt_ms)
                 SELECT 'd1', org_id, id, 'email', '{}', '2026-01-01T00:00:00Z', 0 FROM subscribers;
             INSERT INTO objections (id, org_id, subscriber_id, subprocessor, reason, created_at)
                 SELECT 'o1', org_id, id, 'Mailgun', 'no', '2026-01-01T00:00:00Z' FROM subscribers;",
        )
        .execute(pool)
        .await
        .unwrap();
        // Back to the definition before migration 19.
        let version: i64 = sqlx::query_scalar("PRAGMA schema_version")
            .fetch_one(pool)
            .await
            .unwrap();
        let mut conn = pool.acquire().await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = replace(sql, ', ''incidents''))', '))')
                 WHERE type = 'table' AND name = 'subscribers';
             PRAGMA schema_version = {};
             PRAGMA writable_schema = OFF;
             {UNDO_SINCE_19}
             DELETE FROM schema_migrations WHERE version >= 19;",
            version + 1
        )))
        .execute(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        let mut before = Vec::new();
        for table in ["subscribers", "deliveries", "objections"] {
            let n: i64 = sqlx::query_scalar(count(table))
                .fetch_one(pool)
                .await
                .unwrap();
            before.push(n);
        }
        // The old definition refuses the new topic.
        assert!(
            sqlx::query("UPDATE subscribers SET topics = 'incidents'")
                .execute(pool)
                .await
                .is_err()
        );
        before
    };
    let store = SqliteStore::open(path).await.unwrap();
    let pool = store.pool();
    let mut after = Vec::new();
    for table in ["subscribers", "deliveries", "objections"] {
        let n: i64 = sqlx::query_scalar(count(table))
            .fetch_one(pool)
            .await
            .unwrap();
        after.push(n);
    }
    assert_eq!(before, after);
    assert!(after.iter().all(|n| *n > 0), "{after:?}");
    sqlx::query("UPDATE subscribers SET topics = 'incidents'")
        .execute(pool)
        .await
        .unwrap();
    // Other values are still refused.
    assert!(
        sqlx::query("UPDATE subscribers SET topics = 'everything'")
            .execute(pool)
            .await
            .is_err()
    );
    let (migrations, latest): (i64, i64) =
        sqlx::query_as("SELECT count(*), max(version) FROM schema_migrations")
            .fetch_one(pool)
            .await
            .unwrap();
    let all = candor_store_sqlite::MIGRATIONS.len() as i64;
    assert_eq!(
        (migrations, latest),
        (all, all),
        "every later migration ran too"
    );
}
