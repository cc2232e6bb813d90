//! Questionnaires under review: sealed file and state, a version per row.

use async_trait::async_trait;
use candor_domain::audit::AuditEvent;
use uuid::Uuid;

use crate::questionnaires::{NewQuestionnaire, ReviewChange, SealedRecord, StoredQuestionnaire};
use crate::sql::audit::{append_in, execute_audited};
use crate::sql::content::save_draft_in;
use crate::sql::secrets::sealed_of;
use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, int_as, micros, read_all, read_one, to_i64};
use crate::{OrgScope, Questionnaires, Result, args};

/// `SELECT <a questionnaire's columns, without its file> FROM questionnaires <rest>`.
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, created_at, updated_at, version, state_key_version, state_nonce,
                    state_ciphertext FROM questionnaires ",
            $rest
        )
    };
}

fn sealed_record(row: &impl SqlRow, prefix: &str) -> Result<SealedRecord> {
    Ok(SealedRecord {
        key_version: int_as(row, &format!("{prefix}_key_version"))?,
        sealed: sealed_of(
            row,
            &format!("{prefix}_nonce"),
            &format!("{prefix}_ciphertext"),
        )?,
    })
}

fn questionnaire_row(row: &impl SqlRow) -> Result<StoredQuestionnaire> {
    Ok(StoredQuestionnaire {
        id: row.id("id")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
        version: int_as(row, "version")?,
        state: sealed_record(row, "state")?,
    })
}

#[async_trait]
impl<B: SqlBackend> Questionnaires for B {
    async fn insert_questionnaire(
        &self,
        scope: &OrgScope,
        q: &NewQuestionnaire,
        audit: &AuditEvent,
    ) -> Result<()> {
        let at = micros(q.created_at)?;
        execute_audited(
            self,
            scope,
            "INSERT INTO questionnaires (id, org_id, created_at, updated_at, version,
                 file_key_version, file_nonce, file_ciphertext,
                 state_key_version, state_nonce, state_ciphertext)
             VALUES ($2, $1, $3, $3, 1, $4, $5, $6, $7, $8, $9)",
            args![
                scope.org_id(),
                q.id,
                at,
                i64::from(q.file.key_version),
                &q.file.sealed.nonce,
                &q.file.sealed.ciphertext,
                i64::from(q.state.key_version),
                &q.state.sealed.nonce,
                &q.state.sealed.ciphertext,
            ],
            audit,
        )
        .await?;
        Ok(())
    }

    async fn questionnaires(&self, scope: &OrgScope) -> Result<Vec<StoredQuestionnaire>> {
        let rows = read_all(
            self,
            scope,
            select!("WHERE org_id = $1 ORDER BY created_at DESC, id"),
            args![scope.org_id()],
        )
        .await?;
        let mut out = rows
            .iter()
            .map(questionnaire_row)
            .collect::<Result<Vec<_>>>()?;
        // Stored times are text on SQLite, whose order is not time order.
        out.sort_by_key(|q| std::cmp::Reverse(q.created_at));
        Ok(out)
    }

    async fn questionnaire(
        &self,
        scope: &OrgScope,
        id: Uuid,
    ) -> Result<Option<StoredQuestionnaire>> {
        read_one(
            self,
            scope,
            select!("WHERE org_id = $1 AND id = $2"),
            args![scope.org_id(), id],
        )
        .await?
        .as_ref()
        .map(questionnaire_row)
        .transpose()
    }

    async fn questionnaire_file(&self, scope: &OrgScope, id: Uuid) -> Result<Option<SealedRecord>> {
        read_one(
            self,
            scope,
            "SELECT file_key_version, file_nonce, file_ciphertext
               FROM questionnaires WHERE org_id = $1 AND id = $2",
            args![scope.org_id(), id],
        )
        .await?
        .as_ref()
        .map(|row| sealed_record(row, "file"))
        .transpose()
    }

    async fn update_questionnaire(
        &self,
        scope: &OrgScope,
        id: Uuid,
        change: &ReviewChange<'_>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let changed = tx
            .execute(
                "UPDATE questionnaires
                    SET version = version + 1, updated_at = $4,
                        state_key_version = $5, state_nonce = $6, state_ciphertext = $7
                  WHERE org_id = $1 AND id = $2 AND version = $3",
                args![
                    scope.org_id(),
                    id,
                    to_i64(change.version, "questionnaire version")?,
                    micros(change.at)?,
                    i64::from(change.state.key_version),
                    &change.state.sealed.nonce,
                    &change.state.sealed.ciphertext,
                ],
            )
            .await?;
        if changed == 0 {
            // Dropping the transaction rolls it back: nothing was written.
            return Ok(false);
        }
        if let Some(draft) = change.draft {
            save_draft_in(&mut tx, scope, draft).await?;
        }
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn delete_questionnaire(
        &self,
        scope: &OrgScope,
        id: Uuid,
        audit: &AuditEvent,
    ) -> Result<bool> {
        execute_audited(
            self,
            scope,
            "DELETE FROM questionnaires WHERE org_id = $1 AND id = $2",
            args![scope.org_id(), id],
            audit,
        )
        .await
    }
}
