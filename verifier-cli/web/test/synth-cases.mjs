// Cases built with synth.mjs: bundles whose records, entries or signatures
// sit on the edges of what the Rust verifier accepts. Each case has the
// outcome expected from both verifiers; randomCases() adds byte-level
// mutations whose outcome only the Rust verifier can tell.

import { encodeBase64 } from '../src/base64.js';
import { concat } from '../src/bytes.js';
import { decodeMessage } from '../src/protobuf.js';
import * as S from '../src/proto-schema.js';
import {
  cosignLine, mixedOrderRSignature, mixedOrderSigner, NON_CANONICAL_IDENTITY, nonCanonicalS,
  smallOrderRSignature, makeSigner,
} from './keys.mjs';
import { tag, varint } from './pbwriter.mjs';
import {
  attachment, buildBundle, encodeRecord, history, KEYS, ORIGIN, RECORD_PREFIX, record, signRecord,
  signRecordFor, VIN,
} from './synth.mjs';

const enc = new TextEncoder();

/** The bundle with the history's record of `kind` changed by f(body, record, item). */
function edit(kind, f, options = {}) {
  return () => {
    const items = history(options.vin);
    const item = items.find((i) => i.value.body.kind === kind);
    f(item.value.body.value, item.value, item);
    return buildBundle({ items, ...options });
  };
}

/** The bundle with the record bytes of `kind` replaced by g(bytes), then signed. */
function editBytes(kind, g) {
  return () => {
    const items = history();
    const item = items.find((i) => i.value.body.kind === kind);
    item.bytes = g(encodeRecord(item.value));
    return buildBundle({ items });
  };
}

const bytesOf = (n, b = 0xab) => new Uint8Array(n).fill(b);
const odo = (value, unit = 1) => ({ value: BigInt(value), unit });

