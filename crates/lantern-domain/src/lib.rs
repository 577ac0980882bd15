//! Lantern's governance model: the rules of Taiwan's Personal Data Protection Act (個人資料保護法)
//! as types.
//!
//! **In scope:** validated identifiers (national ID, resident certificate numbers), the
//! reference code lists (specific purposes, data categories, legal bases, disclosure-restriction
//! grounds), agencies and their supervision tree, personal-data files (個人資料檔案) and the
//! rules a file must satisfy before it may be registered, services with their Art. 8 notice
//! and what every consent record shares, and agencies' requests to use one another's files
//! outside their specific purposes (PDPA Art. 16 proviso) with their decision and delivery.
//!
//! **Out of scope:** I/O of any kind. No async runtime, no SQL, no HTTP, no wall clock: time
//! comes in as a parameter. Storage and the server map these types at their own edges.
//!
//! Every type with an invariant keeps its fields private and can only be built through a
//! constructor that checks it; `Deserialize` goes through the same constructor.

pub mod agency;
pub mod codes;
pub mod consent;
pub mod data_request;
pub mod disclosure;
pub mod file;
pub mod import;
pub mod provider_request;
pub mod reference;
pub mod report;
pub mod service;
pub mod subject_id;
pub mod validation;

pub use agency::{Agency, AgencyCode, AgencyKind, AgencyTree, Contact};
pub use codes::{DataCategoryCode, LegalBasisCode, PurposeCode, RestrictionGroundCode};
pub use consent::ConsentChannel;
pub use data_request::{
    DataRequest, DataRequestSubmission, Decision, DecisionSubmission, Delivery, Outcome, RequestId,
    RequestState, TrackedRequest, TransitionError,
};
pub use file::{FileId, FileSubmission, PersonalDataFile};
pub use reference::ReferenceData;
pub use service::{Service, ServiceId, ServiceSubmission};
pub use subject_id::{SubjectId, SubjectIdError};
pub use validation::{FieldError, Rule, ValidationErrors};
