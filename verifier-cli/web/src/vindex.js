// The VIN index: a sparse Merkle tree keyed by SHA-256(VIN), whose leaf for
// a VIN holds its head (latest entry's leaf index and leaf hash, and its
// number of records). Proofs, their compact encoding and their verification.
//
//   leaf hash:     SHA-256(0x02 || key || index:u64 || leaf_hash || count:u64)
//   interior hash: SHA-256(0x03 || left || right)
//   empty subtree: 32 zero bytes
//
// Compact proof: depth:u16, a bitmap of depth bits (most significant first,
// set for a non-empty sibling), the non-empty siblings, then 0x00 (empty
// terminal) or 0x01 || key || index:u64 || leaf_hash || count:u64 (leaf).
// Decoding is strict: padding bits zero, empty siblings elided, nothing after.

import { bytesEqual, readU64be, u64be, utf8 } from './bytes.js';
import { fail } from './errors.js';
import { sha256 } from './hash.js';

const KEY_BITS = 256;
const EMPTY = new Uint8Array(32);
const isEmpty = (h) => bytesEqual(h, EMPTY);

/** The index key of a VIN: SHA-256 of its 17 ASCII characters. */
export function indexKey(vin) {
  return sha256(utf8(vin));
}

function bit(key, i) {
  return ((key[i >> 3] >> (7 - (i & 7))) & 1) === 1;
}

function leafHash(key, value) {
  return sha256(Uint8Array.of(0x02), key, u64be(value.index), value.leafHash, u64be(value.count));
}

function interiorHash(left, right) {
  return sha256(Uint8Array.of(0x03), left, right);
}

/** Decodes a compact proof: { siblings, terminal } with terminal null (empty) or { key, value }. */
export function decodeIndexProof(bytes) {
  let at = 0;
  const take = (n) => {
    if (bytes.length - at < n) fail('index_proof', 'index proof is truncated');
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const d = take(2);
  const depth = (d[0] << 8) | d[1];
  if (depth > KEY_BITS) fail('index_proof', `index proof depth ${depth} is over 256`);
  const bitmap = take(Math.ceil(depth / 8));
  if (depth % 8 !== 0 && (bitmap[depth >> 3] & (0xff >> (depth % 8))) !== 0) {
    fail('index_proof', 'index proof bitmap has bits set past its depth');
  }
  const siblings = [];
  for (let i = 0; i < depth; i++) {
    if (bitmap[i >> 3] & (0x80 >> (i % 8))) {
      const h = take(32);
      if (isEmpty(h)) fail('index_proof', 'index proof lists an empty sibling that must be elided');
      siblings.push(h);
    } else {
      siblings.push(EMPTY);
    }
  }
  const tag = take(1)[0];
  let terminal;
  if (tag === 0) {
    terminal = null;
  } else if (tag === 1) {
    const key = take(32);
    const v = take(48);
    terminal = { key, value: { index: readU64be(v, 0), leafHash: v.subarray(8, 40), count: readU64be(v, 40) } };
  } else {
    fail('index_proof', `index proof terminal tag ${tag} is neither 0 (empty) nor 1 (leaf)`);
  }
  if (at !== bytes.length) fail('index_proof', 'index proof has trailing bytes');
  return { siblings, terminal };
}

/**
 * Checks a proof for `key` against `root`; returns the key's value
 * { index, leafHash, count } (membership), or null (non-membership).
 */
export function verifyIndexProof(proof, key, root) {
  const depth = proof.siblings.length;
  if (depth > KEY_BITS) fail('index_proof', `index proof is ${depth} levels deep; keys have 256 bits`);
  let hash;
  let value = null;
  if (proof.terminal === null) {
    hash = EMPTY;
  } else {
    const { key: k, value: v } = proof.terminal;
    const same = bytesEqual(k, key);
    if (!same) {
      for (let i = 0; i < depth; i++) {
        if (bit(k, i) !== bit(key, i)) fail('index_proof', 'index proof ends at a leaf that is not on the key\'s path');
      }
    }
    hash = leafHash(k, v);
    if (same) value = v;
  }
  for (let d = depth - 1; d >= 0; d--) {
    hash = bit(key, d) ? interiorHash(proof.siblings[d], hash) : interiorHash(hash, proof.siblings[d]);
  }
  if (!bytesEqual(hash, root)) fail('index_proof', 'index proof does not lead to the index root');
  return value;
}
