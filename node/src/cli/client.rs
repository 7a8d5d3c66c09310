//! Commands that talk to a node over gRPC.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use ledger::hash::Hash;
use ledger::merkle::verify_consistency;
use ledger::note::{VerifierKey, open_checkpoint};
use ledger::record::{KeyEnrollment, KeyRevocation, Record, RecordBody, Role, SignedRecord};
use tonic::transport::Channel;
use vledger_proto::v1 as pb;
use vledger_proto::v1::log_client::LogClient;

use crate::datadir::read_signer;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

async fn connect(node: &str) -> anyhow::Result<LogClient<Channel>> {
    LogClient::connect(node.to_owned())
        .await
        .with_context(|| format!("cannot reach the node at {node}"))
}

/// One line for a gRPC error: its code and message.
fn rpc(e: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{:?}: {}", e.code(), e.message())
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Signs `record` with the key in `key_file`, appends it and writes the
/// receipt to `out`.
fn append(node: &str, key_file: &Path, record: &Record, out: &Path) -> anyhow::Result<()> {
    let signer = read_signer(key_file)?;
    let signed = SignedRecord::sign(record, signer.signing_key());
    let response = runtime()?.block_on(async {
        connect(node)
            .await?
            .append(pb::AppendRequest {
                signed: Some(signed.to_proto()),
            })
            .await
            .map_err(rpc)
    })?;
    let r = response.into_inner();
    std::fs::write(out, &r.proof).with_context(|| format!("cannot write {}", out.display()))?;
    let leaf = Hash::from_slice(&r.leaf_hash).map_or_else(String::new, |h| h.to_hex());
    println!(
        "{} entry {} (leaf hash {leaf}); receipt written to {}",
        if r.duplicate {
            "already logged as"
        } else {
            "logged as"
        },
        r.index,
        out.display()
    );
    Ok(())
}

fn receipt_path(out: Option<&Path>, default: impl FnOnce() -> PathBuf) -> PathBuf {
    out.map_or_else(default, Path::to_path_buf)
}

/// `vledger submit`.
pub fn submit(
    node: &str,
    key: &Path,
    record_file: &Path,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let json = std::fs::read_to_string(record_file)
        .with_context(|| format!("cannot read {}", record_file.display()))?;
    let record = Record::from_json(&json)
        .with_context(|| format!("{} is not a valid record", record_file.display()))?;
    let out = receipt_path(out, || record_file.with_extension("tlog-proof"));
    append(node, key, &record, &out)
}

/// `vledger enroll`.
pub fn enroll(
    node: &str,
    admin_key: &Path,
    key: &str,
    role: &str,
    name: &str,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let vkey = VerifierKey::parse(key.trim()).context("--key is not a verifier key")?;
    let role: Role = role
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--role: {e}"))?;
    let record = Record {
        vin: None,
        event_time: now_seconds(),
        nonce: Vec::new(),
        body: RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: *vkey.public_key(),
            role,
            name: name.to_owned(),
        }),
    };
    let out = receipt_path(out, || {
        PathBuf::from(format!(
            "enroll-{}.tlog-proof",
            vkey.name().replace('/', "_")
        ))
    });
    append(node, admin_key, &record, &out)
}

/// `vledger revoke`.
pub fn revoke(
    node: &str,
    admin_key: &Path,
    key: &str,
    reason: &str,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let vkey = VerifierKey::parse(key.trim()).context("--key is not a verifier key")?;
    let record = Record {
        vin: None,
        event_time: now_seconds(),
        nonce: Vec::new(),
        body: RecordBody::KeyRevocation(KeyRevocation {
            public_key: *vkey.public_key(),
            reason: reason.to_owned(),
        }),
    };
    let out = receipt_path(out, || {
        PathBuf::from(format!(
            "revoke-{}.tlog-proof",
            vkey.name().replace('/', "_")
        ))
    });
    append(node, admin_key, &record, &out)
}

/// `vledger checkpoint`.
pub fn checkpoint(node: &str, size: Option<u64>) -> anyhow::Result<()> {
    let r = runtime()?.block_on(async {
        connect(node)
            .await?
            .get_checkpoint(pb::GetCheckpointRequest {
                tree_size: size.unwrap_or(0),
            })
            .await
            .map_err(rpc)
    })?;
    print!("{}", r.into_inner().checkpoint);
    Ok(())
}

/// `vledger prove`.
pub fn prove(node: &str, index: u64, size: Option<u64>, out: Option<&Path>) -> anyhow::Result<()> {
    let r = runtime()?.block_on(async {
        connect(node)
            .await?
            .get_inclusion_proof(pb::GetInclusionProofRequest {
                index,
                tree_size: size.unwrap_or(0),
            })
            .await
            .map_err(rpc)
    })?;
    let proof = r.into_inner().proof;
    match out {
        Some(path) => std::fs::write(path, &proof)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{proof}"),
    }
    Ok(())
}

/// `vledger consistency`.
pub fn consistency(
    node: &str,
    old: u64,
    new: Option<u64>,
    log_key: Option<&str>,
) -> anyhow::Result<()> {
    let (proof, old_note) = runtime()?.block_on(async {
        let mut client = connect(node).await?;
        let proof = client
            .get_consistency_proof(pb::GetConsistencyProofRequest {
                old_size: old,
                new_size: new.unwrap_or(0),
            })
            .await
            .map_err(rpc)?
            .into_inner();
        let old_note = client
            .get_checkpoint(pb::GetCheckpointRequest { tree_size: old })
            .await
            .map_err(rpc)?
            .into_inner()
            .checkpoint;
        anyhow::Ok((proof, old_note))
    })?;
    let hashes = proof
        .hashes
        .iter()
        .map(|h| Hash::from_slice(h).context("the node sent a malformed hash"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if let Some(key) = log_key {
        let key = VerifierKey::parse(key.trim()).context("--log-key is not a verifier key")?;
        let old_cp = open_checkpoint(&old_note, &key).context("old checkpoint")?;
        let new_cp = open_checkpoint(&proof.checkpoint, &key).context("new checkpoint")?;
        if old_cp.size().0 != proof.old_size || new_cp.size().0 != proof.new_size {
            bail!("the node's checkpoints do not have the sizes it claims");
        }
        verify_consistency(
            old_cp.size(),
            new_cp.size(),
            old_cp.root(),
            new_cp.root(),
            &hashes,
        )
        .context("consistency proof does NOT verify")?;
        eprintln!(
            "ok: tree size {} extends tree size {} ({} proof hashes)",
            proof.new_size,
            proof.old_size,
            hashes.len()
        );
    }
    // The proof as text: the two sizes, then one base64 hash per line
    // (RFC 9162 section 2.1.4 order). The checkpoints themselves come from
    // `vledger checkpoint --size N`.
    println!("old {}", proof.old_size);
    println!("new {}", proof.new_size);
    for h in &hashes {
        println!("{}", h.to_base64());
    }
    Ok(())
}
