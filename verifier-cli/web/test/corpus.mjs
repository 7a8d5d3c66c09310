// The tamper corpus: deterministic variants of the real bundles, each with
// the outcome expected from both verifiers. `node test/corpus.mjs DIR`
// writes every variant to DIR with a manifest, cases.json.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBase64, encodeBase64 } from '../src/base64.js';
import { LOG_KEY, readFixture, W1, W2 } from './helpers.mjs';
import { makeSigner } from './keys.mjs';

const PLAIN = readFixture('example.vhist.json');
const COSIGNED = readFixture('example-cosigned.vhist.json');
const ABSENT = readFixture('absent.vhist.json');

const clone = (text) => JSON.parse(text);
const dump = (b) => JSON.stringify(b, null, 2);

/** base64 text with one byte XORed with 0x01. */
function flipBase64(text, at) {
  const b = decodeBase64(text);
  b[at < 0 ? b.length + at : at] ^= 0x01;
  return encodeBase64(b);
}

/** The checkpoint note with one signature line's signature byte flipped. */
function flipNoteSignature(note, line) {
  const lines = note.split('\n');
  const sigLines = lines.map((l, i) => [l, i]).filter(([l]) => l.startsWith('\u2014 '));
  const [l, i] = sigLines[line];
  const space = l.lastIndexOf(' ');
  lines[i] = l.slice(0, space + 1) + flipBase64(l.slice(space + 1), 20);
  return lines.join('\n');
}

function removeNoteLine(note, prefix) {
  return note.split('\n').filter((l) => !l.startsWith(prefix)).join('\n');
}

const OTHER_LOG = makeSigner('ledger.example.com/vehicles', 0x51).vkey;
const OTHER_NAMED = makeSigner('other.example/log', 0x52).vkey;
const W3 = makeSigner('w3.example.org', 0x53, 0x04).vkey;
const plainKeys = { logKey: LOG_KEY };
const witnessKeys = { logKey: LOG_KEY, witnessKeys: [W1, W2], quorum: 2 };

