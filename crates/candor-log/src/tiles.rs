//! C2SP `tlog-tiles`: the log served as static-looking files any client can
//! read (`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`), and what a
//! client needs to build proofs from them (which tile holds a node, the hash
//! of a node from the hashes a level below).
//!
//! Tiles have height 8: a tile at level `L` holds up to 256 consecutive hashes
//! of tree level `8·L`, index `N` holding those from `N·256`. A full tile never
//! changes; a partial one (`.p/<W>`, `W` in 1..=255 hashes) is the right edge
//! of the current tree. Entry bundles hold the entries themselves, each with
//! a big-endian `u16` length before it.

use crate::tree::{Hash, node_hash};

/// Hashes (or entries) per tile.
pub const TILE_WIDTH: u64 = 256;
/// Tree levels per tile level.
pub const TILE_HEIGHT: u8 = 8;

/// What a tile path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileRef {
    /// `None` for an entry bundle, else the tile level `L` (tree level `8·L`).
    pub level: Option<u8>,
    pub index: u64,
    /// `None` for a full tile, else the partial width (1..=255).
    pub width: Option<u16>,
}

impl TileRef {
    /// Parses the part of a path after `tile/`: `<L>/<N>[.p/<W>]` or
    /// `entries/<N>[.p/<W>]`, with `N` in three-digit elements, all but the
    /// last prefixed with `x` (`x001/x234/067` is 1234067).
    pub fn parse(path: &str) -> Option<TileRef> {
        let (level, rest) = path.split_once('/')?;
        let level = match level {
            "entries" => None,
            l => {
                let l: u8 = parse_decimal(l)?.try_into().ok()?;
                // 8·L must be a tree level a u64-sized tree has.
                (l < 8).then_some(l)?;
                Some(l)
            }
        };
        let (index_path, width) = match rest.split_once(".p/") {
            Some((n, w)) => {
                let w = parse_decimal(w)?;
                if !(1..TILE_WIDTH).contains(&w) {
                    return None;
                }
                (n, Some(u16::try_from(w).ok()?))
            }
            None => (rest, None),
        };
        let elements: Vec<&str> = index_path.split('/').collect();
        let (last, leading) = elements.split_last()?;
        let mut index: u64 = 0;
        for (i, element) in leading.iter().map(|e| e.strip_prefix('x')).enumerate() {
            let element = element?;
            // A leading element of 000 would give two paths to one tile.
            if i == 0 && element == "000" {
                return None;
            }
            index = push_digits(index, element)?;
        }
        if leading.is_empty() && last.starts_with('x') {
            return None;
        }
        let index = push_digits(index, last)?;
        Some(TileRef {
            level,
            index,
            width,
        })
    }

    /// The path after `tile/`.
    pub fn path(&self) -> String {
        let mut elements = Vec::new();
        let mut n = self.index;
        loop {
            elements.push(n % 1000);
            n /= 1000;
            if n == 0 {
                break;
            }
        }
        let count = elements.len();
        let index: Vec<String> = elements
            .iter()
            .rev()
            .enumerate()
            .map(|(i, e)| {
                if i + 1 < count {
                    format!("x{e:03}")
                } else {
                    format!("{e:03}")
                }
            })
            .collect();
        let level = match self.level {
            None => "entries".to_owned(),
            Some(l) => l.to_string(),
        };
        let mut path = format!("{level}/{}", index.join("/"));
        if let Some(w) = self.width {
            path.push_str(&format!(".p/{w}"));
        }
        path
    }

    /// The tree level its hashes are at (entries: their leaves, level 0).
    pub fn tree_level(&self) -> u8 {
        self.level.map_or(0, |l| l * TILE_HEIGHT)
    }

    /// Items (hashes or entries) a full tile would hold, `index·256..`, and
    /// how many of them this one holds.
    pub fn range(&self) -> (u64, u64) {
        let start = self.index.saturating_mul(TILE_WIDTH);
        let count = self.width.map_or(TILE_WIDTH, u64::from);
        (start, start.saturating_add(count))
    }

    /// Whether a tree of `size` leaves has this tile: every full tile it has
    /// completed, and every partial one within what it holds (the one at its
    /// right edge, and earlier ones, whose bytes never change either).
    pub fn exists_in(&self, size: u64) -> bool {
        let available = size >> self.tree_level();
        self.range().1 <= available
    }
}

fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

fn push_digits(acc: u64, element: &str) -> Option<u64> {
    if element.len() != 3 || !element.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    acc.checked_mul(1000)?.checked_add(element.parse().ok()?)
}

/// The tile of `level` covering tree size `size`'s item `item` at that level,
/// with the width that tree has for it.
pub fn tile_for(level: Option<u8>, item: u64, size: u64) -> TileRef {
    let index = item / TILE_WIDTH;
    let mut tile = TileRef {
        level,
        index,
        width: None,
    };
    let available = size >> tile.tree_level();
    let held = available.saturating_sub(index * TILE_WIDTH);
    if held < TILE_WIDTH {
        tile.width = u16::try_from(held).ok();
    }
    tile
}

