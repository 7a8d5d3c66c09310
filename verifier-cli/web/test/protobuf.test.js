// The protobuf reader accepts exactly the canonical encodings: malformed
// input is refused as prost refuses it, and what prost would decode but not
// encode back the same way is refused as non-canonical.

import test from 'node:test';
import assert from 'node:assert/strict';
import { concat } from '../src/bytes.js';
import { VerifyError } from '../src/errors.js';
import { decodeMessage } from '../src/protobuf.js';
import * as S from '../src/proto-schema.js';
import { encodeMessage, tag, varint } from './pbwriter.mjs';

const bytes = (...b) => Uint8Array.from(b.flat());
const decode = (b, schema = S.Odometer) => decodeMessage(bytes(b), schema);
const MALFORMED = /not a valid protobuf message/;
const NON_CANONICAL = /not canonically encoded/;
const refused = (b, pattern, schema) => assert.throws(() => decode(b, schema), (e) => e instanceof VerifyError && pattern.test(e.message));

test('canonical encodings decode', () => {
  assert.deepEqual(decode([0x08, 0x05, 0x10, 0x01]), { value: 5n, unit: 1 });
  assert.deepEqual(decode([]), { value: 0n, unit: 0 });
  assert.deepEqual(decode([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), { value: 2n ** 64n - 1n, unit: 0 });
  // A negative enum is ten bytes, sign-extended.
  assert.deepEqual(decode([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), { value: 0n, unit: -1 });
});

test('malformed input is refused', () => {
  refused([0x08], MALFORMED); // truncated varint
  refused([0x08, 0x80], MALFORMED);
  refused([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], MALFORMED); // over 64 bits
  refused([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00], MALFORMED); // 11 bytes
  refused([0x0a, 0x01, 0x00], MALFORMED); // wrong wire type for a varint field
  refused([0x00, 0x01], MALFORMED); // field number 0
  refused([0x0e], MALFORMED); // wire type 6
  refused([0x12, 0x05, 0x61], MALFORMED, S.Attachment); // length past the end
  refused([0x12, 0x02, 0xc3, 0x28], MALFORMED, S.Attachment); // invalid UTF-8
  refused([0x12, 0x03, 0xed, 0xa0, 0x80], MALFORMED, S.Attachment); // a UTF-16 surrogate in UTF-8
  refused([0x08, 0x01, 0x88, 0x80, 0x80, 0x80, 0x80, 0x01], MALFORMED); // tag over 32 bits
});

test('non-canonical encodings are refused', () => {
  refused([0x08, 0x85, 0x00], NON_CANONICAL); // non-minimal varint
  refused([0x88, 0x00, 0x05], NON_CANONICAL); // non-minimal tag
  refused([0x10, 0x01, 0x08, 0x05], NON_CANONICAL); // out of order
  refused([0x08, 0x05, 0x08, 0x06], NON_CANONICAL); // repeated field
  refused([0x08, 0x00], NON_CANONICAL); // default written out
  refused([0x08, 0x05, 0x18, 0x01], NON_CANONICAL); // unknown field
  refused([0x10, 0x80, 0x80, 0x80, 0x80, 0x10], NON_CANONICAL); // an int32 given in more than 32 bits
  refused([0x12, 0x00], NON_CANONICAL, S.Attachment); // empty string written out
});

test('repeated enums must be packed, and not empty', () => {
  const damage = S.Record.fields.find((f) => f.name === 'damage').message;
  assert.deepEqual(decode([0x0a, 0x02, 0x05, 0x01], damage).types, [5, 1]);
  refused([0x08, 0x05], NON_CANONICAL, damage);
  refused([0x0a, 0x00], NON_CANONICAL, damage);
});

test('a oneof holds one field', () => {
  const odo = encodeMessage({ value: 1n, unit: 1, source: 1 }, S.Record.fields.find((f) => f.name === 'odometer_reading').message);
  const body = (n) => concat(tag(n, 2), varint(odo.length), odo);
  const record = concat(tag(2, 0), varint(5), body(10));
  assert.equal(decodeMessage(record, S.Record).body.kind, 'odometer_reading');
  refused([...record, ...body(10)], NON_CANONICAL, S.Record);
  // Two different members in field order still are two.
  refused([...concat(tag(2, 0), varint(5), body(10)), ...concat(tag(16, 2), varint(0))], NON_CANONICAL, S.Record);
});

test('optional fields may hold their default; messages may be empty', () => {
  const claim = S.Record.fields.find((f) => f.name === 'claim').message;
  assert.equal(decode([0x20, 0x00], claim).related_index, 0n);
  assert.equal(decode([], claim).related_index, null);
  assert.deepEqual(decode([0x22, 0x00], S.Record.fields.find((f) => f.name === 'maintenance').message).odometer, { value: 0n, unit: 0 });
});

test('nesting is limited', () => {
  // Record -> correction -> Record -> ... 120 levels deep.
  let inner = new Uint8Array(0);
  for (let i = 0; i < 60; i++) {
    const correction = concat(tag(3, 2), varint(inner.length), inner);
    inner = concat(tag(26, 2), varint(correction.length), correction);
  }
  assert.throws(() => decodeMessage(inner, S.Record), MALFORMED);
});
