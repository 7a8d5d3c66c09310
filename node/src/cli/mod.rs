//! The `vledger` command line: node administration and client commands.

mod admin;
mod client;

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
    /// The node's gRPC address.
    #[arg(long, env = "VLEDGER_NODE", default_value = DEFAULT_NODE)]
    pub node: String,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new log in a data directory: log key, admin key, store.
    Init {
        /// The data directory.
        #[arg(long, env = "VLEDGER_DATA", default_value = "vledger-data")]
        data: PathBuf,
        /// The log's origin (checkpoint line 1), e.g. `ledger.example.com/vehicles`.
        #[arg(long, default_value = "vledger.local/log")]
        origin: String,
        /// Where to write the admin private key (default DATA/admin.key).
        /// Keep it offline: it enrolls and revokes every submitter.
        #[arg(long)]
        admin_key_out: Option<PathBuf>,
    },
    /// Run the node. Initialises the data directory on first start.
    Serve {
        /// The data directory.
        #[arg(long, env = "VLEDGER_DATA", default_value = "vledger-data")]
        data: PathBuf,
        /// Address to listen on; port 0 picks a free port (printed on start).
        #[arg(long, env = "VLEDGER_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: SocketAddr,
        /// Origin of a log created on first start.
        #[arg(long, default_value = "vledger.local/log")]
        origin: String,
        /// Most appends sequenced together (one flush, one checkpoint).
        #[arg(long, default_value_t = 4096)]
        max_batch: usize,
        /// Skip re-verifying every entry at start; check only the latest
        /// checkpoint against the stored tree.
        #[arg(long)]
        quick_start: bool,
    },
    /// Re-verify a whole store offline: every entry, hash, checkpoint and VIN chain.
    Check {
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
    /// Enroll a submitter key with a role (signed with an admin key).
    Enroll {
        #[command(flatten)]
        node: NodeArg,
        /// The admin private key file.
        #[arg(long)]
        admin_key: PathBuf,
        /// The submitter's public key, in vkey form (as `keygen` prints).
        #[arg(long)]
        key: String,
        /// Its role: registry, manufacturer, inspection_body, exporter, workshop, customs or admin.
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
        /// The admin private key file.
        #[arg(long)]
        admin_key: PathBuf,
        /// The public key to revoke, in vkey form.
        #[arg(long)]
        key: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
        /// Where to write the receipt (a .tlog-proof file).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Sign a record (JSON, see docs/records.md) and append it; writes the receipt.
    Submit {
        #[command(flatten)]
        node: NodeArg,
        /// The submitter's private key file.
        #[arg(long)]
        key: PathBuf,
        /// Where to write the receipt (default: the record file with extension .tlog-proof).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The record, as JSON.
        record: PathBuf,
    },
    /// Print the node's latest signed checkpoint (or the one at --size).
    Checkpoint {
        #[command(flatten)]
        node: NodeArg,
        /// Tree size of an earlier checkpoint.
        #[arg(long)]
        size: Option<u64>,
    },
    /// Print a .tlog-proof of one entry, against the latest checkpoint (or --size).
    Prove {
        #[command(flatten)]
        node: NodeArg,
        /// Leaf index of the entry.
        #[arg(long)]
        index: u64,
        /// Tree size of the checkpoint to prove against.
        #[arg(long)]
        size: Option<u64>,
        /// Write the proof here instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
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
        /// The log's verifier key; with it both checkpoints and the proof are verified.
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: Option<String>,
    },
}

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the command failed with, to print as one line.
pub fn main(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Init {
            data,
            origin,
            admin_key_out,
        } => admin::init(&data, &origin, admin_key_out.as_deref()),
        Command::Serve {
            data,
            listen,
            origin,
            max_batch,
            quick_start,
        } => admin::serve(data, listen, origin, max_batch, quick_start),
        Command::Check { data } => admin::check(&data),
        Command::Keygen { name, out } => admin::keygen(&name, &out),
        Command::Enroll {
            node,
            admin_key,
            key,
            role,
            name,
            out,
        } => client::enroll(&node.node, &admin_key, &key, &role, &name, out.as_deref()),
        Command::Revoke {
            node,
            admin_key,
            key,
            reason,
            out,
        } => client::revoke(&node.node, &admin_key, &key, &reason, out.as_deref()),
        Command::Submit {
            node,
            key,
            out,
            record,
        } => client::submit(&node.node, &key, &record, out.as_deref()),
        Command::Checkpoint { node, size } => client::checkpoint(&node.node, size),
        Command::Prove {
            node,
            index,
            size,
            out,
        } => client::prove(&node.node, index, size, out.as_deref()),
        Command::Consistency {
            node,
            old,
            new,
            log_key,
        } => client::consistency(&node.node, old, new, log_key.as_deref()),
    }
}
