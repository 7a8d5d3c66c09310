// Entries, the leaves of the log: decoding and validation as Entry::decode
// does it, including the record signature:
//
//   Ed25519 (verify_strict) over "vledger/record/v1\n" || record bytes
//
// by the public key in the SignedRecord. The entry bytes must be the
// canonical encoding (see protobuf.js).

import { concat, utf8 } from './bytes.js';
import { verifyStrict } from './ed25519.js';
import { VerifyError } from './errors.js';
import { fieldError } from './fields.js';
import { flagFromProto } from './flags.js';
import { decodeMessage } from './protobuf.js';
import * as S from './proto-schema.js';
import { decodeRecord, publicKeyFromBytes } from './record.js';

export const RECORD_SIGNATURE_PREFIX = utf8('vledger/record/v1\n');
export const MAX_RECORD_SIZE = 64 * 1024;

/** Validates a SignedRecord message: { record, key, recordBytes }. */
function signedRecord(m) {
  if (m.record.length > MAX_RECORD_SIZE) fieldError('signed.record', `is longer than ${MAX_RECORD_SIZE} bytes`);
  const key = publicKeyFromBytes('signed.public_key', m.public_key);
  if (m.signature.length !== 64) fieldError('signed.signature', 'is not a 64-byte Ed25519 signature');
  const record = decodeRecord(m.record);
  if (!verifyStrict(key, concat(RECORD_SIGNATURE_PREFIX, m.record), m.signature)) {
    fieldError('signed.signature', 'does not verify');
  }
  return { record, key };
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
 * type "genesis" with { origin, logKey, adminKey }, "index" with
 * { root, treeSize, vinCount }, or "record" with { record, key, chain, flags }.
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
  } else if (m.body.kind === 'record') {
    if (v.signed === null) fieldError('entry.record.signed', 'is missing');
    const { record, key } = signedRecord(v.signed);
    const chain = v.chain === null ? null : vinChain(v.chain);
    if ((chain !== null) !== (record.vin !== null)) {
      fieldError('entry.record.chain', 'is inconsistent with record.vin');
    }
    out.record = record;
    out.key = key;
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
