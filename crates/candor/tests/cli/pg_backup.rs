//! PostgreSQL backed up with its own tools, as README's Backups section says:
//! a base backup (`pg_basebackup`) with WAL archiving (`archive_command`)
//! restores to the last archived transaction, and `pg_dump` / `pg_restore`
//! copy a database whole. A cluster of the test's own (archiving must be on
//! when the cluster starts), from Debian's binaries.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use candor_demo::QUILLFEATHER;

use crate::harness::path_str;

/// A PostgreSQL cluster in `dir`, run as the postgres user when the test runs as root.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn new(dir: &Path) -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL from Debian's packages (scripts/test.sh installs it)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .max()
            .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let cluster = Cluster {
            bin,
            data: dir.join("data"),
            dir: dir.to_owned(),
            port,
            as_postgres,
        };
        cluster.own(dir);
        cluster
    }

    /// Gives `path` to the postgres user (when running as root).
    fn own(&self, path: &Path) {
        if self.as_postgres {
            let out = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(path)
                .output()
                .unwrap();
            assert!(out.status.success());
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(program));
            c
        } else {
            Command::new(self.bin.join(program))
        };
        let out = command.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn start(&self, settings: &str) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off {settings}",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                path_str(&self.data),
                "-l",
                path_str(&log),
                "-w",
                "-t",
                "120",
                "-o",
                &options,
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.run(
            "pg_ctl",
            &["-D", path_str(&self.data), "-m", "fast", "-w", "stop"],
        );
    }

    fn url(&self, user: &str, db: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{db}", self.port)
    }

    fn sql(&self, db: &str, sql: &str) -> String {
        let out = Command::new("psql")
            .args([
                &self.url("postgres", db),
                "-v",
                "ON_ERROR_STOP=1",
                "-tAqc",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", path_str(&self.data), "-m", "immediate", "stop"])
            .output();
        let _ = Command::new(self.bin.join("pg_ctl"))
            .args(["-D", path_str(&self.data), "-m", "immediate", "stop"])
            .output();
    }
}

/// `candor ARGS` against `db` as the app role (owner URL given for migrations).
fn candor(cluster: &Cluster, db: &str, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .env("CANDOR_DATABASE_URL", cluster.url("candor_app", db))
        .env("CANDOR_DATABASE_OWNER_URL", cluster.url("postgres", db))
        .env("CANDOR_MASTER_KEY_FILE", dir.join("master.key"))
        .env("CANDOR_PASSWORD", "a long enough passphrase")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "candor {args:?}: {text}");
    text
}

fn publish(cluster: &Cluster, db: &str, dir: &Path, rto: u32) {
    let file = dir.join("draft.yaml");
    std::fs::write(
        &file,
        QUILLFEATHER.replacen(
            "    rto_minutes: 240",
            &format!("    rto_minutes: {rto}"),
            1,
        ),
    )
    .unwrap();
    candor(
        cluster,
        db,
        dir,
        &["apply", path_str(&file), "--org", "acme"],
    );
    candor(cluster, db, dir, &["publish", "--org", "acme"]);
}

#[test]
fn postgresql_restores_to_the_last_archived_write_from_a_base_backup_and_from_pg_dump() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let archive = dir.join("wal-archive");
    std::fs::create_dir_all(&archive).unwrap();
    let cluster = Cluster::new(dir);
    cluster.run(
        "initdb",
        &[
            "-D",
            path_str(&cluster.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
        ],
    );
    // Every finished WAL segment is copied to the archive.
    let archiving = format!(
        "-c wal_level=replica -c archive_mode=on -c archive_command='cp %p {}/%f'",
        archive.display()
    );
    cluster.start(&archiving);
    cluster.sql(
        "postgres",
        "CREATE ROLE candor_app LOGIN NOSUPERUSER NOBYPASSRLS",
    );
    cluster.sql("postgres", "CREATE DATABASE candor");
    candor(&cluster, "candor", dir, &["db", "migrate"]);
    candor(
        &cluster,
        "candor",
        dir,
        &["org", "create", "acme", "--name", "Acme"],
    );
    publish(&cluster, "candor", dir, 101);

    // The base backup, then two more revisions that reach the archive.
    let base = dir.join("base");
    cluster.run(
        "pg_basebackup",
        &[
            "-d",
            &cluster.url("postgres", "postgres"),
            "-D",
            path_str(&base),
            "--checkpoint=fast",
        ],
    );
    publish(&cluster, "candor", dir, 102);
    publish(&cluster, "candor", dir, 103);
    let last = cluster.sql("postgres", "SELECT pg_walfile_name(pg_switch_wal())");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !archive.join(&last).exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "segment {last} never reached the archive"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // The data directory is lost; the base backup plus the archive bring it back.
    cluster.stop();
    std::fs::remove_dir_all(&cluster.data).unwrap();
    let out = Command::new("cp")
        .args(["-a"])
        .arg(&base)
        .arg(&cluster.data)
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(cluster.data.join("recovery.signal"), "").unwrap();
    let mut conf = std::fs::read_to_string(cluster.data.join("postgresql.auto.conf")).unwrap();
    conf.push_str(&format!(
        "restore_command = 'cp {}/%f %p'\n",
        archive.display()
    ));
    std::fs::write(cluster.data.join("postgresql.auto.conf"), conf).unwrap();
    cluster.own(&cluster.data);
    let out = Command::new("chmod")
        .arg("700")
        .arg(&cluster.data)
        .output()
        .unwrap();
    assert!(out.status.success());
    cluster.start(&archiving);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while cluster.sql("postgres", "SELECT pg_is_in_recovery()") == "t" {
        assert!(
            std::time::Instant::now() < deadline,
            "recovery never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Every revision published before the loss is back, with its log and audit chain.
    let listed = candor(&cluster, "candor", dir, &["org", "list"]);
    assert!(listed.contains("revision 3"), "{listed}");
    let verified = candor(&cluster, "candor", dir, &["log", "verify", "--org", "acme"]);
    assert!(verified.contains("3 entries"), "{verified}");
    candor(
        &cluster,
        "candor",
        dir,
        &["audit", "verify", "--org", "acme"],
    );
    candor(&cluster, "candor", dir, &["db", "check"]);
    // The operator holds publishing, as after any restore, until the log is
    // checked against a copy readers saw (here the restore lost nothing).
    let held = candor(&cluster, "candor", dir, &["log", "hold", "--all"]);
    assert!(held.contains("acme: publishing held at 3"), "{held}");

    // pg_dump and pg_restore: the same database, whole, in another one.
    let dump = dir.join("candor.dump");
    cluster.run(
        "pg_dump",
        &[
            "--format=custom",
            "-f",
            path_str(&dump),
            &cluster.url("postgres", "candor"),
        ],
    );
    cluster.sql("postgres", "CREATE DATABASE candor_copy");
    cluster.run(
        "pg_restore",
        &[
            "-d",
            &cluster.url("postgres", "candor_copy"),
            path_str(&dump),
        ],
    );
    candor(&cluster, "candor_copy", dir, &["db", "check"]);
    let verified = candor(
        &cluster,
        "candor_copy",
        dir,
        &["log", "verify", "--org", "acme"],
    );
    assert!(verified.contains("3 entries"), "{verified}");
    cluster.stop();
}
