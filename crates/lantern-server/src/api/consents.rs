//! `/api/v1/me/consents`: a logged-in citizen's consents, as ISO/IEC TS 27560 consent records,
//! and granting or withdrawing one. Only ever the session's own.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lantern_domain::ConsentChannel;
use lantern_domain::consent::CONSENT_LEGAL_BASIS;
use lantern_log::SubjectPseudonym;
use lantern_store::ConsentRecord;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::extract::ApiPath;
use super::services::{NamedCode, consent_error, existing_id, new_event_id, view};
use crate::AppState;
use crate::auth::CitizenSession;
use crate::error::{AppError, Problem};

/// The record schema consent records follow.
pub const RECORD_SCHEMA: &str = "ISO/IEC TS 27560:2023";

/// One consent as an ISO/IEC TS 27560 consent record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentView {
    /// The record's id (also the id of the `consent` usage event that logged it).
    pub record_id: String,
    /// The record schema, `ISO/IEC TS 27560:2023`.
    pub schema: &'static str,
    /// The controller: the agency's code.
    pub controller: String,
    /// The controller as the notice names it.
    pub controller_notice: String,
    /// The service consented to.
    pub service: String,
    /// The service's name.
    pub service_name: String,
    /// The version of the notice the citizen was shown.
    pub notice_version: u32,
    /// Where that notice is kept: `/services/{id}?version={n}`.
    pub notice_url: String,
    /// The purposes consented to.
    pub purposes: Vec<NamedCode>,
    /// The categories of personal data.
    pub pii_categories: Vec<NamedCode>,
    /// The legal basis: consent, `PDPA-15-2`.
    pub legal_basis: &'static str,
    /// Always `explicit`: given by an affirmative act on the notice.
    pub consent_type: &'static str,
    /// How it was given: `web`, `api` or `counter`.
    pub collection_method: ConsentChannel,
    /// When it was given, RFC 3339.
    pub given_at: String,
    /// `active` or `withdrawn`.
    pub state: &'static str,
    /// When it was withdrawn, RFC 3339.
    pub withdrawn_at: Option<String>,
    /// How it was withdrawn.
    pub withdrawal_method: Option<ConsentChannel>,
    /// The id of the `withdraw_consent` usage event.
    pub withdrawal_event: Option<String>,
    /// The jurisdiction whose law applies, `TW`.
    pub jurisdiction: &'static str,
    /// The language of the notice, `zh-TW`.
    pub language: &'static str,
}

/// The subject's consents as records, newest grant first.
///
/// # Errors
/// When the store fails, or a consent names a notice version that is gone (corrupt).
pub(crate) async fn consent_views(
    state: &AppState,
    subject: &SubjectPseudonym,
) -> Result<Vec<ConsentView>, AppError> {
    let consents = state.store.subject_consents(subject).await?;
    let reference = state.reference();
    let mut notices = HashMap::new();
    let mut views = Vec::with_capacity(consents.len());
    for consent in consents {
        let key = (consent.service.clone(), consent.notice_version);
        if !notices.contains_key(&key) {
            let service = state
                .store
                .service(&consent.service, Some(consent.notice_version))
                .await?
                .ok_or_else(|| {
                    AppError::Internal(format!(
                        "consent {} names a missing notice version",
                        consent.id
                    ))
                })?;
            notices.insert(key.clone(), view(&reference, service));
        }
        let notice = &notices[&key];
        views.push(record(consent, notice));
    }
    Ok(views)
}

