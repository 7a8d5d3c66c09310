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

/// What the log knows about one vehicle, as the rules need it to decide
/// a new record: its size does not grow with the vehicle's history. The
/// facts that do grow (every engine number, every odometer reading) are
/// [`VehicleFacts`], kept beside the state (one fact per entry) and read
/// only to correct one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VehicleState {
    /// The factory record's entry and the component whose number is the
    /// engine number.
    pub factory: Option<(Source, Component)>,
    /// The current engine number: the factory's, or the last change's.
    /// `None` without a factory record.
    pub engine: Option<EngineFact>,
    /// The highest odometer reading of the current series (the earliest
    /// entry among equals).
    pub odometer_top: Option<OdometerPoint>,
    /// The first-registration date and the entry that stated it.
    pub first_registration: Option<(Source, i64)>,
    /// The deregistration in force, if any.
    pub deregistration: Option<(Source, DeregistrationReason)>,
    /// Every damage brand ever logged. Never shrinks.
    pub brands: Brands,
    /// The first entry carrying an after-sales confirmation.
    pub after_sales_confirmation: Option<Source>,
}

/// The facts a vehicle accumulates with its history, one per entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VehicleFacts {
    /// The engine numbers, oldest first: the factory's, then each change.
    pub engines: Vec<EngineFact>,
    /// The odometer readings since the last instrument-cluster change
    /// (a new cluster drops the old series), oldest first.
    pub odometer: Vec<OdometerPoint>,
}

/// One change to a vehicle's [`VehicleFacts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactChange {
    /// Entry `index` states engine number `number`, or (`None`) no longer
    /// states one.
    Engine {
        /// The entry.
        index: Source,
        /// The number it states.
        number: Option<String>,
    },
    /// Entry `index` states odometer reading `reading`, or (`None`) no
    /// longer states one.
    Odometer {
        /// The entry.
        index: Source,
        /// The reading it states.
        reading: Option<Odometer>,
    },
}

impl VehicleFacts {
    /// Takes in one change: sets or removes the fact of its entry, keeping
    /// each list in entry order.
    pub fn apply(&mut self, change: &FactChange) {
        fn set<T>(list: &mut Vec<T>, at: Source, index: impl Fn(&T) -> Source, new: Option<T>) {
            let pos = list.partition_point(|x| index(x) < at);
            let here = list.get(pos).is_some_and(|x| index(x) == at);
            match (new, here) {
                (Some(x), true) => list[pos] = x,
                (Some(x), false) => list.insert(pos, x),
                (None, true) => {
                    list.remove(pos);
                }
                (None, false) => {}
            }
        }
        match change {
            FactChange::Engine { index, number } => set(
                &mut self.engines,
                *index,
                |e| e.index,
                number.clone().map(|number| EngineFact {
                    index: *index,
                    number,
                }),
            ),
            FactChange::Odometer { index, reading } => set(
                &mut self.odometer,
                *index,
                |p| p.index,
                reading.map(|reading| OdometerPoint {
                    index: *index,
                    reading,
                }),
            ),
        }
    }
}

/// The highest reading of `points` (the earliest among equals).
pub(crate) fn highest(points: &[OdometerPoint]) -> Option<OdometerPoint> {
    points.iter().copied().reduce(|best, p| {
        if p.reading.least_mm() > best.reading.least_mm() {
            p
        } else {
            best
        }
    })
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
    pub const fn highest_odometer(&self) -> Option<OdometerPoint> {
        self.odometer_top
    }

    /// The current engine number and where it comes from.
    #[must_use]
    pub const fn engine(&self) -> Option<&EngineFact> {
        self.engine.as_ref()
    }

    /// Applies a record (other than a correction) logged at `index`;
    /// returns its flags and the facts it adds, in constant time whatever
    /// the vehicle's history.
    ///
    /// # Errors
    /// A [`FieldError`] for a record the state refuses (a second factory
    /// record); the state is then unchanged.
    pub fn apply(
        &mut self,
        index: u64,
        record: &Record,
    ) -> Result<(Vec<Flag>, Vec<FactChange>), FieldError> {
        let mut flags = Vec::new();
        let mut facts = Vec::new();
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
                self.engine = Some(EngineFact {
                    index,
                    number: f.engine_number.clone(),
                });
                facts.push(FactChange::Engine {
                    index,
                    number: Some(f.engine_number.clone()),
                });
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
                    self.odometer_top = Some(OdometerPoint {
                        index,
                        reading: c.odometer,
                    });
                    facts.push(FactChange::Odometer {
                        index,
                        reading: Some(c.odometer),
                    });
                    odometer = None;
                } else if self.factory.map(|(_, c)| c) == Some(c.component) {
                    if let Some(e) = self.engine()
                        && e.number != c.old_number
                    {
                        flags.push(engine_mismatch(&c.old_number, e));
                    }
                    self.engine = Some(EngineFact {
                        index,
                        number: c.new_number.clone(),
                    });
                    facts.push(FactChange::Engine {
                        index,
                        number: Some(c.new_number.clone()),
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
            if self
                .odometer_top
                .is_none_or(|top| reading.least_mm() > top.reading.least_mm())
            {
                self.odometer_top = Some(OdometerPoint { index, reading });
            }
            facts.push(FactChange::Odometer {
                index,
                reading: Some(reading),
            });
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
        Ok((flags, facts))
    }

    /// Applies a correction of `target` (logged at `target_index`) that
    /// replaces it with `replacement`, or withdraws it for `None`: every
    /// fact the target stated is restated from the replacement, or dropped.
    /// `facts` are the vehicle's facts before the correction; returns what
    /// changes in them.
    ///
    /// # Errors
    /// [`Reason::DropsBrand`] when the replacement lacks a brand of the
    /// target (a withdrawn damage record lacks them all); the state is then
    /// unchanged.
    pub fn correct(
        &mut self,
        facts: VehicleFacts,
        target_index: u64,
        target: &LoggedRecord,
        replacement: Option<&Record>,
        index: u64,
    ) -> Result<Vec<FactChange>, FieldError> {
        let VehicleFacts {
            mut engines,
            mut odometer,
        } = facts;
        let mut changes = Vec::new();
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
        if let Some(pos) = engines.iter().position(|e| e.index == target_index) {
            changes.push(FactChange::Engine {
                index: target_index,
                number: new_engine.clone(),
            });
            match new_engine {
                Some(number) => engines[pos].number = number,
                None => {
                    engines.remove(pos);
                }
            }
        }
        if self.factory.is_none() {
            for e in engines.drain(..) {
                changes.push(FactChange::Engine {
                    index: e.index,
                    number: None,
                });
            }
        }
        self.engine = engines.pop();
        if let Some(pos) = odometer.iter().position(|p| p.index == target_index) {
            let reading = body.and_then(RecordBody::odometer);
            changes.push(FactChange::Odometer {
                index: target_index,
                reading,
            });
            match reading {
                Some(reading) => odometer[pos].reading = reading,
                None => {
                    odometer.remove(pos);
                }
            }
        }
        self.odometer_top = highest(&odometer);
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
        Ok(changes)
    }
}

fn engine_mismatch(found: &str, expected: &EngineFact) -> Flag {
    Flag::EngineNumberMismatch {
        found: found.to_owned(),
        expected: expected.number.clone(),
        expected_index: expected.index,
    }
}
