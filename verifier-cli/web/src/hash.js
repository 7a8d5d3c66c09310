// SHA-256 and the RFC 6962 leaf and node hashes.

import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concat } from './bytes.js';

export function sha256(...parts) {
  return nobleSha256(concat(...parts));
}

/** RFC 6962 leaf hash: SHA-256(0x00 || data). */
export function leafHash(data) {
  return sha256(Uint8Array.of(0x00), data);
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left, right) {
  return sha256(Uint8Array.of(0x01), left, right);
}