/** The named cases: [{ name, build, expect }]. */
export function synthCases() {
  const cases = [];
  const add = (name, build, expect) => cases.push({ name, build, expect });

  add('synth-honest', () => buildBundle(), true);
  add('synth-honest-witnessed', () => buildBundle({ witnessed: true }), true);
  add('synth-no-records', () => buildBundle({ items: [] }), true);
  add('synth-european-vin-without-check-digit', () => buildBundle({ vin: 'WBA71DC010CH14702' }), true);

  // Free text.
  add('text-bell', edit('factory', (b) => { b.make = 'Ma\u0007ke'; }), false);
  add('text-c1-control', edit('factory', (b) => { b.make = 'Ma\u0085ke'; }), false);
  add('text-delete-char', edit('factory', (b) => { b.make = 'Ma\u007fke'; }), false);
  add('required-text-line-separator-only', edit('factory', (b) => { b.make = '\u2028'; }), false);
  add('required-text-no-break-space-only', edit('factory', (b) => { b.make = '\u00a0 '; }), false);
  add('required-text-bom-only', edit('factory', (b) => { b.make = '\ufeff'; }), true);
  add('required-text-zero-width-space-only', edit('factory', (b) => { b.make = '\u200b'; }), true);
  add('text-256-bytes', edit('factory', (b) => { b.make = '\u00e9'.repeat(128); }), true);
  add('text-257-bytes', edit('factory', (b) => { b.make = `${'\u00e9'.repeat(128)}a`; }), false);
  add('optional-text-empty', edit('damage', (b) => { b.description = ''; }), true);
  add('text-emoji', edit('damage', (b) => { b.description = 'hail \u{1F327}'; }), true);

  // Identifiers, codes, media types.
  add('identifier-lower-case', edit('factory', (b) => { b.engine_number = 'eng-1'; }), false);
  add('identifier-32', edit('factory', (b) => { b.engine_number = 'A'.repeat(32); }), true);
  add('identifier-33', edit('factory', (b) => { b.engine_number = 'A'.repeat(33); }), false);
  add('identifier-underscore', edit('factory', (b) => { b.engine_number = 'ENG_1'; }), false);
  add('optional-identifier-empty', edit('registration', (b) => { b.engine_number = ''; }), true);
  add('country-lower-case', edit('export_license', (b) => { b.destination_country = 'kz'; }), false);
  add('country-three-letters', edit('compliance', (b) => { b.destination_country = 'KAZ'; }), false);
  add('media-type-upper-case', edit('maintenance', (b, r) => { r.attachments[0].media_type = 'Application/pdf'; }), false);
  add('media-type-two-slashes', edit('maintenance', (b, r) => { r.attachments[0].media_type = 'a/b/c'; }), false);
  add('media-type-plus', edit('maintenance', (b, r) => { r.attachments[0].media_type = 'image/svg+xml'; }), true);
  add('media-type-127', edit('maintenance', (b, r) => { r.attachments[0].media_type = `a/${'b'.repeat(125)}`; }), true);
  add('media-type-128', edit('maintenance', (b, r) => { r.attachments[0].media_type = `a/${'b'.repeat(126)}`; }), false);
  add('attachment-hash-31', edit('maintenance', (b, r) => { r.attachments[0].sha256 = bytesOf(31); }), false);
  add('attachment-language-3', edit('maintenance', (b, r) => { r.attachments[0].language = 3; }), false);
  add('attachment-kind-0', edit('maintenance', (b, r) => { r.attachments[0].kind = 0; }), false);
  add('attachments-16', edit('maintenance', (b, r) => { r.attachments = Array.from({ length: 16 }, (_, i) => attachment(4, 0, i)); }), true);
  add('attachments-17', edit('maintenance', (b, r) => { r.attachments = Array.from({ length: 17 }, (_, i) => attachment(4, 0, i)); }), false);
  add('nonce-64', edit('maintenance', (b, r) => { r.nonce = bytesOf(64); }), true);
  add('nonce-65', edit('maintenance', (b, r) => { r.nonce = bytesOf(65); }), false);

  // Times, VINs, model years.
  add('event-time-zero', edit('maintenance', (b, r) => { r.event_time = 0n; }), false);
  add('event-time-before-1970', edit('maintenance', (b, r) => { r.event_time = -86400n * 365n; }), true);
  // Dates lie between 1886-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
  add('event-time-huge', edit('maintenance', (b, r) => { r.event_time = (1n << 62n); }), false);
  add('event-time-most-negative', edit('maintenance', (b, r) => { r.event_time = -(1n << 63n); }), false);
  add('event-time-before-1886', edit('maintenance', (b, r) => { r.event_time = -2650752001n; }), false);
  add('event-time-1886', edit('maintenance', (b, r) => { r.event_time = -2650752000n; }), true);
  add('record-vin-other', edit('maintenance', (b, r) => { r.vin = 'LVSHFFAL5DF123456'; }), false);
  add('record-vin-missing', edit('maintenance', (b, r) => { r.vin = ''; }), false);
  add('record-vin-bad-check-digit', edit('maintenance', (b, r) => { r.vin = 'LGXCE4CB8S0123457'; }), false);
  add('model-year-code-mismatch', edit('factory', (b) => { b.model_year = 2026; b.manufacture_date = 1767225600n; }), false);
  add('model-year-2055-same-code', edit('factory', (b) => { b.model_year = 2055; }), false);
  add('manufactured-first-day-of-year-before', edit('factory', (b) => { b.manufacture_date = 1704067200n; }), true);
  add('manufactured-last-second-two-years-before', edit('factory', (b) => { b.manufacture_date = 1704067199n; }), false);
  add('manufactured-last-second-of-year-after', edit('factory', (b) => { b.manufacture_date = 1798761599n; }), true);
  add('manufactured-two-years-after', edit('factory', (b) => { b.manufacture_date = 1798761600n; }), false);
  add('model-year-1899', edit('factory', (b) => { b.model_year = 1899; }), false);
  add('european-vin-any-model-year', edit('factory', (b) => { b.model_year = 2024; }, { vin: 'WBA71DC010CH14702' }), true);

  // Enums and numbers.
  add('enum-zero', edit('registration', (b) => { b.use_type = 0; }), false);
  add('enum-unknown', edit('registration', (b) => { b.use_type = 99; }), false);
  add('enum-negative', edit('registration', (b) => { b.use_type = -1; }), false);
  add('odometer-max', edit('odometer_reading', (b) => { b.value = 9999999n; }), true);
  add('odometer-over-max', edit('odometer_reading', (b) => { b.value = 10000000n; }), false);
  add('odometer-missing', edit('maintenance', (b) => { b.odometer = null; }), false);
  add('odometer-empty-message', edit('maintenance', (b) => { b.odometer = { value: 0n, unit: 0 }; }), false);
  add('odometer-zero-km', edit('maintenance', (b) => { b.odometer = odo(0); }), true);
  add('inspection-odometer-absent', edit('inspection', (b) => { b.odometer = null; }), true);

  // Parties, claims, damage, lists.
  add('party-printable', edit('ownership_transfer', (b) => { b.from_party = enc.encode('Zhang San 110101199003074512 ..'.padEnd(32, '.')); }), false);
  add('party-zero-run', edit('ownership_transfer', (b) => { b.to_party = concat(bytesOf(28), new Uint8Array(4)); }), false);
  add('party-31-bytes', edit('ownership_transfer', (b) => { b.to_party = bytesOf(31); }), false);
  add('party-empty', edit('ownership_transfer', (b) => { b.to_party = new Uint8Array(0); }), false);
  add('for-export-false', edit('ownership_transfer', (b) => { b.for_export = false; }), true);
  add('claim-amount-without-currency', edit('claim', (b) => { b.amount = 100n; }), false);
  add('claim-currency-without-amount', edit('claim', (b) => { b.currency = 'EUR'; }), false);
  add('claim-currency-lower-case', edit('claim', (b) => { b.amount = 100n; b.currency = 'eur'; }), false);
  add('claim-amount', edit('claim', (b) => { b.amount = 100n; b.currency = 'EUR'; }), true);
  add('claim-related-index-zero', edit('claim', (b) => { b.related_index = 0n; }), true);
  add('claim-claimant', edit('claim', (b) => { b.claimant = bytesOf(32, 0x9c); }), true);
  add('damage-types-duplicate', edit('damage', (b) => { b.types = [5, 5]; }), false);
  add('damage-types-empty', edit('damage', (b) => { b.types = []; }), false);
  add('damage-types-several', edit('damage', (b) => { b.types = [1, 2, 3, 4, 5, 6, 7, 8]; }), true);
  add('damage-type-zero', edit('damage', (b) => { b.types = [5, 0]; }), false);
  add('maintenance-no-operations', edit('maintenance', (b) => { b.operations = []; }), false);
  add('maintenance-empty-part', edit('maintenance', (b) => { b.parts = ['']; }), false);
  add('maintenance-64-operations', edit('maintenance', (b) => { b.operations = Array.from({ length: 64 }, (_, i) => `op ${i}`); }), true);
  add('maintenance-65-operations', edit('maintenance', (b) => { b.operations = Array.from({ length: 65 }, (_, i) => `op ${i}`); }), false);
  add('component-same-number', edit('component_change', (b) => { b.new_number = b.old_number; }), false);
  add('component-change-reason', edit('component_change', (b) => { b.reason = 'Worn'; }), true);

  // Inspections and protocols.
  add('inspection-missing-english-report', edit('inspection', (b, r) => { r.attachments.pop(); }), false);
  add('inspection-pass-with-failed-item', edit('inspection', (b) => { b.results[0].outcome = 2; }), false);
  add('inspection-conditional-with-failed-item', edit('inspection', (b) => { b.results[0].outcome = 2; b.verdict = 3; }), true);
  add('inspection-duplicate-items', edit('inspection', (b) => { b.results.push({ ...b.results[0] }); }), false);
  add('inspection-item-128', edit('inspection', (b) => { b.results[0].item = 'x'.repeat(128); }), true);
  add('inspection-item-129', edit('inspection', (b) => { b.results[0].item = 'x'.repeat(129); }), false);
  add('inspection-no-results', edit('inspection', (b) => { b.results = []; }), false);
  add('inspection-protocol-id-slash', edit('inspection', (b) => { b.protocol_id = 'cn/uve.export_1'; }), true);
  add('inspection-protocol-id-space', edit('inspection', (b) => { b.protocol_id = 'P 1'; }), false);
  add('inspection-version-zero', edit('inspection', (b) => { b.protocol_version = 0; }), false);
  add('compliance-without-certificate', edit('compliance', (b, r) => { r.attachments = []; }), false);
  add('compliance-certificate-without-language', edit('compliance', (b, r) => { r.attachments[0].language = 0; }), true);

  // Corrections.
  add('correction-withdrawal', edit('correction', (b) => { b.replacement = null; }), true);
  add('correction-replacement-other-vin', edit('correction', (b) => { b.replacement.vin = 'LVSHFFAL5DF123456'; }), false);
  add('correction-of-correction', edit('correction', (b) => {
    b.replacement = record('correction', { target_index: 1n, reason: 'x', replacement: null });
  }), false);
  add('correction-replacement-invalid', edit('correction', (b) => { b.replacement.event_time = 0n; }), false);
  add('correction-replacement-key-record', edit('correction', (b) => {
    b.replacement = { ...record('key_revocation', { public_key: KEYS.workshop.pub, reason: '' }), vin: '' };
  }), false);
  add('correction-replacement-inspection-without-reports', edit('correction', (b) => {
    b.replacement = record('inspection', {
      accreditation_number: 'A', protocol_id: 'P', protocol_version: 1,
      results: [{ item: 'x', outcome: 1, note: '' }], verdict: 1, odometer: null, engine_number: '',
    });
  }), false);
  add('correction-reason-missing', edit('correction', (b) => { b.reason = ' '; }), false);

  // Key records and signers.
  add('record-without-vin-in-chain', edit('maintenance', (b, r, item) => {
    item.value = { ...record('key_revocation', { public_key: KEYS.customs.pub, reason: '' }), vin: '' };
  }), false);
  add('protocol-declaration-with-vin', edit('maintenance', (b, r, item) => {
    item.value = record('inspection_protocol', { protocol_id: 'P', version: 1, title: 'T', items: ['x'] });
  }), false);
  add('factory-signed-by-workshop', edit('factory', (b, r, item) => { item.role = 'workshop'; }), false);
  add('record-signed-by-admin', edit('maintenance', (b, r, item) => { item.signer = KEYS.admin; }), false);
  add('record-signed-by-unenrolled-key', edit('maintenance', (b, r, item) => { item.signer = makeSigner('stranger', 0x77); }), false);
  const named = (name, role = 'workshop') => ({ signer: makeSigner('extra', 0x41), role, name });
  const byExtra = (options) => edit('maintenance', (b, r, item) => { item.signer = makeSigner('extra', 0x41); }, options);
  add('enrollment-name-empty', byExtra({ enroll: [named('')] }), true);
  add('enrollment-name-control', byExtra({ enroll: [named('Work\tshop')] }), false);
  add('enrollment-name-257-bytes', byExtra({ enroll: [named('w'.repeat(257))] }), false);
  add('enrollment-role-zero', byExtra({ enroll: [{ ...named('x'), role: 'none' }] }), false);
  add('enrollment-wrong-role', byExtra({ enroll: [named('x', 'customs')] }), false);

  // Admin and recovery keys: a recovery key named in the genesis entry
  // enrolls a new admin, which enrolls the signer; a recovery key enrolls
  // no other role, and only a recovery key enrolls one.
  const admin2 = makeSigner('admin2', 0x42);
  const recovery2 = makeSigner('recovery2', 0x43);
  const chain = (...enroll) => byExtra({ recovery: KEYS.recovery, enroll });
  add('signers-recovery-enrolls-admin', chain(
    { signer: admin2, role: 'admin', name: 'New admin', by: KEYS.recovery },
    { ...named('Workshop'), by: admin2 },
  ), true);
  add('signers-admin-enrolls-admin', chain(
    { signer: admin2, role: 'admin', name: 'Second admin' },
    { ...named('Workshop'), by: admin2 },
  ), true);
  add('signers-recovery-enrolls-workshop', chain({ ...named('Workshop'), by: KEYS.recovery }), false);
  add('signers-admin-enrolls-recovery', chain(
    { signer: recovery2, role: 'recovery', name: 'Recovery' },
    { signer: admin2, role: 'admin', name: 'New admin', by: recovery2 },
    { ...named('Workshop'), by: admin2 },
  ), false);
  add('signers-recovery-without-genesis-recovery', byExtra({ enroll: [
    { signer: admin2, role: 'admin', name: 'New admin', by: KEYS.recovery },
    { ...named('Workshop'), by: admin2 },
  ] }), false);
  add('genesis-recovery-is-admin', byExtra({ recovery: KEYS.admin, enroll: [named('Workshop')] }), false);

  // Signatures.
  const mixed = mixedOrderSigner('mixed', 0x42);
  const byMixed = (wantDivisible) => () => {
    const items = history();
    const item = items.find((i) => i.value.body.kind === 'maintenance');
    // Pick a nonce so that 8 does (or does not) divide the challenge k.
    for (let n = 1; ; n++) {
      item.value.nonce = Uint8Array.of(n);
      const bytes = encodeRecord(item.value);
      const sig = mixed.sign(concat(RECORD_PREFIX, bytes));
      const k = mixed.challenge(concat(RECORD_PREFIX, bytes), sig.subarray(0, 32));
      if ((k % 8n === 0n) === wantDivisible) break;
    }
    item.signer = mixed;
    return buildBundle({ items, enroll: [{ signer: mixed, role: 'workshop', name: 'Mixed' }] });
  };
  // The record signature rule's equation is the cofactored one: a record
  // by a mixed-order key is valid whether or not 8 divides k.
  add('mixed-order-key-cofactored-only', byMixed(false), true);
  add('mixed-order-key-valid-cofactorless', byMixed(true), true);
  add('record-signature-non-canonical-s', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => {
      const s = signRecord(bytes, KEYS.workshop);
      return { ...s, signature: nonCanonicalS(s.signature) };
    };
  }), false);
  add('record-signature-small-order-r', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => ({ ...signRecord(bytes, KEYS.workshop), signature: smallOrderRSignature(KEYS.workshop, concat(RECORD_PREFIX, bytes)) });
  }), false);
  // R = rB + T with T of order 8, by an ordinary key: the cofactor clears
  // T, so the record signature rule accepts it (verify_strict would not).
  const mixedR = { ...KEYS.workshop, sign: (msg) => mixedOrderRSignature(KEYS.workshop, msg) };
  add('record-signature-mixed-order-r', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => signRecord(bytes, mixedR);
  }), true);
  add('record-signature-mixed-order-r-bound-to-this-log', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => signRecordFor(bytes, mixedR, ORIGIN);
  }), true);
  add('record-signature-mixed-order-r-flipped-s', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => {
      const s = signRecord(bytes, mixedR);
      const signature = Uint8Array.from(s.signature);
      signature[40] ^= 1;
      return { ...s, signature };
    };
  }), false);
  // The identity written with y = p + 1, s = k a: the equation holds, the
  // encoding is not canonical.
  add('record-signature-non-canonical-r', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => ({ ...signRecord(bytes, KEYS.workshop), signature: smallOrderRSignature(KEYS.workshop, concat(RECORD_PREFIX, bytes), NON_CANONICAL_IDENTITY) });
  }), false);
  add('record-signature-63-bytes', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => { const s = signRecord(bytes, KEYS.workshop); return { ...s, signature: s.signature.subarray(0, 63) }; };
  }), false);
  // Records bound to their log (version 2) beside old ones (version 1).
  add('record-bound-to-this-log', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => signRecordFor(bytes, KEYS.workshop, ORIGIN);
  }), true);
  add('record-bound-to-another-log', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => signRecordFor(bytes, KEYS.workshop, 'log.test/other');
  }), false);
  add('record-bound-origin-stripped', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => ({ ...signRecordFor(bytes, KEYS.workshop, ORIGIN), origin: '' });
  }), false);
  add('record-unbound-given-an-origin', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => ({ ...signRecord(bytes, KEYS.workshop), origin: ORIGIN });
  }), false);
  add('record-bound-origin-with-newline', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => signRecordFor(bytes, KEYS.workshop, `${ORIGIN}\n`);
  }), false);
  add('record-public-key-weak', edit('maintenance', (b, r, item) => {
    item.sign = (bytes) => ({ ...signRecord(bytes, KEYS.workshop), public_key: Uint8Array.of(1, ...new Uint8Array(31)) });
  }), false);
  const sigLine = (signer, sig) => `\u2014 ${signer.name} ${encodeBase64(concat(signer.keyId, sig))}\n`;
  add('checkpoint-signature-small-order-r', () => buildBundle({
    checkpointNote: (text) => `${text}\n${sigLine(KEYS.log, smallOrderRSignature(KEYS.log, enc.encode(text)))}`,
  }), false);
  // Checkpoint signatures stay under verify_strict: a mixed-order R is refused.
  add('checkpoint-signature-mixed-order-r', () => buildBundle({
    checkpointNote: (text) => `${text}\n${sigLine(KEYS.log, mixedOrderRSignature(KEYS.log, enc.encode(text)))}`,
  }), false);
  add('checkpoint-signature-non-canonical-s', () => buildBundle({
    checkpointNote: (text) => `${text}\n${sigLine(KEYS.log, nonCanonicalS(KEYS.log.sign(enc.encode(text))))}`,
  }), false);
  add('checkpoint-signed-twice', () => buildBundle({
    checkpointNote: (text) => `${text}\n${sigLine(KEYS.log, KEYS.log.sign(enc.encode(text))).repeat(2)}`,
  }), true);
  add('checkpoint-second-log-signature-bad', () => buildBundle({
    checkpointNote: (text) => `${text}\n${sigLine(KEYS.log, KEYS.log.sign(enc.encode(text)))}${sigLine(KEYS.log, KEYS.log.sign(enc.encode('x')))}`,
  }), false);
  add('checkpoint-extra-unknown-signature', () => buildBundle({
    checkpointNote: (text) => `${text}\n${sigLine(KEYS.log, KEYS.log.sign(enc.encode(text)))}${sigLine(KEYS.admin, bytesOf(64))}`,
  }), true);

  // Checkpoint texts and notes, signed by the test log key.
  const signed = (f) => () => buildBundle({ checkpointNote: (text) => f(text) });
  const logLine = (text) => sigLine(KEYS.log, KEYS.log.sign(enc.encode(text)));
  const withLines = (text, lines) => `${text}\n${logLine(text)}${lines}`;
  add('checkpoint-extension-line', signed((text) => { const t = `${text}ext\n`; return `${t}\n${logLine(t)}`; }), false);
  add('checkpoint-size-leading-zero', signed((text) => { const t = text.replace(/\n(\d+)\n/, '\n0$1\n'); return `${t}\n${logLine(t)}`; }), false);
  add('checkpoint-root-unpadded', signed((text) => { const t = text.replace(/=\n$/, '\n'); return `${t}\n${logLine(t)}`; }), false);
  add('checkpoint-origin-other', signed((text) => { const t = text.replace('log.test/vehicles', 'log.test/other'); return `${t}\n${logLine(t)}`; }), false);
  add('note-carriage-return', signed((text) => withLines(text, '').replace(/\n$/, '\r\n')), false);
  add('note-unknown-signer-ideographic-space', signed((text) => withLines(text, `\u2014 a\u3000b ${encodeBase64(bytesOf(68))}\n`)), false);
  add('note-unknown-signer-zero-width-space', signed((text) => withLines(text, `\u2014 a\u200bb ${encodeBase64(bytesOf(68))}\n`)), true);
  add('note-unknown-signer-non-ascii', signed((text) => withLines(text, `\u2014 t\u00e9moin ${encodeBase64(bytesOf(68))}\n`)), true);
  add('note-unknown-signature-too-short', signed((text) => withLines(text, `\u2014 other ${encodeBase64(bytesOf(4))}\n`)), false);
  add('note-unknown-signature-five-bytes', signed((text) => withLines(text, `\u2014 other ${encodeBase64(bytesOf(5))}\n`)), true);
  add('note-signature-two-spaces', signed((text) => withLines(text, `\u2014 other  ${encodeBase64(bytesOf(68))}\n`)), false);
  add('note-100-signatures', signed((text) => withLines(text, `\u2014 other ${encodeBase64(bytesOf(68))}\n`.repeat(99))), true);
  add('note-101-signatures', signed((text) => withLines(text, `\u2014 other ${encodeBase64(bytesOf(68))}\n`.repeat(100))), false);
  const sizedTo = (text, total) => {
    const utf8 = (t) => enc.encode(t).length;
    const filler = total - utf8(withLines(text, '')) - utf8('\u2014 other \n');
    const name = `other${'x'.repeat(filler % 4)}`;
    return withLines(text, `\u2014 ${name} ${encodeBase64(bytesOf(Math.floor(filler / 4) * 3))}\n`);
  };
  add('note-at-128-kib', signed((text) => sizedTo(text, 128 * 1024)), true);
  add('note-one-byte-over-128-kib', signed((text) => sizedTo(text, 128 * 1024 + 1)), false);
    add('note-key-name-1024-bytes', signed((text) => withLines(text, `\u2014 ${'n'.repeat(1024)} ${encodeBase64(bytesOf(68))}\n`)), true);
  add('note-key-name-1025-bytes', signed((text) => withLines(text, `\u2014 ${'n'.repeat(1025)} ${encodeBase64(bytesOf(68))}\n`)), false);

  // Witness cosignatures.
  const witnessedNote = (f) => () => {
    const b = buildBundle({ witnessed: true });
    const bundle = JSON.parse(b.text);
    const note = bundle.witnessed.checkpoint;
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
    const r = f({ note, text, bundle, b });
    bundle.witnessed.checkpoint = r.note ?? note;
    return { ...b, text: JSON.stringify(bundle), witnessKeys: r.witnessKeys ?? b.witnessKeys, quorum: r.quorum };
  };
  add('cosignature-repeated', witnessedNote(({ note, text }) => ({ note: note + cosignLine(text, KEYS.w1, 1764547400n) })), true);
  add('cosignature-repeated-one-bad', witnessedNote(({ note, text }) => ({ note: note + cosignLine('other\n', KEYS.w1, 1764547400n) })), false);
  add('cosignature-timestamp-too-large', witnessedNote(({ note, text }) => ({
    note: note.split('\n').filter((l) => !l.startsWith('\u2014 w2.test')).join('\n') + cosignLine(text, KEYS.w2, 1n << 63n),
  })), false);
  add('cosignature-timestamp-max', witnessedNote(({ note, text }) => ({
    note: note.split('\n').filter((l) => !l.startsWith('\u2014 w2.test')).join('\n') + cosignLine(text, KEYS.w2, (1n << 63n) - 1n),
  })), true);
  const plainWitness = makeSigner('w3.test', 0x33);
  add('witness-with-plain-note-key', witnessedNote(({ note, text }) => ({
    note: note + sigLine(plainWitness, plainWitness.sign(enc.encode(text))),
    witnessKeys: [KEYS.w1.vkey, plainWitness.vkey], quorum: 2,
  })), true);
  add('cosignatures-on-bundle-checkpoint-do-not-count', () => {
    const b = buildBundle({ witnessed: true });
    const bundle = JSON.parse(b.text);
    const wnote = bundle.witnessed.checkpoint;
    bundle.witnessed.checkpoint = wnote.split('\n').filter((l) => !l.startsWith('\u2014 w')).join('\n');
    return { ...b, text: JSON.stringify(bundle) };
  }, false);

  // Entries: flags, chain links, times, genesis and index entries.
  const withFlags = (flags) => edit('odometer_reading', (b, r, item) => { item.flags = flags; });
  const flag = (kind, value) => ({ kind: { kind, value } });
  add('flag-odometer-rollback', withFlags([flag('odometer_rollback', { reading: odo(15200), earlier: odo(1234567, 2), earlier_index: 9n })]), true);
  add('flag-engine-number-mismatch', withFlags([flag('engine_number_mismatch', { found: 'ENG-9', expected: 'ENG-1', expected_index: 8n })]), true);
  add('flag-activity-after-deregistration', withFlags([flag('activity_after_deregistration', { deregistration_index: 3n, reason: 3 })]), true);
  add('flag-early-export', withFlags([flag('early_export', { first_registration_date: -86400n, registration_index: 9n, days: 89 })]), true);
  add('flags-several', withFlags([
    flag('early_export', { first_registration_date: 1743552000n, registration_index: 0n, days: 0 }),
    flag('odometer_rollback', { reading: odo(0), earlier: odo(1), earlier_index: 0n }),
  ]), true);
  add('flag-without-kind', withFlags([{ kind: null }]), false);
  add('flag-odometer-unit-zero', withFlags([flag('odometer_rollback', { reading: odo(1, 0), earlier: odo(2), earlier_index: 1n })]), false);
  add('flag-odometer-missing', withFlags([flag('odometer_rollback', { reading: null, earlier: odo(2), earlier_index: 1n })]), false);
  add('flag-engine-number-lower-case', withFlags([flag('engine_number_mismatch', { found: 'eng', expected: 'ENG-1', expected_index: 8n })]), false);
  add('flag-deregistration-reason-zero', withFlags([flag('activity_after_deregistration', { deregistration_index: 3n, reason: 0 })]), false);
  const entryValue = (f) => () => buildBundle({ entryValueHook: (i, v) => f(i, v) ?? v });
  add('entry-logged-at-negative', entryValue((i, v) => { if (i === 9) v.logged_at_ms = -1500n; }), true);
  add('entry-logged-at-zero', entryValue((i, v) => { if (i === 9) v.logged_at_ms = 0n; }), true);
  add('entry-logged-at-far-future', entryValue((i, v) => { if (i === 9) v.logged_at_ms = 2n ** 62n; }), true);
  add('chain-first-with-previous', entryValue((i, v) => {
    if (i === 8) v.body.value.chain = { sequence: 0n, previous_index: 7n, previous_leaf_hash: new Uint8Array(32) };
  }), false);
  add('chain-previous-index-without-hash', entryValue((i, v) => {
    if (i === 9) v.body.value.chain.previous_leaf_hash = new Uint8Array(0);
  }), false);
  add('chain-previous-hash-31-bytes', entryValue((i, v) => {
    if (i === 9) v.body.value.chain.previous_leaf_hash = v.body.value.chain.previous_leaf_hash.subarray(0, 31);
  }), false);
  add('chain-missing', entryValue((i, v) => { if (i === 9) v.body.value.chain = null; }), false);
  add('genesis-origin-free-text', entryValue((i, v) => { if (i === 0) v.body.value.origin = 'any\ttext\n'; }), true);
  add('genesis-log-key-weak', entryValue((i, v) => { if (i === 0) v.body.value.log_public_key = Uint8Array.of(1, ...new Uint8Array(31)); }), false);
  add('genesis-admin-key-31-bytes', entryValue((i, v) => { if (i === 0) v.body.value.admin_public_key = v.body.value.admin_public_key.subarray(0, 31); }), false);
  add('index-entry-vin-count-anything', entryValue((i, v) => { if (v.body.kind === 'index') v.body.value.vin_count = 12345n; }), true);
  add('index-entry-other-tree-size', entryValue((i, v) => { if (v.body.kind === 'index') v.body.value.tree_size += 1n; }), false);
  add('index-entry-as-genesis', entryValue((i, v) => {
    if (v.body.kind === 'index') v.body = { kind: 'genesis', value: { origin: 'x', log_public_key: KEYS.log.pub, admin_public_key: KEYS.admin.pub } };
  }), false);
  add('entry-without-body', entryValue((i, v) => { if (i === 9) v.body = null; }), false);
  add('signed-record-missing', entryValue((i, v) => { if (i === 9) v.body.value.signed = null; }), false);

  // Non-canonical record encodings (signed, so only the encoding is wrong).
  add('record-unknown-field', editBytes('maintenance', (b) => concat(b, Uint8Array.of(0x98, 0x06, 0x01))), false);
  add('record-event-time-non-minimal-varint', editBytes('odometer_reading', (b) => {
    const m = decodeMessage(b, S.Record);
    const rest = encodeRecord({ ...m, vin: '', event_time: 0n });
    const t = Array.from(varint(m.event_time));
    t[t.length - 1] |= 0x80;
    t.push(0x00);
    return concat(tag(1, 2), varint(VIN.length), enc.encode(VIN), tag(2, 0), Uint8Array.from(t), rest);
  }), false);
  add('record-event-time-re-encoded-minimal', editBytes('odometer_reading', (b) => {
    const m = decodeMessage(b, S.Record);
    const rest = encodeRecord({ ...m, vin: '', event_time: 0n });
    return concat(tag(1, 2), varint(VIN.length), enc.encode(VIN), tag(2, 0), varint(m.event_time), rest);
  }), true);
  add('record-fields-out-of-order', editBytes('odometer_reading', (b) => {
    const m = decodeMessage(b, S.Record);
    const body = encodeRecord({ ...m, vin: '', event_time: 0n });
    return concat(tag(2, 0), varint(m.event_time), tag(1, 2), varint(VIN.length), enc.encode(VIN), body);
  }), false);
  add('record-default-written', editBytes('odometer_reading', (b) => concat(b.subarray(0, 0), tag(3, 2), varint(0), b)), false);
  add('record-body-twice', editBytes('odometer_reading', (b) => {
    const m = decodeMessage(b, S.Record);
    const body = encodeRecord({ vin: '', event_time: 0n, nonce: new Uint8Array(0), attachments: [], body: m.body });
    return concat(b, body);
  }), false);
  add('record-unpacked-damage-types', editBytes('damage', (b) => {
    const m = decodeMessage(b, S.Record);
    const d = m.body.value;
    const inner = concat(tag(1, 0), varint(d.types[0]), tag(2, 0), varint(d.source), tag(3, 2), varint(enc.encode(d.description).length), enc.encode(d.description));
    const head = encodeRecord({ ...m, body: null });
    return concat(head, tag(18, 2), varint(inner.length), inner);
  }), false);
  return cases;
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random change of a byte string: flip, set, insert or delete a byte. */
function mutate(bytes, rand) {
  const b = Array.from(bytes);
  const at = Math.floor(rand() * (b.length + 1));
  const op = Math.floor(rand() * 5);
  const value = rand() < 0.5 ? Math.floor(rand() * 256) : [0x00, 0x01, 0x7f, 0x80, 0xff][Math.floor(rand() * 5)];
  if (op === 0 && at < b.length) b[at] ^= 1 << Math.floor(rand() * 8);
  else if (op === 1 && at < b.length) b[at] = value;
  else if (op === 2) b.splice(at, 0, value);
  else if (op === 3 && at < b.length) b.splice(at, 1);
  else b.splice(at, 0, ...b.slice(at, at + 1 + Math.floor(rand() * 8)));
  return Uint8Array.from(b);
}

