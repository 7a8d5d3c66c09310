// Ed25519 signature verification with exactly the two rules the Rust
// verifier uses:
//
// - ed25519-dalek's `VerifyingKey::verify_strict` (verifyStrict), for the
//   signatures on checkpoints and other signed notes, cosignatures and
//   verifier keys;
// - the record signature rule (verifyRecordSignature), for the signature
//   on a record inside a log entry (docs/formats.md, "The record signature
//   rule"; ledger/records/src/signature.rs). It keeps verify_strict's
//   checks on the key, s and R, but its equation is the cofactored one of
//   ZIP 215, as ed25519-zebra implements it: the Rust side checks record
//   signatures many at a time, and only with the cofactored equation does a
//   batch give every signature the verdict it gets checked alone.
//
// The curve arithmetic is @noble/ed25519's `Point`. Its own `verify` is not
// used, because it differs from both rules:
//
// - noble checks the cofactored equation [8]([s]B - R - [k]A) = O;
//   verify_strict checks the cofactorless one: the canonical encoding of
//   [s]B - [k]A must equal the 32 bytes of R. With a mixed-order key or R
//   the two disagree. (The record signature rule uses the cofactored one.)
// - noble (zip215: false) does not refuse a small-order R; both rules do.
// - noble (zip215: false) refuses a public key whose y coordinate is not
//   reduced (y >= p); dalek decodes it (and hashes its bytes as given), and
//   refuses only small-order keys. (noble's default, zip215: true, accepts
//   such encodings everywhere, R included.)
//
// So this module decodes points like curve25519-dalek's `decompress` (noble's
// `fromBytes` with zip215 = true: the top bit is the sign of x, y is taken
// mod p, "negative zero" x is accepted) and then applies each rule's checks
// itself. verify_strict:
//
// 1. the signature is 64 bytes and s < L (canonical scalar);
// 2. R decodes to a curve point, and neither R nor the key is of small order;
// 3. k = SHA-512(R bytes || key bytes || message) mod L;
// 4. encode([s]B - [k]A) == R bytes. A non-canonical encoding of R can never
//    equal an encoding the point arithmetic produces, so it is refused here.
//
// The record signature rule:
//
// 1. the signature is 64 bytes and s < L;
// 2. R's encoding is canonical (y < p, the sign bit aside), R decodes to a
//    curve point, and neither R nor the key is of small order (a record's
//    key is refused as weak already where it is read: record.js);
// 3. k = SHA-512(R bytes || key bytes || message) mod L;
// 4. [8]([s]B - R - [k]A) is the identity.
//
// Every signature verify_strict accepts passes the record signature rule.
// The rule accepts in addition signatures whose R or key has a small-order
// component that the cofactor clears (R = rB + T with T of small order, or
// a key aB + T), which only the key's holder can make.

import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual, concat, readLe } from './bytes.js';

/** The order of the prime-order subgroup (RFC 8032's L). */
export const L = Point.CURVE().n;

/** The field's prime, p = 2^255 - 19. */
const P = Point.CURVE().p;

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

/**
 * Whether `signature` (64 bytes) is a valid signature of `message` by `key`
 * (from publicKey()) under the record signature rule.
 */
export function verifyRecordSignature(key, message, signature) {
  if (!signature || signature.length !== 64) return false;
  const rBytes = signature.subarray(0, 32);
  const s = readLe(signature.subarray(32, 64));
  if (s >= L) return false;
  // y is R's bytes with the sign bit (bit 255) cleared.
  const y = readLe(rBytes) & ((1n << 255n) - 1n);
  if (y >= P) return false;
  const R = decodePoint(rBytes);
  if (!R) return false;
  if (R.isSmallOrder() || key.point.isSmallOrder()) return false;
  const k = readLe(sha512(concat(rBytes, key.bytes, message))) % L;
  return Point.BASE.multiplyUnsafe(s)
    .subtract(R)
    .subtract(key.point.multiplyUnsafe(k))
    .clearCofactor()
    .is0();
}
