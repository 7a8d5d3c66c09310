//! Flags: what the sequencer found suspicious about a record it logged.
//!
//! A flag never stops a record from being logged — hiding a suspicious
//! record would hide the fraud — but it is written into the entry, returned
//! in the receipt and shown wherever the entry is. The rules compute flags
//! from earlier entries alone (the sequencing rules, `vledger-rules`), so an auditor replaying
//! the log recomputes every one and refuses an entry whose flags differ.

use std::fmt;

use vledger_proto::v1 as pb;

use super::error::{FieldError, Reason};
use super::fields::{DistanceUnit, Odometer, identifier};
use super::format_time;
use super::vehicle_events::DeregistrationReason;

/// Exports sooner than this after first registration need an after-sales
/// confirmation, or are flagged.
pub const EARLY_EXPORT_DAYS: u32 = 180;

/// A suspicious fact about a logged record, with what it was measured against.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Flag {
    /// An odometer lower than an earlier one (after unit conversion), with
    /// no instrument-cluster change in between.
    OdometerRollback {
        /// What this record says.
        reading: Odometer,
        /// The highest earlier reading since the last cluster change.
        earlier: Odometer,
        /// The entry of that reading.
        earlier_index: u64,
    },
    /// An engine number other than the one the log knows, without a
    /// component change that explains it.
    EngineNumberMismatch {
        /// What this record says.
        found: String,
        /// What the log says.
        expected: String,
        /// The entry the expected number comes from (factory record or
        /// last engine change).
        expected_index: u64,
    },
    /// A record about a vehicle deregistered for a reason other than export.
    ActivityAfterDeregistration {
        /// The deregistration's entry.
        deregistration_index: u64,
        /// Its reason.
        reason: DeregistrationReason,
    },
    /// An export less than [`EARLY_EXPORT_DAYS`] after first registration,
    /// with no after-sales confirmation in the history.
    EarlyExport {
        /// The first registration date.
        first_registration_date: i64,
        /// The entry that recorded it.
        registration_index: u64,
        /// Whole days from first registration to the export.
        days: u32,
    },
}

impl Flag {
    /// The flag's name, as in JSON and on screen.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::OdometerRollback { .. } => "odometer_rollback",
            Self::EngineNumberMismatch { .. } => "engine_number_mismatch",
            Self::ActivityAfterDeregistration { .. } => "activity_after_deregistration",
            Self::EarlyExport { .. } => "early_export",
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (", self.name())?;
        match self {
            Self::OdometerRollback {
                reading,
                earlier,
                earlier_index,
            } => write!(f, "reading {reading} < {earlier} at entry {earlier_index}")?,
            Self::EngineNumberMismatch {
                found,
                expected,
                expected_index,
            } => write!(
                f,
                "engine number {found} differs from {expected} recorded at entry {expected_index}"
            )?,
            Self::ActivityAfterDeregistration {
                deregistration_index,
                reason,
            } => write!(f, "deregistered at entry {deregistration_index}: {reason}")?,
            Self::EarlyExport {
                first_registration_date,
                registration_index,
                days,
            } => {
                let date = format_time(*first_registration_date);
                let date = date.split('T').next().unwrap_or(&date);
                write!(
                    f,
                    "{days} days after first registration on {date} at entry {registration_index}, with no after-sales confirmation"
                )?;
            }
        }
        f.write_str(")")
    }
}

fn odometer(field: &'static str, o: Option<pb::Odometer>) -> Result<Odometer, FieldError> {
    let o = o.ok_or_else(|| FieldError::new(field, Reason::Missing))?;
    Ok(Odometer {
        value: o.value,
        unit: DistanceUnit::from_proto(field, o.unit)?,
    })
}

