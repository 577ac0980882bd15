//! The registers of agencies and personal-data files.
//!
//! Each register has a table of current entries (the columns a search filters on) and a table
//! of versions holding every version's JSON document. A write updates both in one transaction,
//! so the index columns always describe the current version's document.

use std::collections::BTreeSet;

use async_trait::async_trait;
use lantern_domain::{Agency, AgencyCode, FileId, PersonalDataFile};
use lantern_store::{Change, FileQuery, Page, RegisterStore, StoreError, VersionInfo, Versioned};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, Transaction, params, params_from_iter};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::SqliteStore;
use crate::codec::{from_json, instant, micros, to_json, version};
use crate::error::sql;
use lantern_store::derived::{
    VersionUpdate, next_version, page_limit, plan_update, search_text, search_words, stored_instant,
};

/// The metadata columns of a `*_versions` row aliased `v`, in the order
/// [`StoredInfo::from_row`] reads them.
macro_rules! info_columns {
    () => {
        "v.version, v.changed_by, v.changed_at, v.changed_fields"
    };
}

/// Every column of a `*_versions` row aliased `v`, in the order [`StoredVersion::from_row`]
/// reads them.
macro_rules! version_columns {
    () => {
        concat!(info_columns!(), ", v.document")
    };
}

/// A version's metadata as stored.
pub(crate) struct StoredInfo {
    version: i64,
    changed_by: String,
    changed_at: i64,
    changed_fields: String,
}

impl StoredInfo {
    pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            version: row.get(0)?,
            changed_by: row.get(1)?,
            changed_at: row.get(2)?,
            changed_fields: row.get(3)?,
        })
    }

    pub(crate) fn decode(self) -> Result<VersionInfo, StoreError> {
        Ok(VersionInfo {
            version: version(self.version)?,
            changed_by: self.changed_by,
            changed_at: instant(self.changed_at)?,
            changed_fields: from_json(&self.changed_fields, "changed fields")?,
        })
    }
}

/// A whole version as stored.
pub(crate) struct StoredVersion {
    info: StoredInfo,
    document: String,
}

impl StoredVersion {
    pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            info: StoredInfo::from_row(row)?,
            document: row.get(4)?,
        })
    }

    pub(crate) fn decode<T: DeserializeOwned>(
        self,
        what: &str,
    ) -> Result<Versioned<T>, StoreError> {
        Ok(Versioned {
            value: from_json(&self.document, what)?,
            info: self.info.decode()?,
        })
    }
}

/// What a new version records: the value, who changed what, and when.
pub(crate) struct NewVersion<'a, T> {
    pub(crate) value: &'a T,
    pub(crate) version: u32,
    pub(crate) change: &'a Change,
    pub(crate) changed_fields: Vec<&'static str>,
}

impl<T: Serialize + Clone> NewVersion<'_, T> {
    /// The version as later reads will return it.
    fn stored(&self) -> Versioned<T> {
        Versioned {
            value: self.value.clone(),
            info: VersionInfo {
                version: self.version,
                changed_by: self.change.actor.clone(),
                changed_at: stored_instant(self.change.at),
                changed_fields: self
                    .changed_fields
                    .iter()
                    .map(|f| (*f).to_owned())
                    .collect(),
            },
        }
    }

    /// Inserts the version with `insert`, whose parameters are key, version, document, actor,
    /// time and changed fields.
    pub(crate) fn insert(
        &self,
        tx: &Transaction<'_>,
        insert: &str,
        key: &str,
    ) -> Result<Versioned<T>, StoreError> {
        let document = to_json(self.value)?;
        let changed_at = micros(self.change.at)?;
        let changed_fields = to_json(&self.changed_fields)?;
        tx.prepare_cached(insert)
            .and_then(|mut stmt| {
                stmt.execute(params![
                    key,
                    self.version,
                    document,
                    self.change.actor,
                    changed_at,
                    changed_fields
                ])
            })
            .map_err(sql)?;
        Ok(self.stored())
    }
}

/// True when `code` is a registered agency.
pub(crate) fn agency_exists(tx: &Transaction<'_>, code: &AgencyCode) -> Result<bool, StoreError> {
    tx.prepare_cached("SELECT 1 FROM agencies WHERE code = ?1")
        .and_then(|mut stmt| stmt.exists([code.as_str()]))
        .map_err(sql)
}

