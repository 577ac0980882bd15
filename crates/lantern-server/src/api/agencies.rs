//! `GET /api/v1/agencies` and `GET /api/v1/agencies/{code}`: the public register of agencies.

use axum::Json;
use axum::extract::State;
use lantern_domain::AgencyCode;
use lantern_store::{FileQuery, MAX_PAGE};

use super::agency_view::{AgencyDetail, AgencyDirectory, AgencyList, AgencySummary, FileRef};
use super::extract::{ApiPath, ApiQuery};
use super::file_view::{VersionEntry, contact};
use super::filters::VersionFilter;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{AppError, Problem};

/// Every agency with its supervisor and number of files.
#[utoipa::path(
    get,
    path = "/api/v1/agencies",
    operation_id = "listAgencies",
    tag = "agencies",
    responses(
        (status = 200, description = "Every agency, ordered by code", body = AgencyList),
        (status = 401, description = "A credential was sent and is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Storage is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _credentials_checked: Caller,
) -> Result<Json<AgencyList>, AppError> {
    let directory = AgencyDirectory::new(state.store.agencies().await?);
    let mut items = Vec::new();
    for agency in directory.agencies() {
        // One count per agency: the store answers `limit: 0` with the total alone.
        let count = FileQuery {
            agency: Some(agency.code.clone()),
            limit: 0,
            ..FileQuery::default()
        };
        let file_count = state.store.search_files(&count).await?.total;
        items.push(AgencySummary {
            code: agency.code.to_string(),
            name_zh: agency.name_zh.clone(),
            name_en: agency.name_en.clone(),
            kind: agency.kind.into(),
            supervisor: agency.supervisor.as_ref().map(|s| directory.reference(s)),
            file_count,
        });
    }
    Ok(Json(AgencyList { items }))
}

/// One agency, as of its current or a given version, with its supervisor, subordinate
/// agencies, files and version history.
#[utoipa::path(
    get,
    path = "/api/v1/agencies/{code}",
    operation_id = "getAgency",
    tag = "agencies",
    params(("code" = String, Path, description = "Agency code", example = "MOHW-NHIA"), VersionFilter),
    responses(
        (status = 200, description = "The agency and its version history", body = AgencyDetail),
        (status = 400, description = "The query string is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agency or version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The version parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Storage is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    _credentials_checked: Caller,
    ApiPath(code): ApiPath<String>,
    ApiQuery(filter): ApiQuery<VersionFilter>,
) -> Result<Json<AgencyDetail>, AppError> {
    let not_found = || AppError::NotFound(format!("there is no agency with code {code:?}"));
    let parsed = AgencyCode::parse(&code).map_err(|_| not_found())?;
    let version = filter.version()?;
    let history = state.store.agency_history(&parsed).await?;
    if history.is_empty() {
        return Err(not_found());
    }
    let found = match version {
        None => state.store.agency(&parsed).await?,
        Some(version) => state.store.agency_version(&parsed, version).await?,
    };
    let Some(versioned) = found else {
        return Err(match version {
            Some(version) => {
                AppError::NotFound(format!("agency {parsed} has no version {version}"))
            }
            None => not_found(),
        });
    };
    let directory = AgencyDirectory::new(state.store.agencies().await?);
    let agency = versioned.value;
    Ok(Json(AgencyDetail {
        code: agency.code.to_string(),
        subordinates: directory.subordinates(&agency.code),
        files: files_of(&state, &agency.code).await?,
        supervisor: agency.supervisor.as_ref().map(|s| directory.reference(s)),
        name_zh: agency.name_zh,
        name_en: agency.name_en,
        kind: agency.kind.into(),
        contact: contact(agency.contact),
        intelligence_agency: agency.intelligence_agency,
        version: versioned.info.version,
        updated_at: versioned.info.changed_at,
        updated_by: versioned.info.changed_by,
        versions: history.into_iter().map(VersionEntry::from).collect(),
    }))
}

/// Every file of `agency`, page by page.
async fn files_of(state: &AppState, agency: &AgencyCode) -> Result<Vec<FileRef>, AppError> {
    let mut files = Vec::new();
    loop {
        let offset = u32::try_from(files.len()).unwrap_or(u32::MAX);
        let query = FileQuery {
            agency: Some(agency.clone()),
            limit: MAX_PAGE,
            offset,
            ..FileQuery::default()
        };
        let page = state.store.search_files(&query).await?;
        let got = page.items.len();
        files.extend(page.items.into_iter().map(|f| FileRef {
            id: f.value.id.to_string(),
            name_zh: f.value.name_zh,
            name_en: f.value.name_en,
        }));
        if got == 0 || files.len() as u64 >= page.total {
            return Ok(files);
        }
    }
}
