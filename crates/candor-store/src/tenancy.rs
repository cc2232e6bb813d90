//! The one list of tenant tables. Every table holding an org's rows is named
//! here once, with what PostgreSQL's app role may do to it; this list drives
//! erasing an org (SQLite deletes in this order, PostgreSQL's erase function
//! walks it), the app role's grants, and the row-level security check at
//! start-up. A test erases an org with rows in every table and checks that none
//! remain, so a table missing here is caught.

/// A table with an `org_id` column.
pub struct TenantTable {
    pub name: &'static str,
    /// What PostgreSQL's app role may do (revisions and the audit log are insert-only).
    pub app_grants: &'static str,
    /// `DELETE FROM <name> WHERE org_id = $1`: what erasing an org runs.
    pub erase: &'static str,
    /// Whether PostgreSQL's standard `tenant_isolation` policy guards it (the
    /// org's own host list and memberships have policies of their own).
    pub isolated: bool,
}

macro_rules! tenant {
    ($name:literal, $grants:literal) => {
        tenant!($name, $grants, true)
    };
    ($name:literal, $grants:literal, $isolated:expr) => {
        TenantTable {
            name: $name,
            app_grants: $grants,
            erase: concat!("DELETE FROM ", $name, " WHERE org_id = $1"),
            isolated: $isolated,
        }
    };
}

/// Children before parents: the order in which an org's rows are erased.
pub const TENANT_TABLES: &[TenantTable] = &[
    tenant!("daily_counts", "SELECT, INSERT, UPDATE"),
    tenant!("log_holds", "SELECT, INSERT, UPDATE"),
    tenant!("questionnaires", "SELECT, INSERT, UPDATE, DELETE"),
    tenant!("evidence", "SELECT, INSERT, UPDATE"),
    tenant!("host_claims", "SELECT, INSERT, UPDATE, DELETE"),
    tenant!("event_hooks", "SELECT, INSERT, UPDATE, DELETE"),
    tenant!("reader_events", "SELECT, INSERT, DELETE"),
    tenant!("reader_tokens", "SELECT, INSERT, UPDATE, DELETE"),
    tenant!("reader_policies", "SELECT, INSERT, UPDATE"),
    tenant!("downloads", "SELECT, INSERT, DELETE"),
    tenant!("download_grants", "SELECT, INSERT, DELETE"),
    tenant!("document_requests", "SELECT, INSERT, UPDATE, DELETE"),
    tenant!("document_files", "SELECT, INSERT"),
    tenant!("vuln_reports", "SELECT, INSERT, UPDATE"),
    tenant!("data_keys", "SELECT, INSERT, UPDATE"),
    tenant!("deliveries", "SELECT, INSERT, UPDATE, DELETE"),
    tenant!("objections", "SELECT, INSERT, DELETE"),
    tenant!("subscribers", "SELECT, INSERT, UPDATE, DELETE"),
    tenant!("announcements", "SELECT, INSERT"),
    tenant!("org_hosts", "SELECT, INSERT, DELETE", false),
    tenant!("org_secrets", "SELECT, INSERT, UPDATE"),
    tenant!("audit_nodes", "SELECT, INSERT"),
    tenant!("audit_heads", "SELECT, INSERT, UPDATE"),
    tenant!("audit_log", "SELECT, INSERT"),
    tenant!("log_nodes", "SELECT, INSERT"),
    tenant!("log_entries", "SELECT, INSERT"),
    tenant!("revisions", "SELECT, INSERT"),
    tenant!("drafts", "SELECT, INSERT, UPDATE"),
    tenant!("invites", "SELECT, INSERT, UPDATE"),
    tenant!("api_tokens", "SELECT, INSERT, UPDATE"),
    tenant!("memberships", "SELECT, INSERT, UPDATE, DELETE", false),
];

/// Tables that belong to no org, with the app role's privileges.
pub const GLOBAL_TABLES: &[(&str, &str)] = &[
    ("orgs", "SELECT, INSERT, UPDATE (published_at)"),
    ("users", "SELECT, INSERT, UPDATE, DELETE"),
    ("sessions", "SELECT, INSERT, DELETE"),
    ("rate_limits", "SELECT, INSERT, UPDATE, DELETE"),
    ("acme_certificates", "SELECT, INSERT, UPDATE, DELETE"),
    ("acme_challenges", "SELECT, INSERT, DELETE"),
    ("acme_accounts", "SELECT, INSERT, UPDATE"),
];
