//! The provider-request register.

use async_trait::async_trait;
use lantern_domain::provider_request::ProviderRequest;
use lantern_store::derived::stored_instant;
use lantern_store::{Change, ProviderRequestQuery, ProviderRequestStore, StoreError};
use tokio_postgres::types::Json;

use crate::PostgresStore;
use crate::codec::{Params, execute, get, query};
use crate::error::pg;
use crate::register::agency_exists;

#[async_trait]
impl ProviderRequestStore for PostgresStore {
    async fn record_provider_requests(
        &self,
        requests: &[ProviderRequest],
        change: &Change,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let at = stored_instant(change.at);
        for request in requests {
            let agency = request.agency.as_str();
            if !agency_exists(&tx, &request.agency).await? {
                return Err(StoreError::NotFound(format!("agency {agency}")));
            }
            let inserted = execute(
                &tx,
                "INSERT INTO provider_requests
                    (agency, reference, requested_on, document, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (agency, reference) DO NOTHING",
                &[
                    &agency,
                    &request.reference,
                    &request.requested_on,
                    &Json(request),
                    &change.actor,
                    &at,
                ],
            )
            .await?;
            if inserted == 0 {
                return Err(StoreError::Conflict(format!(
                    "{agency} has already recorded a request with reference {}",
                    request.reference
                )));
            }
        }
        tx.commit().await.map_err(pg)
    }

    async fn provider_requests(
        &self,
        filter: &ProviderRequestQuery,
    ) -> Result<Vec<ProviderRequest>, StoreError> {
        let mut params = Params::default();
        let mut conditions = Vec::new();
        if let Some(agency) = &filter.agency {
            conditions.push(format!(
                "agency = {}",
                params.add(agency.as_str().to_owned())
            ));
        }
        if let Some(from) = filter.from {
            conditions.push(format!("requested_on >= {}", params.add(from)));
        }
        if let Some(to) = filter.to {
            conditions.push(format!("requested_on <= {}", params.add(to)));
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let client = self.client().await?;
        let rows = query(
            &client,
            &format!(
                "SELECT document FROM provider_requests{clause} ORDER BY requested_on, agency, reference"
            ),
            &params.refs(),
        )
        .await?;
        rows.iter()
            .map(|row| get::<Json<ProviderRequest>>(row, 0).map(|Json(r)| r))
            .collect()
    }
}
