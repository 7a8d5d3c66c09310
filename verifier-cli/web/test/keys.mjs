// Deterministic test keys: Ed25519 key pairs from fixed seeds, their vkeys,
// and signing of notes, cosignatures and records as vledger does it.

import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { encodeBase64 } from '../src/base64.js';
import { concat, toHex, u64be } from '../src/bytes.js';

ed.hashes.sha512 = sha512;

const enc = new TextEncoder();

/** A signer from a one-byte seed pattern and a name; type 0x01 (note key) or 0x04 (cosigner). */
export function makeSigner(name, seedByte, type = 0x01) {
  const seed = new Uint8Array(32).fill(seedByte);
  const pub = ed.getPublicKey(seed);
  const keyId = sha256(concat(enc.encode(name), Uint8Array.of(0x0a, type), pub)).subarray(0, 4);
  return {
    name,
    seed,
    pub,
    type,
    keyId,
    vkey: `${name}+${toHex(keyId)}+${encodeBase64(concat(Uint8Array.of(type), pub))}`,
    sign: (msg) => ed.sign(msg, seed),
  };
}

/** A signed note of `text` (ending in a newline) by note keys. */
export function signNote(text, signers) {
  const lines = signers.map((s) => `\u2014 ${s.name} ${encodeBase64(concat(s.keyId, s.sign(enc.encode(text))))}\n`);
  return `${text}\n${lines.join('')}`;
}

/** A tlog-cosignature v1 line by a 0x04 signer over the note text at `timestamp` (BigInt). */
export function cosignLine(text, signer, timestamp) {
  const msg = concat(enc.encode(`cosignature/v1\ntime ${timestamp}\n`), enc.encode(text));
  return `\u2014 ${signer.name} ${encodeBase64(concat(signer.keyId, u64be(timestamp), signer.sign(msg)))}\n`;
}

const { Point } = ed;
export const L = Point.CURVE().n;
const le = (bytes) => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
const le32 = (n) => {
  const out = new Uint8Array(32);
  let v = n;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
};
const challenge = (R, A, msg) => le(sha512(concat(R, A, msg))) % L;

/** A point of order 8 and one of order 4 (y = 0). */
export const TORSION8 = (() => {
  // Any point P: [L]P is in the torsion subgroup; search small y for one of order 8.
  for (let y = 2; ; y++) {
    const bytes = le32(BigInt(y));
    let p;
    try {
      p = Point.fromBytes(bytes, true);
    } catch {
      continue;
    }
    const t = p.multiplyUnsafe(L - 1n).add(p);
    if (!t.multiplyUnsafe(4n).is0()) return t;
  }
})();
export const TORSION4_BYTES = new Uint8Array(32); // y = 0: a point of order 4

/** The secret scalar of a signer. */
export const scalarOf = (signer) => ed.utils.getExtendedPublicKey(signer.seed).scalar;

/**
 * A signer whose public key is A + T (a point of order 8 added): a key
 * with a small-order component that is not itself of small order.
 * Signatures are made as usual (R = rB, s = r + k a); they satisfy the
 * cofactored equation always, the cofactorless one only when 8 divides k.
 */
export function mixedOrderSigner(name, seedByte) {
  const base = makeSigner(name, seedByte);
  const a = scalarOf(base);
  const pub = Point.BASE.multiply(a).add(TORSION8).toBytes();
  const keyId = sha256(concat(enc.encode(name), Uint8Array.of(0x0a, 0x01), pub)).subarray(0, 4);
  return {
    ...base,
    pub,
    keyId,
    vkey: `${name}+${toHex(keyId)}+${encodeBase64(concat(Uint8Array.of(0x01), pub))}`,
    challenge: (msg, R) => challenge(R, pub, msg),
    sign: (msg) => {
      const r = le(sha512(concat(base.seed, msg))) % L;
      const R = Point.BASE.multiply(r).toBytes();
      const s = (r + challenge(R, pub, msg) * a) % L;
      return concat(R, le32(s));
    },
  };
}

/**
 * A "signature" of msg by signer with R (32 bytes) an encoding of a point
 * of small order and s = k a: it satisfies the cofactored equation, not
 * the cofactorless one.
 */
export function smallOrderRSignature(signer, msg, R = TORSION4_BYTES) {
  const s = (challenge(R, signer.pub, msg) * scalarOf(signer)) % L;
  return concat(R, le32(s));
}

/**
 * A signature of msg by signer with R = rB + T (T of order 8) and
 * s = r + k a as usual: [s]B - R - [k]A = -T, which the cofactor clears.
 * The record signature rule accepts it; verify_strict refuses it, since
 * [s]B - [k]A = rB is not R.
 */
export function mixedOrderRSignature(signer, msg, T = TORSION8) {
  const a = scalarOf(signer);
  const r = le(sha512(concat(signer.seed, Uint8Array.of(0x08), msg))) % L;
  const R = Point.BASE.multiply(r).add(T).toBytes();
  const s = (r + challenge(R, signer.pub, msg) * a) % L;
  return concat(R, le32(s));
}

/**
 * The identity (x = 0, y = 1) written with y = p + 1: bytes ee ff .. ff 7f.
 * It decodes (y is taken mod p), but it is not a canonical encoding.
 */
export const NON_CANONICAL_IDENTITY = Uint8Array.of(0xee, ...new Uint8Array(30).fill(0xff), 0x7f);

/** The same signature with s + L in place of s (a non-canonical scalar). */
export function nonCanonicalS(sig) {
  return concat(sig.subarray(0, 32), le32(le(sig.subarray(32)) + L));
}

export { concat, le32 };