fn record(consent: ConsentRecord, service: &super::services::ServiceView) -> ConsentView {
    let withdrawal = consent.withdrawal;
    ConsentView {
        record_id: consent.id.to_string(),
        schema: RECORD_SCHEMA,
        controller: service.agency.clone(),
        controller_notice: service.notice.controller.clone(),
        service: service.id.clone(),
        service_name: service.name_zh.clone(),
        notice_version: consent.notice_version,
        notice_url: format!(
            "/services/{}?version={}",
            service.id, consent.notice_version
        ),
        purposes: service.notice.purposes.clone(),
        pii_categories: service.notice.categories.clone(),
        legal_basis: CONSENT_LEGAL_BASIS,
        consent_type: "explicit",
        collection_method: consent.channel,
        given_at: rfc3339(consent.granted_at),
        state: if withdrawal.is_some() {
            "withdrawn"
        } else {
            "active"
        },
        withdrawn_at: withdrawal.as_ref().map(|w| rfc3339(w.at)),
        withdrawal_method: withdrawal.as_ref().map(|w| w.channel),
        withdrawal_event: withdrawal.map(|w| w.event.to_string()),
        jurisdiction: "TW",
        language: "zh-TW",
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// `GET /api/v1/me/consents`: the session's own consent records.
#[utoipa::path(
    get,
    path = "/api/v1/me/consents",
    operation_id = "listMyConsents",
    tag = "consents",
    security(("citizen" = [])),
    responses(
        (status = 200, description = "Every consent of the logged-in citizen, newest first", body = Vec<ConsentView>),
        (status = 401, description = "No citizen session", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    citizen: CitizenSession,
) -> Result<Json<Vec<ConsentView>>, AppError> {
    Ok(Json(consent_views(&state, &citizen.subject).await?))
}

/// `POST /api/v1/me/consents/{service}`: consents to the service's current notice.
#[utoipa::path(
    post,
    path = "/api/v1/me/consents/{service}",
    operation_id = "grantConsent",
    tag = "consents",
    params(("service" = String, Path, description = "Service id")),
    security(("citizen" = [])),
    responses(
        (status = 201, description = "Consent given to the service's current notice, and logged", body = ConsentView),
        (status = 401, description = "No citizen session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The CSRF header is missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The consent is already in force", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn grant(
    State(state): State<AppState>,
    citizen: CitizenSession,
    ApiPath(service): ApiPath<String>,
) -> Result<(StatusCode, Json<ConsentView>), AppError> {
    let id = grant_consent(&state, &citizen, &service).await?;
    let view = own_view(&state, &citizen, &id).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// `DELETE /api/v1/me/consents/{service}`: withdraws the consent, effective at once.
#[utoipa::path(
    delete,
    path = "/api/v1/me/consents/{service}",
    operation_id = "withdrawConsent",
    tag = "consents",
    params(("service" = String, Path, description = "Service id")),
    security(("citizen" = [])),
    responses(
        (status = 200, description = "Withdrawn, effective at once, and logged", body = ConsentView),
        (status = 401, description = "No citizen session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The CSRF header is missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No consent to the service is in force", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    citizen: CitizenSession,
    ApiPath(service): ApiPath<String>,
) -> Result<Json<ConsentView>, AppError> {
    let id = withdraw_consent(&state, &citizen, &service).await?;
    Ok(Json(own_view(&state, &citizen, &id).await?))
}

/// Gives the citizen's consent to `service` through the web; returns the record's id.
pub(crate) async fn grant_consent(
    state: &AppState,
    citizen: &CitizenSession,
    service: &str,
) -> Result<String, AppError> {
    let id = existing_id(service)?;
    let record = state
        .consents
        .grant(
            &citizen.sealed_subject,
            &id,
            ConsentChannel::Web,
            OffsetDateTime::now_utc(),
            new_event_id(),
        )
        .await
        .map_err(consent_error)?;
    state.log.appended();
    Ok(record.id.to_string())
}

/// Withdraws the citizen's consent to `service` through the web; returns the record's id.
pub(crate) async fn withdraw_consent(
    state: &AppState,
    citizen: &CitizenSession,
    service: &str,
) -> Result<String, AppError> {
    let id =
        existing_id(service).map_err(|_| consent_error(lantern_usage::ConsentError::NotGiven))?;
    let record = state
        .consents
        .withdraw(
            &citizen.sealed_subject,
            &id,
            ConsentChannel::Web,
            OffsetDateTime::now_utc(),
            new_event_id(),
        )
        .await
        .map_err(consent_error)?;
    state.log.appended();
    Ok(record.id.to_string())
}

async fn own_view(
    state: &AppState,
    citizen: &CitizenSession,
    record_id: &str,
) -> Result<ConsentView, AppError> {
    consent_views(state, &citizen.subject)
        .await?
        .into_iter()
        .find(|v| v.record_id == record_id)
        .ok_or_else(|| AppError::Internal(format!("consent {record_id} was not stored")))
}
