//! The workspace keeps its layers (docs/architecture.md):
//!
//! - no two source files of a crate import each other, directly or through
//!   others (`use crate::…`, `super::…` paths, test modules aside);
//! - each vledger crate depends only on the layers below it;
//! - the offline verifier's dependency tree holds no crate of the rules or
//!   log layers, nor a store, runtime or network crate.
//!
//! The crate graph comes from `cargo metadata` and `cargo tree`, the file
//! graph from the sources themselves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The host's target triple, so that metadata needs no other platform's
/// crates.
fn host() -> String {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("host line")
        .to_owned()
}

fn metadata() -> Value {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host()])
        .current_dir(workspace())
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("metadata JSON")
}

/// Each workspace package's normal (non-dev, non-build) dependencies on
/// other workspace packages.
fn first_party_deps(meta: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let members: BTreeSet<String> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["source"].is_null())
        .map(|p| p["name"].as_str().expect("name").to_owned())
        .collect();
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["source"].is_null())
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].is_null())
                .filter_map(|d| d["name"].as_str())
                .filter(|n| members.contains(*n) && *n != p["name"].as_str().unwrap_or(""))
                .map(str::to_owned)
                .collect();
            (p["name"].as_str().expect("name").to_owned(), deps)
        })
        .collect()
}

/// Every package `root` depends on, transitively, through normal
/// dependencies, with the features a build of `root` alone enables (what
/// `cargo build -p root` compiles): `cargo tree`'s view, not the
/// workspace-wide resolve of `cargo metadata`.
fn normal_closure(root: &str) -> BTreeSet<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "-p", root, "-e", "normal", "--prefix", "none"])
        .args(["--locked", "--offline"])
        .current_dir(workspace())
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != root)
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_crate_depends_only_on_the_layers_below_it() {
    // Bottom up; a crate may depend on crates of lower rank only.
    let rank: BTreeMap<&str, u8> = [
        ("vledger-proto", 0),
        ("vledger-tlog", 1),
        ("vledger-records", 2),
        ("vledger-rules", 3),
        ("vledger-verification", 3),
        ("vledger-log", 4),
        ("vledger-node", 5),
        ("vledger-verify", 5),
        ("vledger-benches", 6),
        ("vledger-tests", 6),
    ]
    .into_iter()
    .collect();
    let deps = first_party_deps(&metadata());
    assert!(deps.len() >= rank.len(), "packages: {deps:?}");
    for (package, on) in &deps {
        let own = rank[package.as_str()];
        for dep in on {
            assert!(
                rank[dep.as_str()] < own,
                "{package} (layer {own}) depends on {dep} (layer {})",
                rank[dep.as_str()]
            );
        }
    }
    assert!(
        !deps["vledger-verification"].contains("vledger-rules"),
        "the verification layer does not re-run the rules"
    );
}

#[test]
fn the_offline_verifier_compiles_only_what_it_runs() {
    let closure = normal_closure("vledger-verify");
    for needed in ["vledger-tlog", "vledger-records", "vledger-verification"] {
        assert!(closure.contains(needed), "{needed} missing: {closure:?}");
    }
    for absent in [
        "vledger-rules",
        "vledger-log",
        "vledger-node",
        "sled",
        "tokio",
        "tokio-postgres",
        "postgres-protocol",
        "tonic",
        "hyper",
    ] {
        assert!(
            !closure.contains(absent),
            "vledger-verify depends on {absent}"
        );
    }
}

/// The module path of a source file under `src`: `a/b.rs` and `a/b/mod.rs`
/// are `a::b`; `lib.rs` and `main.rs` are the crate root.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("lib" | "main" | "mod")
    ) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Paths named in `source` (test modules and comments left out), as
/// segments: `crate::a::b`, `super::c`, and the members of
/// `crate::{a::X, b}` groups.
fn named_paths(source: &str) -> Vec<(String, Vec<String>)> {
    let code = source
        .find("\n#[cfg(test)]\nmod tests")
        .map_or(source, |i| &source[..i]);
    let mut out = Vec::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        for anchor in ["crate::", "super::"] {
            let mut rest = line;
            while let Some(i) = rest.find(anchor) {
                let before = rest[..i].chars().last();
                let tail = &rest[i + anchor.len()..];
                rest = tail;
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let root = anchor.trim_end_matches("::").to_owned();
                if let Some(group) = tail.strip_prefix('{') {
                    let group = group.split('}').next().unwrap_or("");
                    for member in group.split(',') {
                        out.push((root.clone(), segments(member.trim())));
                    }
                } else {
                    out.push((root, segments(tail)));
                }
            }
        }
    }
    out
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(|s| {
            s.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .take_while(|s| !s.is_empty())
        .collect()
}

/// Cycles in one crate's file graph, as lists of module paths.
fn file_cycles(src: &Path) -> Vec<Vec<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|f| (module_of(src, f), f.clone()))
        .collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, file) in &modules {
        let source = std::fs::read_to_string(file).expect("read source");
        let mut deps = BTreeSet::new();
        for (root, segs) in named_paths(&source) {
            let mut target = if root == "super" {
                module[..module.len().saturating_sub(1)].to_vec()
            } else {
                Vec::new()
            };
            let mut best = None;
            for s in segs {
                target.push(s);
                if modules.contains_key(&target) {
                    best = Some(target.clone());
                }
            }
            // Naming an ancestor (the items it re-exports) is not an edge.
            if let Some(t) = best.filter(|t| !module.starts_with(t)) {
                deps.insert(t);
            }
        }
        edges.insert(module.clone(), deps);
    }
    // Tarjan's strongly connected components; any with two files is a cycle.
    struct Tarjan<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<Vec<String>, usize>,
        low: BTreeMap<Vec<String>, usize>,
        stack: Vec<Vec<String>>,
        cycles: Vec<Vec<String>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: &Vec<String>) {
            let n = self.index.len();
            self.index.insert(v.clone(), n);
            self.low.insert(v.clone(), n);
            self.stack.push(v.clone());
            for w in self.edges.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("low");
                    *lv = (*lv).min(lw);
                } else if self.stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("low");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    let done = &w == v;
                    component.push(w.join("::"));
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.cycles.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        cycles: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.cycles
}

#[test]
fn no_two_files_of_a_crate_import_each_other() {
    let root = workspace();
    let crates = [
        "ledger/tlog",
        "ledger/records",
        "ledger/rules",
        "ledger/verification",
        "ledger/log",
        "proto",
        "node",
        "verifier-cli",
        "benches",
        "tests",
    ];
    let mut found = Vec::new();
    for krate in crates {
        for cycle in file_cycles(&root.join(krate).join("src")) {
            found.push(format!("{krate}: {}", cycle.join(" <-> ")));
        }
    }
    assert!(found.is_empty(), "import loops:\n{}", found.join("\n"));
}

#[test]
fn the_loop_finder_finds_a_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").expect("write");
    std::fs::write(src.join("a.rs"), "use crate::b::B;\npub struct A;\n").expect("write");
    std::fs::write(src.join("b.rs"), "use super::{a::A};\npub struct B;\n").expect("write");
    let cycles = file_cycles(src);
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    std::fs::write(src.join("b.rs"), "pub struct B;\n").expect("write");
    assert!(file_cycles(src).is_empty());
}
