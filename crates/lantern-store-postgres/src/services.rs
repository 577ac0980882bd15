//! Services with their versioned notices, and consent records.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use lantern_domain::{ConsentChannel, Service, ServiceId};
use lantern_log::{EventId, SubjectPseudonym};
use lantern_store::derived::{VersionUpdate, plan_update, stored_instant};
use lantern_store::{
    Change, ConsentRecord, ServiceStore, StoreError, VersionInfo, Versioned, Withdrawal,
};
use time::OffsetDateTime;
use tokio_postgres::Row;

use crate::PostgresStore;
use crate::codec::{bytes32, code, db_version, execute, get, query, query_opt, version};
use crate::error::pg;
use crate::register::{NewVersion, agency_exists, info, versioned};

const CURRENT: &str = "SELECT v.version, v.changed_by, v.changed_at, v.changed_fields, v.document
    FROM services s JOIN service_versions v ON v.service_id = s.id AND v.version = s.version";

const INSERT_VERSION: &str = "INSERT INTO service_versions
    (service_id, version, document, changed_by, changed_at, changed_fields)
    VALUES ($1, $2, $3, $4, $5, $6)";

const CONSENT_COLUMNS: &str = "id, subject, sealed_subject, service_id, notice_version, channel,
    granted_at, withdrawn_at, withdrawal_channel, withdrawal_event";

async fn write_version(
    tx: &Transaction<'_>,
    new: &NewVersion<'_, Service>,
) -> Result<Versioned<Service>, StoreError> {
    let id = new.value.id.as_str();
    execute(
        tx,
        "UPDATE services SET version = $2 WHERE id = $1",
        &[&id, &db_version(new.version)?],
    )
    .await?;
    new.insert(tx, INSERT_VERSION, id).await
}

async fn create_service(
    tx: &Transaction<'_>,
    service: &Service,
    change: &Change,
) -> Result<Versioned<Service>, StoreError> {
    if !agency_exists(tx, &service.agency).await? {
        return Err(StoreError::NotFound(format!("agency {}", service.agency)));
    }
    let inserted = execute(
        tx,
        "INSERT INTO services (id, agency, version) VALUES ($1, $2, 1) ON CONFLICT (id) DO NOTHING",
        &[&service.id.as_str(), &service.agency.as_str()],
    )
    .await?;
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
    .await
}

async fn update_service(
    tx: &Transaction<'_>,
    service: &Service,
    expected_version: Option<u32>,
    change: &Change,
) -> Result<Versioned<Service>, StoreError> {
    // Lock the row first, then read the joined version in a fresh snapshot (see update_file).
    let locked = query_opt(
        tx,
        "SELECT 1 FROM services WHERE id = $1 FOR UPDATE",
        &[&service.id.as_str()],
    )
    .await?;
    if locked.is_none() {
        return Err(StoreError::NotFound(format!("service {}", service.id)));
    }
    let row = query_opt(
        tx,
        &format!("{CURRENT} WHERE s.id = $1"),
        &[&service.id.as_str()],
    )
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("service {}", service.id)))?;
    let current: Versioned<Service> = versioned(&row)?;
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
    .await
}

fn consent(row: &Row) -> Result<ConsentRecord, StoreError> {
    let id: String = get(row, 0)?;
    let withdrawn_at: Option<OffsetDateTime> = get(row, 7)?;
    let withdrawal_channel: Option<String> = get(row, 8)?;
    let withdrawal_event: Option<String> = get(row, 9)?;
    let withdrawal = match (withdrawn_at, withdrawal_channel, withdrawal_event) {
        (Some(at), Some(channel), Some(event)) => Some(Withdrawal {
            event: code(&event, EventId::parse)?,
            at,
            channel: code(&channel, ConsentChannel::parse)?,
        }),
        (None, None, None) => None,
        _ => {
            return Err(StoreError::Corrupt(format!(
                "consent {id} is half withdrawn"
            )));
        }
    };
    let subject: Vec<u8> = get(row, 1)?;
    let service: String = get(row, 3)?;
    let channel: String = get(row, 5)?;
    Ok(ConsentRecord {
        id: code(&id, EventId::parse)?,
        subject: SubjectPseudonym::from_bytes(bytes32(&subject, "consent subject")?),
        sealed_subject: get(row, 2)?,
        service: code(&service, ServiceId::parse)?,
        notice_version: version(get(row, 4)?)?,
        channel: code(&channel, ConsentChannel::parse)?,
        granted_at: get(row, 6)?,
        withdrawal,
    })
}

