//! Public note keys ("vkeys"), key names, signature types and key ids.
//!
//! A verifier key is the text `<name>+<hex key id>+<base64(type || public key)>`
//! (c2sp.org/signed-note, "Verifier keys"). The key id is
//! `SHA-256(name || 0x0A || type || public key)[:4]`. The private side is in
//! [`signer`](super::signer).

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use super::error::{KeyError, NameError};
use super::text::{b64_decode, b64_encode};

/// Longest key name (and checkpoint origin) vledger accepts, in bytes.
///
/// The specification sets no limit; this one keeps every note vledger signs
/// well below [`MAX_NOTE_SIZE`](super::MAX_NOTE_SIZE).
pub const MAX_NAME_LEN: usize = 1024;

/// The signature type of a note key: the byte that prefixes the public key in
/// a vkey and enters the key id.
///
/// vledger logs sign with [`KeyType::Ed25519`] (0x01). Witnesses cosign
/// with [`KeyType::CosignatureV1`] (0x04, c2sp.org/tlog-cosignature): the
/// same 32-byte Ed25519 public key, but the signature covers a
/// `cosignature/v1` message with a timestamp (see
/// [`cosignature`](super::cosignature)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// Ed25519 over the note text (signature type 0x01).
    Ed25519,
    /// A C2SP `tlog-cosignature` v1 Ed25519 cosignature (signature type
    /// 0x04): a timestamp and an Ed25519 signature over
    /// `cosignature/v1\ntime <timestamp>\n<checkpoint note text>`.
    CosignatureV1,
}

impl KeyType {
    /// The signature type identifier byte.
    #[must_use]
    pub const fn id(self) -> u8 {
        match self {
            Self::Ed25519 => 0x01,
            Self::CosignatureV1 => 0x04,
        }
    }

    /// The key type with identifier byte `id`, if vledger supports it.
    #[must_use]
    pub const fn from_id(id: u8) -> Option<Self> {
        match id {
            0x01 => Some(Self::Ed25519),
            0x04 => Some(Self::CosignatureV1),
            _ => None,
        }
    }
}

/// The key id `SHA-256(name || 0x0A || type || public key)[:4]`.
#[must_use]
pub fn key_id(name: &str, key_type: KeyType, public_key: &[u8]) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([b'\n', key_type.id()])
        .chain_update(public_key)
        .finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Checks a key name against c2sp.org/signed-note and vledger's limits.
pub(crate) fn check_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong { max: MAX_NAME_LEN });
    }
    for c in name.chars() {
        if c == '+' {
            return Err(NameError::ContainsPlus);
        }
        if c.is_whitespace() {
            return Err(NameError::ContainsSpace);
        }
        if c.is_control() {
            return Err(NameError::ContainsControl);
        }
    }
    Ok(())
}

/// Splits `name+hex+base64` and checks name and key id syntax.
pub(super) fn split_key(text: &str) -> Result<(&str, [u8; 4], Vec<u8>), KeyError> {
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(KeyError::MissingParts);
    };
    check_name(name)?;
    if id.len() != 8 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(KeyError::MalformedKeyId);
    }
    let mut found = [0u8; 4];
    hex::decode_to_slice(id, &mut found).map_err(|_| KeyError::MalformedKeyId)?;
    let data = b64_decode(data).ok_or(KeyError::KeyNotBase64)?;
    if data.is_empty() {
        return Err(KeyError::EmptyKey);
    }
    Ok((name, found, data))
}

/// Splits off the type byte and returns the type and the 32 key bytes.
pub(super) fn typed_key(data: &[u8]) -> Result<(KeyType, [u8; 32]), KeyError> {
    let (&type_byte, material) = data.split_first().ok_or(KeyError::EmptyKey)?;
    let key_type = KeyType::from_id(type_byte).ok_or(KeyError::UnsupportedKeyType(type_byte))?;
    let bytes =
        <[u8; 32]>::try_from(material).map_err(|_| KeyError::WrongKeyLength(material.len()))?;
    Ok((key_type, bytes))
}

/// The name, key id and seed of `PRIVATE+KEY+<name>+<hex key id>+<base64(type
/// || seed)>`, which must be of type `want`. The caller derives the key and
/// checks the key id against it.
pub(super) fn parse_private_key(
    text: &str,
    want: KeyType,
) -> Result<(&str, [u8; 4], [u8; 32]), KeyError> {
    let rest = text
        .strip_prefix("PRIVATE+KEY+")
        .ok_or(KeyError::NotPrivateKey)?;
    let (name, found, data) = split_key(rest)?;
    let (key_type, seed) = typed_key(&data)?;
    if key_type != want {
        return Err(KeyError::UnsupportedKeyType(key_type.id()));
    }
    Ok((name, found, seed))
}

/// The private key text of a key of `key_type`: see [`parse_private_key`].
pub(super) fn private_key_text(
    name: &str,
    key_id: [u8; 4],
    key_type: KeyType,
    seed: &[u8; 32],
) -> String {
    let mut data = Vec::with_capacity(33);
    data.push(key_type.id());
    data.extend_from_slice(seed);
    format!(
        "PRIVATE+KEY+{name}+{}+{}",
        hex::encode(key_id),
        super::text::b64_encode(&data)
    )
}

pub(super) fn check_key_id(found: [u8; 4], computed: [u8; 4]) -> Result<(), KeyError> {
    if found == computed {
        Ok(())
    } else {
        Err(KeyError::KeyIdMismatch { found, computed })
    }
}

