//! `lantern serve`: turns command-line settings into the server's configuration and serves.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use lantern_server::{AppState, LogKeys, ServerConfig};
use lantern_store::Store;

use crate::cli::ServeArgs;
use crate::keys::load_or_create;
use crate::open::open_store;

/// What kind of instance is being served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A real instance.
    Production,
    /// The synthetic demo: shows demo logins and a banner.
    Demo,
}

/// The server configuration for `listen` in `mode`. Cookies are `Secure` unless the server
/// listens on loopback only, where plain HTTP is the norm (a TLS proxy fronts anything else).
pub(crate) fn server_config(listen: SocketAddr, mode: Mode) -> ServerConfig {
    ServerConfig {
        demo: mode == Mode::Demo,
        secure_cookies: !listen.ip().is_loopback(),
    }
}

/// Runs `lantern serve`.
pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let keys = load_or_create(&args.store.data, &args.keys)?;
    let store = open_store(&args.store).await?;
    run_server(store, keys, args.listen, Mode::Production).await
}

/// Serves `store` on `listen` until interrupted.
pub(crate) async fn run_server(
    store: Arc<dyn Store>,
    keys: LogKeys,
    listen: SocketAddr,
    mode: Mode,
) -> anyhow::Result<()> {
    let state = AppState::new(store, server_config(listen, mode), keys)
        .await
        .context("loading reference lists and the log's checkpoint")?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    tracing::info!("Lantern is serving on http://{local}/");
    lantern_server::serve(listener, state)
        .await
        .context("serving")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_off_loopback() {
        let loopback: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let public: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(!server_config(loopback, Mode::Production).secure_cookies);
        assert!(server_config(public, Mode::Production).secure_cookies);
        assert!(server_config(loopback, Mode::Demo).demo);
    }
}