/// An entry bundle: each entry with its big-endian `u16` length before it.
/// Entries longer than 65,535 bytes cannot be bundled.
pub fn entry_bundle(entries: &[Vec<u8>]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.len() + 2).sum());
    for entry in entries {
        out.extend_from_slice(&u16::try_from(entry.len()).ok()?.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Some(out)
}

/// The entries of a bundle, or `None` if it is not one.
pub fn split_bundle(mut data: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut entries = Vec::new();
    while !data.is_empty() {
        let (len, rest) = data.split_first_chunk::<2>()?;
        let len = usize::from(u16::from_be_bytes(*len));
        if rest.len() < len {
            return None;
        }
        entries.push(rest[..len].to_vec());
        data = &rest[len..];
    }
    Some(entries)
}

/// The hashes of a hash tile, or `None` if its length is not a multiple of 32.
pub fn split_hashes(data: &[u8]) -> Option<Vec<Hash>> {
    if !data.len().is_multiple_of(32) {
        return None;
    }
    Some(
        data.chunks_exact(32)
            .filter_map(|c| Hash::try_from(c).ok())
            .collect(),
    )
}

/// The hash of the complete subtree at `level` over `hashes` of a lower level
/// (`2^k` of them, k = level difference).
pub fn subtree_hash(hashes: &[Hash]) -> Option<Hash> {
    match hashes {
        [] => None,
        [one] => Some(*one),
        _ => {
            if !hashes.len().is_power_of_two() {
                return None;
            }
            let (left, right) = hashes.split_at(hashes.len() / 2);
            Some(node_hash(&subtree_hash(left)?, &subtree_hash(right)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{MemoryTree, NodeStore};

    #[test]
    fn paths_round_trip_and_follow_the_spec_examples() {
        for (path, tile) in [
            (
                "0/000",
                TileRef {
                    level: Some(0),
                    index: 0,
                    width: None,
                },
            ),
            (
                "1/x001/x234/067",
                TileRef {
                    level: Some(1),
                    index: 1_234_067,
                    width: None,
                },
            ),
            (
                "entries/x001/x234/067.p/8",
                TileRef {
                    level: None,
                    index: 1_234_067,
                    width: Some(8),
                },
            ),
            (
                "2/999.p/255",
                TileRef {
                    level: Some(2),
                    index: 999,
                    width: Some(255),
                },
            ),
            (
                "0/x001/000",
                TileRef {
                    level: Some(0),
                    index: 1000,
                    width: None,
                },
            ),
        ] {
            assert_eq!(TileRef::parse(path), Some(tile), "{path}");
            assert_eq!(tile.path(), path);
        }
        for bad in [
            "",
            "0",
            "0/",
            "0/1",
            "0/0001",
            "0/x000/001",
            "0/x001",
            "0/001.p/0",
            "0/001.p/256",
            "0/001.p/01",
            "00/001",
            "8/000",
            "data/000",
            "0/00a",
            "0/001/",
            "entries/x1/000",
        ] {
            assert_eq!(TileRef::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_tree_has_its_full_tiles_and_the_partial_one_at_its_edge() {
        let t = |level, index, width| TileRef {
            level,
            index,
            width,
        };
        assert!(t(Some(0), 0, Some(3)).exists_in(3));
        assert!(t(Some(0), 0, Some(2)).exists_in(3));
        assert!(!t(Some(0), 0, Some(4)).exists_in(3));
        assert!(!t(Some(0), 0, None).exists_in(255));
        assert!(t(Some(0), 0, None).exists_in(256));
        assert!(!t(Some(0), 1, Some(1)).exists_in(256));
        assert!(t(Some(1), 0, Some(1)).exists_in(256));
        assert!(t(None, 1, Some(44)).exists_in(300));
        assert_eq!(tile_for(Some(0), 299, 300), t(Some(0), 1, Some(44)));
        // 70,000 leaves: 273 hashes at level 8, a full tile and 17 more.
        assert_eq!(tile_for(Some(1), 0, 70_000), t(Some(1), 0, None));
        assert_eq!(tile_for(Some(1), 256, 70_000), t(Some(1), 1, Some(17)));
        assert_eq!(tile_for(Some(2), 0, 70_000), t(Some(2), 0, Some(1)));
    }

    #[test]
    fn bundles_round_trip_and_truncated_ones_are_refused() {
        let entries = vec![b"one".to_vec(), Vec::new(), vec![7; 300]];
        let bundle = entry_bundle(&entries).unwrap();
        assert_eq!(split_bundle(&bundle).unwrap(), entries);
        assert_eq!(split_bundle(&bundle[..bundle.len() - 1]), None);
        assert_eq!(split_bundle(&[0]), None);
        assert_eq!(entry_bundle(&[vec![0; 70_000]]), None);
    }

    #[test]
    fn a_subtree_hashes_from_the_level_below() {
        let mut tree = MemoryTree::new();
        for i in 0..8u32 {
            tree.append(format!("entry {i}").as_bytes());
        }
        let leaves: Vec<Hash> = (0..8).map(|i| tree.node(0, i).unwrap()).collect();
        assert_eq!(subtree_hash(&leaves), tree.node(3, 0));
        assert_eq!(subtree_hash(&leaves[4..6]), tree.node(1, 2));
        assert_eq!(subtree_hash(&leaves[..3]), None);
        assert_eq!(subtree_hash(&[]), None);
    }
}
