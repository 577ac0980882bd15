//! Services and consent (PDPA Arts. 7-9): the list of services (`/services`), a service's notice
//! in plain language with icons and the citizen's consent to it (`/services/{id}`,
//! `POST /services/{id}/consent`), and the citizen's authorizations (我的授權紀錄,
//! `/me/authorizations`, `POST /me/authorizations/{service}/withdraw`).
//!
//! Consent is staged: one service at a time, on that service's own page, never at sign-up.
//! A withdrawal takes effect at once; the service must then ask again.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::citizen::{CsrfForm, private, session_error};
use super::context::{Chrome, Nav, PageCtx, href};
use super::error_page::{PageError, render};
use super::footprint::long_date;
use crate::AppState;
use crate::api::consents::{ConsentView, consent_views, grant_consent, withdraw_consent};
use crate::api::services::{ServiceView, existing_id, view};
use crate::auth::{CITIZEN_LOGIN_PATH, CitizenSession};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage {
    t: Tr,
    chrome: Chrome,
    services: Vec<ServiceRow>,
}

/// One service in the list.
struct ServiceRow {
    href: String,
    name: String,
    summary: String,
    agency: String,
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    t: Tr,
    chrome: Chrome,
    service: ServiceView,
    name: String,
    /// The notice's items in reading order: icon, heading, text.
    items: Vec<NoticeItem>,
    /// Shown when an earlier version is asked for.
    old_version: Option<String>,
    version_label: String,
    consent: ConsentState,
    consent_label: String,
    csrf_token: String,
}

/// One item of the notice.
struct NoticeItem {
    icon: &'static str,
    heading: String,
    lines: Vec<String>,
}

/// What the reader may do about consent on the service's page.
enum ConsentState {
    /// Nobody is logged in: log in first.
    LoggedOut { login_href: String },
    /// The citizen has no consent in force: the consent form.
    NotGiven,
    /// The citizen's consent is in force: when and to which version, and whether the notice
    /// has changed since.
    Given { text: String, notice_changed: bool },
}

#[derive(Template)]
#[template(path = "authorizations.html")]
struct AuthorizationsPage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<AuthorizationRow>,
    csrf_token: String,
}

/// One consent in the list.
struct AuthorizationRow {
    service: String,
    service_name: String,
    notice_href: String,
    version_label: String,
    given: String,
    given_machine: String,
    channel: String,
    withdrawn: bool,
    state: String,
    withdraw_label: String,
}

/// `GET /services`: every service, by agency.
pub(crate) async fn index(ctx: PageCtx, State(state): State<AppState>) -> Response {
    ctx.respond(build_index(&ctx, &state).await)
}

async fn build_index(ctx: &PageCtx, state: &AppState) -> Result<Response, PageError> {
    let t = ctx.tr();
    let reference = state.reference();
    let agencies = state.store.agencies().await?;
    let services = state
        .store
        .services()
        .await?
        .into_iter()
        .map(|s| {
            let agency = agencies
                .iter()
                .find(|a| a.code == s.value.agency)
                .map_or_else(|| s.value.agency.to_string(), |a| agency_name(ctx.lang, a));
            let service = view(&reference, s);
            ServiceRow {
                href: format!("/services/{}", service.id),
                name: service_name(ctx.lang, &service),
                summary: service.summary,
                agency,
            }
        })
        .collect();
    let page = ServicesPage {
        chrome: ctx.chrome(Nav::Services, &t.get("svc-title")),
        services,
        t,
    };
    render(&page)
}

/// `GET /services/{id}`: the notice, and the reader's consent to it.
pub(crate) async fn page(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    citizen: Result<Option<CitizenSession>, AppError>,
) -> Response {
    ctx.respond(build_page(&ctx, &state, &id, citizen).await)
}

