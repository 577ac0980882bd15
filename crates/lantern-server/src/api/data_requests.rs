//! `/api/v1/data-requests`: one agency asks another to use a registered file outside its
//! specific purposes (PDPA Art. 16 proviso); the holder decides with reasons and delivers, and
//! every person delivered is logged as a usage event. `/api/v1/files/{id}/approved-uses` is the
//! public register of a file's approved requests.
//!
//! Who may do what: any agency files a request in its own name; the requester, the holder and
//! the agencies supervising either read it (to anyone else it does not exist); only the holder
//! decides and delivers.

use std::collections::HashSet;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lantern_domain::data_request::import::{submissions, template_csv};
use lantern_domain::import::RowError;
use lantern_domain::reference::ReferenceData;
use lantern_domain::{
    AgencyTree, DataRequestSubmission, DecisionSubmission, Delivery, FileId, Outcome, RequestId,
    RequestState, Rule, SubjectId, SubjectIdError, TrackedRequest, TransitionError,
    ValidationErrors,
};
use lantern_log::SubjectPseudonym;
use lantern_store::{RequestFilter, RequestParty, StoreError};
use lantern_usage::{EventSubmission, IngestError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::macros::offset;
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiPath, ApiQuery, JsonBody};
use super::provider_requests::{ImportReceipt, media_type, rows_error, spreadsheet_rows};
use super::services::{NamedCode, named_categories, named_purpose};
use crate::AppState;
use crate::auth::{AgencyActor, Caller, authorize_read, authorize_write};
use crate::error::{AppError, Problem};

/// Most people one delivery call may name: the size of one batch of usage events.
pub const MAX_DELIVERY_SUBJECTS: usize = lantern_usage::batch::MAX_BATCH;

/// Why an anonymous caller sees no request.
const PARTIES_ONLY: &str =
    "data requests are shown only to their agencies: send an API token or a staff session";

/// Domain-separation tag of the ids of delivery events (see [`delivery_event_id`]).
const DELIVERY_EVENT_TAG: &[u8] = b"lantern:data-request-delivery:v1\0";

/// A request as its parties read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DataRequestView {
    /// The request's id (a UUID).
    pub id: String,
    /// `filed`, `decided` or `delivered`.
    pub state: RequestState,
    /// The requesting agency's code.
    pub requester: String,
    /// The holding agency's code.
    pub holder: String,
    /// The file asked for.
    pub file: String,
    /// The purpose the requester will use the data for.
    pub purpose: NamedCode,
    /// The Art. 16 (or Art. 6) proviso item relied on, e.g. `PDPA-16-P5`.
    pub legal_basis: String,
    /// The statute and article.
    pub legal_citation: String,
    /// The data categories asked for.
    pub categories: Vec<NamedCode>,
    /// How many people, when a number was given.
    pub subjects: Option<u64>,
    /// Who the people are, in words (may be empty when `subjects` is given).
    pub population: String,
    /// How consent was obtained (empty unless the basis is consent).
    pub consent_evidence: String,
    /// Retention and disposal at the requester.
    pub retention: String,
    /// Security measures at the requester.
    pub security: String,
    /// Who receives the data at the requester.
    pub recipients: String,
    /// The day it was filed, `YYYY-MM-DD` (Taiwan).
    pub filed_on: String,
    /// The holder's decision, once decided.
    pub decision: Option<DecisionView>,
    /// The delivery, once delivered.
    pub delivery: Option<DeliveryView>,
}

/// The holder's decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    /// `approve`, `approve_in_part` or `refuse`.
    pub outcome: Outcome,
    /// The reasons, in plain words.
    pub reasons: String,
    /// For an approval in part, how many people it covers.
    pub approved_subjects: Option<u64>,
    /// The day of the decision, `YYYY-MM-DD`.
    pub decided_on: String,
    /// Who decided: `token:ID` or `user:NAME`.
    pub decided_by: String,
}

