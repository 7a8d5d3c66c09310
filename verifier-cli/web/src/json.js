// A strict JSON reader for the bundle file, with serde_json's rules for
// the types the bundle uses (#[serde(deny_unknown_fields)] structs, strings,
// u64 numbers, lists and an optional struct):
//
// - whitespace is space, tab, CR and LF only; nothing may follow the value;
// - strings: no raw control characters, only JSON escapes, and \u escapes of
//   UTF-16 surrogates must come in valid pairs;
// - a struct is an object with exactly its fields (no unknown or repeated
//   field; a field with a default may be left out) or, as serde accepts it,
//   an array of its field values in order (trailing defaulted fields may be
//   left out);
// - a u64 is a plain decimal integer without sign, fraction or exponent,
//   at most 2^64 - 1, read as a BigInt;
// - an optional struct may be null.

import { fail } from './errors.js';

const WS = new Set([' ', '\t', '\n', '\r']);
const bad = (what) => fail('json', `not a history bundle: ${what}`);

export class JsonReader {
  constructor(text) {
    this.text = text;
    this.at = 0;
  }

  ws() {
    while (this.at < this.text.length && WS.has(this.text[this.at])) this.at++;
  }

  peek() {
    this.ws();
    return this.text[this.at];
  }

  eat(ch) {
    if (this.peek() !== ch) bad(`expected ${JSON.stringify(ch)} at character ${this.at}`);
    this.at++;
  }

  end() {
    this.ws();
    if (this.at !== this.text.length) bad(`trailing characters at character ${this.at}`);
  }

  hex4() {
    const h = this.text.slice(this.at, this.at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) bad(`invalid \\u escape at character ${this.at}`);
    this.at += 4;
    return parseInt(h, 16);
  }

  string() {
    if (this.peek() !== '"') bad(`expected a string at character ${this.at}`);
    this.at++;
    let out = '';
    for (;;) {
      if (this.at >= this.text.length) bad('unterminated string');
      const c = this.text[this.at++];
      if (c === '"') return out;
      if (c.charCodeAt(0) < 0x20) bad(`control character in a string at character ${this.at - 1}`);
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.at++];
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && Object.hasOwn(simple, e)) {
        out += simple[e];
      } else if (e === 'u') {
        const n = this.hex4();
        if (n >= 0xdc00 && n <= 0xdfff) bad('lone surrogate in a \\u escape');
        if (n >= 0xd800 && n <= 0xdbff) {
          if (this.text[this.at] !== '\\' || this.text[this.at + 1] !== 'u') bad('lone surrogate in a \\u escape');
          this.at += 2;
          const m = this.hex4();
          if (m < 0xdc00 || m > 0xdfff) bad('lone surrogate in a \\u escape');
          out += String.fromCharCode(n, m);
        } else {
          out += String.fromCharCode(n);
        }
      } else {
        bad(`invalid escape at character ${this.at - 1}`);
      }
    }
  }

  u64() {
    this.ws();
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at, this.at + 400));
    if (!m) bad(`expected an unsigned integer at character ${this.at}`);
    const token = m[0];
    if (!/^(?:0|[1-9][0-9]*)$/.test(token) || BigInt(token) > 0xffffffffffffffffn) {
      bad(`${token} is not an unsigned 64-bit integer`);
    }
    this.at += token.length;
    return BigInt(token);
  }

  /** A list whose elements `item` reads. */
  list(item) {
    this.eat('[');
    const out = [];
    if (this.peek() === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(item(this));
      const c = this.peek();
      if (c === ']') {
        this.at++;
        return out;
      }
      if (c !== ',') bad(`expected "," or "]" at character ${this.at}`);
      this.at++;
      if (this.peek() === ']') bad(`trailing comma at character ${this.at}`);
    }
  }

  /** null, or what `item` reads. */
  optional(item) {
    if (this.peek() === 'n') {
      if (this.text.slice(this.at, this.at + 4) !== 'null') bad(`expected null at character ${this.at}`);
      this.at += 4;
      return null;
    }
    return item(this);
  }

  /**
   * A struct of `fields`: [{ name, read, default? }], where a field with a
   * `default` key may be absent.
   */
  struct(name, fields) {
    const c = this.peek();
    const out = {};
    if (c === '{') {
      this.at++;
      let first = true;
      for (;;) {
        if (this.peek() === '}') {
          if (!first) bad(`trailing comma at character ${this.at}`);
          this.at++;
          break;
        }
        const key = this.string();
        const field = fields.find((f) => f.name === key);
        if (!field) bad(`unknown field ${JSON.stringify(key)} in ${name}`);
        if (Object.hasOwn(out, key)) bad(`duplicate field ${JSON.stringify(key)} in ${name}`);
        this.eat(':');
        out[key] = field.read(this);
        first = false;
        const next = this.peek();
        if (next === '}') {
          this.at++;
          break;
        }
        if (next !== ',') bad(`expected "," or "}" at character ${this.at}`);
        this.at++;
      }
    } else if (c === '[') {
      this.at++;
      let count = 0;
      for (const field of fields) {
        if (this.peek() === ']') break;
        if (count > 0) {
          this.eat(',');
          if (this.peek() === ']') bad(`trailing comma at character ${this.at}`);
        }
        out[field.name] = field.read(this);
        count++;
      }
      if (this.peek() !== ']') bad(`too many elements in ${name}`);
      this.at++;
    } else {
      bad(`expected ${name} at character ${this.at}`);
    }
    for (const field of fields) {
      if (Object.hasOwn(out, field.name)) continue;
      if (!Object.hasOwn(field, 'default')) bad(`missing field ${JSON.stringify(field.name)} in ${name}`);
      out[field.name] = field.default;
    }
    return out;
  }
}
