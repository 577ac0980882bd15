//! The registers of agencies and personal-data files.
//!
//! Each register has a table of current entries (the columns a search filters on) and a table
//! of versions holding every version's JSON document. A write updates both in one transaction,
//! so the index columns always describe the current version's document.

use std::collections::BTreeSet;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use lantern_domain::{Agency, AgencyCode, FileId, PersonalDataFile};
use lantern_store::{Change, FileQuery, Page, RegisterStore, StoreError, VersionInfo, Versioned};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use tokio_postgres::types::Json;
use tokio_postgres::{IsolationLevel, Row};

use crate::PostgresStore;
use crate::codec::{Params, db_version, execute, get, query, query_opt, version};
use crate::error::pg;
use lantern_store::derived::{
    VersionUpdate, next_version, page_limit, plan_update, search_text, search_words, stored_instant,
};

/// The metadata columns of a `*_versions` row aliased `v`, in the order [`info`] reads them.
macro_rules! info_columns {
    () => {
        "v.version, v.changed_by, v.changed_at, v.changed_fields"
    };
}

/// Every column of a `*_versions` row aliased `v`, in the order [`versioned`] reads them.
macro_rules! version_columns {
    () => {
        concat!(info_columns!(), ", v.document")
    };
}

/// The version metadata in a row selected with [`info_columns`].
pub(crate) fn info(row: &Row) -> Result<VersionInfo, StoreError> {
    Ok(VersionInfo {
        version: version(get(row, 0)?)?,
        changed_by: get(row, 1)?,
        changed_at: get(row, 2)?,
        changed_fields: get(row, 3)?,
    })
}

/// The version in a row selected with [`version_columns`].
pub(crate) fn versioned<T: DeserializeOwned>(row: &Row) -> Result<Versioned<T>, StoreError> {
    let Json(value) = get(row, 4)?;
    Ok(Versioned {
        value,
        info: info(row)?,
    })
}

/// What a new version records: the value, who changed what, and when.
pub(crate) struct NewVersion<'a, T> {
    pub(crate) value: &'a T,
    pub(crate) version: u32,
    pub(crate) change: &'a Change,
    pub(crate) changed_fields: Vec<&'static str>,
}

impl<T: Serialize + Clone + Sync + std::fmt::Debug> NewVersion<'_, T> {
    /// Inserts the version with `insert`, whose parameters are key, version, document, actor,
    /// time and changed fields, and returns it as later reads will.
    pub(crate) async fn insert(
        &self,
        tx: &Transaction<'_>,
        insert: &str,
        key: &str,
    ) -> Result<Versioned<T>, StoreError> {
        let changed_at: OffsetDateTime = stored_instant(self.change.at);
        execute(
            tx,
            insert,
            &[
                &key,
                &db_version(self.version)?,
                &Json(self.value),
                &self.change.actor,
                &changed_at,
                &self.changed_fields,
            ],
        )
        .await?;
        Ok(Versioned {
            value: self.value.clone(),
            info: VersionInfo {
                version: self.version,
                changed_by: self.change.actor.clone(),
                changed_at,
                changed_fields: self
                    .changed_fields
                    .iter()
                    .map(|f| (*f).to_owned())
                    .collect(),
            },
        })
    }
}

/// True when `code` is a registered agency.
pub(crate) async fn agency_exists<C: GenericClient>(
    client: &C,
    code: &AgencyCode,
) -> Result<bool, StoreError> {
    Ok(query_opt(
        client,
        "SELECT 1 FROM agencies WHERE code = $1",
        &[&code.as_str()],
    )
    .await?
    .is_some())
}

const CURRENT_AGENCY: &str = concat!(
    "SELECT ",
    version_columns!(),
    " FROM agencies a JOIN agency_versions v ON v.code = a.code AND v.version = a.version WHERE a.code = $1"
);