/// The delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    /// The day of the delivery, `YYYY-MM-DD`.
    pub delivered_on: String,
    /// How many people's data was delivered, each logged as a usage event.
    pub subjects: u64,
    /// A bulk extract: this delivery is its release record.
    pub release: bool,
}

/// One approved use of a file, as its public register lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovedUse {
    /// The request's id; the usage events of its delivery carry `data-request:{id}` as their
    /// reference.
    pub request: String,
    /// The requesting agency's code.
    pub requester: String,
    /// The purpose of the use.
    pub purpose: NamedCode,
    /// The legal basis, e.g. `PDPA-16-P5`.
    pub legal_basis: String,
    /// The statute and article.
    pub legal_citation: String,
    /// The data categories.
    pub categories: Vec<NamedCode>,
    /// How many people: the delivered count once delivered, else the approved count (absent
    /// when the request described the people in words only).
    pub people: Option<u64>,
    /// Whether the data has been delivered.
    pub delivered: bool,
    /// The day of the decision, `YYYY-MM-DD`.
    pub decided_on: String,
}

/// Which of the caller's requests to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestListFilter {
    /// `requester` (requests the caller's agency made) or `holder` (requests made to it);
    /// both when absent.
    #[param(example = "holder")]
    role: Option<String>,
    /// Only requests in this state: `filed`, `decided` or `delivered`.
    #[param(example = "filed")]
    state: Option<String>,
}

/// A delivery: whose data was handed over.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryBody {
    /// The national ID or resident certificate number of each person whose data was delivered;
    /// 1 to 10,000, no repeats. Each is logged as one usage event in that person's footprint
    /// and never stored in clear.
    #[schema(example = json!(["A123456789"]))]
    pub subjects: Vec<String>,
    /// True for a bulk extract (a research release): the events are `export`s and the delivery
    /// is the release record; false for a disclosure (`disclose`).
    #[serde(default)]
    pub release: bool,
}

/// What a delivery recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryReceipt {
    /// The request, now delivered.
    pub request: DataRequestView,
    /// Usage events newly logged, one per person.
    pub events_logged: u64,
    /// Events already logged by an earlier, interrupted attempt of the same delivery.
    pub events_already_logged: u64,
    /// The log's size after the events; they are in a signed checkpoint within a second.
    pub tree_size: u64,
}

/// `POST /api/v1/data-requests`: files a request of the caller's agency.
#[utoipa::path(
    post,
    path = "/api/v1/data-requests",
    operation_id = "fileDataRequest",
    tag = "data-requests",
    request_body(content = DataRequestSubmission, description = "The request; every value as text"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Filed", body = DataRequestView,
            headers(("Location" = String, description = "The request's address"))),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The request breaks rules; `errors` names each field", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Response, AppError> {
    let own = caller.require_agency()?.clone();
    let actor = authorize_write(caller, &own)?;
    let submission: DataRequestSubmission = body.parse()?;
    let file = match FileId::parse(submission.file.trim()) {
        Ok(id) => state.store.file(&id, None).await?.map(|f| f.value),
        Err(_) => None,
    };
    let request = submission.validate(new_request_id(), actor.agency, file.as_ref(), today())?;
    let tracked = state.store.file_request(&request).await?;
    let location = format!("/api/v1/data-requests/{}", request.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view(&state.reference(), &tracked)),
    )
        .into_response())
}

/// `POST /api/v1/data-requests/import`: files many requests of the caller's agency from a
/// spreadsheet (CSV or ODS, columns as the template), all or nothing.
#[utoipa::path(
    post,
    path = "/api/v1/data-requests/import",
    operation_id = "importDataRequests",
    tag = "data-requests",
    request_body(content = String, content_type = "text/csv", description = "The template's columns, one request per row; or an ODS spreadsheet's first sheet"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Every row filed", body = ImportReceipt),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not CSV or ODS", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rows break rules; `errors` names each row and column; nothing filed", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportReceipt>), AppError> {
    let own = caller.require_agency()?.clone();
    let actor = authorize_write(caller, &own)?;
    let recorded = import_rows(&state, &actor, &media_type(&headers), &body).await?;
    Ok((StatusCode::CREATED, Json(ImportReceipt { recorded })))
}

