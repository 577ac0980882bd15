//! Consents to services (PDPA Arts. 7-8) and the vendor codes they allow: every grant, every
//! withdrawal and every resolution of a code back to a person is also a usage event in the
//! subject's footprint, logged through [`Ingestor::ingest`] like any other.
//!
//! Each change is logged first and recorded second: the log never lacks a change the records
//! show. If recording fails after the log took the event, the caller reports the failure and
//! the citizen tries again; the earlier event stays as what was attempted.

use std::sync::Arc;

use lantern_domain::consent::CONSENT_LEGAL_BASIS;
use lantern_domain::{ConsentChannel, Service, ServiceId, SubjectId};
use lantern_log::{Action, EventId, SubjectPseudonym};
use lantern_store::{ConsentRecord, Store, StoreError, Withdrawal};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::ingest::{IngestError, Ingestor};
use crate::pseudonym::PseudonymKey;
use crate::seal::SealKey;
use crate::submission::EventSubmission;
use crate::vendor_code::{MAX_VENDOR_CHARS, VendorCode, VendorCodeKey};

/// Longest reason for a resolution, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Most codes one resolution may name.
pub const MAX_CODES_PER_RESOLUTION: usize = 1000;

/// Why a consent change or a resolution did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    /// No such service.
    #[error("there is no service {0}")]
    UnknownService(ServiceId),
    /// The subject's consent to the service is already in force.
    #[error("your consent to this service is already in force")]
    AlreadyGiven,
    /// The subject has no consent in force to the service.
    #[error("you have no consent in force to this service")]
    NotGiven,
    /// The session holds no sealed number (it began before consents existed, or was altered):
    /// the citizen must log in again.
    #[error("this session cannot record a consent; log in again")]
    SessionWithoutNumber,
    /// A request value breaks a rule: the field and the rule.
    #[error("{field}: {message}")]
    Invalid {
        /// The field, as the API names it.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The event was refused by the log's checks (the service's notice no longer fits its
    /// registered file), or the store failed while logging.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What became of one code of a resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The code is a consenting citizen's: their number, and the usage event that logged the
    /// resolution in their footprint.
    Person {
        /// The citizen's number.
        subject: SubjectId,
        /// The logged event.
        event: EventId,
    },
    /// No consent in force to the service has this code for this vendor.
    Unknown,
}

/// A vendor's list resolved back to people, for a stated reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveRequest<'a> {
    /// The vendor the codes were handed to.
    pub vendor: &'a str,
    /// Why the agency needs to know who these people are (e.g. "lottery winners, to deliver
    /// the prizes").
    pub reason: &'a str,
    /// The codes, as typed.
    pub codes: &'a [String],
    /// Who asks, as the log records actors (pseudonymous).
    pub actor: &'a str,
}

/// Consents and vendor codes over one store.
pub struct Consents {
    store: Arc<dyn Store>,
    ingestor: Ingestor,
    pseudonyms: PseudonymKey,
    seal: SealKey,
    vendor_codes: VendorCodeKey,
}

impl Consents {
    /// Consents over `store`, with the server's keys.
    #[must_use]
    pub fn new(
        store: Arc<dyn Store>,
        pseudonyms: PseudonymKey,
        seal: SealKey,
        vendor_codes: VendorCodeKey,
    ) -> Self {
        Self {
            ingestor: Ingestor::new(Arc::clone(&store), pseudonyms.clone()),
            store,
            pseudonyms,
            seal,
            vendor_codes,
        }
    }

    /// Seals a citizen's number with the server's seal key, as a citizen session holds it;
    /// `nonce` is drawn at random for every seal.
    #[must_use]
    pub fn seal(&self, subject: &SubjectId, nonce: [u8; crate::seal::SEAL_NONCE_BYTES]) -> Vec<u8> {
        self.seal.seal(subject, nonce)
    }

