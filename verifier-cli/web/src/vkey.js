// Verifier keys ("vkeys") of c2sp.org/signed-note:
//
//   <name>+<hex key id>+<base64(type || 32-byte Ed25519 public key)>
//
// with key id = SHA-256(name || "\n" || type || public key)[:4]. Type 0x01 is
// a plain Ed25519 note key (the log key); type 0x04 is a C2SP
// tlog-cosignature v1 witness key. Parsing is strict: a valid name, 8
// lower-case hex digits that match the key, a known type, 32 bytes that are
// an Ed25519 point and not a weak (small-order) one.

import { decodeBase64, encodeBase64 } from './base64.js';
import { bytesEqual, toHex, utf8 } from './bytes.js';
import { publicKey, verifyStrict } from './ed25519.js';
import { fail } from './errors.js';
import { sha256 } from './hash.js';
import { checkName } from './text.js';
import { verifyCosignatureV1 } from './cosignature.js';

export const KEY_TYPE_ED25519 = 0x01;
export const KEY_TYPE_COSIGNATURE_V1 = 0x04;

/** The 4-byte key id of a name, type and public key. */
export function keyId(name, type, key) {
  return sha256(utf8(name), Uint8Array.of(0x0a, type), key).subarray(0, 4);
}

/**
 * Parses a vkey. Returns { name, keyId, type, key, text } where key is
 * { bytes, point } for ed25519.js.
 */
export function parseVerifierKey(text) {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) fail('key', 'key must have the form <name>+<hex key id>+<base64 key>');
  const name = text.slice(0, first);
  const id = text.slice(first + 1, second);
  const data64 = text.slice(second + 1);
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(id)) fail('key', 'key id must be 8 lower-case hex digits');
  const data = decodeBase64(data64);
  if (data === null) fail('key', 'key data is not valid base64');
  if (data.length === 0) fail('key', 'key data is empty');
  const type = data[0];
  if (type !== KEY_TYPE_ED25519 && type !== KEY_TYPE_COSIGNATURE_V1) {
    fail('key', `unsupported key type 0x${type.toString(16).padStart(2, '0')} (expected 0x01, Ed25519, or 0x04, an Ed25519 cosignature key)`);
  }
  const material = data.subarray(1);
  if (material.length !== 32) fail('key', `Ed25519 key must be 32 bytes, got ${material.length}`);
  const computed = keyId(name, type, material);
  if (toHex(computed) !== id) {
    fail('key', `key id ${id} does not match the key (computed ${toHex(computed)})`);
  }
  const key = publicKey(material);
  if (!key) fail('key', 'public key is not a valid Ed25519 point');
  if (key.point.isSmallOrder()) fail('key', 'public key is a weak (small-order) Ed25519 point');
  return {
    name,
    keyId: computed,
    type,
    key,
    text: `${name}+${id}+${encodeBase64(data)}`,
  };
}

/** Whether two parsed verifier keys are the same key (name, id, type and bytes). */
export function sameKey(a, b) {
  return a.name === b.name && a.type === b.type && bytesEqual(a.keyId, b.keyId)
    && bytesEqual(a.key.bytes, b.key.bytes);
}

/**
 * Whether `signature` (the bytes after the key id on a signature line) is
 * this key's signature of the note text bytes `text`. For a cosignature key
 * it is the 8-byte timestamp and the signature of the cosignature/v1 message.
 */
export function verifyWithKey(vkey, text, signature) {
  if (vkey.type === KEY_TYPE_ED25519) {
    return signature.length === 64 && verifyStrict(vkey.key, text, signature);
  }
  return verifyCosignatureV1(vkey.key, text, signature) !== null;
}

