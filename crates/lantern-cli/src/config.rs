//! `lantern serve`: turns command-line settings into the server's configuration and serves.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};
use lantern_server::auth::oidc::OidcSettings;
use lantern_server::{AppState, LogKeys, ServerConfig};
use lantern_store::Store;

use crate::cli::{OidcArgs, ServeArgs};
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
        oidc: None,
    }
}

/// The configuration of `lantern serve`: as [`server_config`], with cookies decided by the
/// public URL when one is given, and the citizens' OIDC provider when an issuer is given.
///
/// # Errors
/// When the OIDC options are incomplete or inconsistent.
pub(crate) fn serve_config(args: &ServeArgs) -> anyhow::Result<ServerConfig> {
    let mut config = server_config(args.listen, Mode::Production);
    let public_url = match &args.public_url {
        Some(url) => {
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                bail!(
                    "--public-url must be an http or https URL with a host, such as https://lantern.example.gov.tw"
                );
            }
            config.secure_cookies = !is_loopback_http(url);
            Some(url.clone())
        }
        None => None,
    };
    config.oidc = oidc_settings(&args.oidc, public_url.as_ref(), args.listen)?;
    Ok(config)
}

/// True for `http://` on a loopback host, where cookies cannot be `Secure`.
fn is_loopback_http(url: &reqwest::Url) -> bool {
    url.scheme() == "http"
        && url.host_str().is_some_and(|host| {
            host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        })
}

/// The OIDC settings from the options; `None` without an issuer.
fn oidc_settings(
    args: &OidcArgs,
    public_url: Option<&reqwest::Url>,
    listen: SocketAddr,
) -> anyhow::Result<Option<OidcSettings>> {
    let Some(issuer) = &args.oidc_issuer else {
        if args.oidc_client_id.is_some() || args.oidc_redirect_url.is_some() {
            bail!("OIDC options were given without --oidc-issuer (LANTERN_OIDC_ISSUER)");
        }
        return Ok(None);
    };
    let Some(client_id) = args.oidc_client_id.clone() else {
        bail!("--oidc-issuer needs --oidc-client-id (LANTERN_OIDC_CLIENT_ID)");
    };
    let redirect_url = match (&args.oidc_redirect_url, public_url) {
        (Some(url), _) => url.to_string(),
        (None, Some(public)) => public
            .join("/me/callback")
            .context("deriving the OIDC redirect URL from --public-url")?
            .to_string(),
        (None, None) if listen.ip().is_loopback() => format!("http://{listen}/me/callback"),
        (None, None) => bail!(
            "--oidc-issuer needs --public-url (or --oidc-redirect-url) when listening on {listen}: the provider must know where to send citizens back"
        ),
    };
    let settings = OidcSettings {
        issuer: issuer.clone(),
        client_id,
        client_secret: args.oidc_client_secret.as_ref().map(|s| s.0.clone()),
        redirect_url,
        national_id_claim: args.oidc_national_id_claim.clone(),
    };
    settings.validate().map_err(anyhow::Error::msg)?;
    Ok(Some(settings))
}

/// Runs `lantern serve`.
pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = serve_config(&args)?;
    if let Some(oidc) = &config.oidc {
        tracing::info!(issuer = %oidc.issuer, redirect = %oidc.redirect_url, "citizens log in through OpenID Connect");
    }
    let keys = load_or_create(&args.store.data, &args.keys)?;
    let store = open_store(&args.store).await?;
    run_server(store, keys, args.listen, config).await
}

/// Serves `store` on `listen` with `config` until interrupted.
pub(crate) async fn run_server(
    store: Arc<dyn Store>,
    keys: LogKeys,
    listen: SocketAddr,
    config: ServerConfig,
) -> anyhow::Result<()> {
    let state = AppState::new(store, config, keys)
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

    fn serve_args(extra: &[&str]) -> ServeArgs {
        use clap::Parser as _;
        let mut argv = vec!["lantern", "serve", "--data", "/tmp/x"];
        argv.extend_from_slice(extra);
        match crate::cli::Cli::try_parse_from(argv).unwrap().command {
            crate::cli::Command::Serve(args) => args,
            _ => unreachable!(),
        }
    }

    #[test]
    fn oidc_is_off_without_an_issuer() {
        assert!(serve_config(&serve_args(&[])).unwrap().oidc.is_none());
        assert!(serve_config(&serve_args(&["--oidc-client-id", "x"])).is_err());
    }

    #[test]
    fn the_redirect_url_comes_from_the_public_url() {
        let config = serve_config(&serve_args(&[
            "--listen",
            "0.0.0.0:8080",
            "--public-url",
            "https://lantern.example.gov.tw",
            "--oidc-issuer",
            "https://id.example.gov.tw",
            "--oidc-client-id",
            "lantern",
            "--oidc-client-secret",
            "s3cret-value",
        ]))
        .unwrap();
        let oidc = config.oidc.unwrap();
        assert_eq!(
            oidc.redirect_url,
            "https://lantern.example.gov.tw/me/callback"
        );
        assert_eq!(oidc.national_id_claim, "national_id");
        assert!(config.secure_cookies);
        assert!(!format!("{oidc:?}").contains("s3cret"));
        // Off loopback without a public URL the redirect URL cannot be guessed.
        assert!(
            serve_config(&serve_args(&[
                "--listen",
                "0.0.0.0:8080",
                "--oidc-issuer",
                "https://id.example.gov.tw",
                "--oidc-client-id",
                "lantern",
            ]))
            .is_err()
        );
        let local = serve_config(&serve_args(&["--public-url", "http://localhost:8080"])).unwrap();
        assert!(!local.secure_cookies);
    }
}