/** Every case: { name, bundle, options, expect: { ok, code? } }. */
export function buildCorpus() {
  const cases = [];
  const add = (name, bundle, options, expect) => cases.push({ name, bundle, options, expect });
  const variant = (name, base, edit, options, expect) => {
    const b = clone(base);
    const out = edit(b);
    add(name, typeof out === 'string' ? out : dump(b), options, expect);
  };

  // Accepted: the honest bundles, and forms serde_json also accepts.
  add('honest-plain', PLAIN, plainKeys, { ok: true });
  add('honest-cosigned', COSIGNED, witnessKeys, { ok: true });
  add('honest-cosigned-log-key-only', COSIGNED, plainKeys, { ok: true });
  add('honest-absent', ABSENT, plainKeys, { ok: true });
  variant('compact-json', PLAIN, (b) => JSON.stringify(b), plainKeys, { ok: true });
  variant('fields-reordered', PLAIN, (b) => JSON.stringify(Object.fromEntries(Object.entries(b).reverse())), plainKeys, { ok: true });
  variant('witnessed-null', PLAIN, (b) => { b.witnessed = null; }, plainKeys, { ok: true });
  variant('unicode-escapes', PLAIN, (b) => dump(b).replace('vledger-history/v1', 'vledger\\u002dhistory\\/v1'), plainKeys, { ok: true });
  variant('struct-as-array', PLAIN, (b) => JSON.stringify([
    b.format, b.vin, b.checkpoint, [b.index_entry.index, b.index_entry.entry, b.index_entry.proof],
    b.index_proof, b.records, b.signers,
  ]), plainKeys, { ok: true });
  add('one-of-two-witnesses', COSIGNED, { logKey: LOG_KEY, witnessKeys: [W1, W3], quorum: 1 }, { ok: true });

  // The tamper cases the brief names.
  variant('record-removed', PLAIN, (b) => { b.records.splice(5, 1); }, plainKeys, { ok: false, code: 'chain' });
  variant('last-record-removed', PLAIN, (b) => { b.records.pop(); }, plainKeys, { ok: false, code: 'chain' });
  variant('records-swapped', PLAIN, (b) => { [b.records[3], b.records[4]] = [b.records[4], b.records[3]]; }, plainKeys, { ok: false, code: 'chain' });
  variant('record-duplicated', PLAIN, (b) => { b.records.splice(2, 0, b.records[2]); }, plainKeys, { ok: false, code: 'chain' });
  variant('record-duplicated-replacing-last', PLAIN, (b) => { b.records[11] = b.records[10]; }, plainKeys, { ok: false, code: 'chain' });
  variant('entry-byte-flipped', PLAIN, (b) => { b.records[4].entry = flipBase64(b.records[4].entry, 40); }, plainKeys, { ok: false, code: 'inclusion' });
  variant('proof-hash-flipped', PLAIN, (b) => { b.records[4].proof[1] = flipBase64(b.records[4].proof[1], 7); }, plainKeys, { ok: false, code: 'inclusion' });
  variant('signer-proof-hash-flipped', PLAIN, (b) => { b.signers[2].proof[0] = flipBase64(b.signers[2].proof[0], 0); }, plainKeys, { ok: false, code: 'inclusion' });
  variant('index-entry-byte-flipped', PLAIN, (b) => { b.index_entry.entry = flipBase64(b.index_entry.entry, 10); }, plainKeys, { ok: false, code: 'inclusion' });
  variant('checkpoint-signature-flipped', PLAIN, (b) => { b.checkpoint = flipNoteSignature(b.checkpoint, 0); }, plainKeys, { ok: false, code: 'checkpoint' });
  variant('checkpoint-root-changed', PLAIN, (b) => {
    const lines = b.checkpoint.split('\n');
    lines[2] = flipBase64(lines[2], 3);
    b.checkpoint = lines.join('\n');
  }, plainKeys, { ok: false, code: 'checkpoint' });
  variant('index-proof-sibling-flipped', PLAIN, (b) => { b.index_proof = flipBase64(b.index_proof, 10); }, plainKeys, { ok: false, code: 'index_proof' });
  variant('index-proof-count-changed', PLAIN, (b) => { b.index_proof = flipBase64(b.index_proof, -1); }, plainKeys, { ok: false, code: 'index_proof' });
  variant('index-proof-truncated', PLAIN, (b) => { b.index_proof = encodeBase64(decodeBase64(b.index_proof).subarray(0, 40)); }, plainKeys, { ok: false, code: 'index_proof' });
  add('wrong-log-key-same-name', PLAIN, { logKey: OTHER_LOG }, { ok: false, code: 'checkpoint' });
  add('wrong-log-key-other-name', PLAIN, { logKey: OTHER_NAMED }, { ok: false, code: 'checkpoint' });
  add('witness-key-as-log-key', PLAIN, { logKey: W1 }, { ok: false, code: 'options' });
  variant('cosignature-removed', COSIGNED, (b) => { b.witnessed.checkpoint = removeNoteLine(b.witnessed.checkpoint, '\u2014 w2.example.org '); }, witnessKeys, { ok: false, code: 'quorum' });
  variant('cosignature-flipped', COSIGNED, (b) => { b.witnessed.checkpoint = flipNoteSignature(b.witnessed.checkpoint, 2); }, witnessKeys, { ok: false, code: 'quorum' });
  variant('cosignatures-moved-to-checkpoint', COSIGNED, (b) => {
    b.checkpoint = b.witnessed.checkpoint;
    b.witnessed = undefined;
  }, witnessKeys, { ok: true });
  add('witness-not-pinned', COSIGNED, { logKey: LOG_KEY, witnessKeys: [W1, W3], quorum: 2 }, { ok: false, code: 'quorum' });
  add('policy-on-uncosigned-checkpoint', PLAIN, witnessKeys, { ok: false, code: 'quorum' });
  add('impossible-quorum', COSIGNED, { logKey: LOG_KEY, witnessKeys: [W1, W2], quorum: 3 }, { ok: false, code: 'options' });
  add('zero-quorum', COSIGNED, { logKey: LOG_KEY, witnessKeys: [W1, W2], quorum: 0 }, { ok: false, code: 'options' });
  add('duplicate-witness-default-quorum', COSIGNED, { logKey: LOG_KEY, witnessKeys: [W1, W1] }, { ok: false, code: 'options' });
  variant('witnessed-log-signature-flipped', COSIGNED, (b) => { b.witnessed.checkpoint = flipNoteSignature(b.witnessed.checkpoint, 0); }, plainKeys, { ok: false, code: 'witnessed' });
  variant('witnessed-consistency-extra-hash', COSIGNED, (b) => { b.witnessed.consistency.push(b.records[0].proof[0]); }, plainKeys, { ok: false, code: 'witnessed' });
  variant('witnessed-consistency-not-base64', COSIGNED, (b) => { b.witnessed.consistency.push('not base64'); }, plainKeys, { ok: false, code: 'witnessed' });
  add('truncated-json', PLAIN.slice(0, Math.floor(PLAIN.length / 2)), plainKeys, { ok: false, code: 'json' });
  add('truncated-json-end', PLAIN.trimEnd().slice(0, -1), plainKeys, { ok: false, code: 'json' });
  // The proof for the real VIN ends at its leaf, which is on the path of
  // LVSHFFAL5DF123456 too: it proves that VIN absent, so the records are too many.
  variant('vin-changed-valid', PLAIN, (b) => { b.vin = 'LVSHFFAL5DF123456'; }, plainKeys, { ok: false, code: 'chain' });
  variant('vin-changed-check-digit', PLAIN, (b) => { b.vin = 'LGXCE4CB8S0123457'; }, plainKeys, { ok: false, code: 'vin' });
  variant('vin-lower-case', PLAIN, (b) => { b.vin = b.vin.toLowerCase(); }, plainKeys, { ok: false, code: 'vin' });

  // Further structure of the bundle.
  variant('format-changed', PLAIN, (b) => { b.format = 'vledger-history/v2'; }, plainKeys, { ok: false, code: 'format' });
  variant('unknown-field', PLAIN, (b) => { b.comment = 'hello'; }, plainKeys, { ok: false, code: 'json' });
  variant('unknown-entry-field', PLAIN, (b) => { b.records[0].note = 1; }, plainKeys, { ok: false, code: 'json' });
  variant('duplicate-field', PLAIN, (b) => dump(b).replace('"format": "vledger-history/v1",', '"format": "vledger-history/v1", "format": "vledger-history/v1",'), plainKeys, { ok: false, code: 'json' });
  variant('missing-signers', PLAIN, (b) => { delete b.signers; }, plainKeys, { ok: false, code: 'json' });
  variant('index-as-string', PLAIN, (b) => { b.records[0].index = '16'; }, plainKeys, { ok: false, code: 'json' });
  variant('index-as-float', PLAIN, (b) => dump(b).replace('"index": 16,', '"index": 16.0,'), plainKeys, { ok: false, code: 'json' });
  variant('index-huge', PLAIN, (b) => dump(b).replace('"index": 16,', '"index": 18446744073709551616,'), plainKeys, { ok: false, code: 'json' });
  variant('index-u64-max', PLAIN, (b) => dump(b).replace('"index": 16,', '"index": 18446744073709551615,'), plainKeys, { ok: false, code: 'inclusion' });
  variant('index-negative', PLAIN, (b) => dump(b).replace('"index": 16,', '"index": -16,'), plainKeys, { ok: false, code: 'json' });
  variant('trailing-comma', PLAIN, (b) => JSON.stringify(b).replace(/}$/, ',}'), plainKeys, { ok: false, code: 'json' });
  variant('lone-surrogate-escape', PLAIN, (b) => dump(b).replace('"vledger-history/v1"', '"vledger-history/v1\\ud800"'), plainKeys, { ok: false, code: 'json' });
  variant('record-at-wrong-index', PLAIN, (b) => { b.records[0].index = 17; }, plainKeys, { ok: false, code: 'inclusion' });
  variant('stale-index-entry', PLAIN, (b) => { b.index_entry = b.records[11]; }, plainKeys, { ok: false, code: 'index_entry' });
  variant('index-entry-index-changed', PLAIN, (b) => { b.index_entry.index = 38; }, plainKeys, { ok: false, code: 'index_entry' });
  variant('enrollment-removed', PLAIN, (b) => { b.signers.splice(1, 1); }, plainKeys, { ok: false, code: 'signer' });
  variant('genesis-removed', PLAIN, (b) => { b.signers.shift(); }, plainKeys, { ok: false, code: 'signer' });
  variant('record-as-signer', PLAIN, (b) => { b.signers.push(b.records[0]); }, plainKeys, { ok: false, code: 'signer' });
  variant('signers-duplicated', PLAIN, (b) => { b.signers = [...b.signers, ...b.signers.slice(1)]; }, plainKeys, { ok: true });
  variant('index-proof-not-base64', PLAIN, (b) => { b.index_proof += '='; }, plainKeys, { ok: false, code: 'encoding' });
  variant('entry-not-base64', PLAIN, (b) => { b.records[3].entry = b.records[3].entry.replace(/=*$/, ''); }, plainKeys, { ok: false, code: 'encoding' });
  // The absent VIN's proof ends at the real VIN's leaf: for the real VIN it
  // proves 12 records.
  variant('absence-claimed-for-present-vin', PLAIN, (b) => {
    b.index_proof = clone(ABSENT).index_proof;
    b.records = [];
  }, plainKeys, { ok: false, code: 'chain' });
  variant('records-added-to-absent', ABSENT, (b) => { b.records = clone(PLAIN).records; }, plainKeys, { ok: false, code: 'chain' });
  // JSON text forms.
  variant('escaped-key', PLAIN, (b) => dump(b).replace('"format":', '"\\u0066ormat":'), plainKeys, { ok: true });
  variant('escaped-slash-in-base64', PLAIN, (b) => dump(b).replace(/("entry": "[^"]*)\//, '$1\\/'), plainKeys, { ok: true });
  variant('tabs-and-carriage-returns', PLAIN, (b) => dump(b).replace(/\n {2}/g, '\r\n\t'), plainKeys, { ok: true });
  variant('form-feed-whitespace', PLAIN, (b) => dump(b).replace('{\n', '{\f\n'), plainKeys, { ok: false, code: 'json' });
  variant('no-break-space-whitespace', PLAIN, (b) => dump(b).replace('{\n', '{\u00a0\n'), plainKeys, { ok: false, code: 'json' });
  variant('index-leading-zero', PLAIN, (b) => dump(b).replace('"index": 16,', '"index": 016,'), plainKeys, { ok: false, code: 'json' });
  variant('index-exponent', PLAIN, (b) => dump(b).replace('"index": 16,', '"index": 1.6e1,'), plainKeys, { ok: false, code: 'json' });
  variant('index-minus-zero', ABSENT, (b) => dump(b).replace('"index": 0,', '"index": -0,'), plainKeys, { ok: false, code: 'json' });
  variant('witnessed-as-array', COSIGNED, (b) => { b.witnessed = [b.witnessed.checkpoint, b.witnessed.consistency]; }, witnessKeys, { ok: true });
  variant('witnessed-consistency-null', COSIGNED, (b) => { b.witnessed.consistency = null; }, witnessKeys, { ok: false, code: 'json' });
  variant('witnessed-missing-consistency', COSIGNED, (b) => { delete b.witnessed.consistency; }, witnessKeys, { ok: false, code: 'json' });
  variant('entry-as-array-too-long', PLAIN, (b) => { b.records[0] = [b.records[0].index, b.records[0].entry, b.records[0].proof, 1]; }, plainKeys, { ok: false, code: 'json' });
  variant('bundle-array-with-witnessed-null', PLAIN, (b) => JSON.stringify([
    b.format, b.vin, b.checkpoint, b.index_entry, b.index_proof, b.records, b.signers, null,
  ]), plainKeys, { ok: true });
  variant('string-with-escaped-control', PLAIN, (b) => { b.format = 'vledger-history/v1\u0000'; }, plainKeys, { ok: false, code: 'format' });
  add('garbage', 'this is not a bundle', plainKeys, { ok: false, code: 'json' });
  add('empty', '', plainKeys, { ok: false, code: 'json' });
  add('json-null', 'null', plainKeys, { ok: false, code: 'json' });
  add('json-empty-object', '{}', plainKeys, { ok: false, code: 'json' });
  add('byte-order-mark', `\ufeff${PLAIN}`, plainKeys, { ok: false, code: 'json' });
  return cases;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node test/corpus.mjs DIR');
    process.exit(2);
  }
  fs.mkdirSync(dir, { recursive: true });
  const manifest = buildCorpus().map((c) => {
    fs.writeFileSync(path.join(dir, `${c.name}.vhist.json`), c.bundle);
    return { name: c.name, file: `${c.name}.vhist.json`, options: c.options, expect: c.expect };
  });
  fs.writeFileSync(path.join(dir, 'cases.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`${manifest.length} cases written to ${dir}`);
}
