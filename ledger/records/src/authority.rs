//! Who may sign what: the role matrix, and the check of a signer's key
//! state against it.

use ed25519_dalek::VerifyingKey;

use super::body::RecordKind;
use super::keys::{KeyState, Role};

impl Role {
    /// Whether a key with this role may sign records of `kind`.
    ///
    /// This is the role matrix of `docs/records.md`. Admin keys sign only
    /// what concerns the log itself (keys and protocols), never a vehicle
    /// record; recovery keys sign key records only, and [`Role::may_manage`]
    /// says which keys. A correction may be signed by any role that signs
    /// vehicle records; the rules then require the signer of the corrected
    /// record.
    #[must_use]
    pub const fn may_sign(self, kind: RecordKind) -> bool {
        use RecordKind as K;
        match kind {
            K::KeyEnrollment | K::KeyRevocation => matches!(self, Self::Admin | Self::Recovery),
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
            K::Correction => !matches!(self, Self::Admin | Self::Recovery),
        }
    }

    /// Whether a key with this role may enroll or revoke a key with role
    /// `target`. Admins manage every key but recovery keys, other admins
    /// included; a recovery key manages admin and recovery keys only, so a
    /// stolen admin key cannot take away the way back from its loss.
    #[must_use]
    pub const fn may_manage(self, target: Self) -> bool {
        match self {
            Self::Admin => !matches!(target, Self::Recovery),
            Self::Recovery => matches!(target, Self::Admin | Self::Recovery),
            _ => false,
        }
    }
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
    /// A key revoking itself. Another key must do it, so that the log
    /// always keeps a key able to enroll and revoke.
    #[error("key {key} may not revoke itself; another admin or recovery key must revoke it")]
    SelfRevocation {
        /// Hex of the key.
        key: String,
    },
    /// An enrollment or revocation of a key whose role the signer may not
    /// manage (see [`Role::may_manage`]).
    #[error("a key with role {role} may not enroll or revoke a {target} key; {hint}")]
    MayNotManage {
        /// The signer's role.
        role: Role,
        /// The role of the key enrolled or revoked.
        target: Role,
        /// Which key may.
        hint: &'static str,
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
            (RecordKind::KeyEnrollment, &[Admin, Recovery]),
            (RecordKind::KeyRevocation, &[Admin, Recovery]),
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
    fn only_admin_and_recovery_keys_manage_keys_and_neither_signs_vehicle_records() {
        let managers = [Role::Admin, Role::Recovery];
        for role in Role::ALL {
            assert_eq!(
                role.may_sign(RecordKind::KeyEnrollment),
                managers.contains(&role)
            );
            assert_eq!(
                role.may_sign(RecordKind::KeyRevocation),
                managers.contains(&role)
            );
        }
        for kind in RecordKind::ALL {
            if kind.needs_vin() {
                assert!(!Role::Admin.may_sign(*kind), "{kind}");
                assert!(!Role::Recovery.may_sign(*kind), "{kind}");
            }
        }
        assert!(!Role::Recovery.may_sign(RecordKind::InspectionProtocol));
        assert!(Role::Workshop.may_sign(RecordKind::OdometerReading));
    }

    #[test]
    fn admins_manage_every_key_but_recovery_keys_which_manage_admins_and_themselves() {
        for target in Role::ALL {
            assert_eq!(
                Role::Admin.may_manage(target),
                target != Role::Recovery,
                "admin managing {target}"
            );
            assert_eq!(
                Role::Recovery.may_manage(target),
                matches!(target, Role::Admin | Role::Recovery),
                "recovery managing {target}"
            );
            for role in Role::ALL {
                if !matches!(role, Role::Admin | Role::Recovery) {
                    assert!(!role.may_manage(target), "{role} managing {target}");
                }
            }
        }
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
