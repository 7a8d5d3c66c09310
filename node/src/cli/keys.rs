//! Verifier keys on the command line. Every flag that takes one
//! (`--log-key`, `--witness`, `--log`, `--key`) takes the key itself
//! (`name+keyid+base64`, as `keygen` and `init` print it) or the path of a
//! file holding it (`DATA/log.vkey`, `DIR/witness.vkey`), read here, once
//! for every command.

use std::path::Path;

use anyhow::Context as _;
use vledger_tlog::note::{KeyType, VerifierKey};

/// Which kind of key a flag wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// A log's or a submitter's key (type 0x01).
    Ed25519,
    /// A witness's cosigning key (type 0x04).
    Cosigner,
}

impl Want {
    const fn key_type(self) -> KeyType {
        match self {
            Self::Ed25519 => KeyType::Ed25519,
            Self::Cosigner => KeyType::CosignatureV1,
        }
    }

    const fn describe(self) -> &'static str {
        match self {
            Self::Ed25519 => "an Ed25519 key (type 0x01)",
            Self::Cosigner => "a witness's cosigning key (type 0x04)",
        }
    }
}

/// Reads the verifier key `arg` that `flag` was given: the key itself, or
/// a file holding it; of the type `want` names.
///
/// # Errors
/// When the file cannot be read, or what it or `arg` holds is not a
/// verifier key of that type.
pub(crate) fn read_vkey(flag: &str, arg: &str, want: Want) -> anyhow::Result<VerifierKey> {
    let arg = arg.trim();
    let (text, from) = if Path::new(arg).is_file() {
        let text =
            std::fs::read_to_string(arg).with_context(|| format!("{flag}: cannot read {arg}"))?;
        (text, format!(" (in {arg})"))
    } else {
        (arg.to_owned(), String::new())
    };
    let key = VerifierKey::parse(text.trim()).with_context(|| {
        format!("{flag}{from} is not a verifier key (name+keyid+base64) nor a file holding one")
    })?;
    anyhow::ensure!(
        key.key_type() == want.key_type(),
        "{flag}{from}: {} is not {}",
        key.name(),
        want.describe()
    );
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_key_inline_or_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let signer = crate::datadir::generate_signer("k.example").unwrap();
        let vkey = signer.verifier_key().to_string();
        let file = dir.path().join("k.vkey");
        std::fs::write(&file, format!("{vkey}\n")).unwrap();
        let inline = read_vkey("--log-key", &vkey, Want::Ed25519).unwrap();
        let filed = read_vkey("--log-key", file.to_str().unwrap(), Want::Ed25519).unwrap();
        assert_eq!(inline.to_string(), filed.to_string());
        let e = read_vkey("--witness", &vkey, Want::Cosigner).unwrap_err();
        assert!(e.to_string().contains("cosigning key"), "{e}");
        let e = read_vkey("--log-key", "nonsense", Want::Ed25519).unwrap_err();
        assert!(
            e.to_string().starts_with("--log-key is not a verifier key"),
            "{e}"
        );
    }
}