async fn put_agency(
    tx: &Transaction<'_>,
    agency: &Agency,
    change: &Change,
) -> Result<Versioned<Agency>, StoreError> {
    if let Some(supervisor) = &agency.supervisor
        && !agency_exists(tx, supervisor).await?
    {
        return Err(StoreError::NotFound(format!(
            "supervising agency {supervisor}"
        )));
    }
    let code = agency.code.as_str();
    let supervisor = agency.supervisor.as_ref().map(AgencyCode::as_str);
    // A concurrent first write of the same agency makes this insert wait for it and then do
    // nothing; the row is then locked and updated below like any existing agency.
    let created = execute(
        tx,
        "INSERT INTO agencies (code, version, supervisor) VALUES ($1, 1, $2) ON CONFLICT (code) DO NOTHING",
        &[&code, &supervisor],
    )
    .await?
        == 1;
    let new = if created {
        NewVersion {
            value: agency,
            version: 1,
            change,
            changed_fields: Vec::new(),
        }
    } else {
        // Lock first, then read the join in a fresh statement (see `update_file` for why a
        // locking join would miss the row after waiting for a concurrent writer).
        execute(
            tx,
            "SELECT 1 FROM agencies WHERE code = $1 FOR UPDATE",
            &[&code],
        )
        .await?;
        let row = query_opt(tx, concat!(
            "SELECT ",
            version_columns!(),
            " FROM agencies a JOIN agency_versions v ON v.code = a.code AND v.version = a.version",
            " WHERE a.code = $1"
        ), &[&code])
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("agency {code} has no current version")))?;
        let current: Versioned<Agency> = versioned(&row)?;
        if current.value == *agency {
            return Ok(current);
        }
        let version = next_version(current.info.version)?;
        execute(
            tx,
            "UPDATE agencies SET version = $2, supervisor = $3 WHERE code = $1",
            &[&code, &db_version(version)?, &supervisor],
        )
        .await?;
        NewVersion {
            value: agency,
            version,
            change,
            changed_fields: agency.changed_fields(&current.value),
        }
    };
    new.insert(
        tx,
        "INSERT INTO agency_versions (code, version, document, changed_by, changed_at, changed_fields)
         VALUES ($1, $2, $3, $4, $5, $6)",
        code,
    )
    .await
}

/// Writes the version row and the index of the current version: search columns, purpose and
/// category codes. The caller has written, and holds the lock on, the `files` row.
async fn write_file_version(
    tx: &Transaction<'_>,
    new: &NewVersion<'_, PersonalDataFile>,
) -> Result<Versioned<PersonalDataFile>, StoreError> {
    let file = new.value;
    let id = file.id.as_str();
    execute(
        tx,
        "UPDATE files SET version = $2, search_text = $3, has_sensitive = $4, is_large_database = $5 WHERE id = $1",
        &[&id, &db_version(new.version)?, &search_text(file), &file.has_sensitive_data(), &file.large_database.is_some()],
    )
    .await?;
    let purposes: BTreeSet<&str> = file.purpose_codes().map(|c| c.as_str()).collect();
    let categories: BTreeSet<&str> = file.category_codes().map(|c| c.as_str()).collect();
    for (delete, insert, codes) in [
        (
            "DELETE FROM file_purposes WHERE file_id = $1",
            "INSERT INTO file_purposes (file_id, code) SELECT $1, unnest($2::text[])",
            purposes,
        ),
        (
            "DELETE FROM file_categories WHERE file_id = $1",
            "INSERT INTO file_categories (file_id, code) SELECT $1, unnest($2::text[])",
            categories,
        ),
    ] {
        execute(tx, delete, &[&id]).await?;
        let codes: Vec<&str> = codes.into_iter().collect();
        execute(tx, insert, &[&id, &codes]).await?;
    }
    new.insert(
        tx,
        "INSERT INTO file_versions (file_id, version, document, changed_by, changed_at, changed_fields)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
    )
    .await
}

async fn create_file(
    tx: &Transaction<'_>,
    file: &PersonalDataFile,
    change: &Change,
) -> Result<Versioned<PersonalDataFile>, StoreError> {
    if !agency_exists(tx, &file.agency).await? {
        return Err(StoreError::NotFound(format!("agency {}", file.agency)));
    }
    // A concurrent creation of the same id makes this insert wait for it, then do nothing.
    let inserted = execute(
        tx,
        "INSERT INTO files (id, agency, version, search_text, has_sensitive, is_large_database)
         VALUES ($1, $2, 1, '', false, false)
         ON CONFLICT (id) DO NOTHING",
        &[&file.id.as_str(), &file.agency.as_str()],
    )
    .await?;
    if inserted == 0 {
        return Err(StoreError::Conflict(format!(
            "file id {} is taken",
            file.id
        )));
    }
    write_file_version(
        tx,
        &NewVersion {
            value: file,
            version: 1,
            change,
            changed_fields: Vec::new(),
        },
    )
    .await
}

