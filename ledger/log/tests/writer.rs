//! The storage conformance suite (`vledger_log::conformance`: the seam,
//! the log writer, the rules and the whole-store check, fault injection)
//! on the memory and sled backends, plus what is not about a backend.

use std::sync::{Arc, Mutex, Weak};

use ed25519_dalek::SigningKey;
use vledger_log::store::{Backend, LogStore, MemoryBackend, SledBackend};
use vledger_log::writer::{LogWriter, WriterError};
use vledger_tlog::note::Signer;

const ORIGIN: &str = "test.example/log";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_signer() -> Signer {
    Signer::new(ORIGIN, key(200)).unwrap()
}

fn admin() -> SigningKey {
    key(201)
}

fn new_log<B: Backend>(backend: B) -> LogWriter<B> {
    LogWriter::init(
        LogStore::new(backend).unwrap(),
        log_signer(),
        admin().verifying_key(),
        1000,
    )
    .unwrap()
}

mod memory {
    use super::*;

    vledger_log::conformance_tests!(|| {
        let store = MemoryBackend::new();
        ((), move || Arc::new(store.clone()) as Arc<dyn Backend>)
    });
}

mod sled {
    use super::*;

    /// A sled store in a temporary directory. sled locks its directory, so
    /// an open hands out the handle still alive, if any, and opens the
    /// directory again only once every handle is dropped.
    fn fresh() -> (tempfile::TempDir, impl Fn() -> Arc<dyn Backend>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let live: Mutex<Weak<SledBackend>> = Mutex::new(Weak::new());
        let open = move || {
            let mut live = live.lock().unwrap();
            let backend = live.upgrade().unwrap_or_else(|| {
                let b = Arc::new(reopen(&path));
                *live = Arc::downgrade(&b);
                b
            });
            backend as Arc<dyn Backend>
        };
        (dir, open)
    }

    /// Opens the sled store at `path`. sled's flusher thread lets go of
    /// the directory's lock a moment after the last handle is dropped, so
    /// a reopen right after waits for it (up to 10 s).
    fn reopen(path: &std::path::Path) -> SledBackend {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match SledBackend::open(path) {
                Ok(b) => return b,
                Err(e) if std::time::Instant::now() < deadline => {
                    assert!(e.to_string().contains("lock"), "{e}");
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => panic!("{e}"),
            }
        }
    }

    vledger_log::conformance_tests!(fresh);
}

#[test]
fn init_and_open_refuse_the_wrong_store() {
    let backend = MemoryBackend::new();
    assert!(matches!(
        LogWriter::open(LogStore::new(backend.clone()).unwrap(), log_signer()),
        Err(WriterError::NotInitialised)
    ));
    let _log = new_log(backend.clone());
    assert!(matches!(
        LogWriter::init(
            LogStore::new(backend.clone()).unwrap(),
            log_signer(),
            admin().verifying_key(),
            1
        ),
        Err(WriterError::AlreadyInitialised(2))
    ));
    // Another log key cannot open the log.
    let other = Signer::new(ORIGIN, key(99)).unwrap();
    assert!(matches!(
        LogWriter::open(LogStore::new(backend).unwrap(), other),
        Err(WriterError::Checkpoint { size: 2, .. })
    ));
}
