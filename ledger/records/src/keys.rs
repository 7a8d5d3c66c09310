//! Submitter keys, their roles, and who may sign what.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use vledger_proto::v1 as pb;

use super::body::RecordKind;
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
}

impl Role {
    /// Every role, in protobuf order.
    pub const ALL: [Self; 7] = [
        Self::Admin,
        Self::Registry,
        Self::Manufacturer,
        Self::InspectionBody,
        Self::Exporter,
        Self::Workshop,
        Self::Customs,
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
        }
    }

    /// Whether a key with this role may sign records of `kind`.
    ///
    /// This is the role matrix of `docs/records.md`. Admin keys sign only
    /// what concerns the log itself (keys and protocols), never a vehicle
    /// record. A correction may be signed by any role that signs vehicle
    /// records; the rules then require the signer of the corrected record.
    #[must_use]
    pub const fn may_sign(self, kind: RecordKind) -> bool {
        use RecordKind as K;
        match kind {
            K::KeyEnrollment | K::KeyRevocation => matches!(self, Self::Admin),
            K::InspectionProtocol => matches!(self, Self::Admin | Self::InspectionBody),
            K::Factory => matches!(self, Self::Manufacturer),
            K::Registration | K::Deregistration => matches!(self, Self::Registry),
            K::OwnershipTransfer => matches!(self, Self::Registry | Self::Exporter),
            K::OdometerReading => matches!(
                self,
                Self::Registry | Self::InspectionBody | Self::Exporter | Self::Workshop
            ),
            K::Maintenance => matches!(self, Self::Workshop),
            K::ComponentChange => matches!(self, Self::Workshop | Self::Manufacturer),
            K::Damage => matches!(self, Self::Registry | Self::InspectionBody | Self::Workshop),
            K::Inspection => matches!(self, Self::InspectionBody),
            K::ExportLicense | K::Claim => matches!(self, Self::Exporter),
            K::CustomsClearance => matches!(self, Self::Customs),
            K::Compliance => matches!(self, Self::InspectionBody | Self::Manufacturer),
            K::Correction => !matches!(self, Self::Admin),
        }
    }

    /// The one-byte code used in the store and in protobuf.
    #[must_use]
    pub fn code(self) -> u8 {
        // The protobuf enum values are 1..=7 and fit a byte.
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
    /// Leaf index of the entry that enrolled it (0 for the genesis admin key).
    pub enrolled_at: u64,
    /// Leaf index of the entry that revoked it.
    pub revoked_at: Option<u64>,
}

/// Why a signer may not append a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The signer's key was never enrolled in this log.
    #[error("signing key {key} is not enrolled in this log")]
    NotEnrolled {
        /// Hex of the signer's key.
        key: String,
    },
    /// The signer's key was revoked.
    #[error("signing key {key} was revoked at entry {at}")]
    Revoked {
        /// Hex of the signer's key.
        key: String,
        /// Leaf index of the revocation.
        at: u64,
    },
    /// The signer's role may not sign this kind of record.
    #[error("a key with role {role} may not sign {kind} records")]
    RoleMayNotSign {
        /// The signer's role.
        role: Role,
        /// The record's kind.
        kind: RecordKind,
    },
    /// A key enrollment for a key that is already enrolled.
    #[error("key {key} is already enrolled in this log")]
    AlreadyEnrolled {
        /// Hex of the enrolled key.
        key: String,
    },
    /// An enrollment of a key that was revoked: a revoked key stays revoked.
    #[error("key {key} was revoked at entry {at} and cannot be enrolled again")]
    ReEnrollRevoked {
        /// Hex of the key.
        key: String,
        /// Leaf index of its revocation.
        at: u64,
    },
    /// An admin revoking its own key. Another admin must do it, so that the
    /// log always keeps an admin able to enroll and revoke.
    #[error("key {key} may not revoke itself; another admin key must revoke it")]
    SelfRevocation {
        /// Hex of the key.
        key: String,
    },
    /// A correction signed by another key than the corrected record.
    #[error("only key {signer} that signed entry {target} may correct it")]
    NotTargetSigner {
        /// Hex of the corrected record's signer.
        signer: String,
        /// The corrected entry.
        target: u64,
    },
    /// A revocation of a key that is not enrolled.
    #[error("key {key} to revoke is not enrolled in this log")]
    RevokeUnknown {
        /// Hex of the key.
        key: String,
    },
    /// A revocation of a key that is already revoked.
    #[error("key {key} to revoke was already revoked at entry {at}")]
    AlreadyRevoked {
        /// Hex of the key.
        key: String,
        /// Leaf index of the first revocation.
        at: u64,
    },
}

