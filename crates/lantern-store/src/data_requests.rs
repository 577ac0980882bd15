//! Requests between agencies to use a registered file outside its specific purposes (PDPA
//! Art. 16 proviso), with the holder's decision and the delivery.

use async_trait::async_trait;
use lantern_domain::{
    AgencyCode, DataRequest, Decision, Delivery, FileId, RequestId, RequestState, TrackedRequest,
};

use crate::StoreError;

/// Whose requests to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestParty {
    /// The requests this agency made.
    Requester(AgencyCode),
    /// The requests made to this agency, as holder of the files.
    Holder(AgencyCode),
    /// The requests for this file.
    File(FileId),
}

/// Which requests [`DataRequestStore::data_requests`] lists. Both parts narrow the list; the
/// default lists every request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Only the requests of this party.
    pub party: Option<RequestParty>,
    /// Only the requests in this state.
    pub state: Option<RequestState>,
}

/// The requests, each stored as its domain document beside the columns that lists filter on.
///
/// A write moves a request only along the transitions of [`TrackedRequest`], checked inside
/// the write's transaction against the stored state, so two holders' staff deciding at once
/// cannot both succeed.
#[async_trait]
pub trait DataRequestStore {
    /// Stores a request just filed. Durable on return.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the id is taken; [`StoreError::NotFound`] when the
    /// requesting or holding agency or the file does not exist.
    async fn file_request(&self, request: &DataRequest) -> Result<TrackedRequest, StoreError>;

    /// Stores requests just filed, all or nothing (a spreadsheet import). Durable on return.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when an id is taken; nothing is written then.
    async fn file_requests(&self, requests: &[DataRequest]) -> Result<(), StoreError>;

    /// Records the holder's decision on request `id`, returning the request as decided.
    /// Durable on return.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such request; [`StoreError::Conflict`] when it
    /// is already decided.
    async fn record_decision(
        &self,
        id: &RequestId,
        decision: &Decision,
    ) -> Result<TrackedRequest, StoreError>;

    /// Records the delivery of request `id`, returning the request as delivered. Durable on
    /// return. The usage events of the delivery are logged by the caller beforehand; this
    /// records only the delivery itself (for a bulk extract, the release record, which further
    /// batches of the release add their people to).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such request; [`StoreError::Conflict`] unless it
    /// is approved (whole or in part) and not yet delivered (or a release in progress and this
    /// a further batch of it), or when the delivery reaches nobody or, with the earlier
    /// batches, more people than were approved.
    async fn record_delivery(
        &self,
        id: &RequestId,
        delivery: &Delivery,
    ) -> Result<TrackedRequest, StoreError>;

    /// Request `id` as it stands, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn data_request(&self, id: &RequestId) -> Result<Option<TrackedRequest>, StoreError>;

    /// The requests `filter` selects, newest filing first (then by id).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn data_requests(
        &self,
        filter: &RequestFilter,
    ) -> Result<Vec<TrackedRequest>, StoreError>;

    /// The approved uses of `file` for its public register: its requests approved (whole or in
    /// part), delivered or not, newest filing first (then by id). Refused and undecided
    /// requests are not listed.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn approved_uses(&self, file: &FileId) -> Result<Vec<TrackedRequest>, StoreError>;
}
