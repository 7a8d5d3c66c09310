//! vledger's tile arithmetic against an independent implementation,
//! cloudflare azul's `tlog_tiles` (a port of Go's `sumdb/tlog`): the same
//! tiles, widths and paths for every tree size, and every path azul writes
//! parses to the same tile.

use tlog_tiles::Tile;
use vledger_tlog::merkle::TreeSize;
use vledger_tlog::tile::{TileId, TilePath, entries_path, hash_tile_path};

/// azul writes Go's `tile/8/L/N` (`data` for bundles); C2SP drops the
/// height and calls bundles `entries`.
fn c2sp(go: &str) -> String {
    let rest = go.strip_prefix("tile/8/").expect("height 8");
    match rest.strip_prefix("data/") {
        Some(n) => format!("tile/entries/{n}"),
        None => format!("tile/{rest}"),
    }
}

#[test]
fn the_same_tiles_and_widths_for_every_size() {
    let sizes = (0..=1100u64).chain([65_535, 65_536, 65_537, 70_000, 16_777_216, 16_777_217]);
    for size in sizes {
        let ours = TileId::all(TreeSize(size));
        let mut theirs: Vec<(TileId, u16)> = Tile::new_tiles(8, 0, size)
            .iter()
            .map(|t| {
                (
                    TileId {
                        level: t.level(),
                        index: t.level_index(),
                    },
                    u16::try_from(t.width()).unwrap(),
                )
            })
            .collect();
        theirs.sort();
        let mut sorted = ours.clone();
        sorted.sort();
        assert_eq!(sorted, theirs, "size {size}");
    }
}

#[test]
fn the_same_paths() {
    let indexes = [
        0u64,
        1,
        9,
        999,
        1000,
        1001,
        123_456,
        1_234_067,
        999_999_999,
        u64::MAX / 256,
    ];
    for level in [0u8, 1, 2, 5] {
        for &index in &indexes {
            for width in [1u16, 17, 255, 256] {
                let go = Tile::new(8, level, index, u32::from(width), false).path();
                let ours = hash_tile_path(TileId { level, index }, width);
                assert_eq!(ours, c2sp(&go));
                assert_eq!(
                    TilePath::parse(&ours),
                    Ok(TilePath::Hash {
                        tile: TileId { level, index },
                        width
                    })
                );
                if level == 0 {
                    let data = Tile::new(8, 0, index, u32::from(width), true).path();
                    assert_eq!(entries_path(index, width), c2sp(&data));
                }
            }
        }
    }
}
