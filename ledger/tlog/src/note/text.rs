//! Small strict text helpers shared by the note formats.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::{HashError, NumberError};
use crate::hash::Hash;

/// Standard base64 (RFC 4648 §4) with padding.
///
/// Decoding is canonical: padding is required and the unused trailing bits of
/// the last character must be zero, so every byte string has exactly one
/// accepted encoding and parsed values print back to the same text.
pub(crate) fn b64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes canonical standard base64; see [`b64_encode`].
pub(crate) fn b64_decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

/// Parses an ASCII decimal with no sign and no leading zero (except `0`).
pub(crate) fn parse_decimal(text: &str) -> Result<u64, NumberError> {
    if text.is_empty() {
        return Err(NumberError::Empty);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::NotDecimal);
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(NumberError::LeadingZero);
    }
    text.parse::<u64>().map_err(|_| NumberError::TooLarge)
}

/// Parses one base64 SHA-256 hash (44 characters, with padding).
pub(crate) fn parse_hash(text: &str) -> Result<Hash, HashError> {
    let bytes = b64_decode(text).ok_or(HashError::NotBase64)?;
    Hash::from_slice(&bytes).ok_or(HashError::WrongLength(bytes.len()))
}

/// The first ASCII control character other than newline, with its 1-based
/// line number.
pub(crate) fn find_control(text: &str) -> Option<(usize, u8)> {
    let mut line = 1;
    for b in text.bytes() {
        if b == b'\n' {
            line += 1;
        } else if b < 0x20 {
            return Some((line, b));
        }
    }
    None
}

/// Number of lines before byte offset `offset` of `text`, plus one: the
/// 1-based line number of the line containing that offset.
pub(crate) fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .get(..offset)
        .map_or(0, |before| before.iter().filter(|&&b| b == b'\n').count())
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_strict() {
        assert_eq!(parse_decimal("0"), Ok(0));
        assert_eq!(parse_decimal("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_decimal("18446744073709551616"),
            Err(NumberError::TooLarge)
        );
        assert_eq!(parse_decimal("01"), Err(NumberError::LeadingZero));
        assert_eq!(parse_decimal("00"), Err(NumberError::LeadingZero));
        assert_eq!(parse_decimal("+1"), Err(NumberError::NotDecimal));
        assert_eq!(parse_decimal("-1"), Err(NumberError::NotDecimal));
        assert_eq!(parse_decimal(" 1"), Err(NumberError::NotDecimal));
        assert_eq!(parse_decimal("１"), Err(NumberError::NotDecimal));
        assert_eq!(parse_decimal(""), Err(NumberError::Empty));
    }

    #[test]
    fn base64_is_canonical() {
        assert_eq!(b64_decode("AA=="), Some(vec![0]));
        assert_eq!(b64_decode("AB=="), None, "non-zero trailing bits");
        assert_eq!(b64_decode("AA"), None, "missing padding");
        assert_eq!(b64_decode("AA=== "), None);
        assert_eq!(b64_decode("A-=="), None, "URL-safe alphabet");
        assert_eq!(b64_decode(""), Some(vec![]));
    }

    #[test]
    fn hashes_are_32_bytes() {
        let h = Hash([7; 32]);
        assert_eq!(parse_hash(&h.to_base64()), Ok(h));
        assert_eq!(parse_hash("AAAA"), Err(HashError::WrongLength(3)));
        assert_eq!(parse_hash("!!!!"), Err(HashError::NotBase64));
    }

    #[test]
    fn control_characters_and_lines() {
        assert_eq!(find_control("a\nb\n"), None);
        assert_eq!(find_control("a\nb\r\n"), Some((2, b'\r')));
        assert_eq!(find_control("\t"), Some((1, b'\t')));
        assert_eq!(line_at("a\nb\nc", 0), 1);
        assert_eq!(line_at("a\nb\nc", 2), 2);
        assert_eq!(line_at("a\nb\nc", 4), 3);
    }
}
