// Checks of single record fields, as the Rust record types make them:
// free text, identifiers, country and media types, hashes, enums,
// odometer values and party commitments. A failing check throws
// "<field>: <reason>".

import { toHex, utf8Length } from './bytes.js';
import { fail } from './errors.js';

export const MAX_TEXT_LEN = 256;
export const MAX_IDENTIFIER_LEN = 32;
export const MAX_ATTACHMENTS = 16;
export const MAX_LIST = 64;
export const MAX_ODOMETER = 9999999n;

export function fieldError(field, reason) {
  return fail('entry', `${field}: ${reason}`);
}

const isAllWhitespace = (s) => /^\p{White_Space}*$/u.test(s);

/** Free text: at most 256 bytes, no control character. */
export function text(field, s) {
  if (utf8Length(s) > MAX_TEXT_LEN) fieldError(field, `is longer than ${MAX_TEXT_LEN} bytes`);
  if (/\p{Cc}/u.test(s)) fieldError(field, 'contains a control character');
  return s;
}

/** Free text that must not be empty or only whitespace. */
export function requiredText(field, s) {
  if (isAllWhitespace(s)) fieldError(field, 'is missing');
  return text(field, s);
}

/** 1 to 32 characters of A-Z, 0-9 and -. */
export function identifier(field, s) {
  if (s.length === 0) fieldError(field, 'is missing');
  if (utf8Length(s) > MAX_IDENTIFIER_LEN) fieldError(field, `is longer than ${MAX_IDENTIFIER_LEN} bytes`);
  if (!/^[A-Z0-9-]+$/.test(s)) fieldError(field, 'must be 1 to 32 characters of A-Z, 0-9 and -');
  return s;
}

/** An identifier, or null when empty. */
export function optionalIdentifier(field, s) {
  return s.length === 0 ? null : identifier(field, s);
}

/** An ISO 3166-1 alpha-2 code. */
export function country(field, s) {
  if (s.length === 0) fieldError(field, 'is missing');
  if (!/^[A-Z]{2}$/.test(s)) fieldError(field, 'is not an ISO 3166-1 alpha-2 country code (two capital letters)');
  return s;
}

/** A media type: type/subtype of lower-case token characters, at most 127 bytes. */
export function mediaType(field, s) {
  const slash = s.indexOf('/');
  const token = (t) => /^[a-z0-9!#$&\-^_.+]+$/.test(t);
  if (slash < 0 || utf8Length(s) > 127 || !token(s.slice(0, slash)) || !token(s.slice(slash + 1))) {
    fieldError(field, 'is not a media type such as application/pdf');
  }
  return s;
}

export function atMost(field, list, max) {
  if (list.length > max) fieldError(field, `has more than ${max} entries`);
}

/** A list of at most 64 non-empty texts. */
export function textList(field, list) {
  atMost(field, list, MAX_LIST);
  return list.map((s) => requiredText(field, s));
}

/** A date that must be set (0 is protobuf's "unset"), between EARLIEST_DATE and LATEST_DATE. */
export function date(field, t) {
  if (t === 0n) fieldError(field, 'is missing');
  if (t < EARLIEST_DATE) fieldError(field, 'is before 1886-01-01T00:00:00Z (the first motor car), the earliest date a record may state');
  if (t > LATEST_DATE) fieldError(field, 'is after 9999-12-31T23:59:59Z, the latest date a record may state');
  return t;
}

/** 1886-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the dates a record may state. */
export const EARLIEST_DATE = -2650752000n;
export const LATEST_DATE = 253402300799n;

/** A 32-byte digest, as lower-case hex. */
export function digest(field, bytes) {
  if (bytes.length !== 32) fieldError(field, 'is not a 32-byte hash');
  return toHex(bytes);
}

/**
 * A party commitment: 32 bytes that are not all printable ASCII and hold no
 * run of four zero bytes. As lower-case hex.
 */
export function partyCommitment(field, bytes) {
  if (bytes.length === 0) fieldError(field, 'is missing');
  const not = () => fieldError(field, 'is not a party commitment: a party is a 32-byte salted hash, never a name, ID or phone number');
  if (bytes.length !== 32) not();
  const printable = bytes.every((b) => b >= 0x20 && b < 0x7f);
  let padded = false;
  for (let i = 0; i + 4 <= 32; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 0 && bytes[i + 3] === 0) padded = true;
  }
  if (printable || padded) not();
  return toHex(bytes);
}

/** A closed enum: names[v] for a declared value v, refusing 0 unless `zero` names it. */
function makeEnum(names, zero = null) {
  return (field, v) => {
    if (v === 0 && zero !== null) return zero;
    if (v >= 1 && v <= names.length) return names[v - 1];
    return fieldError(field, 'is unspecified or unknown');
  };
}

export const distanceUnit = makeEnum(['km', 'miles']);
export const language = makeEnum(['zh', 'en'], 'none');
export const documentKind = makeEnum([
  'report', 'certificate', 'photo', 'invoice', 'evidence', 'after_sales_confirmation',
  'license', 'declaration', 'other',
]);
export const odometerSource = makeEnum(['dashboard', 'obd', 'inspection', 'service']);
export const role = makeEnum([
  'admin', 'registry', 'manufacturer', 'inspection_body', 'exporter', 'workshop', 'customs',
  'recovery',
]);
export const powertrain = makeEnum([
  'petrol', 'diesel', 'hybrid', 'plug_in_hybrid', 'battery_electric', 'fuel_cell', 'natural_gas',
]);
export const useType = makeEnum(['private', 'commercial', 'taxi', 'rental']);
export const component = makeEnum(['engine', 'drive_motor', 'battery', 'instrument_cluster']);
export const damageType = makeEnum([
  'structural', 'flood_fresh_water', 'flood_salt_water', 'fire', 'hail', 'theft_recovery',
  'total_loss', 'not_actual_mileage',
]);
export const damageSource = makeEnum([
  'insurance_claim', 'police_report', 'inspection', 'workshop', 'auction', 'registry',
]);
export const itemOutcome = makeEnum(['pass', 'fail', 'advisory', 'not_applicable']);
export const verdict = makeEnum(['pass', 'fail', 'conditional']);
export const customsDirection = makeEnum(['export', 'import']);
export const deregistrationReason = makeEnum(['end_of_life', 'export', 'theft', 'other']);
export const claimOutcome = makeEnum(['filed', 'refunded', 'partly_refunded', 'rejected', 'withdrawn']);

/** An odometer value and unit: the unit must be set, the value at most 9,999,999. */
export function odometerChecked(field, unitField, value, unit) {
  const u = distanceUnit(unitField, unit);
  if (value > MAX_ODOMETER) fieldError(field, `is larger than ${MAX_ODOMETER}`);
  return { value, unit: u };
}

/** A required Odometer message. */
export function odometer(field, unitField, msg) {
  if (msg === null) fieldError(field, 'is missing');
  return odometerChecked(field, unitField, msg.value, msg.unit);
}
