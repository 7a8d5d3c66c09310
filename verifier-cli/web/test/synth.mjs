// Builds small vledger logs and history bundles from scratch, signed with
// deterministic test keys, so that both verifiers can be given bundles whose
// records, entries and signatures no vledger node would write.

import { encodeBase64 } from '../src/base64.js';
import { concat, u64be } from '../src/bytes.js';
import { leafHash, nodeHash, sha256 } from '../src/hash.js';
import { signedMessage } from '../src/entry.js';
import * as S from '../src/proto-schema.js';
import { encodeMessage } from './pbwriter.mjs';
import { cosignLine, makeSigner, signNote } from './keys.mjs';

export const ORIGIN = 'log.test/vehicles';
export const VIN = 'LGXCE4CB8S0123456';
const DECOY_VIN = 'LVSHFFAL5DF123456';
const enc = new TextEncoder();

export const ROLE_NUMBERS = {
  admin: 1, registry: 2, manufacturer: 3, inspection_body: 4, exporter: 5, workshop: 6, customs: 7,
  recovery: 8,
};

export const KEYS = {
  log: makeSigner(ORIGIN, 0x11),
  admin: makeSigner(`${ORIGIN}/admin`, 0x12),
  recovery: makeSigner(`${ORIGIN}/recovery`, 0x13),
  w1: makeSigner('w1.test', 0x31, 0x04),
  w2: makeSigner('w2.test', 0x32, 0x04),
  registry: makeSigner('registry', 0x21),
  manufacturer: makeSigner('manufacturer', 0x22),
  inspection_body: makeSigner('inspection_body', 0x23),
  exporter: makeSigner('exporter', 0x24),
  workshop: makeSigner('workshop', 0x25),
  customs: makeSigner('customs', 0x26),
};

export const RECORD_PREFIX = enc.encode('vledger/record/v1\n');

/** The SignedRecord value of record bytes signed by `signer`. */
export function signRecord(bytes, signer) {
  return { record: bytes, public_key: signer.pub, signature: signer.sign(concat(RECORD_PREFIX, bytes)) };
}

/** The SignedRecord value of record bytes signed by `signer` for the log `origin` (version 2). */
export function signRecordFor(bytes, signer, origin) {
  return {
    record: bytes,
    public_key: signer.pub,
    signature: signer.sign(signedMessage(origin, bytes)),
    origin,
  };
}

export const encodeRecord = (value) => encodeMessage(value, S.Record);
export const encodeEntry = (value) => encodeMessage(value, S.Entry);

/** A Record value (protobuf.js shape). */
export function record(kind, value, extra = {}, vin = VIN) {
  return {
    vin, event_time: 1741564800n, nonce: new Uint8Array(0), attachments: [],
    body: { kind, value }, ...extra,
  };
}

const hash = (n) => sha256(Uint8Array.of(n));
const party = (n) => sha256(enc.encode(`party ${n}`));
export const attachment = (kind, language, n = 1) => ({
  sha256: hash(n), media_type: 'application/pdf', language, kind,
});
const odo = (value) => ({ value: BigInt(value), unit: 1 });

/** A plausible history of VIN, one record of each vehicle kind: [{ value, role }]. */
export function history(vin = VIN) {
  const record_ = (kind, value, extra = {}) => record(kind, value, extra, vin);
  return [
    { role: 'manufacturer', value: record_('factory', {
      make: 'Make', model: 'Model', model_year: 2025, manufacture_date: 1741564800n,
      engine_number: 'ENG-1', powertrain: 5, emission_standard: 'China 6b', coc_sha256: hash(2),
    }) },
    { role: 'registry', value: record_('registration', {
      first_registration_date: 1743552000n, region: 'CN-SH', use_type: 1, engine_number: 'ENG-1',
    }) },
    { role: 'workshop', value: record_('maintenance', {
      workshop: 'Site', operations: ['Service'], parts: [], odometer: odo(980),
    }, { attachments: [attachment(4, 1)] }) },
    { role: 'workshop', value: record_('odometer_reading', { value: 15200n, unit: 1, source: 4 }) },
    { role: 'workshop', value: record_('component_change', {
      component: 1, old_number: 'ENG-1', new_number: 'ENG-2', odometer: odo(16000), reason: '',
    }) },
    { role: 'workshop', value: record_('damage', { types: [5], source: 4, description: 'Hail' }) },
    { role: 'inspection_body', value: record_('inspection', {
      accreditation_number: 'CNAS L1', protocol_id: 'P-1', protocol_version: 1,
      results: [{ item: 'Brakes', outcome: 1, note: '' }], verdict: 1, odometer: odo(21000),
      engine_number: 'ENG-2',
    }, { attachments: [attachment(1, 1, 3), attachment(1, 2, 4)] }) },
    { role: 'registry', value: record_('ownership_transfer', {
      from_party: party(1), to_party: party(2), for_export: true, odometer: odo(21450),
    }) },
    { role: 'exporter', value: record_('export_license', {
      license_number: 'EL-1', destination_country: 'KZ', issued_by: 'Ministry', valid_until: 1800000000n,
      engine_number: '',
    }) },
    { role: 'inspection_body', value: record_('compliance', {
      destination_country: 'KZ', standard: 'EAEU', certificate_number: 'C-1',
    }, { attachments: [attachment(2, 2, 5)] }) },
    { role: 'customs', value: record_('customs_clearance', {
      declaration_number: 'D-1', direction: 1, country: 'CN', port: 'Horgos', engine_number: '',
    }) },
    { role: 'registry', value: record_('deregistration', { reason: 2, region: 'CN-SH', certificate_number: '' }) },
    { role: 'exporter', value: record_('claim', {
      claim_number: 'CL-1', defect: 'Paint', outcome: 1, related_index: null, amount: 0n, currency: '',
      claimant: new Uint8Array(0),
    }) },
    { role: 'workshop', value: record_('correction', {
      target_index: 2n, reason: 'Typo',
      replacement: record_('odometer_reading', { value: 15300n, unit: 1, source: 4 }),
    }) },
  ];
}

