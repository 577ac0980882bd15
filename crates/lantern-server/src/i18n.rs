//! The pages' two languages, Traditional Chinese (Taiwan) first and English, with every visible
//! string in Fluent files under `locales/<lang>/`.
//!
//! Choosing the language: `?lang=en` or `?lang=zh-TW` on any page sets a `lang` cookie and wins;
//! otherwise the cookie decides; otherwise zh-TW. `Accept-Language` is deliberately ignored:
//! many devices in Taiwan run an English system while their owners expect the government's
//! Chinese text, and a page whose language depends only on the address and one cookie is
//! predictable and caches simply. The switch is one link on every page.
//!
//! Architecture invariant: both locales define exactly the same message ids (a unit test checks
//! it), so a missing translation is a test failure, not a blank on a page.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Traditional Chinese as used in Taiwan (正體中文), the default.
    ZhTw,
    /// English.
    En,
}

/// Name of the cookie that remembers the reader's choice.
pub const LANG_COOKIE: &str = "lang";

impl Lang {
    /// Every language, default first.
    pub const ALL: [Self; 2] = [Self::ZhTw, Self::En];

    /// Parses the value of `?lang=` or the cookie: `zh-TW` or `en`, any letter case.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.eq_ignore_ascii_case("zh-TW") {
            Some(Self::ZhTw)
        } else if raw.eq_ignore_ascii_case("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The language a request asks for: a valid `?lang=` value, else a valid cookie, else zh-TW.
    #[must_use]
    pub fn choose(query: Option<&str>, cookie: Option<&str>) -> Self {
        query
            .and_then(Self::parse)
            .or_else(|| cookie.and_then(Self::parse))
            .unwrap_or(Self::ZhTw)
    }

    /// The value used in `?lang=` and the cookie.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::ZhTw => "zh-TW",
            Self::En => "en",
        }
    }

    /// The BCP 47 tag for `<html lang>`: `zh-Hant-TW` names the script, which screen readers
    /// and font selection use.
    #[must_use]
    pub const fn html_lang(self) -> &'static str {
        match self {
            Self::ZhTw => "zh-Hant-TW",
            Self::En => "en",
        }
    }

    /// The language the switch link offers.
    #[must_use]
    pub const fn other(self) -> Self {
        match self {
            Self::ZhTw => Self::En,
            Self::En => Self::ZhTw,
        }
    }

    const fn index(self) -> usize {
        match self {
            Self::ZhTw => 0,
            Self::En => 1,
        }
    }
}

/// One locale's Fluent sources: (file name, text).
type Sources = [(&'static str, &'static str); 13];

macro_rules! locale {
    ($dir:literal) => {
        [
            (
                "common.ftl",
                include_str!(concat!("../locales/", $dir, "/common.ftl")),
            ),
            (
                "terms.ftl",
                include_str!(concat!("../locales/", $dir, "/terms.ftl")),
            ),
            (
                "home.ftl",
                include_str!(concat!("../locales/", $dir, "/home.ftl")),
            ),
            (
                "register.ftl",
                include_str!(concat!("../locales/", $dir, "/register.ftl")),
            ),
            (
                "file.ftl",
                include_str!(concat!("../locales/", $dir, "/file.ftl")),
            ),
            (
                "agencies.ftl",
                include_str!(concat!("../locales/", $dir, "/agencies.ftl")),
            ),
            (
                "staff.ftl",
                include_str!(concat!("../locales/", $dir, "/staff.ftl")),
            ),
            (
                "coverage.ftl",
                include_str!(concat!("../locales/", $dir, "/coverage.ftl")),
            ),
            (
                "me.ftl",
                include_str!(concat!("../locales/", $dir, "/me.ftl")),
            ),
            (
                "footprint.ftl",
                include_str!(concat!("../locales/", $dir, "/footprint.ftl")),
            ),
            (
                "services.ftl",
                include_str!(concat!("../locales/", $dir, "/services.ftl")),
            ),
            (
                "reports.ftl",
                include_str!(concat!("../locales/", $dir, "/reports.ftl")),
            ),
            (
                "requests.ftl",
                include_str!(concat!("../locales/", $dir, "/requests.ftl")),
            ),
        ]
    };
}

const ZH_TW: Sources = locale!("zh-TW");
const EN: Sources = locale!("en");

