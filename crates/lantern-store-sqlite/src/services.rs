//! Services with their versioned notices, and consent records.

use async_trait::async_trait;
use lantern_domain::{ConsentChannel, Service, ServiceId};
use lantern_log::{EventId, SubjectPseudonym};
use lantern_store::derived::{VersionUpdate, plan_update};
use lantern_store::{
    Change, ConsentRecord, ServiceStore, StoreError, VersionInfo, Versioned, Withdrawal,
};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::SqliteStore;
use crate::codec::{hash, instant, micros, parsed, version};
use crate::error::sql;
use crate::register::{NewVersion, StoredInfo, StoredVersion, agency_exists};

const VERSION_COLUMNS: &str = "v.version, v.changed_by, v.changed_at, v.changed_fields, v.document";

const INSERT_VERSION: &str = "INSERT INTO service_versions
    (service_id, version, document, changed_by, changed_at, changed_fields)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

const CONSENT_COLUMNS: &str = "id, subject, sealed_subject, service_id, notice_version, channel,
    granted_at, withdrawn_at, withdrawal_channel, withdrawal_event";

fn current_service(
    tx: &Transaction<'_>,
    id: &ServiceId,
) -> Result<Option<Versioned<Service>>, StoreError> {
    let sql_text = format!(
        "SELECT {VERSION_COLUMNS} FROM services s
         JOIN service_versions v ON v.service_id = s.id AND v.version = s.version
         WHERE s.id = ?1"
    );
    let stored = tx
        .prepare_cached(&sql_text)
        .and_then(|mut stmt| {
            stmt.query_row([id.as_str()], StoredVersion::from_row)
                .optional()
        })
        .map_err(sql)?;
    stored.map(|s| s.decode("service document")).transpose()
}

fn service_version(
    tx: &Transaction<'_>,
    id: &ServiceId,
    version: u32,
) -> Result<Option<Versioned<Service>>, StoreError> {
    let sql_text = format!(
        "SELECT {VERSION_COLUMNS} FROM service_versions v WHERE v.service_id = ?1 AND v.version = ?2"
    );
    let stored = tx
        .prepare_cached(&sql_text)
        .and_then(|mut stmt| {
            stmt.query_row(params![id.as_str(), version], StoredVersion::from_row)
                .optional()
        })
        .map_err(sql)?;
    stored.map(|s| s.decode("service document")).transpose()
}

fn write_version(
    tx: &Transaction<'_>,
    new: &NewVersion<'_, Service>,
) -> Result<Versioned<Service>, StoreError> {
    let id = new.value.id.as_str();
    tx.prepare_cached("UPDATE services SET version = ?2 WHERE id = ?1")
        .and_then(|mut stmt| stmt.execute(params![id, new.version]))
        .map_err(sql)?;
    new.insert(tx, INSERT_VERSION, id)
}

fn create_service(
    tx: &Transaction<'_>,
    service: &Service,
    change: &Change,
) -> Result<Versioned<Service>, StoreError> {
    if !agency_exists(tx, &service.agency)? {
        return Err(StoreError::NotFound(format!("agency {}", service.agency)));
    }
    let inserted = tx
        .prepare_cached(
            "INSERT INTO services (id, agency, version) VALUES (?1, ?2, 1)
             ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut stmt| stmt.execute([service.id.as_str(), service.agency.as_str()]))
        .map_err(sql)?;
    if inserted == 0 {
        return Err(StoreError::Conflict(format!(
            "service id {} is taken",
            service.id
        )));
    }
    write_version(
        tx,
        &NewVersion {
            value: service,
            version: 1,
            change,
            changed_fields: Vec::new(),
        },
    )
}

fn update_service(
    tx: &Transaction<'_>,
    service: &Service,
    expected_version: Option<u32>,
    change: &Change,
) -> Result<Versioned<Service>, StoreError> {
    let current = current_service(tx, &service.id)?
        .ok_or_else(|| StoreError::NotFound(format!("service {}", service.id)))?;
    let VersionUpdate::NewVersion {
        version,
        changed_fields,
    } = plan_update(&current, service, expected_version)?
    else {
        return Ok(current);
    };
    write_version(
        tx,
        &NewVersion {
            value: service,
            version,
            change,
            changed_fields,
        },
    )
}

