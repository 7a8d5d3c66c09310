//! Commands that work on a data directory: init, serve, check, keygen.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;
use vledger_log::check::check_store;

use crate::datadir::{DataDir, write_public, write_secret};
use crate::{Node, NodeConfig};

/// `vledger init`.
pub fn init(
    data: &Path,
    store: Option<String>,
    origin: &str,
    keys: crate::datadir::KeyFiles<'_>,
) -> anyhow::Result<()> {
    let dir = DataDir::new(data).with_store(store);
    let init = dir.init(origin, keys)?;
    match dir.store_url() {
        Some(_) => println!(
            "initialised log {origin} in {} (store {})",
            data.display(),
            dir.store_name()
        ),
        None => println!("initialised log {origin} in {}", data.display()),
    }
    println!("log key:   {}", init.log_vkey);
    println!(
        "admin key: {} (private key in {})",
        init.admin_vkey,
        init.admin_key_path.display()
    );
    println!(
        "recovery key: {} (private key in {}; keep it offline: it alone enrolls a new admin if every admin key is lost)",
        init.recovery_vkey,
        init.recovery_key_path.display()
    );
    Ok(())
}

/// `vledger serve`.
#[allow(clippy::too_many_arguments)]
pub fn serve(
    config: NodeConfig,
    listen: SocketAddr,
    http_listen: Option<SocketAddr>,
    net: &super::listen::ListenArgs,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let node = Node::open(config).await?;
        let limits = net.limits(1 + usize::from(http_listen.is_some()));
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let grpc = net.listener(listener, crate::listen::Protocol::Grpc, limits)?;
        let http = match http_listen {
            None => None,
            Some(addr) => {
                let tcp = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} for HTTP"))?;
                Some(net.listener(tcp, crate::listen::Protocol::Http1, limits)?)
            }
        };
        let shutdown = shutdown_signal();
        // The first line on stdout is the address, printed once the store
        // passed its checks, for scripts and tests that asked for port 0;
        // the HTTP address, if any, is the second.
        println!("listening on {}", grpc.tcp.local_addr()?);
        if let Some(http) = &http {
            println!("tiles on {}://{}", net.scheme(), http.tcp.local_addr()?);
        }
        std::io::stdout().flush()?;
        let listeners = crate::Listeners { grpc, http };
        node.serve(listeners, shutdown).await
    })
}

/// Completes on SIGINT or SIGTERM. The handlers are installed at the
/// call, not at the first poll: a signal that comes once a caller has
/// printed its address (and a script may send one) is a shutdown, never
/// the default action that kills the process.
pub(crate) fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let streams = [SignalKind::interrupt(), SignalKind::terminate()].map(|kind| {
        signal(kind)
            .inspect_err(|e| tracing::error!(error = %e, "cannot listen for SIGINT or SIGTERM"))
            .ok()
    });
    async move {
        let [interrupt, terminate] = streams;
        let wait = |stream: Option<tokio::signal::unix::Signal>| async move {
            match stream {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = wait(interrupt) => {},
            () = wait(terminate) => {},
        }
        tracing::info!("shutting down");
    }
}

/// `vledger check`.
pub fn check(data: &Path, store: Option<String>, json: bool) -> anyhow::Result<()> {
    let dir = DataDir::new(data).with_store(store);
    let key = dir.log_signer()?.verifier_key();
    let store = match dir.open_store() {
        Err(e)
            if e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<vledger_log::store::StoreError>(),
                    Some(vledger_log::store::StoreError::InUse)
                )
            }) =>
        {
            anyhow::bail!(
                "cannot check {} while a node serves it (its store is in use by another \
                 process): stop the node first, or check a copy made while it runs: `vledger \
                 backup --data {} --out BACKUP`, then `vledger check --data BACKUP`",
                data.display(),
                data.display()
            )
        }
        other => other?,
    };
    let bar = indicatif::ProgressBar::new(store.tree_size()?).with_style(
        indicatif::ProgressStyle::with_template(
            "checking {pos}/{len} entries {wide_bar} {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = check_store(&store, &key, |done| bar.set_position(done));
    bar.finish_and_clear();
    let report = report.with_context(|| format!("store {} is NOT valid", dir.store_name()))?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "ok": true,
                "origin": report.origin,
                "entries": report.entries,
                "checkpoints": report.checkpoints,
                "vins": report.vins,
                "root": report.root.to_string(),
            })
        );
    } else {
        println!(
            "ok: {} of log {} verified; root {}",
            [
                super::plural(report.entries, "entry", "entries"),
                super::plural(report.checkpoints, "checkpoint", "checkpoints"),
                super::plural(report.vins, "VIN", "VINs"),
            ]
            .join(", "),
            report.origin,
            report.root
        );
    }
    Ok(())
}

