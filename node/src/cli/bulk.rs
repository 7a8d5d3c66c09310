//! `vledger submit` of many records: record files and NDJSON, sent over
//! one `AppendStream` call.
//!
//! Every record is read and checked locally first; one that cannot be read
//! or parsed is refused by name and never sent. The rest are signed as the
//! stream sends them, and each answer writes a receipt or names the
//! refusal. A refused record never stops the others.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use ed25519_dalek::SigningKey;
use vledger_proto::v1 as pb;
use vledger_records::{MAX_RECORD_SIZE, Record, SignedRecord, flags_from_proto};

use super::CosignArg;
use super::client::{connect, rpc, runtime};
use crate::datadir::read_signer;

/// Where NDJSON records come from.
#[derive(Debug, Clone)]
pub enum NdjsonSource {
    /// Standard input (`-`).
    Stdin,
    /// A file (`--ndjson FILE`).
    File(PathBuf),
}

/// What `vledger submit` was given for more than one record.
#[derive(Debug)]
pub struct BulkArgs<'a> {
    /// The node, and the log the records are signed for.
    pub target: super::client::Target<'a>,
    /// The submitter's private key file.
    pub key: &'a Path,
    /// Record files, one JSON record each.
    pub files: &'a [PathBuf],
    /// NDJSON records, one a line.
    pub ndjson: Option<NdjsonSource>,
    /// Where receipts go: `STEM.tlog-proof` for a record file and
    /// `line-NNNNNN.tlog-proof` for an NDJSON line; default beside each
    /// record file (NDJSON needs it).
    pub out_dir: Option<&'a Path>,
    /// Print the summary as JSON on standard output.
    pub json: bool,
    /// Ask for receipts against a cosigned checkpoint.
    pub cosign: Option<CosignArg>,
}

/// One record to send: where it came from and where its receipt goes.
struct Item {
    /// The file, or `stdin:LINE`, `FILE:LINE` for NDJSON.
    name: String,
    /// The receipt's path.
    receipt: PathBuf,
}

/// A record that was not logged, and why (`Code: message`, as a single
/// `submit` prints it).
struct Refused {
    name: String,
    reason: String,
}

/// What a bulk submission did.
#[derive(Default)]
struct Summary {
    records: usize,
    logged: usize,
    duplicates: usize,
    flagged: usize,
    not_cosigned: usize,
    refused: Vec<Refused>,
}

/// `vledger submit` with several record files or NDJSON input.
///
/// # Errors
/// When the inputs or the key cannot be read, the node cannot be reached or
/// ends the stream, a receipt cannot be written, or any record was refused
/// (after the summary).
pub fn submit(args: &BulkArgs<'_>) -> anyhow::Result<()> {
    let signer = read_signer(args.key)?;
    let start = Instant::now();
    let mut summary = Summary::default();
    let (items, records) = read_inputs(args, &mut summary)?;
    summary.records += items.len();
    let bar = progress(summary.records as u64);
    bar.inc(summary.refused.len() as u64);
    for r in &summary.refused {
        bar.suspend(|| eprintln!("refused {}: {}", r.name, r.reason));
    }
    let sent = if items.is_empty() {
        Ok(())
    } else {
        let key = signer.signing_key().clone();
        runtime()?.block_on(send(args, &key, &items, records, &mut summary, &bar))
    };
    bar.finish_and_clear();
    report(&summary, start.elapsed(), args.json);
    sent?;
    if !summary.refused.is_empty() {
        bail!(
            "{} of {} records refused",
            summary.refused.len(),
            summary.records
        );
    }
    // The records are logged either way: a late quorum is a warning, and
    // `vledger prove --cosigned` fetches cosigned receipts later.
    if let Some(c) = args.cosign.filter(|_| summary.not_cosigned > 0) {
        eprintln!(
            "warning: no quorum of the node's witnesses cosigned {} of the entries within {} s; \
             their receipts are against the plain checkpoint (run `vledger prove --index N \
             --cosigned` later)",
            summary.not_cosigned, c.wait
        );
    }
    Ok(())
}

