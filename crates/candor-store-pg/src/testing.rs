//! Throwaway databases for tests, on the cluster named by `CANDOR_TEST_PG_URL`
//! (a superuser URL; `scripts/test.sh` starts such a cluster). Each call makes a
//! new database owned by that superuser and an app role that owns nothing.
#![allow(clippy::expect_used)]

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::PgStore;

/// The unprivileged role tests connect as.
pub const APP_ROLE: &str = "candor_app_test";

pub fn admin_options() -> PgConnectOptions {
    let url = std::env::var("CANDOR_TEST_PG_URL").expect(
        "CANDOR_TEST_PG_URL is not set: run scripts/test.sh, which starts a throwaway PostgreSQL",
    );
    PgConnectOptions::from_str(&url).expect("CANDOR_TEST_PG_URL is not a PostgreSQL URL")
}

/// A new, empty database: (app role options, owner options).
pub async fn fresh_database() -> (PgConnectOptions, PgConnectOptions) {
    let admin = admin_options();
    let mut conn = PgConnection::connect_with(&admin)
        .await
        .expect("connecting as the test superuser");
    let name = format!("candor_t_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("creating a test database");
    sqlx::raw_sql(
        "DO $$ BEGIN
           CREATE ROLE candor_app_test LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$",
    )
    .execute(&mut conn)
    .await
    .expect("creating the app role");
    let _ = conn.close().await;
    let owner = admin.clone().database(&name);
    let app = admin.database(&name).username(APP_ROLE);
    (app, owner)
}

/// A migrated store on a new database, connected as the app role.
pub async fn fresh_store() -> PgStore {
    let (app, owner) = fresh_database().await;
    PgStore::connect_with(app, Some(owner))
        .await
        .expect("connecting the test store")
}
