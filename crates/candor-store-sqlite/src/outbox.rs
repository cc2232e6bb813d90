//! Subscribers, objections and the outbox on SQLite.

use candor_store::keys::SealedSecret;
use candor_store::outbox::{
    Delivery, DeliveryResult, NewDelivery, Objection, OutboxStats, SubscribeOutcome,
    SubscribeRequest, Subscriber, confirmation_recently_mailed,
};
use candor_store::{OrgScope, Result, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row, SqliteConnection, SqlitePool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{backend, parse_id, parse_ts, ts};

const SUBSCRIBER_COLUMNS: &str = "id, channel, address, topics, manage_salt, secret_nonce, \
     secret_ciphertext, created_at, confirmed_at, unsubscribed_at";

fn millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn optional_ts(row: &SqliteRow, column: &str) -> Result<Option<OffsetDateTime>> {
    row.try_get::<Option<String>, _>(column)
        .map_err(backend)?
        .map(|s| parse_ts(&s))
        .transpose()
}

fn corrupt(what: &str) -> impl Fn(String) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

fn subscriber_row(row: &SqliteRow) -> Result<Subscriber> {
    let nonce: Option<Vec<u8>> = row.try_get("secret_nonce").map_err(backend)?;
    let ciphertext: Option<Vec<u8>> = row.try_get("secret_ciphertext").map_err(backend)?;
    Ok(Subscriber {
        id: parse_id(&row.try_get::<String, _>("id").map_err(backend)?)?,
        channel: row
            .try_get::<String, _>("channel")
            .map_err(backend)?
            .parse()
            .map_err(corrupt("subscriber channel"))?,
        address: row.try_get("address").map_err(backend)?,
        topics: row
            .try_get::<String, _>("topics")
            .map_err(backend)?
            .parse()
            .map_err(corrupt("subscriber topics"))?,
        manage_salt: row.try_get("manage_salt").map_err(backend)?,
        webhook_secret: nonce
            .zip(ciphertext)
            .map(|(nonce, ciphertext)| SealedSecret { nonce, ciphertext }),
        created_at: parse_ts(&row.try_get::<String, _>("created_at").map_err(backend)?)?,
        confirmed_at: optional_ts(row, "confirmed_at")?,
        unsubscribed_at: optional_ts(row, "unsubscribed_at")?,
    })
}

pub(crate) async fn insert_deliveries(
    conn: &mut SqliteConnection,
    org_id: &str,
    deliveries: &[NewDelivery],
    now: OffsetDateTime,
) -> Result<()> {
    for d in deliveries {
        sqlx::query(
            "INSERT INTO deliveries (id, org_id, subscriber_id, channel, message, created_at, next_attempt_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(d.id.to_string())
        .bind(org_id)
        .bind(d.subscriber_id.map(|id| id.to_string()))
        .bind(d.channel.as_str())
        .bind(&d.message)
        .bind(ts(now)?)
        .bind(millis(now))
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

pub async fn subscribe(
    pool: &SqlitePool,
    scope: &OrgScope,
    request: &SubscribeRequest,
    confirmation: &NewDelivery,
) -> Result<SubscribeOutcome> {
    let org_id = scope.org_id().to_string();
    let now = OffsetDateTime::now_utc();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let existing = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE org_id = $1 AND channel = $2 AND address = $3"
    )))
    .bind(&org_id)
    .bind(request.channel.as_str())
    .bind(&request.address)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?
    .map(|row| subscriber_row(&row))
    .transpose()?;
    let (nonce, ciphertext) = match &request.webhook_secret {
        Some(s) => (Some(s.nonce.clone()), Some(s.ciphertext.clone())),
        None => (None, None),
    };
    let id = match existing {
        Some(s) if s.is_active() => return Ok(SubscribeOutcome::AlreadyActive),
        Some(s) => {
            let expiry: Option<String> =
                sqlx::query_scalar("SELECT confirm_expires_at FROM subscribers WHERE id = $1")
                    .bind(s.id.to_string())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend)?;
            // Still waiting for the confirmation asked for last time (not a
            // subscriber coming back): at most one mail per interval.
            if let Some(expiry) = expiry.filter(|_| s.confirmed_at.is_none())
                && confirmation_recently_mailed(request, parse_ts(&expiry)?, now)
            {
                tx.rollback().await.map_err(backend)?;
                return Ok(SubscribeOutcome::Pending(s.id));
            }
            sqlx::query(
                "UPDATE subscribers SET topics = $2, confirm_hash = $3, confirm_expires_at = $4,
                        secret_nonce = $5, secret_ciphertext = $6, confirmed_at = NULL
                  WHERE id = $1",
            )
            .bind(s.id.to_string())
            .bind(request.topics.as_str())
            .bind(&request.confirm_hash)
            .bind(ts(request.confirm_expires_at)?)
            .bind(nonce)
            .bind(ciphertext)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            s.id
        }
        None => {
            let id = Uuid::new_v4();
            sqlx::query(
                "INSERT INTO subscribers (id, org_id, channel, address, topics, confirm_hash,
                        confirm_expires_at, manage_salt, secret_nonce, secret_ciphertext, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id.to_string())
            .bind(&org_id)
            .bind(request.channel.as_str())
            .bind(&request.address)
            .bind(request.topics.as_str())
            .bind(&request.confirm_hash)
            .bind(ts(request.confirm_expires_at)?)
            .bind(&request.manage_salt)
            .bind(nonce)
            .bind(ciphertext)
            .bind(ts(now)?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            id
        }
    };
    let confirmation = NewDelivery {
        subscriber_id: Some(id),
        ..confirmation.clone()
    };
    insert_deliveries(&mut tx, &org_id, &[confirmation], now).await?;
    tx.commit().await.map_err(backend)?;
    Ok(SubscribeOutcome::Pending(id))
}

pub async fn confirm(
    pool: &SqlitePool,
    scope: &OrgScope,
    confirm_hash: &str,
    at: OffsetDateTime,
) -> Result<Option<Subscriber>> {
    let org_id = scope.org_id().to_string();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let found = sqlx::query(
        "SELECT id, confirm_expires_at FROM subscribers WHERE org_id = $1 AND confirm_hash = $2",
    )
    .bind(&org_id)
    .bind(confirm_hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?;
    let Some(found) = found else { return Ok(None) };
    let expires = parse_ts(
        &found
            .try_get::<String, _>("confirm_expires_at")
            .map_err(backend)?,
    )?;
    if expires <= at {
        return Ok(None);
    }
    let row = sqlx::query(AssertSqlSafe(format!(
        "UPDATE subscribers SET confirmed_at = coalesce(confirmed_at, $3), unsubscribed_at = NULL
          WHERE org_id = $1 AND id = $2
          RETURNING {SUBSCRIBER_COLUMNS}"
    )))
    .bind(&org_id)
    .bind(found.try_get::<String, _>("id").map_err(backend)?)
    .bind(ts(at)?)
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    subscriber_row(&row).map(Some)
}

pub async fn subscriber_where(
    pool: &SqlitePool,
    scope: &OrgScope,
    column: &'static str,
    value: &str,
) -> Result<Option<Subscriber>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE org_id = $1 AND {column} = $2"
    )))
    .bind(scope.org_id().to_string())
    .bind(value)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(|r| subscriber_row(&r)).transpose()
}

