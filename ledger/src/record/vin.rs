//! Vehicle identification numbers (ISO 3779).

use std::fmt;
use std::str::FromStr;

/// Number of characters in a VIN.
pub const VIN_LEN: usize = 17;

/// Weights of the ISO 3779 / 49 CFR 565 check-digit computation, by position.
const WEIGHTS: [u32; VIN_LEN] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// Position (0-based) of the check digit.
const CHECK_POSITION: usize = 8;

/// A syntactically valid VIN: 17 characters from `[A-HJ-NPR-Z0-9]`, with a
/// correct check digit wherever the market that assigned it requires one.
///
/// The check digit is mandatory for VINs whose first character is `L`
/// (China, GB 16735) or `1`–`5` (North America, 49 CFR 565); other regions
/// (Europe, Japan, ...) do not use position 9 as a check digit, so it is not
/// enforced for them.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vin(String);

/// Why a string is not a valid VIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VinError {
    /// Not exactly 17 characters.
    #[error("VIN must have 17 characters, not {0}")]
    Length(usize),
    /// A character outside `[A-HJ-NPR-Z0-9]` (I, O and Q are never used).
    #[error("VIN character {position} is {found:?}, not one of A-H J-N P R-Z 0-9")]
    Character {
        /// 1-based position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The check digit (position 9) does not match the other characters.
    #[error("VIN check digit is {found:?} but the other characters give {expected:?}")]
    CheckDigit {
        /// The check digit computed from the other 16 characters.
        expected: char,
        /// The character at position 9.
        found: char,
    },
}

/// ISO 3779 transliteration of a VIN character into its numeric value, or
/// `None` for a character VINs never use.
fn value(c: u8) -> Option<u32> {
    Some(match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    })
}

/// Computes the check digit of a 17-character VIN whose characters are all
/// valid (the character at position 9 is ignored).
fn check_digit(bytes: &[u8; VIN_LEN]) -> char {
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| value(c).unwrap_or(0) * w)
        .sum();
    match sum % 11 {
        10 => 'X',
        d => char::from(b'0' + d as u8),
    }
}

/// Whether the region that assigned a VIN (by its first character) makes the
/// check digit mandatory.
fn check_digit_required(first: u8) -> bool {
    matches!(first, b'L' | b'1'..=b'5')
}

impl Vin {
    /// Parses and validates a VIN. Lower-case letters are refused rather than
    /// folded: a VIN is written in capitals, and two spellings of one VIN
    /// must not become two histories.
    ///
    /// # Errors
    /// [`VinError`] naming the first problem found.
    pub fn parse(s: &str) -> Result<Self, VinError> {
        let count = s.chars().count();
        if count != VIN_LEN {
            return Err(VinError::Length(count));
        }
        for (i, c) in s.chars().enumerate() {
            let ok = c.is_ascii() && value(c as u8).is_some() && !matches!(c, 'I' | 'O' | 'Q');
            if !ok {
                return Err(VinError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
        let mut bytes = [0u8; VIN_LEN];
        bytes.copy_from_slice(s.as_bytes());
        if check_digit_required(bytes[0]) {
            let expected = check_digit(&bytes);
            let found = char::from(bytes[CHECK_POSITION]);
            if expected != found {
                return Err(VinError::CheckDigit { expected, found });
            }
        }
        Ok(Self(s.to_owned()))
    }

    /// The VIN's 17 characters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Vin {
    type Err = VinError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vin({})", self.0)
    }
}

impl serde::Serialize for Vin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Vin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_north_american_vin_with_check_digit_x() {
        // The 49 CFR 565 worked example VIN: check digit X (remainder 10).
        assert!(Vin::parse("1M8GDM9AXKP042788").is_ok());
    }

    #[test]
    fn refuses_a_wrong_check_digit_where_required() {
        assert_eq!(
            Vin::parse("1M8GDM9A1KP042788"),
            Err(VinError::CheckDigit {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn does_not_enforce_check_digit_outside_china_and_north_america() {
        // A European VIN (W = Germany) with an arbitrary ninth character.
        assert!(Vin::parse("WVWZZZ1JZXW000001").is_ok());
    }

    #[test]
    fn refuses_bad_length_and_characters() {
        assert_eq!(Vin::parse("1M8GDM9AXKP04278"), Err(VinError::Length(16)));
        assert_eq!(
            Vin::parse("1M8GDM9AXKP0427O8"),
            Err(VinError::Character {
                position: 16,
                found: 'O'
            })
        );
        assert!(matches!(
            Vin::parse("wvwzzz1jzxw000001"),
            Err(VinError::Character { position: 1, .. })
        ));
        assert!(matches!(
            Vin::parse("WVWZZZ1JZXW00000é"),
            Err(VinError::Character { position: 17, .. })
        ));
    }
}
