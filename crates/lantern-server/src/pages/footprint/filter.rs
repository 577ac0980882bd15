//! The list's filters: read from the query string, checked field by field, and shown back as a
//! form whose choices are the citizen's own agencies, files and purposes.

use std::collections::BTreeSet;

use lantern_domain::reference::ReferenceData;
use lantern_domain::{AgencyCode, FileId, PurposeCode};
use lantern_log::Action;
use lantern_store::footprint::{FootprintEntries, FootprintFilter};
use time::Date;
use time::macros::format_description;

use super::names::Names;
use super::sentence::action_name_id;
use crate::i18n::Tr;
use crate::pages::fields::{Opt, SelectField};
use crate::pages::labels;

/// What the reader asked for, as sent.
#[derive(Debug, Default, Clone)]
pub(super) struct Asked {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) agency: String,
    pub(super) file: String,
    pub(super) action: String,
    pub(super) purpose: String,
    /// The page number, 1-based.
    pub(super) page: u32,
}

impl Asked {
    /// Reads the query's pairs; unknown names are ignored, a bad page number means page 1.
    pub(super) fn from_query(pairs: &[(String, String)]) -> Self {
        let mut asked = Self {
            page: 1,
            ..Self::default()
        };
        for (name, value) in pairs {
            let value = value.trim().to_owned();
            match name.as_str() {
                "from" => asked.from = value,
                "to" => asked.to = value,
                "agency" => asked.agency = value,
                "file" => asked.file = value,
                "action" => asked.action = value,
                "purpose" => asked.purpose = value,
                "page" => asked.page = value.parse().unwrap_or(1).max(1),
                _ => {}
            }
        }
        asked
    }

    /// The query string of these filters (without the page), for links.
    pub(super) fn query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("agency", self.agency.as_str()),
            ("file", self.file.as_str()),
            ("action", self.action.as_str()),
            ("purpose", self.purpose.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// A field the reader got wrong, and why, in their language.
#[derive(Debug, Clone)]
pub(super) struct FilterError {
    /// The field's name (and its input's id, `f-<name>`).
    pub(super) field: &'static str,
    pub(super) message: String,
}

/// The filter to apply and the errors found; a wrong field filters nothing.
pub(super) fn parse(t: Tr, asked: &Asked) -> (FootprintFilter, Vec<FilterError>) {
    let mut errors = Vec::new();
    let mut date = |field: &'static str, label: &str, raw: &str| -> Option<Date> {
        if raw.is_empty() {
            return None;
        }
        let parsed = Date::parse(raw, format_description!("[year]-[month]-[day]")).ok();
        if parsed.is_none() {
            errors.push(FilterError {
                field,
                message: t.with("fp-error-date", &[("field", t.get(label).into())]),
            });
        }
        parsed
    };
    let from = date("from", "fp-filter-from", &asked.from);
    let to = date("to", "fp-filter-to", &asked.to);
    let mut choice = |field: &'static str, label: &str, ok: bool| {
        if !ok {
            errors.push(FilterError {
                field,
                message: t.with("fp-error-choice", &[("field", t.get(label).into())]),
            });
        }
    };
    let agency = optional(&asked.agency, AgencyCode::parse);
    choice("agency", "fp-filter-agency", agency.is_ok());
    let file = optional(&asked.file, FileId::parse);
    choice("file", "fp-filter-file", file.is_ok());
    let action = optional(&asked.action, Action::parse);
    choice("action", "fp-filter-action", action.is_ok());
    let purpose = optional(&asked.purpose, PurposeCode::parse);
    choice("purpose", "fp-filter-purpose", purpose.is_ok());
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        errors.push(FilterError {
            field: "from",
            message: t.get("fp-error-range"),
        });
    }
    let filter = FootprintFilter {
        from,
        to,
        agency: agency.unwrap_or_default(),
        file: file.unwrap_or_default(),
        action: action.unwrap_or_default(),
        purpose: purpose.unwrap_or_default(),
    };
    (filter, errors)
}

/// `None` for an empty value, else the parsed value or `Err(())`.
fn optional<T, E>(raw: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, ()> {
    if raw.is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some).map_err(|_| ())
    }
}