fn consent_from_row(row: &Row<'_>) -> rusqlite::Result<StoredConsent> {
    Ok(StoredConsent {
        id: row.get(0)?,
        subject: row.get(1)?,
        sealed_subject: row.get(2)?,
        service: row.get(3)?,
        notice_version: row.get(4)?,
        channel: row.get(5)?,
        granted_at: row.get(6)?,
        withdrawn_at: row.get(7)?,
        withdrawal_channel: row.get(8)?,
        withdrawal_event: row.get(9)?,
    })
}

/// A consent row as stored.
struct StoredConsent {
    id: String,
    subject: Vec<u8>,
    sealed_subject: Vec<u8>,
    service: String,
    notice_version: i64,
    channel: String,
    granted_at: i64,
    withdrawn_at: Option<i64>,
    withdrawal_channel: Option<String>,
    withdrawal_event: Option<String>,
}

impl StoredConsent {
    fn decode(self) -> Result<ConsentRecord, StoreError> {
        let withdrawal = match (
            self.withdrawn_at,
            self.withdrawal_channel,
            self.withdrawal_event,
        ) {
            (Some(at), Some(channel), Some(event)) => Some(Withdrawal {
                event: parsed(&event, "withdrawal event id", EventId::parse)?,
                at: instant(at)?,
                channel: parsed(&channel, "withdrawal channel", ConsentChannel::parse)?,
            }),
            (None, None, None) => None,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "consent {} is half withdrawn",
                    self.id
                )));
            }
        };
        Ok(ConsentRecord {
            id: parsed(&self.id, "consent id", EventId::parse)?,
            subject: SubjectPseudonym::from_bytes(hash(&self.subject)?),
            sealed_subject: self.sealed_subject,
            service: parsed(&self.service, "consent service", ServiceId::parse)?,
            notice_version: version(self.notice_version)?,
            channel: parsed(&self.channel, "consent channel", ConsentChannel::parse)?,
            granted_at: instant(self.granted_at)?,
            withdrawal,
        })
    }
}

fn consents(
    tx: &Transaction<'_>,
    condition: &str,
    key: &dyn rusqlite::ToSql,
) -> Result<Vec<ConsentRecord>, StoreError> {
    let sql_text = format!("SELECT {CONSENT_COLUMNS} FROM consents WHERE {condition}");
    let stored = tx
        .prepare_cached(&sql_text)
        .and_then(|mut stmt| {
            stmt.query_map([key], consent_from_row)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    stored.into_iter().map(StoredConsent::decode).collect()
}

fn record_consent(tx: &Transaction<'_>, consent: &ConsentRecord) -> Result<(), StoreError> {
    if consent.withdrawal.is_some() {
        return Err(StoreError::Conflict(format!(
            "consent {} is recorded as given, not withdrawn",
            consent.id
        )));
    }
    let granted_at = micros(consent.granted_at)?;
    tx.prepare_cached(
        "INSERT INTO consents (id, subject, sealed_subject, service_id, notice_version, channel, granted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            consent.id.as_str(),
            &consent.subject.as_bytes()[..],
            consent.sealed_subject,
            consent.service.as_str(),
            consent.notice_version,
            consent.channel.as_str(),
            granted_at
        ])
    })
    .map_err(sql)?;
    Ok(())
}

fn record_withdrawal(
    tx: &Transaction<'_>,
    subject: &SubjectPseudonym,
    service: &ServiceId,
    withdrawal: &Withdrawal,
) -> Result<ConsentRecord, StoreError> {
    let at = micros(withdrawal.at)?;
    let id: Option<String> = tx
        .prepare_cached(
            "UPDATE consents SET withdrawn_at = ?3, withdrawal_channel = ?4, withdrawal_event = ?5
             WHERE subject = ?1 AND service_id = ?2 AND withdrawn_at IS NULL
             RETURNING id",
        )
        .and_then(|mut stmt| {
            stmt.query_row(
                params![
                    &subject.as_bytes()[..],
                    service.as_str(),
                    at,
                    withdrawal.channel.as_str(),
                    withdrawal.event.as_str()
                ],
                |row| row.get(0),
            )
            .optional()
        })
        .map_err(sql)?;
    let id = id.ok_or_else(|| StoreError::NotFound(format!("a consent in force to {service}")))?;
    consents(tx, "id = ?1", &id)?
        .pop()
        .ok_or_else(|| StoreError::Corrupt(format!("consent {id} vanished")))
}