/// Decides whether a key in `state` may sign a record of `kind`.
///
/// # Errors
/// [`AuthError::NotEnrolled`], [`AuthError::Revoked`] or
/// [`AuthError::RoleMayNotSign`].
pub fn authorize(
    signer: &VerifyingKey,
    state: Option<&KeyState>,
    kind: RecordKind,
) -> Result<Role, AuthError> {
    let key = hex::encode(signer.as_bytes());
    let state = state.ok_or_else(|| AuthError::NotEnrolled { key: key.clone() })?;
    if let Some(at) = state.revoked_at {
        return Err(AuthError::Revoked { key, at });
    }
    if !state.role.may_sign(kind) {
        return Err(AuthError::RoleMayNotSign {
            role: state.role,
            kind,
        });
    }
    Ok(state.role)
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
        assert_eq!(Role::from_code(8), None);
    }

    /// The role matrix of docs/records.md, written out: every kind with
    /// the roles that may sign it. Every other (role, kind) is refused.
    const MATRIX: &[(RecordKind, &[Role])] = {
        use Role::*;
        &[
            (RecordKind::Factory, &[Manufacturer]),
            (RecordKind::Registration, &[Registry]),
            (RecordKind::OwnershipTransfer, &[Registry, Exporter]),
            (
                RecordKind::OdometerReading,
                &[Registry, InspectionBody, Exporter, Workshop],
            ),
            (RecordKind::Maintenance, &[Workshop]),
            (RecordKind::ComponentChange, &[Manufacturer, Workshop]),
            (RecordKind::Damage, &[Registry, InspectionBody, Workshop]),
            (RecordKind::Inspection, &[InspectionBody]),
            (RecordKind::InspectionProtocol, &[Admin, InspectionBody]),
            (RecordKind::ExportLicense, &[Exporter]),
            (RecordKind::CustomsClearance, &[Customs]),
            (RecordKind::Deregistration, &[Registry]),
            (RecordKind::Compliance, &[Manufacturer, InspectionBody]),
            (RecordKind::Claim, &[Exporter]),
            (
                RecordKind::Correction,
                &[
                    Registry,
                    Manufacturer,
                    InspectionBody,
                    Exporter,
                    Workshop,
                    Customs,
                ],
            ),
            (RecordKind::KeyEnrollment, &[Admin]),
            (RecordKind::KeyRevocation, &[Admin]),
        ]
    };

    #[test]
    fn the_role_matrix_allows_exactly_the_documented_pairs() {
        assert_eq!(MATRIX.len(), RecordKind::ALL.len());
        for (kind, roles) in MATRIX {
            for role in Role::ALL {
                assert_eq!(
                    role.may_sign(*kind),
                    roles.contains(&role),
                    "{role} signing {kind}"
                );
            }
        }
        // Every role may sign something and is refused something.
        for role in Role::ALL {
            let allowed = RecordKind::ALL
                .iter()
                .filter(|k| role.may_sign(**k))
                .count();
            assert!(allowed > 0 && allowed < RecordKind::ALL.len(), "{role}");
        }
        // An exporter cannot sign an inspection; only an inspection body can.
        assert!(!Role::Exporter.may_sign(RecordKind::Inspection));
    }

    #[test]
    fn only_admins_manage_keys_and_admins_sign_no_vehicle_records() {
        for role in Role::ALL {
            assert_eq!(
                role.may_sign(RecordKind::KeyEnrollment),
                role == Role::Admin
            );
            assert_eq!(
                role.may_sign(RecordKind::KeyRevocation),
                role == Role::Admin
            );
        }
        for kind in RecordKind::ALL {
            if kind.needs_vin() {
                assert!(!Role::Admin.may_sign(*kind), "{kind}");
            }
        }
        assert!(Role::Workshop.may_sign(RecordKind::OdometerReading));
    }

    #[test]
    fn authorize_refuses_unknown_revoked_and_wrong_role() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        let kind = RecordKind::OdometerReading;
        assert!(matches!(
            authorize(&key, None, kind),
            Err(AuthError::NotEnrolled { .. })
        ));
        let mut state = KeyState {
            role: Role::Workshop,
            enrolled_at: 3,
            revoked_at: None,
        };
        assert_eq!(authorize(&key, Some(&state), kind), Ok(Role::Workshop));
        state.revoked_at = Some(9);
        assert!(matches!(
            authorize(&key, Some(&state), kind),
            Err(AuthError::Revoked { at: 9, .. })
        ));
        state = KeyState {
            role: Role::Customs,
            enrolled_at: 3,
            revoked_at: None,
        };
        assert!(matches!(
            authorize(&key, Some(&state), kind),
            Err(AuthError::RoleMayNotSign {
                role: Role::Customs,
                ..
            })
        ));
    }
}
