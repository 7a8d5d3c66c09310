//! The PostgreSQL backend (feature `postgres`): the keyspace as one table
//! of byte-string keys and values, a batch as one transaction.
//!
//! Its connections are driven by a small async runtime of its own (two
//! threads), behind the same blocking interface as every backend: a call
//! waits on a channel for its answer, so it may come from any thread, as
//! sled's may. The node calls it from its sequencer thread and from the
//! async runtime's blocking pool.
//!
//! The SQL stays within what CockroachDB and YugabyteDB also accept: an
//! upsert is `INSERT … ON CONFLICT … DO UPDATE`, the fence a `SELECT … FOR
//! UPDATE` of one row, no PL/pgSQL, and nothing depends on advisory locks
//! for correctness ([`LeaderLock`] only keeps a standby from trying).
//! Only PostgreSQL is tested.

use std::collections::BTreeMap;
use std::future::Future;
use std::str::FromStr as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config, NoTls, Statement};

use super::backend::check_fence;
use super::layout::META_TREE_SIZE;
use super::{Backend, Pair, Pairs, StoreError, Writes};

/// The schema versions this build knows, in order: each is applied once,
/// in one transaction, and recorded in `vledger_schema`.
const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    "CREATE TABLE IF NOT EXISTS vledger_kv (k BYTEA PRIMARY KEY, v BYTEA NOT NULL)",
)];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i32 = 1;

/// Most connections one backend opens at once.
const MAX_CONNECTIONS: usize = 16;

/// Why the PostgreSQL backend failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostgresError {
    /// The URL does not parse.
    #[error("invalid PostgreSQL URL: {0}")]
    Url(String),
    /// The server or the connection failed.
    #[error("PostgreSQL: {0}")]
    Client(String),
    /// The database was set up by a newer vledger.
    #[error(
        "the database's vledger schema is version {found}, newer than version {SCHEMA_VERSION} that this vledger knows; run a newer vledger"
    )]
    SchemaTooNew {
        /// The version found.
        found: i32,
    },
    /// The backend's own runtime could not start or answer.
    #[error("PostgreSQL client runtime: {0}")]
    Runtime(String),
}

fn client_error(e: &tokio_postgres::Error) -> PostgresError {
    PostgresError::Client(match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    })
}

fn store_error(e: &tokio_postgres::Error) -> StoreError {
    StoreError::Backend(Box::new(client_error(e)))
}

/// The backend's runtime, shut down without blocking when the last handle
/// goes (which may be on another runtime's thread).
#[derive(Debug)]
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl Runtime {
    fn new() -> Result<Self, PostgresError> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("vledger-postgres")
            .enable_all()
            .build()
            .map(|rt| Self(Some(rt)))
            .map_err(|e| PostgresError::Runtime(e.to_string()))
    }

    /// Runs `fut` on this runtime and waits for its result.
    fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, PostgresError> {
        let rt = self
            .0
            .as_ref()
            .ok_or_else(|| PostgresError::Runtime("stopped".into()))?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        rt.spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv()
            .map_err(|_| PostgresError::Runtime("the task was dropped".into()))
    }
}

/// Connections: idle ones, and a cap on how many are out.
#[derive(Debug)]
struct Pool {
    config: Config,
    idle: Mutex<Vec<Session>>,
    slots: Arc<tokio::sync::Semaphore>,
}

