//! The report's languages, and the one catalogue every label and sentence
//! of it comes from.
//!
//! A language's file (`en`, `zh`, `ru`) maps every key to its text,
//! with no catch-all arm, so that a key missing from one language does not
//! compile; the tests below check the rest (no empty text, the same
//! placeholders and the right number of plural forms everywhere, Chinese
//! texts in Chinese and Russian ones in Russian). What the report shows of
//! the records' own values comes through `values`. Text a submitter
//! wrote (names, descriptions, reasons, protocol items) is never
//! translated: the report prints it as written.

mod en;
mod key;
mod ru;
pub(crate) mod values;
mod zh;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub(crate) use key::Key;

/// A language the report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Lang {
    /// Chinese (simplified).
    Zh,
    /// English.
    En,
    /// Russian.
    Ru,
}

impl Lang {
    /// Every language, in the order of `--lang zh|en|ru`.
    pub const ALL: [Self; 3] = [Self::Zh, Self::En, Self::Ru];

    /// The language's code: `zh`, `en` or `ru`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
            Self::Ru => "ru",
        }
    }

    /// The language of a POSIX locale, given the values of `LC_ALL`,
    /// `LC_MESSAGES` and `LANG` in that order: the first that is set and
    /// not empty decides, as in POSIX. `zh…` (`zh_CN.UTF-8`) is Chinese,
    /// `ru…` Russian, anything else (`C`, `C.UTF-8`, `POSIX`, `en_US`, a
    /// language the report does not have) English.
    #[must_use]
    pub fn from_locale<'a>(vars: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let Some(locale) = vars.into_iter().flatten().find(|v| !v.is_empty()) else {
            return Self::En;
        };
        let language = locale
            .split(['_', '.', '@', '-'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match language.as_str() {
            "zh" => Self::Zh,
            "ru" => Self::Ru,
            _ => Self::En,
        }
    }
}

impl Lang {
    /// The line a verifier prints after refusing a history, in this
    /// language: it is not verified, do not rely on it.
    #[must_use]
    pub const fn not_verified(self) -> &'static str {
        text(self, Key::NotVerified)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language code the report does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}: expected zh, en or ru")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, UnknownLang> {
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownLang(s.to_owned()))
    }
}

/// The text of `key` in `lang`, placeholders and plural forms unresolved.
#[must_use]
pub(crate) const fn text(lang: Lang, key: Key) -> &'static str {
    match lang {
        Lang::Zh => zh::text(key),
        Lang::En => en::text(key),
        Lang::Ru => ru::text(key),
    }
}

/// The text of `key` in `lang` with each `{name}` replaced by its value
/// in `args`. Values are inserted as they are, never scanned again.
#[must_use]
pub(crate) fn fill(lang: Lang, key: Key, args: &[(&str, &str)]) -> String {
    substitute(text(lang, key), args)
}

/// The plural form of `key` for `n` in `lang`, with `{n}` and `args`
/// filled in.
#[must_use]
pub(crate) fn count(lang: Lang, key: Key, n: usize, args: &[(&str, &str)]) -> String {
    let forms: Vec<&str> = text(lang, key).split('|').collect();
    let form = forms
        .get(plural_form(lang, n))
        .or(forms.last())
        .copied()
        .unwrap_or_default();
    let n = n.to_string();
    let mut all = vec![("n", n.as_str())];
    all.extend_from_slice(args);
    substitute(form, &all)
}

/// Which plural form a count takes: English one/other, Russian
/// one/few/many (CLDR), Chinese has one form.
#[must_use]
const fn plural_form(lang: Lang, n: usize) -> usize {
    match lang {
        Lang::Zh => 0,
        Lang::En => {
            if n == 1 {
                0
            } else {
                1
            }
        }
        Lang::Ru => {
            let (ones, tens) = (n % 10, n % 100);
            if ones == 1 && tens != 11 {
                0
            } else if ones >= 2 && ones <= 4 && !(tens >= 12 && tens <= 14) {
                1
            } else {
                2
            }
        }
    }
}

