//! Field types and checks shared by the record kinds: text, identifiers,
//! hashes, attachments, odometer values and enums.
//!
//! Every check here is stateless: it looks at one field of one record.
//! What depends on the log's state is in the sequencing rules (`vledger-rules`).

use std::fmt;

use serde::{Deserialize, Serialize};
use vledger_proto::v1 as pb;

use super::error::{FieldError, Reason};

/// Longest free text (names, reasons, descriptions), in bytes.
pub const MAX_TEXT_LEN: usize = 256;
/// Longest identifier (engine numbers, licence and certificate numbers).
pub const MAX_IDENTIFIER_LEN: usize = 32;
/// Most attachments on one record.
pub const MAX_ATTACHMENTS: usize = 16;
/// Most entries of a short list (operations, parts, damage types).
pub const MAX_LIST: usize = 64;
/// Largest odometer value, in its unit.
pub const MAX_ODOMETER: u64 = 9_999_999;

/// Defines a closed enum with its JSON names and its protobuf conversions;
/// the protobuf zero value ("unspecified") is refused.
macro_rules! proto_enum {
    ($(#[$meta:meta])* $name:ident => $pb:ident { $($(#[$vmeta:meta])* $var:ident = $json:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $json)] $var),+
        }

        impl $name {
            /// Every value, in protobuf order.
            pub const ALL: &'static [Self] = &[$(Self::$var),+];

            /// The name written in JSON and shown to people.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $(Self::$var => $json),+ }
            }

            /// Reads the protobuf value of `field`.
            ///
            /// # Errors
            /// [`Reason::Unspecified`] for the zero value or an unknown one.
            pub fn from_proto(
                field: &'static str,
                v: i32,
            ) -> Result<Self, $crate::FieldError> {
                match ::vledger_proto::v1::$pb::try_from(v) {
                    $(Ok(::vledger_proto::v1::$pb::$var) => Ok(Self::$var),)+
                    _ => Err($crate::FieldError::new(
                        field,
                        $crate::Reason::Unspecified,
                    )),
                }
            }

            /// The protobuf value.
            #[must_use]
            pub fn to_proto(self) -> i32 {
                match self { $(Self::$var => ::vledger_proto::v1::$pb::$var as i32),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
pub(crate) use proto_enum;

proto_enum! {
    /// Unit of a distance.
    DistanceUnit => DistanceUnit {
        /// Kilometres.
        Km = "km",
        /// Statute miles.
        Miles = "miles",
    }
}

impl DistanceUnit {
    /// Millimetres in one unit (a statute mile is exactly 1,609.344 m).
    #[must_use]
    pub const fn millimetres(self) -> u64 {
        match self {
            Self::Km => 1_000_000,
            Self::Miles => 1_609_344,
        }
    }
}

proto_enum! {
    /// The language of a document's text.
    Language => Language {
        /// No text: photos, data.
        None = "none",
        /// Chinese.
        Zh = "zh",
        /// English.
        En = "en",
    }
}

impl Language {
    fn is_none(&self) -> bool {
        *self == Self::None
    }
}

#[allow(clippy::derivable_impls)] // the macro cannot mark the default variant
impl Default for Language {
    fn default() -> Self {
        Self::None
    }
}

proto_enum! {
    /// What an attached document is.
    DocumentKind => DocumentKind {
        /// An inspection or survey report.
        Report = "report",
        /// A certificate.
        Certificate = "certificate",
        /// A photo.
        Photo = "photo",
        /// An invoice.
        Invoice = "invoice",
        /// Evidence of damage or of a claim.
        Evidence = "evidence",
        /// The after-sales service confirmation an early export needs.
        AfterSalesConfirmation = "after_sales_confirmation",
        /// A licence.
        License = "license",
        /// A declaration.
        Declaration = "declaration",
        /// Anything else.
        Other = "other",
    }
}

/// A SHA-256 digest; hex in JSON.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// Reads a 32-byte digest.
    ///
    /// # Errors
    /// [`Reason::HashLength`] for any other length.
    pub fn from_bytes(field: &'static str, bytes: &[u8]) -> Result<Self, FieldError> {
        <[u8; 32]>::try_from(bytes)
            .map(Self)
            .map_err(|_| FieldError::new(field, Reason::HashLength))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", hex::encode(self.0))
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let s = String::deserialize(d)?;
        let bytes = hex::decode(&s).map_err(|_| D::Error::custom("expected 64 hex digits"))?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(Self)
            .map_err(|_| D::Error::custom("expected 64 hex digits (32 bytes)"))
    }
}

/// A document about a record: its hash, media type, language and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// SHA-256 of the document's bytes.
    pub sha256: Digest,
    /// Its media type, e.g. `application/pdf`.
    pub media_type: String,
    /// The language of its text.
    #[serde(default, skip_serializing_if = "Language::is_none")]
    pub language: Language,
    /// What it is.
    pub kind: DocumentKind,
}

impl TryFrom<pb::Attachment> for Attachment {
    type Error = FieldError;
    fn try_from(a: pb::Attachment) -> Result<Self, FieldError> {
        Ok(Self {
            sha256: Digest::from_bytes("record.attachments.sha256", &a.sha256)?,
            media_type: media_type("record.attachments.media_type", a.media_type)?,
            language: Language::from_proto("record.attachments.language", a.language)?,
            kind: DocumentKind::from_proto("record.attachments.kind", a.kind)?,
        })
    }
}

impl From<&Attachment> for pb::Attachment {
    fn from(a: &Attachment) -> Self {
        Self {
            sha256: a.sha256.0.to_vec(),
            media_type: a.media_type.clone(),
            language: a.language.to_proto(),
            kind: a.kind.to_proto(),
        }
    }
}

/// An odometer value with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Odometer {
    /// The value shown.
    pub value: u64,
    /// Its unit.
    pub unit: DistanceUnit,
}

impl Odometer {
    /// Reads an odometer value of `field`.
    ///
    /// # Errors
    /// [`Reason::Missing`], [`Reason::Unspecified`] for the unit, or
    /// [`Reason::TooLarge`].
    pub fn from_proto(
        field: &'static str,
        unit_field: &'static str,
        o: Option<pb::Odometer>,
    ) -> Result<Self, FieldError> {
        let o = o.ok_or_else(|| FieldError::new(field, Reason::Missing))?;
        Self::checked(field, unit_field, o.value, o.unit)
    }

    /// Checks a value and a protobuf unit.
    ///
    /// # Errors
    /// [`Reason::Unspecified`] for the unit or [`Reason::TooLarge`].
    pub fn checked(
        field: &'static str,
        unit_field: &'static str,
        value: u64,
        unit: i32,
    ) -> Result<Self, FieldError> {
        let unit = DistanceUnit::from_proto(unit_field, unit)?;
        if value > MAX_ODOMETER {
            return Err(FieldError::new(
                field,
                Reason::TooLarge { max: MAX_ODOMETER },
            ));
        }
        Ok(Self { value, unit })
    }

    /// The least distance the reading can stand for, in millimetres: an
    /// odometer shows whole units, rounded down.
    #[must_use]
    pub const fn least_mm(self) -> u64 {
        self.value * self.unit.millimetres()
    }

    /// The greatest distance (exclusive) the reading can stand for, in
    /// millimetres.
    #[must_use]
    pub const fn most_mm(self) -> u64 {
        (self.value + 1) * self.unit.millimetres()
    }

    /// Whether this reading is certainly less than `earlier`: even read at
    /// its highest it is no more than `earlier` read at its lowest. For
    /// readings in the same unit this is plain `<`.
    #[must_use]
    pub const fn certainly_below(self, earlier: Self) -> bool {
        self.most_mm() <= earlier.least_mm()
    }
}

impl From<Odometer> for pb::Odometer {
    fn from(o: Odometer) -> Self {
        Self {
            value: o.value,
            unit: o.unit.to_proto(),
        }
    }
}

impl fmt::Display for Odometer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", grouped(self.value), self.unit)
    }
}