/// A progress bar on standard error, hidden when it is not a terminal.
fn progress(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    indicatif::ProgressBar::new(len).with_style(
        indicatif::ProgressStyle::with_template(
            "submitting {pos}/{len} records {wide_bar} {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    )
}

/// Reads every input; records that cannot be read or parsed go to
/// `summary` as refused. Fails on a usage error: two records whose
/// receipts would be the same file, NDJSON without `--out-dir`.
fn read_inputs(
    args: &BulkArgs<'_>,
    summary: &mut Summary,
) -> anyhow::Result<(Vec<Item>, Vec<Record>)> {
    let (mut items, mut records) = (Vec::new(), Vec::new());
    let mut add = |name: String, receipt: PathBuf, parsed: anyhow::Result<Record>| match parsed {
        Ok(record) => {
            items.push(Item { name, receipt });
            records.push(record);
        }
        Err(e) => {
            summary.records += 1;
            summary.refused.push(Refused {
                name,
                reason: e.to_string(),
            });
        }
    };
    for file in args.files {
        let receipt = match args.out_dir {
            Some(dir) => dir.join(
                file.with_extension("tlog-proof")
                    .file_name()
                    .unwrap_or_default(),
            ),
            None => file.with_extension("tlog-proof"),
        };
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("cannot read it: {e}"))
            .and_then(|json| parse(&json));
        add(file.display().to_string(), receipt, parsed);
    }
    if let Some(source) = &args.ndjson {
        let Some(dir) = args.out_dir else {
            bail!("NDJSON input needs --out-dir DIR for its receipts (DIR/line-NNNNNN.tlog-proof)");
        };
        let (prefix, reader): (String, Box<dyn std::io::BufRead>) = match source {
            NdjsonSource::Stdin => ("stdin".to_owned(), Box::new(std::io::stdin().lock())),
            NdjsonSource::File(path) => (
                path.display().to_string(),
                Box::new(std::io::BufReader::new(
                    std::fs::File::open(path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                )),
            ),
        };
        for (n, line) in reader.lines().enumerate() {
            let n = n + 1;
            let line = line.with_context(|| format!("cannot read {prefix} at line {n}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let receipt = dir.join(format!("line-{n:06}.tlog-proof"));
            add(format!("{prefix}:{n}"), receipt, parse(&line));
        }
    }
    let mut seen = std::collections::HashMap::new();
    for item in &items {
        if let Some(other) = seen.insert(&item.receipt, &item.name) {
            bail!(
                "{other} and {} would both write the receipt {}; rename one",
                item.name,
                item.receipt.display()
            );
        }
    }
    Ok((items, records))
}

/// One record's JSON, checked as far as can be without the log.
fn parse(json: &str) -> anyhow::Result<Record> {
    // `vault:` party fields are committed to one record file at a time.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
        crate::vault::references::refuse_vault_fields(&value)
            .map_err(|e| anyhow::anyhow!("not a valid record: {e}"))?;
    }
    // The error's own text names the field; its source repeats it.
    let record = Record::from_json(json).map_err(|e| anyhow::anyhow!("not a valid record: {e}"))?;
    let size = record.encode().len();
    if size > MAX_RECORD_SIZE {
        bail!(
            "ResourceExhausted: the record is {size} bytes; the log takes at most {MAX_RECORD_SIZE}"
        );
    }
    Ok(record)
}

/// Sends `records` (named by `items`) over one stream, signing each as it
/// goes, and takes in the answers.
async fn send(
    args: &BulkArgs<'_>,
    key: &SigningKey,
    items: &[Item],
    records: Vec<Record>,
    summary: &mut Summary,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    if let Some(dir) = args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let (cosigned, wait_ms) = args.cosign.map_or((false, 0), |c| (true, c.wait_ms()));
    let key = key.clone();
    let mut client = connect(args.target.node).await?;
    let origin = args.target.origin(&mut client).await?;
    let requests = tokio_stream::iter(records.into_iter().map(move |record| {
        pb::AppendRequest {
            // `origin` is checked, so signing for it cannot fail.
            signed: SignedRecord::sign_for(&origin, &record, &key)
                .ok()
                .map(|s| s.to_proto()),
            cosigned,
            wait_ms,
        }
    }));
    let mut answers = client
        .append_stream(requests)
        .await
        .map_err(rpc(&args.target.node.node))?
        .into_inner();
    let mut next = 0;
    loop {
        let answer = match answers.message().await {
            Ok(Some(answer)) => answer,
            Ok(None) => break,
            Err(status) => bail!(
                "the node ended the stream after {next} of {} records: {:#}; the rest may or \
                 may not be logged (submitting them again is safe: a logged record comes back \
                 as a duplicate)",
                items.len(),
                rpc(&args.target.node.node)(status)
            ),
        };
        let item = items
            .get(next)
            .filter(|_| answer.position == next as u64)
            .with_context(|| {
                format!("the node answered request {} out of order", answer.position)
            })?;
        next += 1;
        bar.inc(1);
        match answer.result {
            Some(pb::append_stream_response::Result::Appended(r)) => {
                logged(item, r, summary, bar)?;
            }
            Some(pb::append_stream_response::Result::Refused(r)) => {
                let reason = format!("{:?}: {}", tonic::Code::from(r.code), r.message);
                bar.suspend(|| eprintln!("refused {}: {reason}", item.name));
                summary.refused.push(Refused {
                    name: item.name.clone(),
                    reason,
                });
            }
            None => bail!("the node sent an empty answer for {}", item.name),
        }
    }
    if next < items.len() {
        bail!(
            "the node answered {next} of {} records; submitting them again is safe",
            items.len()
        );
    }
    Ok(())
}

/// Writes the receipt of a logged record and counts it.
fn logged(
    item: &Item,
    r: pb::AppendResponse,
    summary: &mut Summary,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    std::fs::write(&item.receipt, &r.proof)
        .with_context(|| format!("cannot write {}", item.receipt.display()))?;
    if r.duplicate {
        summary.duplicates += 1;
    } else {
        summary.logged += 1;
    }
    summary.not_cosigned += usize::from(!r.cosigned);
    // Flags do not refuse a record: it is logged, flags and all.
    let flags = flags_from_proto(r.flags).context("the node sent malformed flags")?;
    if !flags.is_empty() {
        summary.flagged += 1;
        let text: Vec<String> = flags.iter().map(ToString::to_string).collect();
        bar.suspend(|| {
            println!(
                "{}: logged as entry {}, FLAGS: {}",
                item.name,
                r.index,
                text.join("; ")
            );
        });
    }
    Ok(())
}

/// Prints the summary: one line, or JSON with `json`.
fn report(summary: &Summary, elapsed: Duration, json: bool) {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        summary.records as f64 / secs
    } else {
        0.0
    };
    if json {
        let refusals: Vec<serde_json::Value> = summary
            .refused
            .iter()
            .map(|r| serde_json::json!({"name": r.name, "reason": r.reason}))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "records": summary.records,
                "logged": summary.logged,
                "duplicates": summary.duplicates,
                "refused": summary.refused.len(),
                "flagged": summary.flagged,
                "elapsed_s": secs,
                "records_per_s": rate,
                "refusals": refusals,
            })
        );
    } else {
        println!(
            "{} in {secs:.2} s ({rate:.0} records/s): {} logged, {}, {} refused, {} flagged",
            super::plural(summary.records as u64, "record", "records"),
            summary.logged,
            super::plural(summary.duplicates as u64, "duplicate", "duplicates"),
            summary.refused.len(),
            summary.flagged
        );
    }
}