fn current_agency(
    tx: &Transaction<'_>,
    code: &AgencyCode,
) -> Result<Option<Versioned<Agency>>, StoreError> {
    let stored = tx
        .prepare_cached(concat!(
            "SELECT ",
            version_columns!(),
            " FROM agencies a JOIN agency_versions v ON v.code = a.code AND v.version = a.version",
            " WHERE a.code = ?1"
        ))
        .and_then(|mut stmt| {
            stmt.query_row([code.as_str()], StoredVersion::from_row)
                .optional()
        })
        .map_err(sql)?;
    stored.map(|s| s.decode("agency document")).transpose()
}

fn put_agency(
    tx: &Transaction<'_>,
    agency: &Agency,
    change: &Change,
) -> Result<Versioned<Agency>, StoreError> {
    if let Some(supervisor) = &agency.supervisor
        && !agency_exists(tx, supervisor)?
    {
        return Err(StoreError::NotFound(format!(
            "supervising agency {supervisor}"
        )));
    }
    let supervisor = agency.supervisor.as_ref().map(AgencyCode::as_str);
    let new = match current_agency(tx, &agency.code)? {
        None => {
            tx.prepare_cached(
                "INSERT INTO agencies (code, version, supervisor) VALUES (?1, 1, ?2)",
            )
            .and_then(|mut stmt| stmt.execute(params![agency.code.as_str(), supervisor]))
            .map_err(sql)?;
            NewVersion {
                value: agency,
                version: 1,
                change,
                changed_fields: Vec::new(),
            }
        }
        Some(current) if current.value == *agency => return Ok(current),
        Some(current) => {
            let version = next_version(current.info.version)?;
            tx.prepare_cached("UPDATE agencies SET version = ?2, supervisor = ?3 WHERE code = ?1")
                .and_then(|mut stmt| {
                    stmt.execute(params![agency.code.as_str(), version, supervisor])
                })
                .map_err(sql)?;
            NewVersion {
                value: agency,
                version,
                change,
                changed_fields: agency.changed_fields(&current.value),
            }
        }
    };
    new.insert(
        tx,
        "INSERT INTO agency_versions (code, version, document, changed_by, changed_at, changed_fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        agency.code.as_str(),
    )
}

fn agency_version(
    tx: &Transaction<'_>,
    code: &AgencyCode,
    version: u32,
) -> Result<Option<Versioned<Agency>>, StoreError> {
    let stored = tx
        .prepare_cached(concat!(
            "SELECT ",
            version_columns!(),
            " FROM agency_versions v WHERE v.code = ?1 AND v.version = ?2"
        ))
        .and_then(|mut stmt| {
            stmt.query_row(params![code.as_str(), version], StoredVersion::from_row)
                .optional()
        })
        .map_err(sql)?;
    stored.map(|s| s.decode("agency document")).transpose()
}

