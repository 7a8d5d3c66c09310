// The text and binary formats: base64, Merkle proofs, the VIN index proof,
// signed notes, checkpoints, verifier keys, VINs and the bundle JSON.

import test from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64, encodeBase64 } from '../src/base64.js';
import { parseBundle } from '../src/bundle.js';
import { concat } from '../src/bytes.js';
import { parseCheckpointText } from '../src/checkpoint.js';
import { leafHash } from '../src/hash.js';
import { verifyConsistency, verifyInclusion } from '../src/merkle.js';
import { parseNote } from '../src/note.js';
import { decodeIndexProof } from '../src/vindex.js';
import { parseVin } from '../src/vin.js';
import { parseVerifierKey } from '../src/vkey.js';
import { LOG_KEY, readFixture, W1 } from './helpers.mjs';
import { mth } from './synth.mjs';

test('base64 is decoded canonically', () => {
  assert.deepEqual(decodeBase64('AA=='), Uint8Array.of(0));
  assert.deepEqual(decodeBase64(''), new Uint8Array(0));
  assert.deepEqual(decodeBase64('/+8='), Uint8Array.of(0xff, 0xef));
  for (const bad of ['AB==', 'AA', 'AA=', 'AA=== ', 'A-==', 'AAA', 'A===', '====', 'AA==AA==', ' AAAA', 'AAA\n']) {
    assert.equal(decodeBase64(bad), null, bad);
  }
  for (let n = 0; n < 40; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    assert.deepEqual(decodeBase64(encodeBase64(b)), b);
    assert.equal(encodeBase64(b), Buffer.from(b).toString('base64'));
  }
});

// RFC 6962 proofs over trees of leaves "0", "1", ... built with the reference recursion.
const leaves = (n) => Array.from({ length: n }, (_, i) => leafHash(Uint8Array.of(i)));
function path(m, h) {
  if (h.length <= 1) return [];
  let k = 1;
  while (k * 2 < h.length) k *= 2;
  return m < k ? [...path(m, h.slice(0, k)), mth(h.slice(k))] : [...path(m - k, h.slice(k)), mth(h.slice(0, k))];
}
function subproof(m, h, b) {
  if (m === h.length) return b ? [] : [mth(h)];
  let k = 1;
  while (k * 2 < h.length) k *= 2;
  return m <= k ? [...subproof(m, h.slice(0, k), b), mth(h.slice(k))] : [...subproof(m - k, h.slice(k), false), mth(h.slice(0, k))];
}

test('inclusion proofs verify for every leaf of trees up to 33 leaves', () => {
  for (let n = 1; n <= 33; n++) {
    const h = leaves(n);
    const root = mth(h);
    for (let m = 0; m < n; m++) {
      const proof = path(m, h);
      assert.equal(verifyInclusion(h[m], BigInt(m), BigInt(n), proof, root), null);
      assert.notEqual(verifyInclusion(h[(m + 1) % n], BigInt(m), BigInt(n), proof, root), n === 1 ? 'x' : null);
      assert.match(verifyInclusion(h[m], BigInt(m), BigInt(n), [...proof, root], root), /expected/);
    }
    assert.match(verifyInclusion(h[0], BigInt(n), BigInt(n), [], root), /not in a tree/);
  }
});

test('consistency proofs verify for every pair of sizes up to 33', () => {
  for (let n = 1; n <= 33; n++) {
    const h = leaves(n);
    for (let m = 1; m <= n; m++) {
      const proof = subproof(m, h, true);
      const oldRoot = mth(h.slice(0, m));
      assert.equal(verifyConsistency(BigInt(m), BigInt(n), oldRoot, mth(h), proof), null, `${m} -> ${n}`);
      if (m < n) assert.notEqual(verifyConsistency(BigInt(m), BigInt(n), mth(h), mth(h), proof), null);
    }
  }
  assert.match(verifyConsistency(0n, 5n, new Uint8Array(32), new Uint8Array(32), []), /empty tree/);
  assert.match(verifyConsistency(6n, 5n, new Uint8Array(32), new Uint8Array(32), []), /larger/);
});

test('index proofs are decoded strictly', () => {
  const h = new Uint8Array(32).fill(7);
  const leaf = concat(Uint8Array.of(1), new Uint8Array(32), new Uint8Array(48));
  assert.equal(decodeIndexProof(Uint8Array.of(0, 0, 0)).terminal, null);
  assert.equal(decodeIndexProof(concat(Uint8Array.of(0, 1, 0x80), h, Uint8Array.of(0))).siblings.length, 1);
  assert.equal(decodeIndexProof(concat(Uint8Array.of(0, 0), leaf)).terminal.value.count, 0n);
  const refused = (b, pattern) => assert.throws(() => decodeIndexProof(b), pattern);
  refused(Uint8Array.of(0, 0), /truncated/);
  refused(Uint8Array.of(0, 0, 0, 0), /trailing/);
  refused(Uint8Array.of(0, 0, 2), /terminal tag/);
  refused(Uint8Array.of(1, 1, 0), /over 256/);
  refused(concat(Uint8Array.of(0, 1, 0x40), Uint8Array.of(0)), /past its depth/);
  refused(concat(Uint8Array.of(0, 1, 0x80), new Uint8Array(32), Uint8Array.of(0)), /empty sibling/);
  refused(concat(Uint8Array.of(0, 0), leaf.subarray(0, 80)), /truncated/);
});

