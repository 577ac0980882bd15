//! The citizen portal's entry: `/me/login` and `/me/callback` (OpenID Connect), `/me/logout`, and in demo mode
//! `/me/demo-login`.
//!
//! The national ID the provider vouches for is checked (`SubjectId`, check digit) and turned
//! into its pseudonym at once; it is never stored, logged or shown. A callback that fails any
//! check answers an error page and starts no session.
//!
//! The demo login is a login form (no session yet), so login-CSRF is stopped as on the staff
//! login: a double-submit token in a `SameSite=Strict` cookie scoped to `/me` and a hidden
//! field. Logout carries the session's own CSRF token.

use std::sync::LazyLock;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use lantern_demo::DemoCitizen;
use lantern_domain::SubjectId;

use crate::AppState;
use crate::auth::oidc::{FLOW_COOKIE, LOGIN_FLOW_SECONDS, OidcError, PendingLogin};
use crate::auth::{
    CITIZEN_LOGIN_PATH, CitizenSession, constant_time_eq, end_citizen_session, random_secret,
    start_citizen_session,
};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::pages::context::{Chrome, Nav, PageCtx, cookie};
use crate::pages::error_page::{PageError, render};

/// Where the demo citizens are listed.
const DEMO_LOGIN_PATH: &str = "/me/demo-login";

/// The double-submit cookie of the demo login form.
const DEMO_CSRF_COOKIE: &str = "lantern_demo_csrf";

/// How long the demo login form stays usable: an hour, in seconds.
const DEMO_FORM_SECONDS: u32 = 60 * 60;

/// The demo citizens, generated once (the list is deterministic).
static DEMO_CITIZENS: LazyLock<Vec<DemoCitizen>> = LazyLock::new(lantern_demo::demo_citizens);

#[derive(Template)]
#[template(path = "me_demo_login.html")]
struct DemoLoginPage {
    t: Tr,
    chrome: Chrome,
    csrf_token: String,
    citizens: Vec<DemoChoice>,
}

/// One demo citizen as the list shows them.
struct DemoChoice {
    /// Position in the list, what the form sends.
    index: usize,
    /// The number with its middle hidden, e.g. `A12****789`.
    masked_id: String,
    /// The name in the reader's language.
    name: String,
}

/// What a citizen's form that changes something sends: only the session's CSRF token.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct CsrfForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub(crate) csrf: String,
}

/// What the demo login form sends.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct DemoLoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    citizen: String,
}

/// What the provider's redirect back carries.
#[derive(Debug, Default, serde::Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /me/login`: redirects to the identity provider (or, in demo mode without one, to the
/// demo login). Without either, citizen login does not exist here: 404.
pub(crate) async fn login(ctx: PageCtx, State(state): State<AppState>) -> Response {
    let result = start_login(&ctx, &state).await;
    ctx.respond(result)
}

