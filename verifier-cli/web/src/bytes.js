// Byte helpers: UTF-8, hex, comparison, concatenation and big-endian integers.

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, as in Rust's str::from_utf8.
// ignoreBOM: a leading U+FEFF is kept as a character, not dropped.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string that holds no lone surrogate. */
export function utf8(text) {
  return encoder.encode(text);
}

/** The string of UTF-8 bytes, or null if they are not valid UTF-8. */
export function fromUtf8(bytes) {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** Length in UTF-8 bytes, as Rust's str::len. */
export function utf8Length(text) {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Whether a string holds a lone UTF-16 surrogate (it then is no Unicode text). */
export function hasLoneSurrogate(text) {
  return /\p{Surrogate}/u.test(text);
}

export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A u64 (BigInt) as 8 big-endian bytes. */
export function u64be(value) {
  const out = new Uint8Array(8);
  let v = BigInt.asUintN(64, value);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** 8 big-endian bytes as a u64 (BigInt). */
export function readU64be(bytes, at = 0) {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(bytes[at + i]);
  return v;
}

/** Little-endian bytes as a BigInt. */
export function readLe(bytes) {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** A BigInt as a JS number when it is a safe integer, else as a decimal string. */
export function plainNumber(value) {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}
