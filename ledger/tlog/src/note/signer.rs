//! Private Ed25519 note keys.
//!
//! A private key is printed as in Go's `golang.org/x/mod/sumdb/note`
//! (`GenerateKey`, `NewSigner`):
//! `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte Ed25519 seed)>`,
//! where the key id is that of the public key.

use std::fmt;

use ed25519_dalek::SigningKey;

use super::error::KeyError;
use super::key::{
    KeyType, VerifierKey, check_key_id, check_name, key_id, parse_private_key, private_key_text,
};

/// A private Ed25519 note key with its name.
///
/// Its `Debug` output shows name and key id only, never the secret.
#[derive(Clone)]
pub struct Signer {
    name: String,
    key_id: [u8; 4],
    key: SigningKey,
}

impl Signer {
    /// A signer for `key` under `name`.
    ///
    /// # Errors
    ///
    /// [`KeyError::Name`] for an invalid name.
    pub fn new(name: impl Into<String>, key: SigningKey) -> Result<Self, KeyError> {
        let name = name.into();
        check_name(&name)?;
        let key_id = key_id(&name, KeyType::Ed25519, key.verifying_key().as_bytes());
        Ok(Self { name, key_id, key })
    }

    /// A signer named `name` for the Ed25519 key with this 32-byte seed (the
    /// RFC 8032 private key).
    ///
    /// To make a new key, draw the seed from a cryptographic random number
    /// generator, or build the key with `SigningKey::generate` and use
    /// [`Signer::new`].
    ///
    /// # Errors
    ///
    /// [`KeyError::Name`] for an invalid name.
    pub fn from_seed(name: impl Into<String>, seed: &[u8; 32]) -> Result<Self, KeyError> {
        Self::new(name, SigningKey::from_bytes(seed))
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>`.
    ///
    /// # Errors
    ///
    /// A [`KeyError`]; in particular [`KeyError::KeyIdMismatch`] if the key id
    /// is not the one of the public key derived from the seed.
    pub fn from_private_key(text: &str) -> Result<Self, KeyError> {
        // A cosigner key (0x04) signs cosignatures, not notes: see
        // `Cosigner`.
        let (name, found, seed) = parse_private_key(text, KeyType::Ed25519)?;
        let signer = Self::from_seed(name, &seed)?;
        check_key_id(found, signer.key_id)?;
        Ok(signer)
    }

    /// The Ed25519 signing key, for signing other messages than notes (such
    /// as vledger records) with the same key.
    #[must_use]
    pub const fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The private key in Go's note form; keep it secret.
    #[must_use]
    pub fn to_private_key(&self) -> String {
        private_key_text(
            &self.name,
            self.key_id,
            KeyType::Ed25519,
            self.key.as_bytes(),
        )
    }

    /// The matching verifier key.
    #[must_use]
    pub fn verifier_key(&self) -> VerifierKey {
        VerifierKey::from_checked_parts(
            self.name.clone(),
            self.key_id,
            KeyType::Ed25519,
            self.key.verifying_key(),
        )
    }

    /// The Ed25519 signature of `msg`.
    #[must_use]
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.key.sign(msg).to_bytes()
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
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
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
