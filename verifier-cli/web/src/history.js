// verifyHistory: checks a VIN history bundle offline, trusting only the
// keys given in the options, exactly as `vledger-verify history` does
// (vledger_verification::history::verify_history and verify_history_cosigned):
//
// 1. the format line and the VIN;
// 2. the checkpoint: signed by the pinned log key, origin = the key's name;
// 3. the witnessed part, when the bundle has one: a checkpoint of the same
//    log signed by the same key, of tree size M >= N, with a consistency
//    proof from the bundle's tree of size N to it;
// 4. the index entry: leaf N - 1, included, an index entry covering N - 1;
// 5. the VIN index proof for SHA-256(VIN) against that entry's root:
//    membership gives the VIN's head (latest entry and record count),
//    non-membership gives none;
// 6. the records: exactly `count` of them, each included, each about this
//    VIN, record i with sequence i and linking to record i - 1 by leaf index
//    and leaf hash, the last one being the head the index names;
// 7. the signers: the genesis entry (leaf 0) names the first admin; every
//    other signer entry is a key enrollment signed by an admin enrolled
//    before it; every record's key is enrolled before the record with a
//    role that may sign its kind;
// 8. with witness keys: the quorum of valid cosignatures on the witnessed
//    checkpoint when the bundle has one, else on the bundle's checkpoint.

import { decodeBase64 } from './base64.js';
import { bytesEqual, plainNumber, toHex } from './bytes.js';
import { BUNDLE_FORMAT, parseBundle } from './bundle.js';
import { openCheckpoint } from './checkpoint.js';
import { checkLoggedIn, decodeEntry } from './entry.js';
import { fail, VerifyError, within } from './errors.js';
import { leafHash } from './hash.js';
import { verifyConsistency, verifyInclusion } from './merkle.js';
import { parseNote } from './note.js';
import { mayManage, maySign } from './roles.js';
import { formatTime, msToSeconds } from './time.js';
import { decodeIndexProof, indexKey, verifyIndexProof } from './vindex.js';
import { parseVin } from './vin.js';
import { KEY_TYPE_ED25519, parseVerifierKey } from './vkey.js';
import { checkPolicy, witnessPolicy } from './witness-policy.js';

const trim = (s) => s.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '');

function readKey(text, what) {
  if (typeof text !== 'string') fail('options', `${what}: expected a verifier key (name+keyid+base64)`);
  return within('options', `${what}: `, () => parseVerifierKey(trim(text)));
}

/** The pinned trust anchors from the options: { logKey, policy }. */
function trustAnchors(options) {
  const { logKey, witnessKeys = [], quorum } = options ?? {};
  const key = readKey(logKey, 'log key');
  if (key.type !== KEY_TYPE_ED25519) fail('options', 'log key: not a log key (type 0x01)');
  if (!Array.isArray(witnessKeys)) fail('options', 'witnessKeys: expected a list of verifier keys');
  if (witnessKeys.length === 0) {
    if (quorum !== undefined && quorum !== null) fail('options', 'a quorum needs witness keys');
    return { logKey: key, policy: null };
  }
  const keys = witnessKeys.map((w) => readKey(w, 'witness key'));
  const policy = witnessPolicy(keys, quorum === undefined || quorum === null ? keys.length : quorum);
  return { logKey: key, policy };
}

/** Decodes base64 of a 32-byte hash, or null. */
function hash32(text) {
  const b = decodeBase64(text);
  return b !== null && b.length === 32 ? b : null;
}

/** Decodes one proven entry and checks its inclusion proof against the checkpoint. */
function openEntry(p, cp, what) {
  const label = `${what} at entry ${p.index}`;
  const bytes = decodeBase64(p.entry);
  if (bytes === null) fail('encoding', `${label}: the entry is not valid base64`);
  const proof = p.proof.map((h) => hash32(h) ?? fail('encoding', `${label}: a proof hash is malformed base64 or not 32 bytes`));
  const reason = verifyInclusion(leafHash(bytes), p.index, cp.size, proof, cp.root);
  if (reason !== null) {
    fail('inclusion', `${label}: inclusion proof does not match the checkpoint (tree size ${cp.size}): ${reason}`);
  }
  const entry = within('entry', `${label}: `, () => {
    const e = decodeEntry(bytes);
    checkLoggedIn(e, cp.origin);
    return e;
  });
  return { entry, leaf: leafHash(bytes) };
}

