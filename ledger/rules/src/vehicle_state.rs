//! What the log knows about one vehicle, and how each record changes it:
//! the per-VIN half of the sequencing rules.
//!
//! Everything here is a pure function of a [`VehicleState`] and a record.
//! The sequencer keeps the states in its store, an auditor in memory; both
//! run the same functions, so every refusal and every flag is re-derivable
//! from the log alone.

use vledger_records::{
    Brands, Component, CustomsDirection, DeregistrationReason, DocumentKind, EARLY_EXPORT_DAYS,
    FieldError, Flag, Odometer, Reason, Record, RecordBody, RecordKind,
};

/// Where a fact about a vehicle came from: the entry that stated it.
pub type Source = u64;

/// The engine number known from one entry (the factory record or an engine
/// change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineFact {
    /// The entry.
    pub index: Source,
    /// The engine (or drive-motor) number.
    pub number: String,
}

/// An odometer value and the entry that stated it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OdometerPoint {
    /// The entry.
    pub index: Source,
    /// The value.
    pub reading: Odometer,
}

/// What the log knows about one vehicle, as the rules need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VehicleState {
    /// The factory record's entry and the component whose number is the
    /// engine number.
    pub factory: Option<(Source, Component)>,
    /// The engine numbers, oldest first: the factory's, then each change.
    /// The last is the current one. Empty without a factory record.
    pub engines: Vec<EngineFact>,
    /// Odometer values since the last instrument-cluster change.
    pub odometer: Vec<OdometerPoint>,
    /// The first-registration date and the entry that stated it.
    pub first_registration: Option<(Source, i64)>,
    /// The deregistration in force, if any.
    pub deregistration: Option<(Source, DeregistrationReason)>,
    /// Every damage brand ever logged. Never shrinks.
    pub brands: Brands,
    /// The first entry carrying an after-sales confirmation.
    pub after_sales_confirmation: Option<Source>,
}

/// An earlier record that a correction or a claim points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRecord {
    /// Its VIN (`None` for key records and protocol declarations).
    pub vin: Option<vledger_records::Vin>,
    /// Its kind.
    pub kind: RecordKind,
    /// Its signer's key.
    pub signer: [u8; 32],
    /// The brands it carries (for damage records).
    pub brands: Brands,
}

impl LoggedRecord {
    /// The summary of a logged record.
    #[must_use]
    pub fn of(record: &Record, signer: &ed25519_dalek::VerifyingKey) -> Self {
        Self {
            vin: record.vin.clone(),
            kind: record.kind(),
            signer: signer.to_bytes(),
            brands: brands(&record.body),
        }
    }
}

fn brands(body: &RecordBody) -> Brands {
    match body {
        RecordBody::Damage(d) => d.brands(),
        _ => Brands::default(),
    }
}

/// Seconds in a day.
const DAY: i64 = 86_400;

impl VehicleState {
    /// The highest odometer value since the last cluster change (the
    /// earliest entry among equals).
    #[must_use]
    pub fn highest_odometer(&self) -> Option<OdometerPoint> {
        self.odometer.iter().copied().reduce(|best, p| {
            if p.reading.least_mm() > best.reading.least_mm() {
                p
            } else {
                best
            }
        })
    }

    /// The current engine number and where it comes from.
    #[must_use]
    pub fn engine(&self) -> Option<&EngineFact> {
        self.engines.last()
    }

