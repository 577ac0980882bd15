//! Requests between agencies for out-of-purpose use, with their decision and delivery.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use lantern_domain::{
    DataRequest, Decision, Delivery, FileId, RequestId, RequestState, TrackedRequest,
    TransitionError,
};
use lantern_store::{DataRequestStore, RequestFilter, RequestParty, StoreError};
use tokio_postgres::Row;
use tokio_postgres::types::Json;

use crate::PostgresStore;
use crate::codec::{execute, get, query, query_opt};
use crate::error::pg;

const SELECT: &str = "SELECT document, decision, delivery FROM data_requests";

/// The request of a row, its transitions replayed: a stored row that skips a state is corrupt.
fn tracked(row: &Row) -> Result<TrackedRequest, StoreError> {
    let Json(request): Json<DataRequest> = get(row, 0)?;
    let decision: Option<Json<Decision>> = get(row, 1)?;
    let delivery: Option<Json<Delivery>> = get(row, 2)?;
    let id = request.id.clone();
    let mut tracked = TrackedRequest::filed(request);
    if let Some(Json(decision)) = decision {
        tracked = tracked.decide(decision).map_err(|e| corrupt(&id, &e))?;
    }
    if let Some(Json(delivery)) = delivery {
        tracked = tracked.deliver(delivery).map_err(|e| corrupt(&id, &e))?;
    }
    Ok(tracked)
}

fn corrupt(id: &RequestId, error: &TransitionError) -> StoreError {
    StoreError::Corrupt(format!("stored data request {id}: {error}"))
}

fn not_found(id: &RequestId) -> StoreError {
    StoreError::NotFound(format!("data request {id}"))
}

fn conflict(id: &RequestId, error: &TransitionError) -> StoreError {
    StoreError::Conflict(format!("data request {id}: {error}"))
}

/// Request `id`, its row locked until the transaction ends.
async fn locked<C: GenericClient>(
    client: &C,
    id: &RequestId,
) -> Result<TrackedRequest, StoreError> {
    let row = query_opt(
        client,
        &format!("{SELECT} WHERE id = $1 FOR UPDATE"),
        &[&id.as_str()],
    )
    .await?
    .ok_or_else(|| not_found(id))?;
    tracked(&row)
}

#[async_trait]
impl DataRequestStore for PostgresStore {
    async fn file_request(&self, request: &DataRequest) -> Result<TrackedRequest, StoreError> {
        let client = self.client().await?;
        execute(
            &client,
            "INSERT INTO data_requests (id, requester, holder, file_id, state, filed_on, document)
             VALUES ($1, $2, $3, $4, 'filed', $5, $6)",
            &[
                &request.id.as_str(),
                &request.requester.as_str(),
                &request.holder.as_str(),
                &request.file.as_str(),
                &request.filed_on,
                &Json(request),
            ],
        )
        .await?;
        Ok(TrackedRequest::filed(request.clone()))
    }

    async fn file_requests(&self, requests: &[DataRequest]) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        for request in requests {
            execute(
                &tx,
                "INSERT INTO data_requests (id, requester, holder, file_id, state, filed_on, document)
                 VALUES ($1, $2, $3, $4, 'filed', $5, $6)",
                &[
                    &request.id.as_str(),
                    &request.requester.as_str(),
                    &request.holder.as_str(),
                    &request.file.as_str(),
                    &request.filed_on,
                    &Json(request),
                ],
            )
            .await?;
        }
        tx.commit().await.map_err(pg)
    }

    async fn record_decision(
        &self,
        id: &RequestId,
        decision: &Decision,
    ) -> Result<TrackedRequest, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let decided = locked(&tx, id)
            .await?
            .decide(decision.clone())
            .map_err(|e| conflict(id, &e))?;
        execute(
            &tx,
            "UPDATE data_requests SET state = 'decided', approved = $2, decision = $3 WHERE id = $1",
            &[&id.as_str(), &decision.outcome.approves(), &Json(decision)],
        )
        .await?;
        tx.commit().await.map_err(pg)?;
        Ok(decided)
    }

    async fn record_delivery(
        &self,
        id: &RequestId,
        delivery: &Delivery,
    ) -> Result<TrackedRequest, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let delivered = locked(&tx, id)
            .await?
            .deliver(delivery.clone())
            .map_err(|e| conflict(id, &e))?;
        execute(
            &tx,
            "UPDATE data_requests SET state = 'delivered', delivery = $2 WHERE id = $1",
            // The delivery as it now stands: a further batch of a release adds to the first.
            &[&id.as_str(), &Json(delivered.delivery())],
        )
        .await?;
        tx.commit().await.map_err(pg)?;
        Ok(delivered)
    }

    async fn data_request(&self, id: &RequestId) -> Result<Option<TrackedRequest>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(&client, &format!("{SELECT} WHERE id = $1"), &[&id.as_str()]).await?;
        row.as_ref().map(tracked).transpose()
    }

    async fn data_requests(
        &self,
        filter: &RequestFilter,
    ) -> Result<Vec<TrackedRequest>, StoreError> {
        let (column, party) = match &filter.party {
            None => (None, None),
            Some(RequestParty::Requester(agency)) => (Some("requester"), Some(agency.as_str())),
            Some(RequestParty::Holder(agency)) => (Some("holder"), Some(agency.as_str())),
            Some(RequestParty::File(file)) => (Some("file_id"), Some(file.as_str())),
        };
        let state = filter.state.map(RequestState::as_str);
        // Both parameters are always bound (NULL when absent), so there are four statements in
        // all, one per party column, each prepared once per connection.
        let condition = match column {
            Some(column) => format!("{column} = $1"),
            None => "$1::text IS NULL".to_owned(),
        };
        let client = self.client().await?;
        let rows = query(
            &client,
            &format!(
                "{SELECT} WHERE {condition} AND ($2::text IS NULL OR state = $2)
                 ORDER BY filed_on DESC, id"
            ),
            &[&party, &state],
        )
        .await?;
        rows.iter().map(tracked).collect()
    }

    async fn approved_uses(&self, file: &FileId) -> Result<Vec<TrackedRequest>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            &format!("{SELECT} WHERE file_id = $1 AND approved ORDER BY filed_on DESC, id"),
            &[&file.as_str()],
        )
        .await?;
        rows.iter().map(tracked).collect()
    }
}
