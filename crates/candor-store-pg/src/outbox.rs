//! Subscribers, objections and the outbox on PostgreSQL. Every statement runs in
//! the org's scoped transaction, so row-level security applies to all of them.

use candor_store::keys::SealedSecret;
use candor_store::outbox::{
    Delivery, DeliveryResult, NewDelivery, Objection, OutboxStats, SubscribeOutcome,
    SubscribeRequest, Subscriber, confirmation_recently_mailed,
};
use candor_store::{OrgScope, Result, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgConnection, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{PgStore, backend};

const SUBSCRIBER_COLUMNS: &str = "id, channel, address, topics, manage_salt, secret_nonce, \
     secret_ciphertext, created_at, confirmed_at, unsubscribed_at";

fn corrupt(what: &str) -> impl Fn(String) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

fn subscriber_row(row: &PgRow) -> Result<Subscriber> {
    let nonce: Option<Vec<u8>> = row.try_get("secret_nonce").map_err(backend)?;
    let ciphertext: Option<Vec<u8>> = row.try_get("secret_ciphertext").map_err(backend)?;
    Ok(Subscriber {
        id: row.try_get("id").map_err(backend)?,
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
        created_at: row.try_get("created_at").map_err(backend)?,
        confirmed_at: row.try_get("confirmed_at").map_err(backend)?,
        unsubscribed_at: row.try_get("unsubscribed_at").map_err(backend)?,
    })
}

pub(crate) async fn insert_deliveries(
    conn: &mut PgConnection,
    scope: &OrgScope,
    deliveries: &[NewDelivery],
    now: OffsetDateTime,
) -> Result<()> {
    for d in deliveries {
        sqlx::query(
            "INSERT INTO deliveries (id, org_id, subscriber_id, channel, message, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(d.id)
        .bind(scope.org_id())
        .bind(d.subscriber_id)
        .bind(d.channel.as_str())
        .bind(&d.message)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

impl PgStore {
    pub(crate) async fn outbox_subscribe(
        &self,
        scope: &OrgScope,
        request: &SubscribeRequest,
        confirmation: &NewDelivery,
    ) -> Result<SubscribeOutcome> {
        let now = OffsetDateTime::now_utc();
        let mut tx = self.scoped(scope).await?;
        let existing = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers
              WHERE org_id = $1 AND channel = $2 AND address = $3 FOR UPDATE"
        )))
        .bind(scope.org_id())
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
                let expiry: Option<OffsetDateTime> = sqlx::query_scalar(
                    "SELECT confirm_expires_at FROM subscribers WHERE org_id = $1 AND id = $2",
                )
                .bind(scope.org_id())
                .bind(s.id)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
                // Still waiting for the confirmation asked for last time (not a
                // subscriber coming back): at most one mail per interval.
                if s.confirmed_at.is_none()
                    && expiry.is_some_and(|e| {
                        confirmation_recently_mailed(request, e, OffsetDateTime::now_utc())
                    })
                {
                    tx.rollback().await.map_err(backend)?;
                    return Ok(SubscribeOutcome::Pending(s.id));
                }
                sqlx::query(
                    "UPDATE subscribers SET topics = $3, confirm_hash = $4, confirm_expires_at = $5,
                            secret_nonce = $6, secret_ciphertext = $7, confirmed_at = NULL
                      WHERE org_id = $1 AND id = $2",
                )
                .bind(scope.org_id())
                .bind(s.id)
                .bind(request.topics.as_str())
                .bind(&request.confirm_hash)
                .bind(request.confirm_expires_at)
                .bind(nonce)
                .bind(ciphertext)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                s.id
            }
            None => {
                let id = Uuid::new_v4();
                // A concurrent subscribe of the same address loses on the unique key
                // and reports a conflict; the caller answers the same either way.
                sqlx::query(
                    "INSERT INTO subscribers (id, org_id, channel, address, topics, confirm_hash,
                            confirm_expires_at, manage_salt, secret_nonce, secret_ciphertext, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(id)
                .bind(scope.org_id())
                .bind(request.channel.as_str())
                .bind(&request.address)
                .bind(request.topics.as_str())
                .bind(&request.confirm_hash)
                .bind(request.confirm_expires_at)
                .bind(&request.manage_salt)
                .bind(nonce)
                .bind(ciphertext)
                .bind(now)
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
        insert_deliveries(&mut tx, scope, &[confirmation], now).await?;
        tx.commit().await.map_err(backend)?;
        Ok(SubscribeOutcome::Pending(id))
    }

    pub(crate) async fn outbox_confirm(
        &self,
        scope: &OrgScope,
        confirm_hash: &str,
        at: OffsetDateTime,
    ) -> Result<Option<Subscriber>> {
        let mut tx = self.scoped(scope).await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "UPDATE subscribers SET confirmed_at = coalesce(confirmed_at, $3), unsubscribed_at = NULL
              WHERE org_id = $1 AND confirm_hash = $2 AND confirm_expires_at > $3
              RETURNING {SUBSCRIBER_COLUMNS}"
        )))
        .bind(scope.org_id())
        .bind(confirm_hash)
        .bind(at)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        row.map(|r| subscriber_row(&r)).transpose()
    }

    pub(crate) async fn outbox_subscriber_where(
        &self,
        scope: &OrgScope,
        column: &'static str,
        id: Option<Uuid>,
        token: Option<&str>,
    ) -> Result<Option<Subscriber>> {
        let mut tx = self.scoped(scope).await?;
        let query = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE org_id = $1 AND {column} = $2"
        )))
        .bind(scope.org_id());
        let query = match (id, token) {
            (Some(id), _) => query.bind(id),
            (None, token) => query.bind(token.unwrap_or_default().to_owned()),
        };
        let row = query.fetch_optional(&mut *tx).await.map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        row.map(|r| subscriber_row(&r)).transpose()
    }

    pub(crate) async fn outbox_subscriber_by_address(
        &self,
        scope: &OrgScope,
        channel: candor_store::outbox::Channel,
        address: &str,
    ) -> Result<Option<Subscriber>> {
        let mut tx = self.scoped(scope).await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE org_id = $1 AND channel = $2 AND address = $3"
        )))
        .bind(scope.org_id())
        .bind(channel.as_str())
        .bind(address)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        row.map(|r| subscriber_row(&r)).transpose()
    }

    pub(crate) async fn outbox_unsubscribe(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.scoped(scope).await?;
        let done = sqlx::query(
            "UPDATE subscribers SET unsubscribed_at = $3
              WHERE org_id = $1 AND id = $2 AND unsubscribed_at IS NULL",
        )
        .bind(scope.org_id())
        .bind(id)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn outbox_subscribers(&self, scope: &OrgScope) -> Result<Vec<Subscriber>> {
        let mut tx = self.scoped(scope).await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE org_id = $1 ORDER BY created_at, id"
        )))
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter().map(subscriber_row).collect()
    }

    pub(crate) async fn outbox_insert_objection(
        &self,
        scope: &OrgScope,
        subscriber_id: Uuid,
        subprocessor: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Objection> {
        let id = Uuid::new_v4();
        let mut tx = self.scoped(scope).await?;
        let address: Option<String> = sqlx::query_scalar(
            "WITH s AS (SELECT id, address FROM subscribers WHERE org_id = $2 AND id = $3),
                  o AS (INSERT INTO objections (id, org_id, subscriber_id, subprocessor, reason, created_at)
                        SELECT $1, $2, s.id, $4, $5, $6 FROM s)
             SELECT address FROM s",
        )
        .bind(id)
        .bind(scope.org_id())
        .bind(subscriber_id)
        .bind(subprocessor)
        .bind(reason)
        .bind(at)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
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

    pub(crate) async fn outbox_objections(&self, scope: &OrgScope) -> Result<Vec<Objection>> {
        let mut tx = self.scoped(scope).await?;
        let rows = sqlx::query(
            "SELECT o.id, o.subscriber_id, s.address, o.subprocessor, o.reason, o.created_at
               FROM objections o JOIN subscribers s ON s.id = o.subscriber_id
              WHERE o.org_id = $1 ORDER BY o.created_at DESC, o.id",
        )
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(Objection {
                    id: row.try_get("id").map_err(backend)?,
                    subscriber_id: row.try_get("subscriber_id").map_err(backend)?,
                    address: row.try_get("address").map_err(backend)?,
                    subprocessor: row.try_get("subprocessor").map_err(backend)?,
                    reason: row.try_get("reason").map_err(backend)?,
                    created_at: row.try_get("created_at").map_err(backend)?,
                })
            })
            .collect()
    }

    pub(crate) async fn outbox_unannounced(&self, scope: &OrgScope) -> Result<Vec<u64>> {
        let mut tx = self.scoped(scope).await?;
        let numbers: Vec<i64> = sqlx::query_scalar(
            "SELECT r.number FROM revisions r
              WHERE r.org_id = $1
                AND NOT EXISTS (SELECT 1 FROM announcements a
                                 WHERE a.org_id = r.org_id AND a.revision = r.number)
              ORDER BY r.number",
        )
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        numbers
            .into_iter()
            .map(|n| u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("revision {n}"))))
            .collect()
    }

    pub(crate) async fn outbox_announce(
        &self,
        scope: &OrgScope,
        revision: u64,
        deliveries: &[NewDelivery],
        at: OffsetDateTime,
    ) -> Result<bool> {
        let revision =
            i64::try_from(revision).map_err(|_| StoreError::Backend("revision number".into()))?;
        let mut tx = self.scoped(scope).await?;
        let inserted = sqlx::query(
            "INSERT INTO announcements (org_id, revision, announced_at) VALUES ($1, $2, $3)
             ON CONFLICT (org_id, revision) DO NOTHING",
        )
        .bind(scope.org_id())
        .bind(revision)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if inserted.rows_affected() == 0 {
            return Ok(false);
        }
        insert_deliveries(&mut tx, scope, deliveries, at).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    pub(crate) async fn outbox_enqueue(
        &self,
        scope: &OrgScope,
        deliveries: &[NewDelivery],
    ) -> Result<()> {
        let mut tx = self.scoped(scope).await?;
        insert_deliveries(&mut tx, scope, deliveries, OffsetDateTime::now_utc()).await?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn outbox_claim(
        &self,
        scope: &OrgScope,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        let mut tx = self.scoped(scope).await?;
        // SKIP LOCKED: concurrent workers on other replicas take other rows.
        let rows = sqlx::query(
            "UPDATE deliveries SET claimed_until = $3, attempts = attempts + 1
              WHERE id IN (SELECT id FROM deliveries
                            WHERE org_id = $1 AND delivered_at IS NULL AND failed_at IS NULL
                              AND next_attempt_at <= $2
                              AND (claimed_until IS NULL OR claimed_until <= $2)
                            ORDER BY next_attempt_at, created_at LIMIT $4
                            FOR UPDATE SKIP LOCKED)
              RETURNING id, subscriber_id, channel, message, attempts, created_at",
        )
        .bind(scope.org_id())
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(Delivery {
                    id: row.try_get("id").map_err(backend)?,
                    subscriber_id: row.try_get("subscriber_id").map_err(backend)?,
                    channel: row
                        .try_get::<String, _>("channel")
                        .map_err(backend)?
                        .parse()
                        .map_err(corrupt("delivery channel"))?,
                    message: row.try_get("message").map_err(backend)?,
                    attempts: u32::try_from(row.try_get::<i32, _>("attempts").map_err(backend)?)
                        .unwrap_or(0),
                    created_at: row.try_get("created_at").map_err(backend)?,
                })
            })
            .collect()
    }

    pub(crate) async fn outbox_finish(
        &self,
        scope: &OrgScope,
        id: Uuid,
        result: &DeliveryResult,
        at: OffsetDateTime,
    ) -> Result<()> {
        let (sql, when, error) = match result {
            DeliveryResult::Delivered => (
                "UPDATE deliveries SET delivered_at = $3, claimed_until = NULL, last_error = $4
                  WHERE org_id = $1 AND id = $2",
                at,
                None,
            ),
            DeliveryResult::Retry {
                next_attempt_at,
                error,
            } => (
                "UPDATE deliveries SET next_attempt_at = $3, claimed_until = NULL, last_error = $4
                  WHERE org_id = $1 AND id = $2",
                *next_attempt_at,
                Some(error.clone()),
            ),
            DeliveryResult::Failed { error: reason } | DeliveryResult::Dropped { reason } => (
                "UPDATE deliveries SET failed_at = $3, claimed_until = NULL, last_error = $4
                  WHERE org_id = $1 AND id = $2",
                at,
                Some(reason.clone()),
            ),
        };
        let mut tx = self.scoped(scope).await?;
        sqlx::query(sql)
            .bind(scope.org_id())
            .bind(id)
            .bind(when)
            .bind(error)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn outbox_counts(&self, scope: &OrgScope) -> Result<OutboxStats> {
        let mut tx = self.scoped(scope).await?;
        let row = sqlx::query(
            "SELECT count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS pending,
                    count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
                    count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
               FROM deliveries WHERE org_id = $1",
        )
        .bind(scope.org_id())
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        let count = |c: &str| -> Result<u64> {
            Ok(u64::try_from(row.try_get::<i64, _>(c).map_err(backend)?).unwrap_or(0))
        };
        Ok(OutboxStats {
            pending: count("pending")?,
            delivered: count("delivered")?,
            failed: count("failed")?,
        })
    }
}
