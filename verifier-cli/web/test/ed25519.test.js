// Ed25519 is checked with two rules: ed25519-dalek's verify_strict (notes,
// cosignatures, verifier keys) and the record signature rule (record
// signatures: verify_strict's checks on the key, s and R, with the
// cofactored equation). These vectors show where each differs from
// @noble/ed25519's own verify, which the verifier therefore does not use,
// and where the two rules differ from each other.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as ed from '@noble/ed25519';
import { decodePoint, publicKey, verifyRecordSignature, verifyStrict } from '../src/ed25519.js';
import { parseVerifierKey } from '../src/vkey.js';
import { encodeBase64 } from '../src/base64.js';
import { concat, toHex } from '../src/bytes.js';
import { sha256 } from '../src/hash.js';
import {
  le32, makeSigner, mixedOrderRSignature, mixedOrderSigner, NON_CANONICAL_IDENTITY, nonCanonicalS,
  smallOrderRSignature, TORSION4_BYTES, TORSION8,
} from './keys.mjs';

const hex = (h) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const enc = new TextEncoder();
const key = (bytes) => publicKey(bytes);

// RFC 8032 section 7.1, tests 1 and 2.
const RFC = [
  {
    pub: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    pub: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];

const RULES = { verifyStrict, verifyRecordSignature };

/** The signature with bit `bit` of byte `byte` flipped. */
const flip = (sig, byte, bit = 0) => {
  const out = Uint8Array.from(sig);
  out[byte] ^= 1 << bit;
  return out;
};

test('RFC 8032 test vectors verify under both rules, and fail on another message', () => {
  for (const [name, verify] of Object.entries(RULES)) {
    for (const v of RFC) {
      assert.equal(verify(key(hex(v.pub)), hex(v.msg), hex(v.sig)), true, name);
      assert.equal(verify(key(hex(v.pub)), enc.encode('other'), hex(v.sig)), false, name);
    }
  }
});

test('a non-canonical S (S + L) is refused by both rules', () => {
  const v = RFC[1];
  const sig = nonCanonicalS(hex(v.sig));
  for (const [name, verify] of Object.entries(RULES)) {
    assert.equal(verify(key(hex(v.pub)), hex(v.msg), sig), false, name);
  }
  assert.equal(ed.verify(sig, hex(v.msg), hex(v.pub), { zip215: false }), false);
});

test('a flipped bit in R or in S is refused by both rules', () => {
  const signer = makeSigner('signer', 0x63);
  const msg = enc.encode('message');
  const sig = signer.sign(msg);
  const mixed = mixedOrderRSignature(signer, msg);
  assert.equal(verifyRecordSignature(key(signer.pub), msg, mixed), true);
  for (const [name, verify] of Object.entries(RULES)) {
    assert.equal(verify(key(signer.pub), msg, sig), true, name);
    for (const [byte, bit] of [[0, 0], [5, 3], [31, 6], [31, 7], [32, 0], [40, 4], [63, 0]]) {
      assert.equal(verify(key(signer.pub), msg, flip(sig, byte, bit)), false, `${name}: byte ${byte} bit ${bit}`);
      assert.equal(verify(key(signer.pub), msg, flip(mixed, byte, bit)), false, `${name}: mixed R, byte ${byte} bit ${bit}`);
    }
  }
});

test('S >= L is refused by both rules, for an R of either kind', () => {
  const signer = makeSigner('signer', 0x64);
  const msg = enc.encode('message');
  for (const sig of [signer.sign(msg), mixedOrderRSignature(signer, msg)]) {
    for (const [name, verify] of Object.entries(RULES)) {
      assert.equal(verify(key(signer.pub), msg, nonCanonicalS(sig)), false, name);
    }
  }
  // s = L exactly, and the largest 32-byte s.
  const R = signer.sign(msg).subarray(0, 32);
  for (const s of [ed.Point.CURVE().n, 2n ** 256n - 1n]) {
    assert.equal(verifyRecordSignature(key(signer.pub), msg, concat(R, le32(s))), false);
  }
});

test('a small-order public key is refused, though noble accepts it by default', () => {
  const identity = Uint8Array.of(1, ...new Uint8Array(31));
  // With A = O, R = [s]B satisfies the equation for every message.
  const s = 12345n;
  const sig = concat(ed.Point.BASE.multiply(s).toBytes(), le32(s));
  const msg = enc.encode('anything at all');
  assert.equal(ed.verify(sig, msg, identity), true, 'noble (zip215 default) accepts');
  for (const [name, verify] of Object.entries(RULES)) {
    assert.equal(verify(key(identity), msg, sig), false, name);
  }
  for (const weak of [identity, TORSION8.toBytes()]) {
    const text = `weak+${toHex(sha256(concat(enc.encode('weak'), Uint8Array.of(0x0a, 1), weak)).subarray(0, 4))}+${encodeBase64(concat(Uint8Array.of(1), weak))}`;
    assert.throws(() => parseVerifierKey(text), /weak/);
  }
});

test('a small-order R is refused by both rules, though noble (zip215: false) accepts it', () => {
  const signer = makeSigner('signer', 0x61);
  const msg = enc.encode('message');
  // R of order 4 (y = 0), of order 8, and the identity; s = k a, so the
  // cofactored equation holds.
  const identity = Uint8Array.of(1, ...new Uint8Array(31));
  for (const R of [TORSION4_BYTES, TORSION8.toBytes(), TORSION8.negate().toBytes(), identity]) {
    const sig = smallOrderRSignature(signer, msg, R);
    assert.equal(ed.verify(sig, msg, signer.pub, { zip215: false }), true, 'cofactored equation holds');
    for (const [name, verify] of Object.entries(RULES)) {
      assert.equal(verify(key(signer.pub), msg, sig), false, `${name}: R = ${toHex(R)}`);
    }
  }
});

test('a mixed-order R (rB + T, T of order 8) is accepted by the record signature rule, refused by verify_strict', () => {
  const signer = makeSigner('signer', 0x65);
  for (let n = 0; n < 16; n++) {
    const msg = enc.encode(`message ${n}`);
    const sig = mixedOrderRSignature(signer, msg);
    assert.equal(decodePoint(sig.subarray(0, 32)).isSmallOrder(), false);
    assert.equal(ed.verify(sig, msg, signer.pub, { zip215: false }), true, 'noble: cofactored, valid');
    assert.equal(verifyRecordSignature(key(signer.pub), msg, sig), true);
    assert.equal(verifyStrict(key(signer.pub), msg, sig), false);
    assert.equal(verifyRecordSignature(key(signer.pub), enc.encode('other'), sig), false);
  }
  // With a torsion point of order 4 or 2 as well.
  const msg = enc.encode('message');
  for (const T of [decodePoint(TORSION4_BYTES), TORSION8.multiplyUnsafe(4n)]) {
    const sig = mixedOrderRSignature(signer, msg, T);
    assert.equal(verifyRecordSignature(key(signer.pub), msg, sig), true);
    assert.equal(verifyStrict(key(signer.pub), msg, sig), false);
  }
});

test('a non-canonical R (the identity written with y = p + 1) is refused, though its equation holds', () => {
  const signer = makeSigner('signer', 0x66);
  const msg = enc.encode('message');
  const R = NON_CANONICAL_IDENTITY;
  assert.ok(decodePoint(R).is0(), 'decodes, y taken mod p');
  const sig = smallOrderRSignature(signer, msg, R);
  assert.equal(ed.verify(sig, msg, signer.pub), true, 'noble (zip215 default): cofactored equation holds');
  for (const [name, verify] of Object.entries(RULES)) {
    assert.equal(verify(key(signer.pub), msg, sig), false, name);
  }
});

test('a mixed-order key: verify_strict accepts only when 8 divides k, the record signature rule always', () => {
  const signer = mixedOrderSigner('mixed', 0x62);
  let seen = { divisible: false, not: false };
  for (let n = 0; n < 64 && !(seen.divisible && seen.not); n++) {
    const msg = enc.encode(`message ${n}`);
    const sig = signer.sign(msg);
    const divisible = signer.challenge(msg, sig.subarray(0, 32)) % 8n === 0n;
    assert.equal(ed.verify(sig, msg, signer.pub, { zip215: false }), true, 'noble: cofactored, always valid');
    assert.equal(verifyStrict(key(signer.pub), msg, sig), divisible);
    assert.equal(verifyRecordSignature(key(signer.pub), msg, sig), true);
    assert.equal(verifyRecordSignature(key(signer.pub), enc.encode('other'), sig), false);
    seen = divisible ? { ...seen, divisible: true } : { ...seen, not: true };
  }
  assert.deepEqual(seen, { divisible: true, not: true });
});

test('points decode like curve25519-dalek: unreduced y and negative zero x are accepted', () => {
  const p = 2n ** 255n - 19n;
  // The smallest y > 1 that is on the curve, written as y + p.
  let y = 2n;
  while (decodePoint(le32(y)) === null) y++;
  const unreduced = le32(y + p);
  assert.ok(decodePoint(unreduced).equals(decodePoint(le32(y))));
  assert.throws(() => ed.Point.fromBytes(unreduced, false));
  // x = 0 with the sign bit set: the identity, decoded (and then refused as weak).
  const negZero = Uint8Array.of(1, ...new Uint8Array(30), 0x80);
  assert.ok(decodePoint(negZero).is0());
  // Not on the curve.
  assert.equal(decodePoint(le32(2n)), null);
});

test('signatures of the wrong length are refused by both rules', () => {
  const v = RFC[0];
  for (const [name, verify] of Object.entries(RULES)) {
    assert.equal(verify(key(hex(v.pub)), hex(v.msg), hex(v.sig).subarray(0, 63)), false, name);
    assert.equal(verify(key(hex(v.pub)), hex(v.msg), concat(hex(v.sig), Uint8Array.of(0))), false, name);
  }
});
