//! `/api/v1/services`: services with their Art. 8 notices (public to read, versioned), and the
//! vendor codes of their consenting citizens (the holding agency only).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lantern_domain::reference::Listing;
use lantern_domain::service::Outsourcing;
use lantern_domain::{
    DataCategoryCode, PurposeCode, ReferenceData, Rule, Service, ServiceId, ServiceSubmission,
    ValidationErrors,
};
use lantern_log::EventId;
use lantern_store::{Change, StoreError, VersionInfo, Versioned};
use lantern_usage::{ConsentError, ResolveRequest, Resolved};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiPath, ApiQuery, JsonBody};
use super::file_view::VersionEntry;
use super::filters::VersionFilter;
use crate::AppState;
use crate::auth::{AgencyActor, Caller, authorize_write};
use crate::error::{AppError, Problem};

/// A code with its names in the reference lists (absent when the code is unlisted).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedCode {
    /// The code, e.g. `135` or `C001`.
    pub code: String,
    /// Its name in Traditional Chinese.
    pub name_zh: Option<String>,
    /// Its name in English.
    pub name_en: Option<String>,
}

/// The Art. 8 notice, as a citizen reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeView {
    /// The controller and how to reach it.
    pub controller: String,
    /// Specific purposes.
    pub purposes: Vec<NamedCode>,
    /// Data categories.
    pub categories: Vec<NamedCode>,
    /// Period of use.
    pub period: String,
    /// Area of use.
    pub area: String,
    /// Recipients.
    pub recipients: String,
    /// Manner of use.
    pub manner: String,
    /// Rights and how to exercise them.
    pub rights: String,
    /// Consequence of not providing the data.
    pub consequence: String,
    /// Commissioned vendors and their tasks.
    pub outsourcing: Vec<Outsourcing>,
}

/// A service as of one version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceView {
    /// The service's id.
    pub id: String,
    /// The agency that runs it.
    pub agency: String,
    /// The registered file its data goes into.
    pub file: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// What the service does.
    pub summary: String,
    /// The notice's version.
    pub version: u32,
    /// The notice.
    pub notice: NoticeView,
}

/// A service with its version history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceDetail {
    /// The service as of the version asked for (the current one by default).
    pub service: ServiceView,
    /// Every version, oldest first.
    pub versions: Vec<VersionEntry>,
}

/// The codes one vendor may be given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VendorCodes {
    /// The service.
    pub service: String,
    /// The vendor.
    pub vendor: String,
    /// One code per consent in force, in the order the consents were given.
    pub codes: Vec<String>,
}

/// Which vendor's codes to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VendorFilter {
    /// The vendor's name, as the agency writes it.
    pub vendor: String,
}

/// A vendor's list to resolve back to people.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// The vendor the codes were handed to.
    pub vendor: String,
    /// Why the agency needs to know who these people are; logged in each person's footprint.
    pub reason: String,
    /// The codes, e.g. `["7K2M-9QXR-4D8F-B3NW"]`; 1 to 1,000.
    pub codes: Vec<String>,
}

/// One resolved code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResolvedCode {
    /// The code.
    pub code: String,
    /// The consenting citizen's national ID or resident certificate number.
    pub subject: String,
    /// The usage event that logged the resolution in the citizen's footprint.
    pub event: String,
}

/// What a resolution found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Resolution {
    /// Codes of consents in force, with their citizens.
    pub resolved: Vec<ResolvedCode>,
    /// Codes of no consent in force to the service for this vendor (never given, or withdrawn).
    pub unknown: Vec<String>,
}

/// Maps services to their API views, resolving codes to names.
pub(crate) fn view(reference: &ReferenceData, service: Versioned<Service>) -> ServiceView {
    let Versioned { value, info } = service;
    let notice = value.notice;
    ServiceView {
        id: value.id.to_string(),
        agency: value.agency.to_string(),
        file: value.file.to_string(),
        name_zh: value.name_zh,
        name_en: value.name_en,
        summary: value.summary,
        version: info.version,
        notice: NoticeView {
            controller: notice.controller,
            purposes: notice
                .purposes
                .iter()
                .map(|code| named_purpose(reference, code))
                .collect(),
            categories: named_categories(reference, &notice.categories),
            period: notice.period,
            area: notice.area,
            recipients: notice.recipients,
            manner: notice.manner,
            rights: notice.rights,
            consequence: notice.consequence,
            outsourcing: notice.outsourcing,
        },
    }
}

/// A purpose code with its names.
pub(crate) fn named_purpose(reference: &ReferenceData, code: &PurposeCode) -> NamedCode {
    match reference.purpose(code) {
        Listing::Listed(entry) => named(code, &entry.name_zh, &entry.name_en),
        Listing::Unlisted => unnamed(code),
    }
}

