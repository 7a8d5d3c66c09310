//! Corrections: how a signer fixes what it logged without rewriting the log.
//!
//! A correction names an earlier entry about the same VIN, says why, and
//! carries the corrected record (same VIN, same kind) or nothing, which
//! withdraws the original. The original stays in the log and in every
//! history; from the correction on, the rules use what the replacement says
//! wherever they used the original. It is signed by the key that signed
//! the original, and it can never remove a damage brand.

use vledger_proto::v1 as pb;

use super::body::{Correction, Record, RecordKind};
use super::error::{FieldError, Reason};
use super::fields::required_text;

impl RecordKind {
    /// Whether a correction may replace or withdraw records of this kind:
    /// vehicle records other than corrections.
    #[must_use]
    pub const fn correctable(self) -> bool {
        self.needs_vin() && !matches!(self, Self::Correction)
    }
}

impl TryFrom<pb::Correction> for Correction {
    type Error = FieldError;
    fn try_from(c: pb::Correction) -> Result<Self, FieldError> {
        let replacement = match c.replacement {
            None => None,
            Some(r) => {
                let r = Record::try_from(*r).map_err(|e| {
                    FieldError::new("correction.replacement", Reason::InReplacement(Box::new(e)))
                })?;
                if !r.kind().correctable() {
                    return Err(FieldError::new(
                        "correction.replacement",
                        Reason::NotCorrectable {
                            kind: r.kind().name(),
                        },
                    ));
                }
                Some(Box::new(r))
            }
        };
        Ok(Self {
            target_index: c.target_index,
            reason: required_text("correction.reason", c.reason)?,
            replacement,
        })
    }
}

impl From<&Correction> for pb::Correction {
    fn from(c: &Correction) -> Self {
        Self {
            target_index: c.target_index,
            reason: c.reason.clone(),
            replacement: c
                .replacement
                .as_ref()
                .map(|r| Box::new(pb::Record::from(r.as_ref()))),
        }
    }
}

impl TryFrom<Box<pb::Correction>> for Correction {
    type Error = FieldError;
    fn try_from(c: Box<pb::Correction>) -> Result<Self, FieldError> {
        Self::try_from(*c)
    }
}

impl From<&Correction> for Box<pb::Correction> {
    fn from(c: &Correction) -> Self {
        Box::new(pb::Correction::from(c))
    }
}