/// Files the requests of a CSV or ODS `body` for `actor`'s agency, all or nothing; returns how
/// many.
///
/// # Errors
/// [`AppError::UnsupportedMediaType`], [`AppError::InvalidRows`] naming every row's errors,
/// or a store failure (nothing filed).
pub(crate) async fn import_rows(
    state: &AppState,
    actor: &AgencyActor,
    media: &str,
    body: &[u8],
) -> Result<usize, AppError> {
    const ACCEPTED: &str = "text/csv or application/vnd.oasis.opendocument.spreadsheet";
    let rows = spreadsheet_rows(media, body, ACCEPTED)?;
    let read = submissions(&rows).map_err(|e| rows_error(e, false))?;
    let mut errors = Vec::new();
    let mut requests = Vec::with_capacity(read.len());
    for (row, submission) in read {
        let file = match FileId::parse(submission.file.trim()) {
            Ok(id) => state.store.file(&id, None).await?.map(|f| f.value),
            Err(_) => None,
        };
        match submission.validate(
            new_request_id(),
            actor.agency.clone(),
            file.as_ref(),
            today(),
        ) {
            Ok(request) => requests.push(request),
            Err(broken) => errors.extend(RowError::of_row(row, broken)),
        }
    }
    if !errors.is_empty() {
        return Err(rows_error(errors, false));
    }
    state.store.file_requests(&requests).await?;
    Ok(requests.len())
}

/// `GET /api/v1/data-requests/template.csv`: the import template, UTF-8 with a byte-order mark.
#[utoipa::path(
    get,
    path = "/api/v1/data-requests/template.csv",
    operation_id = "dataRequestTemplate",
    tag = "data-requests",
    responses((status = 200, description = "The CSV template", content_type = "text/csv"))
)]
pub async fn template() -> Response {
    let mut response = format!("\u{feff}{}", template_csv()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"data-requests-template.csv\""),
    );
    response
}

/// `GET /api/v1/data-requests`: the requests the caller's agency made or received.
#[utoipa::path(
    get,
    path = "/api/v1/data-requests",
    operation_id = "listDataRequests",
    tag = "data-requests",
    params(RequestListFilter),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The caller's agency's requests, newest filing first", body = Vec<DataRequestView>),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<RequestListFilter>,
) -> Result<Json<Vec<DataRequestView>>, AppError> {
    let Caller::Agency(actor) = caller else {
        return Err(AppError::Unauthenticated(PARTIES_ONLY));
    };
    let (roles, wanted_state) = filter.check()?;
    let mut found: Vec<TrackedRequest> = Vec::new();
    let mut seen = HashSet::new();
    for role in roles {
        let party = match role {
            Role::Requester => RequestParty::Requester(actor.agency.clone()),
            Role::Holder => RequestParty::Holder(actor.agency.clone()),
        };
        let filter = RequestFilter {
            party: Some(party),
            state: wanted_state,
        };
        for request in state.store.data_requests(&filter).await? {
            // A request to one's own file is both made and received: list it once.
            if seen.insert(request.request().id.clone()) {
                found.push(request);
            }
        }
    }
    found.sort_by(|a, b| {
        let (a, b) = (a.request(), b.request());
        b.filed_on.cmp(&a.filed_on).then_with(|| a.id.cmp(&b.id))
    });
    let reference = state.reference();
    Ok(Json(found.iter().map(|r| view(&reference, r)).collect()))
}