/// Category codes with their names.
pub(crate) fn named_categories(
    reference: &ReferenceData,
    codes: &[DataCategoryCode],
) -> Vec<NamedCode> {
    codes
        .iter()
        .map(|code| match reference.category(code) {
            Listing::Listed(entry) => named(code, &entry.name_zh, &entry.name_en),
            Listing::Unlisted => unnamed(code),
        })
        .collect()
}

fn named(code: &impl ToString, zh: &str, en: &str) -> NamedCode {
    NamedCode {
        code: code.to_string(),
        name_zh: Some(zh.to_owned()),
        name_en: Some(en.to_owned()),
    }
}

fn unnamed(code: &impl ToString) -> NamedCode {
    NamedCode {
        code: code.to_string(),
        name_zh: None,
        name_en: None,
    }
}

/// `GET /api/v1/services`: every service's current notice. Public.
#[utoipa::path(
    get,
    path = "/api/v1/services",
    operation_id = "listServices",
    tag = "services",
    responses((status = 200, description = "Every service's current notice, by agency then id", body = Vec<ServiceView>))
)]
pub async fn list(
    State(state): State<AppState>,
    _credentials_checked: Caller,
) -> Result<Json<Vec<ServiceView>>, AppError> {
    let reference = state.reference();
    let services = state.store.services().await?;
    Ok(Json(
        services.into_iter().map(|s| view(&reference, s)).collect(),
    ))
}

/// `GET /api/v1/services/{id}`: a service's notice (`?version=` for an earlier one) and its versions. Public.
#[utoipa::path(
    get,
    path = "/api/v1/services/{id}",
    operation_id = "getService",
    tag = "services",
    params(("id" = String, Path, description = "Service id", example = "coupon-lottery"), VersionFilter),
    responses(
        (status = 200, description = "The service's notice and its versions", body = ServiceDetail),
        (status = 404, description = "No such service or version", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    _credentials_checked: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(filter): ApiQuery<VersionFilter>,
) -> Result<Json<ServiceDetail>, AppError> {
    let id = existing_id(&id)?;
    let version = filter.version()?;
    let service = state
        .store
        .service(&id, version)
        .await?
        .ok_or_else(|| no_such_service(&id))?;
    let history = state.store.service_history(&id).await?;
    Ok(Json(detail(&state, service, history)))
}

/// `PUT /api/v1/services/{id}`: creates a service or records a new version of its notice. The holding agency only.
#[utoipa::path(
    put,
    path = "/api/v1/services/{id}",
    operation_id = "putService",
    tag = "services",
    params(("id" = String, Path, description = "Service id", example = "coupon-lottery")),
    request_body(content = ServiceSubmission, description = "The whole service and notice"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A new version of the notice (or unchanged)", body = ServiceDetail),
        (status = 201, description = "Created as version 1", body = ServiceDetail),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The service belongs to another agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The notice breaks a rule; `errors` names each field", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Response, AppError> {
    let own = caller.require_agency()?.clone();
    let id = ServiceId::parse(&id).map_err(|why| {
        let mut errors = ValidationErrors::default();
        errors.push("id", Rule::Format, why);
        AppError::InvalidBody(errors)
    })?;
    let current = state.store.service(&id, None).await?;
    let agency = current.as_ref().map_or(own, |c| c.value.agency.clone());
    let actor = authorize_write(caller, &agency)?;
    let submission: ServiceSubmission = body.parse()?;
    let (stored, status) = save(&state, submission, id, &actor, current.is_some()).await?;
    let history = state.store.service_history(&stored.value.id).await?;
    Ok((status, Json(detail(&state, stored, history))).into_response())
}

/// Validates and stores a service for `actor`'s agency: a new one, or a new version.
pub(crate) async fn save(
    state: &AppState,
    submission: ServiceSubmission,
    id: ServiceId,
    actor: &AgencyActor,
    exists: bool,
) -> Result<(Versioned<Service>, StatusCode), AppError> {
    let file = match lantern_domain::FileId::parse(submission.file.trim()) {
        Ok(file_id) => state.store.file(&file_id, None).await?.map(|f| f.value),
        Err(_) => None,
    };
    let service = submission.validate(id, actor.agency.clone(), file.as_ref())?;
    let change = Change {
        actor: actor.actor.clone(),
        at: OffsetDateTime::now_utc(),
    };
    if exists {
        let stored = state.store.update_service(&service, None, &change).await?;
        Ok((stored, StatusCode::OK))
    } else {
        let stored = state
            .store
            .create_service(&service, &change)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::Conflict(format!(
                    "a service with id {} was created meanwhile; load it and try again",
                    service.id
                )),
                other => other.into(),
            })?;
        Ok((stored, StatusCode::CREATED))
    }
}

