use super::*;
use vledger_records::{Genesis, IndexCommitment, LogKeySuccession};
use vledger_tlog::hash::{Hash, leaf_hash};
use vledger_tlog::merkle::{LeafIndex, MemoryHashes, TreeSize, inclusion_proof};
use vledger_tlog::note::{Signer, sign_checkpoint};

const ORIGIN: &str = "example.com/log";

fn signer(seed: u8) -> Signer {
    Signer::from_seed(ORIGIN, &[seed; 32]).expect("valid name")
}

fn index_entry(tree_size: u64) -> Vec<u8> {
    Entry {
        logged_at_ms: 1,
        body: EntryBody::Index(IndexCommitment {
            root: Hash([7; 32]),
            tree_size,
            vin_count: 0,
        }),
    }
    .encode()
}

/// A log of a genesis batch and a batch naming `successor`'s key, and
/// then `extra` more entries: its entries and tree.
fn log(old: &Signer, successor: &Signer, extra: u64) -> (Vec<Vec<u8>>, MemoryHashes) {
    let admin = signer(9);
    let mut entries = vec![
        Entry {
            logged_at_ms: 1,
            body: EntryBody::Genesis(Box::new(Genesis {
                origin: ORIGIN.to_owned(),
                log_key: *old.verifier_key().public_key(),
                admin_key: *admin.verifier_key().public_key(),
                recovery_key: None,
            })),
        }
        .encode(),
        index_entry(1),
        Entry {
            logged_at_ms: 1,
            body: EntryBody::Succession(LogKeySuccession {
                log_key: *successor.verifier_key().public_key(),
                reason: "scheduled".to_owned(),
            }),
        }
        .encode(),
        index_entry(3),
    ];
    for i in 0..extra {
        entries.push(index_entry(4 + i));
    }
    let tree = MemoryHashes::from_leaf_hashes(entries.iter().map(|e| leaf_hash(e)));
    (entries, tree)
}

fn checkpoint(tree: &MemoryHashes, size: u64, key: &Signer) -> String {
    let mut prefix = MemoryHashes::new();
    for i in 0..size {
        prefix.append(
            tree.get(vledger_tlog::merkle::NodeId::leaf(LeafIndex(i)))
                .expect("leaf"),
        );
    }
    let cp = Checkpoint::new(ORIGIN, TreeSize(size), prefix.root()).expect("origin");
    sign_checkpoint(&cp, key)
}

fn proof(entries: &[Vec<u8>], tree: &MemoryHashes, index: u64, size: u64, key: &Signer) -> Vec<u8> {
    TlogProof {
        extra: Some(entries[usize::try_from(index).expect("small")].clone()),
        index: LeafIndex(index),
        hashes: inclusion_proof(LeafIndex(index), TreeSize(size), tree).expect("proof"),
        checkpoint: checkpoint(tree, size, key),
    }
    .to_string()
    .into_bytes()
}

#[test]
fn a_succession_hands_later_checkpoints_to_the_successor_and_bounds_the_retired_key() {
    let (old, new) = (signer(1), signer(2));
    let (entries, tree) = log(&old, &new, 3);
    let mut keys = LogKeys::new(old.verifier_key());
    let followed = keys
        .follow(&proof(&entries, &tree, 2, 4, &old))
        .expect("follows");
    assert_eq!(followed.from, 4);
    assert_eq!(followed.succession_index, Some(2));
    assert_eq!(keys.current(), &new.verifier_key());

    // Each key within its sizes.
    assert_eq!(
        keys.key_for(&checkpoint(&tree, 3, &old)).expect("old"),
        &old.verifier_key()
    );
    assert_eq!(
        keys.key_for(&checkpoint(&tree, 4, &old))
            .expect("old's last"),
        &old.verifier_key()
    );
    assert_eq!(
        keys.key_for(&checkpoint(&tree, 4, &new)).expect("new"),
        &new.verifier_key()
    );
    assert_eq!(
        keys.key_for(&checkpoint(&tree, 7, &new)).expect("new"),
        &new.verifier_key()
    );
    // The retired key beyond its last checkpoint, the successor before
    // its first.
    assert!(matches!(
        keys.key_for(&checkpoint(&tree, 5, &old)),
        Err(SuccessionError::Retired {
            size: 5,
            retired: 4
        })
    ));
    assert!(matches!(
        keys.key_for(&checkpoint(&tree, 3, &new)),
        Err(SuccessionError::BeforeSuccession { size: 3, from: 4 })
    ));
    // A key the log never had.
    assert!(matches!(
        keys.key_for(&checkpoint(&tree, 7, &signer(3))),
        Err(SuccessionError::Checkpoint(_))
    ));
}

#[test]
fn only_a_proof_of_a_succession_under_the_trusted_key_at_its_batch_end_is_followed() {
    let (old, new) = (signer(1), signer(2));
    let (entries, tree) = log(&old, &new, 3);
    let mut keys = LogKeys::new(old.verifier_key());
    // Signed by the successor itself.
    assert!(matches!(
        keys.follow(&proof(&entries, &tree, 2, 4, &new)),
        Err(SuccessionError::Proof(_))
    ));
    // Not a succession entry.
    assert!(matches!(
        keys.follow(&proof(&entries, &tree, 1, 4, &old)),
        Err(SuccessionError::NotSuccession(1))
    ));
    // Under a later checkpoint than the batch's end.
    assert!(matches!(
        keys.follow(&proof(&entries, &tree, 2, 5, &old)),
        Err(SuccessionError::NotFinal {
            size: 5,
            expected: 4
        })
    ));
    assert_eq!(keys.keys().len(), 1, "nothing followed");
    // And once followed, the same proof again is out of order (it is not
    // signed by the current key).
    keys.follow(&proof(&entries, &tree, 2, 4, &old))
        .expect("follows");
    assert!(keys.follow(&proof(&entries, &tree, 2, 4, &old)).is_err());
    assert_eq!(keys.keys().len(), 2);
}