pub async fn unsubscribe(
    pool: &SqlitePool,
    scope: &OrgScope,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE subscribers SET unsubscribed_at = $3
          WHERE org_id = $1 AND id = $2 AND unsubscribed_at IS NULL",
    )
    .bind(scope.org_id().to_string())
    .bind(id.to_string())
    .bind(ts(at)?)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}

pub async fn subscribers(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<Subscriber>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE org_id = $1 ORDER BY created_at, id"
    )))
    .bind(scope.org_id().to_string())
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(subscriber_row)
    .collect()
}

pub async fn insert_objection(
    pool: &SqlitePool,
    scope: &OrgScope,
    subscriber_id: Uuid,
    subprocessor: &str,
    reason: &str,
    at: OffsetDateTime,
) -> Result<Objection> {
    let id = Uuid::new_v4();
    let address: Option<String> = sqlx::query_scalar(
        "INSERT INTO objections (id, org_id, subscriber_id, subprocessor, reason, created_at)
         SELECT $1, $2, id, $4, $5, $6 FROM subscribers WHERE org_id = $2 AND id = $3
         RETURNING (SELECT address FROM subscribers WHERE id = $3)",
    )
    .bind(id.to_string())
    .bind(scope.org_id().to_string())
    .bind(subscriber_id.to_string())
    .bind(subprocessor)
    .bind(reason)
    .bind(ts(at)?)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    let address =
        address.ok_or_else(|| StoreError::Conflict(format!("subscriber {subscriber_id}")))?;
    Ok(Objection {
        id,
        subscriber_id,
        address,
        subprocessor: subprocessor.to_owned(),
        reason: reason.to_owned(),
        created_at: at,
    })
}

