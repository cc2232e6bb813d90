//! `candor db migrate` and `candor db check` on a real PostgreSQL: each setup
//! mistake an operator makes is named with the statement that fixes it.
//! Needs `CANDOR_TEST_PG_URL` (a superuser URL; scripts/test.sh starts one).

use std::process::{Command, Output};

use crate::harness::{pg_admin_url, psql, unique_tag};

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn db_check_and_migrate_name_each_setup_mistake_with_its_fix() {
    let admin = pg_admin_url();
    let tag = unique_tag();
    let (db, owner_role, app_role) = (
        format!("candor_setup_{tag}"),
        format!("candor_setup_owner_{tag}"),
        format!("candor_setup_app_{tag}"),
    );
    let admin_url = url::Url::parse(&admin).unwrap();
    let psql_in = |database: &str, sql: &str| {
        let mut url = admin_url.clone();
        url.set_path(database);
        psql(url.as_str(), sql);
    };
    let psql = |sql: &str| psql_in(admin_url.path().trim_start_matches('/'), sql);
    psql(&format!("CREATE ROLE {owner_role} NOLOGIN"));
    psql(&format!(
        "CREATE ROLE {app_role} LOGIN NOSUPERUSER NOBYPASSRLS"
    ));
    let url_as = |role: &str| {
        let mut url = admin_url.clone();
        url.set_username(role).unwrap();
        url.set_path(&db);
        url.to_string()
    };
    let candor = |args: &[&str], owner: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_candor"));
        cmd.env("CANDOR_DATABASE_URL", url_as(&app_role))
            .env_remove("CANDOR_DATABASE_OWNER_URL")
            .args(args);
        if owner {
            cmd.env("CANDOR_DATABASE_OWNER_URL", url_as(&owner_role));
        }
        cmd.output().unwrap()
    };
    let expect = |out: Output, ok: bool, says: &[&str]| {
        let all = text(&out);
        assert_eq!(out.status.success(), ok, "{all}");
        for phrase in says {
            assert!(all.contains(phrase), "{phrase:?} not in:\n{all}");
        }
        assert!(
            !all.contains("at line"),
            "PostgreSQL's source line leaked:\n{all}"
        );
    };

    // No database yet.
    expect(
        candor(&["db", "check"], false),
        false,
        &[
            &format!("database \"{db}\" does not exist"),
            "CREATE DATABASE",
        ],
    );
    // Migrations need the owner's URL, and say so.
    expect(
        candor(&["db", "migrate"], false),
        false,
        &["--database-owner-url"],
    );
    // A database that the owner role does not own, and an owner that cannot log in.
    psql(&format!("CREATE DATABASE {db}"));
    expect(
        candor(&["db", "migrate"], true),
        false,
        &[&format!("ALTER ROLE {owner_role} LOGIN")],
    );
    psql(&format!("ALTER ROLE {owner_role} LOGIN"));
    expect(
        candor(&["db", "migrate"], true),
        false,
        &[&format!("ALTER DATABASE {db} OWNER TO {owner_role}")],
    );
    // Before migrating, the check says the schema is missing and what to run.
    expect(
        candor(&["db", "check"], false),
        false,
        &["schema is missing", "candor db migrate"],
    );
    psql(&format!("ALTER DATABASE {db} OWNER TO {owner_role}"));
    expect(
        candor(&["db", "migrate"], true),
        true,
        &["schema at version"],
    );
    expect(candor(&["db", "check"], false), true, &["ok"]);
    // Candor then runs as the app role alone.
    expect(candor(&["org", "list"], false), true, &[]);
    // An app role that could create objects (and so own them) is refused, with the fix.
    psql_in(&db, &format!("GRANT CREATE ON SCHEMA public TO {app_role}"));
    expect(
        candor(&["db", "check"], false),
        false,
        &["REVOKE CREATE ON SCHEMA"],
    );

    psql(&format!("DROP DATABASE {db} WITH (FORCE)"));
    psql(&format!("DROP ROLE {owner_role}"));
    psql(&format!("DROP ROLE {app_role}"));
}
