//! The `candor` binary: command line, configuration and wiring.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use candor_domain::audit::{AuditAction, AuditEvent};
use candor_domain::policy::Role;
use candor_domain::{ContentError, OrgSlug, TrustCenter, diff};
use candor_store::{
    MembershipChange, MembershipOutcome, OrgScope, PublishOutcome, SharedStore, create_org,
    publish_draft, scope_for, verify_audit,
};
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

mod demo;
mod watch;

/// Who the audit log says did what the command line does: the operator, who
/// has shell access to the server, not a member of the org.
const ACTOR: &str = "operator:cli";

#[derive(Parser)]
#[command(
    name = "candor",
    version,
    about = "A trust center whose every claim can be verified"
)]
struct Cli {
    /// sqlite://PATH (created if missing) or postgres://APP_ROLE@HOST/DB
    #[arg(
        long,
        global = true,
        env = "CANDOR_DATABASE_URL",
        default_value = "sqlite://candor.db"
    )]
    database_url: String,
    /// PostgreSQL only: the schema owner's URL; when given, migrations run first.
    #[arg(
        long,
        global = true,
        env = "CANDOR_DATABASE_OWNER_URL",
        hide_env_values = true
    )]
    database_owner_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the public trust pages and the API.
    Serve {
        #[arg(long, env = "CANDOR_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load (or refresh) the two demo companies and list them on the home page.
        #[arg(long)]
        demo: bool,
        /// Candor is reached over HTTPS (directly or through a TLS proxy): send HSTS.
        #[arg(long, env = "CANDOR_HTTPS")]
        https: bool,
        /// The master key that seals each org's log signing key: 64 hex digits in a
        /// file, created (mode 0600) if missing. Every replica needs the same file.
        #[arg(
            long,
            env = "CANDOR_MASTER_KEY_FILE",
            default_value = "candor-master.key"
        )]
        master_key_file: PathBuf,
        /// Host name in each org's log origin (HOST/SLUG), named by every checkpoint
        /// signature: set it to the public host before publishing for real.
        #[arg(long, env = "CANDOR_LOG_HOST", default_value = "localhost")]
        log_host: String,
        /// Do not run the background worker in this process (run `candor worker` instead).
        #[arg(long, env = "CANDOR_NO_WORKER")]
        no_worker: bool,
        /// Serve HTTPS directly with this certificate chain (PEM); implies --https.
        #[arg(long, env = "CANDOR_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The private key of --tls-cert (PEM).
        #[arg(long, env = "CANDOR_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// With --tls-cert: also listen for plain HTTP here (e.g. 0.0.0.0:80) and
        /// redirect every request to the same host and path over HTTPS, on the
        /// port of --public-url (or of --listen).
        #[arg(long, env = "CANDOR_HTTP_REDIRECT_LISTEN", requires = "tls_cert")]
        http_redirect_listen: Option<String>,
        #[command(flatten)]
        outbound: Outbound,
        #[command(flatten)]
        rates: Rates,
    },
    /// Run only the background worker: turn published revisions into notices and
    /// deliver queued mail and webhooks. Stops cleanly on SIGTERM.
    Worker {
        #[arg(
            long,
            env = "CANDOR_MASTER_KEY_FILE",
            default_value = "candor-master.key"
        )]
        master_key_file: PathBuf,
        #[command(flatten)]
        outbound: Outbound,
    },
    /// Check hosts the way public scanners do: the HTTP→HTTPS redirect, TLS, HSTS,
    /// CSP and the other security headers, cookies, CORS and security.txt, with
    /// one line per verdict, and the score and grade the MDN HTTP Observatory's
    /// rules give the same site. Exits 1 if any check fails.
    Verify {
        #[arg(required = true)]
        urls: Vec<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Allow loopback and private addresses.
        #[arg(long)]
        allow_private: bool,
        /// Also trust the CA certificates in this PEM file (a private CA).
        #[arg(long)]
        ca_file: Option<PathBuf>,
        /// The plain-HTTP address whose redirect to check, when HTTPS is on a
        /// non-default port (e.g. http://127.0.0.1:8080/).
        #[arg(long)]
        http: Option<String>,
        /// The HSTS preload list for the Observatory-rules grade: the Observatory's
        /// conf/hsts-preload.json or Chromium's transport_security_state_static.json.
        /// Without it no host counts as preloaded.
        #[arg(long)]
        hsts_preload_list: Option<PathBuf>,
    },
    /// Rotate the master key: `rotate` puts a new key first in the key file and
    /// re-seals every org's secrets and data keys under it (files are not rewritten);
    /// `retire` drops the old keys once nothing needs them.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Manage orgs (tenants).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Create or update an org's draft from a trust-as-code YAML file.
    Apply {
        file: PathBuf,
        #[arg(long)]
        org: String,
        /// Print what would change and store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write an org's draft (or, without one, its latest revision) as trust-as-code YAML.
    Export {
        #[arg(long)]
        org: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Freeze the draft into the next immutable, numbered revision.
    Publish {
        #[arg(long)]
        org: String,
    },
    /// Show what changed between two revisions (numbers, or `draft`).
    Diff {
        #[arg(long)]
        org: String,
        from: String,
        to: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Manage people who can sign in to the admin UI.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check an org's transparency log against its revisions.
    Log {
        #[command(subcommand)]
        command: LogCommand,
    },
    /// Read or check an org's audit log of privileged writes.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Answer a data-subject request (GDPR) for one org.
    Privacy {
        #[command(subcommand)]
        command: PrivacyCommand,
    },
    /// Watch a vendor's trust center: verify its log and report what changed.
    ///
    /// Verifies the signed checkpoint against a pinned key, its consistency with the
    /// last one seen, the inclusion of every new entry and the latest content's hash;
    /// exits 1 on any verification failure.
    Watch {
        /// The trust center, e.g. https://trust.example.com/acme
        url: String,
        /// Where the last verified checkpoint is remembered.
        #[arg(long, default_value = "candor-watch.json")]
        state: PathBuf,
        /// The log's verifier key; without it the first run pins the served key.
        #[arg(long)]
        key: Option<String>,
        /// One JSON object on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Print a JSON Schema: of the trust-as-code file, or of trust.json.
    Schema {
        #[arg(value_enum, default_value = "trust-center")]
        document: SchemaDocument,
    },
}

/// Rate limits, per replica and per minute.
#[derive(clap::Args, Clone, Copy)]
struct Rates {
    /// Password checks (sign-in, invitations, password forms) per client address
    /// and per account.
    #[arg(long, env = "CANDOR_LOGIN_ATTEMPTS_PER_MINUTE", default_value = "10")]
    login_attempts_per_minute: std::num::NonZeroU32,
    /// Anonymous form posts (subscribe, report, request a document, validate) per address.
    #[arg(long, env = "CANDOR_PUBLIC_FORMS_PER_MINUTE", default_value = "20")]
    public_forms_per_minute: std::num::NonZeroU32,
    /// State-changing requests per client address.
    #[arg(long, env = "CANDOR_WRITES_PER_MINUTE", default_value = "120")]
    writes_per_minute: std::num::NonZeroU32,
    /// State-changing requests per account or API token.
    #[arg(long, env = "CANDOR_ACCOUNT_WRITES_PER_MINUTE", default_value = "60")]
    account_writes_per_minute: std::num::NonZeroU32,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password comes from CANDOR_PASSWORD, or from the
    /// first line of standard input with --password-stdin; otherwise one is
    /// generated and printed once.
    Add {
        email: String,
        #[arg(long)]
        password_stdin: bool,
        /// Also make the account a member of this org…
        #[arg(long, requires = "role")]
        org: Option<String>,
        /// …with this role: owner, admin, editor or viewer.
        #[arg(long, requires = "org")]
        role: Option<String>,
    },
    /// Set an account's password (a reset by the operator) and end all its
    /// sessions. The password comes as for `add`.
    SetPassword {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove an account from an org (refused for its last owner).
    Remove {
        email: String,
        #[arg(long)]
        org: String,
    },
    /// Delete an account: it leaves every org (each audited there), then its
    /// sessions and the account are deleted. Refused while it is an org's only owner.
    Delete { email: String },
}

#[derive(Subcommand)]
enum LogCommand {
    /// Every revision has exactly its entry in the log, and the tree is whole.
    Verify {
        #[arg(long)]
        org: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain and head: exits non-zero if any entry was edited or removed.
    Verify {
        #[arg(long)]
        org: String,
        /// Also check the log against a signed audit checkpoint kept earlier (from
        /// GET /api/v1/orgs/{org}/audit/checkpoint): it must still be a prefix.
        #[arg(long, requires = "key")]
        checkpoint: Option<PathBuf>,
        /// The audit log's verifier key (GET /api/v1/orgs/{org}/audit/key).
        #[arg(long, requires = "checkpoint")]
        key: Option<String>,
    },
    /// Print the entries, oldest first.
    List {
        #[arg(long)]
        org: String,
    },
}

#[derive(Subcommand)]
enum PrivacyCommand {
    /// Erase everything the org holds about one person (Art. 17): subscriptions,
    /// document requests with their downloads, and their name and address in
    /// vulnerability reports. One transaction with its audit entry.
    Erase {
        #[arg(long)]
        org: String,
        /// The person's email address.
        #[arg(long)]
        email: String,
        /// Needed to re-seal the person's vulnerability reports without them.
        #[arg(
            long,
            env = "CANDOR_MASTER_KEY_FILE",
            default_value = "candor-master.key"
        )]
        master_key_file: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SchemaDocument {
    /// The trust-as-code YAML file (also the API's JSON body).
    TrustCenter,
    /// A published revision as served at /{org}/trust.json.
    TrustJson,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new master key in front of the current ones and re-seal everything
    /// under it. Running servers re-read the key file when they need the new key.
    Rotate {
        #[arg(
            long,
            env = "CANDOR_MASTER_KEY_FILE",
            default_value = "candor-master.key"
        )]
        master_key_file: PathBuf,
    },
    /// Remove every key but the first from the key file, after checking that every
    /// sealed value opens with the first alone.
    Retire {
        #[arg(
            long,
            env = "CANDOR_MASTER_KEY_FILE",
            default_value = "candor-master.key"
        )]
        master_key_file: PathBuf,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an org with an empty history.
    Create {
        slug: String,
        #[arg(long)]
        name: String,
    },
    /// List orgs.
    List,
    /// Serve an org on its own host name as well (its /.well-known/security.txt,
    /// and / redirecting to its page). Point the host at Candor first.
    SetHost {
        slug: String,
        /// The host name, e.g. trust.example.com; omit with --clear.
        host: Option<String>,
        #[arg(long, conflicts_with = "host")]
        clear: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(matches!(
        cli.command,
        Command::Serve { .. } | Command::Worker { .. }
    ));
    // One TLS stack: rustls with ring, for reqwest (webhooks, watch) and lettre alike.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(server: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if server { "info" } else { "warn" };
    let filter = EnvFilter::try_from_env("CANDOR_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // JSON lines on stderr: stdout stays clean for command output.
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .init();
}

/// The file of a `sqlite://PATH` database URL.
fn sqlite_file(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
}

async fn open_store(cli: &Cli) -> Result<SharedStore> {
    let url = cli.database_url.as_str();
    if let Some(path) = sqlite_file(url) {
        if path.is_empty() {
            bail!("--database-url sqlite:// needs a file path, e.g. sqlite://candor.db");
        }
        let store = candor_store_sqlite::SqliteStore::open(path)
            .await
            .with_context(|| format!("opening SQLite database {path}"))?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = candor_store_pg::PgStore::connect(url, cli.database_owner_url.as_deref())
            .await
            .context("connecting to PostgreSQL")?;
        Ok(Arc::new(store))
    } else {
        bail!("--database-url must start with sqlite:// or postgres://")
    }
}

fn parse_slug(slug: &str) -> Result<OrgSlug> {
    slug.parse::<OrgSlug>().map_err(|e| anyhow!("--org: {e}"))
}

async fn existing_org(store: &SharedStore, slug: &str) -> Result<OrgScope> {
    let slug = parse_slug(slug)?;
    scope_for(&**store, &slug).await?.ok_or_else(|| {
        anyhow!("no org {slug}; create it with `candor org create {slug} --name NAME`")
    })
}

async fn existing_user(store: &SharedStore, email: &str) -> Result<candor_store::User> {
    let email = candor_web::auth::normalize_email(email);
    store
        .credentials_by_email(&email)
        .await?
        .map(|c| c.user)
        .ok_or_else(|| anyhow!("no account has the email {email}"))
}

/// Prints every field error, one per line, for a refused document.
fn report_invalid(file: &std::path::Path, err: &ContentError) -> ExitCode {
    eprintln!(
        "error: {} is not a valid trust center; nothing was changed",
        file.display()
    );
    for e in &err.errors {
        eprintln!("  {e}");
    }
    ExitCode::from(2)
}

/// How Candor reaches people and machines: links, SMTP, webhooks, worker pacing.
#[derive(clap::Args, Clone, Debug)]
struct Outbound {
    /// The URL readers reach this server at; links in mail, webhooks and the feed
    /// start with it. Default: http://LISTEN/.
    #[arg(long, env = "CANDOR_PUBLIC_URL")]
    public_url: Option<url::Url>,
    /// SMTP server for outgoing mail: smtp://host:25, smtp://host:587?tls=required,
    /// smtps://user:password@host:465. Without it, mail waits in the queue.
    #[arg(long, env = "CANDOR_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender of outgoing mail. Default: notifications@ the public URL's host.
    #[arg(long, env = "CANDOR_MAIL_FROM")]
    mail_from: Option<String>,
    /// Let webhook subscribers name loopback and private addresses.
    #[arg(long, env = "CANDOR_ALLOW_PRIVATE_WEBHOOKS")]
    allow_private_webhooks: bool,
    /// Seconds a claimed message stays claimed; a worker killed mid-send is
    /// retried after this.
    #[arg(long, env = "CANDOR_WORKER_LEASE_SECONDS", default_value_t = 60)]
    worker_lease_seconds: u64,
    /// Milliseconds between the worker's passes when nothing wakes it.
    #[arg(long, env = "CANDOR_WORKER_POLL_MS", default_value_t = 2000)]
    worker_poll_ms: u64,
    /// Waits between attempts, in seconds, comma-separated (default: 5,300,1800,7200,18000,36000,36000).
    #[arg(long, env = "CANDOR_WORKER_BACKOFF_SECONDS", value_delimiter = ',')]
    worker_backoff_seconds: Vec<u64>,
    /// Minutes between evidence checks of each host (results older than twice this
    /// show as stale, never as passing).
    /// Fractions are allowed (0.5 is 30 s); at least one second.
    #[arg(long, env = "CANDOR_CHECK_INTERVAL_MINUTES", default_value_t = 360.0, value_parser = parse_minutes)]
    check_interval_minutes: f64,
    /// Let evidence checks and host proofs reach loopback and private addresses.
    #[arg(long, env = "CANDOR_ALLOW_PRIVATE_CHECKS")]
    allow_private_checks: bool,
    /// Also trust the CA certificates in this PEM file when checking hosts.
    #[arg(long, env = "CANDOR_CHECK_CA_FILE")]
    check_ca_file: Option<PathBuf>,
    /// Fixed addresses for checked hosts, HOST=IP:PORT (repeatable), like curl's --resolve.
    #[arg(long, env = "CANDOR_CHECK_RESOLVE", value_delimiter = ',')]
    check_resolve: Vec<String>,
    /// Look up DNS proofs of host control (TXT at _candor-verification.HOST) with
    /// this name server (IP:PORT) instead of the system's resolvers.
    #[arg(long, env = "CANDOR_CHECK_DNS_SERVER")]
    check_dns_server: Option<std::net::SocketAddr>,
}

/// Minutes as a positive number, from one second to ten years.
fn parse_minutes(text: &str) -> std::result::Result<f64, String> {
    let minutes: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of minutes"))?;
    if minutes.is_finite() && (1.0 / 60.0..=10.0 * 365.0 * 24.0 * 60.0).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(format!("{text} minutes: want one second to ten years"))
    }
}

impl Outbound {
    fn scan_options(&self) -> Result<candor_verify::scan::ScanOptions> {
        let mut options = candor_verify::scan::ScanOptions {
            allow_private: self.allow_private_checks,
            ..Default::default()
        };
        if let Some(path) = &self.check_ca_file {
            options
                .extra_roots
                .push(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?);
        }
        for entry in &self.check_resolve {
            let (host, addr) = entry
                .split_once('=')
                .ok_or_else(|| anyhow!("--check-resolve {entry:?}: want HOST=IP:PORT"))?;
            let addr = addr
                .parse()
                .map_err(|_| anyhow!("--check-resolve {entry:?}: {addr} is not IP:PORT"))?;
            options.resolve.push((host.to_ascii_lowercase(), addr));
        }
        options.dns_server = self.check_dns_server;
        Ok(options)
    }

    fn check_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.check_interval_minutes * 60.0)
    }

    fn public_url(&self, listen: &str, scheme: &str) -> Result<url::Url> {
        match &self.public_url {
            Some(url) => Ok(url.clone()),
            None => url::Url::parse(&format!("{scheme}://{listen}/"))
                .with_context(|| format!("no --public-url, and {scheme}://{listen}/ is not a URL")),
        }
    }

    fn worker(
        &self,
        store: SharedStore,
        master: Option<Arc<candor_store::keys::MasterKey>>,
        public_url: url::Url,
    ) -> Result<candor_jobs::Worker> {
        let host = public_url.host_str().unwrap_or("localhost").to_owned();
        let mailer = match &self.smtp_url {
            Some(smtp) => {
                let from = self
                    .mail_from
                    .clone()
                    .unwrap_or_else(|| format!("notifications@{host}"));
                Some(
                    candor_jobs::mail::Mailer::new(smtp, &from, &host)
                        .map_err(anyhow::Error::msg)?,
                )
            }
            None => {
                tracing::warn!(
                    "no --smtp-url: mail is not sent; each message is retried on the usual back-off, then marked failed"
                );
                None
            }
        };
        let mut config = candor_jobs::WorkerConfig::new(public_url);
        config.lease = std::time::Duration::from_secs(self.worker_lease_seconds.max(1));
        config.poll_interval = std::time::Duration::from_millis(self.worker_poll_ms.max(10));
        if !self.worker_backoff_seconds.is_empty() {
            config.backoff = self
                .worker_backoff_seconds
                .iter()
                .map(|s| std::time::Duration::from_secs(*s))
                .collect();
        }
        config.allow_private_targets = self.allow_private_webhooks;
        let mut evidence = candor_jobs::evidence::EvidenceConfig::new(self.scan_options()?);
        evidence.interval = self.check_interval();
        config.evidence = Some(evidence);
        candor_jobs::Worker::new(store, master, mailer, config).map_err(anyhow::Error::msg)
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Verify {
        urls,
        json,
        allow_private,
        ca_file,
        http,
        hsts_preload_list,
    } = &cli.command
    {
        let mut options = candor_verify::scan::ScanOptions {
            allow_private: *allow_private,
            http_url: http.clone(),
            ..Default::default()
        };
        if let Some(path) = ca_file {
            options
                .extra_roots
                .push(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?);
        }
        if let Some(path) = hsts_preload_list {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let list = candor_verify::observatory::PreloadList::from_json(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            options.hsts_preload = Arc::new(list);
        }
        return verify(urls, *json, &options).await;
    }
    if let Command::Watch {
        url,
        state,
        key,
        json,
    } = &cli.command
    {
        return Ok(run_watch(url, state, key.as_deref(), *json).await);
    }
    if let Command::Schema { document } = cli.command {
        println!("{}", schema_json(document));
        return Ok(ExitCode::SUCCESS);
    }
    // A dry run stores nothing, so it must not create a database either.
    if let Command::Apply {
        file,
        org,
        dry_run: true,
    } = &cli.command
        && let Some(path) = sqlite_file(&cli.database_url)
        && !path.is_empty()
        && !std::path::Path::new(path).exists()
    {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        if let Err(e) = TrustCenter::from_yaml(&text) {
            return Ok(report_invalid(file, &e));
        }
        bail!(
            "no database at {path}, so no org {org}: {} is valid, and nothing was created \
             (create the org with `candor org create {org} --name NAME`)",
            file.display()
        );
    }
    let store = open_store(&cli).await?;
    match cli.command {
        // Printed above, before any database is opened.
        Command::Schema { .. } | Command::Watch { .. } | Command::Verify { .. } => {
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            listen,
            demo,
            https,
            master_key_file,
            log_host,
            no_worker,
            tls_cert,
            tls_key,
            http_redirect_listen,
            outbound,
            rates,
        } => {
            let master = load_master_key(&master_key_file)?;
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    let read = |p: &PathBuf| {
                        std::fs::read(p).with_context(|| format!("reading {}", p.display()))
                    };
                    Some(
                        candor_web::tls_config(&read(&cert)?, &read(&key)?)
                            .map_err(anyhow::Error::msg)?,
                    )
                }
                _ => None,
            };
            serve(
                store,
                &listen,
                ServeOptions {
                    demo,
                    https: https || tls.is_some(),
                    tls,
                    http_redirect_listen,
                    master,
                    log_host,
                    worker: !no_worker,
                    outbound,
                    rates,
                },
            )
            .await
        }
        Command::Worker {
            master_key_file,
            outbound,
        } => {
            let master = Arc::new(load_master_key(&master_key_file)?);
            let public_url = outbound.public_url("127.0.0.1:8080", "http")?;
            let worker = outbound.worker(store, Some(master), public_url)?;
            let stop = CancellationToken::new();
            let trigger = stop.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                trigger.cancel();
            });
            tracing::info!("worker running");
            worker.run(stop).await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys {
            command: KeysCommand::Rotate { master_key_file },
        } => {
            let master = candor_store::keys::MasterKey::from_file(master_key_file.clone())
                .map_err(anyhow::Error::msg)?;
            let ring = master.with_new_primary()?;
            // The file first: if re-sealing stops halfway, the ring still opens all.
            write_key_file(&master_key_file, &ring.to_file_text())?;
            let mut sealed = 0;
            let orgs = store.list_orgs().await?;
            for org in &orgs {
                if let Some(scope) = scope_for(&*store, &org.slug).await? {
                    sealed += candor_store::documents::rewrap(&*store, &scope, &ring)
                        .await
                        .with_context(|| format!("re-sealing {}", org.slug))?;
                }
            }
            println!(
                "new master key in {}; re-sealed {sealed} secrets of {} orgs; the old key stays in the file until `candor keys retire`",
                master_key_file.display(),
                orgs.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys {
            command: KeysCommand::Retire { master_key_file },
        } => {
            let master = candor_store::keys::MasterKey::from_file(master_key_file.clone())
                .map_err(anyhow::Error::msg)?;
            if master.key_count() == 1 {
                println!(
                    "nothing to retire: {} holds one key",
                    master_key_file.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let primary = master.primary_only();
            for org in store.list_orgs().await? {
                let Some(scope) = scope_for(&*store, &org.slug).await? else {
                    continue;
                };
                for item in store.sealed_items(&scope).await? {
                    if primary
                        .open(&item.purpose, scope.org_id(), &item.sealed)
                        .is_err()
                    {
                        bail!(
                            "{} of org {} is still sealed with an old key; run `candor keys rotate` first",
                            item.purpose,
                            org.slug
                        );
                    }
                }
            }
            write_key_file(&master_key_file, &primary.to_file_text())?;
            println!(
                "retired {} old key(s) from {}",
                master.key_count() - 1,
                master_key_file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Org {
            command: OrgCommand::Create { slug, name },
        } => {
            let scope = create_org(&*store, &parse_slug(&slug)?, &name).await?;
            println!("created org {}", scope.slug());
            Ok(ExitCode::SUCCESS)
        }
        Command::Org {
            command: OrgCommand::SetHost { slug, host, clear },
        } => {
            let slug = parse_slug(&slug)?;
            let host = match (host, clear) {
                (Some(host), false) => {
                    let host = host.trim_end_matches('.').to_ascii_lowercase();
                    host.parse::<candor_domain::types::HostName>()
                        .map_err(|e| anyhow!("host: {e}"))?;
                    Some(host)
                }
                (None, true) => None,
                _ => bail!("give a host name, or --clear"),
            };
            store.set_org_host(&slug, host.as_deref()).await?;
            match host {
                Some(host) => println!("{slug} is also served on {host}"),
                None => println!("{slug} has no host name of its own"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Org {
            command: OrgCommand::List,
        } => {
            for org in store.list_orgs().await? {
                let latest = match scope_for(&*store, &org.slug).await? {
                    Some(scope) => store
                        .latest_revision_summary(&scope)
                        .await?
                        .map(|r| r.number),
                    None => None,
                };
                let latest = latest
                    .map(|n| format!("revision {n}"))
                    .unwrap_or_else(|| "unpublished".into());
                println!("{}\t{}\t{latest}", org.slug, org.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Apply { file, org, dry_run } => apply(&store, &file, &org, dry_run).await,
        Command::Export { org, output } => {
            let scope = existing_org(&store, &org).await?;
            let content = match store.draft(&scope).await? {
                Some(draft) => draft.content,
                None => store
                    .latest_revision(&scope)
                    .await?
                    .map(|r| r.content)
                    .ok_or_else(|| anyhow!("org {org} has no draft and no revision to export"))?,
            };
            let yaml = content.to_yaml();
            match output {
                Some(path) => std::fs::write(&path, yaml)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{yaml}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Publish { org } => {
            let scope = existing_org(&store, &org).await?;
            match publish_draft(&*store, &scope, time::OffsetDateTime::now_utc(), ACTOR).await? {
                PublishOutcome::Published { revision, changes } => {
                    println!(
                        "published revision {} of {org} ({})",
                        revision.number, revision.content_hash
                    );
                    for line in changes.describe() {
                        println!("  {line}");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                PublishOutcome::Unchanged { latest } => {
                    println!("nothing to publish: the draft equals revision {latest}");
                    Ok(ExitCode::SUCCESS)
                }
                PublishOutcome::NoDraft => {
                    bail!("org {org} has no draft; run `candor apply FILE --org {org}` first")
                }
                PublishOutcome::Refused(refusal) => {
                    bail!("not published: {refusal}")
                }
            }
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    password_stdin,
                    org,
                    role,
                },
        } => {
            let email = candor_web::auth::normalize_email(&email);
            if email.parse::<candor_domain::types::Email>().is_err() {
                bail!("{email:?} is not an email address");
            }
            let membership = match (org, role) {
                (Some(org), Some(role)) => {
                    let role: Role = role.parse().map_err(anyhow::Error::msg)?;
                    Some((existing_org(&store, &org).await?, role))
                }
                _ => None,
            };
            let (password, generated) = read_password(password_stdin)?;
            let hash = candor_web::auth::hash_password(&password)?;
            let user = store
                .insert_user(&email, &hash)
                .await
                .map_err(|e| match e {
                    candor_store::StoreError::Conflict(_) => {
                        anyhow!("an account with this email already exists")
                    }
                    other => other.into(),
                })?;
            if let Some((scope, role)) = membership {
                let event = AuditEvent {
                    actor: ACTOR.into(),
                    action: "member.set_role".into(),
                    target: format!("user:{} role:{}", user.id, role.as_str()),
                    at: time::OffsetDateTime::now_utc(),
                };
                store.set_member_role(&scope, user.id, role, &event).await?;
                println!("created account {} ({role:?} of {})", user.id, scope.slug());
            } else {
                println!("created account {}", user.id);
            }
            if generated {
                println!("password (shown once): {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::SetPassword {
                    email,
                    password_stdin,
                },
        } => {
            let user = existing_user(&store, &email).await?;
            let (password, generated) = read_password(password_stdin)?;
            let hash = candor_web::auth::hash_password(&password)?;
            store.set_password(user.id, &hash, None).await?;
            println!(
                "password of account {} set; all its sessions ended",
                user.id
            );
            if generated {
                println!("password (shown once): {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command: UserCommand::Remove { email, org },
        } => {
            let user = existing_user(&store, &email).await?;
            let scope = existing_org(&store, &org).await?;
            let event = AuditEvent {
                actor: ACTOR.into(),
                action: "member.remove".into(),
                target: format!("user:{}", user.id),
                at: time::OffsetDateTime::now_utc(),
            };
            match store
                .change_membership(&scope, user.id, MembershipChange::Remove, &event)
                .await?
            {
                MembershipOutcome::Done => {
                    println!("removed account {} from {org}", user.id);
                    Ok(ExitCode::SUCCESS)
                }
                MembershipOutcome::NotMember => bail!("that account is not a member of {org}"),
                MembershipOutcome::LastOwner => {
                    bail!("that account is the only owner of {org}; make someone else owner first")
                }
            }
        }
        Command::User {
            command: UserCommand::Delete { email },
        } => {
            let user = existing_user(&store, &email).await?;
            if let candor_store::AccountDeletion::OnlyOwnerOf(slug) =
                candor_store::delete_account(&*store, user.id, ACTOR, AuditAction::MemberRemove)
                    .await?
            {
                bail!("that account is the only owner of {slug}; make someone else owner first");
            }
            println!("deleted account {}", user.id);
            Ok(ExitCode::SUCCESS)
        }
        Command::Log {
            command: LogCommand::Verify { org },
        } => {
            let scope = existing_org(&store, &org).await?;
            match verify_log(&store, &scope).await? {
                Ok(size) => {
                    println!(
                        "transparency log of {org}: {size} entries, one per revision, every inclusion proof verifies"
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(problem) => {
                    eprintln!("transparency log of {org} FAILED verification: {problem}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Privacy {
            command:
                PrivacyCommand::Erase {
                    org,
                    email,
                    master_key_file,
                },
        } => {
            let scope = existing_org(&store, &org).await?;
            let master = candor_store::keys::MasterKey::from_file(master_key_file.clone())
                .map_err(anyhow::Error::msg)?;
            let email = candor_web::auth::normalize_email(&email);
            let erased =
                candor_app::privacy::erase_person(&*store, &scope, Some(&master), ACTOR, &email)
                    .await?;
            println!(
                "erased {} subscription(s), {} document request(s) and the reporter's identity in {} report(s)",
                erased.subscriptions, erased.requests, erased.reports
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    org,
                    checkpoint,
                    key,
                },
        } => {
            let scope = existing_org(&store, &org).await?;
            let outcome = match (checkpoint, key) {
                (Some(file), Some(key)) => {
                    let note = std::fs::read_to_string(&file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    candor_store::verify_audit_against(&*store, &scope, &note, &key).await?
                }
                _ => verify_audit(&*store, &scope)
                    .await?
                    .map_err(|e| e.to_string()),
            };
            match outcome {
                Ok(n) => {
                    println!("audit log of {org}: {n} entries, chain and head intact");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("audit log of {org} FAILED verification: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Audit {
            command: AuditCommand::List { org },
        } => {
            let scope = existing_org(&store, &org).await?;
            for entry in store.audit_log(&scope).await?.entries {
                let at = entry
                    .event
                    .at
                    .format(&time::format_description::well_known::Rfc3339)?;
                println!(
                    "{}\t{at}\t{}\t{}\t{}",
                    entry.seq, entry.event.actor, entry.event.action, entry.event.target
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff {
            org,
            from,
            to,
            json,
        } => {
            let scope = existing_org(&store, &org).await?;
            let old = load_version(&store, &scope, &from).await?;
            let new = load_version(&store, &scope, &to).await?;
            let changes = diff(&old, &new);
            if json {
                println!("{}", serde_json::to_string_pretty(&changes)?);
            } else if changes.is_empty() {
                println!("no differences between {from} and {to}");
            } else {
                for line in changes.describe() {
                    println!("{line}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn schema_json(document: SchemaDocument) -> String {
    let schema = match document {
        SchemaDocument::TrustCenter => schemars::schema_for!(TrustCenter),
        SchemaDocument::TrustJson => {
            schemars::schema_for!(candor_domain::PublishedDocument<'static>)
        }
    };
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

/// Checks the log from the operator's side: entry i is exactly revision i + 1's
/// entry, nothing follows the last revision, and every entry's inclusion proof
/// leads to the current root. `Ok(Err(_))` names the first problem.
async fn verify_log(
    store: &SharedStore,
    scope: &OrgScope,
) -> Result<std::result::Result<u64, String>> {
    use candor_store::log::{log_inclusion, log_root, log_size};
    let size = log_size(&**store, scope).await?;
    let root = log_root(&**store, scope, size).await?;
    for index in 0..size {
        let Some(revision) = store.revision(scope, index + 1).await? else {
            return Ok(Err(format!("revision {} is missing", index + 1)));
        };
        let Some(entry) = store.log_entry(scope, index).await? else {
            return Ok(Err(format!("revision {} has no log entry", index + 1)));
        };
        if entry != revision.log_entry(scope.slug().as_str()) {
            return Ok(Err(format!(
                "log entry {index} does not record revision {}",
                index + 1
            )));
        }
        let proof = log_inclusion(&**store, scope, index, size).await?;
        if proof.leaf != candor_log::leaf_hash(&entry)
            || candor_log::tree::verify_inclusion(&proof.leaf, index, size, &proof.proof, &root)
                .is_err()
        {
            return Ok(Err(format!(
                "log entry {index} is not provably in the tree"
            )));
        }
    }
    if store.log_entry(scope, size).await?.is_some() {
        return Ok(Err(format!("log entry {size} exists without a revision")));
    }
    Ok(Ok(size))
}

/// Exit status: 0 verified, 1 verification failed, 2 could not check.
async fn run_watch(url: &str, state: &std::path::Path, key: Option<&str>, json: bool) -> ExitCode {
    match watch::run(url, state, key).await {
        Ok(report) => {
            if json {
                println!("{}", report.to_json());
            } else {
                if let Some(k) = &report.pinned_key {
                    println!(
                        "pinned log key {k} (first use; compare it with the one on the trust page)"
                    );
                }
                if report.from == report.to && !report.first_run {
                    println!(
                        "{}: no new revisions (log size {}), verified",
                        report.org, report.to
                    );
                } else {
                    println!(
                        "{}: log verified from size {} to {}",
                        report.org, report.from, report.to
                    );
                }
                for line in &report.changes {
                    println!("  {line}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(watch::WatchError::Verification(message)) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "verified": false, "error": message})
                );
            }
            eprintln!("VERIFICATION FAILED: {message}");
            ExitCode::from(1)
        }
        Err(watch::WatchError::Other(e)) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "error": format!("{e:#}")})
                );
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The new account's password, and whether it was generated here.
fn read_password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false));
    }
    if let Ok(password) = std::env::var("CANDOR_PASSWORD") {
        return Ok((password, false));
    }
    Ok((candor_web::auth::new_secret()?[..24].to_owned(), true))
}

/// A revision number or `draft`.
async fn load_version(store: &SharedStore, scope: &OrgScope, which: &str) -> Result<TrustCenter> {
    if which == "draft" {
        return Ok(store
            .draft(scope)
            .await?
            .ok_or_else(|| anyhow!("there is no draft"))?
            .content);
    }
    let number: u64 = which
        .parse()
        .map_err(|_| anyhow!("{which:?} is neither a revision number nor `draft`"))?;
    Ok(store
        .revision(scope, number)
        .await?
        .ok_or_else(|| anyhow!("there is no revision {number}"))?
        .content)
}

async fn apply(
    store: &SharedStore,
    file: &std::path::Path,
    org: &str,
    dry_run: bool,
) -> Result<ExitCode> {
    let scope = existing_org(store, org).await?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let content = match TrustCenter::from_yaml(&text) {
        Ok(c) => c,
        Err(e) => return Ok(report_invalid(file, &e)),
    };
    let current = store.draft(&scope).await?.map(|d| d.content);
    let verb = if dry_run { "would" } else { "will" };
    match &current {
        None => println!(
            "{verb} create the draft of {org}: {} controls, {} subprocessors, {} documents",
            content.controls.len(),
            content.subprocessors.len(),
            content.documents.len()
        ),
        Some(old) => {
            let changes = diff(old, &content);
            if changes.is_empty() {
                println!(
                    "no changes: the draft of {org} already matches {}",
                    file.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!("{verb} change the draft of {org}:");
            for line in changes.describe() {
                println!("  {line}");
            }
        }
    }
    if dry_run {
        println!("dry run: nothing was stored");
    } else {
        store.save_draft(&scope, &content).await?;
        println!("draft saved; run `candor publish --org {org}` to publish it");
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the master key file, or creates it with a new random key.
fn load_master_key(path: &std::path::Path) -> Result<candor_store::keys::MasterKey> {
    match std::fs::read_to_string(path) {
        Ok(_) => {
            candor_store::keys::MasterKey::from_file(path.to_owned()).map_err(anyhow::Error::msg)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (_, hex_text) = candor_store::keys::MasterKey::generate()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .with_context(|| format!("creating {}", path.display()))?;
            std::io::Write::write_all(&mut file, format!("{hex_text}\n").as_bytes())?;
            tracing::warn!(path = %path.display(), "generated a new master key; back it up: without it, log signing keys cannot be opened");
            candor_store::keys::MasterKey::from_file(path.to_owned()).map_err(anyhow::Error::msg)
        }
        Err(e) => Err(anyhow!("reading {}: {e}", path.display())),
    }
}

/// Replaces the key file atomically (a new file, mode 0600, renamed over the old).
fn write_key_file(path: &std::path::Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

struct ServeOptions {
    demo: bool,
    https: bool,
    tls: Option<Arc<rustls::ServerConfig>>,
    http_redirect_listen: Option<String>,
    master: candor_store::keys::MasterKey,
    log_host: String,
    worker: bool,
    outbound: Outbound,
    rates: Rates,
}

async fn serve(store: SharedStore, listen: &str, options: ServeOptions) -> Result<ExitCode> {
    if options.demo {
        demo::load(&store, &options.master)
            .await
            .context("loading demo content")?;
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let public_url = options.outbound.public_url(&addr.to_string(), scheme)?;
    // Where browsers reach HTTPS: the public URL's port, which differs from the
    // bound one behind port mapping.
    let https_port = public_url.port_or_known_default().unwrap_or(addr.port());
    let master = Arc::new(options.master);
    let config = candor_web::WebConfig {
        https: options.https,
        directory: options.demo,
        master_key: Some(master.clone()),
        log_host: options.log_host,
        public_url: public_url.clone(),
        allow_private_webhooks: options.outbound.allow_private_webhooks,
        check_options: options.outbound.scan_options()?,
        check_interval: options.outbound.check_interval(),
        tls: options.tls.clone(),
        login_attempts_per_minute: options.rates.login_attempts_per_minute,
        public_forms_per_minute: options.rates.public_forms_per_minute,
        writes_per_minute: options.rates.writes_per_minute,
        account_writes_per_minute: options.rates.account_writes_per_minute,
        ..Default::default()
    };
    let mut state = candor_web::AppState::new(store.clone(), config);
    let stop = CancellationToken::new();
    let mut worker_task = None;
    if options.worker {
        let worker = options.outbound.worker(store, Some(master), public_url)?;
        state = state.with_worker(worker.clone());
        worker_task = Some(tokio::spawn(worker.run(stop.clone())));
    }
    let mut redirect_task = None;
    if let Some(redirect_listen) = &options.http_redirect_listen {
        let redirect_listener = tokio::net::TcpListener::bind(redirect_listen)
            .await
            .with_context(|| format!("listening on {redirect_listen}"))?;
        let redirect_addr = redirect_listener.local_addr()?;
        let web_config = state.config.clone();
        let stopped = stop.clone();
        redirect_task = Some(tokio::spawn(async move {
            candor_web::serve_https_redirect(
                redirect_listener,
                https_port,
                &web_config,
                async move {
                    stopped.cancelled().await;
                },
            )
            .await
        }));
        eprintln!("candor: redirecting http://{redirect_addr}/ to https on port {https_port}");
    }
    tracing::info!(%addr, "candor is serving");
    eprintln!("candor: serving on {scheme}://{addr}/");
    let trigger = stop.clone();
    candor_web::serve(listener, state, async move {
        shutdown_signal().await;
        // The worker stops claiming while the server drains its requests.
        trigger.cancel();
    })
    .await?;
    stop.cancel();
    if let Some(task) = worker_task {
        let _ = task.await;
    }
    if let Some(task) = redirect_task {
        let _ = task.await;
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

async fn verify(
    urls: &[String],
    json: bool,
    options: &candor_verify::scan::ScanOptions,
) -> Result<ExitCode> {
    let mut reports = Vec::new();
    for url in urls {
        reports.push(candor_verify::scan::scan(url, options).await?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for report in &reports {
            println!("{}", report.target);
            for finding in &report.findings {
                println!("  {finding}");
            }
            match &report.observatory {
                candor_verify::scan::ObservatoryOutcome::Graded(grade) => {
                    println!("  grade: {grade}");
                    for (test, result) in grade.tests.iter().filter(|(_, r)| r.modifier != 0) {
                        println!("    {test}: {} ({:+})", result.result, result.modifier);
                    }
                    for (test, note) in grade
                        .tests
                        .iter()
                        .filter_map(|(test, r)| r.note.map(|n| (test, n)))
                    {
                        println!("    note on {test}: {note}");
                    }
                }
                candor_verify::scan::ObservatoryOutcome::NotGraded { error } => {
                    println!("  grade: none ({error})");
                }
            }
        }
    }
    let failed = reports
        .iter()
        .any(|r| r.verdict == candor_verify::Verdict::Fail);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
