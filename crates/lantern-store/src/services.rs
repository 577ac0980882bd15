//! Services with their Art. 8 notices (each change a numbered version), and the consents
//! citizens give to them.

use async_trait::async_trait;
use lantern_domain::{ConsentChannel, Service, ServiceId};
use lantern_log::{EventId, SubjectPseudonym};
use time::OffsetDateTime;

use crate::{Change, StoreError, VersionInfo, Versioned};

/// One consent of one subject to one version of a service's notice: the ISO/IEC TS 27560
/// record's own fields. The notice (controller, purposes, categories, basis) is the service's
/// version `notice_version`.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The record's id; also the id of the `consent` event that logged the grant.
    pub id: EventId,
    /// The subject's pseudonym.
    pub subject: SubjectPseudonym,
    /// The subject's national ID sealed with the server's seal key (opened only to resolve a
    /// vendor code back to the person, which is itself logged).
    pub sealed_subject: Vec<u8>,
    /// The service consented to.
    pub service: ServiceId,
    /// The version of the service's notice the subject was shown.
    pub notice_version: u32,
    /// How the consent was given.
    pub channel: ConsentChannel,
    /// When.
    pub granted_at: OffsetDateTime,
    /// Present once the consent is withdrawn.
    pub withdrawal: Option<Withdrawal>,
}

impl std::fmt::Debug for ConsentRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsentRecord")
            .field("id", &self.id)
            .field("service", &self.service)
            .field("notice_version", &self.notice_version)
            .field("channel", &self.channel)
            .field("granted_at", &self.granted_at)
            .field("withdrawal", &self.withdrawal)
            .finish_non_exhaustive()
    }
}

/// The withdrawal of a consent (撤回同意).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    /// The id of the `withdraw_consent` event that logged it.
    pub event: EventId,
    /// When; the consent stops counting from this instant.
    pub at: OffsetDateTime,
    /// Through which channel.
    pub channel: ConsentChannel,
}

/// The service register and the consent records.
#[async_trait]
pub trait ServiceStore {
    /// Registers a new service as version 1. Durable on return.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the id is taken; [`StoreError::NotFound`] when the agency
    /// does not exist.
    async fn create_service(
        &self,
        service: &Service,
        change: &Change,
    ) -> Result<Versioned<Service>, StoreError>;

    /// Records a new version of a service, under the same rules as
    /// [`crate::RegisterStore::update_file`]: an unchanged value writes nothing; a stale
    /// `expected_version` or a move to another agency is a conflict.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the service does not exist; [`StoreError::Conflict`] as
    /// above.
    async fn update_service(
        &self,
        service: &Service,
        expected_version: Option<u32>,
        change: &Change,
    ) -> Result<Versioned<Service>, StoreError>;

    /// A service as of `version`, or its current version.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn service(
        &self,
        id: &ServiceId,
        version: Option<u32>,
    ) -> Result<Option<Versioned<Service>>, StoreError>;

    /// Every version of a service, oldest first; empty when there is no such service.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn service_history(&self, id: &ServiceId) -> Result<Vec<VersionInfo>, StoreError>;

    /// The current version of every service, by agency code then id.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn services(&self) -> Result<Vec<Versioned<Service>>, StoreError>;

    /// Stores a new consent. A subject has at most one consent in force per service.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the subject's consent to the service is already in force
    /// or the id is taken; [`StoreError::NotFound`] when the service has no such version.
    async fn record_consent(&self, consent: &ConsentRecord) -> Result<(), StoreError>;

    /// Withdraws the subject's consent in force to `service`, returning it as withdrawn.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no consent of the subject to the service is in force.
    async fn record_withdrawal(
        &self,
        subject: &SubjectPseudonym,
        service: &ServiceId,
        withdrawal: &Withdrawal,
    ) -> Result<ConsentRecord, StoreError>;

    /// Every consent of a subject, in force or withdrawn, newest grant first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn subject_consents(
        &self,
        subject: &SubjectPseudonym,
    ) -> Result<Vec<ConsentRecord>, StoreError>;

    /// The consents to `service` in force now, oldest grant first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn service_consents(&self, service: &ServiceId)
    -> Result<Vec<ConsentRecord>, StoreError>;
}