/**
 * `count` random cases: a record's bytes mutated and signed again (so only
 * the decoding decides), or an entry's bytes mutated before the tree is
 * built (so only the entry decoding decides). Their outcome is not known in
 * advance: only agreement with the Rust verifier is checked.
 */
export function randomCases(count, seed = 1) {
  const rand = prng(seed);
  const kinds = history().map((i) => i.value.body.kind);
  const cases = [];
  for (let n = 0; n < count; n++) {
    const kind = kinds[Math.floor(rand() * kinds.length)];
    const steps = 1 + Math.floor(rand() * 3);
    const r = rand();
    if (r < 0.6) {
      const rs = rand();
      cases.push({
        name: `random-record-${n}-${kind}`,
        build: () => {
          const local = prng(Math.floor(rs * 2 ** 32));
          return editBytes(kind, (b) => {
            let out = b;
            for (let i = 0; i < steps; i++) out = mutate(out, local);
            return out;
          })();
        },
      });
    } else {
      const rs = rand();
      const leaf = 8 + kinds.indexOf(kind);
      cases.push({
        name: `random-entry-${n}-leaf-${leaf}`,
        build: () => {
          const local = prng(Math.floor(rs * 2 ** 32));
          return buildBundle({
            entryHook: (i, b) => {
              if (i !== leaf) return b;
              let out = b;
              for (let j = 0; j < steps; j++) out = mutate(out, local);
              return out;
            },
          });
        },
      });
    }
  }
  return cases;
}

