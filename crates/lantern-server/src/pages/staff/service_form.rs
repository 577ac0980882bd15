//! The staff form that defines a service and its Art. 8 notice: `/staff/services/new` creates
//! one, `/staff/services/{id}/edit` records a new version. The form takes codes as lists
//! ("136, 175") and vendors one per line ("vendor | task"); every broken rule is shown beside
//! its field and in a summary at the top, and nothing is stored until all are fixed.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use lantern_domain::service::{NoticeSubmission, Outsourcing};
use lantern_domain::{FieldError, Rule, Service, ServiceId, ServiceSubmission};
use lantern_store::FileQuery;

use super::{LOGIN_PATH, private, session_error};
use crate::AppState;
use crate::api::services::{existing_id, save};
use crate::auth::{AgencyActor, StaffSession, constant_time_eq};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};
use crate::pages::fields::{Opt, SelectField, TextField};

/// The form's fields, in the order they are shown and validated.
const FIELDS: [&str; 14] = [
    "id",
    "file",
    "name_zh",
    "name_en",
    "summary",
    "controller",
    "purposes",
    "categories",
    "period",
    "area",
    "recipients",
    "manner",
    "rights",
    "consequence",
];

#[derive(Template)]
#[template(path = "staff_service_form.html")]
struct FormPage {
    t: Tr,
    chrome: Chrome,
    heading: String,
    action: String,
    csrf_token: String,
    /// `None` when editing: the id cannot change.
    id: Option<TextField>,
    file: SelectField,
    lines: Vec<TextField>,
    areas: Vec<TextField>,
    errors: Vec<(String, String)>,
}

/// What the form sends; every value as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct ServiceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    file: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    controller: String,
    #[serde(default)]
    purposes: String,
    #[serde(default)]
    categories: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    recipients: String,
    #[serde(default)]
    manner: String,
    #[serde(default)]
    rights: String,
    #[serde(default)]
    consequence: String,
    #[serde(default)]
    outsourcing: String,
}

impl ServiceForm {
    /// The form filled with a stored service.
    fn of(service: &Service) -> Self {
        let n = &service.notice;
        let join = |codes: Vec<String>| codes.join(", ");
        Self {
            csrf: String::new(),
            id: service.id.to_string(),
            file: service.file.to_string(),
            name_zh: service.name_zh.clone(),
            name_en: service.name_en.clone(),
            summary: service.summary.clone(),
            controller: n.controller.clone(),
            purposes: join(n.purposes.iter().map(ToString::to_string).collect()),
            categories: join(n.categories.iter().map(ToString::to_string).collect()),
            period: n.period.clone(),
            area: n.area.clone(),
            recipients: n.recipients.clone(),
            manner: n.manner.clone(),
            rights: n.rights.clone(),
            consequence: n.consequence.clone(),
            outsourcing: n
                .outsourcing
                .iter()
                .map(|o| format!("{} | {}", o.vendor, o.task))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The submission the API would receive.
    fn submission(&self) -> ServiceSubmission {
        let list = |text: &str| -> Vec<String> {
            text.split(|c: char| c == ',' || c == '、' || c == '，' || c.is_whitespace())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let outsourcing = self
            .outsourcing
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| {
                let (vendor, task) = line
                    .split_once('|')
                    .or_else(|| line.split_once('｜'))
                    .unwrap_or((line, ""));
                Outsourcing {
                    vendor: vendor.trim().to_owned(),
                    task: task.trim().to_owned(),
                }
            })
            .collect();
        ServiceSubmission {
            file: self.file.trim().to_owned(),
            name_zh: self.name_zh.clone(),
            name_en: self.name_en.clone(),
            summary: self.summary.clone(),
            notice: NoticeSubmission {
                controller: self.controller.clone(),
                purposes: list(&self.purposes),
                categories: list(&self.categories),
                period: self.period.clone(),
                area: self.area.clone(),
                recipients: self.recipients.clone(),
                manner: self.manner.clone(),
                rights: self.rights.clone(),
                consequence: self.consequence.clone(),
                outsourcing,
            },
        }
    }

    fn value(&self, name: &str) -> &str {
        match name {
            "id" => &self.id,
            "file" => &self.file,
            "name_zh" => &self.name_zh,
            "name_en" => &self.name_en,
            "summary" => &self.summary,
            "controller" => &self.controller,
            "purposes" => &self.purposes,
            "categories" => &self.categories,
            "period" => &self.period,
            "area" => &self.area,
            "recipients" => &self.recipients,
            "manner" => &self.manner,
            "rights" => &self.rights,
            "consequence" => &self.consequence,
            _ => &self.outsourcing,
        }
    }
}

/// The form field a validation error belongs to: `notice.purposes[1]` → `purposes`,
/// `notice.outsourcing[0].task` → `outsourcing`.
fn form_field(error_field: &str) -> &'static str {
    let bare = error_field.strip_prefix("notice.").unwrap_or(error_field);
    let head = bare.split(['[', '.']).next().unwrap_or(bare);
    FIELDS
        .into_iter()
        .chain(["outsourcing"])
        .find(|f| *f == head)
        .unwrap_or("id")
}

/// An error in the reader's language: what the rule means, then the detail (which item).
fn message(t: Tr, error: &FieldError) -> String {
    let rule = t.get(&format!("staff-form-rule-{}", error.rule.as_str()));
    let item = error
        .field
        .split_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .and_then(|(n, _)| n.parse::<usize>().ok())
        .map(|n| t.with("staff-form-item", &[("n", (n + 1).into())]));
    match item {
        Some(item) => format!("{item}{rule}"),
        None => rule,
    }
}

/// `GET /staff/services/new`.
pub(crate) async fn new_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    staff: Result<Option<StaffSession>, AppError>,
) -> Response {
    let result = match staff.map_err(session_error) {
        Ok(Some(staff)) => show(&ctx, &state, &staff, None, &ServiceForm::default(), &[]).await,
        Ok(None) => Ok(Redirect::to(LOGIN_PATH).into_response()),
        Err(e) => Err(e),
    };
    ctx.respond(result)
}