pub async fn objections(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<Objection>> {
    let rows = sqlx::query(
        "SELECT o.id, o.subscriber_id, s.address, o.subprocessor, o.reason, o.created_at
           FROM objections o JOIN subscribers s ON s.id = o.subscriber_id
          WHERE o.org_id = $1 ORDER BY o.created_at DESC, o.id",
    )
    .bind(scope.org_id().to_string())
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|row| {
            Ok(Objection {
                id: parse_id(&row.try_get::<String, _>("id").map_err(backend)?)?,
                subscriber_id: parse_id(
                    &row.try_get::<String, _>("subscriber_id").map_err(backend)?,
                )?,
                address: row.try_get("address").map_err(backend)?,
                subprocessor: row.try_get("subprocessor").map_err(backend)?,
                reason: row.try_get("reason").map_err(backend)?,
                created_at: parse_ts(&row.try_get::<String, _>("created_at").map_err(backend)?)?,
            })
        })
        .collect()
}

pub async fn unannounced(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<u64>> {
    let numbers: Vec<i64> = sqlx::query_scalar(
        "SELECT r.number FROM revisions r
          WHERE r.org_id = $1
            AND NOT EXISTS (SELECT 1 FROM announcements a WHERE a.org_id = r.org_id AND a.revision = r.number)
          ORDER BY r.number",
    )
    .bind(scope.org_id().to_string())
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    numbers
        .into_iter()
        .map(|n| u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("revision {n}"))))
        .collect()
}

pub async fn announce(
    pool: &SqlitePool,
    scope: &OrgScope,
    revision: u64,
    deliveries: &[NewDelivery],
    at: OffsetDateTime,
) -> Result<bool> {
    let org_id = scope.org_id().to_string();
    let revision =
        i64::try_from(revision).map_err(|_| StoreError::Backend("revision number".into()))?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let inserted = sqlx::query(
        "INSERT INTO announcements (org_id, revision, announced_at) VALUES ($1, $2, $3)
         ON CONFLICT (org_id, revision) DO NOTHING",
    )
    .bind(&org_id)
    .bind(revision)
    .bind(ts(at)?)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    insert_deliveries(&mut tx, &org_id, deliveries, at).await?;
    tx.commit().await.map_err(backend)?;
    Ok(true)
}

pub async fn enqueue(
    pool: &SqlitePool,
    scope: &OrgScope,
    deliveries: &[NewDelivery],
) -> Result<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    insert_deliveries(
        &mut tx,
        &scope.org_id().to_string(),
        deliveries,
        OffsetDateTime::now_utc(),
    )
    .await?;
    tx.commit().await.map_err(backend)
}

