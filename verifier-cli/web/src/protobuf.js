// A minimal, strict protobuf reader for vledger's messages.
//
// The Rust code decodes entries and records with prost and then requires the
// bytes to be exactly what prost encodes for the decoded value (the
// canonical encoding). This reader accepts exactly those byte strings:
//
// - malformed input is refused as prost refuses it: a truncated field, a
//   varint longer than 10 bytes or over 64 bits, a tag of 0 or over 32
//   bits, an unknown wire type, the wrong wire type for a known field,
//   invalid UTF-8 in a string field, nesting deeper than 100 messages;
// - input prost would decode but not encode back the same way is refused as
//   non-canonical: unknown fields, fields out of field-number order, a
//   field given twice (or two fields of one oneof), a default value written
//   out for a field without explicit presence, varints that are not minimal,
//   32-bit values given with more bits, repeated enums not packed.
//
// A schema is { name, fields: [field] }, a field being
//   { num, name, kind, repeated?, optional?, oneof?, message? }
// with kind one of uint64, int64, uint32, enum (int32), bool, string, bytes,
// message. Repeated enums are packed; repeated strings and messages are
// not. 64-bit values are BigInt, enums and uint32 are numbers.

import { fromUtf8 } from './bytes.js';
import { fail } from './errors.js';

const MAX_DEPTH = 100;
const malformed = () => fail('protobuf', 'is not a valid protobuf message');
const nonCanonical = () => fail('protobuf', 'is not canonically encoded (unknown fields, fields out of order, or default values written out)');

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.at = 0;
  }

  get done() {
    return this.at >= this.bytes.length;
  }

  /** A varint as a BigInt; non-minimal varints are refused. */
  varint() {
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.bytes.length) malformed();
      const b = this.bytes[this.at++];
      if (i === 9 && b > 1) malformed();
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) {
        if (i > 0 && b === 0) nonCanonical();
        return value;
      }
    }
    return malformed();
  }

  take(n) {
    if (n > BigInt(this.bytes.length - this.at)) malformed();
    const out = this.bytes.subarray(this.at, this.at + Number(n));
    this.at += Number(n);
    return out;
  }
}

function defaultValue(field) {
  if (field.repeated) return [];
  if (field.optional || field.kind === 'message') return null;
  switch (field.kind) {
    case 'uint64':
    case 'int64':
      return 0n;
    case 'uint32':
    case 'enum':
      return 0;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array(0);
    default:
      throw new Error(`unknown field kind ${field.kind}`);
  }
}

function isDefault(field, value) {
  switch (field.kind) {
    case 'uint64':
    case 'int64':
      return value === 0n;
    case 'uint32':
    case 'enum':
      return value === 0;
    case 'bool':
      return value === false;
    case 'string':
    case 'bytes':
      return value.length === 0;
    default:
      return false;
  }
}

/** A varint-encoded scalar of `kind`, refusing values prost would truncate. */
function scalar(kind, v) {
  switch (kind) {
    case 'uint64':
      return v;
    case 'int64':
      return BigInt.asIntN(64, v);
    case 'uint32':
      if (v >= 1n << 32n) nonCanonical();
      return Number(v);
    case 'enum':
      // int32: non-negative values as is, negative ones sign-extended to 64 bits.
      if (v < 1n << 31n) return Number(v);
      if (v >= (1n << 64n) - (1n << 31n)) return Number(BigInt.asIntN(64, v));
      return nonCanonical();
    case 'bool':
      if (v > 1n) nonCanonical();
      return v === 1n;
    default:
      throw new Error(`not a varint kind: ${kind}`);
  }
}

/** Decodes `bytes` as the message `schema`, strictly (see above). */
export function decodeMessage(bytes, schema, depth = 0) {
  if (depth >= MAX_DEPTH) malformed();
  const out = {};
  const oneofs = new Set(schema.fields.filter((f) => f.oneof).map((f) => f.oneof));
  for (const f of schema.fields) if (!f.oneof) out[f.name] = defaultValue(f);
  for (const o of oneofs) out[o] = null;

  const r = new Reader(bytes);
  let lastNum = 0;
  let lastField = null;
  while (!r.done) {
    const key = r.varint();
    if (key > 0xffffffffn) malformed();
    const wire = Number(key & 7n);
    const num = Number(key >> 3n);
    if (wire > 5 || num === 0) malformed();
    const field = schema.fields.find((f) => f.num === num);
    if (!field) nonCanonical();
    // Field numbers ascend; only a repeated unpacked field may follow itself.
    const repeatable = field.repeated && field.kind !== 'enum';
    if (num < lastNum || (num === lastNum && !(repeatable && lastField === field))) nonCanonical();
    lastNum = num;
    lastField = field;

    let value;
    if (field.kind === 'message' || field.kind === 'string' || field.kind === 'bytes' || (field.repeated && field.kind === 'enum')) {
      if (wire !== 2) {
        // An unpacked element of a packed field decodes in prost but encodes packed.
        if (field.repeated && field.kind === 'enum' && wire === 0) nonCanonical();
        malformed();
      }
      const payload = r.take(r.varint());
      if (field.kind === 'message') {
        value = decodeMessage(payload, field.message, depth + 1);
      } else if (field.kind === 'string') {
        value = fromUtf8(payload);
        if (value === null) malformed();
      } else if (field.kind === 'bytes') {
        value = Uint8Array.from(payload);
      } else {
        if (payload.length === 0) nonCanonical();
        const inner = new Reader(payload);
        value = [];
        while (!inner.done) value.push(scalar('enum', inner.varint()));
      }
    } else {
      if (wire !== 0) malformed();
      value = scalar(field.kind, r.varint());
    }

    if (field.repeated && field.kind === 'enum') {
      out[field.name] = value;
    } else if (field.repeated) {
      out[field.name].push(value);
    } else if (field.oneof) {
      if (out[field.oneof] !== null) nonCanonical();
      out[field.oneof] = { kind: field.name, value };
    } else {
      if (!field.optional && field.kind !== 'message' && isDefault(field, value)) nonCanonical();
      out[field.name] = value;
    }
  }
  return out;
}
