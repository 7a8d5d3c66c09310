//! Record kinds: what a record says, as vledger's own types.
//!
//! Each kind converts from its protobuf message with `TryFrom`, refusing
//! missing or unspecified fields, and back with `From`.

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use vledger_proto::v1 as pb;

use super::error::{FieldError, Reason};
use super::keys::{Role, public_key_from_bytes};

/// The kind of a record: which body it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordKind {
    /// [`OdometerReading`].
    OdometerReading,
    /// [`KeyEnrollment`].
    KeyEnrollment,
    /// [`KeyRevocation`].
    KeyRevocation,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [
        Self::OdometerReading,
        Self::KeyEnrollment,
        Self::KeyRevocation,
    ];

    /// The kind's name as written in JSON and in the documentation.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::OdometerReading => "odometer_reading",
            Self::KeyEnrollment => "key_enrollment",
            Self::KeyRevocation => "key_revocation",
        }
    }

    /// Whether records of this kind are about a vehicle and so need a VIN.
    /// Key records are about the log's own keys and carry none.
    #[must_use]
    pub const fn needs_vin(self) -> bool {
        !matches!(self, Self::KeyEnrollment | Self::KeyRevocation)
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a record says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordBody {
    /// An odometer reading.
    OdometerReading(OdometerReading),
    /// Enrolls a submitter key.
    KeyEnrollment(KeyEnrollment),
    /// Revokes a submitter key.
    KeyRevocation(KeyRevocation),
}

impl RecordBody {
    /// The body's kind.
    #[must_use]
    pub const fn kind(&self) -> RecordKind {
        match self {
            Self::OdometerReading(_) => RecordKind::OdometerReading,
            Self::KeyEnrollment(_) => RecordKind::KeyEnrollment,
            Self::KeyRevocation(_) => RecordKind::KeyRevocation,
        }
    }
}

/// Unit of a distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistanceUnit {
    /// Kilometres.
    Km,
    /// Statute miles.
    Miles,
}

/// Where an odometer reading was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OdometerSource {
    /// Read off the instrument cluster.
    Dashboard,
    /// Read over the on-board diagnostics port.
    Obd,
    /// Read during an inspection.
    Inspection,
    /// Read during a service.
    Service,
}

/// An odometer reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdometerReading {
    /// The reading.
    pub value: u64,
    /// Its unit.
    pub unit: DistanceUnit,
    /// Where it was read.
    pub source: OdometerSource,
}

/// Enrolls a submitter key with a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEnrollment {
    /// The key being enrolled.
    #[serde(with = "super::serde_key")]
    pub public_key: VerifyingKey,
    /// What it may sign.
    pub role: Role,
    /// The organisation holding the key (never a natural person).
    pub name: String,
}

/// Revokes a submitter key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRevocation {
    /// The key being revoked.
    #[serde(with = "super::serde_key")]
    pub public_key: VerifyingKey,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// Longest organisation name or revocation reason, in bytes.
pub const MAX_TEXT_LEN: usize = 256;

fn text(field: &'static str, s: String) -> Result<String, FieldError> {
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

impl TryFrom<pb::record::Body> for RecordBody {
    type Error = FieldError;
    fn try_from(body: pb::record::Body) -> Result<Self, FieldError> {
        use pb::record::Body as B;
        Ok(match body {
            B::OdometerReading(o) => Self::OdometerReading(OdometerReading {
                value: o.value,
                unit: match pb::DistanceUnit::try_from(o.unit) {
                    Ok(pb::DistanceUnit::Km) => DistanceUnit::Km,
                    Ok(pb::DistanceUnit::Miles) => DistanceUnit::Miles,
                    _ => {
                        return Err(FieldError::new(
                            "odometer_reading.unit",
                            Reason::Unspecified,
                        ));
                    }
                },
                source: match pb::OdometerSource::try_from(o.source) {
                    Ok(pb::OdometerSource::Dashboard) => OdometerSource::Dashboard,
                    Ok(pb::OdometerSource::Obd) => OdometerSource::Obd,
                    Ok(pb::OdometerSource::Inspection) => OdometerSource::Inspection,
                    Ok(pb::OdometerSource::Service) => OdometerSource::Service,
                    _ => {
                        return Err(FieldError::new(
                            "odometer_reading.source",
                            Reason::Unspecified,
                        ));
                    }
                },
            }),
            B::KeyEnrollment(k) => Self::KeyEnrollment(KeyEnrollment {
                public_key: public_key_from_bytes("key_enrollment.public_key", &k.public_key)?,
                role: Role::try_from(k.role)
                    .map_err(|()| FieldError::new("key_enrollment.role", Reason::Unspecified))?,
                name: text("key_enrollment.name", k.name)?,
            }),
            B::KeyRevocation(k) => Self::KeyRevocation(KeyRevocation {
                public_key: public_key_from_bytes("key_revocation.public_key", &k.public_key)?,
                reason: text("key_revocation.reason", k.reason)?,
            }),
        })
    }
}

impl From<&RecordBody> for pb::record::Body {
    fn from(body: &RecordBody) -> Self {
        match body {
            RecordBody::OdometerReading(o) => Self::OdometerReading(pb::OdometerReading {
                value: o.value,
                unit: match o.unit {
                    DistanceUnit::Km => pb::DistanceUnit::Km,
                    DistanceUnit::Miles => pb::DistanceUnit::Miles,
                }
                .into(),
                source: match o.source {
                    OdometerSource::Dashboard => pb::OdometerSource::Dashboard,
                    OdometerSource::Obd => pb::OdometerSource::Obd,
                    OdometerSource::Inspection => pb::OdometerSource::Inspection,
                    OdometerSource::Service => pb::OdometerSource::Service,
                }
                .into(),
            }),
            RecordBody::KeyEnrollment(k) => Self::KeyEnrollment(pb::KeyEnrollment {
                public_key: k.public_key.to_bytes().to_vec(),
                role: pb::Role::from(k.role).into(),
                name: k.name.clone(),
            }),
            RecordBody::KeyRevocation(k) => Self::KeyRevocation(pb::KeyRevocation {
                public_key: k.public_key.to_bytes().to_vec(),
                reason: k.reason.clone(),
            }),
        }
    }
}