    /// The citizen whose sealed number is `sealed` consents to the current notice of `service`
    /// through `channel` at `now`; `id` becomes the consent's and its event's id.
    ///
    /// # Errors
    /// [`ConsentError::UnknownService`], [`ConsentError::AlreadyGiven`],
    /// [`ConsentError::SessionWithoutNumber`], or a failure to log or record.
    pub async fn grant(
        &self,
        sealed: &[u8],
        service: &ServiceId,
        channel: ConsentChannel,
        now: OffsetDateTime,
        id: EventId,
    ) -> Result<ConsentRecord, ConsentError> {
        let subject = self
            .seal
            .open(sealed)
            .map_err(|_| ConsentError::SessionWithoutNumber)?;
        let pseudonym = self.pseudonyms.pseudonymise(&subject);
        let current = self
            .store
            .service(service, None)
            .await?
            .ok_or_else(|| ConsentError::UnknownService(service.clone()))?;
        if self.in_force(&pseudonym, service).await?.is_some() {
            return Err(ConsentError::AlreadyGiven);
        }
        let version = current.info.version;
        let event = event(
            &current.value,
            &subject,
            Action::Consent,
            &id,
            now,
            &format!("{service} notice v{version}"),
            channel.as_str(),
        );
        self.ingestor
            .ingest(&current.value.agency, vec![event], now)
            .await?;
        let record = ConsentRecord {
            id,
            subject: pseudonym,
            sealed_subject: sealed.to_vec(),
            service: service.clone(),
            notice_version: version,
            channel,
            granted_at: now,
            withdrawal: None,
        };
        self.store.record_consent(&record).await?;
        Ok(record)
    }

    /// Withdraws the citizen's consent in force to `service`, effective at `now`; `id` becomes
    /// the withdrawal event's id.
    ///
    /// # Errors
    /// [`ConsentError::NotGiven`], [`ConsentError::SessionWithoutNumber`], or a failure to log
    /// or record.
    pub async fn withdraw(
        &self,
        sealed: &[u8],
        service: &ServiceId,
        channel: ConsentChannel,
        now: OffsetDateTime,
        id: EventId,
    ) -> Result<ConsentRecord, ConsentError> {
        let subject = self
            .seal
            .open(sealed)
            .map_err(|_| ConsentError::SessionWithoutNumber)?;
        let pseudonym = self.pseudonyms.pseudonymise(&subject);
        let consent = self
            .in_force(&pseudonym, service)
            .await?
            .ok_or(ConsentError::NotGiven)?;
        let given = self
            .store
            .service(service, Some(consent.notice_version))
            .await?
            .ok_or_else(|| ConsentError::UnknownService(service.clone()))?;
        let event = event(
            &given.value,
            &subject,
            Action::WithdrawConsent,
            &id,
            now,
            &format!("{service} consent {}", consent.id),
            channel.as_str(),
        );
        self.ingestor
            .ingest(&given.value.agency, vec![event], now)
            .await?;
        let withdrawal = Withdrawal {
            event: id,
            at: now,
            channel,
        };
        Ok(self
            .store
            .record_withdrawal(&pseudonym, service, &withdrawal)
            .await?)
    }

    /// The codes `service` may hand to `vendor`: one per consent in force, in the order the
    /// consents were given.
    ///
    /// # Errors
    /// [`ConsentError::Invalid`] for a blank or overlong vendor; a store failure.
    pub async fn vendor_codes(
        &self,
        service: &ServiceId,
        vendor: &str,
    ) -> Result<Vec<VendorCode>, ConsentError> {
        check_vendor(vendor)?;
        let pair = self.vendor_codes.pair(service, vendor);
        let consents = self.store.service_consents(service).await?;
        Ok(consents.iter().map(|c| pair.code(&c.subject)).collect())
    }

