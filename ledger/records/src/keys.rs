//! Submitter keys and their roles. Who may sign what is in `authority`.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use vledger_proto::v1 as pb;

use super::error::{FieldError, Reason};

/// The role a key is enrolled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// Enrolls and revokes keys. The genesis admin key has this role.
    Admin,
    /// A vehicle registration authority.
    Registry,
    /// A vehicle manufacturer.
    Manufacturer,
    /// An accredited inspection body.
    InspectionBody,
    /// An exporter.
    Exporter,
    /// A repair or service workshop.
    Workshop,
    /// A customs authority.
    Customs,
    /// Kept offline: enrolls and revokes admin and recovery keys, so that a
    /// log whose admin keys are lost can enroll a new one. Signs nothing
    /// else. `vledger init` makes one and names it in the genesis entry.
    Recovery,
}

impl Role {
    /// Every role, in protobuf order.
    pub const ALL: [Self; 8] = [
        Self::Admin,
        Self::Registry,
        Self::Manufacturer,
        Self::InspectionBody,
        Self::Exporter,
        Self::Workshop,
        Self::Customs,
        Self::Recovery,
    ];

    /// The role's name as written in JSON and on the command line.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Registry => "registry",
            Self::Manufacturer => "manufacturer",
            Self::InspectionBody => "inspection_body",
            Self::Exporter => "exporter",
            Self::Workshop => "workshop",
            Self::Customs => "customs",
            Self::Recovery => "recovery",
        }
    }

    /// The one-byte code used in the store and in protobuf.
    #[must_use]
    pub fn code(self) -> u8 {
        // The protobuf enum values are 1..=8 and fit a byte.
        pb::Role::from(self) as u8
    }

    /// The role with a given one-byte code.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Self::try_from(i32::from(code)).ok()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| format!("unknown role {s:?}"))
    }
}

impl From<Role> for pb::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => Self::Admin,
            Role::Registry => Self::Registry,
            Role::Manufacturer => Self::Manufacturer,
            Role::InspectionBody => Self::InspectionBody,
            Role::Exporter => Self::Exporter,
            Role::Workshop => Self::Workshop,
            Role::Customs => Self::Customs,
            Role::Recovery => Self::Recovery,
        }
    }
}

impl TryFrom<i32> for Role {
    type Error = ();
    fn try_from(v: i32) -> Result<Self, ()> {
        Ok(match pb::Role::try_from(v).map_err(|_| ())? {
            pb::Role::Unspecified => return Err(()),
            pb::Role::Admin => Self::Admin,
            pb::Role::Registry => Self::Registry,
            pb::Role::Manufacturer => Self::Manufacturer,
            pb::Role::InspectionBody => Self::InspectionBody,
            pb::Role::Exporter => Self::Exporter,
            pb::Role::Workshop => Self::Workshop,
            pb::Role::Customs => Self::Customs,
            pb::Role::Recovery => Self::Recovery,
        })
    }
}

/// Reads a 32-byte Ed25519 public key, refusing weak (small-order) keys.
///
/// # Errors
/// [`Reason::PublicKey`] or [`Reason::WeakKey`] for `field`.
pub fn public_key_from_bytes(
    field: &'static str,
    bytes: &[u8],
) -> Result<VerifyingKey, FieldError> {
    let arr = <[u8; 32]>::try_from(bytes).map_err(|_| FieldError::new(field, Reason::PublicKey))?;
    if let Some(key) = RECENT_KEYS.with_borrow(|keys| keys.get(&arr).copied()) {
        return Ok(key);
    }
    let key =
        VerifyingKey::from_bytes(&arr).map_err(|_| FieldError::new(field, Reason::PublicKey))?;
    if key.is_weak() {
        return Err(FieldError::new(field, Reason::WeakKey));
    }
    RECENT_KEYS.with_borrow_mut(|keys| {
        if keys.len() >= RECENT_KEYS_MAX {
            keys.clear();
        }
        keys.insert(arr, key);
    });
    Ok(key)
}

/// Keys that [`public_key_from_bytes`] remembers per thread.
const RECENT_KEYS_MAX: usize = 1024;

thread_local! {
    /// Valid keys this thread decompressed lately. A log has few signers,
    /// and decompressing a point costs about a fifth of verifying a
    /// signature; the result depends on the 32 bytes alone, so remembering
    /// it changes nothing but the time.
    static RECENT_KEYS: std::cell::RefCell<HashMap<[u8; 32], VerifyingKey>> =
        std::cell::RefCell::new(HashMap::new());
}

/// What the log says about one key: its role, where it was enrolled and,
/// if so, where it was revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyState {
    /// The role it was enrolled with.
    pub role: Role,
    /// Leaf index of the entry that enrolled it (0 for the genesis admin
    /// and recovery keys).
    pub enrolled_at: u64,
    /// Leaf index of the entry that revoked it.
    pub revoked_at: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_keys_decode_as_before_and_weak_keys_stay_refused() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
        let first = public_key_from_bytes("k", key.as_bytes()).unwrap();
        let again = public_key_from_bytes("k", key.as_bytes()).unwrap();
        assert_eq!(first, key);
        assert_eq!(again, key);
        // The identity point: a valid encoding of a small-order point.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        for _ in 0..2 {
            let err = public_key_from_bytes("k", &identity).unwrap_err();
            assert_eq!(err.reason, Reason::WeakKey);
        }
        // Not a point at all (y = 2 is off the curve).
        let mut off = [0u8; 32];
        off[0] = 2;
        assert_eq!(
            public_key_from_bytes("k", &off).unwrap_err().reason,
            Reason::PublicKey
        );
        assert_eq!(
            public_key_from_bytes("k", &[1; 31]).unwrap_err().reason,
            Reason::PublicKey
        );
    }

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
            assert_eq!(role.name().parse::<Role>(), Ok(role));
        }
        assert_eq!(Role::from_code(0), None);
        assert_eq!(Role::from_code(9), None);
    }
}
