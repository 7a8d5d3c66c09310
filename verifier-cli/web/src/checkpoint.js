// C2SP tlog-checkpoint note texts, as vledger writes them:
//
//   <origin>
//   <tree size, decimal, no leading zeros>
//   <root hash, base64>
//
// vledger checkpoints have no extension lines; a text with one is refused.

import { decodeBase64 } from './base64.js';
import { utf8Length } from './bytes.js';
import { fail, VerifyError, within } from './errors.js';
import { parseNote, verifyNote } from './note.js';
import { findControl, hex2, MAX_NAME_LEN, parseDecimal } from './text.js';

function checkOrigin(origin) {
  if (origin.length === 0) fail('checkpoint', 'checkpoint line 1: origin is empty');
  if (utf8Length(origin) > MAX_NAME_LEN) fail('checkpoint', `checkpoint line 1: origin is longer than ${MAX_NAME_LEN} bytes`);
  const control = findControl(origin);
  if (control) fail('checkpoint', `checkpoint line 1: control character ${hex2(control.byte)}`);
}

/** Parses a checkpoint text: { origin, size (BigInt), root (32 bytes) }. */
export function parseCheckpointText(text) {
  if (!text.endsWith('\n')) fail('checkpoint', 'checkpoint text does not end with a newline');
  const control = findControl(text);
  if (control) fail('checkpoint', `checkpoint line ${control.line}: control character ${hex2(control.byte)}`);
  const lines = text.slice(0, -1).split('\n');
  const origin = lines[0];
  checkOrigin(origin);
  if (lines.length < 2) fail('checkpoint', 'checkpoint line 2: tree size is missing');
  const size = parseDecimal(lines[1]);
  if (size.error) fail('checkpoint', `checkpoint line 2: tree size ${size.error}`);
  if (lines.length < 3) fail('checkpoint', 'checkpoint line 3: root hash is missing');
  const root = decodeBase64(lines[2]);
  if (root === null) fail('checkpoint', 'checkpoint line 3: root hash is not valid base64');
  if (root.length !== 32) fail('checkpoint', `checkpoint line 3: root hash is ${root.length} bytes, expected 32`);
  if (lines.length > 3) fail('checkpoint', 'checkpoint line 4: extension lines are not allowed in vledger checkpoints');
  return { origin, size: size.value, root };
}

/**
 * Parses a signed checkpoint note, checks the log key's signature (other
 * signature lines, such as cosignatures, are ignored), only then parses the
 * text, and requires its origin to be `origin`.
 * Returns { note, checkpoint }.
 */
export function openCheckpoint(noteText, origin, logKey) {
  const note = within('checkpoint', 'checkpoint ', () => parseNote(noteText));
  try {
    verifyNote(note, [logKey]);
  } catch (e) {
    if (!(e instanceof VerifyError)) throw e;
    const signers = note.signatures.map((s) => s.name).join(', ');
    if (e.code === 'no-known-signature') {
      fail('checkpoint', `checkpoint: not signed by the pinned log key ${logKey.name} (signed by: ${signers})`);
    }
    fail('checkpoint', `checkpoint: the signature by the pinned log key ${logKey.name} does not verify`);
  }
  const checkpoint = parseCheckpointText(note.text);
  if (checkpoint.origin !== origin) {
    fail('checkpoint', `checkpoint origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(origin)}`);
  }
  return { note, checkpoint };
}