fn substitute(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn placeholders(s: &str) -> BTreeSet<String> {
        s.split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    }

    /// The text without placeholders and without the names that stay
    /// the same in every language (acronyms, units, the flag).
    fn words(s: &str) -> String {
        let mut out = substitute(s, &[]);
        for name in placeholders(s) {
            out = out.replace(&format!("{{{name}}}"), "");
        }
        for same in ["SHA-256", "UTC", "VIN", "OBD", "--witness"] {
            out = out.replace(same, "");
        }
        out
    }

    fn is_cjk(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    fn is_cyrillic(c: char) -> bool {
        ('\u{0400}'..='\u{04ff}').contains(&c)
    }

    #[test]
    fn every_key_has_a_text_in_every_language() {
        for &key in Key::ALL {
            for lang in Lang::ALL {
                let t = text(lang, key);
                assert!(!t.trim().is_empty(), "{key:?} is empty in {lang}");
                if ![Key::ListSeparator, Key::Comma].contains(&key) {
                    assert_eq!(t.trim(), t, "{key:?} in {lang} has outer spaces");
                }
                assert!(
                    t.split('|').all(|f| !f.trim().is_empty()),
                    "{key:?} in {lang} has an empty plural form"
                );
            }
        }
    }

    #[test]
    fn placeholders_and_plural_forms_agree_across_languages() {
        for &key in Key::ALL {
            let en = text(Lang::En, key);
            let expected = placeholders(en);
            for lang in Lang::ALL {
                for form in text(lang, key).split('|') {
                    assert_eq!(
                        placeholders(form),
                        expected,
                        "{key:?} in {lang}: {form:?} vs {en:?}"
                    );
                }
            }
            let forms = |lang| text(lang, key).split('|').count();
            if en.contains('|') {
                assert_eq!(forms(Lang::En), 2, "{key:?}: English has one and other");
                assert_eq!(forms(Lang::Ru), 3, "{key:?}: Russian has one, few, many");
                assert_eq!(forms(Lang::Zh), 1, "{key:?}: Chinese has one form");
            } else {
                for lang in Lang::ALL {
                    assert_eq!(forms(lang), 1, "{key:?} in {lang} is not countable");
                }
            }
        }
    }

    #[test]
    fn translations_are_in_their_language() {
        for &key in Key::ALL {
            if !words(text(Lang::En, key))
                .chars()
                .any(|c| c.is_ascii_alphabetic())
            {
                continue;
            }
            let zh = text(Lang::Zh, key);
            assert!(zh.chars().any(is_cjk), "{key:?} is not Chinese: {zh:?}");
            let ru = text(Lang::Ru, key);
            assert!(
                ru.chars().any(is_cyrillic),
                "{key:?} is not Russian: {ru:?}"
            );
            let en = text(Lang::En, key);
            assert!(
                !en.chars().any(is_cjk) && !en.chars().any(is_cyrillic),
                "{key:?}"
            );
        }
    }

    #[test]
    fn placeholders_are_filled_once_and_plurals_chosen() {
        assert_eq!(
            fill(
                Lang::En,
                Key::FactLine,
                &[("label", "{value}"), ("value", "x")]
            ),
            "{value}: x"
        );
        assert_eq!(substitute("a {missing} b", &[]), "a {missing} b");
        assert_eq!(substitute("unclosed {x", &[("x", "1")]), "unclosed {x");
        let en = |n| count(Lang::En, Key::Records, n, &[]);
        assert_eq!(
            [en(0), en(1), en(12)],
            ["0 records", "1 record", "12 records"]
        );
        let ru = |n| count(Lang::Ru, Key::Records, n, &[]);
        assert_eq!(
            [ru(1), ru(2), ru(5), ru(11), ru(21), ru(22), ru(112), ru(0)],
            [
                "1 запись",
                "2 записи",
                "5 записей",
                "11 записей",
                "21 запись",
                "22 записи",
                "112 записей",
                "0 записей"
            ]
        );
        assert_eq!(count(Lang::Zh, Key::Records, 3, &[]), "3 条记录");
    }

    #[test]
    fn the_locale_picks_the_language() {
        let pick = |all: Option<&str>, messages: Option<&str>, lang: Option<&str>| {
            Lang::from_locale([all, messages, lang])
        };
        assert_eq!(pick(None, None, None), Lang::En);
        assert_eq!(pick(None, None, Some("C.UTF-8")), Lang::En);
        assert_eq!(pick(None, None, Some("POSIX")), Lang::En);
        assert_eq!(pick(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(pick(None, None, Some("ru_RU.UTF-8")), Lang::Ru);
        assert_eq!(pick(None, Some("ru_RU"), Some("zh_CN")), Lang::Ru);
        assert_eq!(pick(Some("C"), Some("ru_RU"), Some("zh_CN")), Lang::En);
        assert_eq!(pick(Some(""), None, Some("zh_TW.UTF-8")), Lang::Zh);
        assert_eq!(pick(None, None, Some("de_DE.UTF-8")), Lang::En);
        assert_eq!("RU".parse::<Lang>(), Ok(Lang::Ru));
        assert_eq!("fr".parse::<Lang>(), Err(UnknownLang("fr".into())));
        assert_eq!(serde_json::to_string(&Lang::Zh).unwrap(), "\"zh\"");
    }
}
