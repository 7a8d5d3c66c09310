//! A record's shape: [`Record`], the kinds of body it carries
//! ([`RecordKind`], [`RecordBody`]) and [`Correction`], which carries a
//! record in turn. These types are defined together because they contain
//! one another; their JSON and protobuf conversions and checks live in
//! `record` and `correction`, the kinds themselves in
//! [`super::vehicle_events`], [`super::inspection`] and [`super::trade`].
//!
//! Each kind converts from its protobuf message with `TryFrom`, refusing
//! missing, unspecified or oversized fields, and back with `From`.

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Deserializer, Serialize};
use vledger_proto::v1 as pb;

use super::error::{FieldError, Reason};
use super::fields::{Attachment, Odometer, proto_enum, text};
use super::inspection::{Compliance, Inspection, InspectionProtocol};
use super::keys::{Role, public_key_from_bytes};
use super::trade::{Claim, CustomsClearance, ExportLicense};
use super::vehicle_events::{
    ComponentChange, Damage, Deregistration, Factory, Maintenance, OwnershipTransfer, Registration,
};
use super::vin::Vin;

/// A record as vledger understands it.
///
/// Its JSON form (what `vledger submit` reads) is
/// `{"vin": "...", "event_time": "2026-11-01T08:30:00Z", "attachments": [...], "<kind>": {...}}`;
/// see `docs/records.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The vehicle, for vehicle records; `None` for key records and
    /// protocol declarations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vin: Option<Vin>,
    /// When the event happened, in seconds since the Unix epoch.
    #[serde(with = "super::serde_time")]
    pub event_time: i64,
    /// Optional bytes that make otherwise identical records distinct.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "super::serde_hex"
    )]
    pub nonce: Vec<u8>,
    /// Documents about the record, by hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// What the record says.
    #[serde(flatten)]
    pub body: RecordBody,
}

/// A correction of an earlier record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// Leaf index of the entry corrected.
    pub target_index: u64,
    /// Why.
    pub reason: String,
    /// The corrected record; `None` withdraws the original.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_record"
    )]
    pub replacement: Option<Box<Record>>,
}

/// Reads a nested record with the same strictness as a top-level one.
fn strict_record<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Box<Record>>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Record::from_json_value(value)
        .map(|r| Some(Box::new(r)))
        .map_err(|e| serde::de::Error::custom(e.nested()))
}

