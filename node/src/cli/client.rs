//! Commands that talk to a node over gRPC.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use tonic::transport::Channel;
use vledger_proto::v1 as pb;
use vledger_proto::v1::log_client::LogClient;
use vledger_records::{
    KeyEnrollment, KeyRevocation, Record, RecordBody, Role, SignedRecord, flags_from_proto,
};
use vledger_tlog::hash::Hash;
use vledger_tlog::merkle::verify_consistency;
use vledger_tlog::note::{Checkpoint, ConsistencyProofText, Note};
use vledger_verification::pages::{HistoryPage, merge_pages};
use vledger_verification::succession::LogKeys;

use super::keys::{Want, read_vkey};
use super::vault::VaultArgs;
use super::{CosignArg, NodeArg};
use crate::datadir::read_signer;
use crate::vault::references::refuse_vault_fields;

pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// A client of the node at `node.node`: TLS for `https://` (trusting
/// `node.ca` too), never plaintext to an `https://` URL.
pub(super) async fn connect(node: &NodeArg) -> anyhow::Result<LogClient<Channel>> {
    let endpoint = crate::tls::grpc_endpoint(&node.node, node.ca.as_deref())?;
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| anyhow::anyhow!(crate::tls::explain(&node.node, &e)))?;
    Ok(LogClient::new(channel))
}

/// One line for a gRPC error of the node at `url`: its code and message
/// (see [`crate::tls::explain_status`]).
pub(super) fn rpc(url: &str) -> impl Fn(tonic::Status) -> anyhow::Error + '_ {
    move |e| anyhow::anyhow!(crate::tls::explain_status(url, &e))
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A node to append to, and the log records are signed for.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The node's gRPC address, and the CA to trust for it.
    pub node: &'a NodeArg,
    /// The origin given with `--origin`; `None` to sign for the origin of
    /// the node's latest checkpoint.
    pub origin: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// The node at `node`, signing for `origin` or the node's own.
    #[must_use]
    pub const fn new(node: &'a NodeArg, origin: Option<&'a str>) -> Self {
        Self { node, origin }
    }

    /// The origin to sign records for: the one given, or else the origin
    /// line of the node's latest checkpoint. Either way the node refuses a
    /// record signed for another log than its own, and a verifier refuses
    /// an entry signed for another log than the checkpoint's.
    ///
    /// # Errors
    /// When the node cannot be asked or sends no checkpoint.
    pub async fn origin(&self, client: &mut LogClient<Channel>) -> anyhow::Result<String> {
        let origin = match self.origin {
            Some(origin) => origin.to_owned(),
            None => {
                let note = client
                    .get_checkpoint(pb::GetCheckpointRequest::default())
                    .await
                    .map_err(rpc(&self.node.node))?
                    .into_inner()
                    .checkpoint;
                Note::parse(&note)
                    .ok()
                    .and_then(|n| Checkpoint::parse_text(&n.text).ok())
                    .map(|c| c.origin().to_owned())
                    .context("the node's checkpoint does not parse; give the log's --origin")?
            }
        };
        vledger_records::check_origin(&origin).context("--origin is not a log origin")?;
        Ok(origin)
    }
}

