// C2SP signed notes:
//
//   <text, one or more lines, each ending in a newline>
//   <blank line>
//   — <key name> <base64(4-byte key id || signature)>
//   ...
//
// The note is split at its last blank line; it holds no ASCII control
// character other than newline; every signature line starts with an em dash
// (U+2014) and a space. At most 128 KiB and 100 signature lines.

import { decodeBase64 } from './base64.js';
import { bytesEqual, toHex, utf8, utf8Length } from './bytes.js';
import { fail, VerifyError } from './errors.js';
import { checkName, findControl, hex2 } from './text.js';
import { sameKey, verifyWithKey } from './vkey.js';

export const MAX_NOTE_SIZE = 128 * 1024;
export const MAX_SIGNATURES = 100;
const SIG_PREFIX = '\u2014 ';

function lineAt(text, offset) {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) n++;
  return n;
}

function parseSignatureLine(line) {
  if (!line.startsWith(SIG_PREFIX)) return { error: 'signature line must start with an em dash (U+2014) and a space' };
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return { error: 'signature line has no space between key name and signature' };
  const name = rest.slice(0, space);
  try {
    checkName(name);
  } catch (e) {
    if (e instanceof VerifyError) return { error: `signature ${e.message}` };
    throw e;
  }
  const data = decodeBase64(rest.slice(space + 1));
  if (data === null) return { error: 'signature is not valid base64' };
  if (data.length < 5) return { error: `signature is ${data.length} bytes, shorter than a 4-byte key id and a signature` };
  return { name, keyId: data.subarray(0, 4), signature: data.subarray(4) };
}

/** Parses a signed note: { text, signatures: [{ name, keyId, signature }] }. Nothing is verified. */
export function parseNote(note) {
  const size = utf8Length(note);
  if (size > MAX_NOTE_SIZE) fail('note', `note is ${size} bytes, more than the limit of ${MAX_NOTE_SIZE}`);
  const control = findControl(note);
  if (control) fail('note', `note line ${control.line}: control character ${hex2(control.byte)}`);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) fail('note', 'note has no blank line between its text and its signatures');
  const text = note.slice(0, split + 1);
  let block = note.slice(split + 2);
  if (block.length === 0) fail('note', 'note has no signature lines');
  if (!block.endsWith('\n')) fail('note', 'note does not end with a newline');
  block = block.slice(0, -1);
  const firstLine = lineAt(note, split + 2);
  const signatures = [];
  const lines = block.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (signatures.length === MAX_SIGNATURES) fail('note', `note has more than ${MAX_SIGNATURES} signature lines`);
    const sig = parseSignatureLine(lines[i]);
    if (sig.error) fail('note', `note line ${firstLine + i}: ${sig.error}`);
    signatures.push(sig);
  }
  return { text, signatures };
}

/**
 * Checks the note's signatures by the keys in `keys` and returns the keys
 * whose signatures verified, each once. Signature lines whose name and key
 * id match no key are ignored; every line of a known key must verify; at
 * least one must be by a known key.
 */
export function verifyNote(note, keys) {
  const text = utf8(note.text);
  const verified = [];
  for (const sig of note.signatures) {
    const matching = keys.filter((k) => k.name === sig.name && bytesEqual(k.keyId, sig.keyId));
    if (matching.length === 0) continue;
    const key = matching[0];
    if (matching.some((other) => !sameKey(other, key))) {
      fail('ambiguous-key', `two known keys are named ${sig.name} with key id ${toHex(sig.keyId)}`);
    }
    if (!verifyWithKey(key, text, sig.signature)) {
      fail('bad-signature', `signature by ${sig.name} (key id ${toHex(sig.keyId)}) does not verify`);
    }
    if (!verified.some((k) => sameKey(k, key))) verified.push(key);
  }
  if (verified.length === 0) {
    fail('no-known-signature', `no signature by a known key (signed by: ${note.signatures.map((s) => s.name).join(', ')})`);
  }
  return verified;
}
