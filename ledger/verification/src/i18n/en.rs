//! The English catalogue.

use super::key::Key;

/// The English text of `key`.
#[allow(clippy::too_many_lines)] // one arm per key, by design
pub(super) const fn text(key: Key) -> &'static str {
    match key {
        // Words and units.
        Key::Yes => "yes",
        Key::No => "no",
        Key::Nothing => "none",
        Key::UnitKm => "km",
        Key::UnitMiles => "miles",
        Key::Reading => "{value} {unit}",
        Key::FactLine => "{label}: {value}",
        Key::Comma => ", ",
        Key::ListSeparator => "; ",
        Key::Utc => "{date} {time} UTC",

        // The head of the report.
        Key::ReportTitle => "Vehicle history report — VIN {vin}",
        Key::LabelVehicle => "Vehicle",
        Key::Vehicle => "{make} {model}, model year {year}, {powertrain}, built {date}",
        Key::NoFactory => "no factory record in this history",
        Key::LabelComplete => "Complete",
        Key::Complete => {
            "verified: every record of this VIN in log {origin} as of {time} (tree size {size}): {records}"
        }
        Key::CompleteEmpty => {
            "verified: log {origin} holds no record of this VIN as of {time} (tree size {size})"
        }
        Key::LabelWitnesses => "Witnesses",
        Key::WitnessesOwn => "this checkpoint was {cosigned}",
        Key::WitnessesLater => "tree size {m}, which contains this history, was {cosigned}",
        Key::WitnessesUnchecked => {
            "not checked (no witness keys given): the history rests on the log's signature alone"
        }
        Key::WitnessedUnchecked => {
            "a checkpoint at tree size {m} with witness cosignatures is attached, but they were not checked (no witness keys given)"
        }
        Key::WitnessCosignedAt => "{name}: cosigned at {time}",
        Key::WitnessMissing => "{name}: missing",
        Key::WitnessBad => "{name}: bad signature",
        Key::LabelStatus => "Status",
        Key::StatusClean => "no brands, no flags",
        Key::StatusAttention => "ATTENTION: branded or flagged, see below",

        // Summary lines.
        Key::LabelBrands => "Brands",
        Key::BrandSet => "{brand} (set by entry {index}, {date})",
        Key::LabelDamage => "Damage",
        Key::DamageRecords => "{n} damage record|{n} damage records",
        Key::DamageKinds => {
            "accident (structural damage): {accident}; flood: {flood}; fire: {fire}"
        }
        Key::LabelOwnership => "Ownership",
        Key::Transfers => "{n} ownership transfer|{n} ownership transfers",
        Key::ForExport => "{n} for export",
        Key::LabelRegistration => "Registration",
        Key::Registered => "registered {date} in {region} ({use})",
        Key::Deregistered => "deregistered {date} in {region}: {reason}",
        Key::NoRegistration => "no registration recorded",
        Key::LabelOdometer => "Odometer",
        Key::OdometerLast => "last reading {reading} on {date} (entry {index})",
        Key::Readings => "{n} reading|{n} readings",
        Key::NoRollback => "no rollback flagged",
        Key::Rollbacks => {
            "ROLLBACK flagged at entry {entries}|ROLLBACK flagged at entries {entries}"
        }
        Key::NotActualMileage => "branded: the odometer does not show the actual mileage",
        Key::ClusterChange => {
            "instrument cluster replaced at entry {index}: readings before it are not compared with readings after it"
        }
        Key::NoOdometer => "no odometer reading recorded",
        Key::LabelService => "Service",
        Key::ServiceRecords => "{n} service record|{n} service records",
        Key::ComponentChanges => "{n} component change|{n} component changes",
        Key::LabelInspections => "Inspections",
        Key::InspectionLine => "{date}, {protocol}: {verdict}; {passed} (entry {index})",
        Key::PassedOf => "{passed} of {total} passed",
        Key::Advisories => "{n} advisory|{n} advisories",
        Key::FailedCount => "{n} failed",
        Key::NotApplicableCount => "{n} not applicable",
        Key::GroupLine => "{group}: {counts}",
        Key::OtherItems => "other items",
        Key::NoInspection => "no inspection recorded",
        Key::LabelExport => "Export",
        Key::ExportLicenseLine => "export licence {number} to {country}, {date} (entry {index})",
        Key::CustomsLine => {
            "customs clearance ({direction}) at {port}, {country}, {date} (entry {index})"
        }
        Key::NoExport => "no export licence and no customs clearance recorded",
        Key::LabelCompliance => "Compliance",
        Key::ComplianceLine => {
            "certificate {number}: {standard} for {country}, {date} (entry {index})"
        }
        Key::LabelClaims => "Claims",
        Key::ClaimLine => "claim {number}: {defect} — {outcome} (entry {index})",
        Key::LabelCorrections => "Corrections",
        Key::CorrectionLine => "entry {index} corrected entry {target} ({kind}): {reason}",
        Key::WithdrawalLine => "entry {index} withdrew entry {target} ({kind}): {reason}",
        Key::LabelFlags => "Flags",
        Key::FlagAt => "{flag} at entry {entries}|{flag} at entries {entries}",

        // The timeline.
        Key::LabelTimeline => "Timeline",
        Key::EntryHead => "{date}  {kind} — entry {index}",
        Key::EntryRef => "entry {index}",
        Key::EntryKind => "entry {index} ({kind})",
        Key::SignedBy => "signed by {name} ({role}, key {key})",
        Key::SignedAnonymously => "signed by key {key} ({role})",
        Key::CorrectedBy => "CORRECTED by entry {index}",
        Key::WithdrawnBy => "WITHDRAWN by entry {index}",
        Key::FlagLine => "FLAG: {text}",
        Key::Document => "document: {kind}, {media}, {language}, SHA-256 {hash}",
        Key::ChangeLine => "{label}: {before} → {after}",
        Key::NoChange => "the facts shown are unchanged",
        Key::WithdrawsIt => "withdraws it: its facts no longer count",
        Key::ItemResult => "{item}: {outcome}",
        Key::ItemResultNote => "{item}: {outcome} — {note}",

        // Field labels.
        Key::FDate => "Date",
        Key::FMakeModel => "Make and model",
        Key::FModelYear => "Model year",
        Key::FManufactured => "Manufactured",
        Key::FPowertrain => "Powertrain",
        Key::FEngineNumber => "Engine number",
        Key::FMotorNumber => "Drive motor number",
        Key::FEmission => "Emission standard",
        Key::FCoc => "Certificate of conformity (SHA-256)",
        Key::FFirstRegistration => "First registration",
        Key::FRegion => "Region",
        Key::FUse => "Use",
        Key::FSeller => "Seller (commitment)",
        Key::FBuyer => "Buyer (commitment)",
        Key::FForExport => "Sold for export",
        Key::FOdometer => "Odometer",
        Key::FReadFrom => "Read from",
        Key::FWorkshop => "Workshop",
        Key::FWorkDone => "Work done",
        Key::FParts => "Parts fitted",
        Key::FComponent => "Component",
        Key::FOldNumber => "Old number",
        Key::FNewNumber => "New number",
        Key::FReason => "Reason",
        Key::FDamage => "Damage",
        Key::FEstablishedBy => "Established by",
        Key::FDescription => "Description",
        Key::FProtocol => "Protocol",
        Key::FTitle => "Title",
        Key::FItems => "Items",
        Key::FAccreditation => "Accreditation",
        Key::FVerdict => "Verdict",
        Key::FResults => "Results",
        Key::FFinding => "Finding",
        Key::FLicenseNumber => "Licence number",
        Key::FDestination => "Destination",
        Key::FIssuedBy => "Issued by",
        Key::FValidUntil => "Valid until",
        Key::FDeclarationNumber => "Declaration number",
        Key::FDirection => "Direction",
        Key::FCountry => "Country",
        Key::FPort => "Port",
        Key::FStandard => "Standard",
        Key::FCertificateNumber => "Certificate number",
        Key::FClaimNumber => "Claim number",
        Key::FDefect => "Defect",
        Key::FOutcome => "Outcome",
        Key::FConcerns => "Concerns entry",
        Key::FAmount => "Amount",
        Key::FClaimant => "Claimant (commitment)",
        Key::FCorrects => "Corrects",
        Key::FChanges => "Changes",
        Key::FKeyBytes => "Key",
        Key::FRole => "Role",
        Key::FName => "Name",

        // Record kinds.
        Key::KindFactory => "Factory record",
        Key::KindRegistration => "Registration",
        Key::KindOwnershipTransfer => "Ownership transfer",
        Key::KindOdometerReading => "Odometer reading",
        Key::KindMaintenance => "Maintenance",
        Key::KindComponentChange => "Component change",
        Key::KindDamage => "Damage",
        Key::KindInspection => "Inspection",
        Key::KindInspectionProtocol => "Inspection protocol",
        Key::KindExportLicense => "Export licence",
        Key::KindCustomsClearance => "Customs clearance",
        Key::KindDeregistration => "Deregistration",
        Key::KindCompliance => "Compliance certificate",
        Key::KindClaim => "Claim",
        Key::KindCorrection => "Correction",
        Key::KindKeyEnrollment => "Key enrollment",
        Key::KindKeyRevocation => "Key revocation",
        Key::KindOther => "Record of a newer kind",

        // Roles.
        Key::RoleAdmin => "log administrator",
        Key::RoleRegistry => "registry",
        Key::RoleManufacturer => "manufacturer",
        Key::RoleInspectionBody => "inspection body",
        Key::RoleExporter => "exporter",
        Key::RoleWorkshop => "workshop",
        Key::RoleCustoms => "customs",
        Key::RoleRecovery => "log recovery key",
        Key::RoleOther => "signer of a newer role",

        // Record values.
        Key::PtPetrol => "petrol",
        Key::PtDiesel => "diesel",
        Key::PtHybrid => "hybrid",
        Key::PtPlugInHybrid => "plug-in hybrid",
        Key::PtBatteryElectric => "battery electric",
        Key::PtFuelCell => "fuel-cell electric",
        Key::PtNaturalGas => "natural gas",
        Key::UsePrivate => "private",
        Key::UseCommercial => "commercial",
        Key::UseTaxi => "taxi",
        Key::UseRental => "rental",
        Key::CompEngine => "engine",
        Key::CompDriveMotor => "drive motor",
        Key::CompBattery => "traction battery",
        Key::CompInstrumentCluster => "instrument cluster (odometer)",
        Key::DmgStructural => "structural damage",
        Key::DmgFloodFreshWater => "flood (fresh water)",
        Key::DmgFloodSaltWater => "flood (salt water)",
        Key::DmgFire => "fire",
        Key::DmgHail => "hail",
        Key::DmgTheftRecovery => "recovered theft",
        Key::DmgTotalLoss => "total loss",
        Key::DmgNotActualMileage => "not actual mileage",
        Key::SrcInsuranceClaim => "insurance claim",
        Key::SrcPoliceReport => "police report",
        Key::SrcInspection => "inspection",
        Key::SrcWorkshop => "workshop",
        Key::SrcAuction => "auction",
        Key::SrcRegistry => "registry",
        Key::DeregEndOfLife => "end of life",
        Key::DeregExport => "export",
        Key::DeregTheft => "theft",
        Key::DeregOther => "other reason",
        Key::OdoDashboard => "dashboard",
        Key::OdoObd => "diagnostic (OBD) port",
        Key::OdoInspection => "inspection",
        Key::OdoService => "service",
        Key::OutPass => "passed",
        Key::OutFail => "failed",
        Key::OutAdvisory => "advisory",
        Key::OutNotApplicable => "not applicable",
        Key::VerdictPass => "passed",
        Key::VerdictFail => "failed",
        Key::VerdictConditional => "passed on conditions",
        Key::DirExport => "export",
        Key::DirImport => "import",
        Key::ClaimFiled => "filed",
        Key::ClaimRefunded => "refunded",
        Key::ClaimPartlyRefunded => "partly refunded",
        Key::ClaimRejected => "rejected",
        Key::ClaimWithdrawn => "withdrawn",
        Key::DocReport => "report",
        Key::DocCertificate => "certificate",
        Key::DocPhoto => "photo",
        Key::DocInvoice => "invoice",
        Key::DocEvidence => "evidence",
        Key::DocAfterSales => "after-sales confirmation",
        Key::DocLicense => "licence",
        Key::DocDeclaration => "declaration",
        Key::DocOther => "other document",
        Key::LangNone => "no text",
        Key::LangZh => "Chinese",
        Key::LangEn => "English",

        // Flags.
        Key::FlagOdometerRollback => "odometer rollback",
        Key::FlagEngineNumberMismatch => "engine number mismatch",
        Key::FlagActivityAfterDeregistration => "activity after deregistration",
        Key::FlagEarlyExport => "early export",
        Key::FlagOther => "flag of a newer kind",
        Key::FlagRollbackText => {
            "odometer rollback: {reading} is below {earlier} recorded at entry {index}"
        }
        Key::FlagEngineText => {
            "engine number mismatch: {found} differs from {expected} recorded at entry {index}"
        }
        Key::FlagDeregisteredText => {
            "activity after deregistration: the vehicle was deregistered at entry {index} ({reason})"
        }
        Key::FlagEarlyExportText => {
            "early export: {days} days after first registration on {date} (entry {index}), with no after-sales confirmation"
        }

        // The closing lines.
        Key::CompleteLine => "complete history of VIN {vin} as of tree size {size}: {records}",
        Key::Records => "{n} record|{n} records",
        Key::NoRecordsLine => "no records for VIN {vin} as of tree size {size}",
        Key::WitnessedLine => "witnessed at tree size {m} (extends tree size {n}): {cosigned}",
        Key::WitnessedUncheckedLine => {
            "witnessed at tree size {m} (extends tree size {n}); cosignatures not checked (no --witness given)"
        }
        Key::CheckpointCosignedLine => "checkpoint {cosigned}",
        Key::CosignedBy => "cosigned by {valid} of {total} witnesses (quorum {quorum})",
        Key::NotVerified => "NOT VERIFIED: do not rely on this history.",

        // The HTML page and its verdict.
        Key::HtmlSummary => "Summary",
        Key::HtmlPending => {
            "Not verified yet: this page checks the history in your browser when it opens, which needs JavaScript."
        }
        Key::HtmlVerified => {
            "VERIFIED in this browser: {records} of VIN {vin}, complete as of tree size {size}, signed by the log key you pinned ({fingerprint}); trust anchors from {source}."
        }
        Key::HtmlWitnessesChecked => {
            "Cosigned by {cosigned} of {total} pinned witnesses (quorum {quorum}): {names}."
        }
        Key::HtmlWitnessesNone => {
            "No witness keys pinned: the history rests on the log's signature alone."
        }
        Key::HtmlFailed => "NOT VERIFIED: {error}. Do not rely on this report.",
        Key::HtmlMismatch => {
            "the records verified (entries {verified}) are not the records this report shows (entries {shown})"
        }
        Key::HtmlNoAnchors => {
            "NOT VERIFIED: no trust anchors. Open this page with the log key you trust after # in its address (#log=KEY&witness=KEY&quorum=N, URL-encoded), or choose a keys file below."
        }
        Key::HtmlClaimed => {
            "The bundle claims to be signed by log key {fingerprint}: unverified, compare it with the key you trust."
        }
        Key::HtmlFromFragment => "the page address",
        Key::HtmlFromFile => "the keys file {name}",
        Key::HtmlKeysFile => {
            "Check with a keys file (one key per line: the log key first, then witness keys; optionally a line quorum N):"
        }
        Key::HtmlKeysFileEmpty => "the keys file holds no log key",
        Key::HtmlBadQuorum => "the quorum {value} is not a whole number",
        Key::HtmlBundleNote => {
            "The history checked here is inside this page (the script element vledger-bundle): anyone can take it out and verify it with vledger-verify."
        }
        Key::HtmlChartTitle => "Odometer readings over time",
        Key::HtmlChartRollback => "reading flagged as an odometer rollback",
        Key::HtmlChartNone => "no odometer readings in this history",
    }
}