const STRINGS = [
  '', ' ', 'A', 'a', 'AB', 'ab', 'A-B', 'A_B', 'ENG-1', 'KZ', 'EUR', 'P-1', 'cn/x.y_z', 'application/pdf',
  'a/b', 'a/b/c', '\t', '\u0000', '\u007f', '\u0085', '\u00a0', '\u2028', '\u200b', '\ufeff', '\u3000',
  '\u{1F697}', 'x\ny', 'LGXCE4CB8S0123456', ...[31, 32, 33, 64, 65, 127, 128, 129, 256, 257].map((n) => 'X'.repeat(n)),
  '\u00e9'.repeat(128), `${'\u00e9'.repeat(128)}a`,
];
const NUMBERS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, -1, 1899, 1900, 2025, 2200, 2201, 2 ** 31 - 1, -(2 ** 31)];
const BIGINTS = [0n, 1n, -1n, 9999999n, 10000000n, 1741564800n, (1n << 63n) - 1n, -(1n << 63n), 253402300800n];

/** Paths to the leaves of a record value: [[key, ...], ...]. */
function leaves(value, path = [], out = []) {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) {
    out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => leaves(v, [...path, i], out));
    out.push(path);
  } else {
    for (const [k, v] of Object.entries(value)) if (k !== 'kind') leaves(v, [...path, k], out);
  }
  return out;
}

