//! [`crate::Analytics`]: daily counts, added to (never replaced), per org.

use async_trait::async_trait;

use crate::analytics::{DailyCount, Metric};
use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, int_as, read_all, to_i64};
use crate::{Analytics, OrgScope, Result, StoreError, args};

#[async_trait]
impl<B: SqlBackend> Analytics for B {
    async fn add_counts(&self, scope: &OrgScope, counts: &[DailyCount]) -> Result<()> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin(scope, Mode::Write).await?;
        for c in counts {
            tx.execute(
                "INSERT INTO daily_counts (org_id, day, metric, referrer, count)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (org_id, day, metric, referrer)
                 DO UPDATE SET count = daily_counts.count + excluded.count",
                args![
                    scope.org_id(),
                    c.day.as_str(),
                    c.metric.as_str(),
                    c.referrer.as_str(),
                    to_i64(c.count, "count")?
                ],
            )
            .await?;
        }
        tx.commit().await
    }

    async fn daily_counts(&self, scope: &OrgScope, since: &str) -> Result<Vec<DailyCount>> {
        let rows = read_all(
            self,
            scope,
            "SELECT day, metric, referrer, count FROM daily_counts
              WHERE org_id = $1 AND day >= $2
              ORDER BY day, metric, referrer",
            args![scope.org_id(), since],
        )
        .await?;
        rows.iter()
            .map(|row| {
                let metric = row.text("metric")?;
                Ok(DailyCount {
                    day: row.text("day")?,
                    metric: metric.parse::<Metric>().map_err(StoreError::Corrupt)?,
                    referrer: row.text("referrer")?,
                    count: int_as(row, "count")?,
                })
            })
            .collect()
    }
}
