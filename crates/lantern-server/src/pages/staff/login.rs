//! `GET`/`POST /staff/login` and `POST /staff/logout`.
//!
//! Login-CSRF (a foreign site logging the reader in as someone else) is stopped with a
//! double-submit token: the form page sets a random token in a `SameSite=Strict` cookie scoped
//! to `/staff` and repeats it in a hidden field; a login is only tried when the two agree.
//! Logout carries the session's own CSRF token.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

use super::{LOGIN_PATH, private, session_error};
use crate::AppState;
use crate::auth::{AuthError, StaffSession, end_session, start_session};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx, cookie};
use crate::pages::error_page::{PageError, render};

/// The double-submit cookie of the login form.
const LOGIN_CSRF_COOKIE: &str = "lantern_login_csrf";

/// How long a login form stays usable: an hour, in seconds.
const LOGIN_FORM_SECONDS: u32 = 60 * 60;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    chrome: Chrome,
    csrf_token: String,
    username: String,
    /// Why the last attempt failed.
    error: Option<String>,
    /// The reader has just logged out.
    logged_out: bool,
}

/// What the login form sends.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// What the logout form sends.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// `GET /staff/login`.
pub(crate) async fn login_form(
    ctx: PageCtx,
    staff: Result<Option<StaffSession>, AppError>,
) -> Response {
    let logged_out = ctx
        .query()
        .iter()
        .any(|(name, value)| name == "logged_out" && value == "1");
    let result = match staff {
        Ok(Some(_)) => Ok(Redirect::to("/staff").into_response()),
        Ok(None) => form_page(
            &ctx,
            FormState {
                username: String::new(),
                error: None,
                logged_out,
            },
            StatusCode::OK,
        ),
        Err(error) => Err(session_error(error)),
    };
    ctx.respond(result)
}

/// `POST /staff/login`.
pub(crate) async fn login(
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let result = try_login(&ctx, &state, &headers, form).await;
    ctx.respond(result)
}

async fn try_login(
    ctx: &PageCtx,
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Ok(Form(form)) = form else {
        return Err(PageError::BadRequest(vec![t.get("login-error-form")]));
    };
    let again = |error: &str, status| {
        form_page(
            ctx,
            FormState {
                username: form.username.clone(),
                error: Some(t.get(error)),
                logged_out: false,
            },
            status,
        )
    };
    let sent_cookie = cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if form.csrf.is_empty() || !constant_time_eq(form.csrf.as_bytes(), sent_cookie.as_bytes()) {
        return again("login-error-expired", StatusCode::BAD_REQUEST);
    }
    match start_session(state, form.username.trim(), &form.password).await {
        Ok(session) => {
            let mut response = Redirect::to("/staff").into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, session.cookie);
            if let Some(clear) = login_cookie(ctx, "", 0) {
                response.headers_mut().append(header::SET_COOKIE, clear);
            }
            Ok(private(response))
        }
        Err(AuthError::InvalidCredentials) => {
            again("login-error-credentials", StatusCode::UNAUTHORIZED)
        }
        Err(AuthError::Store(error)) => Err(error.into()),
        Err(AuthError::Internal(why)) => {
            tracing::error!(%why, "login failed internally");
            Err(PageError::Internal)
        }
    }
}

/// `POST /staff/logout`.
pub(crate) async fn logout(
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    staff: Result<Option<StaffSession>, AppError>,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let result = try_logout(&ctx, &state, &headers, staff, form).await;
    ctx.respond(result)
}

async fn try_logout(
    ctx: &PageCtx,
    state: &AppState,
    headers: &HeaderMap,
    staff: Result<Option<StaffSession>, AppError>,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Some(staff) = staff.map_err(session_error)? else {
        return Ok(Redirect::to(LOGIN_PATH).into_response());
    };
    let sent = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if !constant_time_eq(sent.as_bytes(), staff.session.csrf_token.as_bytes()) {
        return Err(PageError::BadRequest(vec![t.get("logout-error-csrf")]));
    }
    let clear = end_session(state, headers).await.map_err(session_error)?;
    let mut response = Redirect::to("/staff/login?logged_out=1").into_response();
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(private(response))
}

struct FormState {
    username: String,
    error: Option<String>,
    logged_out: bool,
}

/// The login form with a fresh double-submit token.
fn form_page(ctx: &PageCtx, state: FormState, status: StatusCode) -> Result<Response, PageError> {
    let t = ctx.tr();
    let token = random_token();
    let title = match state.error {
        Some(_) => t.with(
            "title-with-errors",
            &[("title", t.get("login-title").into())],
        ),
        None => t.get("login-title"),
    };
    let page = LoginPage {
        chrome: ctx.chrome(Nav::Staff, &title),
        csrf_token: token.clone(),
        username: state.username,
        error: state.error,
        logged_out: state.logged_out,
        t,
    };
    let mut response = private(render(&page)?);
    *response.status_mut() = status;
    let Some(cookie) = login_cookie(ctx, &token, LOGIN_FORM_SECONDS) else {
        return Err(PageError::Internal);
    };
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

fn login_cookie(ctx: &PageCtx, value: &str, max_age: u32) -> Option<HeaderValue> {
    let secure = if ctx.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{LOGIN_CSRF_COOKIE}={value}; Path=/staff; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")).ok()
}

/// 256 random bits as unpadded base64url; `rand::rng()` is a CSPRNG seeded by the OS.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares in time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