async fn build_page(
    ctx: &PageCtx,
    state: &AppState,
    raw_id: &str,
    citizen: Result<Option<CitizenSession>, AppError>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let id = existing_id(raw_id).map_err(|_| PageError::NotFound)?;
    let asked = match ctx.query().iter().find(|(k, _)| k == "version") {
        Some((_, v)) => Some(v.parse::<u32>().map_err(|_| PageError::NotFound)?),
        None => None,
    };
    let current = state
        .store
        .service(&id, None)
        .await?
        .ok_or(PageError::NotFound)?;
    let current_version = current.info.version;
    let shown = match asked {
        Some(v) if v != current_version => state
            .store
            .service(&id, Some(v))
            .await?
            .ok_or(PageError::NotFound)?,
        _ => current,
    };
    let service = view(&state.reference(), shown);
    let citizen = citizen.map_err(session_error)?;
    let (consent, csrf_token) = match &citizen {
        None => (
            ConsentState::LoggedOut {
                login_href: CITIZEN_LOGIN_PATH.to_owned(),
            },
            String::new(),
        ),
        Some(session) => {
            let mine = consent_views(state, &session.subject)
                .await
                .map_err(session_error)?;
            let state = match mine
                .iter()
                .find(|c| c.service == service.id && c.state == "active")
            {
                Some(c) => ConsentState::Given {
                    text: t.with(
                        "svc-consent-given",
                        &[
                            ("date", date_of(t, &c.given_at).into()),
                            ("version", c.notice_version.into()),
                        ],
                    ),
                    notice_changed: c.notice_version != current_version,
                },
                None => ConsentState::NotGiven,
            };
            (state, session.csrf_token.clone())
        }
    };
    let old_version = (service.version != current_version).then(|| {
        t.with(
            "svc-old-version",
            &[
                ("shown", service.version.into()),
                ("current", current_version.into()),
            ],
        )
    });
    let name = service_name(ctx.lang, &service);
    let page = ServicePage {
        chrome: ctx.chrome(Nav::Services, &name),
        items: notice_items(t, ctx.lang, &service),
        version_label: t.with("svc-notice-version", &[("version", service.version.into())]),
        consent_label: t.with("svc-consent-submit", &[("service", name.clone().into())]),
        name,
        old_version,
        consent,
        csrf_token,
        service,
        t,
    };
    let response = render(&page)?;
    Ok(if citizen.is_some() {
        private(response)
    } else {
        response
    })
}

/// The notice's items with their icons, in the order of Art. 8(1).
fn notice_items(t: Tr, lang: Lang, service: &ServiceView) -> Vec<NoticeItem> {
    let n = &service.notice;
    let names = |codes: &[crate::api::services::NamedCode]| -> Vec<String> {
        codes
            .iter()
            .map(|c| {
                let name = match lang {
                    Lang::ZhTw => c.name_zh.as_deref(),
                    Lang::En => c.name_en.as_deref(),
                };
                name.map_or_else(|| c.code.clone(), |name| format!("{name} ({})", c.code))
            })
            .collect()
    };
    let item = |icon, key: &str, lines: Vec<String>| NoticeItem {
        icon,
        heading: t.get(key),
        lines,
    };
    let mut items = vec![
        item("controller", "svc-controller", vec![n.controller.clone()]),
        item("purpose", "svc-purposes", names(&n.purposes)),
        item("data", "svc-categories", names(&n.categories)),
        item("period", "svc-period", vec![n.period.clone()]),
        item("area", "svc-area", vec![n.area.clone()]),
        item("recipients", "svc-recipients", vec![n.recipients.clone()]),
        item("manner", "svc-manner", vec![n.manner.clone()]),
        item("rights", "svc-rights", vec![n.rights.clone()]),
        item(
            "consequence",
            "svc-consequence",
            vec![n.consequence.clone()],
        ),
    ];
    let outsourcing = if n.outsourcing.is_empty() {
        vec![t.get("svc-outsourcing-none")]
    } else {
        n.outsourcing
            .iter()
            .map(|o| format!("{}{}{}", o.vendor, t.get("svc-outsourcing-does"), o.task))
            .collect()
    };
    items.push(item("outsourcing", "svc-outsourcing", outsourcing));
    items
}

/// `POST /services/{id}/consent`: the logged-in citizen consents to the current notice.
pub(crate) async fn consent(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    citizen: Result<Option<CitizenSession>, AppError>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let result = match checked(&ctx, citizen, form) {
        Ok(Some(session)) => match grant_consent(&state, &session, &id).await {
            Ok(_) => Ok(private(
                Redirect::to(&href("/me/authorizations", &[("given", &id)])).into_response(),
            )),
            Err(error) => Err(change_error(&ctx, error)),
        },
        Ok(None) => Ok(Redirect::to(CITIZEN_LOGIN_PATH).into_response()),
        Err(error) => Err(error),
    };
    ctx.respond(result)
}

