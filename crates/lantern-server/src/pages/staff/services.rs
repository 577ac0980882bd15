//! Staff pages for their agency's services: the list (`/staff/services`), and per service its
//! notice versions and vendor codes (`/staff/services/{id}`): download the codes of the citizens
//! whose consent is in force for one vendor (`…/codes.csv`), and resolve a vendor's list of
//! codes back to citizens with a stated reason (`POST …/resolve`), each resolution logged in
//! the citizen's footprint. Defining a notice: `service_form.rs`, or `PUT /api/v1/services/{id}`.
//!
//! Only the holding agency's staff see a service here; anyone else gets 404.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use lantern_domain::ServiceId;
use lantern_store::VersionInfo;

use super::{LOGIN_PATH, private, session_error};
use crate::AppState;
use crate::api::services::{Resolution, existing_id, resolve_codes};
use crate::auth::{AgencyActor, StaffSession, constant_time_eq};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};
use crate::pages::footprint::long_date;

#[derive(Template)]
#[template(path = "staff_services.html")]
struct ListPage {
    t: Tr,
    chrome: Chrome,
    services: Vec<(String, String, u32)>,
}

#[derive(Template)]
#[template(path = "staff_service.html")]
struct ServicePage {
    t: Tr,
    chrome: Chrome,
    id: String,
    name: String,
    versions: Vec<(u32, String, String)>,
    consents: usize,
    saved: bool,
    csrf_token: String,
    form: ResolveForm,
    errors: Vec<(String, String)>,
    result: Option<Resolution>,
}

/// What the resolve form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ResolveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    codes: String,
}

/// What the codes download asks for.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct VendorQuery {
    #[serde(default)]
    vendor: String,
}

/// `GET /staff/services`: the agency's services.
pub(crate) async fn list(
    ctx: PageCtx,
    State(state): State<AppState>,
    staff: Result<Option<StaffSession>, AppError>,
) -> Response {
    ctx.respond(build_list(&ctx, &state, staff).await)
}

async fn build_list(
    ctx: &PageCtx,
    state: &AppState,
    staff: Result<Option<StaffSession>, AppError>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Some(staff) = staff.map_err(session_error)? else {
        return Ok(Redirect::to(LOGIN_PATH).into_response());
    };
    let services = state
        .store
        .services()
        .await?
        .into_iter()
        .filter(|s| s.value.agency == staff.user.agency)
        .map(|s| (s.value.id.to_string(), s.value.name_zh, s.info.version))
        .collect();
    let page = ListPage {
        chrome: ctx.chrome(Nav::Staff, &t.get("staff-svc-title")),
        services,
        t,
    };
    Ok(private(render(&page)?))
}

/// `GET /staff/services/{id}`: versions and the vendor-code forms.
pub(crate) async fn page(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Result<Option<StaffSession>, AppError>,
) -> Response {
    let result = match own(&state, staff, &id).await {
        Ok(Some((staff, id))) => {
            build_page(
                &ctx,
                &state,
                &staff,
                &id,
                ResolveForm::default(),
                Vec::new(),
                None,
            )
            .await
        }
        Ok(None) => Ok(Redirect::to(LOGIN_PATH).into_response()),
        Err(error) => Err(error),
    };
    ctx.respond(result)
}

/// `POST /staff/services/{id}/resolve`: resolves a vendor's codes and shows who they are.
pub(crate) async fn resolve(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Result<Option<StaffSession>, AppError>,
    form: Result<Form<ResolveForm>, FormRejection>,
) -> Response {
    let result = match own(&state, staff, &id).await {
        Ok(Some((staff, id))) => try_resolve(&ctx, &state, &staff, &id, form).await,
        Ok(None) => Ok(Redirect::to(LOGIN_PATH).into_response()),
        Err(error) => Err(error),
    };
    ctx.respond(result)
}

