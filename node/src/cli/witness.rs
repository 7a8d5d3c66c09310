//! `vledger witness ...` (run a witness) and the witness flags of
//! `vledger serve` (a node's witnesses).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Subcommand;
use serde::Deserialize;

use crate::datadir::{write_public, write_secret};
use crate::witness::config::LogEntry;
use crate::witness::{ConfigFile, Logs, WitnessConfig, generate_cosigner, read_cosigner};
use crate::witnessing::{WitnessSpec, WitnessingConfig};

/// Default listening address of `vledger witness serve`.
pub const DEFAULT_WITNESS_LISTEN: &str = "127.0.0.1:7380";

/// `vledger witness` subcommands.
#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Create a witness directory (cosigning key, configuration, state) and
    /// print the witness's verifier key (type 0x04) for logs and verifiers.
    Init {
        /// The witness directory.
        #[arg(long, env = "VLEDGER_WITNESS_DIR")]
        dir: PathBuf,
        /// The witness's name, e.g. `witness.example.org/w1`.
        #[arg(long)]
        name: String,
        /// A log to follow, by its verifier key or a file holding it
        /// (repeatable); its origin is the key's name.
        #[arg(long = "log")]
        logs: Vec<String>,
    },
    /// Follow a log's log key succession: check each succession proof
    /// (DATA/succession-SIZE.tlog-proof, from the log's operator) under
    /// the key the witness trusts for that log, and record it in the
    /// configuration. From the next start the witness cosigns the
    /// successor's checkpoints and refuses the retired key's beyond its
    /// last one.
    Follow {
        /// The witness directory.
        #[arg(long, env = "VLEDGER_WITNESS_DIR")]
        dir: PathBuf,
        /// The succession proofs, oldest first.
        #[arg(required = true)]
        successions: Vec<PathBuf>,
    },
    /// Generate a cosigning key; prints its verifier key (type 0x04).
    Keygen {
        /// The witness's name.
        #[arg(long)]
        name: String,
        /// Where to write the private key (the verifier key goes next to it, .vkey).
        #[arg(long)]
        out: PathBuf,
    },
    /// Run a witness (C2SP tlog-witness over HTTP).
    Serve {
        /// The witness directory (witness.key, witness.json, state/).
        #[arg(long, env = "VLEDGER_WITNESS_DIR")]
        dir: Option<PathBuf>,
        /// The configuration file (default DIR/witness.json).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The cosigning key file (default from the configuration, or DIR/witness.key).
        #[arg(long)]
        key: Option<PathBuf>,
        /// The state directory (default from the configuration, or DIR/state).
        #[arg(long)]
        state: Option<PathBuf>,
        /// Another log to follow, by its verifier key or a file holding it
        /// (repeatable).
        #[arg(long = "log")]
        logs: Vec<String>,
        /// Address to listen on; port 0 picks a free port (printed on start).
        #[arg(long)]
        listen: Option<SocketAddr>,
        #[command(flatten)]
        net: super::listen::ListenArgs,
    },
}

/// Runs a `vledger witness` subcommand.
///
/// # Errors
/// Whatever failed, to print as one line.
pub fn main(command: WitnessCommand) -> anyhow::Result<()> {
    match command {
        WitnessCommand::Init { dir, name, logs } => init(&dir, &name, &logs),
        WitnessCommand::Follow { dir, successions } => follow(&dir, &successions),
        WitnessCommand::Keygen { name, out } => {
            let cosigner = generate_cosigner(&name)?;
            write_secret(&out, &cosigner.to_private_key())?;
            let vkey = cosigner.verifier_key().to_string();
            write_public(&out.with_extension("vkey"), &vkey)?;
            println!("{vkey}");
            Ok(())
        }
        WitnessCommand::Serve {
            dir,
            config,
            key,
            state,
            logs,
            listen,
            net,
        } => serve(
            &ServeArgs {
                dir: dir.as_deref(),
                config: config.as_deref(),
                extra_logs: &logs,
                listen,
                net: &net,
            },
            key,
            state,
        ),
    }
}

