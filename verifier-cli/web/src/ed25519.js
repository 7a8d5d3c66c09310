// Ed25519 signature verification with exactly the rules of ed25519-dalek's
// `VerifyingKey::verify_strict`, which the Rust verifier uses everywhere.
//
// The curve arithmetic is @noble/ed25519's `Point`. Its own `verify` is not
// used, because it differs from verify_strict:
//
// - noble checks the cofactored equation [8]([s]B - R - [k]A) = O; dalek
//   checks the cofactorless one: the canonical encoding of [s]B - [k]A must
//   equal the 32 bytes of R. With a mixed-order key or R the two disagree.
// - noble (zip215: false) does not refuse a small-order R; dalek does.
// - noble (zip215: false) refuses a public key whose y coordinate is not
//   reduced (y >= p); dalek decodes it (and hashes its bytes as given), and
//   refuses only small-order keys. (noble's default, zip215: true, accepts
//   such encodings everywhere, R included.)
//
// So this module decodes points like curve25519-dalek's `decompress` (noble's
// `fromBytes` with zip215 = true: the top bit is the sign of x, y is taken
// mod p, "negative zero" x is accepted) and then applies verify_strict's
// checks itself:
//
// 1. the signature is 64 bytes and S < L (canonical scalar);
// 2. R decodes to a curve point, and neither R nor the key is of small order;
// 3. k = SHA-512(R bytes || key bytes || message) mod L;
// 4. encode([S]B - [k]A) == R bytes. A non-canonical encoding of R can never
//    equal an encoding the point arithmetic produces, so it is refused here.

import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual, concat, readLe } from './bytes.js';

/** The order of the prime-order subgroup (RFC 8032's L). */
export const L = Point.CURVE().n;

/** Decodes 32 bytes as a point like curve25519-dalek's decompress, or null. */
export function decodePoint(bytes) {
  if (!bytes || bytes.length !== 32) return null;
  try {
    return Point.fromBytes(bytes, true);
  } catch {
    return null;
  }
}

/**
 * A public key for verification: its 32 bytes as given and the decoded point.
 * Returns null for bytes that are not a point; the caller decides about weak keys.
 */
export function publicKey(bytes) {
  const point = decodePoint(bytes);
  return point ? { bytes: Uint8Array.from(bytes), point } : null;
}

/**
 * Whether `signature` (64 bytes) is a valid signature of `message` by `key`
 * (from publicKey()) under verify_strict's rules.
 */
export function verifyStrict(key, message, signature) {
  if (!signature || signature.length !== 64) return false;
  const rBytes = signature.subarray(0, 32);
  const s = readLe(signature.subarray(32, 64));
  if (s >= L) return false;
  const R = decodePoint(rBytes);
  if (!R) return false;
  if (R.isSmallOrder() || key.point.isSmallOrder()) return false;
  const k = readLe(sha512(concat(rBytes, key.bytes, message))) % L;
  const expected = Point.BASE.multiplyUnsafe(s).subtract(key.point.multiplyUnsafe(k));
  return bytesEqual(expected.toBytes(), rBytes);
}