/// `GET /api/v1/data-requests/{id}`: one request, to its requester, its holder and the agencies
/// supervising either.
#[utoipa::path(
    get,
    path = "/api/v1/data-requests/{id}",
    operation_id = "getDataRequest",
    tag = "data-requests",
    params(("id" = String, Path, description = "Request id (a UUID)")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The request with its decision and delivery", body = DataRequestView),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request the caller may read", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DataRequestView>, AppError> {
    if caller.agency().is_none() {
        return Err(AppError::Unauthenticated(PARTIES_ONLY));
    }
    let id = existing_id(&id)?;
    let tracked = state
        .store
        .data_request(&id)
        .await?
        .ok_or_else(|| no_such_request(&id))?;
    let tree = AgencyTree::new(&state.store.agencies().await?);
    let request = tracked.request();
    let may_read = [&request.requester, &request.holder]
        .into_iter()
        .any(|party| authorize_read(&caller, &tree, party).is_ok());
    if !may_read {
        // To an agency outside the request, it does not exist.
        return Err(no_such_request(&id));
    }
    Ok(Json(view(&state.reference(), &tracked)))
}

/// `POST /api/v1/data-requests/{id}/decision`: the holder decides, with reasons.
#[utoipa::path(
    post,
    path = "/api/v1/data-requests/{id}/decision",
    operation_id = "decideDataRequest",
    tag = "data-requests",
    params(("id" = String, Path, description = "Request id (a UUID)")),
    request_body(content = DecisionSubmission),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Decided", body = DataRequestView),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's agency does not hold the file", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request is already decided", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The decision breaks rules; `errors` names each field", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Json<DataRequestView>, AppError> {
    let (id, tracked, actor) = held_request(&state, caller, &id).await?;
    if let Some(decision) = tracked.decision() {
        return Err(transition_conflict(&TransitionError::AlreadyDecided(
            decision.decided_on,
        )));
    }
    let submission: DecisionSubmission = body.parse()?;
    let decision = submission.validate(tracked.request(), actor.actor, today())?;
    let decided = state
        .store
        .record_decision(&id, &decision)
        .await
        .map_err(raced)?;
    Ok(Json(view(&state.reference(), &decided)))
}

/// `POST /api/v1/data-requests/{id}/delivery`: the holder records the delivery of an approved
/// request; each person delivered is logged as a usage event in their footprint.
///
/// Each event: the request's file, purpose, categories, legal basis and citation; action
/// `disclose` (`export` for a release); recipient the requesting agency's code; reference
/// `data-request:{id}`. Event ids are derived from the request and the person, so a delivery
/// sent again after a failure logs nobody twice.
#[utoipa::path(
    post,
    path = "/api/v1/data-requests/{id}/delivery",
    operation_id = "deliverDataRequest",
    tag = "data-requests",
    params(("id" = String, Path, description = "Request id (a UUID)")),
    request_body(content = DeliveryBody),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Delivered and logged", body = DeliveryReceipt),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's agency does not hold the file", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request is not approved, or is already delivered, or its file's register entry no longer permits the use", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A subject's number is invalid or repeated, there are none or more than 10,000, or more people than approved", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn deliver(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Json<DeliveryReceipt>, AppError> {
    let (id, tracked, actor) = held_request(&state, caller, &id).await?;
    // Undecided, refused, delivered, or a release delivered in full: refused whatever the body
    // holds. (Only a release may go on in further batches.)
    tracked
        .check_delivery(1, true)
        .map_err(|e| transition_conflict(&e))?;
    let body: DeliveryBody = body.parse()?;
    let subjects = delivered_subjects(&body.subjects)?;
    let count = u64::try_from(subjects.len()).unwrap_or(u64::MAX);
    if let Err(error) = tracked.check_delivery(count, body.release) {
        let mut errors = ValidationErrors::default();
        errors.push("subjects", Rule::OutOfRange, error.to_string());
        return Err(AppError::InvalidBody(errors));
    }

    let now = OffsetDateTime::now_utc();
    let occurred_at = now
        .format(&Rfc3339)
        .map_err(|e| AppError::Internal(format!("formatting the time of a delivery: {e}")))?;
    let request = tracked.request();
    let action = if body.release { "export" } else { "disclose" };
    let events: Vec<EventSubmission> = subjects
        .iter()
        .map(|subject| EventSubmission {
            id: delivery_event_id(&id, &state.subject_key.pseudonymise(subject)),
            occurred_at: occurred_at.clone(),
            file: request.file.to_string(),
            subject: subject.expose().to_owned(),
            action: action.to_owned(),
            purpose: request.purpose.to_string(),
            categories: request.categories.iter().map(ToString::to_string).collect(),
            legal_basis: request.legal_basis.to_string(),
            legal_citation: Some(request.legal_citation.clone()),
            recipient: Some(request.requester.to_string()),
            reference: Some(format!("data-request:{id}")),
            actor: Some(actor.actor.clone()),
            records: 1,
            confidential: None,
        })
        .collect();
    let report = state
        .ingestor
        .ingest(&request.holder, events, now)
        .await
        .map_err(|error| match error {
            IngestError::Invalid(errors) => AppError::Conflict(format!(
                "the register entry of file {} no longer permits this use, so the delivery cannot be logged: {}",
                request.file,
                errors.first().map_or("", |e| e.message.as_str())
            )),
            IngestError::UnknownAgency => AppError::Internal(format!(
                "the holder {} of data request {id} is not registered",
                request.holder
            )),
            IngestError::Store(e) => e.into(),
        })?;
    if report.accepted > 0 {
        state.log.appended();
    }
    // A further batch of a release counts the people it newly logged, so a batch sent twice, or
    // a person in two batches, is counted once.
    let subjects = if tracked.delivery().is_some() {
        report.accepted
    } else {
        count
    };
    let delivered = if subjects == 0 {
        tracked
    } else {
        let delivery = Delivery {
            delivered_on: today(),
            subjects,
            release: body.release,
        };
        state
            .store
            .record_delivery(&id, &delivery)
            .await
            .map_err(raced)?
    };
    Ok(Json(DeliveryReceipt {
        request: view(&state.reference(), &delivered),
        events_logged: report.accepted,
        events_already_logged: report.duplicates,
        tree_size: report.tree.size,
    }))
}

