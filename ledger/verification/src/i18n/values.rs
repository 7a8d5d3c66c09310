//! The catalogue keys of the records' own values: record kinds, roles,
//! the enums of the record fields, and flags. Enums that may grow
//! (`#[non_exhaustive]` in `vledger-records`) map their future values to a
//! neutral word rather than to nothing.

use vledger_records::{
    ClaimOutcome, Component, CustomsDirection, DamageSource, DamageType, DeregistrationReason,
    DistanceUnit, DocumentKind, Flag, ItemOutcome, Language, OdometerSource, Powertrain,
    RecordKind, Role, UseType, Verdict,
};

use super::Key;

/// A record kind's name, as a title.
#[must_use]
pub(crate) const fn kind(k: RecordKind) -> Key {
    match k {
        RecordKind::Factory => Key::KindFactory,
        RecordKind::Registration => Key::KindRegistration,
        RecordKind::OwnershipTransfer => Key::KindOwnershipTransfer,
        RecordKind::OdometerReading => Key::KindOdometerReading,
        RecordKind::Maintenance => Key::KindMaintenance,
        RecordKind::ComponentChange => Key::KindComponentChange,
        RecordKind::Damage => Key::KindDamage,
        RecordKind::Inspection => Key::KindInspection,
        RecordKind::InspectionProtocol => Key::KindInspectionProtocol,
        RecordKind::ExportLicense => Key::KindExportLicense,
        RecordKind::CustomsClearance => Key::KindCustomsClearance,
        RecordKind::Deregistration => Key::KindDeregistration,
        RecordKind::Compliance => Key::KindCompliance,
        RecordKind::Claim => Key::KindClaim,
        RecordKind::Correction => Key::KindCorrection,
        RecordKind::KeyEnrollment => Key::KindKeyEnrollment,
        RecordKind::KeyRevocation => Key::KindKeyRevocation,
        _ => Key::KindOther,
    }
}

/// A signer's role.
#[must_use]
pub(crate) const fn role(r: Role) -> Key {
    match r {
        Role::Admin => Key::RoleAdmin,
        Role::Registry => Key::RoleRegistry,
        Role::Manufacturer => Key::RoleManufacturer,
        Role::InspectionBody => Key::RoleInspectionBody,
        Role::Exporter => Key::RoleExporter,
        Role::Workshop => Key::RoleWorkshop,
        Role::Customs => Key::RoleCustoms,
        Role::Recovery => Key::RoleRecovery,
        _ => Key::RoleOther,
    }
}

/// A distance unit.
#[must_use]
pub(crate) const fn unit(u: DistanceUnit) -> Key {
    match u {
        DistanceUnit::Km => Key::UnitKm,
        DistanceUnit::Miles => Key::UnitMiles,
    }
}

/// A powertrain.
#[must_use]
pub(crate) const fn powertrain(p: Powertrain) -> Key {
    match p {
        Powertrain::Petrol => Key::PtPetrol,
        Powertrain::Diesel => Key::PtDiesel,
        Powertrain::Hybrid => Key::PtHybrid,
        Powertrain::PlugInHybrid => Key::PtPlugInHybrid,
        Powertrain::BatteryElectric => Key::PtBatteryElectric,
        Powertrain::FuelCell => Key::PtFuelCell,
        Powertrain::NaturalGas => Key::PtNaturalGas,
    }
}

/// A registered use.
#[must_use]
pub(crate) const fn use_type(u: UseType) -> Key {
    match u {
        UseType::Private => Key::UsePrivate,
        UseType::Commercial => Key::UseCommercial,
        UseType::Taxi => Key::UseTaxi,
        UseType::Rental => Key::UseRental,
    }
}

/// A major component.
#[must_use]
pub(crate) const fn component(c: Component) -> Key {
    match c {
        Component::Engine => Key::CompEngine,
        Component::DriveMotor => Key::CompDriveMotor,
        Component::Battery => Key::CompBattery,
        Component::InstrumentCluster => Key::CompInstrumentCluster,
    }
}

/// A kind of damage, which is also the brand it sets.
#[must_use]
pub(crate) const fn damage(d: DamageType) -> Key {
    match d {
        DamageType::Structural => Key::DmgStructural,
        DamageType::FloodFreshWater => Key::DmgFloodFreshWater,
        DamageType::FloodSaltWater => Key::DmgFloodSaltWater,
        DamageType::Fire => Key::DmgFire,
        DamageType::Hail => Key::DmgHail,
        DamageType::TheftRecovery => Key::DmgTheftRecovery,
        DamageType::TotalLoss => Key::DmgTotalLoss,
        DamageType::NotActualMileage => Key::DmgNotActualMileage,
    }
}

/// Who established damage.
#[must_use]
pub(crate) const fn damage_source(s: DamageSource) -> Key {
    match s {
        DamageSource::InsuranceClaim => Key::SrcInsuranceClaim,
        DamageSource::PoliceReport => Key::SrcPoliceReport,
        DamageSource::Inspection => Key::SrcInspection,
        DamageSource::Workshop => Key::SrcWorkshop,
        DamageSource::Auction => Key::SrcAuction,
        DamageSource::Registry => Key::SrcRegistry,
    }
}

