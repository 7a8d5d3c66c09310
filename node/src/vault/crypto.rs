//! The party vault's keys and sealing: XChaCha20-Poly1305 with random
//! 24-byte nonces, a random 256-bit data key per party, data keys wrapped
//! by the vault's master key. Key material is wiped from memory when
//! dropped.
//!
//! A sealed blob is `nonce (24 bytes) || ciphertext || tag (16 bytes)`;
//! the associated data binds it to what it is (a party's file, a party's
//! wrapped key, the master key check) and to the party reference, so that
//! a blob moved under another name does not open.

use anyhow::{Context as _, bail};
use chacha20poly1305::aead::{Aead as _, AeadCore as _, KeyInit as _, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::{Zeroize as _, ZeroizeOnDrop, Zeroizing};

/// Bytes of a key (master or data).
pub const KEY_LEN: usize = 32;
/// Bytes of a nonce.
pub const NONCE_LEN: usize = 24;
/// Bytes of the authentication tag.
pub const TAG_LEN: usize = 16;

/// A 256-bit key, wiped when dropped.
#[derive(ZeroizeOnDrop)]
pub struct SecretKey([u8; KEY_LEN]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// A sealed blob did not open: the key is not the one it was sealed
/// under, or the blob (or its name) was altered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("authentication failed")]
pub struct NotAuthentic;

impl SecretKey {
    /// A fresh random key.
    #[must_use]
    pub fn generate() -> Self {
        let mut key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = [0u8; KEY_LEN];
        bytes.copy_from_slice(&key);
        key.zeroize();
        Self(bytes)
    }

    /// The key in hex, wiped when dropped.
    #[must_use]
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0))
    }

    /// Reads a key written as 64 hex digits (surrounding white space
    /// ignored).
    ///
    /// # Errors
    /// When `text` is not 32 bytes in hex.
    pub fn from_hex(text: &str) -> anyhow::Result<Self> {
        let mut bytes = [0u8; KEY_LEN];
        if hex::decode_to_slice(text.trim(), &mut bytes).is_err() {
            bytes.zeroize();
            bail!("not a key (64 hex digits)");
        }
        Ok(Self(bytes))
    }

    /// Seals `plaintext` with a fresh random nonce, binding `aad`.
    ///
    /// # Errors
    /// Only if the AEAD refuses the input (longer than it can seal).
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> anyhow::Result<Vec<u8>> {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| anyhow::anyhow!("cannot seal {} bytes", plaintext.len()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a blob [`SecretKey::seal`] made with this key and `aad`.
    ///
    /// # Errors
    /// [`NotAuthentic`] when the key or `aad` is not the one it was sealed
    /// with, or a byte of it changed.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, NotAuthentic> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(NotAuthentic);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| NotAuthentic)
    }

    /// Wraps `key` (a data key) under this one.
    ///
    /// # Errors
    /// As [`SecretKey::seal`].
    pub fn wrap(&self, aad: &[u8], key: &Self) -> anyhow::Result<Vec<u8>> {
        self.seal(aad, &key.0)
    }

    /// Unwraps a data key [`SecretKey::wrap`] wrapped.
    ///
    /// # Errors
    /// As [`SecretKey::open`].
    pub fn unwrap_key(&self, aad: &[u8], wrapped: &[u8]) -> Result<Self, NotAuthentic> {
        let bytes = self.open(aad, wrapped)?;
        let array = <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| NotAuthentic)?;
        Ok(Self(array))
    }
}

/// Reads the master key: `arg` is a file holding it in hex, or (as
/// `VLEDGER_VAULT_KEY` may give it) the 64 hex digits themselves.
///
/// # Errors
/// When the file cannot be read or does not hold a key; the message names
/// the master key.
pub fn read_master_key(arg: &str) -> anyhow::Result<SecretKey> {
    let looks_like_key = arg.len() == 2 * KEY_LEN && arg.bytes().all(|b| b.is_ascii_hexdigit());
    if looks_like_key {
        return SecretKey::from_hex(arg).context("the master key");
    }
    let text = Zeroizing::new(
        std::fs::read_to_string(arg)
            .with_context(|| format!("cannot read the master key file {arg}"))?,
    );
    SecretKey::from_hex(&text).with_context(|| format!("the master key file {arg}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_blobs_open_only_with_their_key_and_associated_data() {
        let key = SecretKey::generate();
        let sealed = key.seal(b"p-1", b"secret").unwrap();
        assert_eq!(sealed.len(), NONCE_LEN + 6 + TAG_LEN);
        assert_eq!(key.open(b"p-1", &sealed).unwrap().as_slice(), b"secret");
        // Fresh nonces: sealing twice never gives the same bytes.
        assert_ne!(key.seal(b"p-1", b"secret").unwrap(), sealed);
        assert_eq!(key.open(b"p-2", &sealed), Err(NotAuthentic));
        assert_eq!(
            SecretKey::generate().open(b"p-1", &sealed),
            Err(NotAuthentic)
        );
        for i in 0..sealed.len() {
            let mut flipped = sealed.clone();
            flipped[i] ^= 1;
            assert_eq!(key.open(b"p-1", &flipped), Err(NotAuthentic), "byte {i}");
        }
        assert_eq!(key.open(b"p-1", &sealed[..20]), Err(NotAuthentic));
        let data = SecretKey::generate();
        let wrapped = key.wrap(b"k", &data).unwrap();
        assert_eq!(key.unwrap_key(b"k", &wrapped).unwrap().0, data.0);
    }

    #[test]
    fn master_keys_are_read_as_hex() {
        let key = SecretKey::generate();
        let hex = key.to_hex();
        assert_eq!(read_master_key(&hex).unwrap().0, key.0);
        let err = read_master_key("/nonexistent/master.key").unwrap_err();
        assert!(format!("{err:#}").contains("master key file /nonexistent/master.key"));
        assert!(SecretKey::from_hex("abcd").is_err());
    }
}