/// The form's selects, filled from the citizen's own events.
pub(super) struct FilterForm {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) from_error: Option<String>,
    pub(super) to_error: Option<String>,
    pub(super) agency: SelectField,
    pub(super) file: SelectField,
    pub(super) action: SelectField,
    pub(super) purpose: SelectField,
}

/// Builds the form: the values as sent, each select listing what occurs in `entries`.
pub(super) fn form(
    t: Tr,
    reference: &ReferenceData,
    names: &Names,
    entries: &FootprintEntries,
    asked: &Asked,
    errors: &[FilterError],
) -> FilterForm {
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    };
    let agencies: BTreeSet<&AgencyCode> = entries
        .visible
        .iter()
        .map(|e| &e.entry.parts().agency)
        .collect();
    let files: BTreeSet<&FileId> = entries
        .visible
        .iter()
        .map(|e| &e.entry.parts().file)
        .collect();
    let purposes: BTreeSet<&PurposeCode> = entries
        .visible
        .iter()
        .map(|e| &e.entry.parts().purpose)
        .collect();
    let select = |name: &'static str, label: &str, chosen: &str, options: Vec<(String, String)>| {
        let mut all = vec![Opt {
            value: String::new(),
            label: t.get("fp-filter-any"),
            selected: chosen.is_empty(),
        }];
        all.extend(options.into_iter().map(|(value, label)| Opt {
            selected: value == chosen,
            value,
            label,
        }));
        SelectField {
            name,
            label: t.get(label),
            hint: String::new(),
            options: all,
            error: error_of(name),
        }
    };
    FilterForm {
        from: asked.from.clone(),
        to: asked.to.clone(),
        from_error: error_of("from"),
        to_error: error_of("to"),
        agency: select(
            "agency",
            "fp-filter-agency",
            &asked.agency,
            agencies
                .into_iter()
                .map(|code| (code.to_string(), names.agency(t, code)))
                .collect(),
        ),
        file: select(
            "file",
            "fp-filter-file",
            &asked.file,
            files
                .into_iter()
                .map(|id| (id.to_string(), names.file(t, id)))
                .collect(),
        ),
        action: select(
            "action",
            "fp-filter-action",
            &asked.action,
            Action::ALL
                .into_iter()
                .map(|a| (a.as_str().to_owned(), t.get(&action_name_id(a))))
                .collect(),
        ),
        purpose: select(
            "purpose",
            "fp-filter-purpose",
            &asked.purpose,
            purposes
                .into_iter()
                .map(|code| {
                    let label = labels::purpose_code_short(t, reference, code);
                    (code.to_string(), format!("{} {}", code, label.name))
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;

    use super::*;

    fn asked(pairs: &[(&str, &str)]) -> Asked {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        Asked::from_query(&pairs)
    }

    #[test]
    fn good_filters_are_applied() {
        let t = Tr::new(Lang::ZhTw);
        let (filter, errors) = parse(
            t,
            &asked(&[
                ("from", "2025-01-01"),
                ("to", "2025-12-31"),
                ("agency", "MOHW-NHIA"),
                ("action", "disclose"),
                ("purpose", "031"),
                ("page", "3"),
            ]),
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(filter.agency.unwrap().as_str(), "MOHW-NHIA");
        assert_eq!(filter.action, Some(Action::Disclose));
        assert!(filter.file.is_none());
    }

    #[test]
    fn each_bad_field_is_named_and_filters_nothing() {
        let t = Tr::new(Lang::En);
        let (filter, errors) = parse(
            t,
            &asked(&[
                ("from", "14/03/2025"),
                ("action", "peek"),
                ("purpose", "9999"),
            ]),
        );
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["from", "action", "purpose"]);
        assert!(errors[0].message.contains("YYYY-MM-DD"));
        assert_eq!(filter, FootprintFilter::default());
    }

    #[test]
    fn a_reversed_period_is_an_error() {
        let (_, errors) = parse(
            Tr::new(Lang::ZhTw),
            &asked(&[("from", "2025-05-01"), ("to", "2025-04-01")]),
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "from");
    }

    #[test]
    fn links_keep_the_filters_but_not_the_page() {
        let a = asked(&[("agency", "MOF-TAX"), ("page", "2"), ("from", "")]);
        assert_eq!(a.page, 2);
        assert_eq!(a.query(), "agency=MOF-TAX");
    }
}