// RFC 6962 tree hashing and proofs over leaf hashes, for small trees.
const split = (n) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
export function mth(h) {
  if (h.length === 1) return h[0];
  const k = split(h.length);
  return nodeHash(mth(h.slice(0, k)), mth(h.slice(k)));
}
function path(m, h) {
  if (h.length <= 1) return [];
  const k = split(h.length);
  return m < k ? [...path(m, h.slice(0, k)), mth(h.slice(k))] : [...path(m - k, h.slice(k)), mth(h.slice(0, k))];
}
function subproof(m, h, b) {
  if (m === h.length) return b ? [] : [mth(h)];
  const k = split(h.length);
  return m <= k
    ? [...subproof(m, h.slice(0, k), b), mth(h.slice(k))]
    : [...subproof(m - k, h.slice(k), false), mth(h.slice(0, k))];
}

// The compressed sparse Merkle tree of the VIN index.
const EMPTY = new Uint8Array(32);
const bit = (key, i) => ((key[i >> 3] >> (7 - (i & 7))) & 1) === 1;
const smtLeaf = ({ key, value }) => sha256(concat(Uint8Array.of(2), key, u64be(value.index), value.leafHash, u64be(value.count)));
function smtRoot(items, depth = 0) {
  if (items.length === 0) return EMPTY;
  if (items.length === 1) return smtLeaf(items[0]);
  return sha256(concat(Uint8Array.of(3),
    smtRoot(items.filter((x) => !bit(x.key, depth)), depth + 1),
    smtRoot(items.filter((x) => bit(x.key, depth)), depth + 1)));
}
function smtProof(items, key, depth = 0, siblings = []) {
  if (items.length <= 1) return { siblings, terminal: items[0] ?? null };
  const b = bit(key, depth);
  siblings.push(smtRoot(items.filter((x) => bit(x.key, depth) !== b), depth + 1));
  return smtProof(items.filter((x) => bit(x.key, depth) === b), key, depth + 1, siblings);
}
export function encodeIndexProof({ siblings, terminal }) {
  const depth = siblings.length;
  const bitmap = new Uint8Array(Math.ceil(depth / 8));
  const present = [];
  siblings.forEach((s, i) => {
    if (s.some((x) => x !== 0)) {
      bitmap[i >> 3] |= 0x80 >> (i % 8);
      present.push(s);
    }
  });
  const end = terminal === null ? Uint8Array.of(0)
    : concat(Uint8Array.of(1), terminal.key, u64be(terminal.value.index), terminal.value.leafHash, u64be(terminal.value.count));
  return concat(Uint8Array.of(depth >> 8, depth & 0xff), bitmap, ...present, end);
}

/**
 * Builds a log and the bundle of VIN. Options:
 * - items: [{ value | bytes, role | signer, sign?(bytes) → SignedRecord, flags? }], the VIN's records;
 * - enroll: extra enrollments [{ signer, role, name, by }], each signed by
 *   `by` (default the genesis admin key);
 * - recovery: the recovery key the genesis entry names (default none);
 * - entryHook(leafIndex, entryBytes) → entryBytes: change entries before hashing;
 * - bundleHook(bundle): change the bundle object last;
 * - entryValueHook(leafIndex, entryValue) → entryValue: the same, before encoding;
 * - checkpointNote(text) → note: sign the checkpoint text;
 * - vin: the VIN of the bundle (items must be about it);
 * - witnessed: add a cosigned checkpoint 2 leaves later.
 * Returns { text, logKey, witnessKeys }.
 */