/// `52000` as `52,000`.
#[must_use]
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Checks free text: at most [`MAX_TEXT_LEN`] bytes, no control characters.
///
/// # Errors
/// [`Reason::TooLong`] or [`Reason::ControlCharacter`].
pub fn text(field: &'static str, s: String) -> Result<String, FieldError> {
    if s.len() > MAX_TEXT_LEN {
        return Err(FieldError::new(
            field,
            Reason::TooLong { max: MAX_TEXT_LEN },
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::new(field, Reason::ControlCharacter));
    }
    Ok(s)
}

/// Checks free text that must not be empty.
///
/// # Errors
/// As [`text`], or [`Reason::Missing`] when empty.
pub fn required_text(field: &'static str, s: String) -> Result<String, FieldError> {
    if s.trim().is_empty() {
        return Err(FieldError::new(field, Reason::Missing));
    }
    text(field, s)
}

/// Checks an identifier (engine number, licence number, ...): 1 to
/// [`MAX_IDENTIFIER_LEN`] characters of `A-Z`, `0-9` and `-`. One spelling
/// per identifier, so that comparing two of them is comparing bytes.
///
/// # Errors
/// [`Reason::Missing`], [`Reason::TooLong`] or [`Reason::Identifier`].
pub fn identifier(field: &'static str, s: String) -> Result<String, FieldError> {
    if s.is_empty() {
        return Err(FieldError::new(field, Reason::Missing));
    }
    if s.len() > MAX_IDENTIFIER_LEN {
        return Err(FieldError::new(
            field,
            Reason::TooLong {
                max: MAX_IDENTIFIER_LEN,
            },
        ));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(FieldError::new(field, Reason::Identifier));
    }
    Ok(s)
}

/// An optional identifier: empty means absent.
///
/// # Errors
/// As [`identifier`].
pub fn optional_identifier(field: &'static str, s: String) -> Result<Option<String>, FieldError> {
    if s.is_empty() {
        Ok(None)
    } else {
        identifier(field, s).map(Some)
    }
}

/// Checks an ISO 3166-1 alpha-2 country code (two capital letters).
///
/// # Errors
/// [`Reason::Missing`] or [`Reason::CountryCode`].
pub fn country(field: &'static str, s: String) -> Result<String, FieldError> {
    if s.is_empty() {
        return Err(FieldError::new(field, Reason::Missing));
    }
    if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(FieldError::new(field, Reason::CountryCode));
    }
    Ok(s)
}