/// `GET /staff/services/{id}/edit`: the current notice, to change.
pub(crate) async fn edit_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Result<Option<StaffSession>, AppError>,
) -> Response {
    let result = match owned(&state, staff, &id).await {
        Ok(Some((staff, service))) => {
            let form = ServiceForm::of(&service);
            show(&ctx, &state, &staff, Some(&service.id), &form, &[]).await
        }
        Ok(None) => Ok(Redirect::to(LOGIN_PATH).into_response()),
        Err(e) => Err(e),
    };
    ctx.respond(result)
}

/// `POST /staff/services/new`: creates the service, or shows every broken rule.
pub(crate) async fn create(
    ctx: PageCtx,
    State(state): State<AppState>,
    staff: Result<Option<StaffSession>, AppError>,
    form: Result<Form<ServiceForm>, FormRejection>,
) -> Response {
    let result = match staff.map_err(session_error) {
        Ok(Some(staff)) => submit(&ctx, &state, &staff, None, form).await,
        Ok(None) => Ok(Redirect::to(LOGIN_PATH).into_response()),
        Err(e) => Err(e),
    };
    ctx.respond(result)
}

/// `POST /staff/services/{id}/edit`: records a new version, or shows every broken rule.
pub(crate) async fn update(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Result<Option<StaffSession>, AppError>,
    form: Result<Form<ServiceForm>, FormRejection>,
) -> Response {
    let result = match owned(&state, staff, &id).await {
        Ok(Some((staff, service))) => submit(&ctx, &state, &staff, Some(service.id), form).await,
        Ok(None) => Ok(Redirect::to(LOGIN_PATH).into_response()),
        Err(e) => Err(e),
    };
    ctx.respond(result)
}

async fn submit(
    ctx: &PageCtx,
    state: &AppState,
    staff: &StaffSession,
    existing: Option<ServiceId>,
    form: Result<Form<ServiceForm>, FormRejection>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Ok(Form(form)) = form else {
        return Err(PageError::BadRequest(vec![t.get("staff-svc-error-form")]));
    };
    if !constant_time_eq(form.csrf.as_bytes(), staff.session.csrf_token.as_bytes()) {
        return Err(PageError::BadRequest(vec![t.get("logout-error-csrf")]));
    }
    let exists = existing.is_some();
    let id = match existing {
        Some(id) => id,
        None => match ServiceId::parse(form.id.trim()) {
            Ok(id) if state.store.service(&id, None).await?.is_none() => id,
            Ok(_) => {
                let error = FieldError::new("id", Rule::Duplicate, "taken");
                return show(ctx, state, staff, None, &form, &[error]).await;
            }
            Err(why) => {
                let mut errors = vec![FieldError::new("id", Rule::Format, why)];
                // Check the rest too, so every mistake is shown at once.
                if let Err(more) =
                    form.submission()
                        .validate(placeholder_id(), staff.user.agency.clone(), None)
                {
                    errors.extend(more.0.into_iter().filter(|e| e.field != "file"));
                }
                return show(ctx, state, staff, None, &form, &errors).await;
            }
        },
    };
    let actor = AgencyActor {
        agency: staff.user.agency.clone(),
        actor: format!("user:{}", staff.user.username),
    };
    match save(state, form.submission(), id.clone(), &actor, exists).await {
        Ok(_) => Ok(private(
            Redirect::to(&format!("/staff/services/{id}?saved=1")).into_response(),
        )),
        Err(AppError::InvalidBody(errors)) => {
            let shown = if exists { Some(&id) } else { None };
            show(ctx, state, staff, shown, &form, &errors.0).await
        }
        Err(other) => Err(session_error(other)),
    }
}