async fn update_file(
    tx: &Transaction<'_>,
    file: &PersonalDataFile,
    expected_version: Option<u32>,
    change: &Change,
) -> Result<Versioned<PersonalDataFile>, StoreError> {
    // The row lock makes concurrent updates of one file take turns: the second sees the first's
    // version and, with the same expected version, is refused. The lock is taken on its own,
    // before the join is read: under READ COMMITTED a locking join re-checks only the locked row
    // after the wait, so the joined version row from the old snapshot would no longer match and
    // the file would look missing. The following statement reads a fresh snapshot.
    let locked = query_opt(
        tx,
        "SELECT 1 FROM files WHERE id = $1 FOR UPDATE",
        &[&file.id.as_str()],
    )
    .await?;
    if locked.is_none() {
        return Err(StoreError::NotFound(format!("file {}", file.id)));
    }
    let row = query_opt(
        tx,
        concat!(
            "SELECT ",
            version_columns!(),
            " FROM files f JOIN file_versions v ON v.file_id = f.id AND v.version = f.version",
            " WHERE f.id = $1"
        ),
        &[&file.id.as_str()],
    )
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("file {}", file.id)))?;
    let current: Versioned<PersonalDataFile> = versioned(&row)?;
    let VersionUpdate::NewVersion {
        version,
        changed_fields,
    } = plan_update(&current, file, expected_version)?
    else {
        return Ok(current);
    };
    let new = NewVersion {
        value: file,
        version,
        change,
        changed_fields,
    };
    write_file_version(tx, &new).await
}

/// A query's filters as a `WHERE` clause over `files f`, adding their values to `params`.
/// User input only ever travels as a parameter.
fn filter(query: &FileQuery, params: &mut Params) -> String {
    let mut conditions = Vec::new();
    for word in query.text.as_deref().map(search_words).unwrap_or_default() {
        conditions.push(format!("strpos(f.search_text, {}) > 0", params.add(word)));
    }
    if let Some(agency) = &query.agency {
        conditions.push(format!(
            "f.agency = {}",
            params.add(agency.as_str().to_owned())
        ));
    }
    if let Some(purpose) = &query.purpose {
        let code = params.add(purpose.as_str().to_owned());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM file_purposes p WHERE p.file_id = f.id AND p.code = {code})"
        ));
    }
    if let Some(category) = &query.category {
        let code = params.add(category.as_str().to_owned());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM file_categories c WHERE c.file_id = f.id AND c.code = {code})"
        ));
    }
    if let Some(sensitive) = query.sensitive {
        conditions.push(format!("f.has_sensitive = {}", params.add(sensitive)));
    }
    if let Some(large) = query.large_database {
        conditions.push(format!("f.is_large_database = {}", params.add(large)));
    }
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

