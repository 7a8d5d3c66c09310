// C2SP tlog-cosignature v1: a witness's cosignature line on a checkpoint
// note carries base64(key id || timestamp || signature), the timestamp being
// 8 bytes big-endian (at most 2^63 - 1) and the Ed25519 signature covering
//
//   "cosignature/v1\ntime <timestamp>\n" || note text

import { concat, readU64be, utf8 } from './bytes.js';
import { verifyStrict } from './ed25519.js';

export const MAX_TIMESTAMP = (1n << 63n) - 1n;

/** The message a v1 cosignature with `timestamp` (BigInt) signs over the note text bytes. */
export function cosignatureMessage(timestamp, text) {
  return concat(utf8(`cosignature/v1\ntime ${timestamp}\n`), text);
}

/**
 * Verifies the bytes after the key id of a v1 cosignature line; returns the
 * timestamp (BigInt) if it is `key`'s cosignature of `text`, else null.
 */
export function verifyCosignatureV1(key, text, signature) {
  if (signature.length !== 72) return null;
  const timestamp = readU64be(signature, 0);
  if (timestamp > MAX_TIMESTAMP) return null;
  return verifyStrict(key, cosignatureMessage(timestamp, text), signature.subarray(8)) ? timestamp : null;
}
