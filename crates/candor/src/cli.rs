//! The command line: every subcommand, flag and environment variable. The doc
//! comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "candor",
    version,
    about = "A trust center whose every claim can be verified"
)]
pub struct Cli {
    /// sqlite://PATH (created if missing) or postgres://APP_ROLE@HOST/DB
    #[arg(
        long,
        global = true,
        env = "CANDOR_DATABASE_URL",
        default_value = "sqlite://candor.db"
    )]
    pub database_url: String,
    /// PostgreSQL only: the schema owner's URL; when given, migrations run first.
    #[arg(
        long,
        global = true,
        env = "CANDOR_DATABASE_OWNER_URL",
        hide_env_values = true
    )]
    pub database_owner_url: Option<String>,
    /// A TOML file of settings: keys are the flags' long names (database-url,
    /// listen, smtp-url, …), optionally grouped in tables; flags and CANDOR_*
    /// variables take precedence. `NAME-file = PATH` (or CANDOR_NAME_FILE) reads
    /// a secret's value from a file.
    #[arg(long, global = true, env = "CANDOR_CONFIG")]
    pub config: Option<PathBuf>,
    /// A sentence encoder for answering questionnaires: a directory holding a
    /// BERT sentence model's config.json, vocab.txt and model.safetensors
    /// (all-MiniLM-L6-v2, fetched by scripts/fetch-sentence-model.sh). It finds
    /// sources that say the same in other words; without it, answering matches
    /// words only. Read at start; about 90 MB of memory.
    #[arg(long, global = true, env = "CANDOR_SENTENCE_MODEL")]
    pub sentence_model: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the public trust pages and the API.
    Serve(Box<ServeArgs>),
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
        #[command(flatten)]
        metrics: MetricsArgs,
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
    /// Write an org's draft (or, without one, its latest revision) as trust-as-code YAML;
    /// with --oscal, its latest revision as an OSCAL 1.1 component definition.
    Export {
        #[arg(long)]
        org: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The latest published revision as an OSCAL component definition (JSON),
        /// with where each evidence check stands now.
        #[arg(long)]
        oscal: bool,
        /// The server's public URL, for the document's links (its profiles and
        /// catalogues, the trust page, the log entry).
        #[arg(long, env = "CANDOR_PUBLIC_URL", requires = "oscal")]
        public_url: Option<url::Url>,
    },
    /// Freeze the draft into the next immutable, numbered revision.
    Publish {
        #[arg(long)]
        org: String,
    },
    /// Show what changed between two revisions (numbers, or `draft`: what publishing
    /// it would publish).
    Diff {
        #[arg(long)]
        org: String,
        from: String,
        to: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Answer a customer's security questionnaire from what the org has published,
    /// or import an answered one into the draft's knowledge base.
    Questionnaire {
        #[command(subcommand)]
        command: QuestionnaireCommand,
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
    /// last one seen, the inclusion of every new entry, every new revision's content,
    /// and trust.json and the page against the log. Exits 0 verified, 1 proven wrong
    /// (an evidence file is written next to the state file), 2 could not check.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Watch {
        #[command(subcommand)]
        command: Option<WatchCommand>,
        #[command(flatten)]
        args: WatchArgs,
    },
    /// Run a witness for other people's logs (C2SP tlog-witness).
    Witness {
        #[command(subcommand)]
        command: WitnessCommand,
    },
    /// Exit 0 if a running server answers its health check, 1 if not (for a
    /// container's HEALTHCHECK or a load balancer's probe script).
    Health {
        /// What to ask.
        #[arg(long, default_value = "http://127.0.0.1:8080/healthz")]
        url: String,
    },
    /// Back a SQLite database up while it serves, check a backup, restore one.
    Backup {
        #[command(subcommand)]
        command: BackupCommand,
    },
    /// The effective configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Set the database up: migrate the schema, check that Candor can run.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Print a JSON Schema: of the trust-as-code file, or of trust.json.
    Schema {
        #[arg(value_enum, default_value = "trust-center")]
        document: SchemaDocument,
    },
}

