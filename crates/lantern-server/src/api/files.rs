//! `/api/v1/files`: search, read, register and replace personal-data files.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lantern_domain::{
    AgencyCode, FileId, FileSubmission, PersonalDataFile, Rule, ValidationErrors,
};
use lantern_store::{Change, StoreError, VersionInfo, Versioned};
use rand::Rng;
use time::OffsetDateTime;

use super::agency_view::AgencyDirectory;
use super::extract::{ApiPath, ApiQuery, JsonBody};
use super::file_view::{FileDetail, FilePage, FileViews, VersionEntry};
use super::filters::{FileFilters, VersionFilter};
use crate::AppState;
use crate::auth::{AgencyActor, Caller, authorize_write};
use crate::error::{AppError, Problem};

/// Searches the register of personal-data files.
#[utoipa::path(
    get,
    path = "/api/v1/files",
    operation_id = "searchFiles",
    tag = "files",
    params(FileFilters),
    responses(
        (status = 200, description = "One page of matching files, each with every disclosure", body = FilePage),
        (status = 400, description = "Unknown or repeated query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter value is invalid; `errors` names the parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _credentials_checked: Caller,
    ApiQuery(filters): ApiQuery<FileFilters>,
) -> Result<Json<FilePage>, AppError> {
    let query = filters.into_query()?;
    let page = state.store.search_files(&query).await?;
    let agencies = AgencyDirectory::new(state.store.agencies().await?);
    let views = FileViews {
        reference: &state.reference(),
        agencies: &agencies,
    };
    Ok(Json(FilePage {
        items: page
            .items
            .into_iter()
            .map(|file| views.file(file))
            .collect(),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
    }))
}

/// One file, as of its current or a given version, with its history.
#[utoipa::path(
    get,
    path = "/api/v1/files/{id}",
    operation_id = "getFile",
    tag = "files",
    params(("id" = String, Path, description = "File id", example = "nhi-claims"), VersionFilter),
    responses(
        (status = 200, description = "The file and its version history", body = FileDetail,
            headers(("ETag" = String, description = "The version shown, quoted: use it in If-Match"))),
        (status = 404, description = "No such file or version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The version parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    _credentials_checked: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(filter): ApiQuery<VersionFilter>,
) -> Result<Response, AppError> {
    let id = existing_id(&id)?;
    let version = filter.version()?;
    let Some(file) = state.store.file(&id, version).await? else {
        return Err(match version {
            Some(version) => AppError::NotFound(format!("file {id} has no version {version}")),
            None => no_such_file(&id),
        });
    };
    let history = state.store.file_history(&id).await?;
    detail_response(&state, StatusCode::OK, file, history).await
}

/// Registers a new file for the caller's agency.
#[utoipa::path(
    post,
    path = "/api/v1/files",
    operation_id = "createFile",
    tag = "files",
    request_body(content = FileSubmission, description = "The file; `id` is chosen by the server when absent, `agency` defaults to the caller's"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Registered as version 1", body = FileDetail,
            headers(("Location" = String, description = "The file's address"), ("ETag" = String, description = "\"1\""))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The file would belong to another agency, or the CSRF header is missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file breaks register rules; `errors` lists each field and rule", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Response, AppError> {
    // Anonymous callers are refused before their body is looked at.
    let own_agency = caller.require_agency()?.clone();
    let mut submission: FileSubmission = body.parse()?;
    let mut errors = ValidationErrors::default();
    let agency = match submission.agency.as_deref().map(AgencyCode::parse) {
        None => own_agency,
        Some(Ok(agency)) => agency,
        Some(Err(why)) => {
            errors.push("agency", Rule::Format, why);
            submission.agency = None;
            own_agency
        }
    };
    let actor = authorize_write(caller, &agency)?;
    let chosen_id = submission.id.take();
    let id = match chosen_id.as_deref().map(FileId::parse) {
        None => generated_file_id()?,
        Some(Ok(id)) => id,
        Some(Err(why)) => {
            errors.push("id", Rule::Format, why);
            generated_file_id()?
        }
    };
    let file = validated(submission, id, agency, errors)?;
    let created = if chosen_id.is_some() {
        state
            .store
            .create_file(&file, &change_by(&actor))
            .await
            .map_err(|e| id_taken(e, &file.id))?
    } else {
        create_with_generated_id(&state, file, &actor).await?
    };
    let address = location(&created.value.id)?;
    let history = vec![created.info.clone()];
    let mut response = detail_response(&state, StatusCode::CREATED, created, history).await?;
    response.headers_mut().insert(header::LOCATION, address);
    Ok(response)
}

/// Replaces a file of the caller's agency with a new version.
#[utoipa::path(
    put,
    path = "/api/v1/files/{id}",
    operation_id = "replaceFile",
    tag = "files",
    params(
        ("id" = String, Path, description = "File id", example = "nhi-claims"),
        ("If-Match" = Option<String>, Header, description = "The version the change is based on, quoted, e.g. \"3\"; the change fails with 412 if it is no longer current"),
    ),
    request_body(content = FileSubmission, description = "The whole file; `id` and `agency` may be left out"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Recorded as a new version (or unchanged when equal to the current one)", body = FileDetail,
            headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 400, description = "The body is not JSON, or If-Match is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The file belongs to another agency, or the CSRF header is missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names a version that is no longer current", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file breaks register rules", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response, AppError> {
    caller.require_agency()?;
    let id = existing_id(&id)?;
    let Some(current) = state.store.file(&id, None).await? else {
        return Err(no_such_file(&id));
    };
    // Decided before the body is read, so another agency learns nothing from the answer.
    let actor = authorize_write(caller, &current.value.agency)?;
    let expected = expected_version(&headers)?;
    let submission: FileSubmission = body.parse()?;
    let mut errors = ValidationErrors::default();
    if submission
        .id
        .as_deref()
        .is_some_and(|given| given != id.as_str())
    {
        errors.push(
            "id",
            Rule::UnknownReference,
            format!("the id in the body must be {id}, as in the address, or be left out"),
        );
    }
    let file = validated(submission, id, current.value.agency.clone(), errors)?;
    // The store decides staleness: a retried PUT whose first attempt committed writes an equal
    // value, which the store accepts whatever version it was based on.
    let updated = state
        .store
        .update_file(&file, expected, &change_by(&actor))
        .await
        .map_err(|error| match (error, expected) {
            (StoreError::Conflict(_), Some(expected)) => stale(expected),
            (StoreError::NotFound(_), _) => no_such_file(&file.id),
            (error, _) => error.into(),
        })?;
    let history = state.store.file_history(&file.id).await?;
    detail_response(&state, StatusCode::OK, updated, history).await
}

/// Validates `submission`, adding the errors the handler found first.
fn validated(
    submission: FileSubmission,
    id: FileId,
    agency: AgencyCode,
    mut errors: ValidationErrors,
) -> Result<PersonalDataFile, AppError> {
    match submission.validate(id, agency) {
        Ok(file) => errors.into_result(file).map_err(AppError::InvalidBody),
        Err(more) => {
            errors.0.extend(more.0);
            Err(AppError::InvalidBody(errors))
        }
    }
}

/// How many generated ids to try before giving up. With 50 random bits a single collision is
/// already unlikely; three in a row mean something else is wrong.
const GENERATED_ID_ATTEMPTS: usize = 3;

async fn create_with_generated_id(
    state: &AppState,
    mut file: PersonalDataFile,
    actor: &AgencyActor,
) -> Result<Versioned<PersonalDataFile>, AppError> {
    for _ in 1..GENERATED_ID_ATTEMPTS {
        match state.store.create_file(&file, &change_by(actor)).await {
            Err(StoreError::Conflict(_)) => file.id = generated_file_id()?,
            other => return other.map_err(AppError::from),
        }
    }
    state
        .store
        .create_file(&file, &change_by(actor))
        .await
        .map_err(AppError::from)
}

/// A readable id that is unique in practice: `f-` and ten lowercase base32 characters (50 bits).
fn generated_file_id() -> Result<FileId, AppError> {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut rng = rand::rng();
    let suffix: String = (0..10)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    FileId::parse(&format!("f-{suffix}"))
        .map_err(|why| AppError::Internal(format!("generated file id: {why}")))
}

fn change_by(actor: &AgencyActor) -> Change {
    Change {
        actor: actor.actor.clone(),
        at: OffsetDateTime::now_utc(),
    }
}

/// A path id; one that cannot be a file id names no file.
fn existing_id(raw: &str) -> Result<FileId, AppError> {
    FileId::parse(raw).map_err(|_| no_such_file(raw))
}

fn no_such_file(id: impl std::fmt::Display) -> AppError {
    AppError::NotFound(format!("there is no file with id {id}"))
}

fn id_taken(error: StoreError, id: &FileId) -> AppError {
    match error {
        StoreError::Conflict(_) => AppError::Conflict(format!(
            "a file with id {id} already exists; change it with PUT /api/v1/files/{id}"
        )),
        other => other.into(),
    }
}

fn stale(expected: u32) -> AppError {
    AppError::PreconditionFailed(format!(
        "the change was based on version {expected}, which is no longer current; read the file again"
    ))
}

/// The version named by `If-Match: "N"`; `*` or no header means no precondition.
fn expected_version(headers: &HeaderMap) -> Result<Option<u32>, AppError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let malformed = || {
        AppError::MalformedRequest(
            "If-Match must be one version in quotes, e.g. \"3\", or *".into(),
        )
    };
    let value = value.to_str().map_err(|_| malformed())?.trim();
    if value == "*" {
        return Ok(None);
    }
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .and_then(|v| v.parse::<u32>().ok())
        .map(Some)
        .ok_or_else(malformed)
}

fn etag(version: u32) -> Result<HeaderValue, AppError> {
    HeaderValue::from_str(&format!("\"{version}\""))
        .map_err(|e| AppError::Internal(format!("etag header: {e}")))
}

fn location(id: &FileId) -> Result<HeaderValue, AppError> {
    HeaderValue::from_str(&format!("/api/v1/files/{id}"))
        .map_err(|e| AppError::Internal(format!("location header: {e}")))
}

async fn detail_response(
    state: &AppState,
    status: StatusCode,
    file: Versioned<PersonalDataFile>,
    history: Vec<VersionInfo>,
) -> Result<Response, AppError> {
    let agencies = AgencyDirectory::new(state.store.agencies().await?);
    let views = FileViews {
        reference: &state.reference(),
        agencies: &agencies,
    };
    let tag = etag(file.info.version)?;
    let detail = FileDetail {
        file: views.file(file),
        versions: history.into_iter().map(VersionEntry::from).collect(),
    };
    Ok((status, [(header::ETAG, tag)], Json(detail)).into_response())
}