/// `GET /api/v1/services/{id}/vendor-codes?vendor=`: the codes of the consenting citizens for one vendor. The holding agency only.
#[utoipa::path(
    get,
    path = "/api/v1/services/{id}/vendor-codes",
    operation_id = "listVendorCodes",
    tag = "services",
    params(("id" = String, Path, description = "Service id"), VendorFilter),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The pairwise codes of the citizens whose consent is in force", body = VendorCodes),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The service belongs to another agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The vendor is blank or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn vendor_codes(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(filter): ApiQuery<VendorFilter>,
) -> Result<Json<VendorCodes>, AppError> {
    let (id, _) = owned_service(&state, caller, &id).await?;
    let codes = state
        .consents
        .vendor_codes(&id, &filter.vendor)
        .await
        .map_err(consent_error)?;
    Ok(Json(VendorCodes {
        service: id.to_string(),
        vendor: filter.vendor.trim().to_owned(),
        codes: codes.iter().map(ToString::to_string).collect(),
    }))
}

/// `POST /api/v1/services/{id}/vendor-codes/resolve`: a vendor's codes back to citizens, each resolution logged. The holding agency only.
#[utoipa::path(
    post,
    path = "/api/v1/services/{id}/vendor-codes/resolve",
    operation_id = "resolveVendorCodes",
    tag = "services",
    params(("id" = String, Path, description = "Service id")),
    request_body(content = ResolveBody),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Each code's citizen, or unknown; every resolution is logged as a usage event", body = Resolution),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The service belongs to another agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule; nothing was resolved", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Json<Resolution>, AppError> {
    let (id, actor) = owned_service(&state, caller, &id).await?;
    let body: ResolveBody = body.parse()?;
    let resolution =
        resolve_codes(&state, &id, &actor, &body.vendor, &body.reason, &body.codes).await?;
    Ok(Json(resolution))
}

/// Resolves a vendor's codes for `actor` and wakes the checkpoint publisher.
pub(crate) async fn resolve_codes(
    state: &AppState,
    id: &ServiceId,
    actor: &AgencyActor,
    vendor: &str,
    reason: &str,
    codes: &[String],
) -> Result<Resolution, AppError> {
    let request = ResolveRequest {
        vendor,
        reason,
        codes,
        actor: &actor.actor,
    };
    let answers = state
        .consents
        .resolve(id, &request, OffsetDateTime::now_utc(), new_event_id)
        .await
        .map_err(consent_error)?;
    let mut resolution = Resolution {
        resolved: Vec::new(),
        unknown: Vec::new(),
    };
    for (code, answer) in answers {
        match answer {
            Resolved::Person { subject, event } => resolution.resolved.push(ResolvedCode {
                code: code.to_string(),
                subject: subject.expose().to_owned(),
                event: event.to_string(),
            }),
            Resolved::Unknown => resolution.unknown.push(code.to_string()),
        }
    }
    if !resolution.resolved.is_empty() {
        state.log.appended();
    }
    Ok(resolution)
}

/// A fresh random event id (UUID v4).
pub(crate) fn new_event_id() -> EventId {
    EventId::parse(&uuid::Uuid::new_v4().to_string())
        .unwrap_or_else(|_| unreachable!("a v4 UUID is an event id"))
}

/// The service `raw` if it exists and `caller`'s agency holds it.
pub(crate) async fn owned_service(
    state: &AppState,
    caller: Caller,
    raw: &str,
) -> Result<(ServiceId, AgencyActor), AppError> {
    caller.require_agency()?;
    let id = existing_id(raw)?;
    let current = state
        .store
        .service(&id, None)
        .await?
        .ok_or_else(|| no_such_service(&id))?;
    let actor = authorize_write(caller, &current.value.agency)?;
    Ok((id, actor))
}

/// Maps a consent failure to a problem.
pub(crate) fn consent_error(error: ConsentError) -> AppError {
    match error {
        ConsentError::UnknownService(id) => no_such_service(&id),
        ConsentError::AlreadyGiven | ConsentError::NotGiven => {
            AppError::Conflict(error.to_string())
        }
        ConsentError::SessionWithoutNumber => AppError::Unauthenticated(
            "this session began before consents could be recorded; log in again",
        ),
        ConsentError::Invalid { field, message } => {
            let mut errors = ValidationErrors::default();
            errors.push(field, Rule::Format, message);
            AppError::InvalidBody(errors)
        }
        ConsentError::Ingest(lantern_usage::IngestError::Store(e)) | ConsentError::Store(e) => {
            e.into()
        }
        ConsentError::Ingest(other) => AppError::Conflict(format!(
            "the service's notice no longer fits its registered file, so the change cannot be logged ({other}); the agency must update the notice"
        )),
    }
}

fn detail(
    state: &AppState,
    service: Versioned<Service>,
    history: Vec<VersionInfo>,
) -> ServiceDetail {
    ServiceDetail {
        service: view(&state.reference(), service),
        versions: history.into_iter().map(VersionEntry::from).collect(),
    }
}

pub(crate) fn existing_id(raw: &str) -> Result<ServiceId, AppError> {
    ServiceId::parse(raw).map_err(|_| no_such_service(raw))
}

pub(crate) fn no_such_service(id: impl std::fmt::Display) -> AppError {
    AppError::NotFound(format!("there is no service with id {id}"))
}