#[async_trait]
impl RegisterStore for PostgresStore {
    async fn put_agency(
        &self,
        agency: &Agency,
        change: &Change,
    ) -> Result<Versioned<Agency>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let stored = put_agency(&tx, agency, change).await?;
        tx.commit().await.map_err(pg)?;
        Ok(stored)
    }

    async fn agency(&self, code: &AgencyCode) -> Result<Option<Versioned<Agency>>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(&client, CURRENT_AGENCY, &[&code.as_str()]).await?;
        row.as_ref().map(versioned).transpose()
    }

    async fn agency_version(
        &self,
        code: &AgencyCode,
        version: u32,
    ) -> Result<Option<Versioned<Agency>>, StoreError> {
        // No stored version exceeds the INTEGER column, so a larger one simply does not exist.
        let Ok(version) = i32::try_from(version) else {
            return Ok(None);
        };
        let client = self.client().await?;
        let row = query_opt(
            &client,
            concat!(
                "SELECT ",
                version_columns!(),
                " FROM agency_versions v WHERE v.code = $1 AND v.version = $2"
            ),
            &[&code.as_str(), &version],
        )
        .await?;
        row.as_ref().map(versioned).transpose()
    }

    async fn agency_history(&self, code: &AgencyCode) -> Result<Vec<VersionInfo>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            concat!(
                "SELECT ",
                info_columns!(),
                " FROM agency_versions v WHERE v.code = $1 ORDER BY v.version"
            ),
            &[&code.as_str()],
        )
        .await?;
        rows.iter().map(info).collect()
    }

    async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            "SELECT v.document FROM agencies a
             JOIN agency_versions v ON v.code = a.code AND v.version = a.version
             ORDER BY a.code",
            &[],
        )
        .await?;
        rows.iter()
            .map(|row| get::<Json<Agency>>(row, 0).map(|Json(agency)| agency))
            .collect()
    }

    async fn create_file(
        &self,
        file: &PersonalDataFile,
        change: &Change,
    ) -> Result<Versioned<PersonalDataFile>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let stored = create_file(&tx, file, change).await?;
        tx.commit().await.map_err(pg)?;
        Ok(stored)
    }

    async fn update_file(
        &self,
        file: &PersonalDataFile,
        expected_version: Option<u32>,
        change: &Change,
    ) -> Result<Versioned<PersonalDataFile>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let stored = update_file(&tx, file, expected_version, change).await?;
        tx.commit().await.map_err(pg)?;
        Ok(stored)
    }

    async fn file(
        &self,
        id: &FileId,
        version: Option<u32>,
    ) -> Result<Option<Versioned<PersonalDataFile>>, StoreError> {
        let client = self.client().await?;
        let row = match version {
            None => {
                query_opt(
                    &client,
                    concat!(
                        "SELECT ",
                        version_columns!(),
                        " FROM files f JOIN file_versions v ON v.file_id = f.id AND v.version = f.version",
                        " WHERE f.id = $1"
                    ),
                    &[&id.as_str()],
                )
                .await?
            }
            Some(version) => {
                // No stored version exceeds the INTEGER column, so a larger one simply does not exist.
                let Ok(version) = i32::try_from(version) else {
                    return Ok(None);
                };
                query_opt(
                    &client,
                    concat!("SELECT ", version_columns!(), " FROM file_versions v WHERE v.file_id = $1 AND v.version = $2"),
                    &[&id.as_str(), &version],
                )
                .await?
            }
        };
        row.as_ref().map(versioned).transpose()
    }

    async fn file_history(&self, id: &FileId) -> Result<Vec<VersionInfo>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            concat!(
                "SELECT ",
                info_columns!(),
                " FROM file_versions v WHERE v.file_id = $1 ORDER BY v.version"
            ),
            &[&id.as_str()],
        )
        .await?;
        rows.iter().map(info).collect()
    }

    async fn search_files(
        &self,
        query: &FileQuery,
    ) -> Result<Page<Versioned<PersonalDataFile>>, StoreError> {
        let mut params = Params::default();
        let clause = filter(query, &mut params);
        let count_sql = format!("SELECT count(*) FROM files f{clause}");
        let count_params = params.values.len();
        let limit = params.add(i64::from(page_limit(query.limit)));
        let offset = params.add(i64::from(query.offset));
        let page_sql = format!(
            concat!(
                "SELECT ",
                version_columns!(),
                " FROM files f JOIN file_versions v ON v.file_id = f.id AND v.version = f.version{}",
                " ORDER BY f.agency, f.id LIMIT {} OFFSET {}"
            ),
            clause, limit, offset
        );
        let values = params.refs();

        let mut client = self.client().await?;
        // One snapshot for the count and the page, so the total describes the same data.
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(pg)?;
        // Filters vary per query, so these statements are prepared afresh rather than cached.
        let total: i64 = get(
            &tx.query_one(&count_sql, &values[..count_params])
                .await
                .map_err(pg)?,
            0,
        )?;
        let rows = tx.query(&page_sql, &values).await.map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(Page {
            items: rows.iter().map(versioned).collect::<Result<_, _>>()?,
            total: u64::try_from(total)
                .map_err(|_| StoreError::Corrupt(format!("count {total}")))?,
        })
    }
}