// The arguments of `candor serve`, gathered so that commands::serve takes them
// whole; the doc comment on `Command::Serve` stays its help text.
#[derive(clap::Args)]
pub struct ServeArgs {
    #[arg(long, env = "CANDOR_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Load (or refresh) the two demo companies and list them on the home page.
    #[arg(long)]
    pub demo: bool,
    /// Candor is reached over HTTPS (directly or through a TLS proxy): send HSTS.
    #[arg(long, env = "CANDOR_HTTPS")]
    pub https: bool,
    /// The master key that seals each org's log signing key: 64 hex digits in a
    /// file, created (mode 0600) if missing. Every replica needs the same file.
    #[arg(
        long,
        env = "CANDOR_MASTER_KEY_FILE",
        default_value = "candor-master.key"
    )]
    pub master_key_file: PathBuf,
    /// Host name in each org's log origin (HOST/SLUG), named by every checkpoint
    /// signature: set it to the public host before publishing for real.
    #[arg(long, env = "CANDOR_LOG_HOST", default_value = "localhost")]
    pub log_host: String,
    /// Do not run the background worker in this process (run `candor worker` instead).
    #[arg(long, env = "CANDOR_NO_WORKER")]
    pub no_worker: bool,
    /// How many orgs' rendered pages are kept in memory; past it, the page
    /// served least recently is dropped (and rendered again when asked for).
    #[arg(long, env = "CANDOR_PAGE_CACHE_ENTRIES", default_value = "10000")]
    pub page_cache_entries: usize,
    /// How often, at most, each org's cached page is checked against the
    /// database, in the background (a request never waits for it), for new
    /// evidence, log keys and the like. New revisions do not wait for it: every
    /// replica looks for orgs that published once a second, in one query. Each
    /// org that is read costs one database read per interval (BENCHMARKS.md).
    #[arg(long, env = "CANDOR_PAGE_REVALIDATE_MS", default_value = "10000")]
    pub page_revalidate_ms: u64,
    /// Serve HTTPS directly with this certificate chain (PEM); implies --https.
    #[arg(long, env = "CANDOR_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, env = "CANDOR_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// With --tls-cert: also listen for plain HTTP here (e.g. 0.0.0.0:80) and
    /// redirect every request to the same host and path over HTTPS, on the
    /// port of --public-url (or of --listen).
    #[arg(long, env = "CANDOR_HTTP_REDIRECT_LISTEN")]
    pub http_redirect_listen: Option<String>,
    #[command(flatten)]
    pub acme: AcmeArgs,
    #[command(flatten)]
    pub outbound: Outbound,
    #[command(flatten)]
    pub rates: Rates,
    #[command(flatten)]
    pub metrics: MetricsArgs,
}

/// Certificates from an ACME CA (RFC 8555), obtained and renewed by Candor.
#[derive(clap::Args, Clone, Debug)]
pub struct AcmeArgs {
    /// Serve HTTPS with certificates Candor obtains itself from this ACME
    /// directory (e.g. https://acme-v02.api.letsencrypt.org/directory), for the
    /// host of --public-url and every org host whose control its org proved;
    /// renewed at two thirds of their lifetime. Needs --http-redirect-listen on
    /// port 80, where the CA checks the HTTP-01 answers. Implies --https.
    #[arg(
        long,
        env = "CANDOR_ACME_DIRECTORY",
        conflicts_with = "tls_cert",
        requires = "http_redirect_listen"
    )]
    pub acme_directory: Option<url::Url>,
    /// Contact address for the ACME account (expiry notices from the CA).
    #[arg(long, env = "CANDOR_ACME_EMAIL", requires = "acme_directory")]
    pub acme_email: Option<String>,
    /// Trust this PEM root for the ACME server's own HTTPS (a private or test
    /// CA); by default the system's roots.
    #[arg(long, env = "CANDOR_ACME_CA_FILE", requires = "acme_directory")]
    pub acme_ca_file: Option<PathBuf>,
    /// Seconds between looks for hosts due for a certificate.
    #[arg(
        long,
        env = "CANDOR_ACME_PASS_SECONDS",
        default_value = "60",
        hide = true
    )]
    pub acme_pass_seconds: u64,
    /// Seconds before the first retry after a failed attempt (doubled after
    /// each further failure, up to a day).
    #[arg(long, env = "CANDOR_ACME_RETRY_SECONDS", default_value = "300")]
    pub acme_retry_seconds: u64,
}

