//! The kinds of record about a vehicle's life at home: factory,
//! registration, ownership transfers, maintenance, component changes,
//! damage and deregistration.

use serde::{Deserialize, Serialize};
use vledger_proto::v1 as pb;

use super::error::{FieldError, Reason};
use super::fields::{
    Digest, MAX_LIST, Odometer, at_most, date, identifier, optional_identifier, proto_enum,
    required_text, text, text_list,
};
use super::party::PartyCommitment;
use super::vin::Vin;

proto_enum! {
    /// What drives the vehicle.
    Powertrain => Powertrain {
        /// Petrol engine.
        Petrol = "petrol",
        /// Diesel engine.
        Diesel = "diesel",
        /// Hybrid (engine and motor, not plug-in).
        Hybrid = "hybrid",
        /// Plug-in hybrid.
        PlugInHybrid = "plug_in_hybrid",
        /// Battery electric.
        BatteryElectric = "battery_electric",
        /// Fuel-cell electric.
        FuelCell = "fuel_cell",
        /// Natural-gas engine.
        NaturalGas = "natural_gas",
    }
}

impl Powertrain {
    /// The component whose number is the vehicle's "engine number": the
    /// drive motor of an electric vehicle, the engine otherwise.
    #[must_use]
    pub const fn prime_mover(self) -> Component {
        match self {
            Self::BatteryElectric | Self::FuelCell => Component::DriveMotor,
            _ => Component::Engine,
        }
    }
}

proto_enum! {
    /// What a registered vehicle is used for.
    UseType => UseType {
        /// Private use.
        Private = "private",
        /// Commercial use.
        Commercial = "commercial",
        /// Taxi.
        Taxi = "taxi",
        /// Rental.
        Rental = "rental",
    }
}

proto_enum! {
    /// A major component.
    Component => Component {
        /// The engine.
        Engine = "engine",
        /// An electric drive motor.
        DriveMotor = "drive_motor",
        /// The traction battery.
        Battery = "battery",
        /// The instrument cluster (which holds the odometer).
        InstrumentCluster = "instrument_cluster",
    }
}

proto_enum! {
    /// A kind of damage; each becomes a brand on the VIN.
    DamageType => DamageType {
        /// Structural (frame) damage.
        Structural = "structural",
        /// Flooded with fresh water.
        FloodFreshWater = "flood_fresh_water",
        /// Flooded with salt water.
        FloodSaltWater = "flood_salt_water",
        /// Fire.
        Fire = "fire",
        /// Hail.
        Hail = "hail",
        /// Recovered after theft.
        TheftRecovery = "theft_recovery",
        /// Declared a total loss.
        TotalLoss = "total_loss",
        /// The odometer does not show the actual mileage.
        NotActualMileage = "not_actual_mileage",
    }
}

impl DamageType {
    /// The brand's bit in a [`Brands`] set.
    #[must_use]
    pub fn bit(self) -> u16 {
        1 << (self.to_proto() - 1)
    }
}

/// A set of damage brands, as bits of [`DamageType::bit`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Brands(pub u16);

impl Brands {
    /// The brands of `types`.
    #[must_use]
    pub fn of(types: &[DamageType]) -> Self {
        Self(types.iter().fold(0, |acc, t| acc | t.bit()))
    }

    /// The brands in `self` and not in `other`.
    pub fn missing_from(self, other: Self) -> impl Iterator<Item = DamageType> {
        DamageType::ALL
            .iter()
            .copied()
            .filter(move |t| self.0 & t.bit() != 0 && other.0 & t.bit() == 0)
    }

    /// Every brand in the set.
    pub fn iter(self) -> impl Iterator<Item = DamageType> {
        self.missing_from(Self(0))
    }
}

proto_enum! {
    /// Who established damage.
    DamageSource => DamageSource {
        /// An insurance claim.
        InsuranceClaim = "insurance_claim",
        /// A police report.
        PoliceReport = "police_report",
        /// An inspection.
        Inspection = "inspection",
        /// A workshop.
        Workshop = "workshop",
        /// An auction house.
        Auction = "auction",
        /// A registry.
        Registry = "registry",
    }
}

proto_enum! {
    /// Why a vehicle was deregistered.
    DeregistrationReason => DeregistrationReason {
        /// Scrapped or otherwise at the end of its life.
        EndOfLife = "end_of_life",
        /// Exported: the vehicle lives on abroad.
        Export = "export",
        /// Stolen.
        Theft = "theft",
        /// Anything else.
        Other = "other",
    }
}

/// The vehicle as it left the factory. Once per VIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factory {
    /// Make.
    pub make: String,
    /// Model.
    pub model: String,
    /// Model year.
    pub model_year: u32,
    /// Manufacture date, seconds since the Unix epoch.
    #[serde(with = "super::serde_time")]
    pub manufacture_date: i64,
    /// Engine number (drive-motor number of an electric vehicle).
    pub engine_number: String,
    /// Powertrain.
    pub powertrain: Powertrain,
    /// Emission standard, e.g. "China 6b".
    pub emission_standard: String,
    /// SHA-256 of the certificate of conformity.
    pub coc_sha256: Digest,
}

