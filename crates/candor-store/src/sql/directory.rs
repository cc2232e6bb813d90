//! The org directory: slug, name and own host of every org.

use async_trait::async_trait;
use uuid::Uuid;

use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, now_micros};
use crate::sql::{read_global_all, read_global_one};
use crate::{Directory, Org, Result, StoreError, args, parse_slug};
use candor_domain::OrgSlug;

pub(crate) fn org_row(row: &impl SqlRow) -> Result<Org> {
    Ok(Org {
        id: row.id("id")?,
        slug: parse_slug(&row.text("slug")?)?,
        name: row.text("name")?,
        created_at: row.time("created_at")?,
    })
}

#[async_trait]
impl<B: SqlBackend> Directory for B {
    fn backend(&self) -> &'static str {
        B::NAME
    }

    fn pool_stats(&self) -> crate::PoolStats {
        SqlBackend::pool_stats(self)
    }

    async fn ping(&self) -> Result<()> {
        let mut tx = self.begin_global(Mode::Read).await?;
        tx.fetch_optional("SELECT 1 AS one", args![]).await?;
        tx.commit().await
    }

    async fn insert_org(&self, slug: &OrgSlug, name: &str) -> Result<Org> {
        let org = Org {
            id: Uuid::new_v4(),
            slug: slug.clone(),
            name: name.to_owned(),
            created_at: now_micros()?,
        };
        let mut tx = self.begin_global(Mode::Write).await?;
        let inserted = tx
            .execute(
                "INSERT INTO orgs (id, slug, name, created_at) VALUES ($1, $2, $3, $4)",
                args![org.id, slug.as_str(), name, org.created_at],
            )
            .await;
        match inserted {
            Err(StoreError::Conflict(_)) => {
                return Err(StoreError::Conflict(format!("org {slug}")));
            }
            other => other?,
        };
        tx.commit().await?;
        Ok(org)
    }

    async fn org_by_slug(&self, slug: &OrgSlug) -> Result<Option<Org>> {
        let row = read_global_one(
            self,
            "SELECT id, slug, name, created_at FROM orgs WHERE slug = $1",
            args![slug.as_str()],
        )
        .await?;
        row.as_ref().map(org_row).transpose()
    }

    async fn list_orgs(&self) -> Result<Vec<Org>> {
        let rows = read_global_all(
            self,
            "SELECT id, slug, name, created_at FROM orgs ORDER BY slug",
            args![],
        )
        .await?;
        rows.iter().map(org_row).collect()
    }

    async fn set_org_host(&self, slug: &OrgSlug, host: Option<&str>) -> Result<()> {
        let mut tx = self.begin_global(Mode::Write).await?;
        let org = tx
            .fetch_optional("SELECT id FROM orgs WHERE slug = $1", args![slug.as_str()])
            .await?
            .ok_or_else(|| StoreError::Conflict(format!("no org {slug}")))?;
        let org_id = org.id("id")?;
        tx.execute("DELETE FROM org_hosts WHERE org_id = $1", args![org_id])
            .await?;
        if let Some(host) = host {
            let inserted = tx
                .execute(
                    "INSERT INTO org_hosts (host, org_id) VALUES ($1, $2)",
                    args![host, org_id],
                )
                .await;
            match inserted {
                Err(StoreError::Conflict(_)) => {
                    return Err(StoreError::Conflict(format!("host {host}")));
                }
                other => other?,
            };
        }
        tx.commit().await
    }

    async fn org_by_host(&self, host: &str) -> Result<Option<Org>> {
        let row = read_global_one(
            self,
            "SELECT o.id, o.slug, o.name, o.created_at FROM orgs o JOIN org_hosts h ON h.org_id = o.id
             WHERE h.host = $1",
            args![host],
        )
        .await?;
        row.as_ref().map(org_row).transpose()
    }

    async fn orgs_published_since(
        &self,
        since: time::OffsetDateTime,
    ) -> Result<Vec<(OrgSlug, time::OffsetDateTime)>> {
        let rows = read_global_all(
            self,
            "SELECT slug, published_at FROM orgs WHERE published_at >= $1",
            args![since],
        )
        .await?;
        rows.iter()
            .map(|r| Ok((parse_slug(&r.text("slug")?)?, r.time("published_at")?)))
            .collect()
    }
}