/// Prometheus metrics, on a listener of their own.
#[derive(clap::Args, Clone, Debug)]
pub struct MetricsArgs {
    /// Serve Prometheus metrics at http://ADDR/metrics. The endpoint has no
    /// authentication: bind it to loopback or a monitoring network, never to
    /// the public address.
    #[arg(long, env = "CANDOR_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// Label request and outbox series with the org's slug (one series per org,
    /// route and status; off by default to keep the series count bounded).
    #[arg(long, env = "CANDOR_METRICS_PER_ORG", requires = "metrics_listen")]
    pub metrics_per_org: bool,
}

/// Rate limits per minute. Password checks (and reset mails) are also counted in
/// the database, shared by every replica; the others are per replica.
#[derive(clap::Args, Clone, Copy)]
pub struct Rates {
    /// Password checks (sign-in, invitations, password forms) per client address
    /// and per account.
    #[arg(long, env = "CANDOR_LOGIN_ATTEMPTS_PER_MINUTE", default_value = "10")]
    pub login_attempts_per_minute: std::num::NonZeroU32,
    /// Anonymous form posts (subscribe, report, request a document, validate) per address.
    #[arg(long, env = "CANDOR_PUBLIC_FORMS_PER_MINUTE", default_value = "20")]
    pub public_forms_per_minute: std::num::NonZeroU32,
    /// State-changing requests per client address.
    #[arg(long, env = "CANDOR_WRITES_PER_MINUTE", default_value = "120")]
    pub writes_per_minute: std::num::NonZeroU32,
    /// State-changing requests per account or API token.
    #[arg(long, env = "CANDOR_ACCOUNT_WRITES_PER_MINUTE", default_value = "60")]
    pub account_writes_per_minute: std::num::NonZeroU32,
}