test('signed notes are parsed strictly', () => {
  const note = readFixture('example-cosigned.vhist.json') && JSON.parse(readFixture('example-cosigned.vhist.json')).witnessed.checkpoint;
  const parsed = parseNote(note);
  assert.equal(parsed.signatures.length, 3);
  assert.equal(parsed.text.split('\n').length, 4);
  const refused = (text, pattern) => assert.throws(() => parseNote(text), pattern);
  refused(note.replace('\n\n', '\n'), /no blank line/);
  refused(note.slice(0, -1), /newline/);
  refused(note.replace('\u2014 w1', '- w1'), /em dash/);
  refused(note.replace('ledger.example.com/vehicles\n', 'ledger.example.com/vehicles\t\n'), /control character/);
  refused(`${note.split('\n\n')[0]}\n\n`, /no signature lines/);
  refused(note.replace('\u2014 w1.example.org ', '\u2014 w1+x '), /'\+'/);
  refused(note.replace(/\u2014 w1.example.org \S+/, '\u2014 w1.example.org AAAA'), /shorter/);
  const line = note.split('\n').find((l) => l.startsWith('\u2014 w1'));
  refused(note + `${line}\n`.repeat(98), /more than 100/);
  assert.equal(parseNote(note + `${line}\n`.repeat(97)).signatures.length, 100);
  refused(`${'a'.repeat(128 * 1024)}\n\n${line}\n`, /limit/);
});

test('checkpoint texts are parsed strictly', () => {
  const root = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
  assert.equal(parseCheckpointText(`o\n18446744073709551615\n${root}\n`).size, 2n ** 64n - 1n);
  const refused = (text, pattern) => assert.throws(() => parseCheckpointText(text), pattern);
  refused(`o\n1\n${root}`, /newline/);
  refused(`\n1\n${root}\n`, /origin is empty/);
  refused('o\n', /tree size is missing/);
  refused('o\n1\n', /root hash is missing/);
  refused(`o\n01\n${root}\n`, /leading zero/);
  refused(`o\n+1\n${root}\n`, /not a decimal/);
  refused(`o\n18446744073709551616\n${root}\n`, /64 bits/);
  refused('o\n1\nAAAA\n', /3 bytes/);
  refused(`o\n1\n${root}\next\n`, /extension lines/);
  refused(`o\n1\n${root}\n\n`, /extension lines/);
});

test('verifier keys are parsed strictly', () => {
  assert.equal(parseVerifierKey(LOG_KEY.trim()).name, 'ledger.example.com/vehicles');
  assert.equal(parseVerifierKey(W1.trim()).type, 4);
  const [name, id] = LOG_KEY.trim().split('+');
  const data = LOG_KEY.trim().slice(name.length + id.length + 2);
  const refused = (text, pattern) => assert.throws(() => parseVerifierKey(text), pattern);
  refused(`${name}+${id}`, /form/);
  refused(`${name}+${id.toUpperCase()}+${data}`, /lower-case hex/);
  refused(`${name}+00000000+${data}`, /does not match/);
  refused(`${name} x+${id}+${data}`, /space/);
  refused(`+${id}+${data}`, /empty/);
  refused(`${name}+${id}+${data}=`, /base64/);
  const other = Buffer.from(data, 'base64');
  other[0] = 2;
  refused(`${name}+${id}+${other.toString('base64')}`, /unsupported key type/);
});

test('VINs', () => {
  for (const ok of ['LGXCE4CB8S0123456', '1M8GDM9AXKP042788', 'WBA71DC010CH14702', 'JTHBK1GG5E2138885']) parseVin(ok);
  for (const bad of ['1M8GDM9AXKP04278', '1M8GDM9AXKP042789', '1m8gdm9axkp042788', '1M8GDM9AXKP04278O', '1M8GDM9A6UP042788', 'WVWZZZ1JZXW00000\u00e9']) {
    assert.throws(() => parseVin(bad), undefined, bad);
  }
});

test('the bundle JSON is read as serde_json reads it', () => {
  const text = readFixture('absent.vhist.json');
  const b = parseBundle(text);
  assert.equal(b.index_entry.index, 39n);
  assert.equal(b.witnessed, null);
  const refused = (t, pattern) => assert.throws(() => parseBundle(t), pattern);
  refused(`${text} x`, /trailing characters/);
  assert.equal(parseBundle(text.replace('"vin":', '"vin"\t :')).vin, 'LVSHFFAL5DF123456');
  refused(text.replace('"format": "vledger-history/v1"', '"format": "a\u0001b"'), /control character/);
  refused(text.replace('"format": "vledger-history/v1"', '"format": "\\x"'), /invalid escape/);
  refused(text.replace('"format": "vledger-history/v1"', '"format": "\\udc00"'), /surrogate/);
  assert.equal(parseBundle(text.replace('"format": "vledger-history/v1"', '"format": "\\ud83d\\ude97"')).format, '\u{1F697}');
  refused(new Uint8Array([0x7b, 0xff]), /UTF-8/);
  refused(42, /expected the text/);
});
