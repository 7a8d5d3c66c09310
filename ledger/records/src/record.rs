//! A record: one signer's statement about a vehicle or about the log
//! itself: its JSON form, its protobuf form and its checks. The type is in
//! `body`.

use prost::Message as _;
use vledger_proto::v1 as pb;

use super::body::{Record, RecordBody, RecordKind};
use super::error::{FieldError, Reason};
use super::fields::{Attachment, DocumentKind, Language, MAX_ATTACHMENTS, at_most, date};
use super::vin::Vin;

/// Longest nonce, in bytes.
pub const MAX_NONCE_LEN: usize = 64;

/// Why a JSON text is not a record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// Not JSON at all (with the line and column where it stops being JSON).
    #[error("not JSON: {0}")]
    Syntax(serde_json::Error),
    /// A field of the wrong type or value, or missing, named by its JSON
    /// path (`odometer_reading.unit`, `attachments[0].sha256`).
    #[error("{path}: {reason}")]
    Field {
        /// The field's JSON path from the record's top.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Not a JSON object.
    #[error("a record is a JSON object")]
    NotObject,
    /// A top-level field that is neither common nor a record kind.
    #[error("unknown field {0:?}: a record has vin, event_time, nonce, attachments and one of {kinds}", kinds = kind_names())]
    UnknownField(String),
    /// No body, or more than one.
    #[error("a record has exactly one of {kinds}, not {found}", kinds = kind_names())]
    BodyCount {
        /// How many bodies were found.
        found: usize,
    },
}

/// How a nested record's field error starts, as serde carries it up to the
/// record around it: `at odometer_reading.unit: missing`.
const NESTED: &str = "at ";

impl JsonError {
    /// This error as the message of a nested record's (a correction's
    /// replacement), so that the record around it names the whole path.
    pub(crate) fn nested(&self) -> String {
        match self {
            Self::Field { path, reason } => format!("{NESTED}{path}: {reason}"),
            other => other.to_string(),
        }
    }

    /// The error serde gave at `path`, with a missing or unknown field's
    /// own name added to the path (serde names only the object it is in),
    /// and a nested record's field path joined to it.
    fn at(path: &str, message: &str) -> Self {
        let join = |field: &str| {
            if path.is_empty() || path == "." {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            }
        };
        if let Some((inner, reason)) = message
            .strip_prefix(NESTED)
            .and_then(|rest| rest.split_once(": "))
        {
            return Self::Field {
                path: join(inner),
                reason: reason.to_owned(),
            };
        }
        let quoted = |rest: &str| {
            rest.split_once('`')
                .map(|(name, tail)| (name.to_owned(), tail.to_owned()))
        };
        if let Some((field, _)) = message.strip_prefix("missing field `").and_then(quoted) {
            return Self::Field {
                path: join(&field),
                reason: "missing".to_owned(),
            };
        }
        if let Some((field, tail)) = message.strip_prefix("unknown field `").and_then(quoted) {
            let expected = tail.trim_start_matches(',').trim();
            // The path already ends with the unknown field's name.
            let named = path == field || path.ends_with(&format!(".{field}"));
            return Self::Field {
                path: if named { path.to_owned() } else { join(&field) },
                reason: if expected.is_empty() {
                    "unknown field".to_owned()
                } else {
                    format!("unknown field ({expected})")
                },
            };
        }
        Self::Field {
            path: if path.is_empty() || path == "." {
                "record".to_owned()
            } else {
                path.to_owned()
            },
            reason: message.to_owned(),
        }
    }
}

/// Reads `value` as a `T`, naming the JSON path of what does not fit.
fn at_path<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, JsonError> {
    serde_path_to_error::deserialize(value)
        .map_err(|e| JsonError::at(&e.path().to_string(), &e.inner().to_string()))
}

/// The fields every record has beside its body, read on their own: serde
/// loses the JSON path below a flattened body, so the body is read apart.
#[derive(serde::Deserialize)]
struct Common {
    #[serde(default)]
    vin: Option<Vin>,
    #[serde(with = "super::serde_time")]
    event_time: i64,
    #[serde(default, with = "super::serde_hex")]
    nonce: Vec<u8>,
    #[serde(default)]
    attachments: Vec<Attachment>,
}

