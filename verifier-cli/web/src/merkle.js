// RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proof
// verification. Leaf indices and tree sizes are BigInt (u64). Each function
// returns null when the proof verifies, else the reason in words.

import { bytesEqual } from './bytes.js';
import { nodeHash } from './hash.js';

const isPowerOfTwo = (n) => n > 0n && (n & (n - 1n)) === 0n;

/** Number of hashes in the inclusion proof of `index` in a tree of `size` (index < size). */
function inclusionProofLength(index, size) {
  let fnode = index;
  let snode = size - 1n;
  let len = 0;
  while (snode !== 0n) {
    if ((fnode & 1n) === 0n && fnode === snode) {
      while ((fnode & 1n) === 0n && fnode !== 0n) {
        fnode >>= 1n;
        snode >>= 1n;
      }
    }
    fnode >>= 1n;
    snode >>= 1n;
    len += 1;
  }
  return len;
}

/**
 * Verifies that `leaf` (a leaf hash) is leaf `index` of the tree of `size`
 * leaves whose root is `root`.
 */
export function verifyInclusion(leaf, index, size, proof, root) {
  if (index >= size) return `leaf index ${index} is not in a tree of size ${size}`;
  const expected = inclusionProofLength(index, size);
  if (proof.length !== expected) return `proof has ${proof.length} hashes, expected ${expected}`;
  let fnode = index;
  let snode = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if ((fnode & 1n) === 1n || fnode === snode) {
      r = nodeHash(p, r);
      if ((fnode & 1n) === 0n) {
        while ((fnode & 1n) === 0n && fnode !== 0n) {
          fnode >>= 1n;
          snode >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fnode >>= 1n;
    snode >>= 1n;
  }
  if (snode !== 0n) return `proof has ${proof.length} hashes, expected ${expected}`;
  return bytesEqual(r, root) ? null : 'proof does not lead to the claimed root';
}

function skipOnes(s) {
  while ((s.f & 1n) === 1n) {
    s.f >>= 1n;
    s.s >>= 1n;
  }
}

function skipZeros(s) {
  while ((s.f & 1n) === 0n && s.f !== 0n) {
    s.f >>= 1n;
    s.s >>= 1n;
  }
}

/** Number of hashes in the consistency proof for 0 < old < new. */
function consistencyProofLength(old, size) {
  const st = { f: old - 1n, s: size - 1n };
  skipOnes(st);
  let len = isPowerOfTwo(old) ? 0 : 1;
  while (st.s !== 0n) {
    if ((st.f & 1n) === 1n || st.f === st.s) skipZeros(st);
    st.f >>= 1n;
    st.s >>= 1n;
    len += 1;
  }
  return len;
}

/**
 * Verifies that the tree of `old` leaves with root `oldRoot` is a prefix of
 * the tree of `size` leaves with root `newRoot`. For old == size the proof
 * must be empty and the roots equal; old == 0 is refused (there is no proof
 * from the empty tree).
 */
export function verifyConsistency(old, size, oldRoot, newRoot, proof) {
  if (old > size) return `old tree size ${old} is larger than new tree size ${size}`;
  if (old === 0n) return 'no consistency proof exists from the empty tree';
  if (old === size) {
    if (proof.length !== 0) return `proof has ${proof.length} hashes, expected 0`;
    return bytesEqual(oldRoot, newRoot) ? null : 'proof does not lead to the claimed root';
  }
  const expected = consistencyProofLength(old, size);
  const wrongLength = `proof has ${proof.length} hashes, expected ${expected}`;
  if (proof.length !== expected) return wrongLength;
  let first;
  let rest;
  if (isPowerOfTwo(old)) {
    first = oldRoot;
    rest = proof;
  } else {
    first = proof[0];
    rest = proof.slice(1);
  }
  const st = { f: old - 1n, s: size - 1n };
  skipOnes(st);
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (st.s === 0n) return wrongLength;
    if ((st.f & 1n) === 1n || st.f === st.s) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      skipZeros(st);
    } else {
      sr = nodeHash(sr, c);
    }
    st.f >>= 1n;
    st.s >>= 1n;
  }
  if (st.s !== 0n) return wrongLength;
  if (!bytesEqual(fr, oldRoot)) return 'consistency proof does not lead to the claimed old root';
  if (!bytesEqual(sr, newRoot)) return 'proof does not lead to the claimed root';
  return null;
}
