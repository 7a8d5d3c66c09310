//! `vledger-verify history`: checks a VIN history bundle and prints the
//! verified timeline.
//!
//! A bundle's witnessed part (a cosigned checkpoint that extends the
//! bundle's, with the consistency proof) is always checked; the witness
//! policy, when given, applies to it, or to the bundle's own checkpoint
//! when there is none.

use std::path::Path;

use vledger_records::{DistanceUnit, RecordBody, format_time};
use vledger_tlog::note::{QuorumReport, VerifierKey, WitnessPolicy};
use vledger_verification::history::{
    HistoryBundle, VerifiedHistory, verify_history, verify_history_cosigned,
};

use crate::witnesses;

/// Verifies the bundle in `file`, under `policy` when given, and returns
/// what to print.
pub fn run(
    key: &VerifierKey,
    policy: Option<&WitnessPolicy>,
    file: &Path,
    json: bool,
) -> Result<String, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let bundle: HistoryBundle = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a history bundle: {e}", file.display()))?;
    let (history, report) = match policy {
        Some(policy) => verify_history_cosigned(&bundle, key, policy).map(|(h, r)| (h, Some(r))),
        None => verify_history(&bundle, key).map(|h| (h, None)),
    }
    .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(if json {
        to_json(&history, report.as_ref())
    } else {
        timeline(&history, report.as_ref())
    })
}

/// What the witnesses vouch for, as one line; `None` for a bundle without
/// a witnessed part checked without a policy.
fn witness_line(h: &VerifiedHistory, report: Option<&QuorumReport>) -> Option<String> {
    let size = h.checkpoint.size().0;
    match (&h.witnessed, report) {
        (Some(w), Some(r)) => Some(format!(
            "witnessed at tree size {} (extends tree size {size}): {}",
            w.size().0,
            witnesses::summary(r)
        )),
        (Some(w), None) => Some(format!(
            "witnessed at tree size {} (extends tree size {size}); cosignatures not checked \
             (no --witness given)",
            w.size().0
        )),
        (None, Some(r)) => Some(format!("checkpoint {}", witnesses::summary(r))),
        (None, None) => None,
    }
}

/// The key facts of a record, in a few words.
fn facts(body: &RecordBody) -> String {
    match body {
        RecordBody::OdometerReading(o) => {
            let unit = match o.unit {
                DistanceUnit::Km => "km",
                DistanceUnit::Miles => "miles",
            };
            format!("{} {unit} ({:?})", o.value, o.source).to_lowercase()
        }
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.as_object().and_then(|o| o.values().next().cloned()))
            .map(|v| v.to_string())
            .unwrap_or_default(),
    }
}

fn summary_line(h: &VerifiedHistory) -> String {
    let size = h.checkpoint.size().0;
    match h.records.len() {
        0 => format!("no records for VIN {} as of tree size {size}", h.vin),
        n => format!(
            "complete history of VIN {} as of tree size {size}: {n} record{}",
            h.vin,
            if n == 1 { "" } else { "s" }
        ),
    }
}

fn timeline(h: &VerifiedHistory, report: Option<&QuorumReport>) -> String {
    let mut out = format!(
        "VIN {} in log {} (checkpoint at tree size {})\n",
        h.vin,
        h.checkpoint.origin(),
        h.checkpoint.size().0
    );
    for r in &h.records {
        let Some(rec) = r.entry.record() else {
            continue;
        };
        let record = rec.signed.record();
        let date = format_time(record.event_time);
        out.push_str(&format!(
            "  {:<10}  {:<18}  {:<15}  key {}  {}  (entry {})\n",
            date.get(..10).unwrap_or(&date),
            record.kind().name(),
            r.role.name(),
            hex::encode(&rec.signed.public_key().as_bytes()[..4]),
            facts(&record.body),
            r.index,
        ));
        // What the log's rules found suspicious, from the entry itself.
        for flag in &rec.flags {
            out.push_str(&format!("              FLAG: {flag}\n"));
        }
    }
    out.push_str(&summary_line(h));
    if let Some(line) = witness_line(h, report) {
        out.push('\n');
        out.push_str(&line);
    }
    out
}

fn to_json(h: &VerifiedHistory, report: Option<&QuorumReport>) -> String {
    let records: Vec<serde_json::Value> = h
        .records
        .iter()
        .filter_map(|r| {
            let rec = r.entry.record()?;
            Some(serde_json::json!({
                "index": r.index,
                "sequence": rec.chain.map(|c| c.sequence),
                "logged_at": format_time(r.entry.logged_at_ms.div_euclid(1000)),
                "kind": rec.signed.record().kind().name(),
                "signer_key": hex::encode(rec.signed.public_key().as_bytes()),
                "signer_role": r.role.name(),
                "flags": rec.flags.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "record": rec.signed.record(),
            }))
        })
        .collect();
    serde_json::json!({
        "vin": h.vin.as_str(),
        "origin": h.checkpoint.origin(),
        "tree_size": h.checkpoint.size().0,
        "complete": true,
        "witnessed_tree_size": h.witnessed.as_ref().map(|w| w.size().0),
        "witnesses": report.map(|r| witnesses::to_json(r, h.witnessed.is_some())),
        "records": records,
        "summary": summary_line(h),
    })
    .to_string()
}
