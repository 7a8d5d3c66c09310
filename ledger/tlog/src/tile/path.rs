//! Tile paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, with
//! `N` in zero-padded 3-digit elements, all but the last prefixed with `x`
//! (1234067 is `x001/x234/067`). Parsing accepts exactly the paths
//! [`hash_tile_path`] and [`entries_path`] write, so each tile has one path.

use super::{TILE_WIDTH, TileId};

/// A parsed tile path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TilePath {
    /// A hash tile, `width` hashes wide (256 for a full tile).
    Hash {
        /// The tile.
        tile: TileId,
        /// Its width.
        width: u16,
    },
    /// The entry bundle behind level-0 tile `index`, `width` entries.
    Entries {
        /// The bundle's index.
        index: u64,
        /// Its width.
        width: u16,
    },
}

/// Why a path is not a tile path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TilePathError {
    /// It does not start with `tile/`.
    #[error("not a tile path")]
    NotTile,
    /// The level is not 0 to 63 in decimal without leading zeros.
    #[error("bad tile level")]
    Level,
    /// The index is not in canonical 3-digit elements.
    #[error("bad tile index")]
    Index,
    /// The `.p/<W>` suffix is not a width of 1 to 255.
    #[error("bad partial tile width")]
    Width,
}

/// Writes `n` in 3-digit elements, all but the last prefixed with `x`.
fn index_path(n: u64) -> String {
    let mut groups = Vec::new();
    let mut n = n;
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    let last = groups.len() - 1;
    groups
        .iter()
        .rev()
        .enumerate()
        .map(|(i, g)| {
            if i == last {
                format!("{g:03}")
            } else {
                format!("x{g:03}")
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn width_suffix(width: u16) -> String {
    if u64::from(width) >= TILE_WIDTH {
        String::new()
    } else {
        format!(".p/{width}")
    }
}

/// The path of hash tile `tile` at `width` (256 or more: the full tile).
#[must_use]
pub fn hash_tile_path(tile: TileId, width: u16) -> String {
    format!(
        "tile/{}/{}{}",
        tile.level,
        index_path(tile.index),
        width_suffix(width)
    )
}

/// The path of entry bundle `index` at `width` (256 or more: the full one).
#[must_use]
pub fn entries_path(index: u64, width: u16) -> String {
    format!("tile/entries/{}{}", index_path(index), width_suffix(width))
}

fn decimal(s: &str, max: u64) -> Option<u64> {
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok().filter(|n| *n <= max)
}

impl TilePath {
    /// Parses a path relative to the log's prefix (`tile/…`, no leading
    /// slash).
    ///
    /// # Errors
    /// A [`TilePathError`] naming the part that is wrong.
    pub fn parse(path: &str) -> Result<Self, TilePathError> {
        let rest = path.strip_prefix("tile/").ok_or(TilePathError::NotTile)?;
        let (what, rest) = rest.split_once('/').ok_or(TilePathError::NotTile)?;
        let (index, width) = match rest.split_once(".p/") {
            None => (rest, 256),
            Some((index, w)) => {
                let w = decimal(w, 255)
                    .filter(|w| *w > 0)
                    .ok_or(TilePathError::Width)?;
                (index, u16::try_from(w).map_err(|_| TilePathError::Width)?)
            }
        };
        let index = parse_index(index).ok_or(TilePathError::Index)?;
        if what == "entries" {
            return Ok(Self::Entries { index, width });
        }
        let level = decimal(what, 63).ok_or(TilePathError::Level)?;
        Ok(Self::Hash {
            tile: TileId {
                level: u8::try_from(level).map_err(|_| TilePathError::Level)?,
                index,
            },
            width,
        })
    }
}

fn parse_index(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split('/').collect();
    let (last, init) = parts.split_last()?;
    let mut n: u64 = 0;
    for (i, part) in init.iter().enumerate() {
        let digits = part.strip_prefix('x')?;
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // No leading zero group: one path per index.
        if i == 0 && digits == "000" {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(digits.parse().ok()?)?;
    }
    if last.len() != 3 || !last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.checked_mul(1000)?.checked_add(last.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_spec() {
        let t = |level, index| TileId { level, index };
        assert_eq!(hash_tile_path(t(0, 1_234_067), 256), "tile/0/x001/x234/067");
        assert_eq!(hash_tile_path(t(2, 0), 1), "tile/2/000.p/1");
        assert_eq!(hash_tile_path(t(1, 1000), 17), "tile/1/x001/000.p/17");
        assert_eq!(entries_path(5, 112), "tile/entries/005.p/112");
        assert_eq!(
            entries_path(u64::MAX, 256),
            "tile/entries/x018/x446/x744/x073/x709/x551/615"
        );
        for (path, parsed) in [
            (
                "tile/0/x001/x234/067",
                TilePath::Hash {
                    tile: t(0, 1_234_067),
                    width: 256,
                },
            ),
            (
                "tile/63/000.p/255",
                TilePath::Hash {
                    tile: t(63, 0),
                    width: 255,
                },
            ),
            (
                "tile/entries/x001/000.p/3",
                TilePath::Entries {
                    index: 1000,
                    width: 3,
                },
            ),
        ] {
            assert_eq!(TilePath::parse(path), Ok(parsed), "{path}");
        }
        assert_eq!(
            TilePath::parse("tile/entries/x018/x446/x744/x073/x709/x551/615"),
            Ok(TilePath::Entries {
                index: u64::MAX,
                width: 256
            })
        );
    }

    #[test]
    fn only_canonical_paths_parse() {
        for bad in [
            "checkpoint",
            "tile/0",
            "tile/00/000",
            "tile/64/000",
            "tile/0/1",
            "tile/0/0001",
            "tile/0/x000/001",
            "tile/0/001/002",
            "tile/0/x1/002",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/01",
            "tile/0/000.p/",
            "tile/entries/x018/x446/x744/x073/x709/x551/616",
            "tile/-1/000",
        ] {
            assert!(TilePath::parse(bad).is_err(), "{bad}");
        }
    }
}