    /// Resolves a vendor's codes back to the consenting citizens of `service`, logging one
    /// `use` event in each resolved citizen's footprint with the reason; `new_id` gives each
    /// event its id. Every code is answered, in the order given; a code of no consent in force
    /// is [`Resolved::Unknown`].
    ///
    /// # Errors
    /// [`ConsentError::Invalid`] naming the field (vendor, reason, codes) when a value breaks a
    /// rule — then nothing is logged; [`ConsentError::UnknownService`]; a failure to log.
    pub async fn resolve(
        &self,
        service: &ServiceId,
        request: &ResolveRequest<'_>,
        now: OffsetDateTime,
        mut new_id: impl FnMut() -> EventId,
    ) -> Result<Vec<(VendorCode, Resolved)>, ConsentError> {
        check_vendor(request.vendor)?;
        let reason = request.reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(invalid(
                "reason",
                format!("say why in 1 to {MAX_REASON_CHARS} characters"),
            ));
        }
        if request.codes.is_empty() || request.codes.len() > MAX_CODES_PER_RESOLUTION {
            return Err(invalid(
                "codes",
                format!("give 1 to {MAX_CODES_PER_RESOLUTION} codes"),
            ));
        }
        let mut codes = Vec::with_capacity(request.codes.len());
        for (i, raw) in request.codes.iter().enumerate() {
            let code = VendorCode::parse(raw)
                .map_err(|rule| invalid("codes", format!("code {} of the list: {rule}", i + 1)))?;
            codes.push(code);
        }
        let current = self
            .store
            .service(service, None)
            .await?
            .ok_or_else(|| ConsentError::UnknownService(service.clone()))?;
        let pair = self.vendor_codes.pair(service, request.vendor);
        let consents = self.store.service_consents(service).await?;
        let by_code: std::collections::HashMap<VendorCode, &ConsentRecord> = consents
            .iter()
            .map(|c| (pair.code(&c.subject), c))
            .collect();
        let mut answers = Vec::with_capacity(codes.len());
        let mut events = Vec::new();
        for code in codes {
            let Some(consent) = by_code.get(&code) else {
                answers.push((code, Resolved::Unknown));
                continue;
            };
            // A consent's sealed number was sealed by this server; one that does not open is
            // answered as unknown rather than failing the whole list.
            let Ok(subject) = self.seal.open(&consent.sealed_subject) else {
                answers.push((code, Resolved::Unknown));
                continue;
            };
            let id = new_id();
            events.push(event(
                &current.value,
                &subject,
                Action::Use,
                &id,
                now,
                &format!(
                    "vendor code {code} from {}: {reason}",
                    request.vendor.trim()
                ),
                request.actor,
            ));
            answers.push((code, Resolved::Person { subject, event: id }));
        }
        if !events.is_empty() {
            self.ingestor
                .ingest(&current.value.agency, events, now)
                .await?;
        }
        Ok(answers)
    }

    async fn in_force(
        &self,
        subject: &SubjectPseudonym,
        service: &ServiceId,
    ) -> Result<Option<ConsentRecord>, StoreError> {
        Ok(self
            .store
            .subject_consents(subject)
            .await?
            .into_iter()
            .find(|c| &c.service == service && c.withdrawal.is_none()))
    }
}

fn invalid(field: &'static str, message: String) -> ConsentError {
    ConsentError::Invalid { field, message }
}

fn check_vendor(vendor: &str) -> Result<(), ConsentError> {
    let vendor = vendor.trim();
    if vendor.is_empty() || vendor.chars().count() > MAX_VENDOR_CHARS {
        return Err(invalid(
            "vendor",
            format!("name the vendor in 1 to {MAX_VENDOR_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The usage event of a consent change or resolution: the service's file, its first purpose,
/// its categories, consent as the basis.
fn event(
    service: &Service,
    subject: &SubjectId,
    action: Action,
    id: &EventId,
    now: OffsetDateTime,
    reference: &str,
    actor: &str,
) -> EventSubmission {
    let notice = &service.notice;
    EventSubmission {
        id: id.to_string(),
        occurred_at: now.format(&Rfc3339).unwrap_or_default(),
        file: service.file.to_string(),
        subject: subject.expose().to_owned(),
        action: action.as_str().to_owned(),
        purpose: notice
            .purposes
            .first()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        categories: notice
            .categories
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        legal_basis: CONSENT_LEGAL_BASIS.to_owned(),
        reference: Some(reference.chars().take(1000).collect()),
        actor: Some(actor.to_owned()),
        ..EventSubmission::default()
    }
}