/// One connection and the statements prepared on it: a prepared statement
/// takes one round trip per call instead of two.
struct Session {
    client: Client,
    statements: Option<Statements>,
    /// Between a `BEGIN` sent and its `COMMIT` or `ROLLBACK` answered: a
    /// session dropped meanwhile (its future cancelled) is closed, never
    /// pooled with a transaction open.
    in_transaction: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

/// The statements of every call, prepared once per connection (after the
/// schema exists).
#[derive(Clone)]
struct Statements {
    get: Statement,
    get_many: Statement,
    first_in_ranges: Statement,
    scan: Statement,
    ensure_size: Statement,
    lock_size: Statement,
    upsert: Statement,
    delete: Statement,
}

impl Session {
    async fn statements(&mut self) -> Result<Statements, tokio_postgres::Error> {
        if let Some(st) = &self.statements {
            return Ok(st.clone());
        }
        let c = &self.client;
        let st = Statements {
            get: c.prepare("SELECT v FROM vledger_kv WHERE k = $1").await?,
            get_many: c
                .prepare("SELECT k, v FROM vledger_kv WHERE k = ANY($1::bytea[])")
                .await?,
            first_in_ranges: c
                .prepare(
                    "SELECT r.i, kv.k, kv.v \
                     FROM UNNEST($1::bytea[], $2::bytea[]) WITH ORDINALITY AS r(s, e, i) \
                     CROSS JOIN LATERAL (SELECT k, v FROM vledger_kv \
                         WHERE k >= r.s AND k < r.e ORDER BY k LIMIT 1) AS kv",
                )
                .await?,
            scan: c
                .prepare("SELECT k, v FROM vledger_kv WHERE k >= $1 AND k < $2 ORDER BY k LIMIT $3")
                .await?,
            ensure_size: c
                .prepare("INSERT INTO vledger_kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING")
                .await?,
            lock_size: c
                .prepare("SELECT v FROM vledger_kv WHERE k = $1 FOR UPDATE")
                .await?,
            upsert: c
                .prepare(
                    "INSERT INTO vledger_kv (k, v) SELECT * FROM UNNEST($1::bytea[], $2::bytea[]) \
                     ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
                )
                .await?,
            delete: c
                .prepare("DELETE FROM vledger_kv WHERE k = ANY($1::bytea[])")
                .await?,
        };
        self.statements = Some(st.clone());
        Ok(st)
    }
}

/// A connection taken from the pool; goes back on drop if still usable.
struct Conn {
    session: Option<Session>,
    pool: Arc<Pool>,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(s) = self.session.take()
            && !s.client.is_closed()
            && !s.in_transaction
            && let Ok(mut idle) = self.pool.idle.lock()
        {
            idle.push(s);
        }
    }
}

impl Conn {
    fn session(&mut self) -> &mut Session {
        self.session
            .as_mut()
            .unwrap_or_else(|| unreachable!("a connection holds its session until dropped"))
    }

    fn client(&mut self) -> &mut Client {
        &mut self.session().client
    }
}

impl Pool {
    async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
        let (client, connection) = config.connect(NoTls).await?;
        // A broken connection shows up as the next query's error.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        // Every commit waits for the server's WAL flush, whatever the
        // server's default.
        client.batch_execute("SET synchronous_commit = on").await?;
        Ok(client)
    }

    async fn get(self: &Arc<Self>) -> Result<Conn, tokio_postgres::Error> {
        let slot = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .unwrap_or_else(|_| unreachable!("the pool's semaphore is never closed"));
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let session = match idle {
            Some(s) if !s.client.is_closed() => s,
            _ => Session {
                client: Self::connect(&self.config).await?,
                statements: None,
                in_transaction: false,
            },
        };
        Ok(Conn {
            session: Some(session),
            pool: Arc::clone(self),
            _slot: slot,
        })
    }
}

/// The PostgreSQL backend: the keyspace in table `vledger_kv`, one
/// transaction per [`Backend::apply`]. Clones share the connections.
#[derive(Debug, Clone)]
pub struct PostgresBackend {
    pool: Arc<Pool>,
    runtime: Arc<Runtime>,
}

