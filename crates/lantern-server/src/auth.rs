//! Who is asking, and what they may do.
//!
//! Four kinds of credential exist:
//! - **API tokens** for agency systems: `lt_` followed by the unpadded base64url form of 32
//!   random bytes, sent as `Authorization: Bearer lt_…`. Only the SHA-256 of the token text is
//!   stored ([`issue_api_token`]).
//! - **Staff sessions** for people: a login with username and password (Argon2id) sets the
//!   `lantern_session` cookie ([`start_session`]); only the SHA-256 of the cookie's secret is
//!   stored. Changes made through the API with the cookie must also carry the session's
//!   `X-CSRF-Token` header.
//! - **Citizen sessions** for data subjects: a login through the citizens' OpenID Connect
//!   provider ([`oidc`]), or in demo mode as a demo citizen, sets the `lantern_citizen` cookie
//!   ([`start_citizen_session`]); the session holds only the pseudonym of the citizen's
//!   national ID and the SHA-256 of the cookie's secret. It is never a staff session.
//! - **Nobody**: the registers are public (PDPA Art. 17), so reading needs no credential.
//!
//! The authorisation rule: an agency may *write* only its own records ([`authorize_write`]);
//! it may *read* its own records and those of the agencies it supervises, directly or through
//! intermediate agencies ([`authorize_read`], for records that are not public).

mod caller;
mod citizen;
pub mod oidc;
mod password;
mod secret;
mod session;
mod token;

use lantern_domain::{AgencyCode, AgencyTree};
use lantern_store::StoreError;

use crate::error::AppError;

pub use caller::{CSRF_HEADER, Caller};
pub use citizen::{
    CITIZEN_COOKIE, CITIZEN_LOGIN_PATH, CITIZEN_SESSION_MINUTES, CitizenRejection, CitizenSession,
    end_citizen_session, start_citizen_session,
};
pub use password::hash_password;
pub(crate) use secret::{constant_time_eq, random_secret};
pub use session::{
    NewSession, SESSION_COOKIE, SESSION_HOURS, StaffSession, end_session, start_session,
};
pub use token::{TOKEN_PREFIX, issue_api_token};

/// Why logging in or hashing a password failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The username is unknown or the password is wrong. The two cases are deliberately
    /// indistinguishable, in the answer and in the time it takes.
    #[error("unknown username or wrong password")]
    InvalidCredentials,
    /// Hashing, random generation or building a header failed: a defect, not the caller's fault.
    #[error("authentication failed internally: {0}")]
    Internal(String),
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AuthError> for AppError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidCredentials => Self::InvalidCredentials,
            AuthError::Internal(why) => Self::Internal(why),
            AuthError::Store(error) => error.into(),
        }
    }
}

/// An agency acting through the API: a machine client with a token, or a logged-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyActor {
    /// The agency the credential acts for.
    pub agency: AgencyCode,
    /// Who acts, as recorded in change histories: `token:ID` or `user:NAME`.
    pub actor: String,
}

/// Lets `caller` change a record held by `file_agency`, and says who acts.
///
/// # Errors
/// [`AppError::Unauthenticated`] (401) for an anonymous caller; [`AppError::Forbidden`] (403)
/// when the caller acts for another agency — supervising agencies included: supervision gives
/// the right to read, not to write.
pub fn authorize_write(caller: Caller, file_agency: &AgencyCode) -> Result<AgencyActor, AppError> {
    let Caller::Agency(actor) = caller else {
        return Err(AppError::Unauthenticated(caller::WRITE_NEEDS_CREDENTIAL));
    };
    if actor.agency == *file_agency {
        Ok(actor)
    } else {
        Err(AppError::Forbidden(format!(
            "this record belongs to {file_agency}; {} may only change its own records",
            actor.agency
        )))
    }
}

/// Lets `caller` read a non-public record held by `owner`: the owner itself and every agency
/// above it in `tree` may. The registers of agencies and files are public and do not call this.
///
/// # Errors
/// [`AppError::Unauthenticated`] (401) for an anonymous caller; [`AppError::Forbidden`] (403)
/// for an agency that neither holds nor supervises the record.
pub fn authorize_read(
    caller: &Caller,
    tree: &AgencyTree,
    owner: &AgencyCode,
) -> Result<(), AppError> {
    match caller {
        Caller::Anonymous => Err(AppError::Unauthenticated(
            "this record is only shown to its agency and its supervisors",
        )),
        Caller::Agency(actor) if tree.may_read(&actor.agency, owner) => Ok(()),
        Caller::Agency(actor) => Err(AppError::Forbidden(format!(
            "this record belongs to {owner}, which {} does not supervise",
            actor.agency
        ))),
    }
}

#[cfg(test)]
mod tests {
    use lantern_domain::{Agency, AgencyKind, Contact};

    use super::*;

    fn code(raw: &str) -> AgencyCode {
        AgencyCode::parse(raw).unwrap()
    }

    fn agency(raw: &str, supervisor: Option<&str>) -> Agency {
        Agency {
            code: code(raw),
            name_zh: raw.into(),
            name_en: raw.into(),
            kind: AgencyKind::Central,
            supervisor: supervisor.map(code),
            contact: Contact::default(),
            intelligence_agency: false,
        }
    }

    fn acting_for(raw: &str) -> Caller {
        Caller::Agency(AgencyActor {
            agency: code(raw),
            actor: "token:1".into(),
        })
    }

    #[test]
    fn an_agency_writes_only_its_own_records() {
        let actor = authorize_write(acting_for("MOHW-NHIA"), &code("MOHW-NHIA")).unwrap();
        assert_eq!(actor.actor, "token:1");
        assert!(matches!(
            authorize_write(Caller::Anonymous, &code("MOHW")),
            Err(AppError::Unauthenticated(_))
        ));
        assert!(matches!(
            authorize_write(acting_for("MOF"), &code("MOHW")),
            Err(AppError::Forbidden(_))
        ));
        // Supervision does not give the right to write.
        assert!(matches!(
            authorize_write(acting_for("MOHW"), &code("MOHW-NHIA")),
            Err(AppError::Forbidden(_))
        ));
    }

    #[test]
    fn supervisors_read_down_the_tree() {
        let agencies = [
            agency("EY", None),
            agency("MOHW", Some("EY")),
            agency("MOHW-NHIA", Some("MOHW")),
            agency("MOF", Some("EY")),
        ];
        let tree = AgencyTree::new(&agencies);
        let nhia = code("MOHW-NHIA");
        assert!(authorize_read(&acting_for("MOHW-NHIA"), &tree, &nhia).is_ok());
        assert!(authorize_read(&acting_for("MOHW"), &tree, &nhia).is_ok());
        assert!(authorize_read(&acting_for("EY"), &tree, &nhia).is_ok());
        assert!(matches!(
            authorize_read(&acting_for("MOF"), &tree, &nhia),
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            authorize_read(&acting_for("MOHW-NHIA"), &tree, &code("MOHW")),
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            authorize_read(&Caller::Anonymous, &tree, &nhia),
            Err(AppError::Unauthenticated(_))
        ));
    }
}
