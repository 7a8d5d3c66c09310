//! Private Ed25519 keys with their names: one [`KeyPair`] type for the log's
//! note key ([`Signer`], signature type 0x01) and a witness's cosigning key
//! ([`Cosigner`], type 0x04). The type parameter keeps the two apart: only
//! a [`Signer`] signs notes, only a [`Cosigner`] cosigns checkpoints.
//!
//! A private key is printed as in Go's `golang.org/x/mod/sumdb/note`
//! (`GenerateKey`, `NewSigner`):
//! `PRIVATE+KEY+<name>+<hex key id>+<base64(type || 32-byte Ed25519 seed)>`,
//! where the key id is that of the public key. (The cosignature spec
//! defines no private-key encoding; the 0x04 form is vledger's.)

use std::fmt;
use std::marker::PhantomData;

use ed25519_dalek::SigningKey;

use super::error::KeyError;
use super::key::{
    KeyType, VerifierKey, check_key_id, check_name, key_id, parse_private_key, private_key_text,
};

/// What a [`KeyPair`] signs: notes ([`NoteKey`]) or cosignatures
/// ([`CosigningKey`]).
pub trait KeyKind: Clone + fmt::Debug + private::Sealed {
    /// The signature type of its verifier key.
    const TYPE: KeyType;
    /// The name its `Debug` output gives the key.
    const LABEL: &'static str;
}

/// A log's note-signing key (signature type 0x01).
#[derive(Debug, Clone, Copy)]
pub struct NoteKey;

/// A witness's cosigning key (`tlog-cosignature` v1, signature type 0x04).
#[derive(Debug, Clone, Copy)]
pub struct CosigningKey;

impl KeyKind for NoteKey {
    const TYPE: KeyType = KeyType::Ed25519;
    const LABEL: &'static str = "Signer";
}

impl KeyKind for CosigningKey {
    const TYPE: KeyType = KeyType::CosignatureV1;
    const LABEL: &'static str = "Cosigner";
}

mod private {
    pub trait Sealed {}
    impl Sealed for super::NoteKey {}
    impl Sealed for super::CosigningKey {}
}

/// A private Ed25519 key of kind `K` with its name.
///
/// Its `Debug` output shows name and key id only, never the secret.
#[derive(Clone)]
pub struct KeyPair<K: KeyKind> {
    name: String,
    key_id: [u8; 4],
    key: SigningKey,
    kind: PhantomData<K>,
}

/// The log's private note key: signs checkpoints (and, as the same
/// Ed25519 key, whatever else vledger signs with it).
pub type Signer = KeyPair<NoteKey>;

/// A witness's private cosigning key: makes `tlog-cosignature` v1 lines
/// ([`Cosigner::cosign`](super::cosignature)).
pub type Cosigner = KeyPair<CosigningKey>;

impl<K: KeyKind> KeyPair<K> {
    /// A key pair for `key` under `name`.
    ///
    /// # Errors
    ///
    /// [`KeyError::Name`] for an invalid name.
    pub fn new(name: impl Into<String>, key: SigningKey) -> Result<Self, KeyError> {
        let name = name.into();
        check_name(&name)?;
        let key_id = key_id(&name, K::TYPE, key.verifying_key().as_bytes());
        Ok(Self {
            name,
            key_id,
            key,
            kind: PhantomData,
        })
    }

    /// A key pair named `name` for the Ed25519 key with this 32-byte seed
    /// (the RFC 8032 private key).
    ///
    /// To make a new key, draw the seed from a cryptographic random number
    /// generator, or build the key with `SigningKey::generate` and use
    /// [`KeyPair::new`].
    ///
    /// # Errors
    ///
    /// [`KeyError::Name`] for an invalid name.
    pub fn from_seed(name: impl Into<String>, seed: &[u8; 32]) -> Result<Self, KeyError> {
        Self::new(name, SigningKey::from_bytes(seed))
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key id>+<base64(type || 32-byte seed)>`.
    ///
    /// # Errors
    ///
    /// A [`KeyError`]: [`KeyError::UnsupportedKeyType`] for a key of the
    /// other kind (a log key is not a cosigning key, nor the other way
    /// round), [`KeyError::KeyIdMismatch`] if the key id is not the one of
    /// the public key derived from the seed.
    pub fn from_private_key(text: &str) -> Result<Self, KeyError> {
        let (name, found, seed) = parse_private_key(text, K::TYPE)?;
        let pair = Self::from_seed(name, &seed)?;
        check_key_id(found, pair.key_id)?;
        Ok(pair)
    }

    /// The private key in Go's note form; keep it secret.
    #[must_use]
    pub fn to_private_key(&self) -> String {
        private_key_text(&self.name, self.key_id, K::TYPE, self.key.as_bytes())
    }

    /// The matching verifier key: what verifiers and logs configure.
    #[must_use]
    pub fn verifier_key(&self) -> VerifierKey {
        VerifierKey::from_checked_parts(
            self.name.clone(),
            self.key_id,
            K::TYPE,
            self.key.verifying_key(),
        )
    }

    /// The key name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key id.
    #[must_use]
    pub const fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// The Ed25519 signature of `msg`, for the modules that build the
    /// messages this kind of key signs.
    pub(crate) fn sign_message(&self, msg: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.key.sign(msg).to_bytes()
    }
}

impl KeyPair<NoteKey> {
    /// The Ed25519 signing key, for signing other messages than notes (such
    /// as vledger records) with the same key.
    #[must_use]
    pub const fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The Ed25519 signature of `msg`.
    #[must_use]
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.sign_message(msg)
    }
}

impl<K: KeyKind> fmt::Debug for KeyPair<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(K::LABEL)
            .field("name", &self.name)
            .field("key_id", &hex::encode(self.key_id))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Go's golang.org/x/mod/sumdb/note documentation and note_test.go (x/mod
    // v0.7.0, Debian golang-golang-x-mod-dev).
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

    #[test]
    fn go_example_keys() {
        let signer = Signer::from_private_key(PETER_SKEY).unwrap();
        assert_eq!(signer.to_private_key(), PETER_SKEY);
        assert_eq!(signer.verifier_key().to_string(), PETER_VKEY);
        let vkey = VerifierKey::parse(PETER_VKEY).unwrap();
        assert_eq!(vkey, signer.verifier_key());
        assert_eq!(vkey.key_id(), [0xc7, 0x4f, 0x20, 0xa3]);
        assert_eq!(vkey.name(), "PeterNeumann");
        assert_eq!(
            format!("{signer:?}"),
            "Signer { name: \"PeterNeumann\", key_id: \"c74f20a3\", .. }"
        );
    }

    #[test]
    fn sign_and_verify() {
        let signer = Signer::from_private_key(PETER_SKEY).unwrap();
        let sig = signer.sign(b"hello\n");
        let vkey = signer.verifier_key();
        assert!(vkey.verify(b"hello\n", &sig));
        assert!(!vkey.verify(b"hello!\n", &sig));
        assert!(!vkey.verify(b"hello\n", &sig[..63]));
    }
}