impl PostgresBackend {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`
    /// or the `key=value` form) and brings its schema to this build's
    /// version, creating the tables in an empty database.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the URL is invalid, the server cannot
    /// be reached, or the database's schema is newer than this build's.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let config = parse_url(url)?;
        let runtime = Arc::new(Runtime::new().map_err(|e| StoreError::Backend(Box::new(e)))?);
        let pool = Arc::new(Pool {
            config,
            idle: Mutex::new(Vec::new()),
            slots: Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS)),
        });
        let backend = Self { pool, runtime };
        backend.migrate()?;
        Ok(backend)
    }

    /// Runs `f` with a pooled connection on the backend's runtime.
    fn with_conn<T, F, Fut>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Conn) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send,
    {
        let pool = Arc::clone(&self.pool);
        self.runtime
            .run(async move {
                let conn = pool.get().await.map_err(|e| store_error(&e))?;
                f(conn).await
            })
            .map_err(|e| StoreError::Backend(Box::new(e)))?
    }

    /// Applies the schema migrations this database lacks, each in the same
    /// transaction as its record in `vledger_schema`; refuses a newer
    /// schema. Safe to run from several nodes at once: a loser of a race
    /// tries again and finds the work done.
    fn migrate(&self) -> Result<(), StoreError> {
        self.with_conn(|mut conn| async move {
            let mut attempt = 0;
            loop {
                attempt += 1;
                match migrate_once(conn.client()).await {
                    Ok(()) => return Ok(()),
                    Err(MigrateError::TooNew(found)) => {
                        return Err(StoreError::Backend(Box::new(PostgresError::SchemaTooNew {
                            found,
                        })));
                    }
                    Err(MigrateError::Client(e)) => {
                        let raced = e.code().is_some_and(|c| {
                            *c == SqlState::UNIQUE_VIOLATION
                                || *c == SqlState::T_R_SERIALIZATION_FAILURE
                                || *c == SqlState::T_R_DEADLOCK_DETECTED
                        });
                        if !raced || attempt >= 5 {
                            return Err(store_error(&e));
                        }
                    }
                }
            }
        })
    }
}

enum MigrateError {
    TooNew(i32),
    Client(tokio_postgres::Error),
}

impl From<tokio_postgres::Error> for MigrateError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Client(e)
    }
}

async fn migrate_once(client: &mut Client) -> Result<(), MigrateError> {
    let tx = client.transaction().await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS vledger_schema (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let current: Option<i32> = tx
        .query_one("SELECT max(version) FROM vledger_schema", &[])
        .await?
        .get(0);
    let current = current.unwrap_or(0);
    if current > SCHEMA_VERSION {
        return Err(MigrateError::TooNew(current));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO vledger_schema (version) VALUES ($1)",
            &[version],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A PostgreSQL session advisory lock on a connection of its own: the
/// node's leadership. Once taken it is held as long as that session lives;
/// the holder checks it with [`LeaderLock::check`] and stops writing once
/// the check fails. Correctness never depends on it — the tree-size fence
/// of every batch does; the lock only keeps a standby from competing.
#[derive(Debug)]
pub struct LeaderLock {
    client: Option<Client>,
    runtime: Runtime,
    held: bool,
}

impl LeaderLock {
    /// Opens the lock's own connection to the database at `url`.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the URL is invalid or the server
    /// cannot be reached.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let config = parse_url(url)?;
        let runtime = Runtime::new().map_err(|e| StoreError::Backend(Box::new(e)))?;
        let client = runtime
            .run(async move { Pool::connect(&config).await })
            .map_err(|e| StoreError::Backend(Box::new(e)))?
            .map_err(|e| store_error(&e))?;
        Ok(Self {
            client: Some(client),
            runtime,
            held: false,
        })
    }

    /// Takes the session advisory lock `key` if no other session holds
    /// it; says whether this session now holds it.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the connection fails.
    pub fn try_acquire(&mut self, key: i64) -> Result<bool, StoreError> {
        let held = self.query(move |client| async move {
            let row = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
                .await?;
            Ok((client, row.get::<_, bool>(0)))
        })?;
        self.held |= held;
        Ok(held)
    }

    /// Checks that the lock's session is still alive, one round trip
    /// bounded to 5 s: while it is, the lock is held.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the connection broke or did not
    /// answer: the lock is lost.
    pub fn check(&mut self) -> Result<(), StoreError> {
        self.query(|client| async move {
            client.simple_query("SELECT 1").await?;
            Ok((client, ()))
        })
    }

    /// Runs one exchange on the lock's connection, within 5 s.
    fn query<T, F, Fut>(&mut self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Client) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(Client, T), tokio_postgres::Error>> + Send,
    {
        let lost = |what: &str| StoreError::Backend(Box::new(PostgresError::Client(what.into())));
        let client = self
            .client
            .take()
            .ok_or_else(|| lost("the leader lock's connection is gone"))?;
        let answer = self
            .runtime
            .run(async move { tokio::time::timeout(Duration::from_secs(5), f(client)).await })
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        match answer {
            Ok(Ok((client, value))) => {
                self.client = Some(client);
                Ok(value)
            }
            Ok(Err(e)) => Err(store_error(&e)),
            Err(_) => Err(lost(
                "the leader lock's connection did not answer within 5 s",
            )),
        }
    }
}

/// Parses a database URL, with a connect timeout unless it sets one.
fn parse_url(url: &str) -> Result<Config, StoreError> {
    let mut config = Config::from_str(url)
        .map_err(|e| StoreError::Backend(Box::new(PostgresError::Url(e.to_string()))))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.application_name("vledger");
    Ok(config)
}

impl Backend for PostgresBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let key = key.to_vec();
        self.with_conn(|mut conn| async move {
            let session = conn.session();
            let st = session.statements().await.map_err(|e| store_error(&e))?;
            let row = session
                .client
                .query_opt(&st.get, &[&key])
                .await
                .map_err(|e| store_error(&e))?;
            Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
        })
    }

    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = keys.to_vec();
        let found: std::collections::HashMap<Vec<u8>, Vec<u8>> =
            self.with_conn(|mut conn| async move {
                let session = conn.session();
                let st = session.statements().await.map_err(|e| store_error(&e))?;
                let rows = session
                    .client
                    .query(&st.get_many, &[&wanted])
                    .await
                    .map_err(|e| store_error(&e))?;
                Ok(rows
                    .into_iter()
                    .map(|r| (r.get::<_, Vec<u8>>(0), r.get::<_, Vec<u8>>(1)))
                    .collect())
            })?;
        // A key asked for twice is answered twice.
        Ok(keys.iter().map(|k| found.get(k).cloned()).collect())
    }

    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        if start >= end || limit == 0 {
            return Ok(Vec::new());
        }
        let (start, end) = (start.to_vec(), end.to_vec());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_conn(move |mut conn| async move {
            // bytea compares as unsigned bytes, a prefix first: the
            // keyspace's order.
            let session = conn.session();
            let st = session.statements().await.map_err(|e| store_error(&e))?;
            let rows = session
                .client
                .query(&st.scan, &[&start, &end, &limit])
                .await
                .map_err(|e| store_error(&e))?;
            Ok(rows
                .into_iter()
                .map(|r| (r.get::<_, Vec<u8>>(0), r.get::<_, Vec<u8>>(1)))
                .collect())
        })
    }

    fn first_in_ranges(
        &self,
        ranges: &[(Vec<u8>, Vec<u8>)],
    ) -> Result<Vec<Option<Pair>>, StoreError> {
        if ranges.is_empty() {
            return Ok(Vec::new());
        }
        let starts: Vec<Vec<u8>> = ranges.iter().map(|(s, _)| s.clone()).collect();
        let ends: Vec<Vec<u8>> = ranges.iter().map(|(_, e)| e.clone()).collect();
        let rows = self.with_conn(move |mut conn| async move {
            let session = conn.session();
            let st = session.statements().await.map_err(|e| store_error(&e))?;
            session
                .client
                .query(&st.first_in_ranges, &[&starts, &ends])
                .await
                .map_err(|e| store_error(&e))
        })?;
        let mut out = vec![None; ranges.len()];
        for row in rows {
            // ORDINALITY counts from 1.
            let at = usize::try_from(row.get::<_, i64>(0) - 1)
                .ok()
                .filter(|&at| at < out.len())
                .ok_or(StoreError::Corrupt("range number"))?;
            out[at] = Some((row.get::<_, Vec<u8>>(1), row.get::<_, Vec<u8>>(2)));
        }
        Ok(out)
    }

    fn apply(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError> {
        self.with_conn(move |mut conn| async move {
            apply_in_transaction(conn.session(), writes, expected_tree_size, None).await
        })
    }

    #[cfg(feature = "test-backends")]
    fn apply_failing_at(
        &self,
        writes: Writes,
        expected_tree_size: Option<u64>,
        fail_at: usize,
    ) -> Result<(), StoreError> {
        if fail_at >= writes.len() {
            return self.apply(writes, expected_tree_size);
        }
        self.with_conn(move |mut conn| async move {
            apply_in_transaction(conn.session(), writes, expected_tree_size, Some(fail_at)).await
        })
    }
}

/// One batch, one transaction: the fence, then every upsert in one
/// statement and every delete in another, then a durable commit. Two round
/// trips: `BEGIN`, the fence, the upserts and the deletes are sent together
/// (tokio-postgres pipelines the queries polled together, in the order
/// first polled, and the server runs them in that order), and the fence is
/// checked before `COMMIT`; a batch that fails any of it is rolled back.
/// With `fail_at`, the writes before it are made and write `fail_at` is
/// sent as a NULL value, which the table refuses, so the server aborts the
/// transaction (fault injection).
async fn apply_in_transaction(
    session: &mut Session,
    writes: Writes,
    expected_tree_size: Option<u64>,
    fail_at: Option<usize>,
) -> Result<(), StoreError> {
    let st = session.statements().await.map_err(|e| store_error(&e))?;
    let (writes, failing) = match fail_at {
        Some(i) => {
            let mut writes = writes;
            let rest = writes.split_off(i);
            (writes, rest.into_iter().next().map(|(k, _)| k))
        }
        None => (writes, None),
    };
    // The last write of a key wins, as in the other backends.
    let last: BTreeMap<Vec<u8>, Option<Vec<u8>>> = writes.into_iter().collect();
    let (mut keys, mut values, mut deletes) = (Vec::new(), Vec::new(), Vec::new());
    for (k, v) in last {
        match v {
            Some(v) => {
                keys.push(k);
                values.push(v);
            }
            None => deletes.push(k),
        }
    }
    session.in_transaction = true;
    let client = &session.client;
    let zero = 0u64.to_be_bytes();
    let fenced = expected_tree_size.is_some();
    let (begun, ensured, locked, upserted, deleted) = tokio::join!(
        client.batch_execute("BEGIN"),
        async {
            // The tree-size row is made to exist first, so that two first
            // batches on an empty database contend for one row lock.
            if fenced {
                client
                    .execute(&st.ensure_size, &[&META_TREE_SIZE, &zero.as_slice()])
                    .await?;
            }
            Ok::<_, tokio_postgres::Error>(())
        },
        async {
            if fenced {
                let row = client.query_opt(&st.lock_size, &[&META_TREE_SIZE]).await?;
                return Ok(row.map(|r| r.get::<_, Vec<u8>>(0)));
            }
            Ok::<_, tokio_postgres::Error>(None)
        },
        async {
            if !keys.is_empty() {
                client.execute(&st.upsert, &[&keys, &values]).await?;
            }
            Ok::<_, tokio_postgres::Error>(())
        },
        async {
            if !deletes.is_empty() {
                client.execute(&st.delete, &[&deletes]).await?;
            }
            Ok::<_, tokio_postgres::Error>(())
        },
    );
    let made = (|| {
        begun.map_err(|e| store_error(&e))?;
        ensured.map_err(|e| store_error(&e))?;
        let stored = locked.map_err(|e| store_error(&e))?;
        // The fence's answer first: a batch another writer overtook is
        // reported as fenced, whatever else failed after the lock.
        if fenced {
            check_fence(expected_tree_size, stored.as_deref())?;
        }
        upserted.map_err(|e| store_error(&e))?;
        deleted.map_err(|e| store_error(&e))
    })();
    let made = match (made, failing) {
        (Ok(()), Some(k)) => {
            let null: Option<Vec<u8>> = None;
            let refused = client
                .execute(
                    "INSERT INTO vledger_kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
                    &[&k, &null],
                )
                .await;
            Err(match refused {
                Err(e) => store_error(&e),
                Ok(_) => StoreError::Backend(Box::new(PostgresError::Client(
                    "the server accepted a NULL value".into(),
                ))),
            })
        }
        (made, _) => made,
    };
    let ended = match &made {
        Ok(()) => client.batch_execute("COMMIT").await,
        Err(_) => client.batch_execute("ROLLBACK").await,
    };
    session.in_transaction = false;
    made?;
    ended.map_err(|e| store_error(&e))
}
