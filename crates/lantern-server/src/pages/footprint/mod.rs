//! The citizen's footprint (我的個資足跡): the summary of the last 12 months (`/me`), the
//! filterable list (`/me/events`), each event with its proof (`/me/events/{index}`, and
//! `…/proof.json` to download), and the export of everything (`/me/export.csv`, `.json`).
//!
//! Every handler needs a citizen session and reads only that citizen's events: the store is
//! asked by the session's pseudonym, so another citizen's index answers 404 like a missing one.
//! Responses are `Cache-Control: no-store`.

pub(crate) mod chart;
mod event;
mod export;
mod filter;
mod list;
mod names;
mod sentence;
mod summary;

use axum::response::{IntoResponse, Redirect, Response};
use lantern_log::SubjectPseudonym;
use time::{Date, OffsetDateTime};

pub(crate) use event::{page as event_page, proof as event_proof};
pub(crate) use export::{csv as export_csv, json as export_json};
pub(crate) use list::page as list_page;
pub(crate) use sentence::long_date;
pub(crate) use summary::page as summary_page;

use super::citizen::{private, session_error};
use super::error_page::PageError;
use crate::auth::{CITIZEN_LOGIN_PATH, CitizenSession};
use crate::error::AppError;

/// Why a footprint page has no citizen to show.
enum NoCitizen {
    /// Nobody is logged in: to the login.
    Login,
    /// The session could not be read.
    Broken(PageError),
}

impl NoCitizen {
    /// The answer to send instead of the page.
    fn answer(self) -> Result<Response, PageError> {
        match self {
            Self::Login => Ok(Redirect::to(CITIZEN_LOGIN_PATH).into_response()),
            Self::Broken(error) => Err(error),
        }
    }
}

/// The logged-in citizen's pseudonym.
fn citizen(
    session: Result<Option<CitizenSession>, AppError>,
) -> Result<SubjectPseudonym, NoCitizen> {
    match session {
        Ok(Some(session)) => Ok(session.subject),
        Ok(None) => Err(NoCitizen::Login),
        Err(error) => Err(NoCitizen::Broken(session_error(error))),
    }
}

/// Today's date (UTC), the day withheld events are compared with.
fn today() -> Date {
    OffsetDateTime::now_utc().date()
}