/// Checks a media type: `type/subtype`, lower-case token characters, at
/// most 127 bytes.
///
/// # Errors
/// [`Reason::MediaType`].
pub fn media_type(field: &'static str, s: String) -> Result<String, FieldError> {
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$&-^_.+".contains(&b))
    };
    match s.split_once('/') {
        Some((t, sub)) if s.len() <= 127 && token(t) && token(sub) => Ok(s),
        _ => Err(FieldError::new(field, Reason::MediaType)),
    }
}

/// Checks a list's length.
///
/// # Errors
/// [`Reason::TooMany`].
pub fn at_most<T>(field: &'static str, list: &[T], max: usize) -> Result<(), FieldError> {
    if list.len() > max {
        return Err(FieldError::new(field, Reason::TooMany { max }));
    }
    Ok(())
}

/// Checks a list of free texts: at most [`MAX_LIST`], each non-empty.
///
/// # Errors
/// [`Reason::TooMany`] or a text error.
pub fn text_list(field: &'static str, list: Vec<String>) -> Result<Vec<String>, FieldError> {
    at_most(field, &list, MAX_LIST)?;
    list.into_iter().map(|s| required_text(field, s)).collect()
}

/// The earliest date a record may state, in seconds since the Unix epoch:
/// 1886-01-01T00:00:00Z, the year of the first motor car. Nothing a record
/// is about happened before it, and a time below it (such as `-2^63`) is a
/// mistake or an attack, never a fact.
pub const EARLIEST_DATE: i64 = -2_650_752_000;