/** Checks the witnessed part against the bundle's checkpoint; returns the witnessed checkpoint. */
function verifyWitnessed(cp, w, logKey) {
  const { checkpoint: wcp } = within('witnessed', 'witnessed ', () => openCheckpoint(w.checkpoint, cp.origin, logKey));
  if (wcp.size < cp.size) {
    fail('witnessed', `witnessed checkpoint: its tree size ${wcp.size} is smaller than the bundle's tree size ${cp.size}`);
  }
  const proof = w.consistency.map((h, position) => hash32(h)
    ?? fail('witnessed', `witnessed checkpoint: consistency proof hash ${position}: malformed base64 or hash`));
  const reason = verifyConsistency(cp.size, wcp.size, cp.root, wcp.root, proof);
  if (reason !== null) {
    fail('witnessed', `witnessed checkpoint: consistency proof from tree size ${cp.size} to ${wcp.size} does not verify: ${reason}`);
  }
  return wcp;
}

const sameLink = (a, b) => (a === null || b === null
  ? a === b
  : a.index === b.index && bytesEqual(a.leaf, b.leaf));

function quorumSummary(report) {
  const each = report.witnesses.map((w) => {
    const status = w.status === 'cosigned' ? `cosigned at ${formatTime(w.timestamp)}`
      : w.status === 'bad' ? 'bad signature' : 'missing';
    return `${w.key.name} ${status}`;
  });
  return `${report.cosigned} of ${report.witnesses.length} witnesses cosigned (quorum ${report.quorum}): ${each.join('; ')}`;
}

