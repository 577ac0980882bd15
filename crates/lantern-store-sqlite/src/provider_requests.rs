//! The provider-request register.

use async_trait::async_trait;
use lantern_domain::provider_request::ProviderRequest;
use lantern_store::{Change, ProviderRequestQuery, ProviderRequestStore, StoreError};
use rusqlite::types::Value;
use rusqlite::{Transaction, params, params_from_iter};

use crate::SqliteStore;
use crate::codec::{from_json, julian, micros, to_json};
use crate::error::sql;
use crate::register::agency_exists;

fn record(
    tx: &Transaction<'_>,
    requests: &[ProviderRequest],
    change: &Change,
) -> Result<(), StoreError> {
    let at = micros(change.at)?;
    let mut exists = tx
        .prepare_cached("SELECT 1 FROM provider_requests WHERE agency = ?1 AND reference = ?2")
        .map_err(sql)?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO provider_requests
                (agency, reference, requested_on, document, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(sql)?;
    for request in requests {
        let agency = request.agency.as_str();
        if exists
            .exists(params![agency, request.reference])
            .map_err(sql)?
        {
            return Err(StoreError::Conflict(format!(
                "{agency} has already recorded a request with reference {}",
                request.reference
            )));
        }
        if !agency_exists(tx, &request.agency)? {
            return Err(StoreError::NotFound(format!("agency {agency}")));
        }
        insert
            .execute(params![
                agency,
                request.reference,
                julian(request.requested_on),
                to_json(request)?,
                change.actor,
                at
            ])
            .map_err(sql)?;
    }
    Ok(())
}

fn read(
    tx: &Transaction<'_>,
    query: &ProviderRequestQuery,
) -> Result<Vec<ProviderRequest>, StoreError> {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(agency) = &query.agency {
        conditions.push("agency = ?");
        values.push(Value::Text(agency.as_str().to_owned()));
    }
    if let Some(from) = query.from {
        conditions.push("requested_on >= ?");
        values.push(Value::Integer(julian(from).into()));
    }
    if let Some(to) = query.to {
        conditions.push("requested_on <= ?");
        values.push(Value::Integer(julian(to).into()));
    }
    let clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let documents = tx
        .prepare(&format!(
            "SELECT document FROM provider_requests{clause} ORDER BY requested_on, agency, reference"
        ))
        .and_then(|mut stmt| {
            stmt.query_map(params_from_iter(values), |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    documents
        .iter()
        .map(|d| from_json(d, "provider request document"))
        .collect()
}

#[async_trait]
impl ProviderRequestStore for SqliteStore {
    async fn record_provider_requests(
        &self,
        requests: &[ProviderRequest],
        change: &Change,
    ) -> Result<(), StoreError> {
        let (requests, change) = (requests.to_vec(), change.clone());
        self.connections
            .write(move |tx| record(tx, &requests, &change))
            .await
    }

    async fn provider_requests(
        &self,
        query: &ProviderRequestQuery,
    ) -> Result<Vec<ProviderRequest>, StoreError> {
        let query = query.clone();
        self.connections.read(move |tx| read(tx, &query)).await
    }
}
