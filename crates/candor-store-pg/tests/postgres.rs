//! The shared conformance suite on PostgreSQL, and proof that row-level security
//! holds even for hand-written SQL. Needs `CANDOR_TEST_PG_URL`: a superuser URL of a
//! throwaway cluster (scripts/test.sh starts one). Each test gets its own database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use candor_store::{conformance::sample, create_org, prelude::*};
use candor_store_pg::PgStore;
use sqlx::{Connection, PgConnection};

use candor_store_pg::testing::{APP_ROLE, fresh_database};

async fn fresh_pg() -> PgStore {
    let (app, owner) = fresh_database().await;
    PgStore::connect_with(app, Some(owner)).await.unwrap()
}

async fn fresh() -> Arc<dyn Store> {
    Arc::new(fresh_pg().await)
}

candor_store::conformance_tests!(fresh());

#[tokio::test]
async fn row_level_security_confines_hand_written_sql_to_its_org() {
    let store = fresh_pg().await;
    let a = create_org(&store, &"org-a".parse().unwrap(), "A")
        .await
        .unwrap();
    let b = create_org(&store, &"org-b".parse().unwrap(), "B")
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    for scope in [&a, &b] {
        store.save_draft(scope, &sample()).await.unwrap();
        store
            .insert_revision(scope, &sample(), now, "operator:test")
            .await
            .unwrap();
    }
    let b_id = b.org_id();

    let mut tx = store.scoped(&a).await.unwrap();
    // Reads without any WHERE clause see only A's rows.
    let drafts: i64 = sqlx::query_scalar("SELECT count(*) FROM drafts")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let revisions: i64 = sqlx::query_scalar("SELECT count(*) FROM revisions")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!((drafts, revisions), (1, 1));
    // The audit log too: each org published once, and A sees only its own entry.
    let audit: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT org_id FROM audit_log")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(audit, vec![a.org_id()]);
    let b_rows: i64 = sqlx::query_scalar("SELECT count(*) FROM drafts WHERE org_id = $1")
        .bind(b_id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(b_rows, 0);
    // Writes aimed at B change nothing.
    let updated = sqlx::query("UPDATE drafts SET content = '{}' WHERE org_id = $1")
        .bind(b_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    tx.commit().await.unwrap();

    // Inserting a row for B, or moving A's row to B, violates the policy.
    let mut tx = store.scoped(&a).await.unwrap();
    let insert = sqlx::query(
        "INSERT INTO revisions (org_id, number, content_hash, content, published_at) VALUES ($1, 99, 'x', '{}', now())",
    )
    .bind(b_id)
    .execute(&mut *tx)
    .await;
    assert!(
        insert
            .unwrap_err()
            .to_string()
            .contains("row-level security")
    );
    tx.rollback().await.unwrap();
    let mut tx = store.scoped(&a).await.unwrap();
    let moved = sqlx::query("UPDATE drafts SET org_id = $1")
        .bind(b_id)
        .execute(&mut *tx)
        .await;
    assert!(
        moved
            .unwrap_err()
            .to_string()
            .contains("row-level security")
    );
    tx.rollback().await.unwrap();

    // Deleting is not even granted to the app role.
    let mut tx = store.scoped(&a).await.unwrap();
    let delete = sqlx::query("DELETE FROM drafts").execute(&mut *tx).await;
    assert!(
        delete
            .unwrap_err()
            .to_string()
            .contains("permission denied")
    );
    tx.rollback().await.unwrap();

    // Outside any scope, tenant tables look empty: the policy fails closed.
    let unscoped: i64 = sqlx::query_scalar("SELECT count(*) FROM drafts")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(unscoped, 0);

    // B's data is untouched.
    assert_eq!(store.draft(&b).await.unwrap().unwrap().content, sample());
    assert_eq!(store.latest_revision(&b).await.unwrap().unwrap().number, 1);
}

#[tokio::test]
async fn revisions_cannot_be_rewritten_even_by_the_owner() {
    let (app, owner) = fresh_database().await;
    let store = PgStore::connect_with(app, Some(owner.clone()))
        .await
        .unwrap();
    let scope = create_org(&store, &"immutable".parse().unwrap(), "I")
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
    let mut tx = store.scoped(&scope).await.unwrap();
    let update = sqlx::query("UPDATE revisions SET content = '{}'")
        .execute(&mut *tx)
        .await;
    assert!(
        update
            .unwrap_err()
            .to_string()
            .contains("permission denied")
    );
    tx.rollback().await.unwrap();
    // The owner here is a superuser, which skips row-level security, yet the trigger still refuses.
    let mut conn = PgConnection::connect_with(&owner).await.unwrap();
    sqlx::query("SELECT set_config('app.org_id', $1, false)")
        .bind(scope.org_id().to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    let err = sqlx::query("UPDATE revisions SET content = '{}'")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("revisions are immutable"), "{err}");
}

#[tokio::test]
async fn refuses_a_role_that_bypasses_row_level_security() {
    let (_, owner) = fresh_database().await;
    // Migrate with a proper app role, then try to run as the superuser owner.
    let app = owner.clone().username(APP_ROLE);
    PgStore::connect_with(app, Some(owner.clone()))
        .await
        .unwrap();
    let err = PgStore::connect_with(owner, None)
        .await
        .err()
        .expect("superuser was accepted");
    assert!(
        err.to_string().contains("bypasses row-level security"),
        "{err}"
    );
}

/// Roles that row-level security binds on paper but that could lift it: a member
/// of the tables' owner (who may `ALTER TABLE … DISABLE ROW LEVEL SECURITY`), a
/// member of a member, the schema's owner, and a role with CREATE on the schema.
/// Each is refused at start and before migrations grant it anything.
#[tokio::test]
async fn refuses_app_roles_that_could_lift_row_level_security() {
    use sqlx::AssertSqlSafe;
    let (_, superuser) = fresh_database().await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let owner_role = format!("own_{tag}");
    let mut admin = PgConnection::connect_with(&superuser).await.unwrap();
    let run = |sql: String| sqlx::raw_sql(AssertSqlSafe(sql));
    // A non-superuser owner, so that membership of it is what is tested.
    run(format!(
        "CREATE ROLE {owner_role} LOGIN; ALTER SCHEMA public OWNER TO {owner_role};"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    let owner = superuser.clone().username(&owner_role);
    PgStore::connect_with(superuser.clone().username(APP_ROLE), Some(owner.clone()))
        .await
        .unwrap();
    let shapes = [
        ("member", format!("GRANT {owner_role} TO {{role}};")),
        (
            "indirect",
            format!(
                "CREATE ROLE mid_{tag}; GRANT {owner_role} TO mid_{tag}; GRANT mid_{tag} TO {{role}};"
            ),
        ),
        (
            "creator",
            "GRANT CREATE ON SCHEMA public TO {role};".to_owned(),
        ),
    ];
    for (name, grant) in shapes {
        let role = format!("app_{name}_{tag}");
        run(format!(
            "CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS; {}",
            grant.replace("{role}", &role)
        ))
        .execute(&mut admin)
        .await
        .unwrap();
        let app = superuser.clone().username(&role);
        let refused = PgStore::connect_with(app.clone(), None)
            .await
            .err()
            .unwrap_or_else(|| panic!("{name}: the role was accepted"));
        let text = refused.to_string();
        assert!(text.contains("app role"), "{name}: {text}");
        // Through the migration path too: refused before any grant.
        assert!(
            PgStore::connect_with(app, Some(owner.clone()))
                .await
                .is_err(),
            "{name}: accepted with the owner URL"
        );
        let granted: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM information_schema.table_privileges WHERE grantee = $1",
        )
        .bind(&role)
        .fetch_one(&mut admin)
        .await
        .unwrap();
        assert_eq!(
            granted, 0,
            "{name}: the refused role was granted privileges"
        );
    }
}

#[tokio::test]
async fn refuses_to_start_without_a_schema() {
    let (app, _) = fresh_database().await;
    let err = PgStore::connect_with(app, None)
        .await
        .err()
        .expect("started without schema");
    assert!(err.to_string().contains("schema is missing"), "{err}");
}

#[tokio::test]
async fn editing_or_deleting_audit_entries_behind_candors_back_is_detected() {
    use candor_domain::audit::ChainError;
    use candor_store::verify_audit;
    let (app, owner) = fresh_database().await;
    let store = PgStore::connect_with(app, Some(owner.clone()))
        .await
        .unwrap();
    let scope = create_org(&store, &"audited".parse().unwrap(), "Audited")
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
    assert_eq!(verify_audit(&store, &scope).await.unwrap(), Ok(4));
    // The app role may not change the log at all.
    let mut tx = store.scoped(&scope).await.unwrap();
    let refused = sqlx::query("UPDATE audit_log SET actor = 'x'")
        .execute(&mut *tx)
        .await;
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("permission denied")
    );
    tx.rollback().await.unwrap();
    // A database superuser can, after disabling the trigger; the chain still tells.
    let mut conn = PgConnection::connect_with(&owner).await.unwrap();
    sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_is_append_only")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'user:innocent' WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        verify_audit(&store, &scope).await.unwrap(),
        Err(ChainError::Altered { seq: 2 })
    );
    sqlx::query("UPDATE audit_log SET actor = 'operator:test' WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(verify_audit(&store, &scope).await.unwrap(), Ok(4));
    sqlx::query("DELETE FROM audit_log WHERE seq = 4")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        verify_audit(&store, &scope).await.unwrap(),
        Err(ChainError::Truncated { last: 3, head: 4 })
    );
}

#[tokio::test]
async fn manage_tokens_from_before_macs_are_kept_only_as_hashes_and_still_work() {
    use candor_store::conformance::{
        LEGACY_MANAGE_TOKEN, legacy_token_still_works, subscriber_with_legacy_token,
    };
    let (app, owner) = fresh_database().await;
    let store = PgStore::connect_with(app.clone(), Some(owner.clone()))
        .await
        .unwrap();
    let scope = subscriber_with_legacy_token(&store).await;
    drop(store);
    let mut conn = PgConnection::connect_with(&owner).await.unwrap();
    sqlx::raw_sql(
        "ALTER TABLE subscribers DROP COLUMN legacy_token_hash, DROP COLUMN locale;
         ALTER TABLE subscribers RENAME COLUMN manage_salt TO manage_token;
         DROP TABLE candor_tenant_tables;
         DROP TABLE questionnaires;
         DROP TABLE rate_limits;
         DROP TABLE log_holds;
         DROP TABLE daily_counts;
         DROP TABLE event_hooks;
         DROP TABLE acme_certificates;
         DROP TABLE acme_challenges;
         DROP TABLE acme_accounts;
         DROP TABLE reader_events;
         DROP TABLE reader_tokens;
         DROP TABLE reader_policies;
         DROP INDEX document_requests_email;
         ALTER TABLE document_requests DROP COLUMN expires_at, DROP COLUMN revoked_at,
             DROP COLUMN batch_id, DROP COLUMN decided_by, DROP COLUMN decision_note,
             DROP COLUMN locale;
         ALTER TABLE api_tokens DROP COLUMN last_used_at;
         DROP INDEX orgs_published_at;
         ALTER TABLE orgs DROP COLUMN published_at;
         DELETE FROM schema_migrations WHERE version >= 14;",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let store = PgStore::connect_with(app, Some(owner)).await.unwrap();
    legacy_token_still_works(&store, &scope).await;
    let clear: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM subscribers WHERE manage_salt = $1 OR legacy_token_hash = $1",
    )
    .bind(LEGACY_MANAGE_TOKEN)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(clear, 0, "the old token is nowhere in the database");
}

#[tokio::test]
async fn the_tenant_table_registry_matches_the_schema_and_drives_isolation() {
    let (app, owner) = fresh_database().await;
    let _store = PgStore::connect_with(app, Some(owner.clone()))
        .await
        .unwrap();
    let mut conn = PgConnection::connect_with(&owner).await.unwrap();
    let mut with_org_id: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns
          WHERE table_schema = current_schema() AND column_name = 'org_id'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    with_org_id.sort();
    let mut registered: Vec<String> = candor_store::tenancy::TENANT_TABLES
        .iter()
        .map(|t| t.name.to_owned())
        .collect();
    registered.sort();
    assert_eq!(with_org_id, registered, "tenant tables vs the registry");
    // The erase function walks the same list, in the same order.
    let walked: Vec<String> =
        sqlx::query_scalar("SELECT name FROM candor_tenant_tables ORDER BY erase_order")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let order: Vec<&str> = candor_store::tenancy::TENANT_TABLES
        .iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(walked, order);
    for table in candor_store::tenancy::TENANT_TABLES
        .iter()
        .filter(|t| t.isolated)
    {
        let (forced, policies): (bool, i64) = sqlx::query_as(
            "SELECT c.relrowsecurity AND c.relforcerowsecurity,
                    (SELECT count(*) FROM pg_policies p
                      WHERE p.tablename = c.relname AND p.policyname = 'tenant_isolation')
               FROM pg_class c WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace",
        )
        .bind(table.name)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert!(forced, "{}: row-level security not forced", table.name);
        assert_eq!(policies, 1, "{}: no tenant_isolation policy", table.name);
    }
    // A table whose migration forgot its policy gets it at the next start.
    sqlx::raw_sql(
        "DROP POLICY tenant_isolation ON drafts; ALTER TABLE drafts NO FORCE ROW LEVEL SECURITY",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let app = owner.clone().username(APP_ROLE);
    PgStore::connect_with(app, Some(owner)).await.unwrap();
    let restored: bool = sqlx::query_scalar(
        "SELECT c.relforcerowsecurity AND EXISTS (SELECT 1 FROM pg_policies p
                  WHERE p.tablename = 'drafts' AND p.policyname = 'tenant_isolation')
           FROM pg_class c WHERE c.relname = 'drafts' AND c.relnamespace = current_schema()::regnamespace",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(restored, "the registry restores isolation on drafts");
}