/// A public note key: name, key id, signature type and public key.
///
/// Parsing is strict: a valid key name, a lower-case 8-digit hex key id that
/// matches the key, a supported type byte, exactly 32 key bytes that are a
/// valid Ed25519 point and not a weak (small-order) one.
///
/// `Debug` shows the vkey text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VerifierKey {
    name: String,
    key_id: [u8; 4],
    key_type: KeyType,
    public_key: VerifyingKey,
}

impl VerifierKey {
    /// A verifier key for `public_key` under `name`; the key id is computed.
    ///
    /// # Errors
    ///
    /// [`KeyError::Name`] for an invalid name, [`KeyError::WeakKey`] for a
    /// small-order public key.
    pub fn new(
        name: impl Into<String>,
        key_type: KeyType,
        public_key: VerifyingKey,
    ) -> Result<Self, KeyError> {
        let name = name.into();
        check_name(&name)?;
        if public_key.is_weak() {
            return Err(KeyError::WeakKey);
        }
        let key_id = key_id(&name, key_type, public_key.as_bytes());
        Ok(Self {
            name,
            key_id,
            key_type,
            public_key,
        })
    }

    /// A verifier key from parts already checked (by a [`Signer`](super::Signer)).
    pub(super) fn from_checked_parts(
        name: String,
        key_id: [u8; 4],
        key_type: KeyType,
        public_key: VerifyingKey,
    ) -> Self {
        Self {
            name,
            key_id,
            key_type,
            public_key,
        }
    }

    /// Parses the vkey form `<name>+<hex key id>+<base64(type || public key)>`.
    ///
    /// # Errors
    ///
    /// A [`KeyError`] naming the first problem found.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (name, found, data) = split_key(text)?;
        let (key_type, bytes) = typed_key(&data)?;
        check_key_id(found, key_id(name, key_type, &bytes))?;
        let public_key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::InvalidPoint)?;
        Self::new(name, key_type, public_key)
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

    /// The signature type.
    #[must_use]
    pub const fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The Ed25519 public key.
    #[must_use]
    pub const fn public_key(&self) -> &VerifyingKey {
        &self.public_key
    }

    /// Whether `signature` (the bytes after the key id on a signature line) is
    /// this key's signature of the note text `text`.
    ///
    /// For [`KeyType::CosignatureV1`] the signature is the 8-byte big-endian
    /// timestamp followed by the Ed25519 signature of the `cosignature/v1`
    /// message (c2sp.org/tlog-cosignature); a timestamp above 2^63 - 1 is
    /// refused.
    ///
    /// Ed25519 signatures are checked with `verify_strict`: non-canonical
    /// encodings and small-order components are refused.
    #[must_use]
    pub fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        match self.key_type {
            KeyType::Ed25519 => Signature::from_slice(signature)
                .is_ok_and(|sig| self.public_key.verify_strict(text, &sig).is_ok()),
            KeyType::CosignatureV1 => {
                super::cosignature_v1::verify_cosignature_v1(&self.public_key, text, signature)
                    .is_some()
            }
        }
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut data = Vec::with_capacity(33);
        data.push(self.key_type.id());
        data.extend_from_slice(self.public_key.as_bytes());
        write!(
            f,
            "{}+{}+{}",
            self.name,
            hex::encode(self.key_id),
            b64_encode(&data)
        )
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

impl FromStr for VerifierKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(check_name("example.com/log"), Ok(()));
        assert_eq!(check_name("ünïcödé"), Ok(()));
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(check_name("a+b"), Err(NameError::ContainsPlus));
        assert_eq!(check_name("a b"), Err(NameError::ContainsSpace));
        assert_eq!(check_name("a\u{a0}b"), Err(NameError::ContainsSpace));
        assert_eq!(check_name("a\u{3000}b"), Err(NameError::ContainsSpace));
        assert_eq!(check_name("a\u{1}b"), Err(NameError::ContainsControl));
        assert_eq!(
            check_name(&"a".repeat(MAX_NAME_LEN + 1)),
            Err(NameError::TooLong { max: MAX_NAME_LEN })
        );
    }

    #[test]
    fn different_keys_with_one_name_and_key_id_are_ambiguous() {
        use crate::note::{Note, NoteVerifyError, Signer, sign_note};
        let a = Signer::from_seed("x", &[1; 32]).unwrap();
        let b = Signer::from_seed("x", &[2; 32]).unwrap().verifier_key();
        // A key id collision costs about 2^32 work; fake one.
        let colliding = VerifierKey {
            key_id: a.key_id(),
            ..b
        };
        let note = Note::parse(&sign_note("t\n", &[&a]).unwrap()).unwrap();
        let keys = [a.verifier_key(), colliding];
        assert_eq!(
            note.verify(&keys),
            Err(NoteVerifyError::AmbiguousKey {
                name: "x".into(),
                key_id: a.key_id()
            })
        );
        // The same key listed twice is not ambiguous.
        let keys = [a.verifier_key(), a.verifier_key()];
        assert_eq!(note.verify(&keys).unwrap(), vec![&keys[0]]);
    }

    #[test]
    fn key_type_ids() {
        assert_eq!(KeyType::from_id(1), Some(KeyType::Ed25519));
        assert_eq!(KeyType::Ed25519.id(), 1);
        assert_eq!(KeyType::from_id(4), Some(KeyType::CosignatureV1));
        assert_eq!(KeyType::CosignatureV1.id(), 4);
        for id in [0u8, 2, 3, 5, 6, 0xff] {
            assert_eq!(KeyType::from_id(id), None);
        }
    }
}