#[derive(Subcommand)]
pub enum UserCommand {
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

#[derive(clap::Args)]
pub struct WatchArgs {
    /// The trust center, e.g. https://trust.example.com/acme
    #[arg(required = true)]
    pub url: Option<String>,
    /// Where the last verified checkpoint is remembered.
    #[arg(long, default_value = "candor-watch.json")]
    pub state: PathBuf,
    /// The log's verifier key; without it the first run pins the served key.
    #[arg(long)]
    pub key: Option<String>,
    /// One JSON object on standard output.
    #[arg(long)]
    pub json: bool,
    /// The most read of a checkpoint, log entry or proof, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    pub max_log_response: usize,
    /// The most read of a revision, trust.json or the page, in bytes.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    pub max_content_response: usize,
    /// Seconds the whole run may take, every request included.
    #[arg(long, default_value_t = 300)]
    pub deadline: u64,
    /// Runs in a row a larger signed checkpoint may go without the proof that it
    /// extends the verified one before that counts as a failure (exit 1).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub proof_runs: u32,
    /// Use the proof endpoints, one request per entry and proof, even where the
    /// server serves the log as C2SP tiles.
    #[arg(long)]
    pub no_tiles: bool,
    /// A witness whose cosignature counts: its verifier key (NAME+KEYID+KEY, as
    /// the trust page lists it). Repeatable.
    #[arg(long = "witness")]
    pub witnesses: Vec<String>,
    /// How many of the witnesses must have cosigned the checkpoint, freshly
    /// (default: all of them).
    #[arg(long)]
    pub quorum: Option<usize>,
    /// Seconds a cosignature stays fresh.
    #[arg(long, default_value_t = 86_400)]
    pub max_cosignature_age: u64,
}

#[derive(Subcommand)]
pub enum WitnessCommand {
    /// Cosign the checkpoints of the logs given with --log, each only if it
    /// extends the last one cosigned (POST /add-checkpoint; GET /key gives the
    /// witness's verifier key). Prints the key at start.
    Serve {
        #[arg(long, default_value = "127.0.0.1:7380")]
        listen: String,
        /// Where the witness keeps what it cosigned and its sealed key.
        #[arg(long)]
        state_dir: PathBuf,
        /// The witness's name, in its key and cosignatures (e.g. witness.example.com/w1).
        #[arg(long)]
        name: String,
        /// A log to witness: its checkpoint verifier key (NAME+KEYID+KEY, the name
        /// being the log's origin), as at /{org}/log/key. Repeatable.
        #[arg(long = "log", required = true)]
        logs: Vec<String>,
        /// Seals the witness's key; created with a new key if missing.
        #[arg(
            long,
            env = "CANDOR_MASTER_KEY_FILE",
            default_value = "candor-master.key"
        )]
        master_key_file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum WatchCommand {
    /// Check an evidence file written by a failed watch, offline: exits 0 if it
    /// proves what it says (a fork, a rollback, a bad or missing proof, content
    /// that does not match the log), 1 if it does not.
    VerifyEvidence {
        file: PathBuf,
        /// The log key you trust; the evidence must be signed with it.
        #[arg(long)]
        key: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum LogCommand {
    /// Every revision has exactly its entry in the log, and the tree is whole.
    Verify {
        #[arg(long)]
        org: String,
    },
    /// After a restore: replay the entries (and revisions) the restored log
    /// lacks from a copy of the public log — another replica, a mirror, a
    /// watcher's cache — each checked against the largest checkpoint signed by
    /// the org's log key that the copies offer; then publishing resumes.
    Recover {
        #[arg(long)]
        org: String,
        /// Where a copy of the public log is served: the base URL under which
        /// `/{org}/log/checkpoint`, `/{org}/log/entries/N` and
        /// `/api/v1/orgs/{org}/revisions/N` answer. May be given several times.
        #[arg(long, required_unless_present = "unrecoverable")]
        from: Vec<String>,
        /// No copy of the lost entries exists anywhere: resume publishing from
        /// the restored log. The trust page then states that later history
        /// could not be recovered (watchers that saw it will report a fork).
        #[arg(long, conflicts_with = "from")]
        unrecoverable: bool,
        #[command(flatten)]
        master_key: MasterKeyFile,
    },
    /// Hold publishing until `candor log recover`, as `candor backup restore`
    /// does: after restoring PostgreSQL from a dump or a base backup.
    Hold {
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        org: Option<String>,
        /// Every org.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
pub enum PrivacyCommand {
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

#[derive(Subcommand)]
pub enum AuditCommand {
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

/// The operator's master key file (created with a new key if missing).
#[derive(clap::Args, Clone, Debug)]
pub struct MasterKeyFile {
    #[arg(
        long = "master-key-file",
        env = "CANDOR_MASTER_KEY_FILE",
        default_value = "candor-master.key"
    )]
    pub path: PathBuf,
}

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Write a consistent copy of the database (taken while the server runs),
    /// sealed with the master key, with each org's log sizes and roots in its
    /// authenticated header.
    Create {
        #[arg(long, short)]
        output: PathBuf,
        #[command(flatten)]
        master_key: MasterKeyFile,
    },
    /// Open a backup without restoring it: every audit chain, transparency log
    /// and revision hash must verify, and match the header. Exits 1 if not.
    Verify {
        file: PathBuf,
        #[command(flatten)]
        master_key: MasterKeyFile,
    },
    /// Verify a backup, then make it the database (--database-url); refuses a
    /// database that holds orgs unless --force.
    Restore {
        file: PathBuf,
        #[command(flatten)]
        master_key: MasterKeyFile,
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print every setting with where it comes from (flag, environment, the
    /// config file's line, a secret file, or the default), secrets hidden; an
    /// unknown key in the file is refused with its line.
    Check,
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// Create or update the schema as its owner and grant the app role what it
    /// needs (PostgreSQL: needs --database-owner-url; run once per install and
    /// after each upgrade). SQLite: create or migrate the file.
    Migrate,
    /// Connect as the app role (--database-url) and list every problem that
    /// would stop Candor, each with the statement or command that fixes it;
    /// exits 1 if there is any.
    Check,
}

#[derive(Subcommand)]
pub enum QuestionnaireCommand {
    /// Answer every question of FILE (XLSX, CSV or JSON) from the
    /// latest published revision, each answer with its explanation, confidence
    /// and the items it cites, or "needs review" when the sources do not settle it.
    Answer {
        file: PathBuf,
        #[arg(long)]
        org: String,
        /// Answer from the draft instead (citations are not in the log yet).
        #[arg(long)]
        draft: bool,
        /// Whose eyes the answers are for: what they may cite.
        #[arg(long, value_enum, default_value = "customer")]
        audience: AudienceArg,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Write to this file instead of standard output: an .xlsx questionnaire is
        /// returned as the customer's workbook filled, .csv writes one row per question.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Add the answered questions of FILE (XLSX, CSV or JSON) to the draft's knowledge base (an
    /// entry with the same key is replaced); `candor publish` publishes the
    /// public ones.
    Import {
        file: PathBuf,
        #[arg(long)]
        org: String,
        /// Who may read the imported entries.
        #[arg(long, value_enum, default_value = "internal")]
        visibility: VisibilityArg,
        /// Keys are PREFIX-ID (default: the file's name without extension).
        #[arg(long)]
        prefix: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AudienceArg {
    /// Public items only.
    Public,
    /// Public and gated items: a customer under NDA.
    Customer,
    /// Everything, internal entries included: for the org's own review.
    Internal,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum VisibilityArg {
    Public,
    Gated,
    Internal,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SchemaDocument {
    /// The trust-as-code YAML file (also the API's JSON body).
    TrustCenter,
    /// A published revision as served at /{org}/trust.json.
    TrustJson,
}

#[derive(Subcommand)]
pub enum KeysCommand {
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
    /// Replace an org's transparency-log signing key. The old key signs a
    /// statement naming the new one (/{org}/log/key-history), which watchers
    /// pinned to the old key follow; servers sign with the new key from their
    /// next checkpoint.
    RotateLog {
        #[arg(long)]
        org: String,
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
pub enum OrgCommand {
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

/// How Candor reaches people and machines: links, SMTP, webhooks, worker pacing.
#[derive(clap::Args, Clone, Debug)]
pub struct Outbound {
    /// The URL readers reach this server at; links in mail, webhooks and the feed
    /// start with it. Default: http://LISTEN/.
    #[arg(long, env = "CANDOR_PUBLIC_URL")]
    pub public_url: Option<url::Url>,
    /// SMTP server for outgoing mail: smtp://host:25, smtp://host:587?tls=required,
    /// smtps://user:password@host:465. Without it, mail waits in the queue.
    #[arg(long, env = "CANDOR_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender of outgoing mail. Default: notifications@ the public URL's host.
    #[arg(long, env = "CANDOR_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Let webhook subscribers, and the witnesses orgs list, be on loopback and
    /// private addresses.
    #[arg(long, env = "CANDOR_ALLOW_PRIVATE_WEBHOOKS")]
    pub allow_private_webhooks: bool,
    /// Seconds between submissions of an unchanged checkpoint to an org's
    /// witnesses, which keep their cosignatures fresh for watchers.
    #[arg(long, env = "CANDOR_WITNESS_REFRESH_SECONDS", default_value_t = 600)]
    pub witness_refresh_seconds: u64,
    /// Seconds a claimed message stays claimed; a worker killed mid-send is
    /// retried after this.
    #[arg(long, env = "CANDOR_WORKER_LEASE_SECONDS", default_value_t = 60)]
    pub worker_lease_seconds: u64,
    /// Milliseconds between the worker's passes when nothing wakes it.
    #[arg(long, env = "CANDOR_WORKER_POLL_MS", default_value_t = 2000)]
    pub worker_poll_ms: u64,
    /// Waits between attempts, in seconds, comma-separated (default: 5,300,1800,7200,18000,36000,36000).
    #[arg(long, env = "CANDOR_WORKER_BACKOFF_SECONDS", value_delimiter = ',')]
    pub worker_backoff_seconds: Vec<u64>,
    /// Minutes between evidence checks of each host (results older than twice this
    /// show as stale, never as passing).
    /// Fractions are allowed (0.5 is 30 s); at least one second.
    #[arg(long, env = "CANDOR_CHECK_INTERVAL_MINUTES", default_value_t = 360.0, value_parser = parse_minutes)]
    pub check_interval_minutes: f64,
    /// Let evidence checks and host proofs reach loopback and private addresses.
    #[arg(long, env = "CANDOR_ALLOW_PRIVATE_CHECKS")]
    pub allow_private_checks: bool,
    /// Also trust the CA certificates in this PEM file when checking hosts.
    #[arg(long, env = "CANDOR_CHECK_CA_FILE")]
    pub check_ca_file: Option<PathBuf>,
    /// Fixed addresses for checked hosts, HOST=IP:PORT (repeatable), like curl's --resolve.
    #[arg(long, env = "CANDOR_CHECK_RESOLVE", value_delimiter = ',')]
    pub check_resolve: Vec<String>,
    /// Look up DNS proofs of host control (TXT at _candor-verification.HOST) with
    /// this name server (IP:PORT) instead of the system's resolvers.
    #[arg(long, env = "CANDOR_CHECK_DNS_SERVER")]
    pub check_dns_server: Option<std::net::SocketAddr>,
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
