//! One usage event as one plain sentence: who did what, with which of the reader's data, why,
//! and on what legal basis.

use lantern_domain::reference::ReferenceData;
use lantern_log::{Action, CanonicalEvent};
use time::OffsetDateTime;
use time::macros::offset;

use super::names::Names;
use crate::i18n::{Lang, Tr};
use crate::pages::labels;

/// The Fluent message naming an action as a noun (filters, details, CSV).
pub(crate) fn action_name_id(action: Action) -> String {
    format!("fp-action-{}", action.as_str().replace('_', "-"))
}

/// The event as one sentence in the reader's language.
pub(super) fn sentence(
    t: Tr,
    reference: &ReferenceData,
    names: &Names,
    event: &CanonicalEvent,
    out_of_purpose: bool,
) -> String {
    let parts = event.parts();
    let categories = parts
        .categories
        .iter()
        .map(|code| labels::category_code(t, reference, code).name)
        .collect::<Vec<_>>()
        .join(&t.get("list-separator"));
    let args = [
        ("date", long_date(t, parts.occurred_at).into()),
        ("agency", names.agency(t, &parts.agency).into()),
        ("file", names.file(t, &parts.file).into()),
        (
            "purpose",
            labels::purpose_code_short(t, reference, &parts.purpose)
                .name
                .into(),
        ),
        (
            "basis",
            labels::basis(t, reference, &parts.legal_basis)
                .clause
                .into(),
        ),
        ("categories", categories.into()),
        ("records", parts.records.into()),
        (
            "verb",
            t.get(&format!(
                "fp-verb-{}",
                parts.action.as_str().replace('_', "-")
            ))
            .into(),
        ),
        (
            "recipient",
            parts.recipient.clone().unwrap_or_default().into(),
        ),
    ];
    let id = match parts.action {
        Action::Consent => "fp-sentence-consent",
        Action::WithdrawConsent => "fp-sentence-withdraw",
        Action::Disclose if parts.recipient.is_some() => "fp-sentence-recipient",
        _ => "fp-sentence",
    };
    let text = t.with(id, &args);
    match (out_of_purpose, t.lang()) {
        (false, _) => text,
        (true, Lang::ZhTw) => format!("{}{text}", t.get("fp-out-of-purpose-prefix")),
        (true, Lang::En) => format!("{} {text}", t.get("fp-out-of-purpose-prefix")),
    }
}

/// A day in Taiwan time as the reader writes it: `2025年3月14日`, `14 March 2025`.
pub(crate) fn long_date(t: Tr, at: OffsetDateTime) -> String {
    let local = at.to_offset(offset!(+8));
    match t.lang() {
        Lang::ZhTw => format!(
            "{}年{}月{}日",
            local.year(),
            u8::from(local.month()),
            local.day()
        ),
        Lang::En => format!("{} {} {}", local.day(), local.month(), local.year()),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn dates_are_in_taiwan_time() {
        let late = datetime!(2025-03-13 17:30 UTC);
        assert_eq!(long_date(Tr::new(Lang::ZhTw), late), "2025年3月14日");
        assert_eq!(long_date(Tr::new(Lang::En), late), "14 March 2025");
    }

    #[test]
    fn every_action_has_a_name_and_a_verb_in_both_languages() {
        for lang in Lang::ALL {
            for action in Action::ALL {
                let verb = format!("fp-verb-{}", action.as_str().replace('_', "-"));
                assert!(crate::i18n::has_message(lang, &action_name_id(action)));
                assert!(crate::i18n::has_message(lang, &verb), "{verb}");
            }
        }
    }
}
