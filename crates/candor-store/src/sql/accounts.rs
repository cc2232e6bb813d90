//! Users, sessions, memberships, API tokens and invitations. Every change of
//! who may act on an org is written with its audit entry, in one transaction.

use async_trait::async_trait;
use candor_domain::audit::AuditEvent;
use candor_domain::policy::Role;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::sql::audit::{append_in, execute_audited};
use crate::sql::directory::org_row;
use crate::sql::int_as;
use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, dialect_sql, micros, now_micros, postgres_only};
use crate::sql::{read_all, read_global_one, read_one};
use crate::{
    Accounts, ApiToken, Credentials, Invite, Member, MembershipChange, MembershipOutcome, NewGrant,
    Org, OrgScope, Result, StoreError, User, args, parse_role,
};

fn user_row(row: &impl SqlRow) -> Result<User> {
    Ok(User {
        id: row.id("id")?,
        email: row.text("email")?,
        created_at: row.time("created_at")?,
    })
}

fn token_row(row: &impl SqlRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.id("id")?,
        name: row.text("name")?,
        role: parse_role(&row.text("role")?)?,
        created_at: row.time("created_at")?,
        expires_at: row.time("expires_at")?,
        revoked_at: row.opt_time("revoked_at")?,
        last_used_at: row.opt_time("last_used_at")?,
    })
}

fn invite_row(row: &impl SqlRow) -> Result<Invite> {
    Ok(Invite {
        id: row.id("id")?,
        email: row.text("email")?,
        role: parse_role(&row.text("role")?)?,
        created_at: row.time("created_at")?,
        expires_at: row.time("expires_at")?,
        accepted_at: row.opt_time("accepted_at")?,
    })
}

fn member_row(row: &impl SqlRow) -> Result<Member> {
    Ok(Member {
        user: user_row(row)?,
        role: parse_role(&row.text("role")?)?,
    })
}

/// Stores a token or an invitation (`insert`, whose third column is its name
/// or email) with its audit entry, in one transaction; when it was created.
async fn insert_grant<B: SqlBackend>(
    db: &B,
    scope: &OrgScope,
    insert: &'static str,
    holder: &str,
    grant: &NewGrant<'_>,
    audit: &AuditEvent,
) -> Result<OffsetDateTime> {
    let created_at = now_micros()?;
    execute_audited(
        db,
        scope,
        insert,
        args![
            grant.id,
            scope.org_id(),
            holder,
            grant.role.as_str(),
            grant.secret_hash,
            created_at,
            micros(grant.expires_at)?
        ],
        audit,
    )
    .await?;
    Ok(created_at)
}

#[async_trait]
impl<B: SqlBackend> Accounts for B {
    async fn count_attempt(
        &self,
        bucket: &str,
        window_start: i64,
        window_secs: i64,
    ) -> Result<(u32, u32)> {
        let mut tx = self.begin_global(Mode::Write).await?;
        tx.execute(
            "DELETE FROM rate_limits WHERE window_start < $1",
            args![window_start - 3600],
        )
        .await?;
        let row = tx
            .fetch_optional(
                "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
                 ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
                 RETURNING hits",
                args![bucket, window_start],
            )
            .await?
            .ok_or_else(|| StoreError::Backend("counting an attempt returned no row".into()))?;
        let current = int_as(&row, "hits")?;
        let previous = tx
            .fetch_optional(
                "SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = $2",
                args![bucket, window_start - window_secs],
            )
            .await?
            .map(|row| int_as(&row, "hits"))
            .transpose()?
            .unwrap_or(0);
        tx.commit().await?;
        Ok((current, previous))
    }

    async fn insert_user(&self, email: &str, password_hash: &str) -> Result<User> {
        let user = User {
            id: Uuid::new_v4(),
            email: email.to_owned(),
            created_at: now_micros()?,
        };
        let mut tx = self.begin_global(Mode::Write).await?;
        let inserted = tx
            .execute(
                "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)",
                args![user.id, email, password_hash, user.created_at],
            )
            .await;
        match inserted {
            Err(StoreError::Conflict(_)) => return Err(StoreError::Conflict("user".into())),
            other => other?,
        };
        tx.commit().await?;
        Ok(user)
    }

