//! Subscribers, objections, announcements and the delivery outbox. On
//! PostgreSQL every statement runs in the org's scoped transaction, so
//! row-level security applies to all of them.
//!
//! The outbox's due times differ by backend: SQLite keeps the times the worker
//! compares (`next_attempt_ms`, `claimed_until_ms`) as Unix milliseconds, since
//! RFC 3339 text does not sort as time; PostgreSQL keeps them as `timestamptz`
//! (`next_attempt_at`, `claimed_until`). See [`due`].

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::keys::SealedSecret;
use crate::outbox::{
    Channel, Delivery, DeliveryResult, ManageLookup, NewDelivery, Objection, OutboxStats,
    SubscribeOutcome, SubscribeRequest, Subscriber, confirmation_recently_mailed,
};
use crate::sql::{
    Arg, Dialect, Mode, SqlBackend, SqlRow, SqlTx, corrupt, dialect_sql, int_as, now_micros,
};
use crate::sql::{read_all, read_one};
use crate::{OrgScope, Outbox, Result, StoreError, args};

/// The columns [`subscriber_row`] reads. A macro, so that statements built with
/// it stay `&'static str` literals.
macro_rules! subscriber_columns {
    () => {
        "id, channel, address, topics, manage_salt, secret_nonce, secret_ciphertext, \
         created_at, confirmed_at, unsubscribed_at, locale"
    };
}

/// `SELECT <subscriber columns> FROM subscribers <rest>`.
macro_rules! select_subscribers {
    ($rest:literal) => {
        concat!(
            "SELECT ",
            subscriber_columns!(),
            " FROM subscribers ",
            $rest
        )
    };
}

const SUBSCRIBER_BY_ID: &str = select_subscribers!("WHERE org_id = $1 AND id = $2");
const SUBSCRIBER_BY_SALT: &str = select_subscribers!("WHERE org_id = $1 AND manage_salt = $2");
const SUBSCRIBER_BY_LEGACY_HASH: &str =
    select_subscribers!("WHERE org_id = $1 AND legacy_token_hash = $2");
const SUBSCRIBER_BY_ADDRESS: &str =
    select_subscribers!("WHERE org_id = $1 AND channel = $2 AND address = $3");
/// As [`SUBSCRIBER_BY_ADDRESS`], with the expiry of the last confirmation asked for.
const SUBSCRIBER_FOR_RENEWAL: &str = concat!(
    "SELECT ",
    subscriber_columns!(),
    ", confirm_expires_at FROM subscribers WHERE org_id = $1 AND channel = $2 AND address = $3"
);
const SUBSCRIBER_FOR_RENEWAL_LOCKED: &str = concat!(
    "SELECT ",
    subscriber_columns!(),
    ", confirm_expires_at FROM subscribers WHERE org_id = $1 AND channel = $2 AND address = $3 \
     FOR UPDATE"
);

fn subscriber_row<R: SqlRow>(row: &R) -> Result<Subscriber> {
    let webhook_secret = row
        .opt_bytes("secret_nonce")?
        .zip(row.opt_bytes("secret_ciphertext")?)
        .map(|(nonce, ciphertext)| SealedSecret { nonce, ciphertext });
    Ok(Subscriber {
        id: row.id("id")?,
        channel: row
            .text("channel")?
            .parse()
            .map_err(corrupt("subscriber channel"))?,
        address: row.text("address")?,
        topics: row
            .text("topics")?
            .parse()
            .map_err(corrupt("subscriber topics"))?,
        manage_salt: row.text("manage_salt")?,
        webhook_secret,
        created_at: row.time("created_at")?,
        confirmed_at: row.opt_time("confirmed_at")?,
        unsubscribed_at: row.opt_time("unsubscribed_at")?,
        locale: row.text("locale")?,
    })
}

fn objection_row<R: SqlRow>(row: &R) -> Result<Objection> {
    Ok(Objection {
        id: row.id("id")?,
        subscriber_id: row.id("subscriber_id")?,
        address: row.text("address")?,
        subprocessor: row.text("subprocessor")?,
        reason: row.text("reason")?,
        created_at: row.time("created_at")?,
    })
}