impl TryFrom<pb::Flag> for Flag {
    type Error = FieldError;
    fn try_from(f: pb::Flag) -> Result<Self, FieldError> {
        use pb::flag::Kind;
        const FIELD: &str = "entry.record.flags";
        Ok(
            match f
                .kind
                .ok_or_else(|| FieldError::new(FIELD, Reason::Missing))?
            {
                Kind::OdometerRollback(r) => Self::OdometerRollback {
                    reading: odometer(FIELD, r.reading)?,
                    earlier: odometer(FIELD, r.earlier)?,
                    earlier_index: r.earlier_index,
                },
                Kind::EngineNumberMismatch(m) => Self::EngineNumberMismatch {
                    found: identifier(FIELD, m.found)?,
                    expected: identifier(FIELD, m.expected)?,
                    expected_index: m.expected_index,
                },
                Kind::ActivityAfterDeregistration(a) => Self::ActivityAfterDeregistration {
                    deregistration_index: a.deregistration_index,
                    reason: DeregistrationReason::from_proto(FIELD, a.reason)?,
                },
                Kind::EarlyExport(e) => Self::EarlyExport {
                    first_registration_date: e.first_registration_date,
                    registration_index: e.registration_index,
                    days: e.days,
                },
            },
        )
    }
}

impl From<&Flag> for pb::Flag {
    fn from(f: &Flag) -> Self {
        use pb::flag::Kind;
        let kind = match f {
            Flag::OdometerRollback {
                reading,
                earlier,
                earlier_index,
            } => Kind::OdometerRollback(pb::OdometerRollback {
                reading: Some((*reading).into()),
                earlier: Some((*earlier).into()),
                earlier_index: *earlier_index,
            }),
            Flag::EngineNumberMismatch {
                found,
                expected,
                expected_index,
            } => Kind::EngineNumberMismatch(pb::EngineNumberMismatch {
                found: found.clone(),
                expected: expected.clone(),
                expected_index: *expected_index,
            }),
            Flag::ActivityAfterDeregistration {
                deregistration_index,
                reason,
            } => Kind::ActivityAfterDeregistration(pb::ActivityAfterDeregistration {
                deregistration_index: *deregistration_index,
                reason: reason.to_proto(),
            }),
            Flag::EarlyExport {
                first_registration_date,
                registration_index,
                days,
            } => Kind::EarlyExport(pb::EarlyExport {
                first_registration_date: *first_registration_date,
                registration_index: *registration_index,
                days: *days,
            }),
        };
        Self { kind: Some(kind) }
    }
}

/// Reads the flags of a protobuf message (an entry or an append response).
///
/// # Errors
/// A [`FieldError`] on `entry.record.flags`.
pub fn flags_from_proto(flags: Vec<pb::Flag>) -> Result<Vec<Flag>, FieldError> {
    flags.into_iter().map(Flag::try_from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_as_sentences_and_round_trip() {
        let flags = [
            Flag::OdometerRollback {
                reading: Odometer {
                    value: 52_000,
                    unit: DistanceUnit::Km,
                },
                earlier: Odometer {
                    value: 80_000,
                    unit: DistanceUnit::Km,
                },
                earlier_index: 17,
            },
            Flag::EngineNumberMismatch {
                found: "G4FG-B999".into(),
                expected: "G4FG-A123".into(),
                expected_index: 3,
            },
            Flag::ActivityAfterDeregistration {
                deregistration_index: 40,
                reason: DeregistrationReason::EndOfLife,
            },
            Flag::EarlyExport {
                first_registration_date: 1_767_225_600,
                registration_index: 12,
                days: 89,
            },
        ];
        let text: Vec<String> = flags.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "odometer_rollback (reading 52,000 km < 80,000 km at entry 17)",
                "engine_number_mismatch (engine number G4FG-B999 differs from G4FG-A123 recorded at entry 3)",
                "activity_after_deregistration (deregistered at entry 40: end_of_life)",
                "early_export (89 days after first registration on 2026-01-01 at entry 12, with no after-sales confirmation)",
            ]
        );
        for f in flags {
            assert_eq!(Flag::try_from(pb::Flag::from(&f)).unwrap(), f);
        }
        assert!(Flag::try_from(pb::Flag { kind: None }).is_err());
    }
}
