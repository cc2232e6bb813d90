//! Reading the log as C2SP tiles (where the server serves them): entries come
//! 256 to a request, and the inclusion and consistency proofs are built here
//! from the hash tiles, then checked like proofs the server had sent. Tiles are
//! not signed, so nothing is concluded from a tile that does not fit: the
//! caller falls back to the proof endpoints, whose answers are evidence.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use candor_log::tiles::{
    TILE_HEIGHT, TILE_WIDTH, TileRef, split_bundle, split_hashes, subtree_hash, tile_for,
};
use candor_log::tree::{
    Hash, NodeStore, consistency_proof, inclusion_proof, nodes_for_consistency, nodes_for_inclusion,
};

use super::fetch::{Client, Kind};

/// The hash tiles of one tree size fetched so far, kept for the whole run:
/// the consistency proof and the inclusion proofs share most of them.
pub type TileCache = RefCell<HashMap<TileRef, Vec<Hash>>>;

/// The log's tiles at one tree size.
pub struct Tiles<'a> {
    client: &'a Client,
    /// `https://host/org/log`
    base: String,
    size: u64,
    hashes: &'a TileCache,
}

impl<'a> Tiles<'a> {
    pub fn new(client: &'a Client, base: String, size: u64, hashes: &'a TileCache) -> Tiles<'a> {
        Tiles {
            client,
            base,
            size,
            hashes,
        }
    }

    async fn get(&self, tile: TileRef) -> Result<Vec<u8>, String> {
        let url = format!("{}/tile/{}", self.base, tile.path());
        self.client
            .bytes(&url, Kind::Log)
            .await
            .map_err(|e| format!("{e:#}"))
    }

    /// The tile holding the level-`8·L` hashes under node (`level`, `index`).
    fn tile_of(&self, level: u8, index: u64) -> TileRef {
        let (tile_level, k) = (level / TILE_HEIGHT, level % TILE_HEIGHT);
        tile_for(Some(tile_level), index << k, self.size)
    }

    /// Fetches every hash tile `nodes` are computed from.
    async fn load(&self, nodes: &[(u8, u64)]) -> Result<(), String> {
        let wanted: BTreeSet<(Option<u8>, u64)> = nodes
            .iter()
            .map(|&(level, index)| {
                let t = self.tile_of(level, index);
                (t.level, t.index)
            })
            .collect();
        for (level, index) in wanted {
            let tile = tile_for(level, index * TILE_WIDTH, self.size);
            if self.hashes.borrow().contains_key(&tile) {
                continue;
            }
            let data = self.get(tile).await?;
            let (start, end) = tile.range();
            let hashes = split_hashes(&data)
                .filter(|h| h.len() as u64 == end - start)
                .ok_or_else(|| format!("tile {} is not {} hashes", tile.path(), end - start))?;
            self.hashes.borrow_mut().insert(tile, hashes);
        }
        Ok(())
    }

    fn store(&self) -> TileStore<'_, 'a> {
        TileStore {
            tiles: self,
            memo: RefCell::default(),
        }
    }

    /// The consistency proof from `old` to this size, built from the tiles.
    pub async fn consistency(&self, old: u64) -> Result<Vec<Hash>, String> {
        self.load(&nodes_for_consistency(old, self.size)).await?;
        consistency_proof(&self.store(), old, self.size).map_err(|e| e.to_string())
    }

    /// Entries `from..to` with their inclusion proofs, built from the tiles.
    pub async fn entries(&self, from: u64, to: u64) -> Result<Vec<(Vec<u8>, Vec<Hash>)>, String> {
        let mut entries = Vec::new();
        let mut bundle = from / TILE_WIDTH;
        while bundle * TILE_WIDTH < to {
            let tile = tile_for(None, bundle * TILE_WIDTH, self.size);
            let data = self.get(tile).await?;
            let (start, end) = tile.range();
            let items = split_bundle(&data)
                .filter(|e| e.len() as u64 == end - start)
                .ok_or_else(|| {
                    format!(
                        "entry bundle {} is not {} entries",
                        tile.path(),
                        end - start
                    )
                })?;
            for (offset, entry) in (start..).zip(items) {
                if (from..to).contains(&offset) {
                    entries.push(entry);
                }
            }
            bundle += 1;
        }
        let mut nodes = Vec::new();
        for index in from..to {
            nodes.extend(nodes_for_inclusion(index, self.size));
        }
        nodes.sort_unstable();
        nodes.dedup();
        self.load(&nodes).await?;
        let store = self.store();
        (from..to)
            .zip(entries)
            .map(|(index, entry)| {
                let proof = inclusion_proof(&store, index, self.size).map_err(|e| e.to_string())?;
                Ok((entry, proof))
            })
            .collect()
    }
}

/// Nodes computed from the fetched tiles, each once.
struct TileStore<'t, 'a> {
    tiles: &'t Tiles<'a>,
    memo: RefCell<HashMap<(u8, u64), Hash>>,
}

impl NodeStore for TileStore<'_, '_> {
    fn node(&self, level: u8, index: u64) -> Option<Hash> {
        if let Some(h) = self.memo.borrow().get(&(level, index)) {
            return Some(*h);
        }
        let tile = self.tiles.tile_of(level, index);
        let cache = self.tiles.hashes.borrow();
        let hashes = cache.get(&tile)?;
        let k = level % TILE_HEIGHT;
        let first = usize::try_from((index << k).checked_sub(tile.range().0)?).ok()?;
        let span = hashes.get(first..first + (1usize << k))?;
        let hash = subtree_hash(span)?;
        self.memo.borrow_mut().insert((level, index), hash);
        Some(hash)
    }
}