async fn start_login(ctx: &PageCtx, state: &AppState) -> Result<Response, PageError> {
    let Some(provider) = &state.oidc else {
        return if state.config.demo {
            Ok(Redirect::to(DEMO_LOGIN_PATH).into_response())
        } else {
            Err(PageError::NotFound)
        };
    };
    let (url, pending) = provider.begin().await.map_err(|error| {
        tracing::warn!(%error, "starting a citizen login failed");
        PageError::Unavailable
    })?;
    let mut response = private(Redirect::to(&url).into_response());
    let cookie =
        flow_cookie(ctx, &pending.cookie_value(), LOGIN_FLOW_SECONDS).ok_or(PageError::Internal)?;
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// `GET /me/callback`: finishes the login the provider sends back.
pub(crate) async fn callback(
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let mut response = ctx.respond(finish_login(&ctx, &state, &headers).await);
    // The flow's secrets are used once, whatever the outcome.
    if let Some(clear) = flow_cookie(&ctx, "", 0) {
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    private(response)
}

async fn finish_login(
    ctx: &PageCtx,
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Some(provider) = &state.oidc else {
        return Err(PageError::NotFound);
    };
    let query: CallbackQuery = serde_urlencoded::from_str(ctx.uri_query()).unwrap_or_default();
    if let Some(error) = &query.error {
        tracing::info!(error = %error, "the identity provider refused a citizen login");
        return Err(PageError::BadRequest(vec![t.get("me-error-refused")]));
    }
    let (Some(code), Some(sent_state)) = (&query.code, &query.state) else {
        return Err(PageError::BadRequest(vec![t.get("me-error-expired")]));
    };
    let Some(pending) = cookie(headers, FLOW_COOKIE).and_then(PendingLogin::from_cookie_value)
    else {
        return Err(PageError::BadRequest(vec![t.get("me-error-expired")]));
    };
    let claim = match provider.finish(&pending, sent_state, code).await {
        Ok(claim) => claim,
        Err(OidcError::Unavailable(why)) => {
            tracing::warn!(%why, "the identity provider is unavailable");
            return Err(PageError::Unavailable);
        }
        Err(OidcError::Flow(why)) => {
            tracing::info!(%why, "a citizen login callback did not match its flow");
            return Err(PageError::BadRequest(vec![t.get("me-error-expired")]));
        }
        Err(error @ (OidcError::Rejected(_) | OidcError::MissingNationalId)) => {
            tracing::warn!(%error, "a citizen login was rejected");
            return Err(PageError::BadRequest(vec![t.get("me-error-rejected")]));
        }
    };
    // The claim's text is personal data: it is parsed and dropped, never logged.
    let Ok(subject) = SubjectId::parse(claim.trim()) else {
        tracing::warn!("the identity provider sent a national ID that fails its check");
        return Err(PageError::BadRequest(vec![t.get("me-error-national-id")]));
    };
    let cookie = start_citizen_session(state, &subject)
        .await
        .map_err(session_error)?;
    let mut response = Redirect::to("/me").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// `POST /me/logout`.
pub(crate) async fn logout(
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    citizen: Result<Option<CitizenSession>, AppError>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let result = try_logout(&ctx, &state, &headers, citizen, form).await;
    ctx.respond(result)
}

async fn try_logout(
    ctx: &PageCtx,
    state: &AppState,
    headers: &HeaderMap,
    citizen: Result<Option<CitizenSession>, AppError>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(citizen) = citizen.map_err(session_error)? else {
        return Ok(Redirect::to(CITIZEN_LOGIN_PATH).into_response());
    };
    let sent = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if !constant_time_eq(sent.as_bytes(), citizen.csrf_token.as_bytes()) {
        return Err(PageError::BadRequest(vec![ctx.tr().get("me-error-csrf")]));
    }
    let clear = end_citizen_session(state, headers)
        .await
        .map_err(session_error)?;
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(private(response))
}

/// `GET /me/demo-login` (demo mode only): the demo citizens to log in as.
pub(crate) async fn demo_login_form(ctx: PageCtx, State(state): State<AppState>) -> Response {
    let result = if state.config.demo {
        demo_form_page(&ctx)
    } else {
        Err(PageError::NotFound)
    };
    ctx.respond(result)
}

fn demo_form_page(ctx: &PageCtx) -> Result<Response, PageError> {
    let t = ctx.tr();
    let token = random_secret();
    let citizens = DEMO_CITIZENS
        .iter()
        .enumerate()
        .map(|(index, citizen)| DemoChoice {
            index,
            masked_id: masked(&citizen.id),
            name: match ctx.lang {
                Lang::ZhTw => citizen.name_zh.clone(),
                Lang::En => citizen.name_en.clone(),
            },
        })
        .collect();
    let page = DemoLoginPage {
        chrome: ctx.chrome(Nav::None, &t.get("me-demo-title")),
        csrf_token: token.clone(),
        citizens,
        t,
    };
    let mut response = private(render(&page)?);
    let cookie = demo_cookie(ctx, &token, DEMO_FORM_SECONDS).ok_or(PageError::Internal)?;
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// `POST /me/demo-login` (demo mode only): logs in as the chosen demo citizen.
pub(crate) async fn demo_login(
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<DemoLoginForm>, FormRejection>,
) -> Response {
    let result = if state.config.demo {
        try_demo_login(&ctx, &state, &headers, form).await
    } else {
        Err(PageError::NotFound)
    };
    ctx.respond(result)
}

async fn try_demo_login(
    ctx: &PageCtx,
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Form<DemoLoginForm>, FormRejection>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Ok(Form(form)) = form else {
        return Err(PageError::BadRequest(vec![t.get("me-demo-error-choice")]));
    };
    let sent_cookie = cookie(headers, DEMO_CSRF_COOKIE).unwrap_or_default();
    if form.csrf.is_empty() || !constant_time_eq(form.csrf.as_bytes(), sent_cookie.as_bytes()) {
        return Err(PageError::BadRequest(vec![t.get("me-error-csrf")]));
    }
    let Some(citizen) = form
        .citizen
        .parse::<usize>()
        .ok()
        .and_then(|index| DEMO_CITIZENS.get(index))
    else {
        return Err(PageError::BadRequest(vec![t.get("me-demo-error-choice")]));
    };
    let cookie = start_citizen_session(state, &citizen.id)
        .await
        .map_err(session_error)?;
    let mut response = Redirect::to("/me").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    if let Some(clear) = demo_cookie(ctx, "", 0) {
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    Ok(private(response))
}

/// A number with its middle hidden: the first three and last three characters, e.g.
/// `A12****789`.
fn masked(id: &SubjectId) -> String {
    let text = id.expose();
    format!("{}****{}", &text[..3], &text[text.len() - 3..])
}

fn flow_cookie(ctx: &PageCtx, value: &str, max_age: u32) -> Option<HeaderValue> {
    // Lax, not Strict: the callback arrives as a top-level navigation from the provider's site.
    let secure = if ctx.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{FLOW_COOKIE}={value}; Path=/me; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

fn demo_cookie(ctx: &PageCtx, value: &str, max_age: u32) -> Option<HeaderValue> {
    let secure = if ctx.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{DEMO_CSRF_COOKIE}={value}; Path=/me; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// Marks a citizen page as never to be stored by any cache.
pub(super) fn private(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The session could not be read or written: the store failed.
pub(super) fn session_error(error: AppError) -> PageError {
    match error {
        AppError::Unavailable(_) => PageError::Unavailable,
        other => {
            tracing::error!(error = %other, "reading or writing the citizen session failed");
            PageError::Internal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_in_the_middle() {
        let id = SubjectId::with_check_digit('A', '1', "2345678").unwrap();
        let masked = masked(&id);
        assert_eq!(masked.len(), 10);
        assert!(masked.starts_with("A12****"), "{masked}");
        assert!(masked.ends_with(&id.expose()[7..]), "{masked}");
    }
}