fn kind_names() -> String {
    RecordKind::ALL
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Record {
    /// A record with no nonce and no attachments.
    #[must_use]
    pub const fn new(vin: Option<Vin>, event_time: i64, body: RecordBody) -> Self {
        Self {
            vin,
            event_time,
            nonce: Vec::new(),
            attachments: Vec::new(),
            body,
        }
    }

    /// Parses the JSON form strictly: unknown fields anywhere are refused
    /// (a typo must not silently drop a field), and there is exactly one
    /// body. The VIN is read in upper case (`lvshffal5df123456` is
    /// `LVSHFFAL5DF123456`), so the record signed holds it in upper case.
    ///
    /// # Errors
    /// A [`JsonError`] naming the problem and the field's JSON path.
    pub fn from_json(text: &str) -> Result<Self, JsonError> {
        Self::from_json_value(serde_json::from_str(text).map_err(JsonError::Syntax)?)
    }

    /// [`Record::from_json`] on parsed JSON.
    ///
    /// # Errors
    /// A [`JsonError`] naming the problem and the field's JSON path.
    pub fn from_json_value(value: serde_json::Value) -> Result<Self, JsonError> {
        let serde_json::Value::Object(mut object) = value else {
            return Err(JsonError::NotObject);
        };
        let mut bodies = Vec::new();
        for key in object.keys() {
            if RecordKind::ALL.iter().any(|k| k.name() == key) {
                bodies.push(key.clone());
            } else if !matches!(key.as_str(), "vin" | "event_time" | "nonce" | "attachments") {
                return Err(JsonError::UnknownField(key.clone()));
            }
        }
        let [kind] = bodies.as_slice() else {
            return Err(JsonError::BodyCount {
                found: bodies.len(),
            });
        };
        if let Some(serde_json::Value::String(vin)) = object.get_mut("vin") {
            vin.make_ascii_uppercase();
        }
        let body_value = object.remove(kind).unwrap_or_default();
        let body: RecordBody = at_path(serde_json::Value::Object(
            std::iter::once((kind.clone(), body_value)).collect(),
        ))?;
        let common: Common = at_path(serde_json::Value::Object(object))?;
        Ok(Self {
            vin: common.vin,
            event_time: common.event_time,
            nonce: common.nonce,
            attachments: common.attachments,
            body,
        })
    }

    /// The record's kind.
    #[must_use]
    pub const fn kind(&self) -> RecordKind {
        self.body.kind()
    }

    /// Whether the record carries a document of `kind`.
    #[must_use]
    pub fn has_document(&self, kind: DocumentKind) -> bool {
        self.attachments.iter().any(|a| a.kind == kind)
    }

    /// Every date the record states about the past — its event time and the
    /// dates in its body — with the field's name.
    #[must_use]
    pub fn past_dates(&self) -> Vec<(&'static str, i64)> {
        let mut dates = vec![("record.event_time", self.event_time)];
        dates.extend(self.body.past_dates());
        dates
    }

    /// The canonical protobuf encoding: the bytes a submitter signs.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        pb::Record::from(self).encode_to_vec()
    }

    /// Decodes and validates record bytes.
    ///
    /// The bytes must be the canonical encoding of the record they decode
    /// to (fields in order, no unknown fields, no default values written
    /// out), so that one record has exactly one byte string and nothing
    /// hides in fields this version does not know.
    ///
    /// # Errors
    /// A [`FieldError`] naming the first field that is wrong.
    pub fn decode(bytes: &[u8]) -> Result<Self, FieldError> {
        let msg =
            pb::Record::decode(bytes).map_err(|_| FieldError::new("record", Reason::Encoding))?;
        let record = Self::try_from(msg)?;
        if record.encode() != bytes {
            return Err(FieldError::new("record", Reason::NonCanonical));
        }
        Ok(record)
    }

    /// The checks that need the VIN or the attachments as well as the body.
    fn check_whole(&self) -> Result<(), FieldError> {
        let needs = |kind: DocumentKind, language: Language| {
            if self
                .attachments
                .iter()
                .any(|a| a.kind == kind && a.language == language)
            {
                Ok(())
            } else {
                Err(FieldError::new(
                    "record.attachments",
                    Reason::NeedsDocument {
                        kind: kind.name(),
                        language: language.name(),
                    },
                ))
            }
        };
        match (&self.body, &self.vin) {
            (RecordBody::Factory(f), Some(vin)) => f.check_model_year(vin),
            (RecordBody::Inspection(_), _) => {
                needs(DocumentKind::Report, Language::Zh)?;
                needs(DocumentKind::Report, Language::En)
            }
            (RecordBody::Compliance(_), _) => {
                if self.has_document(DocumentKind::Certificate) {
                    Ok(())
                } else {
                    Err(FieldError::new(
                        "record.attachments",
                        Reason::NeedsDocument {
                            kind: DocumentKind::Certificate.name(),
                            language: "zh or en",
                        },
                    ))
                }
            }
            (RecordBody::Correction(c), vin) => match &c.replacement {
                Some(r) if r.vin.as_ref() != vin.as_ref() => Err(FieldError::new(
                    "correction.replacement",
                    Reason::Inconsistent("record.vin"),
                )),
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

impl TryFrom<pb::Record> for Record {
    type Error = FieldError;
    fn try_from(msg: pb::Record) -> Result<Self, FieldError> {
        let body: RecordBody = msg
            .body
            .ok_or_else(|| FieldError::new("record.body", Reason::Missing))?
            .try_into()?;
        let vin = if body.kind().needs_vin() {
            if msg.vin.is_empty() {
                return Err(FieldError::new("record.vin", Reason::Missing));
            }
            Some(Vin::parse(&msg.vin).map_err(|e| FieldError::new("record.vin", e.into()))?)
        } else {
            if !msg.vin.is_empty() {
                return Err(FieldError::new("record.vin", Reason::NotAllowed));
            }
            None
        };
        if msg.nonce.len() > MAX_NONCE_LEN {
            return Err(FieldError::new(
                "record.nonce",
                Reason::TooLong { max: MAX_NONCE_LEN },
            ));
        }
        // 0 is protobuf's "not set"; times before 1970 are negative.
        date("record.event_time", msg.event_time)?;
        at_most("record.attachments", &msg.attachments, MAX_ATTACHMENTS)?;
        let attachments = msg
            .attachments
            .into_iter()
            .map(Attachment::try_from)
            .collect::<Result<_, _>>()?;
        let record = Self {
            vin,
            event_time: msg.event_time,
            nonce: msg.nonce,
            attachments,
            body,
        };
        record.check_whole()?;
        Ok(record)
    }
}

impl From<&Record> for pb::Record {
    fn from(r: &Record) -> Self {
        Self {
            vin: r
                .vin
                .as_ref()
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default(),
            event_time: r.event_time,
            nonce: r.nonce.clone(),
            attachments: r.attachments.iter().map(Into::into).collect(),
            body: Some((&r.body).into()),
        }
    }
}
