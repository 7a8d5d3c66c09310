//! The `vledger` command line: node administration and client commands.

mod admin;
mod audit;
mod backup;
mod bulk;
mod client;
mod keys;
pub mod listen;
mod mirror;
mod succession;
pub mod vault;
pub mod witness;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Default address of a node.
pub const DEFAULT_NODE: &str = "http://127.0.0.1:6962";
/// Default listening address of `vledger serve`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:6962";

/// vledger: a verifiable, append-only ledger of vehicle histories.
#[derive(Debug, Parser)]
#[command(name = "vledger", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where a node is.
#[derive(Debug, clap::Args)]
pub struct NodeArg {
    /// The node's gRPC address: `https://HOST:PORT` for a node with TLS,
    /// `http://HOST:PORT` for one without.
    #[arg(long, env = "VLEDGER_NODE", default_value = DEFAULT_NODE)]
    pub node: String,
    /// Also trust the CA certificates in this PEM file for an `https://`
    /// node (beside the usual public roots).
    #[arg(long, env = "VLEDGER_CA", value_name = "FILE")]
    pub ca: Option<PathBuf>,
}

/// Asks for a checkpoint cosigned by a quorum of the node's witnesses.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct CosignArg {
    /// Use a checkpoint a quorum of the node's witnesses cosigned (the
    /// cosignatures travel in the checkpoint note).
    #[arg(long)]
    pub cosigned: bool,
    /// With --cosigned: seconds to wait for a cosigned checkpoint that covers
    /// what is asked for.
    #[arg(long, default_value_t = 30, requires = "cosigned")]
    pub wait: u64,
}

