//! Requests between agencies for out-of-purpose use, with their decision and delivery.

use async_trait::async_trait;
use lantern_domain::{
    DataRequest, Decision, Delivery, FileId, RequestId, RequestState, TrackedRequest,
};
use lantern_store::{DataRequestStore, RequestFilter, RequestParty, StoreError};
use rusqlite::types::ToSql;
use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::SqliteStore;
use crate::codec::{from_json, julian, to_json};
use crate::error::sql;

const COLUMNS: &str = "document, decision, delivery";

/// A request's documents as stored.
struct StoredRequest {
    document: String,
    decision: Option<String>,
    delivery: Option<String>,
}

impl StoredRequest {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            document: row.get(0)?,
            decision: row.get(1)?,
            delivery: row.get(2)?,
        })
    }

    /// The request, its transitions replayed: a stored row that skips a state is corrupt.
    fn decode(self) -> Result<TrackedRequest, StoreError> {
        let request: DataRequest = from_json(&self.document, "data request document")?;
        let id = request.id.clone();
        let mut tracked = TrackedRequest::filed(request);
        if let Some(decision) = self.decision {
            let decision: Decision = from_json(&decision, "data request decision")?;
            tracked = tracked.decide(decision).map_err(|e| corrupt(&id, &e))?;
        }
        if let Some(delivery) = self.delivery {
            let delivery: Delivery = from_json(&delivery, "data request delivery")?;
            tracked = tracked.deliver(delivery).map_err(|e| corrupt(&id, &e))?;
        }
        Ok(tracked)
    }
}

fn corrupt(id: &RequestId, error: &lantern_domain::TransitionError) -> StoreError {
    StoreError::Corrupt(format!("stored data request {id}: {error}"))
}

fn load(tx: &Transaction<'_>, id: &RequestId) -> Result<Option<TrackedRequest>, StoreError> {
    let stored = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM data_requests WHERE id = ?1"
        ))
        .and_then(|mut stmt| {
            stmt.query_row([id.as_str()], StoredRequest::from_row)
                .optional()
        })
        .map_err(sql)?;
    stored.map(StoredRequest::decode).transpose()
}

fn list(
    tx: &Transaction<'_>,
    condition: &str,
    values: &[&dyn ToSql],
) -> Result<Vec<TrackedRequest>, StoreError> {
    let sql_text =
        format!("SELECT {COLUMNS} FROM data_requests WHERE {condition} ORDER BY filed_on DESC, id");
    let stored = tx
        .prepare_cached(&sql_text)
        .and_then(|mut stmt| {
            stmt.query_map(values, StoredRequest::from_row)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    stored.into_iter().map(StoredRequest::decode).collect()
}

fn file_request(tx: &Transaction<'_>, request: &DataRequest) -> Result<TrackedRequest, StoreError> {
    let document = to_json(request)?;
    tx.prepare_cached(
        "INSERT INTO data_requests (id, requester, holder, file_id, state, filed_on, document)
         VALUES (?1, ?2, ?3, ?4, 'filed', ?5, ?6)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            request.id.as_str(),
            request.requester.as_str(),
            request.holder.as_str(),
            request.file.as_str(),
            julian(request.filed_on),
            document,
        ])
    })
    .map_err(sql)?;
    Ok(TrackedRequest::filed(request.clone()))
}

fn not_found(id: &RequestId) -> StoreError {
    StoreError::NotFound(format!("data request {id}"))
}

fn record_decision(
    tx: &Transaction<'_>,
    id: &RequestId,
    decision: &Decision,
) -> Result<TrackedRequest, StoreError> {
    let current = load(tx, id)?.ok_or_else(|| not_found(id))?;
    let decided = current
        .decide(decision.clone())
        .map_err(|e| StoreError::Conflict(format!("data request {id}: {e}")))?;
    let document = to_json(decision)?;
    tx.prepare_cached(
        "UPDATE data_requests SET state = 'decided', approved = ?2, decision = ?3 WHERE id = ?1",
    )
    .and_then(|mut stmt| stmt.execute(params![id.as_str(), decision.outcome.approves(), document]))
    .map_err(sql)?;
    Ok(decided)
}

fn record_delivery(
    tx: &Transaction<'_>,
    id: &RequestId,
    delivery: &Delivery,
) -> Result<TrackedRequest, StoreError> {
    let current = load(tx, id)?.ok_or_else(|| not_found(id))?;
    let delivered = current
        .deliver(delivery.clone())
        .map_err(|e| StoreError::Conflict(format!("data request {id}: {e}")))?;
    // The delivery as it now stands: a further batch of a release adds to the first.
    let document = to_json(&delivered.delivery())?;
    tx.prepare_cached("UPDATE data_requests SET state = 'delivered', delivery = ?2 WHERE id = ?1")
        .and_then(|mut stmt| stmt.execute(params![id.as_str(), document]))
        .map_err(sql)?;
    Ok(delivered)
}

fn data_requests(
    tx: &Transaction<'_>,
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
    // all, one per party column, each prepared once.
    let condition = match column {
        Some(column) => format!("{column} = ?1 AND (?2 IS NULL OR state = ?2)"),
        None => "?1 IS NULL AND (?2 IS NULL OR state = ?2)".to_owned(),
    };
    list(tx, &condition, &[&party, &state])
}

#[async_trait]
impl DataRequestStore for SqliteStore {
    async fn file_request(&self, request: &DataRequest) -> Result<TrackedRequest, StoreError> {
        let request = request.clone();
        self.connections
            .write(move |tx| file_request(tx, &request))
            .await
    }

    async fn file_requests(&self, requests: &[DataRequest]) -> Result<(), StoreError> {
        let requests = requests.to_vec();
        self.connections
            .write(move |tx| {
                for request in &requests {
                    file_request(tx, request)?;
                }
                Ok(())
            })
            .await
    }

    async fn record_decision(
        &self,
        id: &RequestId,
        decision: &Decision,
    ) -> Result<TrackedRequest, StoreError> {
        let (id, decision) = (id.clone(), decision.clone());
        self.connections
            .write(move |tx| record_decision(tx, &id, &decision))
            .await
    }

    async fn record_delivery(
        &self,
        id: &RequestId,
        delivery: &Delivery,
    ) -> Result<TrackedRequest, StoreError> {
        let (id, delivery) = (id.clone(), delivery.clone());
        self.connections
            .write(move |tx| record_delivery(tx, &id, &delivery))
            .await
    }

    async fn data_request(&self, id: &RequestId) -> Result<Option<TrackedRequest>, StoreError> {
        let id = id.clone();
        self.connections.read(move |tx| load(tx, &id)).await
    }

    async fn data_requests(
        &self,
        filter: &RequestFilter,
    ) -> Result<Vec<TrackedRequest>, StoreError> {
        let filter = filter.clone();
        self.connections
            .read(move |tx| data_requests(tx, &filter))
            .await
    }

    async fn approved_uses(&self, file: &FileId) -> Result<Vec<TrackedRequest>, StoreError> {
        let file = file.as_str().to_owned();
        self.connections
            .read(move |tx| list(tx, "file_id = ?1 AND approved = 1", &[&file]))
            .await
    }
}
