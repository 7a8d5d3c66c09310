//! Inspections, the protocols they follow, and compliance certificates.
//!
//! A protocol is declared in the log once, by an inspection body or an
//! admin, as an `inspection_protocol` record: an id, a version and the exact
//! list of items. Every inspection under that (id, version) must report one
//! result for each item, no more and no fewer; the sequencer refuses any
//! other item set. So a promise such as "128 tests" is checkable by anyone
//! reading the log.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use vledger_proto::v1 as pb;

use super::error::{FieldError, Reason};
use super::fields::{
    Odometer, at_most, country, identifier, optional_identifier, proto_enum, required_text, text,
};

/// Most items in a protocol (and results in an inspection).
pub const MAX_PROTOCOL_ITEMS: usize = 1024;
/// Longest item name, in bytes.
pub const MAX_ITEM_LEN: usize = 128;
/// Longest protocol id, in bytes.
pub const MAX_PROTOCOL_ID_LEN: usize = 64;

proto_enum! {
    /// The result of one inspection item.
    ItemOutcome => ItemOutcome {
        /// Passed.
        Pass = "pass",
        /// Failed.
        Fail = "fail",
        /// Passed with an advisory.
        Advisory = "advisory",
        /// Does not apply to this vehicle.
        NotApplicable = "not_applicable",
    }
}

proto_enum! {
    /// An inspection's overall verdict.
    Verdict => Verdict {
        /// Passed.
        Pass = "pass",
        /// Failed.
        Fail = "fail",
        /// Passed on conditions.
        Conditional = "conditional",
    }
}

/// An inspection protocol's identity: id and version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtocolId {
    /// The protocol's id, e.g. `CN-UVE-EXPORT-128`.
    pub id: String,
    /// Its version, from 1.
    pub version: u32,
}

impl fmt::Display for ProtocolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} v{}", self.id, self.version)
    }
}

fn protocol_id(field: &'static str, s: String) -> Result<String, FieldError> {
    if s.is_empty() {
        return Err(FieldError::new(field, Reason::Missing));
    }
    if s.len() > MAX_PROTOCOL_ID_LEN {
        return Err(FieldError::new(
            field,
            Reason::TooLong {
                max: MAX_PROTOCOL_ID_LEN,
            },
        ));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._/".contains(&b))
    {
        return Err(FieldError::new(field, Reason::Identifier));
    }
    Ok(s)
}

fn version(field: &'static str, v: u32) -> Result<u32, FieldError> {
    if v == 0 {
        return Err(FieldError::new(field, Reason::Missing));
    }
    Ok(v)
}

fn item(field: &'static str, s: String) -> Result<String, FieldError> {
    if s.trim().is_empty() {
        return Err(FieldError::new(field, Reason::Missing));
    }
    if s.len() > MAX_ITEM_LEN {
        return Err(FieldError::new(
            field,
            Reason::TooLong { max: MAX_ITEM_LEN },
        ));
    }
    text(field, s)
}

/// One item's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemResult {
    /// The item, as the protocol names it.
    pub item: String,
    /// Its outcome.
    pub outcome: ItemOutcome,
    /// A remark.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// An inspection under a declared protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    /// The inspection body's accreditation number.
    pub accreditation_number: String,
    /// The protocol's id.
    pub protocol_id: String,
    /// The protocol's version.
    pub protocol_version: u32,
    /// One result per protocol item.
    pub results: Vec<ItemResult>,
    /// The overall verdict.
    pub verdict: Verdict,
    /// The odometer read during the inspection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub odometer: Option<Odometer>,
    /// The engine number found on the vehicle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_number: Option<String>,
}

impl Inspection {
    /// The protocol it follows.
    #[must_use]
    pub fn protocol(&self) -> ProtocolId {
        ProtocolId {
            id: self.protocol_id.clone(),
            version: self.protocol_version,
        }
    }

    /// Compares the reported items with a protocol's declared items.
    ///
    /// # Errors
    /// [`Reason::ItemSet`] naming what is missing and what is extra.
    pub fn check_items(&self, declared: &BTreeSet<String>) -> Result<(), FieldError> {
        let reported: BTreeSet<&String> = self.results.iter().map(|r| &r.item).collect();
        let missing: Vec<String> = declared
            .iter()
            .filter(|i| !reported.contains(i))
            .cloned()
            .collect();
        let unexpected: Vec<String> = reported
            .iter()
            .filter(|i| !declared.contains(**i))
            .map(|i| (*i).clone())
            .collect();
        if missing.is_empty() && unexpected.is_empty() {
            return Ok(());
        }
        Err(FieldError::new(
            "inspection.results",
            Reason::ItemSet {
                missing,
                unexpected,
            },
        ))
    }
}

