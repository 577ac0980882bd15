//! The register of agencies' requests to online providers for internet users' data.

use async_trait::async_trait;
use lantern_domain::AgencyCode;
use lantern_domain::provider_request::ProviderRequest;
use time::Date;

use crate::{Change, StoreError};

/// Which requests to read. Every filter that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderRequestQuery {
    /// Of this agency.
    pub agency: Option<AgencyCode>,
    /// Sent on or after this day.
    pub from: Option<Date>,
    /// Sent on or before this day.
    pub to: Option<Date>,
}

/// The provider-request register.
#[async_trait]
pub trait ProviderRequestStore {
    /// Records requests, all or nothing, as made by `change`. Each agency's references are
    /// unique.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] naming the first reference already recorded for its agency (or
    /// repeated in `requests`); [`StoreError::NotFound`] when an agency does not exist. Nothing
    /// is written then.
    async fn record_provider_requests(
        &self,
        requests: &[ProviderRequest],
        change: &Change,
    ) -> Result<(), StoreError>;

    /// The requests matching `query`, by day sent, then agency, then reference.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn provider_requests(
        &self,
        query: &ProviderRequestQuery,
    ) -> Result<Vec<ProviderRequest>, StoreError>;
}