/// The calendar year (UTC) of a time.
fn year_of(t: i64) -> Option<i32> {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .map(time::OffsetDateTime::year)
}

impl Factory {
    /// Checks the model year against the VIN's model-year code and the
    /// manufacture date: a model year runs at most 24 months, so a vehicle
    /// of model year Y is made in calendar year Y−1, Y or Y+1.
    ///
    /// # Errors
    /// [`Reason::ModelYearCode`] or [`Reason::ModelYear`].
    pub fn check_model_year(&self, vin: &Vin) -> Result<(), FieldError> {
        if let Some(code) = vin.model_year_code()
            && !vin.matches_model_year(self.model_year)
        {
            return Err(FieldError::new(
                "factory.model_year",
                Reason::ModelYearCode {
                    model_year: self.model_year,
                    code,
                },
            ));
        }
        let made = year_of(self.manufacture_date).unwrap_or(i32::MIN);
        let my = i64::from(self.model_year);
        if !(my - 1..=my + 1).contains(&i64::from(made)) {
            return Err(FieldError::new(
                "factory.manufacture_date",
                Reason::ModelYear {
                    model_year: self.model_year,
                },
            ));
        }
        Ok(())
    }
}

impl TryFrom<pb::Factory> for Factory {
    type Error = FieldError;
    fn try_from(f: pb::Factory) -> Result<Self, FieldError> {
        if !(1900..=2200).contains(&f.model_year) {
            return Err(FieldError::new(
                "factory.model_year",
                if f.model_year == 0 {
                    Reason::Missing
                } else {
                    Reason::Inconsistent("the years vehicles are made in")
                },
            ));
        }
        Ok(Self {
            make: required_text("factory.make", f.make)?,
            model: required_text("factory.model", f.model)?,
            model_year: f.model_year,
            manufacture_date: date("factory.manufacture_date", f.manufacture_date)?,
            engine_number: identifier("factory.engine_number", f.engine_number)?,
            powertrain: Powertrain::from_proto("factory.powertrain", f.powertrain)?,
            emission_standard: required_text("factory.emission_standard", f.emission_standard)?,
            coc_sha256: Digest::from_bytes("factory.coc_sha256", &f.coc_sha256)?,
        })
    }
}

impl From<&Factory> for pb::Factory {
    fn from(f: &Factory) -> Self {
        Self {
            make: f.make.clone(),
            model: f.model.clone(),
            model_year: f.model_year,
            manufacture_date: f.manufacture_date,
            engine_number: f.engine_number.clone(),
            powertrain: f.powertrain.to_proto(),
            emission_standard: f.emission_standard.clone(),
            coc_sha256: f.coc_sha256.0.to_vec(),
        }
    }
}

/// A registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The vehicle's first registration anywhere.
    #[serde(with = "super::serde_time")]
    pub first_registration_date: i64,
    /// Where it is registered.
    pub region: String,
    /// What it is used for.
    pub use_type: UseType,
    /// The engine number the registry saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_number: Option<String>,
}

impl TryFrom<pb::Registration> for Registration {
    type Error = FieldError;
    fn try_from(r: pb::Registration) -> Result<Self, FieldError> {
        Ok(Self {
            first_registration_date: date(
                "registration.first_registration_date",
                r.first_registration_date,
            )?,
            region: required_text("registration.region", r.region)?,
            use_type: UseType::from_proto("registration.use_type", r.use_type)?,
            engine_number: optional_identifier("registration.engine_number", r.engine_number)?,
        })
    }
}

impl From<&Registration> for pb::Registration {
    fn from(r: &Registration) -> Self {
        Self {
            first_registration_date: r.first_registration_date,
            region: r.region.clone(),
            use_type: r.use_type.to_proto(),
            engine_number: r.engine_number.clone().unwrap_or_default(),
        }
    }
}

/// A change of owner; the parties are salted commitments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnershipTransfer {
    /// The previous owner.
    pub from_party: PartyCommitment,
    /// The new owner.
    pub to_party: PartyCommitment,
    /// Sold for export.
    #[serde(default)]
    pub for_export: bool,
    /// The odometer at the transfer.
    pub odometer: Odometer,
}

impl TryFrom<pb::OwnershipTransfer> for OwnershipTransfer {
    type Error = FieldError;
    fn try_from(t: pb::OwnershipTransfer) -> Result<Self, FieldError> {
        Ok(Self {
            from_party: PartyCommitment::from_bytes(
                "ownership_transfer.from_party",
                &t.from_party,
            )?,
            to_party: PartyCommitment::from_bytes("ownership_transfer.to_party", &t.to_party)?,
            for_export: t.for_export,
            odometer: Odometer::from_proto(
                "ownership_transfer.odometer",
                "ownership_transfer.odometer.unit",
                t.odometer,
            )?,
        })
    }
}

impl From<&OwnershipTransfer> for pb::OwnershipTransfer {
    fn from(t: &OwnershipTransfer) -> Self {
        Self {
            from_party: t.from_party.as_bytes().to_vec(),
            to_party: t.to_party.as_bytes().to_vec(),
            for_export: t.for_export,
            odometer: Some(t.odometer.into()),
        }
    }
}