    async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>> {
        let row = read_global_one(
            self,
            "SELECT id, email, password_hash, created_at FROM users WHERE email = $1",
            args![email],
        )
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Credentials {
            user: user_row(&row)?,
            password_hash: row.text("password_hash")?,
        }))
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin_global(Mode::Write).await?;
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            args![token_hash, user_id, now_micros()?, expires_at],
        )
        .await?;
        tx.commit().await
    }

    async fn session_user(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<User>> {
        let row = read_global_one(
            self,
            "SELECT u.id, u.email, u.created_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1",
            args![token_hash],
        )
        .await?;
        // Compared here, not in SQL: SQLite keeps times as text of varying precision.
        match row {
            Some(row) if row.time("expires_at")? > now => user_row(&row).map(Some),
            _ => Ok(None),
        }
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.begin_global(Mode::Write).await?;
        tx.execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            args![token_hash],
        )
        .await?;
        tx.commit().await
    }

    async fn delete_user_sessions(&self, user_id: Uuid) -> Result<u64> {
        let mut tx = self.begin_global(Mode::Write).await?;
        let done = tx
            .execute("DELETE FROM sessions WHERE user_id = $1", args![user_id])
            .await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin_global(Mode::Write).await?;
        let done = tx
            .execute(
                "UPDATE users SET password_hash = $2 WHERE id = $1",
                args![user_id, password_hash],
            )
            .await?;
        if done == 0 {
            return Err(StoreError::Backend(format!("no user {user_id}")));
        }
        // Every other session ends: whoever knew the old password is signed out.
        tx.execute(
            dialect_sql::<B>(
                "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS NOT $2",
                "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
            ),
            args![user_id, keep],
        )
        .await?;
        tx.commit().await
    }

    async fn delete_user(&self, user_id: Uuid) -> Result<()> {
        // User-scoped: PostgreSQL's policy shows a user their own memberships in every org.
        let mut tx = self.begin_user(user_id, Mode::Write).await?;
        // Locks the user's row first (PostgreSQL; SQLite's write transaction excludes
        // all others), so a membership cannot be granted meanwhile: granting one
        // checks the user's row through its foreign key.
        if let Some(lock) = postgres_only::<B>("SELECT 1 FROM users WHERE id = $1 FOR UPDATE") {
            tx.fetch_optional(lock, args![user_id]).await?;
        }
        let row = tx
            .fetch_optional(
                "SELECT count(*) AS n FROM memberships WHERE user_id = $1",
                args![user_id],
            )
            .await?;
        let memberships = row.map(|r| r.int("n")).transpose()?.unwrap_or(0);
        if memberships > 0 {
            return Err(StoreError::Conflict(format!(
                "membership in {memberships} org(s)"
            )));
        }
        tx.execute("DELETE FROM sessions WHERE user_id = $1", args![user_id])
            .await?;
        tx.execute("DELETE FROM users WHERE id = $1", args![user_id])
            .await?;
        tx.commit().await
    }

    async fn memberships_of(&self, user_id: Uuid) -> Result<Vec<(Org, Role)>> {
        let mut tx = self.begin_user(user_id, Mode::Read).await?;
        let rows = tx
            .fetch_all(
                "SELECT o.id, o.slug, o.name, o.created_at, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id
             WHERE m.user_id = $1 ORDER BY o.slug",
                args![user_id],
            )
            .await?;
        tx.commit().await?;
        rows.iter()
            .map(|row| Ok((org_row(row)?, parse_role(&row.text("role")?)?)))
            .collect()
    }

    async fn member_role(&self, scope: &OrgScope, user_id: Uuid) -> Result<Option<Role>> {
        let row = read_one(
            self,
            scope,
            "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2",
            args![scope.org_id(), user_id],
        )
        .await?;
        row.map(|row| parse_role(&row.text("role")?)).transpose()
    }

    async fn members(&self, scope: &OrgScope) -> Result<Vec<Member>> {
        let rows = read_all(
            self,
            scope,
            "SELECT u.id, u.email, u.created_at, m.role FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.org_id = $1 ORDER BY u.email",
            args![scope.org_id()],
        )
        .await?;
        rows.iter().map(member_row).collect()
    }

    async fn set_member_role(
        &self,
        scope: &OrgScope,
        user_id: Uuid,
        role: Role,
        audit: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        upsert_membership(&mut tx, scope, user_id, role.as_str(), now_micros()?).await?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await
    }

    async fn change_membership(
        &self,
        scope: &OrgScope,
        user_id: Uuid,
        change: MembershipChange,
        audit: &AuditEvent,
    ) -> Result<MembershipOutcome> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        // The owners' rows are locked before anything is read (PostgreSQL; SQLite's
        // write transaction excludes all others): a concurrent change waits, then
        // sees this one's result, so two owners cannot demote each other at once.
        let owners = tx
            .fetch_all(
                dialect_sql::<B>(
                    "SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'owner'",
                    "SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'owner' FOR UPDATE",
                ),
                args![scope.org_id()],
            )
            .await?;
        let current = tx
            .fetch_optional(
                dialect_sql::<B>(
                    "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2",
                    "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2 FOR UPDATE",
                ),
                args![scope.org_id(), user_id],
            )
            .await?;
        let Some(current) = current else {
            return Ok(MembershipOutcome::NotMember);
        };
        let stays_owner = change == MembershipChange::SetRole(Role::Owner);
        if current.text("role")? == Role::Owner.as_str() && !stays_owner && owners.len() <= 1 {
            return Ok(MembershipOutcome::LastOwner);
        }
        match change {
            MembershipChange::SetRole(role) => {
                tx.execute(
                    "UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2",
                    args![scope.org_id(), user_id, role.as_str()],
                )
                .await?;
            }
            MembershipChange::Remove => {
                tx.execute(
                    "DELETE FROM memberships WHERE org_id = $1 AND user_id = $2",
                    args![scope.org_id(), user_id],
                )
                .await?;
            }
        }
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await?;
        Ok(MembershipOutcome::Done)
    }

    async fn insert_token(
        &self,
        scope: &OrgScope,
        name: &str,
        grant: NewGrant<'_>,
        audit: &AuditEvent,
    ) -> Result<ApiToken> {
        let created_at = insert_grant(
            self,
            scope,
            "INSERT INTO api_tokens (id, org_id, name, role, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            name,
            &grant,
            audit,
        )
        .await?;
        Ok(ApiToken {
            id: grant.id,
            name: name.to_owned(),
            role: grant.role,
            created_at,
            expires_at: micros(grant.expires_at)?,
            revoked_at: None,
            last_used_at: None,
        })
    }

    async fn touch_token(&self, scope: &OrgScope, id: Uuid, at: OffsetDateTime) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        tx.execute(
            "UPDATE api_tokens SET last_used_at = $3 WHERE org_id = $1 AND id = $2",
            args![scope.org_id(), id, at],
        )
        .await?;
        tx.commit().await
    }

    async fn token_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<ApiToken>> {
        let row = read_one(
            self,
            scope,
            "SELECT id, name, role, created_at, expires_at, revoked_at, last_used_at FROM api_tokens
             WHERE org_id = $1 AND token_hash = $2",
            args![scope.org_id(), token_hash],
        )
        .await?;
        row.as_ref().map(token_row).transpose()
    }

    async fn tokens(&self, scope: &OrgScope) -> Result<Vec<ApiToken>> {
        let rows = read_all(
            self,
            scope,
            "SELECT id, name, role, created_at, expires_at, revoked_at, last_used_at FROM api_tokens
             WHERE org_id = $1 ORDER BY created_at",
            args![scope.org_id()],
        )
        .await?;
        rows.iter().map(token_row).collect()
    }

    async fn revoke_token(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        execute_audited(
            self,
            scope,
            "UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL",
            args![scope.org_id(), id, at],
            audit,
        )
        .await
    }

    async fn insert_invite(
        &self,
        scope: &OrgScope,
        email: &str,
        grant: NewGrant<'_>,
        audit: &AuditEvent,
    ) -> Result<Invite> {
        let created_at = insert_grant(
            self,
            scope,
            "INSERT INTO invites (id, org_id, email, role, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            email,
            &grant,
            audit,
        )
        .await?;
        Ok(Invite {
            id: grant.id,
            email: email.to_owned(),
            role: grant.role,
            created_at,
            expires_at: micros(grant.expires_at)?,
            accepted_at: None,
        })
    }

    async fn invite_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<Invite>> {
        let row = read_one(
            self,
            scope,
            "SELECT id, email, role, created_at, expires_at, accepted_at FROM invites
             WHERE org_id = $1 AND token_hash = $2",
            args![scope.org_id(), token_hash],
        )
        .await?;
        row.as_ref().map(invite_row).transpose()
    }

    async fn open_invites(&self, scope: &OrgScope, now: OffsetDateTime) -> Result<Vec<Invite>> {
        let rows = read_all(
            self,
            scope,
            "SELECT id, email, role, created_at, expires_at, accepted_at FROM invites
             WHERE org_id = $1 AND accepted_at IS NULL ORDER BY created_at",
            args![scope.org_id()],
        )
        .await?;
        // Expiry compared here, not in SQL: SQLite keeps times as text of varying precision.
        let mut open = Vec::new();
        for row in &rows {
            let invite = invite_row(row)?;
            if invite.is_open(now) {
                open.push(invite);
            }
        }
        open.sort_by_key(|i| i.created_at);
        Ok(open)
    }

    async fn revoke_invite(
        &self,
        scope: &OrgScope,
        invite_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let row = tx
            .fetch_optional(
                dialect_sql::<B>(
                    "SELECT id, email, role, created_at, expires_at, accepted_at FROM invites
                 WHERE org_id = $1 AND id = $2",
                    "SELECT id, email, role, created_at, expires_at, accepted_at FROM invites
                 WHERE org_id = $1 AND id = $2 FOR UPDATE",
                ),
                args![scope.org_id(), invite_id],
            )
            .await?;
        let open = row
            .as_ref()
            .map(invite_row)
            .transpose()?
            .is_some_and(|i| i.is_open(at));
        if !open {
            return Ok(false);
        }
        // Revoking moves the expiry to now: the link stops working at once.
        tx.execute(
            "UPDATE invites SET expires_at = $3 WHERE org_id = $1 AND id = $2",
            args![scope.org_id(), invite_id, at],
        )
        .await?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn accept_invite(
        &self,
        scope: &OrgScope,
        invite_id: Uuid,
        user_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let row = tx
            .fetch_optional(
                "UPDATE invites SET accepted_at = $3 WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL
             RETURNING role",
                args![scope.org_id(), invite_id, at],
            )
            .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        upsert_membership(&mut tx, scope, user_id, &row.text("role")?, at).await?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Adds a member or changes their role, inside the caller's write transaction.
async fn upsert_membership<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    user_id: Uuid,
    role: &str,
    at: OffsetDateTime,
) -> Result<()> {
    tx.execute(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
        args![scope.org_id(), user_id, role, at],
    )
    .await?;
    Ok(())
}