#[async_trait]
impl ServiceStore for PostgresStore {
    async fn create_service(
        &self,
        service: &Service,
        change: &Change,
    ) -> Result<Versioned<Service>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let stored = create_service(&tx, service, change).await?;
        tx.commit().await.map_err(pg)?;
        Ok(stored)
    }

    async fn update_service(
        &self,
        service: &Service,
        expected_version: Option<u32>,
        change: &Change,
    ) -> Result<Versioned<Service>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let stored = update_service(&tx, service, expected_version, change).await?;
        tx.commit().await.map_err(pg)?;
        Ok(stored)
    }

    async fn service(
        &self,
        id: &ServiceId,
        version: Option<u32>,
    ) -> Result<Option<Versioned<Service>>, StoreError> {
        let client = self.client().await?;
        let row = match version {
            None => {
                query_opt(
                    &client,
                    &format!("{CURRENT} WHERE s.id = $1"),
                    &[&id.as_str()],
                )
                .await?
            }
            Some(version) => {
                let Ok(version) = i32::try_from(version) else {
                    return Ok(None);
                };
                query_opt(
                    &client,
                    "SELECT v.version, v.changed_by, v.changed_at, v.changed_fields, v.document
                     FROM service_versions v WHERE v.service_id = $1 AND v.version = $2",
                    &[&id.as_str(), &version],
                )
                .await?
            }
        };
        row.as_ref().map(versioned).transpose()
    }

    async fn service_history(&self, id: &ServiceId) -> Result<Vec<VersionInfo>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            "SELECT v.version, v.changed_by, v.changed_at, v.changed_fields
             FROM service_versions v WHERE v.service_id = $1 ORDER BY v.version",
            &[&id.as_str()],
        )
        .await?;
        rows.iter().map(info).collect()
    }

    async fn services(&self) -> Result<Vec<Versioned<Service>>, StoreError> {
        let client = self.client().await?;
        let rows = query(&client, &format!("{CURRENT} ORDER BY s.agency, s.id"), &[]).await?;
        rows.iter().map(versioned).collect()
    }

    async fn record_consent(&self, consent: &ConsentRecord) -> Result<(), StoreError> {
        if consent.withdrawal.is_some() {
            return Err(StoreError::Conflict(format!(
                "consent {} is recorded as given, not withdrawn",
                consent.id
            )));
        }
        let client = self.client().await?;
        execute(
            &client,
            "INSERT INTO consents (id, subject, sealed_subject, service_id, notice_version, channel, granted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &consent.id.as_str(),
                &&consent.subject.as_bytes()[..],
                &consent.sealed_subject,
                &consent.service.as_str(),
                &db_version(consent.notice_version)?,
                &consent.channel.as_str(),
                &stored_instant(consent.granted_at),
            ],
        )
        .await?;
        Ok(())
    }

    async fn record_withdrawal(
        &self,
        subject: &SubjectPseudonym,
        service: &ServiceId,
        withdrawal: &Withdrawal,
    ) -> Result<ConsentRecord, StoreError> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            &format!(
                "UPDATE consents SET withdrawn_at = $3, withdrawal_channel = $4, withdrawal_event = $5
                 WHERE subject = $1 AND service_id = $2 AND withdrawn_at IS NULL
                 RETURNING {CONSENT_COLUMNS}"
            ),
            &[
                &&subject.as_bytes()[..],
                &service.as_str(),
                &stored_instant(withdrawal.at),
                &withdrawal.channel.as_str(),
                &withdrawal.event.as_str(),
            ],
        )
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("a consent in force to {service}")))?;
        consent(&row)
    }

    async fn subject_consents(
        &self,
        subject: &SubjectPseudonym,
    ) -> Result<Vec<ConsentRecord>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            &format!(
                "SELECT {CONSENT_COLUMNS} FROM consents WHERE subject = $1
                 ORDER BY granted_at DESC, id"
            ),
            &[&&subject.as_bytes()[..]],
        )
        .await?;
        rows.iter().map(consent).collect()
    }

    async fn service_consents(
        &self,
        service: &ServiceId,
    ) -> Result<Vec<ConsentRecord>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            &format!(
                "SELECT {CONSENT_COLUMNS} FROM consents
                 WHERE service_id = $1 AND withdrawn_at IS NULL ORDER BY granted_at, id"
            ),
            &[&service.as_str()],
        )
        .await?;
        rows.iter().map(consent).collect()
    }
}
