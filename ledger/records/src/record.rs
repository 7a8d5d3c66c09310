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
    /// Not JSON, or a field of the wrong type or value.
    #[error("{0}")]
    Syntax(#[from] serde_json::Error),
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
    /// (a typo must not silently drop a field), and there is exactly one body.
    ///
    /// # Errors
    /// A [`JsonError`] naming the problem.
    pub fn from_json(text: &str) -> Result<Self, JsonError> {
        Self::from_json_value(serde_json::from_str(text)?)
    }

    /// [`Record::from_json`] on parsed JSON.
    ///
    /// # Errors
    /// A [`JsonError`] naming the problem.
    pub fn from_json_value(value: serde_json::Value) -> Result<Self, JsonError> {
        let object = value.as_object().ok_or(JsonError::NotObject)?;
        let mut bodies = 0;
        for key in object.keys() {
            if RecordKind::ALL.iter().any(|k| k.name() == key) {
                bodies += 1;
            } else if !matches!(key.as_str(), "vin" | "event_time" | "nonce" | "attachments") {
                return Err(JsonError::UnknownField(key.clone()));
            }
        }
        if bodies != 1 {
            return Err(JsonError::BodyCount { found: bodies });
        }
        Ok(serde_json::from_value(value)?)
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