/// `vledger witness follow`.
fn follow(dir: &Path, successions: &[PathBuf]) -> anyhow::Result<()> {
    let config_path = dir.join("witness.json");
    let text = std::fs::read_to_string(&config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    // Read as written: relative paths stay relative to the directory.
    let mut file: ConfigFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a witness configuration", config_path.display()))?;
    let store = dir.join("successions");
    let mut lines = Vec::new();
    for proof in successions {
        let bytes =
            std::fs::read(proof).with_context(|| format!("cannot read {}", proof.display()))?;
        let mut followed = None;
        for log in &mut file.logs {
            let Some(first) = log.keys.first() else {
                continue;
            };
            let first = vledger_tlog::note::VerifierKey::parse(first.trim())
                .with_context(|| format!("log key {first:?}"))?;
            let absolute: Vec<PathBuf> = log.successions.iter().map(|p| dir.join(p)).collect();
            let mut chain = crate::witness::config::follow(first, &absolute)?;
            if let Ok(next) = chain.follow(&bytes) {
                let (name, from, key) = (next.key.name().to_owned(), next.from, next.key.clone());
                let stored = format!("{}-{from}.tlog-proof", name.replace('/', "_"));
                std::fs::create_dir_all(&store)
                    .with_context(|| format!("cannot create {}", store.display()))?;
                std::fs::write(store.join(&stored), &bytes)
                    .with_context(|| format!("cannot write {}", store.join(&stored).display()))?;
                log.origin.get_or_insert(name.clone());
                log.successions
                    .push(PathBuf::from("successions").join(stored));
                followed = Some((name, from, key));
                break;
            }
        }
        let (origin, from, key) = followed.with_context(|| {
            format!(
                "{}: no log this witness follows handed its key on there (checked under each log's current key)",
                proof.display()
            )
        })?;
        lines.push(format!(
            "witness follows log {origin} under {key} from tree size {from}; restart `vledger witness serve` to apply"
        ));
    }
    crate::witness::store::write_durably(
        dir,
        "witness.json",
        serde_json::to_string_pretty(&file)?.as_bytes(),
    )
    .with_context(|| format!("cannot write {}", config_path.display()))?;
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

fn init(dir: &Path, name: &str, logs: &[String]) -> anyhow::Result<()> {
    let config_path = dir.join("witness.json");
    if dir.join("witness.key").exists() || config_path.exists() {
        bail!("{} already holds a witness", dir.display());
    }
    std::fs::create_dir_all(dir.join("state"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let mut file = ConfigFile {
        key: Some("witness.key".into()),
        state: Some("state".into()),
        listen: None,
        logs: Vec::new(),
    };
    let mut checked = Logs::default();
    for log in logs {
        let key = super::keys::read_vkey("--log", log, super::keys::Want::Ed25519)?;
        checked.add(None, key.clone())?;
        file.logs.push(LogEntry {
            origin: None,
            keys: vec![key.to_string()],
            successions: Vec::new(),
        });
    }
    let cosigner = generate_cosigner(name)?;
    write_secret(&dir.join("witness.key"), &cosigner.to_private_key())?;
    let vkey = cosigner.verifier_key().to_string();
    write_public(&dir.join("witness.vkey"), &vkey)?;
    write_public(&config_path, &serde_json::to_string_pretty(&file)?)?;
    eprintln!(
        "initialised witness {name} in {} ({} log{} followed)",
        dir.display(),
        logs.len(),
        if logs.len() == 1 { "" } else { "s" }
    );
    println!("{vkey}");
    Ok(())
}

/// What `vledger witness serve` was given, besides its key and state.
struct ServeArgs<'a> {
    dir: Option<&'a Path>,
    config: Option<&'a Path>,
    extra_logs: &'a [String],
    listen: Option<SocketAddr>,
    net: &'a super::listen::ListenArgs,
}

fn serve(args: &ServeArgs<'_>, key: Option<PathBuf>, state: Option<PathBuf>) -> anyhow::Result<()> {
    let ServeArgs {
        dir,
        config,
        extra_logs,
        listen,
        net,
    } = *args;
    let config_path = config
        .map(Path::to_path_buf)
        .or_else(|| dir.map(|d| d.join("witness.json")).filter(|p| p.exists()));
    let file = match &config_path {
        Some(p) => ConfigFile::read(p)?,
        None => ConfigFile::default(),
    };
    let in_dir = |name: &str| dir.map(|d| d.join(name));
    let key = key
        .or(file.key.clone())
        .or_else(|| in_dir("witness.key"))
        .context("no cosigning key: give --dir, --key or a configuration file")?;
    let state = state
        .or(file.state.clone())
        .or_else(|| in_dir("state"))
        .context("no state directory: give --dir, --state or a configuration file")?;
    let mut logs = Logs::default();
    logs.add_file(&file)?;
    for log in extra_logs {
        let k = super::keys::read_vkey("--log", log, super::keys::Want::Ed25519)?;
        logs.add(None, k)?;
    }
    if logs.is_empty() {
        bail!("the witness follows no log: give --log VKEY or a configuration file with logs");
    }
    let config = WitnessConfig {
        cosigner: read_cosigner(&key)?,
        logs,
        state_dir: state,
    };
    let listen = match listen.or(file.listen) {
        Some(a) => a,
        None => DEFAULT_WITNESS_LISTEN.parse()?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let tcp = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let listener = net.listener(tcp, crate::listen::Protocol::Http1, net.limits(1))?;
        tracing::info!(key = %config.cosigner.verifier_key(), "witness key");
        let shutdown = super::admin::shutdown_signal();
        println!("listening on {}", listener.tcp.local_addr()?);
        std::io::stdout().flush()?;
        crate::witness::run(listener, config, shutdown).await
    })
}

/// The witness flags of `vledger serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct WitnessArgs {
    /// A witness to submit checkpoints to, as `URL=VKEY` (its submission
    /// prefix and its cosigning verifier key, or a file holding it;
    /// repeatable).
    #[arg(long = "witness")]
    pub witnesses: Vec<String>,
    /// A JSON file of witnesses: `{"quorum": 2, "witnesses": [{"url": ..., "vkey": ...}]}`.
    #[arg(long)]
    pub witness_config: Option<PathBuf>,
    /// Cosignatures that make a checkpoint cosigned (default: every witness).
    #[arg(long)]
    pub witness_quorum: Option<usize>,
    /// Seconds one call to a witness may take.
    #[arg(long, default_value_t = 10)]
    pub witness_timeout: u64,
    /// Also trust the CA certificates in this PEM file for `https://`
    /// witnesses (beside the usual public roots).
    #[arg(long, value_name = "FILE")]
    pub witness_ca: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WitnessesFile {
    #[serde(default)]
    quorum: Option<usize>,
    witnesses: Vec<WitnessFileEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WitnessFileEntry {
    url: String,
    vkey: String,
}

fn spec(url: &str, vkey: &str) -> anyhow::Result<WitnessSpec> {
    let key = super::keys::read_vkey("witness key", vkey, super::keys::Want::Cosigner)?;
    let url = url.trim().trim_end_matches('/').to_owned();
    if !url.starts_with("http://") && !url.starts_with("https://") {
        bail!("witness URL {url:?}: expected http://HOST:PORT or https://HOST:PORT");
    }
    Ok(WitnessSpec { url, key })
}

impl WitnessArgs {
    /// The node's witnessing configuration; `None` without witnesses.
    ///
    /// # Errors
    /// When a witness or the quorum is malformed.
    pub fn config(&self) -> anyhow::Result<Option<WitnessingConfig>> {
        let mut witnesses = Vec::new();
        let mut quorum = self.witness_quorum;
        if let Some(path) = &self.witness_config {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let file: WitnessesFile = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a witness list", path.display()))?;
            for w in &file.witnesses {
                witnesses.push(spec(&w.url, &w.vkey)?);
            }
            quorum = quorum.or(file.quorum);
        }
        for w in &self.witnesses {
            let (url, vkey) = w
                .split_once('=')
                .with_context(|| format!("--witness {w:?}: expected URL=VKEY"))?;
            witnesses.push(spec(url, vkey)?);
        }
        if witnesses.is_empty() {
            if quorum.is_some() {
                bail!("--witness-quorum without witnesses");
            }
            return Ok(None);
        }
        let quorum = quorum.unwrap_or(witnesses.len());
        if quorum == 0 || quorum > witnesses.len() {
            bail!(
                "a quorum of {quorum} is impossible with {} witnesses",
                witnesses.len()
            );
        }
        Ok(Some(WitnessingConfig {
            witnesses,
            quorum,
            timeout: Duration::from_secs(self.witness_timeout.max(1)),
            tls: crate::tls::client_config(self.witness_ca.as_deref())?,
        }))
    }
}
