//! Query parameters of the file register search, checked into a [`FileQuery`].

use lantern_domain::codes::CodeError;
use lantern_domain::{AgencyCode, DataCategoryCode, PurposeCode, Rule, ValidationErrors};
use lantern_store::{FileQuery, MAX_PAGE};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;

/// Page size when `limit` is not given.
pub const DEFAULT_PAGE: u32 = 50;

/// Longest accepted search text, in characters: longer queries are typing accidents.
const MAX_QUERY_CHARS: usize = 200;

/// Filters of `GET /api/v1/files`. Every filter that is given must match. Values arrive as text
/// so that each bad one is reported with its parameter's name; an empty value counts as absent.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FileFilters {
    /// Words that must appear in the file's names or description (case-insensitive).
    q: Option<String>,
    /// Held by this agency.
    #[param(example = "MOHW-NHIA")]
    agency: Option<String>,
    /// Registered for this specific-purpose code (`001`-`182`).
    #[param(example = "031")]
    purpose: Option<String>,
    /// Registered with this data-category code (`C001`-`C199`).
    #[param(example = "C001")]
    category: Option<String>,
    /// Holds (`true`) or does not hold (`false`) sensitive data (PDPA Art. 6).
    #[param(value_type = Option<bool>)]
    sensitive: Option<String>,
    /// Is (`true`) or is not (`false`) a large database.
    #[param(value_type = Option<bool>)]
    large_database: Option<String>,
    /// Page size, 0-500 (default 50).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 500)]
    limit: Option<String>,
    /// Number of matches to skip.
    #[param(value_type = Option<u32>, minimum = 0)]
    offset: Option<String>,
}

impl FileFilters {
    /// Checks every parameter and builds the store query.
    ///
    /// # Errors
    /// [`AppError::InvalidQuery`] listing every bad parameter with its rule.
    pub fn into_query(self) -> Result<FileQuery, AppError> {
        let mut errors = ValidationErrors::default();
        let mut check = Check {
            errors: &mut errors,
        };
        let text = given(self.q.as_deref()).map(str::to_owned);
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_QUERY_CHARS)
        {
            check.errors.push(
                "q",
                Rule::TooLong,
                format!("search text is at most {MAX_QUERY_CHARS} characters"),
            );
        }
        let query = FileQuery {
            text,
            agency: check.parsed("agency", self.agency.as_deref(), |raw| {
                AgencyCode::parse(raw).map_err(|e| (Rule::Format, e.to_owned()))
            }),
            purpose: check.parsed("purpose", self.purpose.as_deref(), |raw| {
                PurposeCode::parse(raw).map_err(|e| code_error(&e))
            }),
            category: check.parsed("category", self.category.as_deref(), |raw| {
                DataCategoryCode::parse(raw).map_err(|e| code_error(&e))
            }),
            sensitive: check.parsed("sensitive", self.sensitive.as_deref(), boolean),
            large_database: check.parsed("large_database", self.large_database.as_deref(), boolean),
            limit: check
                .parsed("limit", self.limit.as_deref(), |raw| number(raw, MAX_PAGE))
                .unwrap_or(DEFAULT_PAGE),
            offset: check
                .parsed("offset", self.offset.as_deref(), |raw| {
                    number(raw, u32::MAX)
                })
                .unwrap_or(0),
        };
        errors.into_result(query).map_err(AppError::InvalidQuery)
    }
}

/// The `version` parameter of `GET /api/v1/files/{id}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionFilter {
    /// Show this version (1 is the first) instead of the current one.
    #[param(value_type = Option<u32>, minimum = 1)]
    version: Option<String>,
}

impl VersionFilter {
    /// The requested version, if any.
    ///
    /// # Errors
    /// [`AppError::InvalidQuery`] unless the version is a whole number from 1.
    pub fn version(&self) -> Result<Option<u32>, AppError> {
        let mut errors = ValidationErrors::default();
        let version = Check {
            errors: &mut errors,
        }
        .parsed("version", self.version.as_deref(), |raw| {
            number(raw, u32::MAX).and_then(|n| {
                if n == 0 {
                    Err((Rule::Format, "versions are numbered from 1".into()))
                } else {
                    Ok(n)
                }
            })
        });
        errors.into_result(version).map_err(AppError::InvalidQuery)
    }
}

/// Collects the errors of several parameters.
pub(super) struct Check<'e> {
    pub(super) errors: &'e mut ValidationErrors,
}

impl Check<'_> {
    pub(super) fn parsed<T>(
        &mut self,
        name: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, (Rule, String)>,
    ) -> Option<T> {
        let raw = given(raw)?;
        match parse(raw) {
            Ok(value) => Some(value),
            Err((rule, message)) => {
                self.errors.push(name, rule, format!("{raw:?}: {message}"));
                None
            }
        }
    }
}

/// The value unless it is absent or blank.
fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|raw| !raw.is_empty())
}

pub(super) fn code_error(error: &CodeError) -> (Rule, String) {
    match error {
        CodeError::Format(why) => (Rule::Format, (*why).to_owned()),
        CodeError::Unknown(why) => (Rule::UnknownCode, (*why).to_owned()),
    }
}

fn boolean(raw: &str) -> Result<bool, (Rule, String)> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err((Rule::Format, "use true or false".into())),
    }
}

pub(super) fn number(raw: &str, max: u32) -> Result<u32, (Rule, String)> {
    raw.parse::<u32>()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| (Rule::Format, format!("use a whole number from 0 to {max}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(pairs: &[(&str, &str)]) -> FileFilters {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        serde_urlencoded::from_str(&query).unwrap()
    }

    fn bad_parameters(pairs: &[(&str, &str)]) -> Vec<(String, Rule)> {
        match filters(pairs).into_query() {
            Err(AppError::InvalidQuery(errors)) => {
                errors.0.into_iter().map(|e| (e.field, e.rule)).collect()
            }
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn defaults_and_good_values() {
        let query = filters(&[]).into_query().unwrap();
        assert_eq!((query.limit, query.offset), (DEFAULT_PAGE, 0));
        let query = filters(&[
            ("q", " 健保 "),
            ("purpose", "031"),
            ("sensitive", "true"),
            ("limit", "500"),
            ("agency", ""),
        ])
        .into_query()
        .unwrap();
        assert_eq!(query.text.as_deref(), Some("健保"));
        assert_eq!(query.purpose.map(|p| p.to_string()).as_deref(), Some("031"));
        assert_eq!(
            (query.sensitive, query.limit, query.agency),
            (Some(true), 500, None)
        );
    }

    #[test]
    fn every_bad_parameter_is_named() {
        assert_eq!(
            bad_parameters(&[
                ("purpose", "999"),
                ("category", "X1"),
                ("sensitive", "maybe"),
                ("limit", "501"),
                ("agency", "mohw")
            ]),
            [
                ("agency".to_owned(), Rule::Format),
                ("purpose".to_owned(), Rule::UnknownCode),
                ("category".to_owned(), Rule::Format),
                ("sensitive".to_owned(), Rule::Format),
                ("limit".to_owned(), Rule::Format),
            ]
        );
        assert_eq!(
            bad_parameters(&[("offset", "-1"), ("large_database", "yes")]).len(),
            2
        );
    }

    #[test]
    fn versions_start_at_one() {
        let version = |raw: &str| {
            serde_urlencoded::from_str::<VersionFilter>(&format!("version={raw}"))
                .unwrap()
                .version()
        };
        assert_eq!(version("2").unwrap(), Some(2));
        assert!(version("0").is_err());
        assert!(version("two").is_err());
    }
}