/// A well-formed id to validate the rest of a form whose id is malformed.
fn placeholder_id() -> ServiceId {
    ServiceId::parse("form-check").unwrap_or_else(|_| unreachable!("a well-formed id"))
}

async fn owned(
    state: &AppState,
    staff: Result<Option<StaffSession>, AppError>,
    raw: &str,
) -> Result<Option<(StaffSession, Service)>, PageError> {
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
        Ok(Some((staff, service.value)))
    } else {
        Err(PageError::NotFound)
    }
}

async fn show(
    ctx: &PageCtx,
    state: &AppState,
    staff: &StaffSession,
    editing: Option<&ServiceId>,
    form: &ServiceForm,
    errors: &[FieldError],
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let error_of = |name: &str| -> Option<String> {
        let messages: Vec<String> = errors
            .iter()
            .filter(|e| form_field(&e.field) == name)
            .map(|e| message(t, e))
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    };
    let field = |name: &'static str| TextField {
        name,
        label: t.get(&format!("staff-form-{name}")),
        hint: t.get(&format!("staff-form-{name}-hint")),
        value: form.value(name).to_owned(),
        error: error_of(name),
    };
    let files = state
        .store
        .search_files(&FileQuery {
            agency: Some(staff.user.agency.clone()),
            limit: lantern_store::MAX_PAGE,
            ..FileQuery::default()
        })
        .await?;
    let mut options = vec![Opt {
        value: String::new(),
        label: t.get("staff-form-file-choose"),
        selected: form.file.is_empty(),
    }];
    options.extend(files.items.into_iter().map(|f| Opt {
        selected: f.value.id.as_str() == form.file,
        label: format!("{} ({})", f.value.name_zh, f.value.id),
        value: f.value.id.to_string(),
    }));
    let (heading, action) = match editing {
        Some(id) => (
            t.with("staff-form-edit-title", &[("id", id.to_string().into())]),
            format!("/staff/services/{id}/edit"),
        ),
        None => (
            t.get("staff-form-new-title"),
            "/staff/services/new".to_owned(),
        ),
    };
    let summary = FIELDS
        .into_iter()
        .chain(["outsourcing"])
        .filter_map(|name| {
            error_of(name).map(|e| {
                (
                    name.to_owned(),
                    format!("{}: {e}", t.get(&format!("staff-form-{name}"))),
                )
            })
        })
        .collect();
    let page = FormPage {
        chrome: ctx.chrome(Nav::Staff, &heading),
        heading,
        action,
        csrf_token: staff.session.csrf_token.clone(),
        id: editing.is_none().then(|| field("id")),
        file: SelectField {
            name: "file",
            label: t.get("staff-form-file"),
            hint: t.get("staff-form-file-hint"),
            options,
            error: error_of("file"),
        },
        lines: [
            "name_zh",
            "name_en",
            "controller",
            "purposes",
            "categories",
            "period",
            "area",
            "recipients",
        ]
        .into_iter()
        .map(field)
        .collect(),
        areas: ["summary", "manner", "rights", "consequence", "outsourcing"]
            .into_iter()
            .map(field)
            .collect(),
        errors: summary,
        t,
    };
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(private((status, render(&page)?).into_response()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_land_on_their_form_fields() {
        assert_eq!(form_field("notice.purposes[1]"), "purposes");
        assert_eq!(form_field("notice.outsourcing[0].task"), "outsourcing");
        assert_eq!(form_field("notice.outsourcing"), "outsourcing");
        assert_eq!(form_field("name_zh"), "name_zh");
        assert_eq!(form_field("file"), "file");
    }

    #[test]
    fn lists_and_vendor_lines_become_a_submission() {
        let form = ServiceForm {
            purposes: "136, 175、 040".into(),
            categories: "C001 C011".into(),
            outsourcing: "甲公司 | 系統維運\n\n乙公司｜客服\n丙公司".into(),
            ..ServiceForm::default()
        };
        let submission = form.submission();
        assert_eq!(submission.notice.purposes, ["136", "175", "040"]);
        assert_eq!(submission.notice.categories, ["C001", "C011"]);
        let vendors: Vec<_> = submission
            .notice
            .outsourcing
            .iter()
            .map(|o| (o.vendor.as_str(), o.task.as_str()))
            .collect();
        assert_eq!(
            vendors,
            [("甲公司", "系統維運"), ("乙公司", "客服"), ("丙公司", "")]
        );
    }
}
