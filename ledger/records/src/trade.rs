//! The kinds of record about a vehicle leaving its market: export
//! licences, customs clearances, and claims for concealed defects.

use serde::{Deserialize, Serialize};
use vledger_proto::v1 as pb;

use super::error::{FieldError, Reason};
use super::fields::{country, date, identifier, optional_identifier, proto_enum, required_text};
use super::party::PartyCommitment;

proto_enum! {
    /// Which way goods cross a border.
    CustomsDirection => CustomsDirection {
        /// Leaving the country.
        Export = "export",
        /// Entering the country.
        Import = "import",
    }
}

proto_enum! {
    /// Where a claim stands.
    ClaimOutcome => ClaimOutcome {
        /// Filed, not yet decided.
        Filed = "filed",
        /// Refunded in full.
        Refunded = "refunded",
        /// Refunded in part.
        PartlyRefunded = "partly_refunded",
        /// Rejected.
        Rejected = "rejected",
        /// Withdrawn by the claimant.
        Withdrawn = "withdrawn",
    }
}

/// An export licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportLicense {
    /// The licence's number.
    pub license_number: String,
    /// The destination (ISO 3166-1 alpha-2).
    pub destination_country: String,
    /// The issuing authority.
    pub issued_by: String,
    /// Last day of validity; the only date that may lie in the future.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::serde_opt_time"
    )]
    pub valid_until: Option<i64>,
    /// The engine number on the licence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_number: Option<String>,
}

impl TryFrom<pb::ExportLicense> for ExportLicense {
    type Error = FieldError;
    fn try_from(e: pb::ExportLicense) -> Result<Self, FieldError> {
        Ok(Self {
            license_number: identifier("export_license.license_number", e.license_number)?,
            destination_country: country(
                "export_license.destination_country",
                e.destination_country,
            )?,
            issued_by: required_text("export_license.issued_by", e.issued_by)?,
            valid_until: (e.valid_until != 0)
                .then(|| date("export_license.valid_until", e.valid_until))
                .transpose()?,
            engine_number: optional_identifier("export_license.engine_number", e.engine_number)?,
        })
    }
}

impl From<&ExportLicense> for pb::ExportLicense {
    fn from(e: &ExportLicense) -> Self {
        Self {
            license_number: e.license_number.clone(),
            destination_country: e.destination_country.clone(),
            issued_by: e.issued_by.clone(),
            valid_until: e.valid_until.unwrap_or(0),
            engine_number: e.engine_number.clone().unwrap_or_default(),
        }
    }
}

/// A customs clearance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomsClearance {
    /// The customs declaration's number.
    pub declaration_number: String,
    /// Export or import.
    pub direction: CustomsDirection,
    /// The clearing customs' country (ISO 3166-1 alpha-2).
    pub country: String,
    /// The port.
    pub port: String,
    /// The engine number on the declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_number: Option<String>,
}

impl TryFrom<pb::CustomsClearance> for CustomsClearance {
    type Error = FieldError;
    fn try_from(c: pb::CustomsClearance) -> Result<Self, FieldError> {
        Ok(Self {
            declaration_number: identifier(
                "customs_clearance.declaration_number",
                c.declaration_number,
            )?,
            direction: CustomsDirection::from_proto("customs_clearance.direction", c.direction)?,
            country: country("customs_clearance.country", c.country)?,
            port: required_text("customs_clearance.port", c.port)?,
            engine_number: optional_identifier("customs_clearance.engine_number", c.engine_number)?,
        })
    }
}

impl From<&CustomsClearance> for pb::CustomsClearance {
    fn from(c: &CustomsClearance) -> Self {
        Self {
            declaration_number: c.declaration_number.clone(),
            direction: c.direction.to_proto(),
            country: c.country.clone(),
            port: c.port.clone(),
            engine_number: c.engine_number.clone().unwrap_or_default(),
        }
    }
}

/// A claim for a concealed defect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// The claim's number.
    pub claim_number: String,
    /// The defect.
    pub defect: String,
    /// Where it stands.
    pub outcome: ClaimOutcome,
    /// The earlier entry of this VIN whose record concealed the defect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_index: Option<u64>,
    /// The refund, in minor units of `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    /// The claimant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimant: Option<PartyCommitment>,
}

/// A sum of money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    /// In minor units (cents, fen).
    pub minor_units: u64,
    /// ISO 4217 code.
    pub currency: String,
}

impl TryFrom<pb::Claim> for Claim {
    type Error = FieldError;
    fn try_from(c: pb::Claim) -> Result<Self, FieldError> {
        let amount = match (c.amount, c.currency.is_empty()) {
            (0, true) => None,
            (0, false) => return Err(FieldError::new("claim.amount", Reason::Missing)),
            (_, true) => return Err(FieldError::new("claim.currency", Reason::Missing)),
            (minor_units, false) => {
                if c.currency.len() != 3 || !c.currency.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(FieldError::new("claim.currency", Reason::CurrencyCode));
                }
                Some(Amount {
                    minor_units,
                    currency: c.currency,
                })
            }
        };
        Ok(Self {
            claim_number: identifier("claim.claim_number", c.claim_number)?,
            defect: required_text("claim.defect", c.defect)?,
            outcome: ClaimOutcome::from_proto("claim.outcome", c.outcome)?,
            related_index: c.related_index,
            amount,
            claimant: if c.claimant.is_empty() {
                None
            } else {
                Some(PartyCommitment::from_bytes("claim.claimant", &c.claimant)?)
            },
        })
    }
}

impl From<&Claim> for pb::Claim {
    fn from(c: &Claim) -> Self {
        Self {
            claim_number: c.claim_number.clone(),
            defect: c.defect.clone(),
            outcome: c.outcome.to_proto(),
            related_index: c.related_index,
            amount: c.amount.as_ref().map_or(0, |a| a.minor_units),
            currency: c
                .amount
                .as_ref()
                .map(|a| a.currency.clone())
                .unwrap_or_default(),
            claimant: c
                .claimant
                .map(|p| p.as_bytes().to_vec())
                .unwrap_or_default(),
        }
    }
}
