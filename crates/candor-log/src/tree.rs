//! The Merkle tree of RFC 6962 §2.1 (RFC 9162 §2.1): leaves are hashed as
//! SHA-256(0x00 ‖ entry), interior nodes as SHA-256(0x01 ‖ left ‖ right), and a
//! tree of n leaves splits at the largest power of two strictly below n.
//!
//! Storage keeps the hash of every *complete* subtree: node (level ℓ, index i)
//! covers leaves [i·2^ℓ, (i+1)·2^ℓ). Any root, inclusion or consistency proof
//! of any tree size is assembled from O(log n) of them.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A hash written in standard base64, as checkpoints, proofs and witness
/// requests carry them; `None` if it is not 32 bytes of base64.
pub fn decode_hash(text: &str) -> Option<Hash> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()
        .and_then(|b| Hash::try_from(b.as_slice()).ok())
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Where complete-subtree hashes live. Level 0 holds the leaf hashes.
pub trait NodeStore {
    fn node(&self, level: u8, index: u64) -> Option<Hash>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("the tree has no node at level {level}, index {index}")]
    MissingNode { level: u8, index: u64 },
    #[error("index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("cannot prove size {old} is consistent with size {new}")]
    BadSizes { old: u64, new: u64 },
}

/// The nodes to store after appending the leaf at `index` (0-based) whose hash
/// is `leaf`: the leaf itself, then every complete subtree it completes.
/// `store` must already hold every node of the tree before this leaf.
pub fn nodes_after_append(
    store: &impl NodeStore,
    index: u64,
    leaf: Hash,
) -> Result<Vec<(u8, u64, Hash)>, TreeError> {
    let mut out = vec![(0u8, index, leaf)];
    let mut level = 0u8;
    let mut i = index;
    let mut hash = leaf;
    // While this node is a right child, it completes its parent.
    while i % 2 == 1 {
        let left = store.node(level, i - 1).ok_or(TreeError::MissingNode {
            level,
            index: i - 1,
        })?;
        hash = node_hash(&left, &hash);
        level += 1;
        i /= 2;
        out.push((level, i, hash));
    }
    Ok(out)
}

fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// MTH(D[start..end]) for a range that RFC 6962's recursion can produce: `start`
/// is a multiple of the largest power of two ≤ the range's size.
fn subtree(store: &impl NodeStore, start: u64, end: u64) -> Result<Hash, TreeError> {
    let n = end - start;
    if n.is_power_of_two() && start.is_multiple_of(n) {
        let level = n.trailing_zeros() as u8;
        let index = start >> level;
        return store
            .node(level, index)
            .ok_or(TreeError::MissingNode { level, index });
    }
    let k = largest_power_of_two_below(n);
    let left = subtree(store, start, start + k)?;
    let right = subtree(store, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// The root hash of the first `size` leaves.
pub fn root(store: &impl NodeStore, size: u64) -> Result<Hash, TreeError> {
    if size == 0 {
        Ok(empty_root())
    } else {
        subtree(store, 0, size)
    }
}

/// The audit path for leaf `index` in the tree of `size` leaves (RFC 6962 §2.1.1),
/// leaf side first.
pub fn inclusion_proof(
    store: &impl NodeStore,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, TreeError> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let mut proof = Vec::new();
    path(store, index, 0, size, &mut proof)?;
    Ok(proof)
}

fn path(
    store: &impl NodeStore,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> Result<(), TreeError> {
    let n = end - start;
    if n == 1 {
        return Ok(());
    }
    let k = largest_power_of_two_below(n);
    if m < k {
        path(store, m, start, start + k, out)?;
        out.push(subtree(store, start + k, end)?);
    } else {
        path(store, m - k, start + k, end, out)?;
        out.push(subtree(store, start, start + k)?);
    }
    Ok(())
}

/// The proof that the tree of `old` leaves is a prefix of the tree of `new`
/// leaves (RFC 6962 §2.1.2). Empty when the sizes are equal.
pub fn consistency_proof(
    store: &impl NodeStore,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, TreeError> {
    if old == 0 || old > new {
        return Err(TreeError::BadSizes { old, new });
    }
    let mut proof = Vec::new();
    if old < new {
        subproof(store, old, 0, new, true, &mut proof)?;
    }
    Ok(proof)
}

fn subproof(
    store: &impl NodeStore,
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), TreeError> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(subtree(store, start, end)?);
        }
        return Ok(());
    }
    let k = largest_power_of_two_below(n);
    if m <= k {
        subproof(store, m, start, start + k, whole, out)?;
        out.push(subtree(store, start + k, end)?);
    } else {
        subproof(store, m - k, start + k, end, false, out)?;
        out.push(subtree(store, start, start + k)?);
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
    #[error("sizes {old} and {new} cannot be compared")]
    BadSizes { old: u64, new: u64 },
}

/// RFC 9162 §2.1.3.2: does `proof` show leaf `leaf` at `index` in the tree of
/// `size` leaves whose root is `root`?
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode % 2 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode % 2 == 0 {
                while fnode % 2 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if &r == root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// RFC 9162 §2.1.4.2: does `proof` show the tree (`old`, `old_root`) to be a
/// prefix of the tree (`new`, `new_root`)?
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new || old == 0 {
        return Err(ProofError::BadSizes { old, new });
    }
    if old == new {
        return if proof.is_empty() && old_root == new_root {
            Ok(())
        } else if !proof.is_empty() {
            Err(ProofError::WrongLength)
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    // If old is a power of two, the old root is the first node of the path.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength);
    };
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode % 2 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode % 2 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode % 2 == 0 {
                while fnode % 2 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr == old_root && &sr == new_root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// The nodes a computation reads, found by running it against a store that
/// answers every question with a dummy hash. A database-backed log fetches
/// exactly these (O(log n) of them) and then runs the computation for real.
#[derive(Default)]
pub struct NodeRecorder {
    seen: std::cell::RefCell<Vec<(u8, u64)>>,
}

impl NodeStore for NodeRecorder {
    fn node(&self, level: u8, index: u64) -> Option<Hash> {
        self.seen.borrow_mut().push((level, index));
        Some([0; 32])
    }
}

impl NodeRecorder {
    pub fn into_nodes(self) -> Vec<(u8, u64)> {
        let mut nodes = self.seen.into_inner();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }
}

/// Nodes needed to append the leaf at `index` (its left siblings up the tree).
pub fn nodes_for_append(index: u64) -> Vec<(u8, u64)> {
    let recorder = NodeRecorder::default();
    let _ = nodes_after_append(&recorder, index, [0; 32]);
    recorder.into_nodes()
}

/// Nodes needed for [`root`] of `size`.
pub fn nodes_for_root(size: u64) -> Vec<(u8, u64)> {
    let recorder = NodeRecorder::default();
    let _ = root(&recorder, size);
    recorder.into_nodes()
}

/// Nodes needed for [`inclusion_proof`] (and the root it is checked against).
pub fn nodes_for_inclusion(index: u64, size: u64) -> Vec<(u8, u64)> {
    let recorder = NodeRecorder::default();
    let _ = inclusion_proof(&recorder, index, size);
    let _ = root(&recorder, size);
    let _ = recorder.node(0, index);
    recorder.into_nodes()
}

/// Nodes needed for [`consistency_proof`] and both roots.
pub fn nodes_for_consistency(old: u64, new: u64) -> Vec<(u8, u64)> {
    let recorder = NodeRecorder::default();
    let _ = consistency_proof(&recorder, old, new);
    let _ = root(&recorder, old);
    let _ = root(&recorder, new);
    recorder.into_nodes()
}

impl NodeStore for std::collections::HashMap<(u8, u64), Hash> {
    fn node(&self, level: u8, index: u64) -> Option<Hash> {
        self.get(&(level, index)).copied()
    }
}

/// A tree kept in memory: for tests, tools and building proofs from a snapshot.
#[derive(Debug, Default, Clone)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
}

impl NodeStore for MemoryTree {
    fn node(&self, level: u8, index: u64) -> Option<Hash> {
        self.levels
            .get(usize::from(level))?
            .get(usize::try_from(index).ok()?)
            .copied()
    }
}

impl MemoryTree {
    pub fn new() -> MemoryTree {
        MemoryTree::default()
    }

    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Appends an entry; returns its index.
    pub fn append(&mut self, entry: &[u8]) -> u64 {
        let index = self.size();
        let nodes = nodes_after_append(self, index, leaf_hash(entry)).unwrap_or_default();
        for (level, i, hash) in nodes {
            let level = usize::from(level);
            if self.levels.len() <= level {
                self.levels.resize(level + 1, Vec::new());
            }
            debug_assert_eq!(self.levels[level].len() as u64, i);
            self.levels[level].push(hash);
        }
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(n: u64) -> MemoryTree {
        let mut t = MemoryTree::new();
        for i in 0..n {
            t.append(format!("entry {i}").as_bytes());
        }
        t
    }

    /// Straight from the RFC's definition, for comparison.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = largest_power_of_two_below(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn empty_root_is_the_hash_of_nothing() {
        assert_eq!(
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, empty_root()),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn roots_match_the_definition_for_every_size_up_to_300() {
        let t = tree(300);
        let leaves: Vec<Hash> = (0..300)
            .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
            .collect();
        for size in 0..=300u64 {
            assert_eq!(
                root(&t, size).unwrap(),
                reference_root(&leaves[..size as usize]),
                "size {size}"
            );
        }
    }

    #[test]
    fn every_inclusion_and_consistency_proof_verifies_up_to_130_and_tampering_fails() {
        let t = tree(130);
        for size in 1..=130u64 {
            let r = root(&t, size).unwrap();
            for index in 0..size {
                let leaf = t.node(0, index).unwrap();
                let proof = inclusion_proof(&t, index, size).unwrap();
                verify_inclusion(&leaf, index, size, &proof, &r).unwrap();
                if let Some(first) = proof.first() {
                    let mut bad = proof.clone();
                    bad[0] = node_hash(first, first);
                    assert!(verify_inclusion(&leaf, index, size, &bad, &r).is_err());
                }
            }
            for old in 1..=size {
                let proof = consistency_proof(&t, old, size).unwrap();
                let old_root = root(&t, old).unwrap();
                verify_consistency(old, size, &old_root, &r, &proof).unwrap();
                if old < size {
                    let forged = node_hash(&old_root, &old_root);
                    assert!(
                        verify_consistency(old, size, &forged, &r, &proof).is_err(),
                        "{old}->{size}"
                    );
                }
            }
        }
    }

    #[test]
    fn recorded_nodes_are_exactly_enough() {
        use std::collections::HashMap;
        let t = tree(77);
        let fetch = |nodes: Vec<(u8, u64)>| -> HashMap<(u8, u64), Hash> {
            nodes
                .into_iter()
                .map(|(l, i)| ((l, i), t.node(l, i).unwrap()))
                .collect()
        };
        for size in 1..=77u64 {
            let partial = fetch(nodes_for_root(size));
            assert_eq!(root(&partial, size).unwrap(), root(&t, size).unwrap());
            for index in (0..size).step_by(5) {
                let partial = fetch(nodes_for_inclusion(index, size));
                assert_eq!(
                    inclusion_proof(&partial, index, size).unwrap(),
                    inclusion_proof(&t, index, size).unwrap()
                );
            }
            for old in (1..=size).step_by(7) {
                let partial = fetch(nodes_for_consistency(old, size));
                assert_eq!(
                    consistency_proof(&partial, old, size).unwrap(),
                    consistency_proof(&t, old, size).unwrap()
                );
            }
        }
        // Appending needs only left siblings, a logarithmic number of them.
        let mut grown = tree(76);
        let needed = fetch(nodes_for_append(76));
        assert!(needed.len() <= 7);
        let leaf = leaf_hash(b"entry 76");
        let nodes = nodes_after_append(&needed, 76, leaf).unwrap();
        grown.append(b"entry 76");
        for (level, index, hash) in nodes {
            assert_eq!(grown.node(level, index), Some(hash));
        }
    }

    #[test]
    fn out_of_range_requests_are_errors_not_panics() {
        let t = tree(5);
        assert!(inclusion_proof(&t, 5, 5).is_err());
        assert!(consistency_proof(&t, 0, 5).is_err());
        assert!(consistency_proof(&t, 6, 5).is_err());
        assert!(root(&t, 6).is_err(), "the store has no such tree");
        assert!(verify_inclusion(&[0; 32], 3, 3, &[], &[0; 32]).is_err());
        assert!(verify_consistency(5, 4, &[0; 32], &[0; 32], &[]).is_err());
    }

    /// ct-merkle, written by someone else, agrees with our roots and proofs.
    #[test]
    fn an_independent_implementation_agrees() {
        use ct_merkle::mem_backed_tree::MemoryBackedTree;
        let mut theirs: MemoryBackedTree<sha2_for_ct_merkle::Sha256, Vec<u8>> =
            MemoryBackedTree::new();
        let mut ours = MemoryTree::new();
        for i in 0..100u32 {
            let entry = format!("revision {i}").into_bytes();
            theirs.push(entry.clone());
            ours.append(&entry);
            let size = u64::from(i) + 1;
            let their_root = theirs.root();
            assert_eq!(
                their_root.as_bytes().as_slice(),
                root(&ours, size).unwrap().as_slice(),
                "size {size}"
            );
        }
        // And it accepts our proofs.
        type Their = sha2_for_ct_merkle::Sha256;
        let their_root =
            |size: u64| ct_merkle::RootHash::<Their>::new(root(&ours, size).unwrap().into(), size);
        for size in 1..=100u64 {
            for index in 0..size {
                let bytes: Vec<u8> = inclusion_proof(&ours, index, size).unwrap().concat();
                let proof = ct_merkle::InclusionProof::<Their>::try_from_bytes(bytes).unwrap();
                let entry = format!("revision {index}").into_bytes();
                their_root(size)
                    .verify_inclusion(&entry, index, &proof)
                    .unwrap();
            }
            for old in 1..size {
                let bytes: Vec<u8> = consistency_proof(&ours, old, size).unwrap().concat();
                let proof = ct_merkle::ConsistencyProof::<Their>::try_from_bytes(bytes).unwrap();
                their_root(size)
                    .verify_consistency(&their_root(old), &proof)
                    .unwrap();
            }
        }
    }
}