fn agency_history(tx: &Transaction<'_>, code: &AgencyCode) -> Result<Vec<VersionInfo>, StoreError> {
    let stored = tx
        .prepare_cached(concat!(
            "SELECT ",
            info_columns!(),
            " FROM agency_versions v WHERE v.code = ?1 ORDER BY v.version"
        ))
        .and_then(|mut stmt| {
            stmt.query_map([code.as_str()], StoredInfo::from_row)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    stored.into_iter().map(StoredInfo::decode).collect()
}

fn current_file(
    tx: &Transaction<'_>,
    id: &FileId,
) -> Result<Option<Versioned<PersonalDataFile>>, StoreError> {
    let stored = tx
        .prepare_cached(concat!(
            "SELECT ",
            version_columns!(),
            " FROM files f JOIN file_versions v ON v.file_id = f.id AND v.version = f.version",
            " WHERE f.id = ?1"
        ))
        .and_then(|mut stmt| {
            stmt.query_row([id.as_str()], StoredVersion::from_row)
                .optional()
        })
        .map_err(sql)?;
    stored.map(|s| s.decode("file document")).transpose()
}

/// Writes the version row and the index of the current version: search columns, purpose and
/// category codes. The caller has written the `files` row's key.
fn write_file_version(
    tx: &Transaction<'_>,
    new: &NewVersion<'_, PersonalDataFile>,
) -> Result<Versioned<PersonalDataFile>, StoreError> {
    let file = new.value;
    let id = file.id.as_str();
    tx.prepare_cached(
        "UPDATE files SET version = ?2, search_text = ?3, has_sensitive = ?4, is_large_database = ?5
         WHERE id = ?1",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![id, new.version, search_text(file), file.has_sensitive_data(), file.large_database.is_some()])
    })
    .map_err(sql)?;
    for (delete, insert, codes) in [
        (
            "DELETE FROM file_purposes WHERE file_id = ?1",
            "INSERT INTO file_purposes (file_id, code) VALUES (?1, ?2)",
            file.purpose_codes()
                .map(|c| c.as_str())
                .collect::<BTreeSet<_>>(),
        ),
        (
            "DELETE FROM file_categories WHERE file_id = ?1",
            "INSERT INTO file_categories (file_id, code) VALUES (?1, ?2)",
            file.category_codes().map(|c| c.as_str()).collect(),
        ),
    ] {
        tx.prepare_cached(delete)
            .and_then(|mut stmt| stmt.execute([id]))
            .map_err(sql)?;
        let mut insert = tx.prepare_cached(insert).map_err(sql)?;
        for code in codes {
            insert.execute([id, code]).map_err(sql)?;
        }
    }
    new.insert(
        tx,
        "INSERT INTO file_versions (file_id, version, document, changed_by, changed_at, changed_fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        id,
    )
}

fn create_file(
    tx: &Transaction<'_>,
    file: &PersonalDataFile,
    change: &Change,
) -> Result<Versioned<PersonalDataFile>, StoreError> {
    if !agency_exists(tx, &file.agency)? {
        return Err(StoreError::NotFound(format!("agency {}", file.agency)));
    }
    let inserted = tx
        .prepare_cached(
            "INSERT INTO files (id, agency, version, search_text, has_sensitive, is_large_database)
             VALUES (?1, ?2, 1, '', 0, 0)
             ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut stmt| stmt.execute([file.id.as_str(), file.agency.as_str()]))
        .map_err(sql)?;
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
}

fn update_file(
    tx: &Transaction<'_>,
    file: &PersonalDataFile,
    expected_version: Option<u32>,
    change: &Change,
) -> Result<Versioned<PersonalDataFile>, StoreError> {
    let current = current_file(tx, &file.id)?
        .ok_or_else(|| StoreError::NotFound(format!("file {}", file.id)))?;
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
    write_file_version(tx, &new)
}

fn file_version(
    tx: &Transaction<'_>,
    id: &FileId,
    version: u32,
) -> Result<Option<Versioned<PersonalDataFile>>, StoreError> {
    let stored = tx
        .prepare_cached(concat!(
            "SELECT ",
            version_columns!(),
            " FROM file_versions v WHERE v.file_id = ?1 AND v.version = ?2"
        ))
        .and_then(|mut stmt| {
            stmt.query_row(params![id.as_str(), version], StoredVersion::from_row)
                .optional()
        })
        .map_err(sql)?;
    stored.map(|s| s.decode("file document")).transpose()
}

fn file_history(tx: &Transaction<'_>, id: &FileId) -> Result<Vec<VersionInfo>, StoreError> {
    let stored = tx
        .prepare_cached(concat!(
            "SELECT ",
            info_columns!(),
            " FROM file_versions v WHERE v.file_id = ?1 ORDER BY v.version"
        ))
        .and_then(|mut stmt| {
            stmt.query_map([id.as_str()], StoredInfo::from_row)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    stored.into_iter().map(StoredInfo::decode).collect()
}

/// A query's filters as a `WHERE` clause over `files f` and its parameters, in order. User input
/// only ever travels as a parameter.
fn filter(query: &FileQuery) -> (String, Vec<Value>) {
    let mut conditions: Vec<&str> = Vec::new();
    let mut values = Vec::new();
    for word in query.text.as_deref().map(search_words).unwrap_or_default() {
        conditions.push("instr(f.search_text, ?) > 0");
        values.push(Value::Text(word));
    }
    if let Some(agency) = &query.agency {
        conditions.push("f.agency = ?");
        values.push(Value::Text(agency.as_str().to_owned()));
    }
    if let Some(purpose) = &query.purpose {
        conditions
            .push("EXISTS (SELECT 1 FROM file_purposes p WHERE p.file_id = f.id AND p.code = ?)");
        values.push(Value::Text(purpose.as_str().to_owned()));
    }
    if let Some(category) = &query.category {
        conditions
            .push("EXISTS (SELECT 1 FROM file_categories c WHERE c.file_id = f.id AND c.code = ?)");
        values.push(Value::Text(category.as_str().to_owned()));
    }
    if let Some(sensitive) = query.sensitive {
        conditions.push("f.has_sensitive = ?");
        values.push(Value::Integer(sensitive.into()));
    }
    if let Some(large) = query.large_database {
        conditions.push("f.is_large_database = ?");
        values.push(Value::Integer(large.into()));
    }
    let clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    (clause, values)
}

fn search_files(
    tx: &Transaction<'_>,
    query: &FileQuery,
) -> Result<Page<Versioned<PersonalDataFile>>, StoreError> {
    let (clause, mut values) = filter(query);
    // Filters vary per query, so these statements are prepared afresh rather than cached.
    let total: i64 = tx
        .query_row(
            &format!("SELECT count(*) FROM files f{clause}"),
            params_from_iter(&values),
            |row| row.get(0),
        )
        .map_err(sql)?;
    values.push(Value::Integer(page_limit(query.limit).into()));
    values.push(Value::Integer(query.offset.into()));
    let page_sql = format!(
        concat!(
            "SELECT ",
            version_columns!(),
            " FROM files f JOIN file_versions v ON v.file_id = f.id AND v.version = f.version{}",
            " ORDER BY f.agency, f.id LIMIT ? OFFSET ?"
        ),
        clause
    );
    let stored = tx
        .prepare(&page_sql)
        .and_then(|mut stmt| {
            stmt.query_map(params_from_iter(&values), StoredVersion::from_row)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    Ok(Page {
        items: stored
            .into_iter()
            .map(|s| s.decode("file document"))
            .collect::<Result<_, _>>()?,
        total: u64::try_from(total).map_err(|_| StoreError::Corrupt(format!("count {total}")))?,
    })
}

#[async_trait]
impl RegisterStore for SqliteStore {
    async fn put_agency(
        &self,
        agency: &Agency,
        change: &Change,
    ) -> Result<Versioned<Agency>, StoreError> {
        let (agency, change) = (agency.clone(), change.clone());
        self.connections
            .write(move |tx| put_agency(tx, &agency, &change))
            .await
    }

    async fn agency(&self, code: &AgencyCode) -> Result<Option<Versioned<Agency>>, StoreError> {
        let code = code.clone();
        self.connections
            .read(move |tx| current_agency(tx, &code))
            .await
    }

    async fn agency_version(
        &self,
        code: &AgencyCode,
        version: u32,
    ) -> Result<Option<Versioned<Agency>>, StoreError> {
        let code = code.clone();
        self.connections
            .read(move |tx| agency_version(tx, &code, version))
            .await
    }

    async fn agency_history(&self, code: &AgencyCode) -> Result<Vec<VersionInfo>, StoreError> {
        let code = code.clone();
        self.connections
            .read(move |tx| agency_history(tx, &code))
            .await
    }

    async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        self.connections
            .read(|tx| {
                let documents = tx
                    .prepare_cached(
                        "SELECT v.document FROM agencies a
                         JOIN agency_versions v ON v.code = a.code AND v.version = a.version
                         ORDER BY a.code",
                    )
                    .and_then(|mut stmt| {
                        stmt.query_map([], |row| row.get::<_, String>(0))?
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .map_err(sql)?;
                documents
                    .iter()
                    .map(|d| from_json(d, "agency document"))
                    .collect()
            })
            .await
    }

    async fn create_file(
        &self,
        file: &PersonalDataFile,
        change: &Change,
    ) -> Result<Versioned<PersonalDataFile>, StoreError> {
        let (file, change) = (file.clone(), change.clone());
        self.connections
            .write(move |tx| create_file(tx, &file, &change))
            .await
    }

    async fn update_file(
        &self,
        file: &PersonalDataFile,
        expected_version: Option<u32>,
        change: &Change,
    ) -> Result<Versioned<PersonalDataFile>, StoreError> {
        let (file, change) = (file.clone(), change.clone());
        self.connections
            .write(move |tx| update_file(tx, &file, expected_version, &change))
            .await
    }

    async fn file(
        &self,
        id: &FileId,
        version: Option<u32>,
    ) -> Result<Option<Versioned<PersonalDataFile>>, StoreError> {
        let id = id.clone();
        self.connections
            .read(move |tx| match version {
                None => current_file(tx, &id),
                Some(version) => file_version(tx, &id, version),
            })
            .await
    }

    async fn file_history(&self, id: &FileId) -> Result<Vec<VersionInfo>, StoreError> {
        let id = id.clone();
        self.connections.read(move |tx| file_history(tx, &id)).await
    }

    async fn search_files(
        &self,
        query: &FileQuery,
    ) -> Result<Page<Versioned<PersonalDataFile>>, StoreError> {
        let query = query.clone();
        self.connections
            .read(move |tx| search_files(tx, &query))
            .await
    }
}
