// Runs the Rust verifier (`vledger-verify history`) and the JavaScript one on
// every case of the tamper corpus and requires the same decision: both accept
// or both refuse. Skipped when the Rust binary is not there: set
// VLEDGER_VERIFY to its path (default /tmp/vl-bin/vledger-verify).

import test from 'node:test';
import assert from 'node:assert/strict';
import { verifyHistory } from '../src/index.js';
import { buildCorpus } from './corpus.mjs';
import { runRust, rustAvailable, RUST_VERIFIER } from './helpers.mjs';

const skip = rustAvailable() ? false : `Rust verifier not found at ${RUST_VERIFIER} (set VLEDGER_VERIFY)`;

test('the Rust and JavaScript verifiers agree on every corpus case', { skip }, () => {
  const disagreements = [];
  for (const c of buildCorpus()) {
    const js = verifyHistory(c.bundle, c.options);
    const rust = runRust(c.bundle, c.options);
    if (js.ok !== rust.ok) {
      disagreements.push(`${c.name}: rust ${rust.ok ? 'accepts' : `refuses (${rust.stderr.trim()})`}, js ${js.ok ? 'accepts' : `refuses (${js.error.message})`}`);
    }
    assert.equal(js.ok, c.expect.ok, `${c.name}: expected ${c.expect.ok}`);
  }
  assert.deepEqual(disagreements, []);
});