/// Why a vehicle was deregistered.
#[must_use]
pub(crate) const fn deregistration(r: DeregistrationReason) -> Key {
    match r {
        DeregistrationReason::EndOfLife => Key::DeregEndOfLife,
        DeregistrationReason::Export => Key::DeregExport,
        DeregistrationReason::Theft => Key::DeregTheft,
        DeregistrationReason::Other => Key::DeregOther,
    }
}

/// Where an odometer reading was taken.
#[must_use]
pub(crate) const fn odometer_source(s: OdometerSource) -> Key {
    match s {
        OdometerSource::Dashboard => Key::OdoDashboard,
        OdometerSource::Obd => Key::OdoObd,
        OdometerSource::Inspection => Key::OdoInspection,
        OdometerSource::Service => Key::OdoService,
    }
}

/// An inspection item's outcome.
#[must_use]
pub(crate) const fn outcome(o: ItemOutcome) -> Key {
    match o {
        ItemOutcome::Pass => Key::OutPass,
        ItemOutcome::Fail => Key::OutFail,
        ItemOutcome::Advisory => Key::OutAdvisory,
        ItemOutcome::NotApplicable => Key::OutNotApplicable,
    }
}

/// An inspection's verdict.
#[must_use]
pub(crate) const fn verdict(v: Verdict) -> Key {
    match v {
        Verdict::Pass => Key::VerdictPass,
        Verdict::Fail => Key::VerdictFail,
        Verdict::Conditional => Key::VerdictConditional,
    }
}

/// Which way a customs clearance goes.
#[must_use]
pub(crate) const fn direction(d: CustomsDirection) -> Key {
    match d {
        CustomsDirection::Export => Key::DirExport,
        CustomsDirection::Import => Key::DirImport,
    }
}

/// Where a claim stands.
#[must_use]
pub(crate) const fn claim_outcome(o: ClaimOutcome) -> Key {
    match o {
        ClaimOutcome::Filed => Key::ClaimFiled,
        ClaimOutcome::Refunded => Key::ClaimRefunded,
        ClaimOutcome::PartlyRefunded => Key::ClaimPartlyRefunded,
        ClaimOutcome::Rejected => Key::ClaimRejected,
        ClaimOutcome::Withdrawn => Key::ClaimWithdrawn,
    }
}

/// What an attached document is.
#[must_use]
pub(crate) const fn document(d: DocumentKind) -> Key {
    match d {
        DocumentKind::Report => Key::DocReport,
        DocumentKind::Certificate => Key::DocCertificate,
        DocumentKind::Photo => Key::DocPhoto,
        DocumentKind::Invoice => Key::DocInvoice,
        DocumentKind::Evidence => Key::DocEvidence,
        DocumentKind::AfterSalesConfirmation => Key::DocAfterSales,
        DocumentKind::License => Key::DocLicense,
        DocumentKind::Declaration => Key::DocDeclaration,
        DocumentKind::Other => Key::DocOther,
    }
}

/// The language of a document's text.
#[must_use]
pub(crate) const fn language(l: Language) -> Key {
    match l {
        Language::None => Key::LangNone,
        Language::Zh => Key::LangZh,
        Language::En => Key::LangEn,
    }
}

/// A flag's name.
#[must_use]
pub(crate) const fn flag(f: &Flag) -> Key {
    match f {
        Flag::OdometerRollback { .. } => Key::FlagOdometerRollback,
        Flag::EngineNumberMismatch { .. } => Key::FlagEngineNumberMismatch,
        Flag::ActivityAfterDeregistration { .. } => Key::FlagActivityAfterDeregistration,
        Flag::EarlyExport { .. } => Key::FlagEarlyExport,
        _ => Key::FlagOther,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every value of an enum has a key of its own, and none is the
    /// fallback of a future value.
    fn distinct<T: Copy>(all: &[T], key: impl Fn(T) -> Key, fallback: Option<Key>) {
        let keys: Vec<Key> = all.iter().map(|&v| key(v)).collect();
        let set: BTreeSet<String> = keys.iter().map(|k| format!("{k:?}")).collect();
        assert_eq!(set.len(), keys.len(), "{keys:?}");
        if let Some(fallback) = fallback {
            assert!(!keys.contains(&fallback), "{keys:?}");
        }
    }

    #[test]
    fn every_value_has_its_own_words() {
        distinct(RecordKind::ALL, kind, Some(Key::KindOther));
        distinct(&Role::ALL, role, Some(Key::RoleOther));
        distinct(DistanceUnit::ALL, unit, None);
        distinct(Powertrain::ALL, powertrain, None);
        distinct(UseType::ALL, use_type, None);
        distinct(Component::ALL, component, None);
        distinct(DamageType::ALL, damage, None);
        distinct(DamageSource::ALL, damage_source, None);
        distinct(DeregistrationReason::ALL, deregistration, None);
        distinct(OdometerSource::ALL, odometer_source, None);
        distinct(ItemOutcome::ALL, outcome, None);
        distinct(Verdict::ALL, verdict, None);
        distinct(CustomsDirection::ALL, direction, None);
        distinct(ClaimOutcome::ALL, claim_outcome, None);
        distinct(DocumentKind::ALL, document, None);
        distinct(Language::ALL, language, None);
    }
}