impl CosignArg {
    /// The wait in milliseconds, as the gRPC API takes it.
    #[must_use]
    pub fn wait_ms(&self) -> u32 {
        u32::try_from(self.wait.saturating_mul(1000)).unwrap_or(u32::MAX)
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new log in a data directory: log key, admin key, store.
    Init {
        /// The data directory.
        #[arg(long, env = "VLEDGER_DATA", default_value = "vledger-data")]
        data: PathBuf,
        /// Keep the log in this PostgreSQL database
        /// (`postgres://user@host:port/db`) instead of sled in DATA/store;
        /// the data directory still holds the keys.
        #[arg(long, env = "VLEDGER_STORE")]
        store: Option<String>,
        /// The log's origin (checkpoint line 1), e.g. `ledger.example.com/vehicles`.
        #[arg(long, default_value = "vledger.local/log")]
        origin: String,
        /// Where to write the admin private key (default DATA/admin.key).
        /// Keep it offline: it enrolls and revokes every submitter.
        #[arg(long)]
        admin_key_out: Option<PathBuf>,
        /// Where to write the recovery private key (default
        /// DATA/recovery.key). Move it offline: it alone enrolls a new admin
        /// key once every admin key is lost (docs/operations.md, "Keys").
        #[arg(long)]
        recovery_key_out: Option<PathBuf>,
    },
    /// Run the node. Initialises the data directory on first start.
    Serve {
        /// The data directory.
        #[arg(long, env = "VLEDGER_DATA", default_value = "vledger-data")]
        data: PathBuf,
        /// Keep the log in this PostgreSQL database
        /// (`postgres://user@host:port/db`) instead of sled in DATA/store;
        /// the data directory still holds the keys. Nodes sharing one
        /// database elect a leader; the others stand by.
        #[arg(long, env = "VLEDGER_STORE")]
        store: Option<String>,
        /// Address to listen on; port 0 picks a free port (printed on start).
        #[arg(long, env = "VLEDGER_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: SocketAddr,
        /// Also serve the log's tiles and checkpoint over HTTP (C2SP
        /// tlog-tiles: `/checkpoint`, `/tile/...`) on this address; port 0
        /// picks a free port (printed on start).
        #[arg(long, env = "VLEDGER_HTTP_LISTEN")]
        http_listen: Option<SocketAddr>,
        /// Origin of a log created on first start (default
        /// `vledger.local/log`); for a log that exists, it must be that
        /// log's.
        #[arg(long)]
        origin: Option<String>,
        /// Most appends sequenced together (one flush, one checkpoint).
        #[arg(long, default_value_t = 4096)]
        max_batch: usize,
        /// Memory for full tiles and entry bundles kept for proofs,
        /// receipts and the tile API, in MiB (the right edge comes on top:
        /// one partial tile per level and one partial bundle).
        #[arg(long, env = "VLEDGER_TILE_CACHE_MB", default_value_t = crate::reads::DEFAULT_TILE_CACHE_MB)]
        tile_cache_mb: usize,
        /// sled's page cache, in MiB: with the tile cache, what bounds the
        /// node's memory (ignored with `--store postgres://…`).
        #[arg(long, env = "VLEDGER_SLED_CACHE_MB", default_value_t = vledger_log::store::DEFAULT_SLED_CACHE_BYTES >> 20)]
        sled_cache_mb: u64,
        /// Appends per second each signer may make, sustained (0: no
        /// limit); beyond its budget an append is refused with
        /// RESOURCE_EXHAUSTED and a retry hint.
        #[arg(long, env = "VLEDGER_SIGNER_RATE", default_value_t = crate::budget::DEFAULT_SIGNER_RATE)]
        signer_rate: f64,
        /// Appends each signer may make at once before its rate applies.
        #[arg(long, env = "VLEDGER_SIGNER_BURST", default_value_t = crate::budget::DEFAULT_SIGNER_BURST)]
        signer_burst: f64,
        /// Appends per second the whole node takes from all signers
        /// together, sustained (0: no limit).
        #[arg(long, env = "VLEDGER_APPEND_RATE", default_value_t = 0.0)]
        append_rate: f64,
        /// Appends the whole node takes at once before its rate applies
        /// (default: one second's worth).
        #[arg(long, env = "VLEDGER_APPEND_BURST")]
        append_burst: Option<f64>,
        /// Re-verify every entry, hash and checkpoint at start (as `vledger
        /// check` does) before serving; by default a start checks the latest
        /// checkpoint against the stored tiles and the last entry only.
        #[arg(long, conflicts_with = "quick_start")]
        full_check: bool,
        /// The default start-up check (accepted for scripts written when
        /// the full check was the default).
        #[arg(long, hide = true)]
        quick_start: bool,
        #[command(flatten)]
        witnesses: witness::WitnessArgs,
        #[command(flatten)]
        net: listen::ListenArgs,
    },
    /// Re-verify a whole store offline: every entry, hash, checkpoint and VIN chain.
    Check {
        /// The data directory.
        #[arg(long, env = "VLEDGER_DATA", default_value = "vledger-data")]
        data: PathBuf,
        /// Keep the log in this PostgreSQL database
        /// (`postgres://user@host:port/db`) instead of sled in DATA/store;
        /// the data directory still holds the keys.
        #[arg(long, env = "VLEDGER_STORE")]
        store: Option<String>,
        /// Print the summary as one JSON object on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Copy the log of a data directory, while its node runs, into another
    /// data directory (keys, store, tiles) that `vledger serve` and
    /// `vledger check` take as they are. Every entry is sequenced again and
    /// the copy checked against the log's checkpoint; run it again later
    /// and only what was appended since is copied.
    Backup {
        /// The data directory of the log to back up.
        #[arg(long, env = "VLEDGER_DATA", default_value = "vledger-data")]
        data: PathBuf,
        /// Its PostgreSQL database, if the log is there; the backup is a
        /// sled data directory either way.
        #[arg(long, env = "VLEDGER_STORE")]
        store: Option<String>,
        /// The backup's data directory (made if missing).
        #[arg(long)]
        out: PathBuf,
        /// Where the running node answers, when it holds the sled store.
        #[command(flatten)]
        node: NodeArg,
    },
    /// Retire the log key of a stopped node and hand the log to a new one:
    /// logs a succession entry naming the new key, whose batch is the last
    /// the old key signs; writes DATA/succession-SIZE.tlog-proof, which
    /// verifiers pinned to the old key follow (`--succession`), and keeps
    /// the old key as DATA/retired-log-SIZE.key. Run it again to finish a
    /// run that stopped (docs/operations.md, "Keys").
    RotateLogKey {
        /// The data directory.
        #[arg(long, env = "VLEDGER_DATA", default_value = "vledger-data")]
        data: PathBuf,
        /// The log's PostgreSQL database, if it is there.
        #[arg(long, value_name = "URL", env = "VLEDGER_STORE")]
        store: Option<String>,
        /// Why the key is retired, logged in the succession entry (at most
        /// 256 bytes; it is public).
        #[arg(long, default_value = "scheduled")]
        reason: String,
    },
    /// Rewrite a stopped node's store of an older format in the current
    /// one (the log as C2SP tiles); then run `vledger check`.
    Migrate {
        /// The data directory.
        #[arg(long, env = "VLEDGER_DATA", default_value = "vledger-data")]
        data: PathBuf,
        /// Migrate the log in this PostgreSQL database
        /// (`postgres://user@host:port/db`) instead of sled in DATA/store.
        #[arg(long, env = "VLEDGER_STORE")]
        store: Option<String>,
    },
    /// Rewrite a stopped node's sled store holding each value once: sled
    /// keeps superseded versions of rewritten values, so a store that has
    /// lived a while takes many times its live bytes.
    Compact {
        /// The data directory.
        #[arg(long, env = "VLEDGER_DATA", default_value = "vledger-data")]
        data: PathBuf,
    },
    /// Generate a submitter key pair; prints the public key (vkey form).
    Keygen {
        /// The key's name, e.g. the organisation's domain.
        #[arg(long)]
        name: String,
        /// Where to write the private key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Make a salted commitment to a party (docs/records.md): prints the
    /// salt and the commitment. Keep the salt and identity off the log;
    /// erasing the salt leaves the commitment linked to nobody.
    PartyCommitment {
        /// The party's identifier in your own files (an ID or company number).
        #[arg(long)]
        identity: String,
        /// A 32-byte salt in hex, to recompute a commitment (default: a fresh
        /// random one).
        #[arg(long)]
        salt: Option<String>,
    },
    /// Enroll a submitter key with a role (signed with an admin key).
    Enroll {
        #[command(flatten)]
        node: NodeArg,
        /// The origin of the log the record is meant for (its checkpoints'
        /// first line); records are signed for it and no other log accepts
        /// them. Default: the origin of the node's latest checkpoint.
        #[arg(long, env = "VLEDGER_ORIGIN")]
        origin: Option<String>,
        /// The admin private key file; a recovery key file, to enroll or
        /// revoke an admin key, or a recovery key.
        #[arg(long, visible_alias = "recovery-key")]
        admin_key: PathBuf,
        /// The submitter's public key, in vkey form (as `keygen` prints),
        /// or a file holding it (the `.vkey` file `keygen` writes).
        #[arg(long)]
        key: String,
        /// Its role: registry, manufacturer, inspection_body, exporter,
        /// workshop, customs, admin or recovery.
        #[arg(long)]
        role: String,
        /// The organisation holding the key.
        #[arg(long)]
        name: String,
        /// Where to write the receipt (a .tlog-proof file).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Revoke a submitter key (signed with an admin key).
    Revoke {
        #[command(flatten)]
        node: NodeArg,
        /// The origin of the log the record is meant for (its checkpoints'
        /// first line); records are signed for it and no other log accepts
        /// them. Default: the origin of the node's latest checkpoint.
        #[arg(long, env = "VLEDGER_ORIGIN")]
        origin: Option<String>,
        /// The admin private key file; a recovery key file, to enroll or
        /// revoke an admin key, or a recovery key.
        #[arg(long, visible_alias = "recovery-key")]
        admin_key: PathBuf,
        /// The public key to revoke, in vkey form, or a file holding it.
        #[arg(long)]
        key: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
        /// Where to write the receipt (a .tlog-proof file).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Sign records (JSON, see docs/records.md) and append them; writes a
    /// receipt per record. More than one record goes over one stream, with
    /// a progress bar and a summary; a refused record is named and the rest
    /// go on, and the exit status is non-zero when any was refused.
    Submit {
        #[command(flatten)]
        node: NodeArg,
        /// The origin of the log the record is meant for (its checkpoints'
        /// first line); records are signed for it and no other log accepts
        /// them. Default: the origin of the node's latest checkpoint.
        #[arg(long, env = "VLEDGER_ORIGIN")]
        origin: Option<String>,
        /// The submitter's private key file.
        #[arg(long)]
        key: PathBuf,
        /// Where to write the receipt of a single record file (default: the
        /// record file with extension .tlog-proof).
        #[arg(long, conflicts_with_all = ["out_dir", "ndjson", "json"])]
        out: Option<PathBuf>,
        /// Write every receipt into this directory: STEM.tlog-proof for a
        /// record file STEM.json, line-NNNNNN.tlog-proof for line NNNNNN of
        /// NDJSON input (needed with NDJSON).
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// Also read records from this NDJSON file: one JSON record a line,
        /// blank lines skipped.
        #[arg(long, value_name = "FILE")]
        ndjson: Option<PathBuf>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        cosign: CosignArg,
        /// A party vault (`vledger vault init`): party fields written
        /// `"vault:p-…"` become fresh commitments to those parties, whose
        /// salts the vault keeps with the VIN, the field and the entry
        /// index. One record file at a time.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["ndjson", "out_dir", "json"])]
        vault: Option<PathBuf>,
        /// With --vault: the vault's master key file (or the 64 hex digits
        /// themselves in VLEDGER_VAULT_KEY).
        #[arg(
            long,
            env = "VLEDGER_VAULT_KEY",
            value_name = "FILE",
            hide_env_values = true
        )]
        master_key: Option<String>,
        /// The record files, one JSON record each; `-` reads NDJSON records
        /// from standard input.
        #[arg(required_unless_present = "ndjson")]
        records: Vec<PathBuf>,
    },
    /// Print the node's latest signed checkpoint (or the one at --size).
    Checkpoint {
        #[command(flatten)]
        node: NodeArg,
        /// Tree size of an earlier checkpoint.
        #[arg(long, conflicts_with = "cosigned")]
        size: Option<u64>,
        #[command(flatten)]
        cosign: CosignArg,
        /// Print the checkpoint as one JSON object (origin, tree size,
        /// root, number of cosignatures, and the note itself).
        #[arg(long)]
        json: bool,
    },
    /// Print a .tlog-proof of one entry, against the latest checkpoint (or --size).
    Prove {
        #[command(flatten)]
        node: NodeArg,
        /// Leaf index of the entry.
        #[arg(long)]
        index: u64,
        /// Tree size of the checkpoint to prove against.
        #[arg(long, conflicts_with = "cosigned")]
        size: Option<u64>,
        /// Write the proof here instead of printing it (then one line says
        /// where it went).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print one JSON object: index, tree size, the file written, and
        /// the proof.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        cosign: CosignArg,
        /// Build the proof from a C2SP tile API instead (the node's
        /// `--http-listen`, a `vledger mirror` behind a web server, a CDN),
        /// against the checkpoint it serves.
        #[arg(long, conflicts_with_all = ["size", "cosigned"])]
        tiles: Option<String>,
    },
    /// Fetch a VIN's complete history as a bundle (verify it with `vledger-verify history`).
    ///
    /// The node sends a long history in pages of at most 1 MiB, all
    /// against one checkpoint; they are joined into the one bundle written.
    History {
        #[command(flatten)]
        node: NodeArg,
        /// The VIN (read in upper case).
        vin: String,
        /// Where to write the bundle (default: VIN.vhist.json).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Ask for pages of at most this many bytes (tests; the node caps
        /// pages at 1 MiB).
        #[arg(long, hide = true)]
        page_bytes: Option<u32>,
        /// Print the summary as one JSON object on standard output.
        #[arg(long)]
        json: bool,

        /// With --cosigned the bundle also carries a checkpoint a quorum of
        /// the node's witnesses cosigned, proven to extend the bundle's.
        #[command(flatten)]
        cosign: CosignArg,
    },
    /// Fetch, verify and print a consistency proof between two checkpoints.
    Consistency {
        #[command(flatten)]
        node: NodeArg,
        /// The older tree size.
        #[arg(long)]
        old: u64,
        /// The newer tree size (default: the latest).
        #[arg(long)]
        new: Option<u64>,
        /// The log's verifier key, or a file holding it; with it both
        /// checkpoints and the proof are verified.
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: Option<String>,
        /// A succession proof (from `vledger rotate-log-key`) to follow from
        /// --log-key to its successor, so that checkpoints signed on either
        /// side of it verify; repeat for each succession, oldest first.
        #[arg(long, value_name = "FILE", requires = "log_key")]
        succession: Vec<PathBuf>,
        /// Write the proof to this file instead of printing it (the format
        /// `vledger-verify consistency` reads; see docs/formats.md).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print one JSON object: the two tree sizes, the proof hashes
        /// (base64), whether --log-key verified them, the file written.
        #[arg(long)]
        json: bool,
    },
    /// Audit a node: replay every entry, recompute the tree, every stored
    /// hash, signature and authorisation, and check its checkpoint; with
    /// --state, resume from the last audit and prove the log only grew.
    Audit {
        #[command(flatten)]
        node: NodeArg,
        /// The log's verifier key (or a file holding it).
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: String,
        /// A succession proof (from `vledger rotate-log-key`) to follow from
        /// the log key to its successor; repeat for each succession, oldest
        /// first.
        #[arg(long, value_name = "FILE")]
        succession: Vec<PathBuf>,
        /// Resume from this audit state file if it exists, and write the new
        /// state to it after a successful audit.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Print the summary as one JSON object on standard output.
        #[arg(long)]
        json: bool,
        /// Worker threads verifying record signatures beside the one
        /// replaying entries in order (default: one per core; 1: one thread).
        #[arg(long)]
        threads: Option<usize>,
        /// Read the log from a C2SP tile API instead of the node's gRPC
        /// API: the node's `--http-listen`, a `vledger mirror` behind a web
        /// server, or a CDN (`http://HOST:PORT[/path]`).
        #[arg(long)]
        tiles: Option<String>,
    },
    /// Copy a log's tiles (C2SP tlog-tiles) into a directory any static
    /// web server can serve, verifying all of it against the log key (and
    /// the witnesses' quorum); run again to catch up.
    Mirror {
        /// The log's tile API (the node's `--http-listen`), e.g.
        /// `http://127.0.0.1:8080`.
        #[arg(long)]
        node: String,
        /// The mirror's directory.
        #[arg(long)]
        dir: PathBuf,
        /// Also trust the CA certificates in this PEM file for an
        /// `https://` tile API (beside the usual public roots).
        #[arg(long, env = "VLEDGER_CA", value_name = "FILE")]
        ca: Option<PathBuf>,
        /// The log's verifier key (or a file holding it).
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: String,
        /// A succession proof (from `vledger rotate-log-key`) to follow from
        /// the log key to its successor; repeat for each succession, oldest
        /// first.
        #[arg(long, value_name = "FILE")]
        succession: Vec<PathBuf>,
        /// A witness's cosigning key (or a file holding it); repeatable. The
        /// checkpoint must then carry a quorum of cosignatures.
        #[arg(long = "witness", value_name = "VKEY")]
        witnesses: Vec<String>,
        /// How many of the witnesses must have cosigned (default: all).
        #[arg(long, requires = "witnesses")]
        quorum: Option<usize>,
        /// Print the summary as one JSON object on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Keep the identities and salts behind party commitments in an
    /// encrypted vault: add parties, commit to them, disclose one
    /// commitment, export or erase a party (docs/privacy.md).
    Vault {
        /// What to do.
        #[command(subcommand)]
        command: vault::VaultCommand,
    },
    /// Run or set up a witness (C2SP tlog-witness, tlog-cosignature).
    Witness {
        /// What to do.
        #[command(subcommand)]
        command: witness::WitnessCommand,
    },
    /// Print a shell completion script for vledger
    /// (`vledger completions bash > /etc/bash_completion.d/vledger`).
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Write man pages for vledger and each of its subcommands into a
    /// directory (`vledger.1`, `vledger-serve.1`, ...).
    Man {
        /// The directory (made if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// `count` and the noun that goes with it: `1 VIN`, `2 VINs`.
pub(crate) fn plural(count: impl Into<u64>, one: &str, many: &str) -> String {
    let count = count.into();
    format!("{count} {}", if count == 1 { one } else { many })
}

/// An append budget from its flags.
fn budget_of(flag: &str, per_second: f64, burst: f64) -> anyhow::Result<crate::budget::Rate> {
    if !(per_second.is_finite() && per_second >= 0.0 && burst.is_finite() && burst >= 0.0) {
        anyhow::bail!("{flag}: a rate and a burst are numbers of appends, 0 or more");
    }
    Ok(crate::budget::Rate { per_second, burst })
}

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the command failed with, to print as one line.
pub fn main(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Init {
            data,
            store,
            origin,
            admin_key_out,
            recovery_key_out,
        } => admin::init(
            &data,
            store,
            &origin,
            crate::datadir::KeyFiles {
                admin: admin_key_out.as_deref(),
                recovery: recovery_key_out.as_deref(),
            },
        ),
        Command::Serve {
            data,
            store,
            listen,
            http_listen,
            origin,
            max_batch,
            tile_cache_mb,
            sled_cache_mb,
            full_check,
            quick_start: _,
            signer_rate,
            signer_burst,
            append_rate,
            append_burst,
            witnesses,
            net,
        } => {
            let mut config = crate::NodeConfig::new(data);
            config.store = store;
            if let Some(origin) = origin {
                config.origin = origin;
                config.origin_given = true;
            }
            config.max_batch = max_batch;
            config.full_check = full_check;
            config.standby_http = http_listen;
            config.witnessing = witnesses.config()?;
            config.tile_cache_bytes = tile_cache_mb.saturating_mul(1 << 20);
            config.sled_cache_bytes = sled_cache_mb.saturating_mul(1 << 20);
            config.signer_budget = budget_of("--signer-rate", signer_rate, signer_burst)?;
            config.node_budget = budget_of(
                "--append-rate",
                append_rate,
                append_burst.unwrap_or(append_rate),
            )?;
            admin::serve(config, listen, http_listen, &net)
        }
        Command::Check { data, store, json } => admin::check(&data, store, json),
        Command::Backup {
            data,
            store,
            out,
            node,
        } => backup::backup(&data, store, &out, &node),
        Command::Migrate { data, store } => admin::migrate(&data, store),
        Command::RotateLogKey {
            data,
            store,
            reason,
        } => succession::rotate_log_key(&data, store, &reason),
        Command::Compact { data } => admin::compact(&data),
        Command::Keygen { name, out } => admin::keygen(&name, &out),
        Command::PartyCommitment { identity, salt } => {
            admin::party_commitment(&identity, salt.as_deref())
        }
        Command::Enroll {
            node,
            origin,
            admin_key,
            key,
            role,
            name,
            out,
        } => client::enroll(
            &client::Target::new(&node, origin.as_deref()),
            &admin_key,
            &key,
            &role,
            &name,
            out.as_deref(),
        ),
        Command::Revoke {
            node,
            origin,
            admin_key,
            key,
            reason,
            out,
        } => client::revoke(
            &client::Target::new(&node, origin.as_deref()),
            &admin_key,
            &key,
            &reason,
            out.as_deref(),
        ),
        Command::Submit {
            node,
            origin,
            key,
            out,
            out_dir,
            ndjson,
            json,
            cosign,
            vault,
            master_key,
            records,
        } => submit(&SubmitArgs {
            target: client::Target::new(&node, origin.as_deref()),
            key: &key,
            out: out.as_deref(),
            out_dir: out_dir.as_deref(),
            ndjson,
            json,
            cosign,
            vault: vault_args(vault, master_key)?,
            records,
        }),
        Command::Checkpoint {
            node,
            size,
            cosign,
            json,
        } => client::checkpoint(&node, size, cosign, json),
        Command::History {
            node,
            vin,
            out,
            page_bytes,
            json,
            cosign,
        } => client::history(&node, &vin, out.as_deref(), page_bytes, cosign, json),
        Command::Prove {
            node,
            index,
            size,
            out,
            json,
            cosign,
            tiles,
        } => {
            let output = client::ProofOutput {
                out: out.as_deref(),
                json,
            };
            match tiles {
                Some(url) => client::prove_from_tiles(&url, node.ca.as_deref(), index, output),
                None => client::prove(&node, index, size, output, cosign),
            }
        }
        Command::Consistency {
            node,
            old,
            new,
            log_key,
            succession,
            out,
            json,
        } => client::consistency(
            &node,
            old,
            new,
            log_key
                .map(|k| crate::witness::config::follow(audit::log_key(&k)?, &succession))
                .transpose()?
                .as_ref(),
            client::ProofOutput {
                out: out.as_deref(),
                json,
            },
        ),
        Command::Mirror {
            node,
            dir,
            ca,
            log_key,
            succession,
            witnesses,
            quorum,
            json,
        } => mirror::run(
            &mirror::MirrorArgs {
                node: &node,
                ca,
                log_key: &log_key,
                successions: &succession,
                witnesses: &witnesses,
                quorum,
                json,
            },
            dir,
        ),
        Command::Audit {
            node,
            log_key,
            succession,
            state,
            json,
            threads,
            tiles,
        } => audit::run(&audit::AuditArgs {
            node: &node,
            tiles: tiles.as_deref(),
            log_key: &log_key,
            successions: &succession,
            state: state.as_deref(),
            json,
            threads,
        }),
        Command::Vault { command } => vault::main(command),
        Command::Witness { command } => witness::main(command),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "vledger", &mut std::io::stdout());
            Ok(())
        }
        Command::Man { out } => {
            let pages = man_pages(<Cli as clap::CommandFactory>::command(), &out)?;
            println!("{pages} man pages written to {}", out.display());
            Ok(())
        }
    }
}

/// Writes the man page of `command` and of each of its subcommands into
/// `dir` (`vledger.1`, `vledger-witness-serve.1`); returns how many.
///
/// # Errors
/// When a page cannot be written.
pub fn man_pages(command: clap::Command, dir: &std::path::Path) -> anyhow::Result<usize> {
    use anyhow::Context as _;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let command = command.version(env!("CARGO_PKG_VERSION"));
    let mut written = 0;
    // (page name, command line, command): `vledger-witness-serve`,
    // `vledger witness serve`.
    let name = command.get_name().to_owned();
    let mut queue = vec![(name.clone(), name, command)];
    while let Some((name, line, command)) = queue.pop() {
        let path = dir.join(format!("{name}.1"));
        let mut page = Vec::new();
        clap_mangen::Man::new(command.clone().bin_name(line.clone()))
            .title(name.clone())
            .render(&mut page)
            .with_context(|| format!("cannot render {}", path.display()))?;
        std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
        written += 1;
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            queue.push((
                format!("{name}-{}", sub.get_name()),
                format!("{line} {}", sub.get_name()),
                sub.clone(),
            ));
        }
    }
    Ok(written)
}

/// What `vledger submit` was given.
struct SubmitArgs<'a> {
    target: client::Target<'a>,
    key: &'a std::path::Path,
    out: Option<&'a std::path::Path>,
    out_dir: Option<&'a std::path::Path>,
    ndjson: Option<PathBuf>,
    json: bool,
    cosign: CosignArg,
    vault: Option<vault::VaultArgs>,
    records: Vec<PathBuf>,
}

/// `submit --vault DIR` with its master key.
fn vault_args(
    dir: Option<PathBuf>,
    master_key: Option<String>,
) -> anyhow::Result<Option<vault::VaultArgs>> {
    let Some(dir) = dir else {
        return Ok(None);
    };
    let Some(master_key) = master_key else {
        anyhow::bail!(
            "--vault needs the vault's master key: --master-key FILE or VLEDGER_VAULT_KEY"
        );
    };
    Ok(Some(vault::VaultArgs { dir, master_key }))
}

/// `vledger submit`: one record file the unary way, as ever; anything
/// more over one stream.
fn submit(args: &SubmitArgs<'_>) -> anyhow::Result<()> {
    let stdin = std::path::Path::new("-");
    let from_stdin = args.records.iter().any(|r| r == stdin);
    if let [record] = args.records.as_slice()
        && !from_stdin
        && args.ndjson.is_none()
        && args.out_dir.is_none()
        && !args.json
    {
        return client::submit(
            &args.target,
            args.key,
            record,
            args.out,
            args.cosign,
            args.vault.as_ref(),
        );
    }
    if args.vault.is_some() {
        anyhow::bail!("--vault takes one record file at a time");
    }
    if args.out.is_some() {
        anyhow::bail!("--out names the receipt of a single record file; use --out-dir DIR");
    }
    if from_stdin && args.ndjson.is_some() {
        anyhow::bail!("read NDJSON from standard input (-) or from --ndjson FILE, not both");
    }
    if args.records.iter().filter(|r| *r == stdin).count() > 1 {
        anyhow::bail!("- (standard input) may be given once");
    }
    let files: Vec<PathBuf> = args
        .records
        .iter()
        .filter(|r| *r != stdin)
        .cloned()
        .collect();
    let ndjson = if from_stdin {
        Some(bulk::NdjsonSource::Stdin)
    } else {
        args.ndjson.clone().map(bulk::NdjsonSource::File)
    };
    bulk::submit(&bulk::BulkArgs {
        target: args.target,
        key: args.key,
        files: &files,
        ndjson,
        out_dir: args.out_dir,
        json: args.json,
        cosign: args.cosign.cosigned.then_some(args.cosign),
    })
}