function verify(bundleText, options) {
  const { logKey, policy } = trustAnchors(options);
  const b = parseBundle(bundleText);

  if (b.format !== BUNDLE_FORMAT) fail('format', `not a ${BUNDLE_FORMAT} bundle (format ${JSON.stringify(b.format)})`);
  const vin = within('vin', 'vin: ', () => parseVin(b.vin));
  const { checkpoint: cp } = openCheckpoint(b.checkpoint, logKey.name, logKey);
  const size = cp.size;
  const witnessedCp = b.witnessed === null ? null : verifyWitnessed(cp, b.witnessed, logKey);

  // The index entry is the last leaf under the checkpoint.
  if (size === 0n || b.index_entry.index !== size - 1n) {
    fail('index_entry', `index entry: is not the last leaf under the checkpoint (tree size ${size})`);
  }
  const { entry: indexEntry } = openEntry(b.index_entry, cp, 'index entry');
  if (indexEntry.type !== 'index') fail('index_entry', 'index entry: the last leaf is not an index entry');
  if (indexEntry.treeSize !== size - 1n) fail('index_entry', 'index entry: covers another tree size');

  const proofBytes = decodeBase64(b.index_proof);
  if (proofBytes === null) fail('encoding', 'index_proof: malformed base64');
  const head = within('index_proof', 'VIN index proof: ', () => {
    const proof = decodeIndexProof(proofBytes);
    return verifyIndexProof(proof, indexKey(vin), indexEntry.root);
  });

  // The records are exactly the chain the index names.
  const expected = head === null ? 0n : head.count;
  if (BigInt(b.records.length) !== expected) {
    fail('chain', `records: the index counts ${expected} records for ${vin}, the bundle holds ${b.records.length}`);
  }
  const records = [];
  let previous = null;
  b.records.forEach((p, position) => {
    const { entry, leaf } = openEntry(p, cp, 'record');
    if (entry.type !== 'record') fail('chain', `records: entry ${p.index} is not a record`);
    if (entry.record.vin !== vin) fail('chain', `records: entry ${p.index} is about another vehicle`);
    if (entry.chain === null) fail('chain', `records: entry ${p.index} has no VIN chain link`);
    if (entry.chain.sequence !== BigInt(position)) {
      fail('chain', `records: entry ${p.index} is record #${entry.chain.sequence} of the VIN, but stands at position ${position}`);
    }
    const link = entry.chain.previous === null ? null
      : { index: entry.chain.previous.index, leaf: entry.chain.previous.leafHash };
    if (!sameLink(link, previous)) {
      fail('chain', `records: entry ${p.index} does not link to the record before it in the bundle`);
    }
    previous = { index: p.index, leaf };
    records.push({ index: p.index, entry });
  });
  if (head !== null && !sameLink(previous, { index: head.index, leaf: head.leafHash })) {
    fail('chain', `records: the index names entry ${head.index} as the VIN's latest, the bundle ends elsewhere`);
  }

  // Roles of the signers, from the genesis entry and enrollments.
  const roles = new Map();
  for (const p of b.signers) {
    const { entry } = openEntry(p, cp, 'signer');
    if (entry.type === 'genesis' && p.index === 0n) {
      roles.set(toHex(entry.adminKey.bytes), { role: 'admin', at: 0n, name: null });
      if (entry.recoveryKey !== null) {
        roles.set(toHex(entry.recoveryKey.bytes), { role: 'recovery', at: 0n, name: null });
      }
      continue;
    }
    if (entry.type !== 'record' || entry.record.kind !== 'key_enrollment') {
      fail('signer', `signers: entry ${p.index} is not an enrollment`);
    }
    const e = entry.record.enrollment;
    const admin = roles.get(toHex(entry.key.bytes));
    if (!(admin && admin.at < p.index && mayManage(admin.role, e.role))) {
      fail('signer', `signers: entry ${p.index} is not signed by an admin (or, for an admin key, a recovery key) enrolled before it`);
    }
    roles.set(toHex(e.key), { role: e.role, at: p.index, name: e.name });
  }
  const verified = records.map(({ index, entry }) => {
    const keyHex = toHex(entry.key.bytes);
    const signer = roles.get(keyHex);
    if (!(signer && signer.at < index && maySign(signer.role, entry.record.kind))) {
      fail('signer', `signers: entry ${index}: its signer is not shown enrolled, before it, with a role that may sign it`);
    }
    return {
      index: plainNumber(index),
      sequence: plainNumber(entry.chain.sequence),
      kind: entry.record.kind,
      eventTime: formatTime(entry.record.eventTime),
      loggedAt: formatTime(msToSeconds(entry.loggedAtMs)),
      signer: { publicKey: keyHex, keyId: keyHex.slice(0, 8), role: signer.role, name: signer.name },
      flags: entry.flags.map((f) => f.text),
      record: entry.record.json,
    };
  });

  // The witness policy, on the note that carries the cosignatures.
  let witnessed = null;
  if (witnessedCp !== null || policy !== null) {
    const onWitnessed = witnessedCp !== null;
    witnessed = {
      treeSize: plainNumber(onWitnessed ? witnessedCp.size : size),
      extendsTreeSize: plainNumber(size),
      source: onWitnessed ? 'witnessed' : 'checkpoint',
      checked: policy !== null,
      quorum: null,
      cosigned: null,
      cosigners: [],
    };
    if (policy !== null) {
      const note = parseNote(onWitnessed ? b.witnessed.checkpoint : b.checkpoint);
      const report = checkPolicy(policy, note);
      if (!report.met) {
        fail('quorum', `${onWitnessed ? 'witnessed checkpoint' : 'checkpoint'}: not enough cosignatures: ${quorumSummary(report)}`);
      }
      witnessed.quorum = report.quorum;
      witnessed.cosigned = report.cosigned;
      witnessed.cosigners = report.witnesses.map((w) => ({
        name: w.key.name,
        keyId: toHex(w.key.keyId),
        status: w.status,
        timestamp: w.timestamp === null ? null : plainNumber(w.timestamp),
        cosignedAt: w.timestamp === null ? null : formatTime(w.timestamp),
      }));
    }
  }

  return {
    vin,
    origin: cp.origin,
    treeSize: plainNumber(size),
    records: verified,
    witnessed,
  };
}

/**
 * Verifies a history bundle. `bundleText` is the .vhist.json text (or its
 * UTF-8 bytes); `logKey` is the log's verifier key, `witnessKeys` the
 * pinned witness keys and `quorum` how many must have cosigned (default:
 * all). Returns { ok: true, vin, treeSize, origin, records, witnessed } or
 * { ok: false, error: { code, message } }. It never throws.
 */
export function verifyHistory(bundleText, options = {}) {
  try {
    return { ok: true, ...verify(bundleText, options) };
  } catch (e) {
    if (e instanceof VerifyError) return { ok: false, error: { code: e.code, message: e.message } };
    return { ok: false, error: { code: 'internal', message: `verification stopped: ${e && e.message ? e.message : String(e)}` } };
  }
}
