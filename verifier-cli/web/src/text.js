// Text checks shared by notes, keys and checkpoints, with the semantics of
// the Rust code: lengths are in UTF-8 bytes, "whitespace" is the Unicode
// White_Space property (Rust's char::is_whitespace) and "control" is the
// general category Cc (Rust's char::is_control).

import { fail } from './errors.js';
import { utf8Length } from './bytes.js';

/** Longest key name and checkpoint origin, in bytes. */
export const MAX_NAME_LEN = 1024;

/** The first ASCII control character other than newline: { line, byte } or null. */
export function findControl(text) {
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line += 1;
    else if (c < 0x20) return { line, byte: c };
  }
  return null;
}

export const hex2 = (b) => '0x' + b.toString(16).padStart(2, '0');

/** Checks a key name (c2sp.org/signed-note): non-empty, no '+', no space, no control. */
export function checkName(name) {
  if (name.length === 0) fail('key', 'key name is empty');
  if (utf8Length(name) > MAX_NAME_LEN) fail('key', `key name is longer than ${MAX_NAME_LEN} bytes`);
  for (const c of name) {
    if (c === '+') fail('key', "key name contains '+'");
    if (/\p{White_Space}/u.test(c)) fail('key', 'key name contains a space');
    if (/\p{Cc}/u.test(c)) fail('key', 'key name contains a control character');
  }
}

/** Parses an ASCII decimal with no sign and no leading zero (except "0") into a u64 BigInt. */
export function parseDecimal(text) {
  if (text.length === 0) return { error: 'is empty' };
  if (!/^[0-9]+$/.test(text)) return { error: 'is not a decimal number' };
  if (text.length > 1 && text[0] === '0') return { error: 'has a leading zero' };
  const value = BigInt(text);
  if (value > 0xffffffffffffffffn) return { error: 'does not fit in 64 bits' };
  return { value };
}