/// `vledger migrate`.
pub fn migrate(data: &Path, store: Option<String>) -> anyhow::Result<()> {
    let dir = DataDir::new(data).with_store(store);
    let backend = dir.open_backend()?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "migrating {pos}/{len} entries {wide_bar} {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = vledger_log::migrate::migrate(&backend, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let report =
        report.with_context(|| format!("cannot migrate the store {}", dir.store_name()))?;
    // On sled the deduplication index lives in run files beside the store.
    let moved = if dir.store_url().is_none() {
        vledger_log::store::move_dedup_keys(&backend, &dir.dedup_path()).with_context(|| {
            format!(
                "cannot move the deduplication index to {}",
                dir.dedup_path().display()
            )
        })?
    } else {
        0
    };
    if moved > 0 {
        println!(
            "ok: {moved} deduplication keys moved to {}",
            dir.dedup_path().display()
        );
    }
    let current = vledger_log::store::layout::FORMAT_VERSION;
    if report.from == current {
        println!(
            "ok: {} is already in store format {current}{}",
            dir.store_name(),
            if report.deleted > 0 {
                format!("; {} keys of the old format removed", report.deleted)
            } else {
                String::new()
            }
        );
    } else {
        println!(
            "ok: store moved from format {} to {current} ({} entries rewritten as tiles, {} vehicle states split, {} vehicle facts grouped in chunks); run `vledger check --data {}` before serving",
            report.from,
            report.entries,
            report.vehicles,
            report.facts,
            data.display()
        );
    }
    Ok(())
}

/// `vledger compact`.
pub fn compact(data: &Path) -> anyhow::Result<()> {
    let (before, after) = DataDir::new(data)
        .compact()
        .with_context(|| format!("cannot compact the store in {}", data.display()))?;
    println!(
        "ok: the store in {} went from {} to {} bytes",
        data.display(),
        before,
        after
    );
    Ok(())
}

/// `vledger keygen`.
pub fn keygen(name: &str, out: &Path) -> anyhow::Result<()> {
    let signer = crate::datadir::generate_signer(name)
        .with_context(|| format!("{name:?} cannot name a key"))?;
    write_secret(out, &signer.to_private_key())?;
    let vkey = signer.verifier_key().to_string();
    write_public(&out.with_extension("vkey"), &vkey)?;
    println!("{vkey}");
    Ok(())
}

/// `vledger party-commitment`.
pub fn party_commitment(identity: &str, salt: Option<&str>) -> anyhow::Result<()> {
    use vledger_records::{PartyCommitment, SALT_LEN};
    let salt: [u8; SALT_LEN] = match salt {
        Some(hex_salt) => hex::decode(hex_salt.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .context("--salt must be 64 hex digits (32 bytes)")?,
        None => rand::random(),
    };
    let commitment = PartyCommitment::commit(&salt, identity);
    // Reject what the log would refuse (p < 1e-8); a fresh salt fixes it.
    PartyCommitment::from_bytes("commitment", commitment.as_bytes())
        .context("this salt gives a commitment the log refuses; draw another salt")?;
    println!("salt {}", hex::encode(salt));
    println!("commitment {}", hex::encode(commitment.as_bytes()));
    Ok(())
}