export function buildBundle({
  vin = VIN, items = history(vin), enroll = [], recovery = null, entryHook = (i, b) => b, entryValueHook = (i, v) => v,
  bundleHook = () => {}, checkpointNote = (text) => signNote(text, [KEYS.log]), witnessed = false,
} = {}) {
  const entries = [];
  const add = (value) => {
    const i = entries.length;
    entries.push(entryHook(i, encodeEntry(entryValueHook(i, value))));
    return i;
  };
  let t = 1764547200000n;
  const loggedAt = () => (t += 1000n);
  add({ logged_at_ms: loggedAt(), body: { kind: 'genesis', value: {
    origin: ORIGIN, log_public_key: KEYS.log.pub, admin_public_key: KEYS.admin.pub,
    recovery_public_key: recovery === null ? new Uint8Array(0) : recovery.pub,
  } } });
  const enrolled = [];
  const enrollments = [
    ...['registry', 'manufacturer', 'inspection_body', 'exporter', 'workshop', 'customs']
      .map((role) => ({ signer: KEYS[role], role, name: `Example ${role}` })),
    ...enroll,
  ];
  for (const e of enrollments) {
    const bytes = encodeRecord({
      vin: '', event_time: 1764547200n, nonce: new Uint8Array(0), attachments: [],
      body: { kind: 'key_enrollment', value: { public_key: e.signer.pub, role: ROLE_NUMBERS[e.role], name: e.name } },
    });
    enrolled.push(add({ logged_at_ms: loggedAt(), body: { kind: 'record', value: {
      signed: signRecord(bytes, e.by ?? KEYS.admin), chain: null, flags: [],
    } } }));
  }
  // A record of another VIN, so that the index has two keys.
  const decoyBytes = encodeRecord({ ...record('odometer_reading', { value: 5n, unit: 1, source: 1 }), vin: DECOY_VIN });
  const decoy = add({ logged_at_ms: loggedAt(), body: { kind: 'record', value: {
    signed: signRecord(decoyBytes, KEYS.workshop), chain: { sequence: 0n, previous_index: null, previous_leaf_hash: new Uint8Array(0) }, flags: [],
  } } });
  const mine = [];
  let previous = null;
  items.forEach((item, sequence) => {
    const bytes = item.bytes ?? encodeRecord(item.value);
    const signer = item.signer ?? KEYS[item.role];
    const signed = item.sign ? item.sign(bytes) : signRecord(bytes, signer);
    const chain = {
      sequence: BigInt(sequence),
      previous_index: previous === null ? null : BigInt(previous),
      previous_leaf_hash: previous === null ? new Uint8Array(0) : leafHash(entries[previous]),
    };
    previous = add({ logged_at_ms: loggedAt(), body: { kind: 'record', value: { signed, chain, flags: item.flags ?? [] } } });
    mine.push(previous);
  });
  const indexItems = [{ key: sha256(enc.encode(DECOY_VIN)), value: { index: BigInt(decoy), leafHash: leafHash(entries[decoy]), count: 1n } }];
  if (mine.length > 0) {
    const last = mine[mine.length - 1];
    indexItems.push({ key: sha256(enc.encode(vin)), value: { index: BigInt(last), leafHash: leafHash(entries[last]), count: BigInt(mine.length) } });
  }
  const indexAt = entries.length;
  add({ logged_at_ms: loggedAt(), body: { kind: 'index', value: {
    root: smtRoot(indexItems), tree_size: BigInt(indexAt), vin_count: BigInt(indexItems.length),
  } } });

  const hashes = entries.map((e) => leafHash(e));
  const size = hashes.length;
  const checkpointText = (n, root) => `${ORIGIN}\n${n}\n${encodeBase64(root)}\n`;
  const text = checkpointText(size, mth(hashes));
  const proven = (i) => ({ index: i, entry: encodeBase64(entries[i]), proof: path(i, hashes).map(encodeBase64) });
  const bundle = {
    format: 'vledger-history/v1',
    vin,
    checkpoint: checkpointNote(text),
    index_entry: proven(indexAt),
    index_proof: encodeBase64(encodeIndexProof(smtProof(indexItems, sha256(enc.encode(vin))))),
    records: mine.map(proven),
    signers: [0, ...enrolled].map(proven),
  };
  if (witnessed) {
    const more = [...hashes, leafHash(enc.encode('later 1')), leafHash(enc.encode('later 2'))];
    const wtext = checkpointText(more.length, mth(more));
    const note = signNote(wtext, [KEYS.log]) + cosignLine(wtext, KEYS.w1, 1764547300n) + cosignLine(wtext, KEYS.w2, 1764547301n);
    bundle.witnessed = { checkpoint: note, consistency: subproof(size, more, true).map(encodeBase64) };
  }
  bundleHook(bundle);
  return {
    text: JSON.stringify(bundle, null, 2),
    logKey: KEYS.log.vkey,
    witnessKeys: witnessed ? [KEYS.w1.vkey, KEYS.w2.vkey] : [],
  };
}
