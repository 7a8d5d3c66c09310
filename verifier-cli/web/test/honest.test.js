// The real bundles from a vledger node verify, with the right records,
// signers and witnesses, and the record contents match what the Rust
// verifier prints for them (`vledger-verify history --json`, saved in
// fixtures/*.rust.json).

import test from 'node:test';
import assert from 'node:assert/strict';
import { verifyHistory } from '../src/index.js';
import { jsView, LOG_KEY, readFixture, rustView, W1, W2 } from './helpers.mjs';

const KINDS = [
  'factory', 'registration', 'maintenance', 'correction', 'odometer_reading', 'damage',
  'ownership_transfer', 'deregistration', 'inspection', 'export_license', 'compliance',
  'customs_clearance',
];
const ROLES = [
  'manufacturer', 'registry', 'workshop', 'workshop', 'workshop', 'workshop', 'registry',
  'registry', 'inspection_body', 'exporter', 'inspection_body', 'customs',
];

const rustFixture = (name) => rustView(readFixture(name));

test('the plain bundle verifies with the log key alone', () => {
  const r = verifyHistory(readFixture('example.vhist.json'), { logKey: LOG_KEY });
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.vin, 'LGXCE4CB8S0123456');
  assert.equal(r.origin, 'ledger.example.com/vehicles');
  assert.equal(r.treeSize, 40);
  assert.equal(r.records.length, 12);
  assert.deepEqual(r.records.map((x) => x.kind), KINDS);
  assert.deepEqual(r.records.map((x) => x.signer.role), ROLES);
  assert.deepEqual(r.records.map((x) => x.index), [16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38]);
  assert.deepEqual(r.records.map((x) => x.sequence), [...Array(12).keys()]);
  assert.equal(r.records[0].signer.name, 'Example manufacturer');
  assert.equal(r.records[0].signer.keyId, '4f93e07b');
  assert.equal(r.records[8].signer.name, 'Example inspection_body');
  assert.equal(r.records[0].eventTime, '2025-03-10T00:00:00Z');
  assert.equal(r.witnessed, null);
  assert.deepEqual(jsView(r), rustFixture('example.rust.json'));
});

test('the cosigned bundle verifies under a 2-of-2 witness policy', () => {
  const r = verifyHistory(readFixture('example-cosigned.vhist.json'), {
    logKey: LOG_KEY, witnessKeys: [W1, W2], quorum: 2,
  });
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.records.length, 12);
  assert.deepEqual(r.records.map((x) => x.kind), KINDS);
  assert.equal(r.witnessed.source, 'witnessed');
  assert.equal(r.witnessed.treeSize, 40);
  assert.equal(r.witnessed.extendsTreeSize, 40);
  assert.equal(r.witnessed.checked, true);
  assert.equal(r.witnessed.quorum, 2);
  assert.equal(r.witnessed.cosigned, 2);
  assert.deepEqual(r.witnessed.cosigners.map((c) => [c.name, c.status]), [
    ['w1.example.org', 'cosigned'], ['w2.example.org', 'cosigned'],
  ]);
  assert.deepEqual(jsView(r), rustFixture('example-cosigned.rust.json'));
  const rust = JSON.parse(readFixture('example-cosigned.rust.json')).witnesses;
  assert.deepEqual(r.witnessed.cosigners.map((c) => [c.name, c.timestamp, c.cosignedAt]),
    rust.statuses.map((s) => [s.name, s.timestamp, s.cosigned_at]));
});

test('the witness quorum defaults to every witness given', () => {
  const r = verifyHistory(readFixture('example-cosigned.vhist.json'), { logKey: LOG_KEY, witnessKeys: [W1, W2] });
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.witnessed.quorum, 2);
});

test('a witnessed part is checked even without witness keys', () => {
  const r = verifyHistory(readFixture('example-cosigned.vhist.json'), { logKey: LOG_KEY });
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.witnessed.checked, false);
  assert.equal(r.witnessed.treeSize, 40);
  assert.deepEqual(r.witnessed.cosigners, []);
});

test('the absent VIN verifies as having no records (non-membership)', () => {
  const r = verifyHistory(readFixture('absent.vhist.json'), { logKey: LOG_KEY });
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.vin, 'LVSHFFAL5DF123456');
  assert.deepEqual(r.records, []);
  assert.deepEqual(jsView(r), rustFixture('absent.rust.json'));
});

test('bundle bytes verify like bundle text', () => {
  const bytes = new TextEncoder().encode(readFixture('example.vhist.json'));
  assert.equal(verifyHistory(bytes, { logKey: LOG_KEY }).ok, true);
  assert.equal(verifyHistory(bytes.buffer, { logKey: LOG_KEY }).ok, true);
});

test('keys are read like the Rust verifier reads key files (surrounding whitespace trimmed)', () => {
  const r = verifyHistory(readFixture('example.vhist.json'), { logKey: `\n  ${LOG_KEY.trim()}\r\n` });
  assert.equal(r.ok, true);
});