/// Signs `record` with the key in `key_file` for the log `target` serves,
/// appends it and writes the receipt to `out`.
fn append(
    target: &Target<'_>,
    key_file: &Path,
    record: &Record,
    out: &Path,
    cosign: Option<CosignArg>,
) -> anyhow::Result<u64> {
    let signer = read_signer(key_file)?;
    let response = runtime()?.block_on(async {
        let mut client = connect(target.node).await?;
        let origin = target.origin(&mut client).await?;
        let signed = SignedRecord::sign_for(&origin, record, signer.signing_key())?;
        client
            .append(pb::AppendRequest {
                signed: Some(signed.to_proto()),
                cosigned: cosign.is_some(),
                wait_ms: cosign.map_or(0, |c| c.wait_ms()),
            })
            .await
            .map_err(rpc(&target.node.node))
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
    // Flags do not make a submission fail: the record is logged, and the
    // flags are in its entry (and so in the receipt) for everyone to see.
    let flags = flags_from_proto(r.flags).context("the node sent malformed flags")?;
    if !flags.is_empty() {
        let text: Vec<String> = flags.iter().map(ToString::to_string).collect();
        println!("FLAGS: {}", text.join("; "));
    }
    // The record is logged: a quorum that did not come in time is a
    // warning, not a failure.
    if let Some(c) = cosign.filter(|_| !r.cosigned) {
        eprintln!(
            "warning: no quorum of the node's witnesses cosigned entry {} within {} s; the \
             receipt is against the plain checkpoint (run `vledger prove --index {} --cosigned` \
             later)",
            r.index, c.wait, r.index
        );
    }
    Ok(r.index)
}

fn receipt_path(out: Option<&Path>, default: impl FnOnce() -> PathBuf) -> PathBuf {
    out.map_or_else(default, Path::to_path_buf)
}

/// `vledger submit`. With a vault, `"vault:p-…"` party fields become
/// fresh commitments whose salts the vault keeps, with the entry index
/// once logged; without one, such fields are refused.
pub fn submit(
    target: &Target<'_>,
    key: &Path,
    record_file: &Path,
    out: Option<&Path>,
    cosign: CosignArg,
    vault: Option<&VaultArgs>,
) -> anyhow::Result<()> {
    let json = std::fs::read_to_string(record_file)
        .with_context(|| format!("cannot read {}", record_file.display()))?;
    let invalid = || format!("{} is not a valid record", record_file.display());
    let out = receipt_path(out, || record_file.with_extension("tlog-proof"));
    let value = serde_json::from_str::<serde_json::Value>(&json).ok();
    let (record, committed) = match (vault, value) {
        (Some(vault), Some(mut value)) => {
            let committed = vault
                .commit_fields(&mut value, &out)
                .with_context(|| record_file.display().to_string())?;
            (
                Record::from_json_value(value).with_context(invalid)?,
                Some(committed),
            )
        }
        (None, Some(value)) => {
            refuse_vault_fields(&value).with_context(invalid)?;
            (Record::from_json(&json).with_context(invalid)?, None)
        }
        (_, None) => (Record::from_json(&json).with_context(invalid)?, None),
    };
    let index = append(
        target,
        key,
        &record,
        &out,
        cosign.cosigned.then_some(cosign),
    )?;
    if let Some(committed) = committed.filter(|c| !c.is_empty()) {
        committed.logged(index)?;
        println!(
            "{} kept in the vault with entry {index}",
            crate::cli::plural(
                u64::try_from(committed.len()).unwrap_or(u64::MAX),
                "party salt",
                "party salts"
            )
        );
    }
    Ok(())
}

/// `vledger enroll`.
pub fn enroll(
    target: &Target<'_>,
    admin_key: &Path,
    key: &str,
    role: &str,
    name: &str,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let vkey = read_vkey("--key", key, Want::Ed25519)?;
    let role: Role = role.parse().map_err(|e: String| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        anyhow::anyhow!("--role: {e}; the roles are {}", roles.join(", "))
    })?;
    let record = Record {
        vin: None,
        event_time: now_seconds(),
        nonce: Vec::new(),
        attachments: Vec::new(),
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
    append(target, admin_key, &record, &out, None).map(drop)
}

/// `vledger revoke`.
pub fn revoke(
    target: &Target<'_>,
    admin_key: &Path,
    key: &str,
    reason: &str,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let vkey = read_vkey("--key", key, Want::Ed25519)?;
    let record = Record {
        vin: None,
        event_time: now_seconds(),
        nonce: Vec::new(),
        attachments: Vec::new(),
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
    append(target, admin_key, &record, &out, None).map(drop)
}

/// A signed checkpoint note's origin, tree size and root (base64), for
/// summaries; `None` when it does not parse.
fn checkpoint_fields(note: &str) -> Option<Checkpoint> {
    Note::parse(note)
        .ok()
        .and_then(|n| Checkpoint::parse_text(&n.text).ok())
}

/// The checkpoint note at the end of a tlog-proof text.
fn proof_checkpoint(proof: &str) -> Option<Checkpoint> {
    proof
        .split_once("\n\n")
        .and_then(|(_, note)| checkpoint_fields(note))
}

/// `vledger checkpoint`.
pub fn checkpoint(
    node: &NodeArg,
    size: Option<u64>,
    cosign: CosignArg,
    json: bool,
) -> anyhow::Result<()> {
    let r = runtime()?.block_on(async {
        connect(node)
            .await?
            .get_checkpoint(pb::GetCheckpointRequest {
                tree_size: size.unwrap_or(0),
                cosigned: cosign.cosigned,
                wait_ms: if cosign.cosigned { cosign.wait_ms() } else { 0 },
            })
            .await
            .map_err(rpc(&node.node))
    })?;
    let note = r.into_inner().checkpoint;
    if json {
        let cp = checkpoint_fields(&note).context("the node's checkpoint does not parse")?;
        let cosignatures = note
            .lines()
            .filter(|l| l.starts_with('\u{2014}'))
            .count()
            .saturating_sub(1);
        println!(
            "{}",
            serde_json::json!({
                "origin": cp.origin(),
                "tree_size": cp.size().0,
                "root": cp.root().to_base64(),
                "cosignatures": cosignatures,
                "checkpoint": note,
            })
        );
    } else {
        print!("{note}");
    }
    Ok(())
}

/// `vledger history`: fetches the history page by page, each against the
/// first page's checkpoint, and writes the pages joined into one bundle.
pub fn history(
    node: &NodeArg,
    vin: &str,
    out: Option<&Path>,
    page_bytes: Option<u32>,
    cosign: CosignArg,
    json: bool,
) -> anyhow::Result<()> {
    // VINs are upper case (ISO 3779); one typed in lower case means the same.
    let vin = &vin.trim().to_ascii_uppercase();
    let pages = runtime()?.block_on(async {
        let mut client = connect(node).await?;
        fetch_pages(
            &mut client,
            &node.node,
            vin,
            page_bytes.unwrap_or(0),
            cosign,
        )
        .await
    })?;
    let count = pages.len();
    let bundle = merge_pages(pages).context("the node's pages do not make one history")?;
    let text = serde_json::to_string_pretty(&bundle).context("cannot encode the bundle")?;
    let out = out.map_or_else(
        || PathBuf::from(format!("{vin}.vhist.json")),
        Path::to_path_buf,
    );
    std::fs::write(&out, &text).with_context(|| format!("cannot write {}", out.display()))?;
    let records = bundle.records.len();
    let witnessed_size = bundle
        .witnessed
        .as_ref()
        .and_then(|w| checkpoint_fields(&w.checkpoint))
        .map(|c| c.size().0);
    if json {
        println!(
            "{}",
            serde_json::json!({
                "vin": vin,
                "records": records,
                "tree_size": checkpoint_fields(&bundle.checkpoint).map(|c| c.size().0),
                "witnessed_tree_size": witnessed_size,
                "pages": count,
                "out": out,
            })
        );
        return Ok(());
    }
    let witnessed = witnessed_size.map_or_else(String::new, |size| {
        format!(" (witnessed at tree size {size})")
    });
    let pages = if count == 1 {
        String::new()
    } else {
        format!(" from {count} pages")
    };
    println!(
        "history of {vin}: {records} record{} written to {}{pages}{witnessed}",
        if records == 1 { "" } else { "s" },
        out.display()
    );
    Ok(())
}

/// Every page of `vin`'s history, newest records first: the first at the
/// latest checkpoint, each later one at its tree size, ending with the
/// record the page before names. Each page must take up the chain where
/// the one before stopped, so the loop ends (the leaf index falls).
async fn fetch_pages(
    client: &mut LogClient<Channel>,
    url: &str,
    vin: &str,
    page_bytes: u32,
    cosign: CosignArg,
) -> anyhow::Result<Vec<HistoryPage>> {
    let mut pages: Vec<HistoryPage> = Vec::new();
    let mut at: Option<(u64, u64)> = None;
    loop {
        let (tree_size, next) = at.unwrap_or((0, 0));
        let first = at.is_none();
        let text = client
            .get_vin_history(pb::GetVinHistoryRequest {
                vin: vin.to_owned(),
                cosigned: first && cosign.cosigned,
                wait_ms: if first && cosign.cosigned {
                    cosign.wait_ms()
                } else {
                    0
                },
                paged: true,
                tree_size,
                next,
                page_bytes,
            })
            .await
            .map_err(rpc(url))?
            .into_inner()
            .bundle;
        let page: HistoryPage = serde_json::from_str(&text)
            .with_context(|| format!("page {} of the history is not a page", pages.len() + 1))?;
        if !first && page.records.last().map(|r| r.index) != Some(next) {
            bail!(
                "page {} of the history does not continue at entry {next}",
                pages.len() + 1
            );
        }
        let size = if first {
            Note::parse(&page.checkpoint)
                .ok()
                .and_then(|n| Checkpoint::parse_text(&n.text).ok())
                .map(|c| c.size().0)
                .context("the first page's checkpoint does not parse")?
        } else {
            tree_size
        };
        let following = page.next;
        pages.push(page);
        match following {
            Some(n) if at.is_none_or(|(_, before)| n < before) => at = Some((size, n)),
            Some(n) => bail!("page {} of the history goes back to entry {n}", pages.len()),
            None => return Ok(pages),
        }
    }
}

/// Where `vledger prove` puts the proof and how it reports.
#[derive(Debug, Clone, Copy)]
pub struct ProofOutput<'a> {
    /// The file to write the proof to; without one it is printed.
    pub out: Option<&'a Path>,
    /// Print one JSON object instead.
    pub json: bool,
}

impl ProofOutput<'_> {
    /// Writes or prints the proof of entry `index` and says so in one line.
    fn emit(self, index: u64, proof: &str) -> anyhow::Result<()> {
        if let Some(path) = self.out {
            std::fs::write(path, proof)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        let size = proof_checkpoint(proof).map(|c| c.size().0);
        if self.json {
            println!(
                "{}",
                serde_json::json!({
                    "index": index,
                    "tree_size": size,
                    "out": self.out,
                    "proof": proof,
                })
            );
        } else if let Some(path) = self.out {
            println!(
                "proof of entry {index} at tree size {} written to {}",
                size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
                path.display()
            );
        } else {
            print!("{proof}");
        }
        Ok(())
    }
}

/// `vledger prove`.
pub fn prove(
    node: &NodeArg,
    index: u64,
    size: Option<u64>,
    output: ProofOutput<'_>,
    cosign: CosignArg,
) -> anyhow::Result<()> {
    let r = runtime()?.block_on(async {
        connect(node)
            .await?
            .get_inclusion_proof(pb::GetInclusionProofRequest {
                index,
                tree_size: size.unwrap_or(0),
                cosigned: cosign.cosigned,
                wait_ms: if cosign.cosigned { cosign.wait_ms() } else { 0 },
            })
            .await
            .map_err(rpc(&node.node))
    })?;
    output.emit(index, &r.into_inner().proof)
}

/// `vledger prove --tiles URL`.
pub fn prove_from_tiles(
    url: &str,
    ca: Option<&Path>,
    index: u64,
    output: ProofOutput<'_>,
) -> anyhow::Result<()> {
    let proof = crate::audit::TilesSource::new(url, ca)?
        .tlog_proof(index)
        .with_context(|| format!("cannot prove entry {index} from {url}"))?;
    output.emit(index, &proof)
}

/// `vledger consistency`.
pub fn consistency(
    node: &NodeArg,
    old: u64,
    new: Option<u64>,
    log_keys: Option<&LogKeys>,
    output: ProofOutput<'_>,
) -> anyhow::Result<()> {
    let (proof, old_note) = runtime()?.block_on(async {
        let mut client = connect(node).await?;
        let proof = client
            .get_consistency_proof(pb::GetConsistencyProofRequest {
                old_size: old,
                new_size: new.unwrap_or(0),
            })
            .await
            .map_err(rpc(&node.node))?
            .into_inner();
        let old_note = client
            .get_checkpoint(pb::GetCheckpointRequest {
                tree_size: old,
                ..Default::default()
            })
            .await
            .map_err(rpc(&node.node))?
            .into_inner()
            .checkpoint;
        anyhow::Ok((proof, old_note))
    })?;
    let hashes = proof
        .hashes
        .iter()
        .map(|h| Hash::from_slice(h).context("the node sent a malformed hash"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let verified = log_keys.is_some();
    if let Some(keys) = log_keys {
        // Each checkpoint under the key that signed the log at its size
        // (across the successions given).
        let (_, old_cp) = keys.open(&old_note).context("old checkpoint")?;
        let (_, new_cp) = keys.open(&proof.checkpoint).context("new checkpoint")?;
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
        if output.out.is_none() && !output.json {
            eprintln!(
                "ok: tree size {} extends tree size {} ({})",
                proof.new_size,
                proof.old_size,
                super::plural(hashes.len() as u64, "proof hash", "proof hashes")
            );
        }
    }
    let count = hashes.len();
    let base64: Vec<String> = hashes.iter().map(Hash::to_base64).collect();
    // The proof as text (docs/formats.md): the two sizes, then one base64
    // hash per line (RFC 9162 section 2.1.4 order). The checkpoints
    // themselves come from `vledger checkpoint --size N`.
    let text = ConsistencyProofText {
        old: proof.old_size,
        new: proof.new_size,
        hashes,
    }
    .to_text();
    if let Some(path) = output.out {
        std::fs::write(path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if output.json {
        println!(
            "{}",
            serde_json::json!({
                "old_size": proof.old_size,
                "new_size": proof.new_size,
                "hashes": base64,
                "verified": verified,
                "out": output.out,
            })
        );
    } else if let Some(path) = output.out {
        println!(
            "consistency proof from tree size {} to {} ({count} hash{}{}) written to {}",
            proof.old_size,
            proof.new_size,
            if count == 1 { "" } else { "es" },
            if verified {
                "; verified against the log key"
            } else {
                ""
            },
            path.display()
        );
    } else {
        print!("{text}");
    }
    Ok(())
}