function randomLike(old, rand) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  if (typeof old === 'string') return pick(STRINGS);
  if (typeof old === 'number') return pick(NUMBERS);
  if (typeof old === 'bigint') return pick(BIGINTS);
  if (typeof old === 'boolean') return !old;
  if (old instanceof Uint8Array) {
    const n = pick([0, 4, 31, 32, 33, 64, 65]);
    const fill = pick([0x00, 0x41, 0xab, -1]);
    return Uint8Array.from({ length: n }, (_, i) => (fill < 0 ? Math.floor(rand() * 256) : (i % 9 === 4 ? 0x9c : fill)));
  }
  if (Array.isArray(old)) return rand() < 0.5 ? [] : [...old, ...old];
  return null;
}

/**
 * `count` cases with one or two fields of one record set to an edge value
 * (a string, number or byte string from a list), encoded canonically and
 * signed. Only agreement with the Rust verifier is checked.
 */
export function valueCases(count, seed = 2) {
  const rand = prng(seed);
  const kinds = history().map((i) => i.value.body.kind);
  const cases = [];
  for (let n = 0; n < count; n++) {
    const kind = kinds[Math.floor(rand() * kinds.length)];
    const rs = Math.floor(rand() * 2 ** 32);
    cases.push({
      name: `value-${n}-${kind}`,
      build: edit(kind, (body, rec) => {
        const local = prng(rs);
        const changes = 1 + Math.floor(local() * 2);
        for (let c = 0; c < changes; c++) {
          const paths = leaves(rec);
          const path = paths[Math.floor(local() * paths.length)];
          if (path.length === 0) continue;
          let parent = rec;
          for (const k of path.slice(0, -1)) parent = parent[k];
          const key = path[path.length - 1];
          parent[key] = randomLike(parent[key], local);
          if (parent[key] === null && (key === 'body' || Array.isArray(parent))) parent[key] = randomLike('', local);
        }
      }),
    });
  }
  return cases;
}
