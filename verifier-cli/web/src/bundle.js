// The history bundle file (`.vhist.json`, format "vledger-history/v1"):
//
//   { "format", "vin", "checkpoint", "index_entry", "index_proof",
//     "records", "signers", "witnessed"? }
//
// where index_entry, records[] and signers[] are { "index", "entry", "proof" }
// and witnessed is { "checkpoint", "consistency" }. Read as strictly as the
// Rust verifier reads it (see json.js).

import { fromUtf8, hasLoneSurrogate } from './bytes.js';
import { fail } from './errors.js';
import { JsonReader } from './json.js';

export const BUNDLE_FORMAT = 'vledger-history/v1';

const str = (r) => r.string();
const strings = (r) => r.list(str);

const provenEntry = (r) => r.struct('an entry', [
  { name: 'index', read: (x) => x.u64() },
  { name: 'entry', read: str },
  { name: 'proof', read: strings },
]);

const witnessed = (r) => r.struct('the witnessed part', [
  { name: 'checkpoint', read: str },
  { name: 'consistency', read: strings },
]);

/** Parses the bundle text (a string or UTF-8 bytes). */
export function parseBundle(input) {
  let text = input;
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    text = fromUtf8(input instanceof ArrayBuffer ? new Uint8Array(input) : input);
    if (text === null) fail('json', 'not a history bundle: the file is not valid UTF-8');
  } else if (typeof input !== 'string') {
    fail('json', 'not a history bundle: expected the text of a .vhist.json file');
  } else if (hasLoneSurrogate(input)) {
    fail('json', 'not a history bundle: the text is not valid Unicode');
  }
  const r = new JsonReader(text);
  const bundle = r.struct('a history bundle', [
    { name: 'format', read: str },
    { name: 'vin', read: str },
    { name: 'checkpoint', read: str },
    { name: 'index_entry', read: provenEntry },
    { name: 'index_proof', read: str },
    { name: 'records', read: (x) => x.list(provenEntry) },
    { name: 'signers', read: (x) => x.list(provenEntry) },
    { name: 'witnessed', read: (x) => x.optional(witnessed), default: null },
  ]);
  r.end();
  return bundle;
}