/// `POST /me/authorizations/{service}/withdraw`: withdraws the consent, effective at once.
pub(crate) async fn withdraw(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(service): Path<String>,
    citizen: Result<Option<CitizenSession>, AppError>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let result = match checked(&ctx, citizen, form) {
        Ok(Some(session)) => match withdraw_consent(&state, &session, &service).await {
            Ok(_) => Ok(private(
                Redirect::to(&href("/me/authorizations", &[("withdrawn", &service)]))
                    .into_response(),
            )),
            Err(error) => Err(change_error(&ctx, error)),
        },
        Ok(None) => Ok(Redirect::to(CITIZEN_LOGIN_PATH).into_response()),
        Err(error) => Err(error),
    };
    ctx.respond(result)
}

/// The session of a form post whose CSRF token matches; `None` when nobody is logged in.
fn checked(
    ctx: &PageCtx,
    citizen: Result<Option<CitizenSession>, AppError>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Option<CitizenSession>, PageError> {
    let Some(session) = citizen.map_err(session_error)? else {
        return Ok(None);
    };
    let sent = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if crate::auth::constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
        Ok(Some(session))
    } else {
        Err(PageError::BadRequest(vec![ctx.tr().get("me-error-csrf")]))
    }
}

/// A consent change that did not happen, in the reader's words.
fn change_error(ctx: &PageCtx, error: AppError) -> PageError {
    let t = ctx.tr();
    match error {
        AppError::NotFound(_) => PageError::NotFound,
        AppError::Conflict(message) if message.contains("already in force") => {
            PageError::BadRequest(vec![t.get("svc-error-already")])
        }
        AppError::Conflict(message) if message.contains("no consent in force") => {
            PageError::BadRequest(vec![t.get("svc-error-not-given")])
        }
        AppError::Conflict(_) => PageError::BadRequest(vec![t.get("svc-error-notice")]),
        AppError::Unauthenticated(_) => PageError::BadRequest(vec![t.get("svc-error-relogin")]),
        other => session_error(other),
    }
}

/// `GET /me/authorizations`: every consent of the citizen, with its notice version, when and
/// how it was given, and a withdraw button for each one in force.
pub(crate) async fn authorizations(
    ctx: PageCtx,
    State(state): State<AppState>,
    citizen: Result<Option<CitizenSession>, AppError>,
) -> Response {
    ctx.respond(build_authorizations(&ctx, &state, citizen).await)
}

async fn build_authorizations(
    ctx: &PageCtx,
    state: &AppState,
    citizen: Result<Option<CitizenSession>, AppError>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Some(session) = citizen.map_err(session_error)? else {
        return Ok(Redirect::to(CITIZEN_LOGIN_PATH).into_response());
    };
    let consents = consent_views(state, &session.subject)
        .await
        .map_err(session_error)?;
    let rows = consents.into_iter().map(|c| row(t, c)).collect();
    let page = AuthorizationsPage {
        chrome: ctx.chrome(Nav::Me, &t.get("auth-title")),
        rows,
        csrf_token: session.csrf_token,
        t,
    };
    Ok(private(render(&page)?))
}

fn row(t: Tr, consent: ConsentView) -> AuthorizationRow {
    let state = match consent.withdrawn_at.as_deref() {
        Some(at) => t.with("auth-withdrawn-on", &[("date", date_of(t, at).into())]),
        None => t.get("auth-active"),
    };
    AuthorizationRow {
        given: date_of(t, &consent.given_at),
        given_machine: consent.given_at.clone(),
        channel: t.get(&format!(
            "auth-channel-{}",
            consent.collection_method.as_str()
        )),
        withdrawn: consent.withdrawn_at.is_some(),
        state,
        withdraw_label: t.with(
            "auth-withdraw-submit",
            &[("service", consent.service_name.clone().into())],
        ),
        notice_href: consent.notice_url,
        version_label: t.with(
            "svc-notice-version",
            &[("version", consent.notice_version.into())],
        ),
        service_name: consent.service_name,
        service: consent.service,
    }
}

/// An RFC 3339 instant as a long date in the reader's language.
fn date_of(t: Tr, rfc3339: &str) -> String {
    OffsetDateTime::parse(rfc3339, &Rfc3339)
        .map_or_else(|_| rfc3339.to_owned(), |at| long_date(t, at))
}

fn service_name(lang: Lang, service: &ServiceView) -> String {
    match lang {
        Lang::En if !service.name_en.is_empty() => service.name_en.clone(),
        _ => service.name_zh.clone(),
    }
}

fn agency_name(lang: Lang, agency: &lantern_domain::Agency) -> String {
    super::file_row::agency_name(lang, agency).to_owned()
}
