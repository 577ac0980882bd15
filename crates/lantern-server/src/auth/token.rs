//! API tokens of agency systems.

use lantern_domain::AgencyCode;
use lantern_store::{ApiToken, NewApiToken, Store, StoreError};
use time::OffsetDateTime;

use crate::error::AppError;

use super::secret::{digest, is_secret_shaped, random_secret};

/// Every API token starts with this, so that a leaked token is easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "lt_";

/// Issues a new API token acting for `agency` and returns it. The token is shown once: only its
/// SHA-256 is stored.
///
/// # Errors
/// [`StoreError::NotFound`] when the agency does not exist; [`StoreError::Unavailable`] when
/// the store fails.
pub async fn issue_api_token(
    store: &dyn Store,
    agency: &AgencyCode,
    label: &str,
    now: OffsetDateTime,
) -> Result<String, StoreError> {
    let token = format!("{TOKEN_PREFIX}{}", random_secret());
    let new = NewApiToken {
        secret_hash: digest(&token),
        agency: agency.clone(),
        label: label.to_owned(),
        created_at: now,
    };
    store.create_api_token(&new).await?;
    Ok(token)
}

/// The token sent as `text`, if it was issued.
///
/// # Errors
/// [`AppError::Unauthenticated`] for a malformed or unknown token; a store failure otherwise.
pub(super) async fn authenticate(store: &dyn Store, text: &str) -> Result<ApiToken, AppError> {
    if !text
        .strip_prefix(TOKEN_PREFIX)
        .is_some_and(is_secret_shaped)
    {
        return Err(AppError::Unauthenticated(
            "the bearer token is malformed: a Lantern API token looks like lt_ followed by 43 characters",
        ));
    }
    store
        .api_token(&digest(text))
        .await?
        .ok_or(AppError::Unauthenticated(
            "the bearer token is not known; ask your agency's administrator for a new one",
        ))
}