/// Declares [`RecordKind`] and [`RecordBody`] with one line per kind.
macro_rules! kinds {
    ($($(#[$doc:meta])* $kind:ident($ty:ty) = $name:literal, $code:literal),+ $(,)?) => {
        /// The kind of a record: which body it carries.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum RecordKind {
            $($(#[$doc])* #[serde(rename = $name)] $kind),+
        }

        impl RecordKind {
            /// Every kind, in the order of `docs/records.md`.
            pub const ALL: &'static [Self] = &[$(Self::$kind),+];

            /// The kind's name as written in JSON and in the documentation.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $(Self::$kind => $name),+ }
            }

            /// The kind's field number in `Record.body`, its code in stored state.
            #[must_use]
            pub const fn code(self) -> u8 {
                match self { $(Self::$kind => $code),+ }
            }

            /// The kind with field number `code`.
            #[must_use]
            pub const fn from_code(code: u8) -> Option<Self> {
                match code { $($code => Some(Self::$kind),)+ _ => None }
            }
        }

        /// What a record says.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum RecordBody {
            $($(#[$doc])* #[serde(rename = $name)] $kind($ty)),+
        }

        impl RecordBody {
            /// The body's kind.
            #[must_use]
            pub const fn kind(&self) -> RecordKind {
                match self { $(Self::$kind(_) => RecordKind::$kind),+ }
            }
        }

        impl TryFrom<pb::record::Body> for RecordBody {
            type Error = FieldError;
            fn try_from(body: pb::record::Body) -> Result<Self, FieldError> {
                Ok(match body { $(pb::record::Body::$kind(b) => Self::$kind(b.try_into()?)),+ })
            }
        }

        impl From<&RecordBody> for pb::record::Body {
            fn from(body: &RecordBody) -> Self {
                match body { $(RecordBody::$kind(b) => Self::$kind(b.into())),+ }
            }
        }
    };
}

kinds! {
    /// [`Factory`]: the vehicle as built. Once per VIN.
    Factory(Factory) = "factory", 13,
    /// [`Registration`].
    Registration(Registration) = "registration", 14,
    /// [`OwnershipTransfer`].
    OwnershipTransfer(OwnershipTransfer) = "ownership_transfer", 15,
    /// [`OdometerReading`].
    OdometerReading(OdometerReading) = "odometer_reading", 10,
    /// [`Maintenance`].
    Maintenance(Maintenance) = "maintenance", 16,
    /// [`ComponentChange`].
    ComponentChange(ComponentChange) = "component_change", 17,
    /// [`Damage`].
    Damage(Damage) = "damage", 18,
    /// [`Inspection`].
    Inspection(Inspection) = "inspection", 19,
    /// [`InspectionProtocol`]: declares a protocol's items.
    InspectionProtocol(InspectionProtocol) = "inspection_protocol", 20,
    /// [`ExportLicense`].
    ExportLicense(ExportLicense) = "export_license", 21,
    /// [`CustomsClearance`].
    CustomsClearance(CustomsClearance) = "customs_clearance", 22,
    /// [`Deregistration`].
    Deregistration(Deregistration) = "deregistration", 23,
    /// [`Compliance`].
    Compliance(Compliance) = "compliance", 24,
    /// [`Claim`].
    Claim(Claim) = "claim", 25,
    /// [`Correction`] of an earlier record.
    Correction(Correction) = "correction", 26,
    /// [`KeyEnrollment`].
    KeyEnrollment(KeyEnrollment) = "key_enrollment", 11,
    /// [`KeyRevocation`].
    KeyRevocation(KeyRevocation) = "key_revocation", 12,
}

impl RecordKind {
    /// Whether records of this kind are about a vehicle and so need a VIN.
    /// Key records and protocol declarations are about the log itself and
    /// carry none.
    #[must_use]
    pub const fn needs_vin(self) -> bool {
        !matches!(
            self,
            Self::KeyEnrollment | Self::KeyRevocation | Self::InspectionProtocol
        )
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for RecordKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown record kind {s:?}"))
    }
}

impl RecordBody {
    /// The odometer value the record states, if any. (For an instrument
    /// cluster change, the new cluster's value.)
    #[must_use]
    pub fn odometer(&self) -> Option<Odometer> {
        match self {
            Self::OdometerReading(o) => Some(Odometer {
                value: o.value,
                unit: o.unit,
            }),
            Self::OwnershipTransfer(t) => Some(t.odometer),
            Self::Maintenance(m) => Some(m.odometer),
            Self::ComponentChange(c) => Some(c.odometer),
            Self::Inspection(i) => i.odometer,
            _ => None,
        }
    }

    /// The engine number the record states having seen on the vehicle, if
    /// any. (Factory records and component changes set engine numbers
    /// rather than report them.)
    #[must_use]
    pub fn reported_engine_number(&self) -> Option<&str> {
        match self {
            Self::Registration(r) => r.engine_number.as_deref(),
            Self::Inspection(i) => i.engine_number.as_deref(),
            Self::ExportLicense(e) => e.engine_number.as_deref(),
            Self::CustomsClearance(c) => c.engine_number.as_deref(),
            _ => None,
        }
    }

    /// Every date the record states about the past, with its field name.
    /// (An export licence's `valid_until` is not one.)
    #[must_use]
    pub fn past_dates(&self) -> Vec<(&'static str, i64)> {
        match self {
            Self::Factory(f) => vec![("factory.manufacture_date", f.manufacture_date)],
            Self::Registration(r) => vec![(
                "registration.first_registration_date",
                r.first_registration_date,
            )],
            _ => Vec::new(),
        }
    }
}

proto_enum! {
    /// Where an odometer reading was taken from.
    OdometerSource => OdometerSource {
        /// Read off the instrument cluster.
        Dashboard = "dashboard",
        /// Read over the on-board diagnostics port.
        Obd = "obd",
        /// Read during an inspection.
        Inspection = "inspection",
        /// Read during a service.
        Service = "service",
    }
}

/// An odometer reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdometerReading {
    /// The reading.
    pub value: u64,
    /// Its unit.
    pub unit: super::fields::DistanceUnit,
    /// Where it was read.
    pub source: OdometerSource,
}

impl TryFrom<pb::OdometerReading> for OdometerReading {
    type Error = FieldError;
    fn try_from(o: pb::OdometerReading) -> Result<Self, FieldError> {
        let Odometer { value, unit } = Odometer::checked(
            "odometer_reading.value",
            "odometer_reading.unit",
            o.value,
            o.unit,
        )?;
        Ok(Self {
            value,
            unit,
            source: OdometerSource::from_proto("odometer_reading.source", o.source)?,
        })
    }
}

impl From<&OdometerReading> for pb::OdometerReading {
    fn from(o: &OdometerReading) -> Self {
        Self {
            value: o.value,
            unit: o.unit.to_proto(),
            source: o.source.to_proto(),
        }
    }
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

impl TryFrom<pb::KeyEnrollment> for KeyEnrollment {
    type Error = FieldError;
    fn try_from(k: pb::KeyEnrollment) -> Result<Self, FieldError> {
        Ok(Self {
            public_key: public_key_from_bytes("key_enrollment.public_key", &k.public_key)?,
            role: Role::try_from(k.role)
                .map_err(|()| FieldError::new("key_enrollment.role", Reason::Unspecified))?,
            name: text("key_enrollment.name", k.name)?,
        })
    }
}

impl From<&KeyEnrollment> for pb::KeyEnrollment {
    fn from(k: &KeyEnrollment) -> Self {
        Self {
            public_key: k.public_key.to_bytes().to_vec(),
            role: pb::Role::from(k.role).into(),
            name: k.name.clone(),
        }
    }
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

impl TryFrom<pb::KeyRevocation> for KeyRevocation {
    type Error = FieldError;
    fn try_from(k: pb::KeyRevocation) -> Result<Self, FieldError> {
        Ok(Self {
            public_key: public_key_from_bytes("key_revocation.public_key", &k.public_key)?,
            reason: text("key_revocation.reason", k.reason)?,
        })
    }
}

impl From<&KeyRevocation> for pb::KeyRevocation {
    fn from(k: &KeyRevocation) -> Self {
        Self {
            public_key: k.public_key.to_bytes().to_vec(),
            reason: k.reason.clone(),
        }
    }
}