    /// Applies a record (other than a correction) logged at `index` and
    /// returns its flags.
    ///
    /// # Errors
    /// A [`FieldError`] for a record the state refuses (a second factory
    /// record); the state is then unchanged.
    pub fn apply(&mut self, index: u64, record: &Record) -> Result<Vec<Flag>, FieldError> {
        let mut flags = Vec::new();
        if let Some((at, reason)) = self.deregistration
            && reason != DeregistrationReason::Export
        {
            flags.push(Flag::ActivityAfterDeregistration {
                deregistration_index: at,
                reason,
            });
        }
        if record.has_document(DocumentKind::AfterSalesConfirmation)
            && self.after_sales_confirmation.is_none()
        {
            self.after_sales_confirmation = Some(index);
        }
        let mut odometer = record.body.odometer();
        match &record.body {
            RecordBody::Factory(f) => {
                if let Some((at, _)) = self.factory {
                    return Err(FieldError::new("factory", Reason::SecondFactory { at }));
                }
                self.factory = Some((index, f.powertrain.prime_mover()));
                self.engines = vec![EngineFact {
                    index,
                    number: f.engine_number.clone(),
                }];
            }
            RecordBody::Registration(r) => {
                if self.first_registration.is_none() {
                    self.first_registration = Some((index, r.first_registration_date));
                }
                // A registration puts a deregistered vehicle back on the road.
                self.deregistration = None;
            }
            RecordBody::ComponentChange(c) => {
                if c.component == Component::InstrumentCluster {
                    // A new cluster starts a new series of readings.
                    self.odometer = vec![OdometerPoint {
                        index,
                        reading: c.odometer,
                    }];
                    odometer = None;
                } else if self.factory.map(|(_, c)| c) == Some(c.component) {
                    if let Some(e) = self.engine()
                        && e.number != c.old_number
                    {
                        flags.push(engine_mismatch(&c.old_number, e));
                    }
                    self.engines.push(EngineFact {
                        index,
                        number: c.new_number.clone(),
                    });
                }
            }
            RecordBody::Damage(d) => self.brands.0 |= d.brands().0,
            RecordBody::Deregistration(d) => self.deregistration = Some((index, d.reason)),
            _ => {}
        }
        if let Some(reading) = odometer {
            if let Some(top) = self.highest_odometer()
                && reading.certainly_below(top.reading)
            {
                flags.push(Flag::OdometerRollback {
                    reading,
                    earlier: top.reading,
                    earlier_index: top.index,
                });
            }
            self.odometer.push(OdometerPoint { index, reading });
        }
        if let (Some(found), Some(e)) = (record.body.reported_engine_number(), self.engine())
            && found != e.number
        {
            flags.push(engine_mismatch(found, e));
        }
        let export = match &record.body {
            RecordBody::ExportLicense(_) => true,
            RecordBody::CustomsClearance(c) => c.direction == CustomsDirection::Export,
            _ => false,
        };
        if export
            && self.after_sales_confirmation.is_none()
            && let Some((at, date)) = self.first_registration
        {
            let elapsed = record.event_time.saturating_sub(date);
            if elapsed < i64::from(EARLY_EXPORT_DAYS) * DAY {
                flags.push(Flag::EarlyExport {
                    first_registration_date: date,
                    registration_index: at,
                    days: u32::try_from(elapsed.max(0) / DAY).unwrap_or(0),
                });
            }
        }
        Ok(flags)
    }

    /// Applies a correction of `target` (logged at `target_index`) that
    /// replaces it with `replacement`, or withdraws it for `None`: every
    /// fact the target stated is restated from the replacement, or dropped.
    ///
    /// # Errors
    /// [`Reason::DropsBrand`] when the replacement lacks a brand of the
    /// target (a withdrawn damage record lacks them all); the state is then
    /// unchanged.
    pub fn correct(
        &mut self,
        target_index: u64,
        target: &LoggedRecord,
        replacement: Option<&Record>,
        index: u64,
    ) -> Result<(), FieldError> {
        let kept = replacement.map_or_else(Brands::default, |r| brands(&r.body));
        if let Some(brand) = target.brands.missing_from(kept).next() {
            return Err(FieldError::new(
                "correction.replacement",
                Reason::DropsBrand {
                    brand: brand.name(),
                },
            ));
        }
        self.brands.0 |= kept.0;
        let body = replacement.map(|r| &r.body);
        if let Some((at, _)) = self.factory
            && at == target_index
        {
            match body {
                Some(RecordBody::Factory(f)) => {
                    self.factory = Some((at, f.powertrain.prime_mover()));
                }
                _ => self.factory = None,
            }
        }
        let new_engine = match body {
            Some(RecordBody::Factory(f)) => Some(f.engine_number.clone()),
            Some(RecordBody::ComponentChange(c))
                if self.factory.map(|(_, p)| p) == Some(c.component) =>
            {
                Some(c.new_number.clone())
            }
            _ => None,
        };
        if let Some(pos) = self.engines.iter().position(|e| e.index == target_index) {
            match new_engine {
                Some(number) => self.engines[pos].number = number,
                None => {
                    self.engines.remove(pos);
                }
            }
        }
        if self.factory.is_none() {
            self.engines.clear();
        }
        if let Some(pos) = self.odometer.iter().position(|p| p.index == target_index) {
            match body.and_then(RecordBody::odometer) {
                Some(reading) => self.odometer[pos].reading = reading,
                None => {
                    self.odometer.remove(pos);
                }
            }
        }
        if let Some((at, _)) = self.first_registration
            && at == target_index
        {
            self.first_registration = match body {
                Some(RecordBody::Registration(r)) => Some((at, r.first_registration_date)),
                _ => None,
            };
        }
        if let Some((at, _)) = self.deregistration
            && at == target_index
        {
            self.deregistration = match body {
                Some(RecordBody::Deregistration(d)) => Some((at, d.reason)),
                _ => None,
            };
        }
        let confirms =
            replacement.is_some_and(|r| r.has_document(DocumentKind::AfterSalesConfirmation));
        match self.after_sales_confirmation {
            Some(at) if at == target_index && !confirms => self.after_sales_confirmation = None,
            None if confirms => self.after_sales_confirmation = Some(index),
            _ => {}
        }
        Ok(())
    }
}

fn engine_mismatch(found: &str, expected: &EngineFact) -> Flag {
    Flag::EngineNumberMismatch {
        found: found.to_owned(),
        expected: expected.number.clone(),
        expected_index: expected.index,
    }
}
