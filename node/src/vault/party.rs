//! What the vault holds about a party: the content of its sealed file.

use std::path::PathBuf;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use vledger_records::SALT_LEN;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// One commitment the vault made for a party.
#[derive(Debug, Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    /// The commitment, in hex (as logged).
    pub commitment: String,
    /// Its salt, in hex.
    pub salt: String,
    /// When it was made.
    pub made: String,
    /// The VIN of the record it went into (`submit --vault`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vin: Option<String>,
    /// The record field it went into (`ownership_transfer.to_party`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The leaf index of the entry that logged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// The receipt file of that entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
}

impl Commitment {
    /// The salt's bytes.
    ///
    /// # Errors
    /// When the vault holds a malformed salt.
    pub fn salt_bytes(&self) -> anyhow::Result<Zeroizing<[u8; SALT_LEN]>> {
        let mut salt = Zeroizing::new([0u8; SALT_LEN]);
        hex::decode_to_slice(&self.salt, salt.as_mut())
            .context("a salt in the vault is malformed")?;
        Ok(salt)
    }
}

/// What the vault holds about one party (the sealed file's content).
#[derive(Debug, Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// The party's reference.
    pub reference: String,
    /// Its identity: the identifier the organisation's own files use.
    pub identity: String,
    /// A note kept with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When it was added.
    pub added: String,
    /// Every commitment made for it.
    pub commitments: Vec<Commitment>,
}

/// Where a commitment goes, for `submit --vault`.
#[derive(Debug, Clone)]
pub struct Placement {
    /// The record's VIN.
    pub vin: Option<String>,
    /// The field's JSON path.
    pub field: String,
    /// The receipt file the record's receipt is written to.
    pub receipt: PathBuf,
}
