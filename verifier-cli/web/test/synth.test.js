// Bundles built from scratch (synth.mjs) with records, entries and
// signatures on the edges of what vledger accepts. The JavaScript verifier
// must give each named case its expected outcome; with the Rust verifier
// present, both must agree on every named case, on random byte-level
// mutations of records and entries and on records with fields set to edge
// values (VLEDGER_FUZZ_CASES of each, default 200), and report the same
// records for every bundle they accept.

import test from 'node:test';
import assert from 'node:assert/strict';
import { verifyHistory } from '../src/index.js';
import { jsView, runRust, rustAvailable, RUST_VERIFIER, rustView } from './helpers.mjs';
import { randomCases, synthCases, valueCases } from './synth-cases.mjs';

const options = (b) => ({ logKey: b.logKey, witnessKeys: b.witnessKeys, quorum: b.quorum });

test('named synthetic cases get their expected outcome', () => {
  const wrong = [];
  for (const c of synthCases()) {
    const r = verifyHistory(c.build().text, options(c.build()));
    if (r.ok !== c.expect) wrong.push(`${c.name}: ${r.ok ? 'accepted' : r.error.message}`);
  }
  assert.deepEqual(wrong, []);
});

const skip = rustAvailable() ? false : `Rust verifier not found at ${RUST_VERIFIER} (set VLEDGER_VERIFY)`;

test('the Rust and JavaScript verifiers agree on synthetic and mutated bundles', { skip }, () => {
  const count = Number(process.env.VLEDGER_FUZZ_CASES ?? 200);
  const disagreements = [];
  let accepted = 0;
  for (const c of [...synthCases(), ...randomCases(count), ...valueCases(count)]) {
    const b = c.build();
    const js = verifyHistory(b.text, options(b));
    const rust = runRust(b.text, options(b));
    if (js.ok !== rust.ok) {
      disagreements.push(`${c.name}: rust ${rust.ok ? 'accepts' : `refuses (${rust.stderr.trim()})`}, js ${js.ok ? 'accepts' : `refuses (${js.error.message})`}`);
    } else if (js.ok) {
      accepted++;
      assert.deepEqual(jsView(js), rustView(rust.stdout), c.name);
    }
  }
  assert.deepEqual(disagreements, []);
  assert.ok(accepted > 100, `only ${accepted} accepted`);
});