#[async_trait]
impl ServiceStore for SqliteStore {
    async fn create_service(
        &self,
        service: &Service,
        change: &Change,
    ) -> Result<Versioned<Service>, StoreError> {
        let (service, change) = (service.clone(), change.clone());
        self.connections
            .write(move |tx| create_service(tx, &service, &change))
            .await
    }

    async fn update_service(
        &self,
        service: &Service,
        expected_version: Option<u32>,
        change: &Change,
    ) -> Result<Versioned<Service>, StoreError> {
        let (service, change) = (service.clone(), change.clone());
        self.connections
            .write(move |tx| update_service(tx, &service, expected_version, &change))
            .await
    }

    async fn service(
        &self,
        id: &ServiceId,
        version: Option<u32>,
    ) -> Result<Option<Versioned<Service>>, StoreError> {
        let id = id.clone();
        self.connections
            .read(move |tx| match version {
                None => current_service(tx, &id),
                Some(version) => service_version(tx, &id, version),
            })
            .await
    }

    async fn service_history(&self, id: &ServiceId) -> Result<Vec<VersionInfo>, StoreError> {
        let id = id.clone();
        self.connections
            .read(move |tx| {
                let stored = tx
                    .prepare_cached(
                        "SELECT v.version, v.changed_by, v.changed_at, v.changed_fields
                         FROM service_versions v WHERE v.service_id = ?1 ORDER BY v.version",
                    )
                    .and_then(|mut stmt| {
                        stmt.query_map([id.as_str()], StoredInfo::from_row)?
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .map_err(sql)?;
                stored.into_iter().map(StoredInfo::decode).collect()
            })
            .await
    }

    async fn services(&self) -> Result<Vec<Versioned<Service>>, StoreError> {
        self.connections
            .read(move |tx| {
                let sql_text = format!(
                    "SELECT {VERSION_COLUMNS} FROM services s
                     JOIN service_versions v ON v.service_id = s.id AND v.version = s.version
                     ORDER BY s.agency, s.id"
                );
                let stored = tx
                    .prepare_cached(&sql_text)
                    .and_then(|mut stmt| {
                        stmt.query_map([], StoredVersion::from_row)?
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .map_err(sql)?;
                stored
                    .into_iter()
                    .map(|s| s.decode("service document"))
                    .collect()
            })
            .await
    }

    async fn record_consent(&self, consent: &ConsentRecord) -> Result<(), StoreError> {
        let consent = consent.clone();
        self.connections
            .write(move |tx| record_consent(tx, &consent))
            .await
    }

    async fn record_withdrawal(
        &self,
        subject: &SubjectPseudonym,
        service: &ServiceId,
        withdrawal: &Withdrawal,
    ) -> Result<ConsentRecord, StoreError> {
        let (subject, service, withdrawal) = (*subject, service.clone(), withdrawal.clone());
        self.connections
            .write(move |tx| record_withdrawal(tx, &subject, &service, &withdrawal))
            .await
    }

    async fn subject_consents(
        &self,
        subject: &SubjectPseudonym,
    ) -> Result<Vec<ConsentRecord>, StoreError> {
        let subject = subject.as_bytes().to_vec();
        self.connections
            .read(move |tx| consents(tx, "subject = ?1 ORDER BY granted_at DESC, id", &subject))
            .await
    }

    async fn service_consents(
        &self,
        service: &ServiceId,
    ) -> Result<Vec<ConsentRecord>, StoreError> {
        let service = service.as_str().to_owned();
        self.connections
            .read(move |tx| {
                consents(
                    tx,
                    "service_id = ?1 AND withdrawn_at IS NULL ORDER BY granted_at, id",
                    &service,
                )
            })
            .await
    }
}