fn delivery_row<R: SqlRow>(row: &R) -> Result<Delivery> {
    Ok(Delivery {
        id: row.id("id")?,
        subscriber_id: row.opt_id("subscriber_id")?,
        channel: row
            .text("channel")?
            .parse()
            .map_err(corrupt("delivery channel"))?,
        message: row.text("message")?,
        // Never out of range in practice; saturates rather than failing the claim.
        attempts: u32::try_from(row.int("attempts")?.max(0)).unwrap_or(u32::MAX),
        created_at: row.time("created_at")?,
    })
}

fn millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// A time the claiming worker compares, as the backend keeps it: Unix
/// milliseconds on SQLite (its `*_ms` columns), a `timestamptz` on PostgreSQL.
fn due<B: SqlBackend>(t: OffsetDateTime) -> Arg<'static> {
    match B::DIALECT {
        Dialect::Sqlite => Arg::Int(millis(t)),
        Dialect::Postgres => Arg::Time(t),
    }
}

/// Queues `deliveries`, due at once, in the caller's transaction.
///
/// Generic over the backend, not only the transaction, because the due-time
/// column differs by dialect: call it as `insert_deliveries::<B>(&mut tx, …)`.
pub(crate) async fn insert_deliveries<B: SqlBackend>(
    tx: &mut B::Tx,
    scope: &OrgScope,
    deliveries: &[NewDelivery],
    now: OffsetDateTime,
) -> Result<()> {
    let sql = dialect_sql::<B>(
        "INSERT INTO deliveries (id, org_id, subscriber_id, channel, message, created_at, next_attempt_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        "INSERT INTO deliveries (id, org_id, subscriber_id, channel, message, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    );
    for d in deliveries {
        let args = args![
            d.id,
            scope.org_id(),
            d.subscriber_id,
            d.channel.as_str(),
            &d.message,
            now,
            due::<B>(now),
        ];
        tx.execute(sql, args).await?;
    }
    Ok(())
}

#[async_trait]
impl<B: SqlBackend> Outbox for B {
    async fn subscribe(
        &self,
        scope: &OrgScope,
        request: &SubscribeRequest,
        confirmation: &NewDelivery,
    ) -> Result<SubscribeOutcome> {
        let now = now_micros()?;
        let mut tx = self.begin(scope, Mode::Write).await?;
        // FOR UPDATE on PostgreSQL holds the row until the renewal is written;
        // SQLite's write transaction already excludes every other writer.
        let find = dialect_sql::<B>(SUBSCRIBER_FOR_RENEWAL, SUBSCRIBER_FOR_RENEWAL_LOCKED);
        let existing = tx
            .fetch_optional(
                find,
                args![scope.org_id(), request.channel.as_str(), &request.address],
            )
            .await?;
        let id = match existing {
            Some(row) => {
                let s = subscriber_row(&row)?;
                if s.is_active() {
                    return Ok(SubscribeOutcome::AlreadyActive);
                }
                // Still waiting for the confirmation asked for last time (not a
                // subscriber coming back): at most one mail per interval. Dropping
                // the transaction rolls it back: nothing changed.
                if s.confirmed_at.is_none()
                    && confirmation_recently_mailed(request, row.time("confirm_expires_at")?, now)
                {
                    return Ok(SubscribeOutcome::Pending(s.id));
                }
                renew_subscriber(&mut tx, scope, s.id, request).await?;
                s.id
            }
            None => insert_subscriber(&mut tx, scope, request, now).await?,
        };
        let confirmation = NewDelivery {
            subscriber_id: Some(id),
            ..confirmation.clone()
        };
        insert_deliveries::<B>(&mut tx, scope, &[confirmation], now).await?;
        tx.commit().await?;
        Ok(SubscribeOutcome::Pending(id))
    }

    async fn confirm_subscriber(
        &self,
        scope: &OrgScope,
        confirm_hash: &str,
        at: OffsetDateTime,
    ) -> Result<Option<Subscriber>> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        // FOR UPDATE: a renewal cannot change the hash between this read and the update.
        let find = dialect_sql::<B>(
            "SELECT id, confirm_expires_at FROM subscribers WHERE org_id = $1 AND confirm_hash = $2",
            "SELECT id, confirm_expires_at FROM subscribers WHERE org_id = $1 AND confirm_hash = $2
            FOR UPDATE",
        );
        let Some(found) = tx
            .fetch_optional(find, args![scope.org_id(), confirm_hash])
            .await?
        else {
            return Ok(None);
        };
        // The expiry is compared here, not in SQL: SQLite keeps times as RFC 3339
        // text, which does not compare as time.
        if found.time("confirm_expires_at")? <= at {
            return Ok(None);
        }
        let row = tx
            .fetch_optional(
                concat!(
                    "UPDATE subscribers SET confirmed_at = coalesce(confirmed_at, $3), unsubscribed_at = NULL
                  WHERE org_id = $1 AND id = $2
                  RETURNING ",
                    subscriber_columns!()
                ),
                args![scope.org_id(), found.id("id")?, at],
            )
            .await?;
        tx.commit().await?;
        row.as_ref().map(subscriber_row).transpose()
    }

    async fn subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<Option<Subscriber>> {
        find_subscriber(self, scope, SUBSCRIBER_BY_ID, args![scope.org_id(), id]).await
    }

    async fn subscriber_by_address(
        &self,
        scope: &OrgScope,
        channel: Channel,
        address: &str,
    ) -> Result<Option<Subscriber>> {
        let args = args![scope.org_id(), channel.as_str(), address];
        find_subscriber(self, scope, SUBSCRIBER_BY_ADDRESS, args).await
    }

    async fn subscriber_by_manage_link(
        &self,
        scope: &OrgScope,
        lookup: &ManageLookup,
    ) -> Result<Option<Subscriber>> {
        // One statement per column (what `ManageLookup::column_and_value` names),
        // so that the SQL stays a literal.
        let (sql, value) = match lookup {
            ManageLookup::Salt(salt) => (SUBSCRIBER_BY_SALT, salt),
            ManageLookup::LegacyTokenHash(hash) => (SUBSCRIBER_BY_LEGACY_HASH, hash),
        };
        find_subscriber(self, scope, sql, args![scope.org_id(), value]).await
    }

    async fn unsubscribe(&self, scope: &OrgScope, id: Uuid, at: OffsetDateTime) -> Result<bool> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let changed = tx
            .execute(
                "UPDATE subscribers SET unsubscribed_at = $3
              WHERE org_id = $1 AND id = $2 AND unsubscribed_at IS NULL",
                args![scope.org_id(), id, at],
            )
            .await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    async fn subscribers(&self, scope: &OrgScope) -> Result<Vec<Subscriber>> {
        let rows = read_all(
            self,
            scope,
            select_subscribers!("WHERE org_id = $1 ORDER BY created_at, id"),
            args![scope.org_id()],
        )
        .await?;
        rows.iter().map(subscriber_row).collect()
    }

    async fn insert_objection(
        &self,
        scope: &OrgScope,
        subscriber_id: Uuid,
        subprocessor: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Objection> {
        let id = Uuid::new_v4();
        let mut tx = self.begin(scope, Mode::Write).await?;
        let found = tx
            .fetch_optional(
                "SELECT address FROM subscribers WHERE org_id = $1 AND id = $2",
                args![scope.org_id(), subscriber_id],
            )
            .await?;
        // No such subscriber (erased since the link was sent): nothing is stored.
        let Some(found) = found else {
            return Err(StoreError::Conflict(format!("subscriber {subscriber_id}")));
        };
        let address = found.text("address")?;
        tx.execute(
            "INSERT INTO objections (id, org_id, subscriber_id, subprocessor, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
            args![id, scope.org_id(), subscriber_id, subprocessor, reason, at],
        )
        .await?;
        tx.commit().await?;
        Ok(Objection {
            id,
            subscriber_id,
            address,
            subprocessor: subprocessor.to_owned(),
            reason: reason.to_owned(),
            created_at: at,
        })
    }

    async fn objections(&self, scope: &OrgScope) -> Result<Vec<Objection>> {
        let rows = read_all(
            self,
            scope,
            "SELECT o.id, o.subscriber_id, s.address, o.subprocessor, o.reason, o.created_at
               FROM objections o JOIN subscribers s ON s.id = o.subscriber_id
              WHERE o.org_id = $1 ORDER BY o.created_at DESC, o.id",
            args![scope.org_id()],
        )
        .await?;
        rows.iter().map(objection_row).collect()
    }

    async fn unannounced_revisions(&self, scope: &OrgScope) -> Result<Vec<u64>> {
        let rows = read_all(
            self,
            scope,
            "SELECT r.number AS number FROM revisions r
              WHERE r.org_id = $1
                AND NOT EXISTS (SELECT 1 FROM announcements a
                                 WHERE a.org_id = r.org_id AND a.revision = r.number)
              ORDER BY r.number",
            args![scope.org_id()],
        )
        .await?;
        rows.iter()
            .map(|row| int_as::<u64>(row, "number"))
            .collect()
    }

    async fn announce_revision(
        &self,
        scope: &OrgScope,
        revision: u64,
        deliveries: &[NewDelivery],
        at: OffsetDateTime,
    ) -> Result<bool> {
        let revision =
            i64::try_from(revision).map_err(|_| StoreError::Backend("revision number".into()))?;
        let mut tx = self.begin(scope, Mode::Write).await?;
        let inserted = tx
            .execute(
                "INSERT INTO announcements (org_id, revision, announced_at) VALUES ($1, $2, $3)
             ON CONFLICT (org_id, revision) DO NOTHING",
                args![scope.org_id(), revision, at],
            )
            .await?;
        if inserted == 0 {
            return Ok(false);
        }
        insert_deliveries::<B>(&mut tx, scope, deliveries, at).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn enqueue(&self, scope: &OrgScope, deliveries: &[NewDelivery]) -> Result<()> {
        let now = now_micros()?;
        let mut tx = self.begin(scope, Mode::Write).await?;
        insert_deliveries::<B>(&mut tx, scope, deliveries, now).await?;
        tx.commit().await
    }

    async fn claim_deliveries(
        &self,
        scope: &OrgScope,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        // SQLite: the write transaction (BEGIN IMMEDIATE) means two workers (or
        // replicas on one file) never claim the same row. PostgreSQL: SKIP LOCKED,
        // so concurrent workers on other replicas take other rows.
        let sql = dialect_sql::<B>(
            "UPDATE deliveries SET claimed_until_ms = $3, attempts = attempts + 1
          WHERE id IN (SELECT id FROM deliveries
                        WHERE org_id = $1 AND delivered_at IS NULL AND failed_at IS NULL
                          AND next_attempt_ms <= $2
                          AND (claimed_until_ms IS NULL OR claimed_until_ms <= $2)
                        ORDER BY next_attempt_ms, created_at LIMIT $4)
          RETURNING id, subscriber_id, channel, message, attempts, created_at",
            "UPDATE deliveries SET claimed_until = $3, attempts = attempts + 1
          WHERE id IN (SELECT id FROM deliveries
                        WHERE org_id = $1 AND delivered_at IS NULL AND failed_at IS NULL
                          AND next_attempt_at <= $2
                          AND (claimed_until IS NULL OR claimed_until <= $2)
                        ORDER BY next_attempt_at, created_at LIMIT $4
                        FOR UPDATE SKIP LOCKED)
          RETURNING id, subscriber_id, channel, message, attempts::bigint AS attempts,
                    created_at",
        );
        let args = args![
            scope.org_id(),
            due::<B>(now),
            due::<B>(lease_until),
            i64::from(limit)
        ];
        let mut tx = self.begin(scope, Mode::Write).await?;
        let rows = tx.fetch_all(sql, args).await?;
        tx.commit().await?;
        rows.iter().map(delivery_row).collect()
    }

    async fn finish_delivery(
        &self,
        scope: &OrgScope,
        id: Uuid,
        result: &DeliveryResult,
        at: OffsetDateTime,
    ) -> Result<()> {
        let (sql, when, error) = match result {
            DeliveryResult::Delivered => (
                dialect_sql::<B>(
                    "UPDATE deliveries SET delivered_at = $3, claimed_until_ms = NULL, last_error = $4
                  WHERE org_id = $1 AND id = $2",
                    "UPDATE deliveries SET delivered_at = $3, claimed_until = NULL, last_error = $4
                  WHERE org_id = $1 AND id = $2",
                ),
                Arg::Time(at),
                None,
            ),
            DeliveryResult::Retry {
                next_attempt_at,
                error,
            } => (
                dialect_sql::<B>(
                    "UPDATE deliveries SET next_attempt_ms = $3, claimed_until_ms = NULL, last_error = $4
                  WHERE org_id = $1 AND id = $2",
                    "UPDATE deliveries SET next_attempt_at = $3, claimed_until = NULL, last_error = $4
                  WHERE org_id = $1 AND id = $2",
                ),
                due::<B>(*next_attempt_at),
                Some(error.as_str()),
            ),
            DeliveryResult::Failed { error: reason } | DeliveryResult::Dropped { reason } => (
                dialect_sql::<B>(
                    "UPDATE deliveries SET failed_at = $3, claimed_until_ms = NULL, last_error = $4
                  WHERE org_id = $1 AND id = $2",
                    "UPDATE deliveries SET failed_at = $3, claimed_until = NULL, last_error = $4
                  WHERE org_id = $1 AND id = $2",
                ),
                Arg::Time(at),
                Some(reason.as_str()),
            ),
        };
        let mut tx = self.begin(scope, Mode::Write).await?;
        tx.execute(sql, args![scope.org_id(), id, when, error])
            .await?;
        tx.commit().await
    }

    async fn outbox_stats(&self, scope: &OrgScope) -> Result<OutboxStats> {
        let mut tx = self.begin(scope, Mode::Read).await?;
        let row = tx
            .fetch_optional(
                "SELECT count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS pending,
                    count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
                    count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
                    min(created_at) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS oldest
               FROM deliveries WHERE org_id = $1",
                args![scope.org_id()],
            )
            .await?
            .ok_or_else(|| StoreError::Backend("outbox counts returned no row".into()))?;
        tx.commit().await?;
        Ok(OutboxStats {
            pending: int_as(&row, "pending")?,
            delivered: int_as(&row, "delivered")?,
            failed: int_as(&row, "failed")?,
            oldest_pending_at: row.opt_time("oldest")?,
        })
    }
}

/// A new confirmation for a known address; its manage salt stays, so that links
/// in mails already sent keep working.
async fn renew_subscriber<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    id: Uuid,
    request: &SubscribeRequest,
) -> Result<()> {
    let secret = request.webhook_secret.as_ref();
    tx.execute(
        "UPDATE subscribers SET topics = $3, confirm_hash = $4, confirm_expires_at = $5,
                secret_nonce = $6, secret_ciphertext = $7, confirmed_at = NULL, locale = $8
          WHERE org_id = $1 AND id = $2",
        args![
            scope.org_id(),
            id,
            request.topics.as_str(),
            &request.confirm_hash,
            request.confirm_expires_at,
            secret.map(|s| s.nonce.as_slice()),
            secret.map(|s| s.ciphertext.as_slice()),
            &request.locale,
        ],
    )
    .await?;
    Ok(())
}

async fn insert_subscriber<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    request: &SubscribeRequest,
    now: OffsetDateTime,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    let secret = request.webhook_secret.as_ref();
    // A concurrent subscribe of the same address loses on the unique key and
    // reports a conflict; the caller answers the same either way.
    tx.execute(
        "INSERT INTO subscribers (id, org_id, channel, address, topics, confirm_hash,
                confirm_expires_at, manage_salt, secret_nonce, secret_ciphertext, created_at,
                locale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        args![
            id,
            scope.org_id(),
            request.channel.as_str(),
            &request.address,
            request.topics.as_str(),
            &request.confirm_hash,
            request.confirm_expires_at,
            &request.manage_salt,
            secret.map(|s| s.nonce.as_slice()),
            secret.map(|s| s.ciphertext.as_slice()),
            now,
            &request.locale,
        ],
    )
    .await?;
    Ok(id)
}

/// One subscriber found by a `select_subscribers!` statement.
async fn find_subscriber<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    sql: &'static str,
    args: &[Arg<'_>],
) -> Result<Option<Subscriber>> {
    let row = read_one(b, scope, sql, args).await?;
    row.as_ref().map(subscriber_row).transpose()
}