/// The latest date a record may state, in seconds since the Unix epoch:
/// 9999-12-31T23:59:59Z, the last second RFC 3339 can write. Past-dated
/// fields are held much closer by the rules (at most five minutes after
/// the record is logged); this bound is for every date, so that whatever
/// a verifier prints is a date.
pub const LATEST_DATE: i64 = 253_402_300_799;

/// A date of an event; it must be set (0 is protobuf's "unset") and lie
/// between [`EARLIEST_DATE`] and [`LATEST_DATE`].
///
/// # Errors
/// [`Reason::Missing`], [`Reason::TooEarly`] or [`Reason::TooLate`].
pub fn date(field: &'static str, t: i64) -> Result<i64, FieldError> {
    if t == 0 {
        return Err(FieldError::new(field, Reason::Missing));
    }
    if t < EARLIEST_DATE {
        return Err(FieldError::new(field, Reason::TooEarly));
    }
    if t > LATEST_DATE {
        return Err(FieldError::new(field, Reason::TooLate));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_are_their_json_names() {
        for u in DistanceUnit::ALL {
            assert_eq!(serde_json::to_string(u).unwrap(), format!("\"{u}\""));
            assert_eq!(DistanceUnit::from_proto("f", u.to_proto()), Ok(*u));
        }
        for k in DocumentKind::ALL {
            assert_eq!(serde_json::to_string(k).unwrap(), format!("\"{k}\""));
        }
        assert!(DocumentKind::from_proto("f", 0).is_err());
        assert_eq!(Language::from_proto("f", 0), Ok(Language::None));
    }

    #[test]
    fn odometer_comparison_allows_for_rounding_across_units() {
        let km = |value| Odometer {
            value,
            unit: DistanceUnit::Km,
        };
        let mi = |value| Odometer {
            value,
            unit: DistanceUnit::Miles,
        };
        assert!(km(79_999).certainly_below(km(80_000)));
        assert!(!km(80_000).certainly_below(km(80_000)));
        // 100 miles is 160.93 km: a km odometer may show 160 of it.
        assert!(!km(160).certainly_below(mi(100)));
        assert!(km(159).certainly_below(mi(100)));
        // 161 km is 100.04 miles: a mile odometer may show 100 of it.
        assert!(!mi(100).certainly_below(km(161)));
        assert!(mi(99).certainly_below(km(161)));
        assert!(!mi(50_000).certainly_below(km(80_468)));
        assert!(mi(50_000).certainly_below(km(80_469)));
        assert_eq!(km(52_000).to_string(), "52,000 km");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(999), "999");
    }

    #[test]
    fn identifiers_have_one_spelling() {
        assert!(identifier("f", "G4FG-AB12345".into()).is_ok());
        for bad in ["g4fg", "G4 FG", "G4_FG", "Ｇ4"] {
            assert_eq!(
                identifier("f", bad.into()).unwrap_err().reason,
                Reason::Identifier
            );
        }
        assert_eq!(
            identifier("f", String::new()).unwrap_err().reason,
            Reason::Missing
        );
        assert!(matches!(
            identifier("f", "A".repeat(33)).unwrap_err().reason,
            Reason::TooLong { max: 32 }
        ));
    }

    #[test]
    fn media_types_and_countries() {
        assert!(media_type("f", "application/pdf".into()).is_ok());
        assert!(media_type("f", "image/svg+xml".into()).is_ok());
        for bad in ["pdf", "Application/PDF", "a/", "/b", "a/b c"] {
            assert!(media_type("f", bad.into()).is_err(), "{bad}");
        }
        assert!(country("f", "KZ".into()).is_ok());
        assert!(country("f", "kz".into()).is_err());
        assert!(country("f", "KAZ".into()).is_err());
    }
}
