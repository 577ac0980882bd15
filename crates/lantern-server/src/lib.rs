//! Lantern's HTTP server.
//!
//! **In scope:** the JSON API under `/api/v1/` and its OpenAPI document, the public web pages,
//! staff login, the public log under `/log/` (C2SP tlog-tiles) and its checkpoint publisher
//! ([`log`]), and every authorisation decision: who is asking ([`auth`]) and what they may
//! see or change. API DTOs and page view-models are this crate's own; domain types are mapped
//! at this edge.
//!
//! **Out of scope:** business rules (in `lantern-domain`), checking and pseudonymising usage
//! events (`lantern-usage`), the log's formats (`lantern-log`) and SQL (behind
//! `lantern-store`).
//!
//! Every handler answers errors as RFC 9457 problem+json (API) or an HTML error page (pages);
//! internal error text and personal data never reach a response body.

pub mod api;
pub mod auth;
pub mod coverage;
pub mod error;
pub mod i18n;
pub mod log;
pub mod openapi;
pub mod pages;
pub mod report;
pub mod state;

use axum::Router;

pub use state::{AppState, LogKeys, ServerConfig, StartError};

/// The whole application: API, log endpoints, pages and health check.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(log::router())
        .merge(pages::router())
        .with_state(state)
}

/// Serves `app` on `listener` until ctrl-c or SIGTERM.
///
/// # Errors
/// When the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed we simply never shut down on ctrl-c.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
