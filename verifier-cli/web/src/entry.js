// Entries, the leaves of the log: decoding and validation as Entry::decode
// does it, including the record signature by the public key in the
// SignedRecord, Ed25519 under the record signature rule (cofactored
// equation, see ed25519.js) over the message of the record's version, told
// by its origin field (docs/formats.md):
//
//   version 2, origin present:  "vledger/record/v2\n" || origin || "\n" || record bytes
//   version 1, no origin:       "vledger/record/v1\n" || record bytes
//
// A version 2 record names the log it was signed for; history.js refuses
// one that names another log than the checkpoint's. The entry bytes must
// be the canonical encoding (see protobuf.js).

import { bytesEqual, concat, utf8 } from './bytes.js';
import { verifyRecordSignature } from './ed25519.js';
import { VerifyError } from './errors.js';
import { fieldError } from './fields.js';
import { flagFromProto } from './flags.js';
import { decodeMessage } from './protobuf.js';
import * as S from './proto-schema.js';
import { decodeRecord, publicKeyFromBytes } from './record.js';

export const RECORD_SIGNATURE_PREFIX = utf8('vledger/record/v1\n');
export const BOUND_RECORD_SIGNATURE_PREFIX = utf8('vledger/record/v2\n');
export const MAX_RECORD_SIZE = 64 * 1024;
export const MAX_ORIGIN_LEN = 1024;

/** The bytes a record signature is over, for origin (a string) or null. */
export function signedMessage(origin, recordBytes) {
  return origin === null
    ? concat(RECORD_SIGNATURE_PREFIX, recordBytes)
    : concat(BOUND_RECORD_SIGNATURE_PREFIX, utf8(origin), utf8('\n'), recordBytes);
}

// Control characters as Rust's char::is_control: C0, DEL and C1.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Validates a SignedRecord message: { record, key, origin }. */
function signedRecord(m) {
  if (m.record.length > MAX_RECORD_SIZE) fieldError('signed.record', `is longer than ${MAX_RECORD_SIZE} bytes`);
  const origin = m.origin === '' ? null : m.origin;
  if (origin !== null) {
    if (utf8(origin).length > MAX_ORIGIN_LEN) fieldError('signed.origin', `is longer than ${MAX_ORIGIN_LEN} bytes`);
    if (CONTROL.test(origin)) fieldError('signed.origin', 'contains a control character');
  }
  const key = publicKeyFromBytes('signed.public_key', m.public_key);
  if (m.signature.length !== 64) fieldError('signed.signature', 'is not a 64-byte Ed25519 signature');
  const record = decodeRecord(m.record);
  if (!verifyRecordSignature(key, signedMessage(origin, m.record), m.signature)) {
    fieldError('signed.signature', 'does not verify');
  }
  return { record, key, origin };
}

/**
 * Refuses a record entry whose record was signed for another log than
 * `origin`, as Entry::check_logged_in does; a version 1 record names no
 * log and passes.
 */
export function checkLoggedIn(entry, origin) {
  if (entry.type === 'record' && entry.signedOrigin !== null && entry.signedOrigin !== origin) {
    fieldError('signed.origin', `the record was signed for the log ${JSON.stringify(entry.signedOrigin)}, not for this log ${JSON.stringify(origin)}`);
  }
}

function vinChain(c) {
  let previous = null;
  const hasHash = c.previous_leaf_hash.length > 0;
  if (c.previous_index !== null && hasHash) {
    if (c.previous_leaf_hash.length !== 32) fieldError('entry.record.chain.previous_leaf_hash', 'is not a 32-byte hash');
    previous = { index: c.previous_index, leafHash: c.previous_leaf_hash };
  } else if (c.previous_index === null && hasHash) {
    fieldError('entry.record.chain.previous_leaf_hash', 'is inconsistent with previous_index');
  } else if (c.previous_index !== null && !hasHash) {
    fieldError('entry.record.chain.previous_leaf_hash', 'is missing');
  }
  if ((c.sequence === 0n) !== (previous === null)) {
    fieldError('entry.record.chain.sequence', 'is inconsistent with previous_index');
  }
  return { sequence: c.sequence, previous };
}

/**
 * Decodes and validates leaf bytes. Returns { loggedAtMs, type, ... }:
 * type "genesis" with { origin, logKey, adminKey, recoveryKey (or null) }, "index" with
 * { root, treeSize, vinCount }, or "record" with { record, key,
 * signedOrigin (null for a version 1 record), chain, flags }.
 */
export function decodeEntry(bytes) {
  let m;
  try {
    m = decodeMessage(bytes, S.Entry);
  } catch (e) {
    if (e instanceof VerifyError) fieldError('entry', e.message);
    throw e;
  }
  if (m.body === null) fieldError('entry.body', 'is missing');
  const v = m.body.value;
  const out = { loggedAtMs: m.logged_at_ms, type: m.body.kind };
  if (m.body.kind === 'genesis') {
    out.origin = v.origin;
    out.logKey = publicKeyFromBytes('entry.genesis.log_public_key', v.log_public_key);
    out.adminKey = publicKeyFromBytes('entry.genesis.admin_public_key', v.admin_public_key);
    out.recoveryKey = null;
    if (v.recovery_public_key.length > 0) {
      out.recoveryKey = publicKeyFromBytes('entry.genesis.recovery_public_key', v.recovery_public_key);
      if (bytesEqual(out.recoveryKey.bytes, out.adminKey.bytes)) {
        fieldError('entry.genesis.recovery_public_key', 'is inconsistent with the admin key: a key holds one role');
      }
    }
  } else if (m.body.kind === 'record') {
    if (v.signed === null) fieldError('entry.record.signed', 'is missing');
    const { record, key, origin } = signedRecord(v.signed);
    const chain = v.chain === null ? null : vinChain(v.chain);
    if ((chain !== null) !== (record.vin !== null)) {
      fieldError('entry.record.chain', 'is inconsistent with record.vin');
    }
    out.record = record;
    out.key = key;
    out.signedOrigin = origin;
    out.chain = chain;
    out.flags = v.flags.map(flagFromProto);
  } else {
    if (v.root.length !== 32) fieldError('entry.index.root', 'is not a 32-byte hash');
    out.root = v.root;
    out.treeSize = v.tree_size;
    out.vinCount = v.vin_count;
  }
  return out;
}
