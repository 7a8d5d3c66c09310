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
    /// Position 10 is not a model-year code where the market requires one.
    #[error("VIN character 10 is {found:?}, not a model-year code (U, Z and 0 are never used)")]
    ModelYearCode {
        /// The character at position 10.
        found: char,
    },
}

/// Model-year codes (VIN position 10) in order: `A` is 1980, `Y` 2000,
/// `1` 2001, `9` 2009, and the cycle repeats every 30 years (`A` is 2010).
const YEAR_CODES: &[u8; 30] = b"ABCDEFGHJKLMNPRSTVWXY123456789";

/// Position (0-based) of the model-year code.
const YEAR_POSITION: usize = 9;

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
            if !YEAR_CODES.contains(&bytes[YEAR_POSITION]) {
                return Err(VinError::ModelYearCode {
                    found: char::from(bytes[YEAR_POSITION]),
                });
            }
        }
        Ok(Self(s.to_owned()))
    }

    /// The model-year code (position 10), where the market that assigned
    /// the VIN makes it one: the same markets that require the check digit
    /// (China, GB 16735; North America, 49 CFR 565). Elsewhere position 10
    /// is the manufacturer's to use, and `None` is returned.
    #[must_use]
    pub fn model_year_code(&self) -> Option<char> {
        let b = self.0.as_bytes();
        check_digit_required(b[0]).then(|| char::from(b[YEAR_POSITION]))
    }

    /// Whether `model_year` is one of the years the VIN's model-year code
    /// stands for (the codes repeat every 30 years). True when the market
    /// has no model-year code.
    #[must_use]
    pub fn matches_model_year(&self, model_year: u32) -> bool {
        let Some(code) = self.model_year_code() else {
            return true;
        };
        let Some(pos) = YEAR_CODES.iter().position(|&c| char::from(c) == code) else {
            return false;
        };
        model_year >= 1980 && (model_year - 1980) as usize % YEAR_CODES.len() == pos
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

    /// Real VINs, each with where it was published. Their check digits were
    /// verified independently of this code (by hand, per 49 CFR 565.15).
    const REAL: &[(&str, &str)] = &[
        // North America (check digit and model-year code mandatory).
        (
            "1M8GDM9AXKP042788",
            "49 CFR 565 worked example; check digit X",
        ),
        (
            "5N1NJ01CXST000001",
            "1995 Nissan Maxima, idlesign/vininfo tests/test_nissan.py",
        ),
        (
            "1HGCM82633A004352",
            "2003 Honda Accord, NHTSA vPIC decoder sample (via Merihun/genesis-provenance VIN_TESTING_FINAL_VERIFIED.md)",
        ),
        (
            "3VWD07AJ5EM388202",
            "2014 Volkswagen Jetta built in Mexico, same source",
        ),
        // China (GB 16735: check digit and model-year code mandatory).
        (
            "LJCPCBLCX11000237",
            "JAC VIN plate photographed in scientificgems.wordpress.com 2018-04-27, check digit X",
        ),
        // Europe: position 9 is not required to be a check digit.
        (
            "WBA71DC010CH14720",
            "BMW, idlesign/vininfo tests/test_module.py (position 10 is 0: no model year)",
        ),
        (
            "VF14SRAP451234567",
            "2005 Renault, idlesign/vininfo tests/test_renault.py (position 9 is no check digit)",
        ),
        (
            "W0LPC6DB3CC123456",
            "Opel built in Yelabuga, idlesign/vininfo tests/test_opel.py",
        ),
        (
            "WA1A4AFY2J2008189",
            "2018 Audi SQ5 for the US market, NHTSA vPIC sample (via Merihun/genesis-provenance)",
        ),
        // Japan: position 9 is not required to be a check digit.
        (
            "JTHBK1GG5E2138885",
            "2014 Lexus IS 250, listed in Merihun/genesis-provenance VIN_TESTING_GUIDE_CORRECTED.md; its position 9 is not a valid check digit",
        ),
    ];

    #[test]
    fn accepts_real_vins_of_every_market() {
        for (vin, source) in REAL {
            assert!(
                Vin::parse(vin).is_ok(),
                "{vin} ({source}): {:?}",
                Vin::parse(vin)
            );
        }
    }

    #[test]
    fn refuses_near_misses_of_real_vins() {
        let check = |vin: &str, expected: char, found: char| {
            assert_eq!(
                Vin::parse(vin),
                Err(VinError::CheckDigit { expected, found }),
                "{vin}"
            );
        };
        // One character mistyped (position 12: 4 for 0), two swapped
        // (positions 16-17), and a wrong check digit.
        check("1M8GDM9AXKP442788", '5', 'X');
        check("1M8GDM9AXKP042878", '0', 'X');
        check("1M8GDM9A1KP042788", 'X', '1');
        check("LJCPCBLCX11000273", '3', 'X');
        check("5N1NJ01C0ST000001", 'X', '0');
        // The same mistakes go through where no check digit is required.
        assert!(Vin::parse("WBA71DC010CH14702").is_ok());
        // I, O and Q are never used: an O read for a 0, an I for a 1.
        assert_eq!(
            Vin::parse("1M8GDM9AXKP04278O"),
            Err(VinError::Character {
                position: 17,
                found: 'O'
            })
        );
        assert!(matches!(
            Vin::parse("LJCPCBLCXI1000237"),
            Err(VinError::Character { position: 10, .. })
        ));
        // Lower case, 16 and 18 characters, and a Japanese domestic chassis
        // number (not a VIN; from the shekel-vin package README).
        assert!(matches!(
            Vin::parse("1m8gdm9axkp042788"),
            Err(VinError::Character { position: 2, .. })
        ));
        assert_eq!(Vin::parse("1M8GDM9AXKP04278"), Err(VinError::Length(16)));
        assert_eq!(Vin::parse("1M8GDM9AXKP0427888"), Err(VinError::Length(18)));
        assert_eq!(Vin::parse("JZA80-1004956"), Err(VinError::Length(13)));
        assert!(matches!(
            Vin::parse("WVWZZZ1JZXW00000é"),
            Err(VinError::Character { position: 17, .. })
        ));
    }

    #[test]
    fn model_year_codes() {
        let vin = |s| Vin::parse(s).unwrap();
        // K is 1989 and 2019; the 49 CFR 565 example is a 1989 vehicle.
        assert_eq!(vin("1M8GDM9AXKP042788").model_year_code(), Some('K'));
        assert!(vin("1M8GDM9AXKP042788").matches_model_year(1989));
        assert!(vin("1M8GDM9AXKP042788").matches_model_year(2019));
        assert!(!vin("1M8GDM9AXKP042788").matches_model_year(2020));
        assert!(vin("LJCPCBLCX11000237").matches_model_year(2001));
        assert!(vin("LJCPCBLCX11000237").matches_model_year(2031));
        assert!(vin("5N1NJ01CXST000001").matches_model_year(1995));
        // No model-year code in Europe: anything matches.
        assert_eq!(vin("WBA71DC010CH14720").model_year_code(), None);
        assert!(vin("WBA71DC010CH14720").matches_model_year(2012));
        // U, Z and 0 are not year codes; where one is required the VIN is refused.
        // (Check digits below are correct for these strings.)
        for bad in [
            "1M8GDM9A6UP042788",
            "1M8GDM9A7ZP042788",
            "1M8GDM9A30P042788",
        ] {
            assert!(
                matches!(Vin::parse(bad), Err(VinError::ModelYearCode { .. })),
                "{bad}: {:?}",
                Vin::parse(bad)
            );
        }
    }
}