const fn sources(lang: Lang) -> &'static Sources {
    match lang {
        Lang::ZhTw => &ZH_TW,
        Lang::En => &EN,
    }
}

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> =
    LazyLock::new(|| Lang::ALL.map(bundle));

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    // Both tags are well formed; the default (undetermined) only selects default plural rules.
    let id: LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks (U+2068/U+2069) around placeables would end up inside attribute values
    // and page titles; every argument here is left-to-right text, so they buy nothing.
    bundle.set_use_isolating(false);
    for (name, text) in sources(lang) {
        // The sources are embedded and a unit test parses them; errors here are a build defect,
        // so log them and keep whatever parsed rather than take the server down.
        let resource = match FluentResource::try_new((*text).to_owned()) {
            Ok(resource) => resource,
            Err((resource, errors)) => {
                tracing::error!(
                    lang = lang.code(),
                    file = name,
                    ?errors,
                    "locale file does not parse"
                );
                resource
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(
                lang = lang.code(),
                file = name,
                ?errors,
                "locale file redefines messages"
            );
        }
    }
    bundle
}

/// Looks messages up in one language. Cheap to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    lang: Lang,
}

impl Tr {
    /// A translator for `lang`.
    #[must_use]
    pub const fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The language.
    #[must_use]
    pub const fn lang(self) -> Lang {
        self.lang
    }

    /// The message `id`. A missing id (which the tests rule out) is logged and shown as the id.
    #[must_use]
    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with named arguments, e.g. `[("count", 3.into())]`.
    #[must_use]
    pub fn with(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = &BUNDLES[self.lang.index()];
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(lang = self.lang.code(), id, "missing message");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned();
        if !errors.is_empty() {
            tracing::warn!(
                lang = self.lang.code(),
                id,
                ?errors,
                "message did not format cleanly"
            );
        }
        text
    }
}

/// True when `lang` defines message `id`.
#[must_use]
pub fn has_message(lang: Lang, id: &str) -> bool {
    BUNDLES[lang.index()].has_message(id)
}

/// Every message id defined for `lang`, read from the sources.
#[must_use]
pub fn message_ids(lang: Lang) -> BTreeSet<&'static str> {
    sources(lang)
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter_map(|line| {
            let (id, _) = line.split_once('=')?;
            let id = id.trim_end();
            let starts_with_letter = id.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
            let valid = id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            (starts_with_letter && valid).then_some(id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_file_parses_without_errors() {
        for lang in Lang::ALL {
            for (name, text) in sources(lang) {
                let parsed = FluentResource::try_new((*text).to_owned());
                assert!(
                    parsed.is_ok(),
                    "{}/{name}: {:?}",
                    lang.code(),
                    parsed.err().map(|(_, e)| e)
                );
            }
            let mut bundle = FluentBundle::new_concurrent(vec![lang.code().parse().unwrap()]);
            for (name, text) in sources(lang) {
                let resource = FluentResource::try_new((*text).to_owned()).unwrap();
                assert!(
                    bundle.add_resource(resource).is_ok(),
                    "{}/{name} redefines a message",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn both_locales_define_the_same_messages() {
        let zh = message_ids(Lang::ZhTw);
        let en = message_ids(Lang::En);
        assert!(zh.len() > 50, "the id scan found too little: {zh:?}");
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only in zh-TW: {only_zh:?}; only in en: {only_en:?}"
        );
        for id in &zh {
            assert!(
                has_message(Lang::ZhTw, id) && has_message(Lang::En, id),
                "{id} is not a message"
            );
        }
    }

    #[test]
    fn language_choice() {
        assert_eq!(Lang::choose(None, None), Lang::ZhTw);
        assert_eq!(Lang::choose(Some("en"), None), Lang::En);
        assert_eq!(Lang::choose(Some("zh-tw"), Some("en")), Lang::ZhTw);
        assert_eq!(Lang::choose(None, Some("en")), Lang::En);
        assert_eq!(Lang::choose(Some("fr"), Some("en")), Lang::En);
        assert_eq!(Lang::choose(Some("fr"), Some("de")), Lang::ZhTw);
    }

    #[test]
    fn arguments_are_placed_without_isolation_marks() {
        let text = Tr::new(Lang::En).with(
            "register-total",
            &[("count", 3.into()), ("shown", "3".into())],
        );
        assert!(text.contains('3') && !text.contains('\u{2068}'), "{text}");
    }
}
