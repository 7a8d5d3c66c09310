//! Party commitments: how people appear in the log without their personal
//! data.
//!
//! A party (the seller or buyer in an ownership transfer, a claimant) is
//! logged only as
//!
//! ```text
//! SHA-256("vledger/party/v1\n" || salt || identity)
//! ```
//!
//! with a fresh random 32-byte `salt` per party and record, and `identity`
//! the UTF-8 identifier the submitter's own files use (an ID number, a
//! company registration number). The salt and the identity stay with the
//! submitter, off the log. Whoever holds both can later show that a logged
//! commitment is a given person's; anyone else learns nothing, not even
//! that two records name the same person. Erasing the salt leaves the
//! commitment linked to nobody (crypto-shredding).

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::error::{FieldError, Reason};
use super::fields::Digest;

/// Domain-separation prefix of party commitments.
pub const PARTY_COMMITMENT_PREFIX: &[u8] = b"vledger/party/v1\n";

/// Bytes of salt per commitment.
pub const SALT_LEN: usize = 32;

/// A salted commitment to a party; hex in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartyCommitment(pub Digest);

impl PartyCommitment {
    /// Commits to `identity` with `salt`.
    #[must_use]
    pub fn commit(salt: &[u8; SALT_LEN], identity: &str) -> Self {
        let mut h = Sha256::new();
        h.update(PARTY_COMMITMENT_PREFIX);
        h.update(salt);
        h.update(identity.as_bytes());
        Self(Digest(h.finalize().into()))
    }

    /// Whether `salt` and `identity` open this commitment.
    #[must_use]
    pub fn opens(&self, salt: &[u8; SALT_LEN], identity: &str) -> bool {
        Self::commit(salt, identity) == *self
    }

    /// Reads a commitment from a record field.
    ///
    /// A commitment is 32 bytes that look like a hash. The log cannot tell
    /// every hash from every other 32 bytes, but it refuses what is plainly
    /// not one: bytes that are all printable ASCII (a name, an ID or a phone
    /// number written out) or that hold a run of four zero bytes (short data
    /// padded to 32 bytes). A SHA-256 output does either with probability
    /// below 10⁻⁸; a client whose commitment is refused draws another salt.
    ///
    /// # Errors
    /// [`Reason::Missing`] when empty, [`Reason::NotCommitment`] otherwise.
    pub fn from_bytes(field: &'static str, bytes: &[u8]) -> Result<Self, FieldError> {
        if bytes.is_empty() {
            return Err(FieldError::new(field, Reason::Missing));
        }
        let not = || FieldError::new(field, Reason::NotCommitment);
        let arr = <[u8; 32]>::try_from(bytes).map_err(|_| not())?;
        let printable = arr.iter().all(|b| (0x20..0x7f).contains(b));
        let padded = arr.windows(4).any(|w| w == [0; 4]);
        if printable || padded {
            return Err(not());
        }
        Ok(Self(Digest(arr)))
    }

    /// The 32 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitments_open_only_with_their_salt_and_identity() {
        let salt = [7u8; SALT_LEN];
        let c = PartyCommitment::commit(&salt, "CN-ID:110101199003074512");
        assert!(c.opens(&salt, "CN-ID:110101199003074512"));
        assert!(!c.opens(&[8u8; SALT_LEN], "CN-ID:110101199003074512"));
        assert!(!c.opens(&salt, "CN-ID:110101199003074513"));
        assert_eq!(PartyCommitment::from_bytes("f", c.as_bytes()).unwrap(), c);
    }

    #[test]
    fn personal_data_is_not_a_commitment() {
        let field = |b: &[u8]| PartyCommitment::from_bytes("p", b).map_err(|e| e.reason);
        // A name, an ID number and a phone number, written out or padded.
        assert_eq!(field(b"Zhang San"), Err(Reason::NotCommitment));
        assert_eq!(
            field(b"110101199003074512 Zhang San ..."),
            Err(Reason::NotCommitment)
        );
        let mut padded = [0u8; 32];
        padded[..14].copy_from_slice(b"+8613800138000");
        assert_eq!(field(&padded), Err(Reason::NotCommitment));
        let mut name = [0u8; 32];
        name[..6].copy_from_slice("张三".as_bytes());
        assert_eq!(field(&name), Err(Reason::NotCommitment));
        assert_eq!(field(&[]), Err(Reason::Missing));
        assert_eq!(field(&[0xab; 31]), Err(Reason::NotCommitment));
        // Real commitments pass, whatever the salt.
        for i in 0..1000u32 {
            let mut salt = [0u8; SALT_LEN];
            salt[..4].copy_from_slice(&i.to_be_bytes());
            let c = PartyCommitment::commit(&salt, "anyone");
            assert!(field(c.as_bytes()).is_ok());
        }
    }
}