impl TryFrom<pb::Inspection> for Inspection {
    type Error = FieldError;
    fn try_from(i: pb::Inspection) -> Result<Self, FieldError> {
        if i.results.is_empty() {
            return Err(FieldError::new("inspection.results", Reason::Missing));
        }
        at_most("inspection.results", &i.results, MAX_PROTOCOL_ITEMS)?;
        let mut seen = BTreeSet::new();
        let mut results = Vec::with_capacity(i.results.len());
        for r in i.results {
            let name = item("inspection.results.item", r.item)?;
            if !seen.insert(name.clone()) {
                return Err(FieldError::new(
                    "inspection.results",
                    Reason::Duplicate(name),
                ));
            }
            results.push(ItemResult {
                item: name,
                outcome: ItemOutcome::from_proto("inspection.results.outcome", r.outcome)?,
                note: text("inspection.results.note", r.note)?,
            });
        }
        let verdict = Verdict::from_proto("inspection.verdict", i.verdict)?;
        if verdict == Verdict::Pass && results.iter().any(|r| r.outcome == ItemOutcome::Fail) {
            return Err(FieldError::new(
                "inspection.verdict",
                Reason::Inconsistent("a failed item"),
            ));
        }
        Ok(Self {
            accreditation_number: required_text(
                "inspection.accreditation_number",
                i.accreditation_number,
            )?,
            protocol_id: protocol_id("inspection.protocol_id", i.protocol_id)?,
            protocol_version: version("inspection.protocol_version", i.protocol_version)?,
            results,
            verdict,
            odometer: i
                .odometer
                .map(|o| {
                    Odometer::checked(
                        "inspection.odometer",
                        "inspection.odometer.unit",
                        o.value,
                        o.unit,
                    )
                })
                .transpose()?,
            engine_number: optional_identifier("inspection.engine_number", i.engine_number)?,
        })
    }
}

impl From<&Inspection> for pb::Inspection {
    fn from(i: &Inspection) -> Self {
        Self {
            accreditation_number: i.accreditation_number.clone(),
            protocol_id: i.protocol_id.clone(),
            protocol_version: i.protocol_version,
            results: i
                .results
                .iter()
                .map(|r| pb::ItemResult {
                    item: r.item.clone(),
                    outcome: r.outcome.to_proto(),
                    note: r.note.clone(),
                })
                .collect(),
            verdict: i.verdict.to_proto(),
            odometer: i.odometer.map(Into::into),
            engine_number: i.engine_number.clone().unwrap_or_default(),
        }
    }
}

/// Declares an inspection protocol's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionProtocol {
    /// The protocol's id.
    pub protocol_id: String,
    /// Its version.
    pub version: u32,
    /// Its title.
    pub title: String,
    /// Every item, each once.
    pub items: Vec<String>,
}

impl InspectionProtocol {
    /// The protocol's identity.
    #[must_use]
    pub fn id(&self) -> ProtocolId {
        ProtocolId {
            id: self.protocol_id.clone(),
            version: self.version,
        }
    }
}

impl TryFrom<pb::InspectionProtocol> for InspectionProtocol {
    type Error = FieldError;
    fn try_from(p: pb::InspectionProtocol) -> Result<Self, FieldError> {
        if p.items.is_empty() {
            return Err(FieldError::new(
                "inspection_protocol.items",
                Reason::Missing,
            ));
        }
        at_most("inspection_protocol.items", &p.items, MAX_PROTOCOL_ITEMS)?;
        let mut seen = BTreeSet::new();
        let mut items = Vec::with_capacity(p.items.len());
        for i in p.items {
            let i = item("inspection_protocol.items", i)?;
            if !seen.insert(i.clone()) {
                return Err(FieldError::new(
                    "inspection_protocol.items",
                    Reason::Duplicate(i),
                ));
            }
            items.push(i);
        }
        Ok(Self {
            protocol_id: protocol_id("inspection_protocol.protocol_id", p.protocol_id)?,
            version: version("inspection_protocol.version", p.version)?,
            title: required_text("inspection_protocol.title", p.title)?,
            items,
        })
    }
}

impl From<&InspectionProtocol> for pb::InspectionProtocol {
    fn from(p: &InspectionProtocol) -> Self {
        Self {
            protocol_id: p.protocol_id.clone(),
            version: p.version,
            title: p.title.clone(),
            items: p.items.clone(),
        }
    }
}

/// Conformity with a destination market's standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compliance {
    /// The destination country (ISO 3166-1 alpha-2).
    pub destination_country: String,
    /// The standard, e.g. "EAEU TR CU 018/2011".
    pub standard: String,
    /// The certificate's number.
    pub certificate_number: String,
}

impl TryFrom<pb::Compliance> for Compliance {
    type Error = FieldError;
    fn try_from(c: pb::Compliance) -> Result<Self, FieldError> {
        Ok(Self {
            destination_country: country("compliance.destination_country", c.destination_country)?,
            standard: required_text("compliance.standard", c.standard)?,
            certificate_number: identifier("compliance.certificate_number", c.certificate_number)?,
        })
    }
}

impl From<&Compliance> for pb::Compliance {
    fn from(c: &Compliance) -> Self {
        Self {
            destination_country: c.destination_country.clone(),
            standard: c.standard.clone(),
            certificate_number: c.certificate_number.clone(),
        }
    }
}