/// `GET /api/v1/files/{id}/approved-uses`: the file's approved out-of-purpose requests. Public.
#[utoipa::path(
    get,
    path = "/api/v1/files/{id}/approved-uses",
    operation_id = "listApprovedUses",
    tag = "data-requests",
    params(("id" = String, Path, description = "File id", example = "nhi-claims")),
    responses(
        (status = 200, description = "The file's approved requests, delivered or not, newest filing first", body = Vec<ApprovedUse>),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn approved_uses(
    State(state): State<AppState>,
    _credentials_checked: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<ApprovedUse>>, AppError> {
    let no_such_file = || AppError::NotFound(format!("there is no file with id {id}"));
    let file = FileId::parse(&id).map_err(|_| no_such_file())?;
    if state.store.file(&file, None).await?.is_none() {
        return Err(no_such_file());
    }
    let reference = state.reference();
    let uses = state.store.approved_uses(&file).await?;
    Ok(Json(
        uses.iter()
            .filter_map(|tracked| {
                let request = tracked.request();
                let decision = tracked.decision()?;
                Some(ApprovedUse {
                    request: request.id.to_string(),
                    requester: request.requester.to_string(),
                    purpose: named_purpose(&reference, &request.purpose),
                    legal_basis: request.legal_basis.to_string(),
                    legal_citation: request.legal_citation.clone(),
                    categories: named_categories(&reference, &request.categories),
                    people: tracked.people(),
                    delivered: tracked.delivery().is_some(),
                    decided_on: day(decision.decided_on),
                })
            })
            .collect(),
    ))
}

/// A role the caller's agency plays in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Requester,
    Holder,
}

impl RequestListFilter {
    /// The roles to list and the state, each bad parameter named.
    fn check(self) -> Result<(Vec<Role>, Option<RequestState>), AppError> {
        let mut errors = ValidationErrors::default();
        let roles = match self.role.as_deref().map(str::trim) {
            None | Some("") => vec![Role::Requester, Role::Holder],
            Some("requester") => vec![Role::Requester],
            Some("holder") => vec![Role::Holder],
            Some(_) => {
                errors.push("role", Rule::Format, "requester or holder");
                Vec::new()
            }
        };
        let state = match self.state.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match RequestState::parse(raw) {
                Ok(state) => Some(state),
                Err(why) => {
                    errors.push("state", Rule::Format, why);
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok((roles, state))
        } else {
            Err(AppError::InvalidQuery(errors))
        }
    }
}

/// The request `raw` if it exists and the caller's agency holds its file.
async fn held_request(
    state: &AppState,
    caller: Caller,
    raw: &str,
) -> Result<(RequestId, TrackedRequest, AgencyActor), AppError> {
    caller.require_agency()?;
    let id = existing_id(raw)?;
    let tracked = state
        .store
        .data_request(&id)
        .await?
        .ok_or_else(|| no_such_request(&id))?;
    let actor = authorize_write(caller, &tracked.request().holder).map_err(|_| {
        AppError::Forbidden(format!(
            "only the holder of file {}, {}, decides on and delivers this request",
            tracked.request().file,
            tracked.request().holder
        ))
    })?;
    Ok((id, tracked, actor))
}

/// The delivered people's numbers: 1 to [`MAX_DELIVERY_SUBJECTS`], each valid, none twice.
/// No message quotes a number.
fn delivered_subjects(raw: &[String]) -> Result<Vec<SubjectId>, AppError> {
    let mut errors = ValidationErrors::default();
    if raw.is_empty() {
        errors.push(
            "subjects",
            Rule::Required,
            "name at least one person whose data was delivered",
        );
    } else if raw.len() > MAX_DELIVERY_SUBJECTS {
        errors.push(
            "subjects",
            Rule::TooLong,
            format!(
                "at most {MAX_DELIVERY_SUBJECTS} people per call; a larger extract is too large for one batch of usage events"
            ),
        );
        return Err(AppError::InvalidBody(errors));
    }
    let mut seen = HashSet::with_capacity(raw.len());
    let mut out = Vec::with_capacity(raw.len());
    for (i, number) in raw.iter().enumerate() {
        let field = format!("subjects[{i}]");
        match SubjectId::parse(number.trim()) {
            Ok(subject) if !seen.insert(subject.clone()) => {
                errors.push(field, Rule::Duplicate, "this person is listed twice");
            }
            Ok(subject) => out.push(subject),
            Err(e @ SubjectIdError::Format) => errors.push(field, Rule::Format, e.to_string()),
            Err(e @ SubjectIdError::CheckDigit) => {
                errors.push(field, Rule::CheckDigit, e.to_string());
            }
        }
    }
    errors.into_result(out).map_err(AppError::InvalidBody)
}

/// The id of the usage event that logs the delivery of request `id` to one person: a version 8
/// UUID from `SHA-256(tag ‖ request id ‖ pseudonym)`. The same delivery sent again has the
/// same ids, so the log keeps each person's event once; the pseudonym (keyed) rather than the
/// number keeps the id from being a hash of a national ID that anyone could search.
fn delivery_event_id(id: &RequestId, subject: &SubjectPseudonym) -> String {
    let digest = Sha256::new()
        .chain_update(DELIVERY_EVENT_TAG)
        .chain_update(id.as_str().as_bytes())
        .chain_update(subject.as_bytes())
        .finalize();
    let mut bytes = [0; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A fresh random request id (UUID v4).
fn new_request_id() -> RequestId {
    RequestId::parse(&uuid::Uuid::new_v4().to_string())
        .unwrap_or_else(|_| unreachable!("a v4 UUID is a request id"))
}

/// Today in Taiwan (UTC+8, no daylight saving): the day a request is filed, decided, delivered.
fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(offset!(+8)).date()
}

/// `YYYY-MM-DD`.
fn day(date: Date) -> String {
    date.to_string()
}

/// Maps a request to its API view, codes with their names.
pub(crate) fn view(reference: &ReferenceData, tracked: &TrackedRequest) -> DataRequestView {
    let request = tracked.request();
    DataRequestView {
        id: request.id.to_string(),
        state: tracked.state(),
        requester: request.requester.to_string(),
        holder: request.holder.to_string(),
        file: request.file.to_string(),
        purpose: named_purpose(reference, &request.purpose),
        legal_basis: request.legal_basis.to_string(),
        legal_citation: request.legal_citation.clone(),
        categories: named_categories(reference, &request.categories),
        subjects: request.subjects,
        population: request.population.clone(),
        consent_evidence: request.consent_evidence.clone(),
        retention: request.retention.clone(),
        security: request.security.clone(),
        recipients: request.recipients.clone(),
        filed_on: day(request.filed_on),
        decision: tracked.decision().map(|d| DecisionView {
            outcome: d.outcome,
            reasons: d.reasons.clone(),
            approved_subjects: d.approved_subjects,
            decided_on: day(d.decided_on),
            decided_by: d.decided_by.clone(),
        }),
        delivery: tracked.delivery().map(|d| DeliveryView {
            delivered_on: day(d.delivered_on),
            subjects: d.subjects,
            release: d.release,
        }),
    }
}

fn existing_id(raw: &str) -> Result<RequestId, AppError> {
    RequestId::parse(raw).map_err(|_| no_such_request(raw))
}

fn no_such_request(id: impl std::fmt::Display) -> AppError {
    AppError::NotFound(format!("there is no data request {id} that you may read"))
}

fn transition_conflict(error: &TransitionError) -> AppError {
    AppError::Conflict(error.to_string())
}

/// A store conflict after the request was checked: another call moved it on meanwhile.
fn raced(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict(_) => AppError::Conflict(
            "the request was decided or delivered meanwhile; read it again".into(),
        ),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use lantern_usage::PseudonymKey;

    use super::*;

    #[test]
    fn delivery_event_ids_are_uuids_fixed_by_request_and_person() {
        let key = PseudonymKey::from_bytes([9; 32]);
        let alice = key.pseudonymise(&SubjectId::parse("A123456789").unwrap());
        let bob = key.pseudonymise(&SubjectId::parse("B142610160").unwrap());
        let first = RequestId::parse("0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a60").unwrap();
        let second = RequestId::parse("0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a61").unwrap();
        let id = delivery_event_id(&first, &alice);
        assert!(lantern_log::EventId::parse(&id).is_ok(), "{id}");
        assert_eq!(&id[14..15], "8", "version 8: {id}");
        assert_eq!(id, delivery_event_id(&first, &alice));
        assert_ne!(id, delivery_event_id(&first, &bob));
        assert_ne!(id, delivery_event_id(&second, &alice));
    }

    #[test]
    fn delivered_numbers_are_checked_without_quoting_them() {
        let errors = match delivered_subjects(&[
            "A123456789".into(),
            "A123456780".into(),
            "A123456789".into(),
            "not an id".into(),
        ]) {
            Err(AppError::InvalidBody(errors)) => errors,
            other => panic!("expected 422, got {other:?}"),
        };
        let found: Vec<_> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.rule))
            .collect();
        assert_eq!(
            found,
            [
                ("subjects[1]", Rule::CheckDigit),
                ("subjects[2]", Rule::Duplicate),
                ("subjects[3]", Rule::Format),
            ]
        );
        assert!(errors.0.iter().all(|e| !e.message.contains("A12345678")));
        assert!(matches!(
            delivered_subjects(&[]),
            Err(AppError::InvalidBody(_))
        ));
        let too_many = vec!["A123456789".to_owned(); MAX_DELIVERY_SUBJECTS + 1];
        match delivered_subjects(&too_many) {
            Err(AppError::InvalidBody(errors)) => {
                assert_eq!(errors.0.len(), 1);
                assert_eq!(errors.0[0].rule, Rule::TooLong);
            }
            other => panic!("expected 422, got {other:?}"),
        }
    }
}