/// Maintenance work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Maintenance {
    /// The site that did the work.
    pub workshop: String,
    /// What was done.
    pub operations: Vec<String>,
    /// Parts fitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// The odometer at the work.
    pub odometer: Odometer,
}

impl TryFrom<pb::Maintenance> for Maintenance {
    type Error = FieldError;
    fn try_from(m: pb::Maintenance) -> Result<Self, FieldError> {
        if m.operations.is_empty() {
            return Err(FieldError::new("maintenance.operations", Reason::Missing));
        }
        Ok(Self {
            workshop: required_text("maintenance.workshop", m.workshop)?,
            operations: text_list("maintenance.operations", m.operations)?,
            parts: text_list("maintenance.parts", m.parts)?,
            odometer: Odometer::from_proto(
                "maintenance.odometer",
                "maintenance.odometer.unit",
                m.odometer,
            )?,
        })
    }
}

impl From<&Maintenance> for pb::Maintenance {
    fn from(m: &Maintenance) -> Self {
        Self {
            workshop: m.workshop.clone(),
            operations: m.operations.clone(),
            parts: m.parts.clone(),
            odometer: Some(m.odometer.into()),
        }
    }
}

/// A major component replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentChange {
    /// Which component.
    pub component: Component,
    /// The number of the part removed.
    pub old_number: String,
    /// The number of the part fitted.
    pub new_number: String,
    /// The odometer after the change (of the new cluster, for a cluster).
    pub odometer: Odometer,
    /// Why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl TryFrom<pb::ComponentChange> for ComponentChange {
    type Error = FieldError;
    fn try_from(c: pb::ComponentChange) -> Result<Self, FieldError> {
        let old_number = identifier("component_change.old_number", c.old_number)?;
        let new_number = identifier("component_change.new_number", c.new_number)?;
        if old_number == new_number {
            return Err(FieldError::new(
                "component_change.new_number",
                Reason::Inconsistent("component_change.old_number"),
            ));
        }
        Ok(Self {
            component: Component::from_proto("component_change.component", c.component)?,
            old_number,
            new_number,
            odometer: Odometer::from_proto(
                "component_change.odometer",
                "component_change.odometer.unit",
                c.odometer,
            )?,
            reason: text("component_change.reason", c.reason)?,
        })
    }
}

impl From<&ComponentChange> for pb::ComponentChange {
    fn from(c: &ComponentChange) -> Self {
        Self {
            component: c.component.to_proto(),
            old_number: c.old_number.clone(),
            new_number: c.new_number.clone(),
            odometer: Some(c.odometer.into()),
            reason: c.reason.clone(),
        }
    }
}

/// Damage; brands the VIN with each type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Damage {
    /// The kinds of damage, each once.
    pub types: Vec<DamageType>,
    /// Who established it.
    pub source: DamageSource,
    /// What happened.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl Damage {
    /// The brands this record puts on the VIN.
    #[must_use]
    pub fn brands(&self) -> Brands {
        Brands::of(&self.types)
    }
}

impl TryFrom<pb::Damage> for Damage {
    type Error = FieldError;
    fn try_from(d: pb::Damage) -> Result<Self, FieldError> {
        if d.types.is_empty() {
            return Err(FieldError::new("damage.types", Reason::Missing));
        }
        at_most("damage.types", &d.types, MAX_LIST)?;
        let mut types = Vec::with_capacity(d.types.len());
        for t in d.types {
            let t = DamageType::from_proto("damage.types", t)?;
            if types.contains(&t) {
                return Err(FieldError::new(
                    "damage.types",
                    Reason::Duplicate(t.name().to_owned()),
                ));
            }
            types.push(t);
        }
        Ok(Self {
            types,
            source: DamageSource::from_proto("damage.source", d.source)?,
            description: text("damage.description", d.description)?,
        })
    }
}

impl From<&Damage> for pb::Damage {
    fn from(d: &Damage) -> Self {
        Self {
            types: d.types.iter().map(|t| t.to_proto()).collect(),
            source: d.source.to_proto(),
            description: d.description.clone(),
        }
    }
}

/// A deregistration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deregistration {
    /// Why.
    pub reason: DeregistrationReason,
    /// Where it was registered.
    pub region: String,
    /// The deregistration certificate's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_number: Option<String>,
}

impl TryFrom<pb::Deregistration> for Deregistration {
    type Error = FieldError;
    fn try_from(d: pb::Deregistration) -> Result<Self, FieldError> {
        Ok(Self {
            reason: DeregistrationReason::from_proto("deregistration.reason", d.reason)?,
            region: required_text("deregistration.region", d.region)?,
            certificate_number: optional_identifier(
                "deregistration.certificate_number",
                d.certificate_number,
            )?,
        })
    }
}

impl From<&Deregistration> for pb::Deregistration {
    fn from(d: &Deregistration) -> Self {
        Self {
            reason: d.reason.to_proto(),
            region: d.region.clone(),
            certificate_number: d.certificate_number.clone().unwrap_or_default(),
        }
    }
}