async fn try_resolve(
    ctx: &PageCtx,
    state: &AppState,
    staff: &StaffSession,
    id: &ServiceId,
    form: Result<Form<ResolveForm>, FormRejection>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Ok(Form(form)) = form else {
        return Err(PageError::BadRequest(vec![t.get("staff-svc-error-form")]));
    };
    if !constant_time_eq(form.csrf.as_bytes(), staff.session.csrf_token.as_bytes()) {
        return Err(PageError::BadRequest(vec![t.get("logout-error-csrf")]));
    }
    let codes: Vec<String> = form
        .codes
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let actor = AgencyActor {
        agency: staff.user.agency.clone(),
        actor: format!("user:{}", staff.user.username),
    };
    match resolve_codes(state, id, &actor, &form.vendor, &form.reason, &codes).await {
        Ok(result) => build_page(ctx, state, staff, id, form, Vec::new(), Some(result)).await,
        Err(AppError::InvalidBody(errors)) => {
            let errors = errors.0.into_iter().map(|e| (e.field, e.message)).collect();
            build_page(ctx, state, staff, id, form, errors, None).await
        }
        Err(other) => Err(session_error(other)),
    }
}

/// `GET /staff/services/{id}/codes.csv?vendor=`: the vendor's codes as a spreadsheet file.
pub(crate) async fn codes_csv(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Result<Option<StaffSession>, AppError>,
    query: Result<axum::extract::Query<VendorQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = match own(&state, staff, &id).await {
        Ok(Some((_, id))) => {
            let vendor = query.map(|q| q.0.vendor).unwrap_or_default();
            match state.consents.vendor_codes(&id, &vendor).await {
                Ok(codes) => Ok(csv(&id, &vendor, &codes)),
                Err(lantern_usage::ConsentError::Invalid { .. }) => {
                    Err(PageError::BadRequest(vec![
                        ctx.tr().get("staff-svc-error-vendor"),
                    ]))
                }
                Err(other) => Err(session_error(crate::api::services::consent_error(other))),
            }
        }
        Ok(None) => Ok(Redirect::to(LOGIN_PATH).into_response()),
        Err(error) => Err(error),
    };
    ctx.respond(result)
}

fn csv(id: &ServiceId, vendor: &str, codes: &[lantern_usage::VendorCode]) -> Response {
    let mut body = String::from("\u{feff}code\r\n");
    for code in codes {
        body.push_str(&code.to_string());
        body.push_str("\r\n");
    }
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let name = format!(
        "attachment; filename=\"{id}-codes.csv\"; filename*=UTF-8''{id}-{}-codes.csv",
        crate::pages::context::percent_encode(vendor.trim())
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    private(response)
}

/// The staff session and service `raw`, when the service is the staff's agency's; `None` when
/// nobody is logged in; 404 for a service that is not theirs or does not exist.
async fn own(
    state: &AppState,
    staff: Result<Option<StaffSession>, AppError>,
    raw: &str,
) -> Result<Option<(StaffSession, ServiceId)>, PageError> {
    let Some(staff) = staff.map_err(session_error)? else {
        return Ok(None);
    };
    let id = existing_id(raw).map_err(|_| PageError::NotFound)?;
    let service = state
        .store
        .service(&id, None)
        .await?
        .ok_or(PageError::NotFound)?;
    if service.value.agency == staff.user.agency {
        Ok(Some((staff, id)))
    } else {
        Err(PageError::NotFound)
    }
}

async fn build_page(
    ctx: &PageCtx,
    state: &AppState,
    staff: &StaffSession,
    id: &ServiceId,
    form: ResolveForm,
    errors: Vec<(String, String)>,
    result: Option<Resolution>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let service = state
        .store
        .service(id, None)
        .await?
        .ok_or(PageError::NotFound)?;
    let history: Vec<VersionInfo> = state.store.service_history(id).await?;
    let consents = state.store.service_consents(id).await?.len();
    let page = ServicePage {
        chrome: ctx.chrome(Nav::Staff, &service.value.name_zh),
        id: id.to_string(),
        name: service.value.name_zh,
        versions: history
            .into_iter()
            .map(|v| (v.version, long_date(t, v.changed_at), v.changed_by))
            .collect(),
        consents,
        saved: ctx.query().iter().any(|(k, _)| k == "saved"),
        csrf_token: staff.session.csrf_token.clone(),
        form,
        errors,
        result,
        t,
    };
    Ok(private(render(&page)?))
}
