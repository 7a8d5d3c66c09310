// A protobuf writer for tests: encodes a value in the shape protobuf.js
// decodes (same schemas) the way prost encodes it: fields in field-number
// order, defaults left out (except explicit-presence fields and messages),
// repeated enums packed, minimal varints.

import { concat } from '../src/bytes.js';

const enc = new TextEncoder();

export function varint(v) {
  let x = BigInt.asUintN(64, BigInt(v));
  const out = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return Uint8Array.from(out);
}

export const tag = (num, wire) => varint((BigInt(num) << 3n) | BigInt(wire));
const len = (bytes) => concat(varint(bytes.length), bytes);

function scalarVarint(kind, v) {
  switch (kind) {
    case 'bool': return varint(v ? 1 : 0);
    case 'enum': return varint(BigInt.asUintN(64, BigInt(v)));
    default: return varint(BigInt.asUintN(64, BigInt(v)));
  }
}

function isDefault(kind, v) {
  if (kind === 'string' || kind === 'bytes') return v.length === 0;
  if (kind === 'bool') return !v;
  return BigInt(v) === 0n;
}

function encodeField(field, v) {
  switch (field.kind) {
    case 'message': return concat(tag(field.num, 2), len(encodeMessage(v, field.message)));
    case 'string': return concat(tag(field.num, 2), len(enc.encode(v)));
    case 'bytes': return concat(tag(field.num, 2), len(v));
    default: return concat(tag(field.num, 0), scalarVarint(field.kind, v));
  }
}

/** Encodes `value` (protobuf.js's decoded shape) as the message `schema`. */
export function encodeMessage(value, schema) {
  const parts = [];
  for (const field of schema.fields) {
    if (field.oneof) {
      const o = value[field.oneof];
      if (o && o.kind === field.name) parts.push(encodeField(field, o.value));
      continue;
    }
    const v = value[field.name];
    if (v === undefined || v === null) continue;
    if (field.repeated && field.kind === 'enum') {
      if (v.length > 0) parts.push(concat(tag(field.num, 2), len(concat(...v.map((x) => scalarVarint('enum', x))))));
    } else if (field.repeated) {
      for (const x of v) parts.push(encodeField(field, x));
    } else if (field.kind === 'message' || field.optional || !isDefault(field.kind, v)) {
      parts.push(encodeField(field, v));
    }
  }
  return concat(...parts);
}