pub async fn claim(
    pool: &SqlitePool,
    scope: &OrgScope,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: u32,
) -> Result<Vec<Delivery>> {
    // IMMEDIATE: two workers (or replicas on one file) never claim the same row.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let rows = sqlx::query(
        "UPDATE deliveries SET claimed_until_ms = $3, attempts = attempts + 1
          WHERE id IN (SELECT id FROM deliveries
                        WHERE org_id = $1 AND delivered_at IS NULL AND failed_at IS NULL
                          AND next_attempt_ms <= $2
                          AND (claimed_until_ms IS NULL OR claimed_until_ms <= $2)
                        ORDER BY next_attempt_ms, created_at LIMIT $4)
          RETURNING id, subscriber_id, channel, message, attempts, created_at",
    )
    .bind(scope.org_id().to_string())
    .bind(millis(now))
    .bind(millis(lease_until))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    rows.iter()
        .map(|row| {
            Ok(Delivery {
                id: parse_id(&row.try_get::<String, _>("id").map_err(backend)?)?,
                subscriber_id: row
                    .try_get::<Option<String>, _>("subscriber_id")
                    .map_err(backend)?
                    .map(|s| parse_id(&s))
                    .transpose()?,
                channel: row
                    .try_get::<String, _>("channel")
                    .map_err(backend)?
                    .parse()
                    .map_err(corrupt("delivery channel"))?,
                message: row.try_get("message").map_err(backend)?,
                attempts: u32::try_from(row.try_get::<i64, _>("attempts").map_err(backend)?)
                    .unwrap_or(u32::MAX),
                created_at: parse_ts(&row.try_get::<String, _>("created_at").map_err(backend)?)?,
            })
        })
        .collect()
}

pub async fn finish(
    pool: &SqlitePool,
    scope: &OrgScope,
    id: Uuid,
    result: &DeliveryResult,
    at: OffsetDateTime,
) -> Result<()> {
    let (sql, when, error) = match result {
        DeliveryResult::Delivered => (
            "UPDATE deliveries SET delivered_at = $3, claimed_until_ms = NULL, last_error = $4
              WHERE org_id = $1 AND id = $2",
            ts(at)?,
            None,
        ),
        DeliveryResult::Retry {
            next_attempt_at,
            error,
        } => (
            "UPDATE deliveries SET next_attempt_ms = CAST($3 AS INTEGER), claimed_until_ms = NULL,
                    last_error = $4
              WHERE org_id = $1 AND id = $2",
            millis(*next_attempt_at).to_string(),
            Some(error.clone()),
        ),
        DeliveryResult::Failed { error: reason } | DeliveryResult::Dropped { reason } => (
            "UPDATE deliveries SET failed_at = $3, claimed_until_ms = NULL, last_error = $4
              WHERE org_id = $1 AND id = $2",
            ts(at)?,
            Some(reason.clone()),
        ),
    };
    sqlx::query(sql)
        .bind(scope.org_id().to_string())
        .bind(id.to_string())
        .bind(when)
        .bind(error)
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(())
}

pub async fn stats(pool: &SqlitePool, scope: &OrgScope) -> Result<OutboxStats> {
    let row = sqlx::query(
        "SELECT count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS pending,
                count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
                count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
           FROM deliveries WHERE org_id = $1",
    )
    .bind(scope.org_id().to_string())
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    let count = |c: &str| -> Result<u64> {
        Ok(u64::try_from(row.try_get::<i64, _>(c).map_err(backend)?).unwrap_or(0))
    };
    Ok(OutboxStats {
        pending: count("pending")?,
        delivered: count("delivered")?,
        failed: count("failed")?,
    })
}

pub async fn subscriber_by_address(
    pool: &SqlitePool,
    scope: &OrgScope,
    channel: candor_store::outbox::Channel,
    address: &str,
) -> Result<Option<Subscriber>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE org_id = $1 AND channel = $2 AND address = $3"
    )))
    .bind(scope.org_id().to_string())
    .bind(channel.as_str())
    .bind(address)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(|r| subscriber_row(&r)).transpose()
}
