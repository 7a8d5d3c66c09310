// vledger history-bundle verifier: generated from verifier-cli/web/src by `npm run build`; do not edit.
var VledgerVerify = (() => {
  var __defProp = Object.defineProperty;
  var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
  var __getOwnPropNames = Object.getOwnPropertyNames;
  var __hasOwnProp = Object.prototype.hasOwnProperty;
  var __export = (target, all) => {
    for (var name in all)
      __defProp(target, name, { get: all[name], enumerable: true });
  };
  var __copyProps = (to, from, except, desc) => {
    if (from && typeof from === "object" || typeof from === "function") {
      for (let key of __getOwnPropNames(from))
        if (!__hasOwnProp.call(to, key) && key !== except)
          __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
    }
    return to;
  };
  var __toCommonJS = (mod2) => __copyProps(__defProp({}, "__esModule", { value: true }), mod2);

  // src/index.js
  var index_exports = {};
  __export(index_exports, {
    BUNDLE_FORMAT: () => BUNDLE_FORMAT,
    verifyHistory: () => verifyHistory
  });

  // src/base64.js
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  var VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));
  var SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  function decodeBase64(text2) {
    if (typeof text2 !== "string" || !SHAPE.test(text2)) return null;
    const body2 = text2.replace(/=+$/, "");
    const out = new Uint8Array(Math.floor(body2.length * 6 / 8));
    let bits = 0;
    let acc = 0;
    let at = 0;
    for (const c of body2) {
      acc = acc << 6 | VALUE.get(c);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[at++] = acc >> bits & 255;
        acc &= (1 << bits) - 1;
      }
    }
    if (bits > 0 && (acc & (1 << bits) - 1) !== 0) return null;
    return out;
  }
  function encodeBase64(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = bytes[i] << 16 | (bytes[i + 1] ?? 0) << 8 | (bytes[i + 2] ?? 0);
      out += ALPHABET[n >> 18 & 63] + ALPHABET[n >> 12 & 63];
      out += i + 1 < bytes.length ? ALPHABET[n >> 6 & 63] : "=";
      out += i + 2 < bytes.length ? ALPHABET[n & 63] : "=";
    }
    return out;
  }

  // src/bytes.js
  var encoder = new TextEncoder();
  var decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  function utf8(text2) {
    return encoder.encode(text2);
  }
  function fromUtf8(bytes) {
    try {
      return decoder.decode(bytes);
    } catch {
      return null;
    }
  }
  function utf8Length(text2) {
    let n = 0;
    for (const ch of text2) {
      const c = ch.codePointAt(0);
      n += c < 128 ? 1 : c < 2048 ? 2 : c < 65536 ? 3 : 4;
    }
    return n;
  }
  function hasLoneSurrogate(text2) {
    return /\p{Surrogate}/u.test(text2);
  }
  function toHex(bytes) {
    let s = "";
    for (const b of bytes) s += b.toString(16).padStart(2, "0");
    return s;
  }
  function bytesEqual(a, b) {
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }
  function concat(...parts) {
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
  function u64be(value2) {
    const out = new Uint8Array(8);
    let v = BigInt.asUintN(64, value2);
    for (let i = 7; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  }
  function readU64be(bytes, at = 0) {
    let v = 0n;
    for (let i = 0; i < 8; i++) v = v << 8n | BigInt(bytes[at + i]);
    return v;
  }
  function readLe(bytes) {
    let v = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) v = v << 8n | BigInt(bytes[i]);
    return v;
  }
  function plainNumber(value2) {
    return value2 >= BigInt(Number.MIN_SAFE_INTEGER) && value2 <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value2) : value2.toString();
  }

  // src/errors.js
  var VerifyError = class extends Error {
    /**
     * @param {string} code short machine-readable category, e.g. "chain"
     * @param {string} message what failed, in plain words
     */
    constructor(code, message) {
      super(message);
      this.name = "VerifyError";
      this.code = code;
    }
  };
  function fail(code, message) {
    throw new VerifyError(code, message);
  }
  function within(code, prefix, fn) {
    try {
      return fn();
    } catch (e) {
      if (e instanceof VerifyError) throw new VerifyError(code, prefix + e.message);
      throw e;
    }
  }

  // src/json.js
  var WS = /* @__PURE__ */ new Set([" ", "	", "\n", "\r"]);
  var bad = (what) => fail("json", `not a history bundle: ${what}`);
  var JsonReader = class {
    constructor(text2) {
      this.text = text2;
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
      let out = "";
      for (; ; ) {
        if (this.at >= this.text.length) bad("unterminated string");
        const c = this.text[this.at++];
        if (c === '"') return out;
        if (c.charCodeAt(0) < 32) bad(`control character in a string at character ${this.at - 1}`);
        if (c !== "\\") {
          out += c;
          continue;
        }
        const e = this.text[this.at++];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "	" };
        if (e !== void 0 && Object.hasOwn(simple, e)) {
          out += simple[e];
        } else if (e === "u") {
          const n = this.hex4();
          if (n >= 56320 && n <= 57343) bad("lone surrogate in a \\u escape");
          if (n >= 55296 && n <= 56319) {
            if (this.text[this.at] !== "\\" || this.text[this.at + 1] !== "u") bad("lone surrogate in a \\u escape");
            this.at += 2;
            const m = this.hex4();
            if (m < 56320 || m > 57343) bad("lone surrogate in a \\u escape");
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
    list(item2) {
      this.eat("[");
      const out = [];
      if (this.peek() === "]") {
        this.at++;
        return out;
      }
      for (; ; ) {
        out.push(item2(this));
        const c = this.peek();
        if (c === "]") {
          this.at++;
          return out;
        }
        if (c !== ",") bad(`expected "," or "]" at character ${this.at}`);
        this.at++;
        if (this.peek() === "]") bad(`trailing comma at character ${this.at}`);
      }
    }
    /** null, or what `item` reads. */
    optional(item2) {
      if (this.peek() === "n") {
        if (this.text.slice(this.at, this.at + 4) !== "null") bad(`expected null at character ${this.at}`);
        this.at += 4;
        return null;
      }
      return item2(this);
    }
    /**
     * A struct of `fields`: [{ name, read, default? }], where a field with a
     * `default` key may be absent.
     */
    struct(name, fields) {
      const c = this.peek();
      const out = {};
      if (c === "{") {
        this.at++;
        let first = true;
        for (; ; ) {
          if (this.peek() === "}") {
            if (!first) bad(`trailing comma at character ${this.at}`);
            this.at++;
            break;
          }
          const key = this.string();
          const field = fields.find((f2) => f2.name === key);
          if (!field) bad(`unknown field ${JSON.stringify(key)} in ${name}`);
          if (Object.hasOwn(out, key)) bad(`duplicate field ${JSON.stringify(key)} in ${name}`);
          this.eat(":");
          out[key] = field.read(this);
          first = false;
          const next = this.peek();
          if (next === "}") {
            this.at++;
            break;
          }
          if (next !== ",") bad(`expected "," or "}" at character ${this.at}`);
          this.at++;
        }
      } else if (c === "[") {
        this.at++;
        let count = 0;
        for (const field of fields) {
          if (this.peek() === "]") break;
          if (count > 0) {
            this.eat(",");
            if (this.peek() === "]") bad(`trailing comma at character ${this.at}`);
          }
          out[field.name] = field.read(this);
          count++;
        }
        if (this.peek() !== "]") bad(`too many elements in ${name}`);
        this.at++;
      } else {
        bad(`expected ${name} at character ${this.at}`);
      }
      for (const field of fields) {
        if (Object.hasOwn(out, field.name)) continue;
        if (!Object.hasOwn(field, "default")) bad(`missing field ${JSON.stringify(field.name)} in ${name}`);
        out[field.name] = field.default;
      }
      return out;
    }
  };

  // src/bundle.js
  var BUNDLE_FORMAT = "vledger-history/v1";
  var str = (r) => r.string();
  var strings = (r) => r.list(str);
  var provenEntry = (r) => r.struct("an entry", [
    { name: "index", read: (x) => x.u64() },
    { name: "entry", read: str },
    { name: "proof", read: strings }
  ]);
  var witnessed = (r) => r.struct("the witnessed part", [
    { name: "checkpoint", read: str },
    { name: "consistency", read: strings }
  ]);
  function parseBundle(input) {
    let text2 = input;
    if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
      text2 = fromUtf8(input instanceof ArrayBuffer ? new Uint8Array(input) : input);
      if (text2 === null) fail("json", "not a history bundle: the file is not valid UTF-8");
    } else if (typeof input !== "string") {
      fail("json", "not a history bundle: expected the text of a .vhist.json file");
    } else if (hasLoneSurrogate(input)) {
      fail("json", "not a history bundle: the text is not valid Unicode");
    }
    const r = new JsonReader(text2);
    const bundle = r.struct("a history bundle", [
      { name: "format", read: str },
      { name: "vin", read: str },
      { name: "checkpoint", read: str },
      { name: "index_entry", read: provenEntry },
      { name: "index_proof", read: str },
      { name: "records", read: (x) => x.list(provenEntry) },
      { name: "signers", read: (x) => x.list(provenEntry) },
      { name: "witnessed", read: (x) => x.optional(witnessed), default: null }
    ]);
    r.end();
    return bundle;
  }

  // src/text.js
  var MAX_NAME_LEN = 1024;
  function findControl(text2) {
    let line = 1;
    for (let i = 0; i < text2.length; i++) {
      const c = text2.charCodeAt(i);
      if (c === 10) line += 1;
      else if (c < 32) return { line, byte: c };
    }
    return null;
  }
  var hex2 = (b) => "0x" + b.toString(16).padStart(2, "0");
  function checkName(name) {
    if (name.length === 0) fail("key", "key name is empty");
    if (utf8Length(name) > MAX_NAME_LEN) fail("key", `key name is longer than ${MAX_NAME_LEN} bytes`);
    for (const c of name) {
      if (c === "+") fail("key", "key name contains '+'");
      if (/\p{White_Space}/u.test(c)) fail("key", "key name contains a space");
      if (/\p{Cc}/u.test(c)) fail("key", "key name contains a control character");
    }
  }
  function parseDecimal(text2) {
    if (text2.length === 0) return { error: "is empty" };
    if (!/^[0-9]+$/.test(text2)) return { error: "is not a decimal number" };
    if (text2.length > 1 && text2[0] === "0") return { error: "has a leading zero" };
    const value2 = BigInt(text2);
    if (value2 > 0xffffffffffffffffn) return { error: "does not fit in 64 bits" };
    return { value: value2 };
  }

  // node_modules/@noble/ed25519/index.js
  /*! noble-ed25519 - MIT License (c) 2019 Paul Miller (paulmillr.com) */
  var freeze = Object.freeze;
  var P = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffedn;
  var N = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3edn;
  var _d = 0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3n;
  var Gx = 0x216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51an;
  var Gy = 0x6666666666666666666666666666666666666666666666666666666666666658n;
  var _a = P - 1n;
  var ed25519_CURVE = freeze({
    p: P,
    n: N,
    h: 8n,
    a: _a,
    d: _d,
    Gx,
    Gy
  });
  var LEN = 32;
  var isBytes = (a) => {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && a.BYTES_PER_ELEMENT === 1;
  };
  var abytes = (value2, length, title = "") => {
    if (isBytes(value2) && (length === void 0 || value2.length === length))
      return value2;
    const bytes = isBytes(value2);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value2.length}` : `type=${typeof value2}`;
    const message = (title ? `"${title}" ` : "") + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message);
    throw new RangeError(message);
  };
  var snapshotBytes = (value2, title = "", length) => Uint8Array.from(abytes(value2, length, title));
  var padh = (n, pad2) => n.toString(16).padStart(pad2, "0");
  var bytesToHex = (bytes) => {
    let hex = "";
    for (const byte of abytes(bytes))
      hex += padh(byte, 2);
    return hex;
  };
  var hexToBytes = (hex) => {
    const e = "hex invalid";
    if (typeof hex !== "string")
      throw new TypeError(e);
    if (hex.length % 2 || !/^[\da-f]*$/i.test(hex))
      throw new RangeError(e);
    const array = new Uint8Array(hex.length / 2);
    for (let ai = 0, hi = 0; ai < array.length; ai++, hi += 2) {
      const n1 = hex.charCodeAt(hi);
      const n2 = hex.charCodeAt(hi + 1);
      array[ai] = ((n1 & 15) + (n1 >> 6) * 9) * 16 + (n2 & 15) + (n2 >> 6) * 9;
    }
    return array;
  };
  var arange = (n, min, max, msg2 = "bad number: out of range") => {
    if (typeof n !== "bigint")
      throw new TypeError(msg2);
    if (min <= n && n < max)
      return n;
    throw new RangeError(msg2);
  };
  var mod = (a, b = P) => (a %= b) >= 0n ? a : b + a;
  var P_MASK = (1n << 255n) - 1n;
  var modP = (num2) => {
    if (num2 < 0n)
      throw new RangeError("negative coordinate");
    let r = (num2 >> 255n) * 19n + (num2 & P_MASK);
    r = (r >> 255n) * 19n + (r & P_MASK);
    return r % P;
  };
  var invert = (number, modulo) => {
    if (number === 0n)
      throw new Error("invert: expected non-zero number");
    if (modulo <= 1n)
      throw new Error("invert: expected modulus > 1, got " + modulo);
    let a = mod(number, modulo);
    let b = modulo;
    let x = 0n, u = 1n;
    while (a !== 0n) {
      const q = b / a;
      const r = b - a * q;
      const m = x - u * q;
      b = a, a = r, x = u, u = m;
    }
    const gcd = b;
    if (gcd !== 1n)
      throw new Error("invert: does not exist");
    return mod(x, modulo);
  };
  var apoint = (p) => {
    if (p instanceof Point)
      return p;
    throw new TypeError("Point expected");
  };
  var B256 = 2n ** 256n;
  var Point = class _Point {
    static BASE;
    static ZERO;
    X;
    Y;
    Z;
    T;
    // Constructor only bounds-checks and freezes XYZT coordinates; it does not prove the point is
    // on-curve or that T matches X*Y/Z.
    constructor(X, Y, Z, T) {
      const max = B256;
      this.X = arange(X, 0n, max);
      this.Y = arange(Y, 0n, max);
      this.Z = arange(Z, 1n, max);
      this.T = arange(T, 0n, max);
      freeze(this);
    }
    static CURVE() {
      return ed25519_CURVE;
    }
    static fromAffine(p) {
      return new _Point(p.x, p.y, 1n, modP(p.x * p.y));
    }
    /** RFC8032 5.1.3: Uint8Array to Point. */
    static fromBytes(bytes, zip215 = false) {
      const normed = snapshotBytes(bytes, "point", LEN);
      const lastByte = normed[31];
      normed[31] = lastByte & ~128;
      const y = bytesToNumberLE(normed);
      if (!zip215)
        arange(y, 0n, P);
      const y2 = modP(y * y);
      const u = mod(y2 - 1n);
      const v = modP(_d * y2 + 1n);
      let { isValid, value: x } = uvRatio(u, v);
      if (!isValid)
        throw new Error("bad point: y not sqrt");
      const isLastByteOdd = !!(lastByte & 128);
      if (!zip215 && x === 0n && isLastByteOdd)
        throw new Error("bad point: x==0, isLastByteOdd");
      if (isLastByteOdd !== !!(x & 1n))
        x = mod(-x);
      return new _Point(x, y, 1n, modP(x * y));
    }
    static fromHex(hex, zip215) {
      return _Point.fromBytes(hexToBytes(hex), zip215);
    }
    get x() {
      return this.toAffine().x;
    }
    get y() {
      return this.toAffine().y;
    }
    /** Checks if the point is valid and on-curve. */
    assertValidity() {
      const a = _a;
      const d = _d;
      const p = this;
      if (p.is0())
        throw new Error("bad point: ZERO");
      const { X, Y, Z, T } = p;
      const X2 = modP(X * X);
      const Y2 = modP(Y * Y);
      const Z2 = modP(Z * Z);
      const Z4 = modP(Z2 * Z2);
      const aX2 = modP(X2 * a);
      const left = modP(Z2 * (aX2 + Y2));
      const right = mod(Z4 + modP(d * modP(X2 * Y2)));
      if (left !== right)
        throw new Error("bad point: equation left != right (1)");
      const XY = modP(X * Y);
      const ZT = modP(Z * T);
      if (XY !== ZT)
        throw new Error("bad point: equation left != right (2)");
      return this;
    }
    /** Equality check: compare points P&Q. */
    equals(other) {
      const { X: X1, Y: Y1, Z: Z1 } = this;
      const { X: X2, Y: Y2, Z: Z2 } = apoint(other);
      return modP(X1 * Z2) === modP(X2 * Z1) && modP(Y1 * Z2) === modP(Y2 * Z1);
    }
    is0() {
      return this.equals(I);
    }
    /** Flip point over y coordinate. */
    negate() {
      return new _Point(mod(-this.X), this.Y, this.Z, mod(-this.T));
    }
    /** Point doubling. Complete formula. Cost: `4M + 4S + 1*a + 6add + 1*2`. */
    double() {
      const { X: X1, Y: Y1, Z: Z1 } = this;
      const a = _a;
      const A = modP(X1 * X1);
      const B = modP(Y1 * Y1);
      const C = modP(2n * Z1 * Z1);
      const D = modP(a * A);
      const x1y1 = mod(X1 + Y1);
      const E = mod(modP(x1y1 * x1y1) - A - B);
      const G2 = mod(D + B);
      const F = mod(G2 - C);
      const H = mod(D - B);
      const X3 = modP(E * F);
      const Y3 = modP(G2 * H);
      const T3 = modP(E * H);
      const Z3 = modP(F * G2);
      return new _Point(X3, Y3, Z3, T3);
    }
    /** Point addition. Complete formula. Cost: `9M + 1*a + 1*d + 7add`. */
    add(other) {
      const { X: X1, Y: Y1, Z: Z1, T: T1 } = this;
      const { X: X2, Y: Y2, Z: Z2, T: T2 } = apoint(other);
      const a = _a;
      const d = _d;
      const A = modP(X1 * X2);
      const B = modP(Y1 * Y2);
      const C = modP(modP(T1 * d) * T2);
      const D = modP(Z1 * Z2);
      const E = mod(modP(mod(X1 + Y1) * mod(X2 + Y2)) - A - B);
      const F = mod(D - C);
      const G2 = mod(D + C);
      const H = mod(B - modP(a * A));
      const X3 = modP(E * F);
      const Y3 = modP(G2 * H);
      const T3 = modP(E * H);
      const Z3 = modP(F * G2);
      return new _Point(X3, Y3, Z3, T3);
    }
    subtract(other) {
      return this.add(apoint(other).negate());
    }
    /**
     * Point-by-scalar multiplication. Safe mode requires `1 <= n < CURVE.n`.
     * Unsafe mode additionally permits `n = 0` and returns the identity point for that case.
     * Uses {@link wNAF} for base point.
     * Uses fake point to mitigate side-channel leakage.
     * @param n - scalar by which point is multiplied
     * @param safe - safe mode guards against timing attacks; unsafe mode is faster
     */
    multiply(n, safe = true) {
      if (!safe && n === 0n)
        return I;
      arange(n, 1n, N);
      if (!safe && this.is0())
        return I;
      if (n === 1n)
        return this;
      if (this.equals(G))
        return wNAF(n).p;
      let p = I;
      let f2 = G;
      let d = this;
      for (let i = 0; safe ? i < 256 : n > 0n; i++) {
        if (n & 1n)
          p = p.add(d);
        else if (safe)
          f2 = f2.add(d);
        d = d.double();
        n >>= 1n;
      }
      return p;
    }
    multiplyUnsafe(scalar2) {
      return this.multiply(scalar2, false);
    }
    /** Convert point to 2d xy affine point. (X, Y, Z) ∋ (x=X/Z, y=Y/Z) */
    toAffine() {
      const { X, Y, Z } = this;
      if (this.equals(I))
        return { x: 0n, y: 1n };
      const iz = invert(Z, P);
      if (modP(Z * iz) !== 1n)
        throw new Error("invalid inverse");
      return { x: modP(X * iz), y: modP(Y * iz) };
    }
    toBytes() {
      const { x, y } = this.toAffine();
      const b = numTo32bLE(y);
      b[31] |= x & 1n ? 128 : 0;
      return b;
    }
    toHex() {
      return bytesToHex(this.toBytes());
    }
    clearCofactor() {
      return this.multiply(8n, false);
    }
    isSmallOrder() {
      return this.clearCofactor().is0();
    }
    isTorsionFree() {
      return this.multiply(N / 2n, false).double().add(this).is0();
    }
  };
  var G = new Point(Gx, Gy, 1n, mod(Gx * Gy));
  var I = new Point(0n, 1n, 1n, 0n);
  Point.BASE = G;
  Point.ZERO = I;
  var numTo32bLE = (num2) => hexToBytes(padh(arange(num2, 0n, B256), 64)).reverse();
  var bytesToNumberLE = (b) => BigInt("0x" + bytesToHex(Uint8Array.from(abytes(b)).reverse()));
  var pow2 = (x, power) => {
    let r = x;
    while (power-- > 0) {
      r = modP(r * r);
    }
    return r;
  };
  var pow_2_252_3 = (x) => {
    const x2 = modP(x * x);
    const b2 = modP(x2 * x);
    const b4 = modP(pow2(b2, 2) * b2);
    const b5 = modP(pow2(b4, 1) * x);
    const b10 = modP(pow2(b5, 5) * b5);
    const b20 = modP(pow2(b10, 10) * b10);
    const b40 = modP(pow2(b20, 20) * b20);
    const b80 = modP(pow2(b40, 40) * b40);
    const b160 = modP(pow2(b80, 80) * b80);
    const b240 = modP(pow2(b160, 80) * b80);
    const b250 = modP(pow2(b240, 10) * b10);
    return modP(pow2(b250, 2) * x);
  };
  var RM1 = 0x2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0n;
  var uvRatio = (u, v) => {
    const v3 = modP(v * modP(v * v));
    const v7 = modP(modP(v3 * v3) * v);
    const pow = pow_2_252_3(modP(u * v7));
    let x = modP(u * modP(v3 * pow));
    const vx2 = modP(v * modP(x * x));
    const root1 = x;
    const root2 = modP(x * RM1);
    const useRoot1 = vx2 === u;
    const useRoot2 = vx2 === mod(-u);
    const noRoot = vx2 === mod(-u * RM1);
    if (useRoot1)
      x = root1;
    if (useRoot2 || noRoot)
      x = root2;
    if ((mod(x) & 1n) === 1n)
      x = mod(-x);
    return { isValid: useRoot1 || useRoot2, value: x };
  };
  var precompute = () => {
    const points = [];
    let p = G;
    let b;
    for (let w = 0; w < 33; w++) {
      b = p;
      points.push(b);
      for (let i = 1; i < 128; i++) {
        b = b.add(p);
        points.push(b);
      }
      p = b.double();
    }
    return points;
  };
  var Gpows = void 0;
  var ctneg = (cnd, p) => {
    const n = p.negate();
    return cnd ? n : p;
  };
  var wNAF = (n) => {
    const comp = Gpows || (Gpows = precompute());
    let p = I;
    let f2 = G;
    for (let w = 0; w < 33; w++) {
      let wbits = Number(n & 255n);
      n >>= 8n;
      if (wbits > 128) {
        wbits -= 256;
        n += 1n;
      }
      const off = w * 128;
      const offP = off + Math.abs(wbits) - 1;
      const isOddW = w % 2 !== 0;
      const isNeg = wbits < 0;
      if (wbits === 0) {
        f2 = f2.add(ctneg(isOddW, comp[off]));
      } else {
        p = p.add(ctneg(isNeg, comp[offP]));
      }
    }
    if (n !== 0n)
      throw new Error("invalid wnaf");
    return { p, f: f2 };
  };

  // node_modules/@noble/hashes/_u64.js
  var U32_MASK64 = /* @__PURE__ */ (() => BigInt(2 ** 32 - 1))();
  var _32n = /* @__PURE__ */ BigInt(32);
  function fromBig(n, le = false) {
    if (le)
      return { h: Number(n & U32_MASK64), l: Number(n >> _32n & U32_MASK64) };
    return { h: Number(n >> _32n & U32_MASK64) | 0, l: Number(n & U32_MASK64) | 0 };
  }
  function split(lst, le = false) {
    const len = lst.length;
    let Ah = new Uint32Array(len);
    let Al = new Uint32Array(len);
    for (let i = 0; i < len; i++) {
      const { h, l } = fromBig(lst[i], le);
      [Ah[i], Al[i]] = [h, l];
    }
    return [Ah, Al];
  }
  var fromNumH = (n) => n / 2 ** 32 | 0;
  var fromNumL = (n) => n >>> 0;
  function setU64FromNum(view, byteOffset, n, isLE) {
    const h = fromNumH(n);
    const l = fromNumL(n);
    view.setUint32(byteOffset, isLE ? l : h, isLE);
    view.setUint32(byteOffset + 4, isLE ? h : l, isLE);
  }
  var shrSH = (h, _l, s) => h >>> s;
  var shrSL = (h, l, s) => h << 32 - s | l >>> s;
  var rotrSH = (h, l, s) => h >>> s | l << 32 - s;
  var rotrSL = (h, l, s) => h << 32 - s | l >>> s;
  var rotrBH = (h, l, s) => h << 64 - s | l >>> s - 32;
  var rotrBL = (h, l, s) => h >>> s - 32 | l << 64 - s;
  function add(Ah, Al, Bh, Bl) {
    const l = (Al >>> 0) + (Bl >>> 0);
    return { h: Ah + Bh + (l / 2 ** 32 | 0) | 0, l: l | 0 };
  }
  var add3L = (Al, Bl, Cl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0);
  var add3H = (low, Ah, Bh, Ch) => Ah + Bh + Ch + (low / 2 ** 32 | 0) | 0;
  var add4L = (Al, Bl, Cl, Dl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0);
  var add4H = (low, Ah, Bh, Ch, Dh) => Ah + Bh + Ch + Dh + (low / 2 ** 32 | 0) | 0;
  var add5L = (Al, Bl, Cl, Dl, El) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0) + (El >>> 0);
  var add5H = (low, Ah, Bh, Ch, Dh, Eh) => Ah + Bh + Ch + Dh + Eh + (low / 2 ** 32 | 0) | 0;

  // node_modules/@noble/hashes/utils.js
  function isBytes2(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && "BYTES_PER_ELEMENT" in a && a.BYTES_PER_ELEMENT === 1;
  }
  var atitle = (title) => title ? `"${title}" ` : "";
  function anumber(n, title = "") {
    if (typeof n !== "number")
      throw new TypeError(atitle(title) + "expected number, got " + typeof n);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(atitle(title) + "expected integer >= 0, got " + n);
    return n;
  }
  function abytes2(value2, length, title = "") {
    if (isBytes2(value2) && (length === void 0 || value2.length === length))
      return value2;
    if (length !== void 0)
      anumber(length, "length");
    const bytes = isBytes2(value2);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value2.length}` : `type=${typeof value2}`;
    const message = atitle(title) + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message);
    throw new RangeError(message);
  }
  var aobject = (value2, label) => {
    if (value2 === null || typeof value2 !== "object" || Array.isArray(value2))
      throw new TypeError((label === "object" ? "" : `"${label}" `) + "expected object, got type=" + typeof value2);
  };
  var aopts = (value2, label) => {
    aobject(value2, label);
    const proto = Object.getPrototypeOf(value2);
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(`"${label}" expected plain object`);
    if (Object.hasOwn(value2, "__proto__"))
      throw new TypeError(`"${label}.__proto__" is not allowed`);
  };
  function aexists(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("hash was destroyed");
    if (checkFinished && instance.finished)
      throw new Error("digest() was already called");
  }
  function aoutput(out, instance) {
    abytes2(out, void 0, "output");
    const min = instance.outputLen;
    if (!(out.length >= min)) {
      throw new RangeError('"output" expected length >= ' + min);
    }
  }
  function clean(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  function createView(arr) {
    return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  function rotr(word, shift) {
    return word << 32 - shift | word >>> shift;
  }
  function checkOpts(defaults, opts, title = "opts") {
    aopts(defaults, "defaults");
    if (opts !== void 0)
      aopts(opts, title);
    const merged = Object.assign(/* @__PURE__ */ Object.create(null), defaults, opts);
    return merged;
  }
  function createHasher(hashCons, info = {}) {
    if (typeof hashCons !== "function")
      throw new TypeError('"hashCons" expected function, got type=' + typeof hashCons);
    info = checkOpts({}, info, "info");
    const hashC = (msg2, opts) => hashCons(opts).update(msg2).digest();
    const tmp = hashCons(void 0);
    hashC.outputLen = tmp.outputLen;
    hashC.blockLen = tmp.blockLen;
    hashC.canXOF = tmp.canXOF;
    hashC.create = (opts) => hashCons(opts);
    Object.assign(hashC, info);
    return Object.freeze(hashC);
  }
  var oidNist = (suffix) => ({
    // Current NIST hashAlgs suffixes used here fit in one DER subidentifier octet.
    // Larger suffix values would need base-128 OID encoding and a different length byte.
    oid: Uint8Array.from([6, 9, 96, 134, 72, 1, 101, 3, 4, 2, suffix])
  });

  // node_modules/@noble/hashes/_md.js
  function Chi(a, b, c) {
    return a & b ^ ~a & c;
  }
  function Maj(a, b, c) {
    return a & b ^ a & c ^ b & c;
  }
  var HashMD = class {
    blockLen;
    outputLen;
    canXOF = false;
    padOffset;
    isLE;
    // For partial updates less than block size
    buffer;
    view;
    finished = false;
    length = 0;
    pos = 0;
    destroyed = false;
    constructor(blockLen, outputLen, padOffset, isLE) {
      this.blockLen = blockLen;
      this.outputLen = outputLen;
      this.padOffset = padOffset;
      this.isLE = isLE;
      this.buffer = new Uint8Array(blockLen);
      this.view = createView(this.buffer);
    }
    update(data) {
      aexists(this);
      abytes2(data);
      const { view, buffer, blockLen } = this;
      const len = data.length;
      let processed = false;
      for (let pos = 0; pos < len; ) {
        const take = Math.min(blockLen - this.pos, len - pos);
        if (take === blockLen) {
          const dataView = createView(data);
          for (; blockLen <= len - pos; pos += blockLen)
            this.process(dataView, pos);
          processed = true;
          continue;
        }
        buffer.set(pos === 0 && take === len ? data : data.subarray(pos, pos + take), this.pos);
        this.pos += take;
        pos += take;
        if (this.pos === blockLen) {
          this.process(view, 0);
          this.pos = 0;
          processed = true;
        }
      }
      this.length += data.length;
      if (processed)
        this.roundClean();
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const { buffer, view, blockLen, isLE } = this;
      let { pos } = this;
      buffer[pos++] = 128;
      buffer.fill(0, pos);
      if (this.padOffset > blockLen - pos) {
        this.process(view, 0);
        buffer.fill(0);
      }
      setU64FromNum(view, blockLen - 8, this.length * 8, isLE);
      this.process(view, 0);
      this.roundClean();
      const oview = out === buffer ? view : createView(out);
      const len = this.outputLen;
      const outLen = len / 4;
      const state = this.get();
      if (len % 4 || outLen > state.length)
        throw new Error("invalid outputLen");
      for (let i = 0; i < outLen; i++)
        oview.setUint32(4 * i, state[i], isLE);
    }
    digest() {
      const { buffer, outputLen } = this;
      this.digestInto(buffer);
      const res = buffer.slice(0, outputLen);
      this.destroy();
      return res;
    }
    _cloneIntoMeta(to) {
      const { buffer, length, finished, destroyed, pos } = this;
      to.destroyed = destroyed;
      to.finished = finished;
      to.length = length;
      to.pos = pos;
      if (pos)
        to.buffer.set(buffer);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
  };
  var SHA256_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    3144134277,
    1013904242,
    2773480762,
    1359893119,
    2600822924,
    528734635,
    1541459225
  ]);
  var SHA512_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    4089235720,
    3144134277,
    2227873595,
    1013904242,
    4271175723,
    2773480762,
    1595750129,
    1359893119,
    2917565137,
    2600822924,
    725511199,
    528734635,
    4215389547,
    1541459225,
    327033209
  ]);

  // node_modules/@noble/hashes/sha2.js
  var SHA256_K = /* @__PURE__ */ Uint32Array.from([
    1116352408,
    1899447441,
    3049323471,
    3921009573,
    961987163,
    1508970993,
    2453635748,
    2870763221,
    3624381080,
    310598401,
    607225278,
    1426881987,
    1925078388,
    2162078206,
    2614888103,
    3248222580,
    3835390401,
    4022224774,
    264347078,
    604807628,
    770255983,
    1249150122,
    1555081692,
    1996064986,
    2554220882,
    2821834349,
    2952996808,
    3210313671,
    3336571891,
    3584528711,
    113926993,
    338241895,
    666307205,
    773529912,
    1294757372,
    1396182291,
    1695183700,
    1986661051,
    2177026350,
    2456956037,
    2730485921,
    2820302411,
    3259730800,
    3345764771,
    3516065817,
    3600352804,
    4094571909,
    275423344,
    430227734,
    506948616,
    659060556,
    883997877,
    958139571,
    1322822218,
    1537002063,
    1747873779,
    1955562222,
    2024104815,
    2227730452,
    2361852424,
    2428436474,
    2756734187,
    3204031479,
    3329325298
  ]);
  var SHA256_W = /* @__PURE__ */ new Uint32Array(64);
  var SHA2_32B = class extends HashMD {
    // We cannot use array here since array allows indexing by variable
    // which means optimizer/compiler cannot use registers.
    // Numeric initializers matter: starting the fields as `undefined` changes
    // V8's field representation and makes sha256 3x slower (measured).
    A = 0;
    B = 0;
    C = 0;
    D = 0;
    E = 0;
    F = 0;
    G = 0;
    H = 0;
    constructor(outputLen, IV) {
      super(64, outputLen, 8, false);
      this.A = IV[0] | 0;
      this.B = IV[1] | 0;
      this.C = IV[2] | 0;
      this.D = IV[3] | 0;
      this.E = IV[4] | 0;
      this.F = IV[5] | 0;
      this.G = IV[6] | 0;
      this.H = IV[7] | 0;
    }
    get() {
      const { A, B, C, D, E, F, G: G2, H } = this;
      return [A, B, C, D, E, F, G2, H];
    }
    // prettier-ignore
    set(A, B, C, D, E, F, G2, H) {
      this.A = A | 0;
      this.B = B | 0;
      this.C = C | 0;
      this.D = D | 0;
      this.E = E | 0;
      this.F = F | 0;
      this.G = G2 | 0;
      this.H = H | 0;
    }
    _cloneInto(to) {
      (to ||= new this.constructor()).set(...this.get());
      return this._cloneIntoMeta(to);
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4)
        SHA256_W[i] = view.getUint32(offset, false);
      for (let i = 16; i < 64; i++) {
        const W15 = SHA256_W[i - 15];
        const W2 = SHA256_W[i - 2];
        const s0 = rotr(W15, 7) ^ rotr(W15, 18) ^ W15 >>> 3;
        const s1 = rotr(W2, 17) ^ rotr(W2, 19) ^ W2 >>> 10;
        SHA256_W[i] = s1 + SHA256_W[i - 7] + s0 + SHA256_W[i - 16] | 0;
      }
      let { A, B, C, D, E, F, G: G2, H } = this;
      for (let i = 0; i < 64; i++) {
        const sigma1 = rotr(E, 6) ^ rotr(E, 11) ^ rotr(E, 25);
        const T1 = H + sigma1 + Chi(E, F, G2) + SHA256_K[i] + SHA256_W[i] | 0;
        const sigma0 = rotr(A, 2) ^ rotr(A, 13) ^ rotr(A, 22);
        const T2 = sigma0 + Maj(A, B, C) | 0;
        H = G2;
        G2 = F;
        F = E;
        E = D + T1 | 0;
        D = C;
        C = B;
        B = A;
        A = T1 + T2 | 0;
      }
      A = A + this.A | 0;
      B = B + this.B | 0;
      C = C + this.C | 0;
      D = D + this.D | 0;
      E = E + this.E | 0;
      F = F + this.F | 0;
      G2 = G2 + this.G | 0;
      H = H + this.H | 0;
      this.set(A, B, C, D, E, F, G2, H);
    }
    roundClean() {
      clean(SHA256_W);
    }
    destroy() {
      this.destroyed = true;
      this.set(0, 0, 0, 0, 0, 0, 0, 0);
      clean(this.buffer);
    }
  };
  var _SHA256 = class extends SHA2_32B {
    constructor() {
      super(32, SHA256_IV);
    }
  };
  var K512 = /* @__PURE__ */ (() => split([
    "0x428a2f98d728ae22",
    "0x7137449123ef65cd",
    "0xb5c0fbcfec4d3b2f",
    "0xe9b5dba58189dbbc",
    "0x3956c25bf348b538",
    "0x59f111f1b605d019",
    "0x923f82a4af194f9b",
    "0xab1c5ed5da6d8118",
    "0xd807aa98a3030242",
    "0x12835b0145706fbe",
    "0x243185be4ee4b28c",
    "0x550c7dc3d5ffb4e2",
    "0x72be5d74f27b896f",
    "0x80deb1fe3b1696b1",
    "0x9bdc06a725c71235",
    "0xc19bf174cf692694",
    "0xe49b69c19ef14ad2",
    "0xefbe4786384f25e3",
    "0x0fc19dc68b8cd5b5",
    "0x240ca1cc77ac9c65",
    "0x2de92c6f592b0275",
    "0x4a7484aa6ea6e483",
    "0x5cb0a9dcbd41fbd4",
    "0x76f988da831153b5",
    "0x983e5152ee66dfab",
    "0xa831c66d2db43210",
    "0xb00327c898fb213f",
    "0xbf597fc7beef0ee4",
    "0xc6e00bf33da88fc2",
    "0xd5a79147930aa725",
    "0x06ca6351e003826f",
    "0x142929670a0e6e70",
    "0x27b70a8546d22ffc",
    "0x2e1b21385c26c926",
    "0x4d2c6dfc5ac42aed",
    "0x53380d139d95b3df",
    "0x650a73548baf63de",
    "0x766a0abb3c77b2a8",
    "0x81c2c92e47edaee6",
    "0x92722c851482353b",
    "0xa2bfe8a14cf10364",
    "0xa81a664bbc423001",
    "0xc24b8b70d0f89791",
    "0xc76c51a30654be30",
    "0xd192e819d6ef5218",
    "0xd69906245565a910",
    "0xf40e35855771202a",
    "0x106aa07032bbd1b8",
    "0x19a4c116b8d2d0c8",
    "0x1e376c085141ab53",
    "0x2748774cdf8eeb99",
    "0x34b0bcb5e19b48a8",
    "0x391c0cb3c5c95a63",
    "0x4ed8aa4ae3418acb",
    "0x5b9cca4f7763e373",
    "0x682e6ff3d6b2b8a3",
    "0x748f82ee5defb2fc",
    "0x78a5636f43172f60",
    "0x84c87814a1f0ab72",
    "0x8cc702081a6439ec",
    "0x90befffa23631e28",
    "0xa4506cebde82bde9",
    "0xbef9a3f7b2c67915",
    "0xc67178f2e372532b",
    "0xca273eceea26619c",
    "0xd186b8c721c0c207",
    "0xeada7dd6cde0eb1e",
    "0xf57d4f7fee6ed178",
    "0x06f067aa72176fba",
    "0x0a637dc5a2c898a6",
    "0x113f9804bef90dae",
    "0x1b710b35131c471b",
    "0x28db77f523047d84",
    "0x32caab7b40c72493",
    "0x3c9ebe0a15c9bebc",
    "0x431d67c49c100d4c",
    "0x4cc5d4becb3e42b6",
    "0x597f299cfc657e2a",
    "0x5fcb6fab3ad6faec",
    "0x6c44198c4a475817"
  ].map((n) => BigInt(n))))();
  var SHA512_Kh = /* @__PURE__ */ (() => K512[0])();
  var SHA512_Kl = /* @__PURE__ */ (() => K512[1])();
  var SHA512_W_H = /* @__PURE__ */ new Uint32Array(80);
  var SHA512_W_L = /* @__PURE__ */ new Uint32Array(80);
  var SHA2_64B = class extends HashMD {
    // We cannot use array here since array allows indexing by variable
    // which means optimizer/compiler cannot use registers.
    // h -- high 32 bits, l -- low 32 bits
    // Numeric initializers matter: starting the fields as `undefined` changes
    // V8's field representation and slows hashing down (measured on sha256).
    Ah = 0;
    Al = 0;
    Bh = 0;
    Bl = 0;
    Ch = 0;
    Cl = 0;
    Dh = 0;
    Dl = 0;
    Eh = 0;
    El = 0;
    Fh = 0;
    Fl = 0;
    Gh = 0;
    Gl = 0;
    Hh = 0;
    Hl = 0;
    constructor(outputLen, IV) {
      super(128, outputLen, 16, false);
      this.Ah = IV[0] | 0;
      this.Al = IV[1] | 0;
      this.Bh = IV[2] | 0;
      this.Bl = IV[3] | 0;
      this.Ch = IV[4] | 0;
      this.Cl = IV[5] | 0;
      this.Dh = IV[6] | 0;
      this.Dl = IV[7] | 0;
      this.Eh = IV[8] | 0;
      this.El = IV[9] | 0;
      this.Fh = IV[10] | 0;
      this.Fl = IV[11] | 0;
      this.Gh = IV[12] | 0;
      this.Gl = IV[13] | 0;
      this.Hh = IV[14] | 0;
      this.Hl = IV[15] | 0;
    }
    // prettier-ignore
    get() {
      const { Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl } = this;
      return [Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl];
    }
    // prettier-ignore
    set(Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl) {
      this.Ah = Ah | 0;
      this.Al = Al | 0;
      this.Bh = Bh | 0;
      this.Bl = Bl | 0;
      this.Ch = Ch | 0;
      this.Cl = Cl | 0;
      this.Dh = Dh | 0;
      this.Dl = Dl | 0;
      this.Eh = Eh | 0;
      this.El = El | 0;
      this.Fh = Fh | 0;
      this.Fl = Fl | 0;
      this.Gh = Gh | 0;
      this.Gl = Gl | 0;
      this.Hh = Hh | 0;
      this.Hl = Hl | 0;
    }
    _cloneInto(to) {
      (to ||= new this.constructor()).set(...this.get());
      return this._cloneIntoMeta(to);
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4) {
        SHA512_W_H[i] = view.getUint32(offset);
        SHA512_W_L[i] = view.getUint32(offset += 4);
      }
      for (let i = 16; i < 80; i++) {
        const W15h = SHA512_W_H[i - 15] | 0;
        const W15l = SHA512_W_L[i - 15] | 0;
        const s0h = rotrSH(W15h, W15l, 1) ^ rotrSH(W15h, W15l, 8) ^ shrSH(W15h, W15l, 7);
        const s0l = rotrSL(W15h, W15l, 1) ^ rotrSL(W15h, W15l, 8) ^ shrSL(W15h, W15l, 7);
        const W2h = SHA512_W_H[i - 2] | 0;
        const W2l = SHA512_W_L[i - 2] | 0;
        const s1h = rotrSH(W2h, W2l, 19) ^ rotrBH(W2h, W2l, 61) ^ shrSH(W2h, W2l, 6);
        const s1l = rotrSL(W2h, W2l, 19) ^ rotrBL(W2h, W2l, 61) ^ shrSL(W2h, W2l, 6);
        const SUMl = add4L(s0l, s1l, SHA512_W_L[i - 7], SHA512_W_L[i - 16]);
        const SUMh = add4H(SUMl, s0h, s1h, SHA512_W_H[i - 7], SHA512_W_H[i - 16]);
        SHA512_W_H[i] = SUMh | 0;
        SHA512_W_L[i] = SUMl | 0;
      }
      let { Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl } = this;
      for (let i = 0; i < 80; i++) {
        const sigma1h = rotrSH(Eh, El, 14) ^ rotrSH(Eh, El, 18) ^ rotrBH(Eh, El, 41);
        const sigma1l = rotrSL(Eh, El, 14) ^ rotrSL(Eh, El, 18) ^ rotrBL(Eh, El, 41);
        const CHIh = Eh & Fh ^ ~Eh & Gh;
        const CHIl = El & Fl ^ ~El & Gl;
        const T1ll = add5L(Hl, sigma1l, CHIl, SHA512_Kl[i], SHA512_W_L[i]);
        const T1h = add5H(T1ll, Hh, sigma1h, CHIh, SHA512_Kh[i], SHA512_W_H[i]);
        const T1l = T1ll | 0;
        const sigma0h = rotrSH(Ah, Al, 28) ^ rotrBH(Ah, Al, 34) ^ rotrBH(Ah, Al, 39);
        const sigma0l = rotrSL(Ah, Al, 28) ^ rotrBL(Ah, Al, 34) ^ rotrBL(Ah, Al, 39);
        const MAJh = Ah & Bh ^ Ah & Ch ^ Bh & Ch;
        const MAJl = Al & Bl ^ Al & Cl ^ Bl & Cl;
        Hh = Gh | 0;
        Hl = Gl | 0;
        Gh = Fh | 0;
        Gl = Fl | 0;
        Fh = Eh | 0;
        Fl = El | 0;
        ({ h: Eh, l: El } = add(Dh | 0, Dl | 0, T1h | 0, T1l | 0));
        Dh = Ch | 0;
        Dl = Cl | 0;
        Ch = Bh | 0;
        Cl = Bl | 0;
        Bh = Ah | 0;
        Bl = Al | 0;
        const All = add3L(T1l, sigma0l, MAJl);
        Ah = add3H(All, T1h, sigma0h, MAJh);
        Al = All | 0;
      }
      ({ h: Ah, l: Al } = add(this.Ah | 0, this.Al | 0, Ah | 0, Al | 0));
      ({ h: Bh, l: Bl } = add(this.Bh | 0, this.Bl | 0, Bh | 0, Bl | 0));
      ({ h: Ch, l: Cl } = add(this.Ch | 0, this.Cl | 0, Ch | 0, Cl | 0));
      ({ h: Dh, l: Dl } = add(this.Dh | 0, this.Dl | 0, Dh | 0, Dl | 0));
      ({ h: Eh, l: El } = add(this.Eh | 0, this.El | 0, Eh | 0, El | 0));
      ({ h: Fh, l: Fl } = add(this.Fh | 0, this.Fl | 0, Fh | 0, Fl | 0));
      ({ h: Gh, l: Gl } = add(this.Gh | 0, this.Gl | 0, Gh | 0, Gl | 0));
      ({ h: Hh, l: Hl } = add(this.Hh | 0, this.Hl | 0, Hh | 0, Hl | 0));
      this.set(Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl);
    }
    roundClean() {
      clean(SHA512_W_H, SHA512_W_L);
    }
    destroy() {
      this.destroyed = true;
      clean(this.buffer);
      this.set(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
  };
  var _SHA512 = class extends SHA2_64B {
    constructor() {
      super(64, SHA512_IV);
    }
  };
  var sha256 = /* @__PURE__ */ createHasher(
    () => new _SHA256(),
    /* @__PURE__ */ oidNist(1)
  );
  var sha512 = /* @__PURE__ */ createHasher(
    () => new _SHA512(),
    /* @__PURE__ */ oidNist(3)
  );

  // src/ed25519.js
  var L = Point.CURVE().n;
  var P2 = Point.CURVE().p;
  function decodePoint(bytes) {
    if (!bytes || bytes.length !== 32) return null;
    try {
      return Point.fromBytes(bytes, true);
    } catch {
      return null;
    }
  }
  function publicKey(bytes) {
    const point = decodePoint(bytes);
    return point ? { bytes: Uint8Array.from(bytes), point } : null;
  }
  function verifyStrict(key, message, signature) {
    if (!signature || signature.length !== 64) return false;
    const rBytes = signature.subarray(0, 32);
    const s = readLe(signature.subarray(32, 64));
    if (s >= L) return false;
    const R = decodePoint(rBytes);
    if (!R) return false;
    if (R.isSmallOrder() || key.point.isSmallOrder()) return false;
    const k = readLe(sha512(concat(rBytes, key.bytes, message))) % L;
    const expected = Point.BASE.multiplyUnsafe(s).subtract(key.point.multiplyUnsafe(k));
    return bytesEqual(expected.toBytes(), rBytes);
  }
  function verifyRecordSignature(key, message, signature) {
    if (!signature || signature.length !== 64) return false;
    const rBytes = signature.subarray(0, 32);
    const s = readLe(signature.subarray(32, 64));
    if (s >= L) return false;
    const y = readLe(rBytes) & (1n << 255n) - 1n;
    if (y >= P2) return false;
    const R = decodePoint(rBytes);
    if (!R) return false;
    if (R.isSmallOrder() || key.point.isSmallOrder()) return false;
    const k = readLe(sha512(concat(rBytes, key.bytes, message))) % L;
    return Point.BASE.multiplyUnsafe(s).subtract(R).subtract(key.point.multiplyUnsafe(k)).clearCofactor().is0();
  }

  // src/hash.js
  function sha2562(...parts) {
    return sha256(concat(...parts));
  }
  function leafHash(data) {
    return sha2562(Uint8Array.of(0), data);
  }
  function nodeHash(left, right) {
    return sha2562(Uint8Array.of(1), left, right);
  }

  // src/cosignature.js
  var MAX_TIMESTAMP = (1n << 63n) - 1n;
  function cosignatureMessage(timestamp, text2) {
    return concat(utf8(`cosignature/v1
time ${timestamp}
`), text2);
  }
  function verifyCosignatureV1(key, text2, signature) {
    if (signature.length !== 72) return null;
    const timestamp = readU64be(signature, 0);
    if (timestamp > MAX_TIMESTAMP) return null;
    return verifyStrict(key, cosignatureMessage(timestamp, text2), signature.subarray(8)) ? timestamp : null;
  }

  // src/vkey.js
  var KEY_TYPE_ED25519 = 1;
  var KEY_TYPE_COSIGNATURE_V1 = 4;
  function keyId(name, type, key) {
    return sha2562(utf8(name), Uint8Array.of(10, type), key).subarray(0, 4);
  }
  function parseVerifierKey(text2) {
    const first = text2.indexOf("+");
    const second = first < 0 ? -1 : text2.indexOf("+", first + 1);
    if (second < 0) fail("key", "key must have the form <name>+<hex key id>+<base64 key>");
    const name = text2.slice(0, first);
    const id = text2.slice(first + 1, second);
    const data64 = text2.slice(second + 1);
    checkName(name);
    if (!/^[0-9a-f]{8}$/.test(id)) fail("key", "key id must be 8 lower-case hex digits");
    const data = decodeBase64(data64);
    if (data === null) fail("key", "key data is not valid base64");
    if (data.length === 0) fail("key", "key data is empty");
    const type = data[0];
    if (type !== KEY_TYPE_ED25519 && type !== KEY_TYPE_COSIGNATURE_V1) {
      fail("key", `unsupported key type 0x${type.toString(16).padStart(2, "0")} (expected 0x01, Ed25519, or 0x04, an Ed25519 cosignature key)`);
    }
    const material = data.subarray(1);
    if (material.length !== 32) fail("key", `Ed25519 key must be 32 bytes, got ${material.length}`);
    const computed = keyId(name, type, material);
    if (toHex(computed) !== id) {
      fail("key", `key id ${id} does not match the key (computed ${toHex(computed)})`);
    }
    const key = publicKey(material);
    if (!key) fail("key", "public key is not a valid Ed25519 point");
    if (key.point.isSmallOrder()) fail("key", "public key is a weak (small-order) Ed25519 point");
    return {
      name,
      keyId: computed,
      type,
      key,
      text: `${name}+${id}+${encodeBase64(data)}`
    };
  }
  function sameKey(a, b) {
    return a.name === b.name && a.type === b.type && bytesEqual(a.keyId, b.keyId) && bytesEqual(a.key.bytes, b.key.bytes);
  }
  function verifyWithKey(vkey, text2, signature) {
    if (vkey.type === KEY_TYPE_ED25519) {
      return signature.length === 64 && verifyStrict(vkey.key, text2, signature);
    }
    return verifyCosignatureV1(vkey.key, text2, signature) !== null;
  }

  // src/note.js
  var MAX_NOTE_SIZE = 128 * 1024;
  var MAX_SIGNATURES = 100;
  var SIG_PREFIX = "— ";
  function lineAt(text2, offset) {
    let n = 1;
    for (let i = 0; i < offset && i < text2.length; i++) if (text2.charCodeAt(i) === 10) n++;
    return n;
  }
  function parseSignatureLine(line) {
    if (!line.startsWith(SIG_PREFIX)) return { error: "signature line must start with an em dash (U+2014) and a space" };
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(" ");
    if (space < 0) return { error: "signature line has no space between key name and signature" };
    const name = rest.slice(0, space);
    try {
      checkName(name);
    } catch (e) {
      if (e instanceof VerifyError) return { error: `signature ${e.message}` };
      throw e;
    }
    const data = decodeBase64(rest.slice(space + 1));
    if (data === null) return { error: "signature is not valid base64" };
    if (data.length < 5) return { error: `signature is ${data.length} bytes, shorter than a 4-byte key id and a signature` };
    return { name, keyId: data.subarray(0, 4), signature: data.subarray(4) };
  }
  function parseNote(note) {
    const size = utf8Length(note);
    if (size > MAX_NOTE_SIZE) fail("note", `note is ${size} bytes, more than the limit of ${MAX_NOTE_SIZE}`);
    const control = findControl(note);
    if (control) fail("note", `note line ${control.line}: control character ${hex2(control.byte)}`);
    const split2 = note.lastIndexOf("\n\n");
    if (split2 < 0) fail("note", "note has no blank line between its text and its signatures");
    const text2 = note.slice(0, split2 + 1);
    let block = note.slice(split2 + 2);
    if (block.length === 0) fail("note", "note has no signature lines");
    if (!block.endsWith("\n")) fail("note", "note does not end with a newline");
    block = block.slice(0, -1);
    const firstLine = lineAt(note, split2 + 2);
    const signatures = [];
    const lines = block.split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (signatures.length === MAX_SIGNATURES) fail("note", `note has more than ${MAX_SIGNATURES} signature lines`);
      const sig = parseSignatureLine(lines[i]);
      if (sig.error) fail("note", `note line ${firstLine + i}: ${sig.error}`);
      signatures.push(sig);
    }
    return { text: text2, signatures };
  }
  function verifyNote(note, keys) {
    const text2 = utf8(note.text);
    const verified = [];
    for (const sig of note.signatures) {
      const matching = keys.filter((k) => k.name === sig.name && bytesEqual(k.keyId, sig.keyId));
      if (matching.length === 0) continue;
      const key = matching[0];
      if (matching.some((other) => !sameKey(other, key))) {
        fail("ambiguous-key", `two known keys are named ${sig.name} with key id ${toHex(sig.keyId)}`);
      }
      if (!verifyWithKey(key, text2, sig.signature)) {
        fail("bad-signature", `signature by ${sig.name} (key id ${toHex(sig.keyId)}) does not verify`);
      }
      if (!verified.some((k) => sameKey(k, key))) verified.push(key);
    }
    if (verified.length === 0) {
      fail("no-known-signature", `no signature by a known key (signed by: ${note.signatures.map((s) => s.name).join(", ")})`);
    }
    return verified;
  }

  // src/checkpoint.js
  function checkOrigin(origin) {
    if (origin.length === 0) fail("checkpoint", "checkpoint line 1: origin is empty");
    if (utf8Length(origin) > MAX_NAME_LEN) fail("checkpoint", `checkpoint line 1: origin is longer than ${MAX_NAME_LEN} bytes`);
    const control = findControl(origin);
    if (control) fail("checkpoint", `checkpoint line 1: control character ${hex2(control.byte)}`);
  }
  function parseCheckpointText(text2) {
    if (!text2.endsWith("\n")) fail("checkpoint", "checkpoint text does not end with a newline");
    const control = findControl(text2);
    if (control) fail("checkpoint", `checkpoint line ${control.line}: control character ${hex2(control.byte)}`);
    const lines = text2.slice(0, -1).split("\n");
    const origin = lines[0];
    checkOrigin(origin);
    if (lines.length < 2) fail("checkpoint", "checkpoint line 2: tree size is missing");
    const size = parseDecimal(lines[1]);
    if (size.error) fail("checkpoint", `checkpoint line 2: tree size ${size.error}`);
    if (lines.length < 3) fail("checkpoint", "checkpoint line 3: root hash is missing");
    const root = decodeBase64(lines[2]);
    if (root === null) fail("checkpoint", "checkpoint line 3: root hash is not valid base64");
    if (root.length !== 32) fail("checkpoint", `checkpoint line 3: root hash is ${root.length} bytes, expected 32`);
    if (lines.length > 3) fail("checkpoint", "checkpoint line 4: extension lines are not allowed in vledger checkpoints");
    return { origin, size: size.value, root };
  }
  function openCheckpoint(noteText, origin, logKey) {
    const note = within("checkpoint", "checkpoint ", () => parseNote(noteText));
    try {
      verifyNote(note, [logKey]);
    } catch (e) {
      if (!(e instanceof VerifyError)) throw e;
      const signers = note.signatures.map((s) => s.name).join(", ");
      if (e.code === "no-known-signature") {
        fail("checkpoint", `checkpoint: not signed by the pinned log key ${logKey.name} (signed by: ${signers})`);
      }
      fail("checkpoint", `checkpoint: the signature by the pinned log key ${logKey.name} does not verify`);
    }
    const checkpoint = parseCheckpointText(note.text);
    if (checkpoint.origin !== origin) {
      fail("checkpoint", `checkpoint origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(origin)}`);
    }
    return { note, checkpoint };
  }

  // src/fields.js
  var fields_exports = {};
  __export(fields_exports, {
    EARLIEST_DATE: () => EARLIEST_DATE,
    LATEST_DATE: () => LATEST_DATE,
    MAX_ATTACHMENTS: () => MAX_ATTACHMENTS,
    MAX_IDENTIFIER_LEN: () => MAX_IDENTIFIER_LEN,
    MAX_LIST: () => MAX_LIST,
    MAX_ODOMETER: () => MAX_ODOMETER,
    MAX_TEXT_LEN: () => MAX_TEXT_LEN,
    atMost: () => atMost,
    claimOutcome: () => claimOutcome,
    component: () => component,
    country: () => country,
    customsDirection: () => customsDirection,
    damageSource: () => damageSource,
    damageType: () => damageType,
    date: () => date,
    deregistrationReason: () => deregistrationReason,
    digest: () => digest,
    distanceUnit: () => distanceUnit,
    documentKind: () => documentKind,
    fieldError: () => fieldError,
    identifier: () => identifier,
    itemOutcome: () => itemOutcome,
    language: () => language,
    mediaType: () => mediaType,
    odometer: () => odometer,
    odometerChecked: () => odometerChecked,
    odometerSource: () => odometerSource,
    optionalIdentifier: () => optionalIdentifier,
    partyCommitment: () => partyCommitment,
    powertrain: () => powertrain,
    requiredText: () => requiredText,
    role: () => role,
    text: () => text,
    textList: () => textList,
    useType: () => useType,
    verdict: () => verdict
  });
  var MAX_TEXT_LEN = 256;
  var MAX_IDENTIFIER_LEN = 32;
  var MAX_ATTACHMENTS = 16;
  var MAX_LIST = 64;
  var MAX_ODOMETER = 9999999n;
  function fieldError(field, reason) {
    return fail("entry", `${field}: ${reason}`);
  }
  var isAllWhitespace = (s) => /^\p{White_Space}*$/u.test(s);
  function text(field, s) {
    if (utf8Length(s) > MAX_TEXT_LEN) fieldError(field, `is longer than ${MAX_TEXT_LEN} bytes`);
    if (/\p{Cc}/u.test(s)) fieldError(field, "contains a control character");
    return s;
  }
  function requiredText(field, s) {
    if (isAllWhitespace(s)) fieldError(field, "is missing");
    return text(field, s);
  }
  function identifier(field, s) {
    if (s.length === 0) fieldError(field, "is missing");
    if (utf8Length(s) > MAX_IDENTIFIER_LEN) fieldError(field, `is longer than ${MAX_IDENTIFIER_LEN} bytes`);
    if (!/^[A-Z0-9-]+$/.test(s)) fieldError(field, "must be 1 to 32 characters of A-Z, 0-9 and -");
    return s;
  }
  function optionalIdentifier(field, s) {
    return s.length === 0 ? null : identifier(field, s);
  }
  function country(field, s) {
    if (s.length === 0) fieldError(field, "is missing");
    if (!/^[A-Z]{2}$/.test(s)) fieldError(field, "is not an ISO 3166-1 alpha-2 country code (two capital letters)");
    return s;
  }
  function mediaType(field, s) {
    const slash = s.indexOf("/");
    const token = (t) => /^[a-z0-9!#$&\-^_.+]+$/.test(t);
    if (slash < 0 || utf8Length(s) > 127 || !token(s.slice(0, slash)) || !token(s.slice(slash + 1))) {
      fieldError(field, "is not a media type such as application/pdf");
    }
    return s;
  }
  function atMost(field, list, max) {
    if (list.length > max) fieldError(field, `has more than ${max} entries`);
  }
  function textList(field, list) {
    atMost(field, list, MAX_LIST);
    return list.map((s) => requiredText(field, s));
  }
  function date(field, t) {
    if (t === 0n) fieldError(field, "is missing");
    if (t < EARLIEST_DATE) fieldError(field, "is before 1886-01-01T00:00:00Z (the first motor car), the earliest date a record may state");
    if (t > LATEST_DATE) fieldError(field, "is after 9999-12-31T23:59:59Z, the latest date a record may state");
    return t;
  }
  var EARLIEST_DATE = -2650752000n;
  var LATEST_DATE = 253402300799n;
  function digest(field, bytes) {
    if (bytes.length !== 32) fieldError(field, "is not a 32-byte hash");
    return toHex(bytes);
  }
  function partyCommitment(field, bytes) {
    if (bytes.length === 0) fieldError(field, "is missing");
    const not = () => fieldError(field, "is not a party commitment: a party is a 32-byte salted hash, never a name, ID or phone number");
    if (bytes.length !== 32) not();
    const printable = bytes.every((b) => b >= 32 && b < 127);
    let padded = false;
    for (let i = 0; i + 4 <= 32; i++) {
      if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 0 && bytes[i + 3] === 0) padded = true;
    }
    if (printable || padded) not();
    return toHex(bytes);
  }
  function makeEnum(names, zero = null) {
    return (field, v) => {
      if (v === 0 && zero !== null) return zero;
      if (v >= 1 && v <= names.length) return names[v - 1];
      return fieldError(field, "is unspecified or unknown");
    };
  }
  var distanceUnit = makeEnum(["km", "miles"]);
  var language = makeEnum(["zh", "en"], "none");
  var documentKind = makeEnum([
    "report",
    "certificate",
    "photo",
    "invoice",
    "evidence",
    "after_sales_confirmation",
    "license",
    "declaration",
    "other"
  ]);
  var odometerSource = makeEnum(["dashboard", "obd", "inspection", "service"]);
  var role = makeEnum([
    "admin",
    "registry",
    "manufacturer",
    "inspection_body",
    "exporter",
    "workshop",
    "customs",
    "recovery"
  ]);
  var powertrain = makeEnum([
    "petrol",
    "diesel",
    "hybrid",
    "plug_in_hybrid",
    "battery_electric",
    "fuel_cell",
    "natural_gas"
  ]);
  var useType = makeEnum(["private", "commercial", "taxi", "rental"]);
  var component = makeEnum(["engine", "drive_motor", "battery", "instrument_cluster"]);
  var damageType = makeEnum([
    "structural",
    "flood_fresh_water",
    "flood_salt_water",
    "fire",
    "hail",
    "theft_recovery",
    "total_loss",
    "not_actual_mileage"
  ]);
  var damageSource = makeEnum([
    "insurance_claim",
    "police_report",
    "inspection",
    "workshop",
    "auction",
    "registry"
  ]);
  var itemOutcome = makeEnum(["pass", "fail", "advisory", "not_applicable"]);
  var verdict = makeEnum(["pass", "fail", "conditional"]);
  var customsDirection = makeEnum(["export", "import"]);
  var deregistrationReason = makeEnum(["end_of_life", "export", "theft", "other"]);
  var claimOutcome = makeEnum(["filed", "refunded", "partly_refunded", "rejected", "withdrawn"]);
  function odometerChecked(field, unitField, value2, unit) {
    const u = distanceUnit(unitField, unit);
    if (value2 > MAX_ODOMETER) fieldError(field, `is larger than ${MAX_ODOMETER}`);
    return { value: value2, unit: u };
  }
  function odometer(field, unitField, msg2) {
    if (msg2 === null) fieldError(field, "is missing");
    return odometerChecked(field, unitField, msg2.value, msg2.unit);
  }

  // src/time.js
  var DAY = 86400n;
  function civil(days) {
    const z = days + 719468n;
    const era = (z >= 0n ? z : z - 146096n) / 146097n;
    const doe = z - era * 146097n;
    const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
    const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
    const mp = (5n * doy + 2n) / 153n;
    const day = doy - (153n * mp + 2n) / 5n + 1n;
    const month = mp < 10n ? mp + 3n : mp - 9n;
    const year = yoe + era * 400n + (month <= 2n ? 1n : 0n);
    return { year, month, day };
  }
  var floorDiv = (a, b) => a >= 0n ? a / b : -((-a + b - 1n) / b);
  function yearOf(seconds) {
    return civil(floorDiv(seconds, DAY)).year;
  }
  var pad = (n, w) => n.toString().padStart(w, "0");
  function formatTime(seconds) {
    const days = floorDiv(seconds, DAY);
    const rest = seconds - days * DAY;
    const { year, month, day } = civil(days);
    if (year < 0n || year > 9999n) return `@${seconds}`;
    const h = rest / 3600n;
    const m = rest % 3600n / 60n;
    const s = rest % 60n;
    return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}Z`;
  }
  function msToSeconds(ms) {
    return floorDiv(ms, 1000n);
  }

  // src/flags.js
  var FIELD = "entry.record.flags";
  function grouped(n) {
    return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function odometer2(o) {
    if (o === null) fieldError(FIELD, "is missing");
    return `${grouped(o.value)} ${distanceUnit(FIELD, o.unit)}`;
  }
  function flagFromProto(m) {
    if (m.kind === null) fieldError(FIELD, "is missing");
    const v = m.kind.value;
    switch (m.kind.kind) {
      case "odometer_rollback": {
        const reading = odometer2(v.reading);
        const earlier = odometer2(v.earlier);
        return { name: "odometer_rollback", text: `odometer_rollback (reading ${reading} < ${earlier} at entry ${v.earlier_index})` };
      }
      case "engine_number_mismatch": {
        const found = identifier(FIELD, v.found);
        const expected = identifier(FIELD, v.expected);
        return {
          name: "engine_number_mismatch",
          text: `engine_number_mismatch (engine number ${found} differs from ${expected} recorded at entry ${v.expected_index})`
        };
      }
      case "activity_after_deregistration": {
        const reason = deregistrationReason(FIELD, v.reason);
        return {
          name: "activity_after_deregistration",
          text: `activity_after_deregistration (deregistered at entry ${v.deregistration_index}: ${reason})`
        };
      }
      default: {
        const date2 = formatTime(v.first_registration_date).split("T")[0];
        return {
          name: "early_export",
          text: `early_export (${v.days} days after first registration on ${date2} at entry ${v.registration_index}, with no after-sales confirmation)`
        };
      }
    }
  }

  // src/protobuf.js
  var MAX_DEPTH = 100;
  var malformed = () => fail("protobuf", "is not a valid protobuf message");
  var nonCanonical = () => fail("protobuf", "is not canonically encoded (unknown fields, fields out of order, or default values written out)");
  var Reader = class {
    constructor(bytes) {
      this.bytes = bytes;
      this.at = 0;
    }
    get done() {
      return this.at >= this.bytes.length;
    }
    /** A varint as a BigInt; non-minimal varints are refused. */
    varint() {
      let value2 = 0n;
      for (let i = 0; i < 10; i++) {
        if (this.at >= this.bytes.length) malformed();
        const b = this.bytes[this.at++];
        if (i === 9 && b > 1) malformed();
        value2 |= BigInt(b & 127) << BigInt(7 * i);
        if ((b & 128) === 0) {
          if (i > 0 && b === 0) nonCanonical();
          return value2;
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
  };
  function defaultValue(field) {
    if (field.repeated) return [];
    if (field.optional || field.kind === "message") return null;
    switch (field.kind) {
      case "uint64":
      case "int64":
        return 0n;
      case "uint32":
      case "enum":
        return 0;
      case "bool":
        return false;
      case "string":
        return "";
      case "bytes":
        return new Uint8Array(0);
      default:
        throw new Error(`unknown field kind ${field.kind}`);
    }
  }
  function isDefault(field, value2) {
    switch (field.kind) {
      case "uint64":
      case "int64":
        return value2 === 0n;
      case "uint32":
      case "enum":
        return value2 === 0;
      case "bool":
        return value2 === false;
      case "string":
      case "bytes":
        return value2.length === 0;
      default:
        return false;
    }
  }
  function scalar(kind2, v) {
    switch (kind2) {
      case "uint64":
        return v;
      case "int64":
        return BigInt.asIntN(64, v);
      case "uint32":
        if (v >= 1n << 32n) nonCanonical();
        return Number(v);
      case "enum":
        if (v < 1n << 31n) return Number(v);
        if (v >= (1n << 64n) - (1n << 31n)) return Number(BigInt.asIntN(64, v));
        return nonCanonical();
      case "bool":
        if (v > 1n) nonCanonical();
        return v === 1n;
      default:
        throw new Error(`not a varint kind: ${kind2}`);
    }
  }
  function decodeMessage(bytes, schema, depth = 0) {
    if (depth >= MAX_DEPTH) malformed();
    const out = {};
    const oneofs = new Set(schema.fields.filter((f2) => f2.oneof).map((f2) => f2.oneof));
    for (const f2 of schema.fields) if (!f2.oneof) out[f2.name] = defaultValue(f2);
    for (const o of oneofs) out[o] = null;
    const r = new Reader(bytes);
    let lastNum = 0;
    let lastField = null;
    while (!r.done) {
      const key = r.varint();
      if (key > 0xffffffffn) malformed();
      const wire = Number(key & 7n);
      const num2 = Number(key >> 3n);
      if (wire > 5 || num2 === 0) malformed();
      const field = schema.fields.find((f2) => f2.num === num2);
      if (!field) nonCanonical();
      const repeatable = field.repeated && field.kind !== "enum";
      if (num2 < lastNum || num2 === lastNum && !(repeatable && lastField === field)) nonCanonical();
      lastNum = num2;
      lastField = field;
      let value2;
      if (field.kind === "message" || field.kind === "string" || field.kind === "bytes" || field.repeated && field.kind === "enum") {
        if (wire !== 2) {
          if (field.repeated && field.kind === "enum" && wire === 0) nonCanonical();
          malformed();
        }
        const payload = r.take(r.varint());
        if (field.kind === "message") {
          value2 = decodeMessage(payload, field.message, depth + 1);
        } else if (field.kind === "string") {
          value2 = fromUtf8(payload);
          if (value2 === null) malformed();
        } else if (field.kind === "bytes") {
          value2 = Uint8Array.from(payload);
        } else {
          if (payload.length === 0) nonCanonical();
          const inner = new Reader(payload);
          value2 = [];
          while (!inner.done) value2.push(scalar("enum", inner.varint()));
        }
      } else {
        if (wire !== 0) malformed();
        value2 = scalar(field.kind, r.varint());
      }
      if (field.repeated && field.kind === "enum") {
        out[field.name] = value2;
      } else if (field.repeated) {
        out[field.name].push(value2);
      } else if (field.oneof) {
        if (out[field.oneof] !== null) nonCanonical();
        out[field.oneof] = { kind: field.name, value: value2 };
      } else {
        if (!field.optional && field.kind !== "message" && isDefault(field, value2)) nonCanonical();
        out[field.name] = value2;
      }
    }
    return out;
  }

  // src/proto-schema.js
  var f = (num2, name, kind2, extra = {}) => ({ num: num2, name, kind: kind2, ...extra });
  var msg = (name, fields) => ({ name, fields });
  var Odometer = msg("Odometer", [f(1, "value", "uint64"), f(2, "unit", "enum")]);
  var Attachment = msg("Attachment", [
    f(1, "sha256", "bytes"),
    f(2, "media_type", "string"),
    f(3, "language", "enum"),
    f(4, "kind", "enum")
  ]);
  var OdometerReading = msg("OdometerReading", [
    f(1, "value", "uint64"),
    f(2, "unit", "enum"),
    f(3, "source", "enum")
  ]);
  var KeyEnrollment = msg("KeyEnrollment", [
    f(1, "public_key", "bytes"),
    f(2, "role", "enum"),
    f(3, "name", "string")
  ]);
  var KeyRevocation = msg("KeyRevocation", [f(1, "public_key", "bytes"), f(2, "reason", "string")]);
  var Factory = msg("Factory", [
    f(1, "make", "string"),
    f(2, "model", "string"),
    f(3, "model_year", "uint32"),
    f(4, "manufacture_date", "int64"),
    f(5, "engine_number", "string"),
    f(6, "powertrain", "enum"),
    f(7, "emission_standard", "string"),
    f(8, "coc_sha256", "bytes")
  ]);
  var Registration = msg("Registration", [
    f(1, "first_registration_date", "int64"),
    f(2, "region", "string"),
    f(3, "use_type", "enum"),
    f(4, "engine_number", "string")
  ]);
  var OwnershipTransfer = msg("OwnershipTransfer", [
    f(1, "from_party", "bytes"),
    f(2, "to_party", "bytes"),
    f(3, "for_export", "bool"),
    f(4, "odometer", "message", { message: Odometer })
  ]);
  var Maintenance = msg("Maintenance", [
    f(1, "workshop", "string"),
    f(2, "operations", "string", { repeated: true }),
    f(3, "parts", "string", { repeated: true }),
    f(4, "odometer", "message", { message: Odometer })
  ]);
  var ComponentChange = msg("ComponentChange", [
    f(1, "component", "enum"),
    f(2, "old_number", "string"),
    f(3, "new_number", "string"),
    f(4, "odometer", "message", { message: Odometer }),
    f(5, "reason", "string")
  ]);
  var Damage = msg("Damage", [
    f(1, "types", "enum", { repeated: true }),
    f(2, "source", "enum"),
    f(3, "description", "string")
  ]);
  var ItemResult = msg("ItemResult", [
    f(1, "item", "string"),
    f(2, "outcome", "enum"),
    f(3, "note", "string")
  ]);
  var Inspection = msg("Inspection", [
    f(1, "accreditation_number", "string"),
    f(2, "protocol_id", "string"),
    f(3, "protocol_version", "uint32"),
    f(4, "results", "message", { repeated: true, message: ItemResult }),
    f(5, "verdict", "enum"),
    f(6, "odometer", "message", { message: Odometer }),
    f(7, "engine_number", "string")
  ]);
  var InspectionProtocol = msg("InspectionProtocol", [
    f(1, "protocol_id", "string"),
    f(2, "version", "uint32"),
    f(3, "title", "string"),
    f(4, "items", "string", { repeated: true })
  ]);
  var ExportLicense = msg("ExportLicense", [
    f(1, "license_number", "string"),
    f(2, "destination_country", "string"),
    f(3, "issued_by", "string"),
    f(4, "valid_until", "int64"),
    f(5, "engine_number", "string")
  ]);
  var CustomsClearance = msg("CustomsClearance", [
    f(1, "declaration_number", "string"),
    f(2, "direction", "enum"),
    f(3, "country", "string"),
    f(4, "port", "string"),
    f(5, "engine_number", "string")
  ]);
  var Deregistration = msg("Deregistration", [
    f(1, "reason", "enum"),
    f(2, "region", "string"),
    f(3, "certificate_number", "string")
  ]);
  var Compliance = msg("Compliance", [
    f(1, "destination_country", "string"),
    f(2, "standard", "string"),
    f(3, "certificate_number", "string")
  ]);
  var Claim = msg("Claim", [
    f(1, "claim_number", "string"),
    f(2, "defect", "string"),
    f(3, "outcome", "enum"),
    f(4, "related_index", "uint64", { optional: true }),
    f(5, "amount", "uint64"),
    f(6, "currency", "string"),
    f(7, "claimant", "bytes")
  ]);
  var Correction = msg("Correction", [
    f(1, "target_index", "uint64"),
    f(2, "reason", "string"),
    f(3, "replacement", "message", { message: null })
  ]);
  var body = (num2, name, message) => f(num2, name, "message", { oneof: "body", message });
  var Record = msg("Record", [
    f(1, "vin", "string"),
    f(2, "event_time", "int64"),
    f(3, "nonce", "bytes"),
    f(4, "attachments", "message", { repeated: true, message: Attachment }),
    body(10, "odometer_reading", OdometerReading),
    body(11, "key_enrollment", KeyEnrollment),
    body(12, "key_revocation", KeyRevocation),
    body(13, "factory", Factory),
    body(14, "registration", Registration),
    body(15, "ownership_transfer", OwnershipTransfer),
    body(16, "maintenance", Maintenance),
    body(17, "component_change", ComponentChange),
    body(18, "damage", Damage),
    body(19, "inspection", Inspection),
    body(20, "inspection_protocol", InspectionProtocol),
    body(21, "export_license", ExportLicense),
    body(22, "customs_clearance", CustomsClearance),
    body(23, "deregistration", Deregistration),
    body(24, "compliance", Compliance),
    body(25, "claim", Claim),
    body(26, "correction", Correction)
  ]);
  Correction.fields[2].message = Record;
  var OdometerRollback = msg("OdometerRollback", [
    f(1, "reading", "message", { message: Odometer }),
    f(2, "earlier", "message", { message: Odometer }),
    f(3, "earlier_index", "uint64")
  ]);
  var EngineNumberMismatch = msg("EngineNumberMismatch", [
    f(1, "found", "string"),
    f(2, "expected", "string"),
    f(3, "expected_index", "uint64")
  ]);
  var ActivityAfterDeregistration = msg("ActivityAfterDeregistration", [
    f(1, "deregistration_index", "uint64"),
    f(2, "reason", "enum")
  ]);
  var EarlyExport = msg("EarlyExport", [
    f(1, "first_registration_date", "int64"),
    f(2, "registration_index", "uint64"),
    f(3, "days", "uint32")
  ]);
  var kind = (num2, name, message) => f(num2, name, "message", { oneof: "kind", message });
  var Flag = msg("Flag", [
    kind(1, "odometer_rollback", OdometerRollback),
    kind(2, "engine_number_mismatch", EngineNumberMismatch),
    kind(3, "activity_after_deregistration", ActivityAfterDeregistration),
    kind(4, "early_export", EarlyExport)
  ]);
  var SignedRecord = msg("SignedRecord", [
    f(1, "record", "bytes"),
    f(2, "public_key", "bytes"),
    f(3, "signature", "bytes"),
    f(4, "origin", "string")
  ]);
  var VinChain = msg("VinChain", [
    f(1, "sequence", "uint64"),
    f(2, "previous_index", "uint64", { optional: true }),
    f(3, "previous_leaf_hash", "bytes")
  ]);
  var RecordEntry = msg("RecordEntry", [
    f(1, "signed", "message", { message: SignedRecord }),
    f(2, "chain", "message", { message: VinChain }),
    f(3, "flags", "message", { repeated: true, message: Flag })
  ]);
  var IndexEntry = msg("IndexEntry", [
    f(1, "root", "bytes"),
    f(2, "tree_size", "uint64"),
    f(3, "vin_count", "uint64")
  ]);
  var Genesis = msg("Genesis", [
    f(1, "origin", "string"),
    f(2, "log_public_key", "bytes"),
    f(3, "admin_public_key", "bytes"),
    f(4, "recovery_public_key", "bytes")
  ]);
  var Entry = msg("Entry", [
    f(1, "logged_at_ms", "int64"),
    f(2, "genesis", "message", { oneof: "body", message: Genesis }),
    f(3, "record", "message", { oneof: "body", message: RecordEntry }),
    f(4, "index", "message", { oneof: "body", message: IndexEntry })
  ]);

  // src/roles.js
  var MAY_SIGN = {
    key_enrollment: ["admin", "recovery"],
    key_revocation: ["admin", "recovery"],
    inspection_protocol: ["admin", "inspection_body"],
    factory: ["manufacturer"],
    registration: ["registry"],
    deregistration: ["registry"],
    ownership_transfer: ["registry", "exporter"],
    odometer_reading: ["registry", "inspection_body", "exporter", "workshop"],
    maintenance: ["workshop"],
    component_change: ["workshop", "manufacturer"],
    damage: ["registry", "inspection_body", "workshop"],
    inspection: ["inspection_body"],
    export_license: ["exporter"],
    claim: ["exporter"],
    customs_clearance: ["customs"],
    compliance: ["inspection_body", "manufacturer"],
    correction: ["registry", "manufacturer", "inspection_body", "exporter", "workshop", "customs"]
  };
  function maySign(role2, kind2) {
    return (MAY_SIGN[kind2] ?? []).includes(role2);
  }
  function mayManage(role2, target) {
    if (role2 === "admin") return target !== "recovery";
    if (role2 === "recovery") return target === "admin" || target === "recovery";
    return false;
  }
  function needsVin(kind2) {
    return kind2 !== "key_enrollment" && kind2 !== "key_revocation" && kind2 !== "inspection_protocol";
  }
  function correctable(kind2) {
    return needsVin(kind2) && kind2 !== "correction";
  }

  // src/vin.js
  var VIN_LEN = 17;
  var WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
  var YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789";
  function value(c) {
    if (c >= "0" && c <= "9") return c.charCodeAt(0) - 48;
    const table = {
      A: 1,
      J: 1,
      B: 2,
      K: 2,
      S: 2,
      C: 3,
      L: 3,
      T: 3,
      D: 4,
      M: 4,
      U: 4,
      E: 5,
      N: 5,
      V: 5,
      F: 6,
      W: 6,
      G: 7,
      P: 7,
      X: 7,
      H: 8,
      Y: 8,
      R: 9,
      Z: 9
    };
    return Object.hasOwn(table, c) ? table[c] : null;
  }
  var checkDigitRequired = (first) => first === "L" || first >= "1" && first <= "5";
  function parseVin(s) {
    const chars = [...s];
    if (chars.length !== VIN_LEN) fail("vin", `VIN must have 17 characters, not ${chars.length}`);
    chars.forEach((c, i) => {
      if (value(c) === null) {
        fail("vin", `VIN character ${i + 1} is ${JSON.stringify(c)}, not one of A-H J-N P R-Z 0-9`);
      }
    });
    if (checkDigitRequired(chars[0])) {
      const sum = chars.reduce((acc, c, i) => acc + value(c) * WEIGHTS[i], 0);
      const d = sum % 11;
      const expected = d === 10 ? "X" : String(d);
      if (expected !== chars[8]) {
        fail("vin", `VIN check digit is ${JSON.stringify(chars[8])} but the other characters give ${JSON.stringify(expected)}`);
      }
      if (!YEAR_CODES.includes(chars[9])) {
        fail("vin", `VIN character 10 is ${JSON.stringify(chars[9])}, not a model-year code (U, Z and 0 are never used)`);
      }
    }
    return s;
  }
  function modelYearCode(vin) {
    return checkDigitRequired(vin[0]) ? vin[9] : null;
  }
  function matchesModelYear(vin, modelYear) {
    const code = modelYearCode(vin);
    if (code === null) return true;
    const pos = YEAR_CODES.indexOf(code);
    if (pos < 0) return false;
    return modelYear >= 1980 && (modelYear - 1980) % YEAR_CODES.length === pos;
  }

  // src/record.js
  var MAX_NONCE_LEN = 64;
  var MAX_PROTOCOL_ITEMS = 1024;
  var MAX_ITEM_LEN = 128;
  var MAX_PROTOCOL_ID_LEN = 64;
  var { fieldError: fieldError2 } = fields_exports;
  var num = plainNumber;
  var odometerJson = (o) => ({ value: num(o.value), unit: o.unit });
  function publicKeyFromBytes(field, bytes) {
    if (bytes.length !== 32) fieldError2(field, "is not a 32-byte Ed25519 public key");
    const point = decodePoint(bytes);
    if (!point) fieldError2(field, "is not a 32-byte Ed25519 public key");
    if (point.isSmallOrder()) fieldError2(field, "is a weak Ed25519 key");
    return { bytes: Uint8Array.from(bytes), point };
  }
  function protocolId(field, s) {
    if (s.length === 0) fieldError2(field, "is missing");
    if (utf8Length(s) > MAX_PROTOCOL_ID_LEN) fieldError2(field, `is longer than ${MAX_PROTOCOL_ID_LEN} bytes`);
    if (!/^[A-Za-z0-9\-._/]+$/.test(s)) fieldError2(field, "must be 1 to 32 characters of A-Z, 0-9 and -");
    return s;
  }
  function version(field, v) {
    if (v === 0) fieldError2(field, "is missing");
    return v;
  }
  function item(field, s) {
    if (/^\p{White_Space}*$/u.test(s)) fieldError2(field, "is missing");
    if (utf8Length(s) > MAX_ITEM_LEN) fieldError2(field, `is longer than ${MAX_ITEM_LEN} bytes`);
    return text(field, s);
  }
  function uniqueItems(field, list, check) {
    const seen = /* @__PURE__ */ new Set();
    return list.map((raw) => {
      const name = check(raw);
      if (seen.has(name)) fieldError2(field, `lists ${JSON.stringify(name)} twice`);
      seen.add(name);
      return name;
    });
  }
  var KINDS = {
    odometer_reading(o) {
      const { value: value2, unit } = odometerChecked("odometer_reading.value", "odometer_reading.unit", o.value, o.unit);
      return { value: num(value2), unit, source: odometerSource("odometer_reading.source", o.source) };
    },
    key_enrollment(k) {
      const key = publicKeyFromBytes("key_enrollment.public_key", k.public_key);
      const role2 = role("key_enrollment.role", k.role);
      const name = text("key_enrollment.name", k.name);
      return { public_key: encodeBase64(key.bytes), role: role2, name };
    },
    key_revocation(k) {
      const key = publicKeyFromBytes("key_revocation.public_key", k.public_key);
      return { public_key: encodeBase64(key.bytes), reason: text("key_revocation.reason", k.reason) };
    },
    factory(f2) {
      if (!(f2.model_year >= 1900 && f2.model_year <= 2200)) {
        fieldError2("factory.model_year", f2.model_year === 0 ? "is missing" : "is inconsistent with the years vehicles are made in");
      }
      return {
        make: requiredText("factory.make", f2.make),
        model: requiredText("factory.model", f2.model),
        model_year: f2.model_year,
        manufacture_date: formatTime(date("factory.manufacture_date", f2.manufacture_date)),
        engine_number: identifier("factory.engine_number", f2.engine_number),
        powertrain: powertrain("factory.powertrain", f2.powertrain),
        emission_standard: requiredText("factory.emission_standard", f2.emission_standard),
        coc_sha256: digest("factory.coc_sha256", f2.coc_sha256)
      };
    },
    registration(r) {
      const out = {
        first_registration_date: formatTime(date("registration.first_registration_date", r.first_registration_date)),
        region: requiredText("registration.region", r.region),
        use_type: useType("registration.use_type", r.use_type)
      };
      const engine = optionalIdentifier("registration.engine_number", r.engine_number);
      if (engine !== null) out.engine_number = engine;
      return out;
    },
    ownership_transfer(t) {
      return {
        from_party: partyCommitment("ownership_transfer.from_party", t.from_party),
        to_party: partyCommitment("ownership_transfer.to_party", t.to_party),
        for_export: t.for_export,
        odometer: odometerJson(odometer("ownership_transfer.odometer", "ownership_transfer.odometer.unit", t.odometer))
      };
    },
    maintenance(m) {
      if (m.operations.length === 0) fieldError2("maintenance.operations", "is missing");
      const out = {
        workshop: requiredText("maintenance.workshop", m.workshop),
        operations: textList("maintenance.operations", m.operations)
      };
      const parts = textList("maintenance.parts", m.parts);
      if (parts.length > 0) out.parts = parts;
      out.odometer = odometerJson(odometer("maintenance.odometer", "maintenance.odometer.unit", m.odometer));
      return out;
    },
    component_change(c) {
      const oldNumber = identifier("component_change.old_number", c.old_number);
      const newNumber = identifier("component_change.new_number", c.new_number);
      if (oldNumber === newNumber) fieldError2("component_change.new_number", "is inconsistent with component_change.old_number");
      const out = {
        component: component("component_change.component", c.component),
        old_number: oldNumber,
        new_number: newNumber,
        odometer: odometerJson(odometer("component_change.odometer", "component_change.odometer.unit", c.odometer))
      };
      const reason = text("component_change.reason", c.reason);
      if (reason.length > 0) out.reason = reason;
      return out;
    },
    damage(d) {
      if (d.types.length === 0) fieldError2("damage.types", "is missing");
      atMost("damage.types", d.types, MAX_LIST);
      const types = uniqueItems("damage.types", d.types, (t) => damageType("damage.types", t));
      const out = { types, source: damageSource("damage.source", d.source) };
      const description = text("damage.description", d.description);
      if (description.length > 0) out.description = description;
      return out;
    },
    inspection(i) {
      if (i.results.length === 0) fieldError2("inspection.results", "is missing");
      atMost("inspection.results", i.results, MAX_PROTOCOL_ITEMS);
      const seen = /* @__PURE__ */ new Set();
      const results = i.results.map((r) => {
        const name = item("inspection.results.item", r.item);
        if (seen.has(name)) fieldError2("inspection.results", `lists ${JSON.stringify(name)} twice`);
        seen.add(name);
        const out2 = { item: name, outcome: itemOutcome("inspection.results.outcome", r.outcome) };
        const note = text("inspection.results.note", r.note);
        if (note.length > 0) out2.note = note;
        return out2;
      });
      const verdict2 = verdict("inspection.verdict", i.verdict);
      if (verdict2 === "pass" && results.some((r) => r.outcome === "fail")) {
        fieldError2("inspection.verdict", "is inconsistent with a failed item");
      }
      const out = {
        accreditation_number: requiredText("inspection.accreditation_number", i.accreditation_number),
        protocol_id: protocolId("inspection.protocol_id", i.protocol_id),
        protocol_version: version("inspection.protocol_version", i.protocol_version),
        results,
        verdict: verdict2
      };
      if (i.odometer !== null) {
        out.odometer = odometerJson(odometerChecked("inspection.odometer", "inspection.odometer.unit", i.odometer.value, i.odometer.unit));
      }
      const engine = optionalIdentifier("inspection.engine_number", i.engine_number);
      if (engine !== null) out.engine_number = engine;
      return out;
    },
    inspection_protocol(p) {
      if (p.items.length === 0) fieldError2("inspection_protocol.items", "is missing");
      atMost("inspection_protocol.items", p.items, MAX_PROTOCOL_ITEMS);
      const items = uniqueItems("inspection_protocol.items", p.items, (s) => item("inspection_protocol.items", s));
      return {
        protocol_id: protocolId("inspection_protocol.protocol_id", p.protocol_id),
        version: version("inspection_protocol.version", p.version),
        title: requiredText("inspection_protocol.title", p.title),
        items
      };
    },
    export_license(e) {
      const out = {
        license_number: identifier("export_license.license_number", e.license_number),
        destination_country: country("export_license.destination_country", e.destination_country),
        issued_by: requiredText("export_license.issued_by", e.issued_by)
      };
      if (e.valid_until !== 0n) out.valid_until = formatTime(date("export_license.valid_until", e.valid_until));
      const engine = optionalIdentifier("export_license.engine_number", e.engine_number);
      if (engine !== null) out.engine_number = engine;
      return out;
    },
    customs_clearance(c) {
      const out = {
        declaration_number: identifier("customs_clearance.declaration_number", c.declaration_number),
        direction: customsDirection("customs_clearance.direction", c.direction),
        country: country("customs_clearance.country", c.country),
        port: requiredText("customs_clearance.port", c.port)
      };
      const engine = optionalIdentifier("customs_clearance.engine_number", c.engine_number);
      if (engine !== null) out.engine_number = engine;
      return out;
    },
    deregistration(d) {
      const out = {
        reason: deregistrationReason("deregistration.reason", d.reason),
        region: requiredText("deregistration.region", d.region)
      };
      const cert = optionalIdentifier("deregistration.certificate_number", d.certificate_number);
      if (cert !== null) out.certificate_number = cert;
      return out;
    },
    compliance(c) {
      return {
        destination_country: country("compliance.destination_country", c.destination_country),
        standard: requiredText("compliance.standard", c.standard),
        certificate_number: identifier("compliance.certificate_number", c.certificate_number)
      };
    },
    claim(c) {
      let amount = null;
      if (c.amount === 0n && c.currency.length !== 0) fieldError2("claim.amount", "is missing");
      if (c.amount !== 0n && c.currency.length === 0) fieldError2("claim.currency", "is missing");
      if (c.amount !== 0n) {
        if (!/^[A-Z]{3}$/.test(c.currency)) fieldError2("claim.currency", "is not an ISO 4217 currency code (three capital letters)");
        amount = { minor_units: num(c.amount), currency: c.currency };
      }
      const out = {
        claim_number: identifier("claim.claim_number", c.claim_number),
        defect: requiredText("claim.defect", c.defect),
        outcome: claimOutcome("claim.outcome", c.outcome)
      };
      if (c.related_index !== null) out.related_index = num(c.related_index);
      if (amount !== null) out.amount = amount;
      if (c.claimant.length > 0) out.claimant = partyCommitment("claim.claimant", c.claimant);
      return out;
    },
    correction(c) {
      let replacement = null;
      if (c.replacement !== null) {
        let r;
        try {
          r = recordFromProto(c.replacement);
        } catch (e) {
          if (e instanceof VerifyError) fieldError2("correction.replacement", e.message);
          throw e;
        }
        if (!correctable(r.kind)) fieldError2("correction.replacement", `a ${r.kind} record cannot be corrected`);
        replacement = r;
      }
      const out = {
        target_index: num(c.target_index),
        reason: requiredText("correction.reason", c.reason)
      };
      if (replacement !== null) out.replacement = replacement.json;
      return out;
    }
  };
  function checkWhole(kind2, body2, vin, attachments) {
    const needs = (docKind, lang) => {
      if (!attachments.some((a) => a.kind === docKind && a.language === lang)) {
        fieldError2("record.attachments", `needs an attachment of kind ${docKind} in language ${lang}`);
      }
    };
    if (kind2 === "factory" && vin !== null) {
      const modelYear = body2.model_year;
      const code = modelYearCode(vin);
      if (code !== null && !matchesModelYear(vin, modelYear)) {
        fieldError2("factory.model_year", `${modelYear} does not match the VIN's model-year code ${JSON.stringify(code)}`);
      }
      const made = yearOf(body2.manufacture_date);
      const my = BigInt(modelYear);
      if (made < my - 1n || made > my + 1n) {
        fieldError2("factory.manufacture_date", `cannot be the manufacture date of a model year ${modelYear} vehicle`);
      }
    } else if (kind2 === "inspection") {
      needs("report", "zh");
      needs("report", "en");
    } else if (kind2 === "compliance") {
      if (!attachments.some((a) => a.kind === "certificate")) {
        fieldError2("record.attachments", "needs an attachment of kind certificate in language zh or en");
      }
    } else if (kind2 === "correction") {
      if (body2.replacement !== null && body2.replacement.vin !== vin) {
        fieldError2("correction.replacement", "is inconsistent with record.vin");
      }
    }
  }
  function recordFromProto(m) {
    if (m.body === null) fieldError2("record.body", "is missing");
    const kind2 = m.body.kind;
    const bodyJson = KINDS[kind2](m.body.value);
    let vin = null;
    if (needsVin(kind2)) {
      if (m.vin.length === 0) fieldError2("record.vin", "is missing");
      try {
        vin = parseVin(m.vin);
      } catch (e) {
        if (e instanceof VerifyError) fieldError2("record.vin", e.message);
        throw e;
      }
    } else if (m.vin.length !== 0) {
      fieldError2("record.vin", "must be empty for this kind of record");
    }
    if (m.nonce.length > MAX_NONCE_LEN) fieldError2("record.nonce", `is longer than ${MAX_NONCE_LEN} bytes`);
    date("record.event_time", m.event_time);
    atMost("record.attachments", m.attachments, MAX_ATTACHMENTS);
    const attachments = m.attachments.map((a) => {
      const out2 = {
        sha256: digest("record.attachments.sha256", a.sha256),
        media_type: mediaType("record.attachments.media_type", a.media_type),
        language: language("record.attachments.language", a.language),
        kind: documentKind("record.attachments.kind", a.kind)
      };
      return out2;
    });
    checkWhole(kind2, m.body.value, vin, attachments);
    const json = {};
    if (vin !== null) json.vin = vin;
    json.event_time = formatTime(m.event_time);
    if (m.nonce.length > 0) json.nonce = toHex(m.nonce);
    if (attachments.length > 0) {
      json.attachments = attachments.map((a) => {
        const { language: language2, ...rest } = a;
        return language2 === "none" ? rest : { ...rest, language: language2 };
      });
    }
    json[kind2] = bodyJson;
    const out = { kind: kind2, vin, eventTime: m.event_time, json };
    if (kind2 === "key_enrollment") {
      out.enrollment = { key: m.body.value.public_key, role: bodyJson.role, name: bodyJson.name };
    }
    return out;
  }
  function decodeRecord(bytes) {
    let m;
    try {
      m = decodeMessage(bytes, Record);
    } catch (e) {
      if (e instanceof VerifyError) fieldError2("record", e.message);
      throw e;
    }
    return recordFromProto(m);
  }

  // src/entry.js
  var RECORD_SIGNATURE_PREFIX = utf8("vledger/record/v1\n");
  var BOUND_RECORD_SIGNATURE_PREFIX = utf8("vledger/record/v2\n");
  var MAX_RECORD_SIZE = 64 * 1024;
  var MAX_ORIGIN_LEN = 1024;
  function signedMessage(origin, recordBytes) {
    return origin === null ? concat(RECORD_SIGNATURE_PREFIX, recordBytes) : concat(BOUND_RECORD_SIGNATURE_PREFIX, utf8(origin), utf8("\n"), recordBytes);
  }
  var CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
  function signedRecord(m) {
    if (m.record.length > MAX_RECORD_SIZE) fieldError("signed.record", `is longer than ${MAX_RECORD_SIZE} bytes`);
    const origin = m.origin === "" ? null : m.origin;
    if (origin !== null) {
      if (utf8(origin).length > MAX_ORIGIN_LEN) fieldError("signed.origin", `is longer than ${MAX_ORIGIN_LEN} bytes`);
      if (CONTROL.test(origin)) fieldError("signed.origin", "contains a control character");
    }
    const key = publicKeyFromBytes("signed.public_key", m.public_key);
    if (m.signature.length !== 64) fieldError("signed.signature", "is not a 64-byte Ed25519 signature");
    const record = decodeRecord(m.record);
    if (!verifyRecordSignature(key, signedMessage(origin, m.record), m.signature)) {
      fieldError("signed.signature", "does not verify");
    }
    return { record, key, origin };
  }
  function checkLoggedIn(entry, origin) {
    if (entry.type === "record" && entry.signedOrigin !== null && entry.signedOrigin !== origin) {
      fieldError("signed.origin", `the record was signed for the log ${JSON.stringify(entry.signedOrigin)}, not for this log ${JSON.stringify(origin)}`);
    }
  }
  function vinChain(c) {
    let previous = null;
    const hasHash = c.previous_leaf_hash.length > 0;
    if (c.previous_index !== null && hasHash) {
      if (c.previous_leaf_hash.length !== 32) fieldError("entry.record.chain.previous_leaf_hash", "is not a 32-byte hash");
      previous = { index: c.previous_index, leafHash: c.previous_leaf_hash };
    } else if (c.previous_index === null && hasHash) {
      fieldError("entry.record.chain.previous_leaf_hash", "is inconsistent with previous_index");
    } else if (c.previous_index !== null && !hasHash) {
      fieldError("entry.record.chain.previous_leaf_hash", "is missing");
    }
    if (c.sequence === 0n !== (previous === null)) {
      fieldError("entry.record.chain.sequence", "is inconsistent with previous_index");
    }
    return { sequence: c.sequence, previous };
  }
  function decodeEntry(bytes) {
    let m;
    try {
      m = decodeMessage(bytes, Entry);
    } catch (e) {
      if (e instanceof VerifyError) fieldError("entry", e.message);
      throw e;
    }
    if (m.body === null) fieldError("entry.body", "is missing");
    const v = m.body.value;
    const out = { loggedAtMs: m.logged_at_ms, type: m.body.kind };
    if (m.body.kind === "genesis") {
      out.origin = v.origin;
      out.logKey = publicKeyFromBytes("entry.genesis.log_public_key", v.log_public_key);
      out.adminKey = publicKeyFromBytes("entry.genesis.admin_public_key", v.admin_public_key);
      out.recoveryKey = null;
      if (v.recovery_public_key.length > 0) {
        out.recoveryKey = publicKeyFromBytes("entry.genesis.recovery_public_key", v.recovery_public_key);
        if (bytesEqual(out.recoveryKey.bytes, out.adminKey.bytes)) {
          fieldError("entry.genesis.recovery_public_key", "is inconsistent with the admin key: a key holds one role");
        }
      }
    } else if (m.body.kind === "record") {
      if (v.signed === null) fieldError("entry.record.signed", "is missing");
      const { record, key, origin } = signedRecord(v.signed);
      const chain = v.chain === null ? null : vinChain(v.chain);
      if (chain !== null !== (record.vin !== null)) {
        fieldError("entry.record.chain", "is inconsistent with record.vin");
      }
      out.record = record;
      out.key = key;
      out.signedOrigin = origin;
      out.chain = chain;
      out.flags = v.flags.map(flagFromProto);
    } else {
      if (v.root.length !== 32) fieldError("entry.index.root", "is not a 32-byte hash");
      out.root = v.root;
      out.treeSize = v.tree_size;
      out.vinCount = v.vin_count;
    }
    return out;
  }

  // src/merkle.js
  var isPowerOfTwo = (n) => n > 0n && (n & n - 1n) === 0n;
  function inclusionProofLength(index, size) {
    let fnode = index;
    let snode = size - 1n;
    let len = 0;
    while (snode !== 0n) {
      if ((fnode & 1n) === 0n && fnode === snode) {
        while ((fnode & 1n) === 0n && fnode !== 0n) {
          fnode >>= 1n;
          snode >>= 1n;
        }
      }
      fnode >>= 1n;
      snode >>= 1n;
      len += 1;
    }
    return len;
  }
  function verifyInclusion(leaf, index, size, proof, root) {
    if (index >= size) return `leaf index ${index} is not in a tree of size ${size}`;
    const expected = inclusionProofLength(index, size);
    if (proof.length !== expected) return `proof has ${proof.length} hashes, expected ${expected}`;
    let fnode = index;
    let snode = size - 1n;
    let r = leaf;
    for (const p of proof) {
      if ((fnode & 1n) === 1n || fnode === snode) {
        r = nodeHash(p, r);
        if ((fnode & 1n) === 0n) {
          while ((fnode & 1n) === 0n && fnode !== 0n) {
            fnode >>= 1n;
            snode >>= 1n;
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fnode >>= 1n;
      snode >>= 1n;
    }
    if (snode !== 0n) return `proof has ${proof.length} hashes, expected ${expected}`;
    return bytesEqual(r, root) ? null : "proof does not lead to the claimed root";
  }
  function skipOnes(s) {
    while ((s.f & 1n) === 1n) {
      s.f >>= 1n;
      s.s >>= 1n;
    }
  }
  function skipZeros(s) {
    while ((s.f & 1n) === 0n && s.f !== 0n) {
      s.f >>= 1n;
      s.s >>= 1n;
    }
  }
  function consistencyProofLength(old, size) {
    const st = { f: old - 1n, s: size - 1n };
    skipOnes(st);
    let len = isPowerOfTwo(old) ? 0 : 1;
    while (st.s !== 0n) {
      if ((st.f & 1n) === 1n || st.f === st.s) skipZeros(st);
      st.f >>= 1n;
      st.s >>= 1n;
      len += 1;
    }
    return len;
  }
  function verifyConsistency(old, size, oldRoot, newRoot, proof) {
    if (old > size) return `old tree size ${old} is larger than new tree size ${size}`;
    if (old === 0n) return "no consistency proof exists from the empty tree";
    if (old === size) {
      if (proof.length !== 0) return `proof has ${proof.length} hashes, expected 0`;
      return bytesEqual(oldRoot, newRoot) ? null : "proof does not lead to the claimed root";
    }
    const expected = consistencyProofLength(old, size);
    const wrongLength = `proof has ${proof.length} hashes, expected ${expected}`;
    if (proof.length !== expected) return wrongLength;
    let first;
    let rest;
    if (isPowerOfTwo(old)) {
      first = oldRoot;
      rest = proof;
    } else {
      first = proof[0];
      rest = proof.slice(1);
    }
    const st = { f: old - 1n, s: size - 1n };
    skipOnes(st);
    let fr = first;
    let sr = first;
    for (const c of rest) {
      if (st.s === 0n) return wrongLength;
      if ((st.f & 1n) === 1n || st.f === st.s) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        skipZeros(st);
      } else {
        sr = nodeHash(sr, c);
      }
      st.f >>= 1n;
      st.s >>= 1n;
    }
    if (st.s !== 0n) return wrongLength;
    if (!bytesEqual(fr, oldRoot)) return "consistency proof does not lead to the claimed old root";
    if (!bytesEqual(sr, newRoot)) return "proof does not lead to the claimed root";
    return null;
  }

  // src/vindex.js
  var KEY_BITS = 256;
  var EMPTY = new Uint8Array(32);
  var isEmpty = (h) => bytesEqual(h, EMPTY);
  function indexKey(vin) {
    return sha2562(utf8(vin));
  }
  function bit(key, i) {
    return (key[i >> 3] >> 7 - (i & 7) & 1) === 1;
  }
  function leafHash2(key, value2) {
    return sha2562(Uint8Array.of(2), key, u64be(value2.index), value2.leafHash, u64be(value2.count));
  }
  function interiorHash(left, right) {
    return sha2562(Uint8Array.of(3), left, right);
  }
  function decodeIndexProof(bytes) {
    let at = 0;
    const take = (n) => {
      if (bytes.length - at < n) fail("index_proof", "index proof is truncated");
      const out = bytes.subarray(at, at + n);
      at += n;
      return out;
    };
    const d = take(2);
    const depth = d[0] << 8 | d[1];
    if (depth > KEY_BITS) fail("index_proof", `index proof depth ${depth} is over 256`);
    const bitmap = take(Math.ceil(depth / 8));
    if (depth % 8 !== 0 && (bitmap[depth >> 3] & 255 >> depth % 8) !== 0) {
      fail("index_proof", "index proof bitmap has bits set past its depth");
    }
    const siblings = [];
    for (let i = 0; i < depth; i++) {
      if (bitmap[i >> 3] & 128 >> i % 8) {
        const h = take(32);
        if (isEmpty(h)) fail("index_proof", "index proof lists an empty sibling that must be elided");
        siblings.push(h);
      } else {
        siblings.push(EMPTY);
      }
    }
    const tag = take(1)[0];
    let terminal;
    if (tag === 0) {
      terminal = null;
    } else if (tag === 1) {
      const key = take(32);
      const v = take(48);
      terminal = { key, value: { index: readU64be(v, 0), leafHash: v.subarray(8, 40), count: readU64be(v, 40) } };
    } else {
      fail("index_proof", `index proof terminal tag ${tag} is neither 0 (empty) nor 1 (leaf)`);
    }
    if (at !== bytes.length) fail("index_proof", "index proof has trailing bytes");
    return { siblings, terminal };
  }
  function verifyIndexProof(proof, key, root) {
    const depth = proof.siblings.length;
    if (depth > KEY_BITS) fail("index_proof", `index proof is ${depth} levels deep; keys have 256 bits`);
    let hash;
    let value2 = null;
    if (proof.terminal === null) {
      hash = EMPTY;
    } else {
      const { key: k, value: v } = proof.terminal;
      const same = bytesEqual(k, key);
      if (!same) {
        for (let i = 0; i < depth; i++) {
          if (bit(k, i) !== bit(key, i)) fail("index_proof", "index proof ends at a leaf that is not on the key's path");
        }
      }
      hash = leafHash2(k, v);
      if (same) value2 = v;
    }
    for (let d = depth - 1; d >= 0; d--) {
      hash = bit(key, d) ? interiorHash(proof.siblings[d], hash) : interiorHash(hash, proof.siblings[d]);
    }
    if (!bytesEqual(hash, root)) fail("index_proof", "index proof does not lead to the index root");
    return value2;
  }

  // src/witness-policy.js
  function witnessPolicy(keys, quorum = keys.length) {
    const distinct = [];
    for (const key of keys) {
      const other = distinct.find((k) => k.name === key.name && bytesEqual(k.keyId, key.keyId));
      if (other) {
        if (!sameKey(other, key)) {
          fail("options", `two witness keys are named ${key.name} with key id ${toHex(key.keyId)}`);
        }
        continue;
      }
      distinct.push(key);
    }
    if (!Number.isSafeInteger(quorum) || quorum < 1 || quorum > distinct.length) {
      fail("options", `a quorum of ${quorum} is impossible with ${distinct.length} distinct witnesses`);
    }
    return { witnesses: distinct, quorum };
  }
  function checkPolicy(policy, note) {
    const text2 = utf8(note.text);
    const witnesses = policy.witnesses.map((key) => {
      let status = "missing";
      let timestamp = null;
      for (const sig of note.signatures) {
        if (sig.name !== key.name || !bytesEqual(sig.keyId, key.keyId)) continue;
        let ts;
        if (key.type === KEY_TYPE_COSIGNATURE_V1) {
          ts = verifyCosignatureV1(key.key, text2, sig.signature);
        } else {
          ts = verifyWithKey(key, text2, sig.signature) ? 0n : null;
        }
        if (status === "bad" || ts === null) {
          status = "bad";
          timestamp = null;
        } else {
          timestamp = status === "cosigned" && timestamp > ts ? timestamp : ts;
          status = "cosigned";
        }
      }
      return { key, status, timestamp };
    });
    const cosigned = witnesses.filter((w) => w.status === "cosigned").length;
    return { quorum: policy.quorum, cosigned, witnesses, met: cosigned >= policy.quorum };
  }

  // src/history.js
  var trim = (s) => s.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");
  function readKey(text2, what) {
    if (typeof text2 !== "string") fail("options", `${what}: expected a verifier key (name+keyid+base64)`);
    return within("options", `${what}: `, () => parseVerifierKey(trim(text2)));
  }
  function trustAnchors(options) {
    const { logKey, witnessKeys = [], quorum } = options ?? {};
    const key = readKey(logKey, "log key");
    if (key.type !== KEY_TYPE_ED25519) fail("options", "log key: not a log key (type 0x01)");
    if (!Array.isArray(witnessKeys)) fail("options", "witnessKeys: expected a list of verifier keys");
    if (witnessKeys.length === 0) {
      if (quorum !== void 0 && quorum !== null) fail("options", "a quorum needs witness keys");
      return { logKey: key, policy: null };
    }
    const keys = witnessKeys.map((w) => readKey(w, "witness key"));
    const policy = witnessPolicy(keys, quorum === void 0 || quorum === null ? keys.length : quorum);
    return { logKey: key, policy };
  }
  function hash32(text2) {
    const b = decodeBase64(text2);
    return b !== null && b.length === 32 ? b : null;
  }
  function openEntry(p, cp, what) {
    const label = `${what} at entry ${p.index}`;
    const bytes = decodeBase64(p.entry);
    if (bytes === null) fail("encoding", `${label}: the entry is not valid base64`);
    const proof = p.proof.map((h) => hash32(h) ?? fail("encoding", `${label}: a proof hash is malformed base64 or not 32 bytes`));
    const reason = verifyInclusion(leafHash(bytes), p.index, cp.size, proof, cp.root);
    if (reason !== null) {
      fail("inclusion", `${label}: inclusion proof does not match the checkpoint (tree size ${cp.size}): ${reason}`);
    }
    const entry = within("entry", `${label}: `, () => {
      const e = decodeEntry(bytes);
      checkLoggedIn(e, cp.origin);
      return e;
    });
    return { entry, leaf: leafHash(bytes) };
  }
  function verifyWitnessed(cp, w, logKey) {
    const { checkpoint: wcp } = within("witnessed", "witnessed ", () => openCheckpoint(w.checkpoint, cp.origin, logKey));
    if (wcp.size < cp.size) {
      fail("witnessed", `witnessed checkpoint: its tree size ${wcp.size} is smaller than the bundle's tree size ${cp.size}`);
    }
    const proof = w.consistency.map((h, position) => hash32(h) ?? fail("witnessed", `witnessed checkpoint: consistency proof hash ${position}: malformed base64 or hash`));
    const reason = verifyConsistency(cp.size, wcp.size, cp.root, wcp.root, proof);
    if (reason !== null) {
      fail("witnessed", `witnessed checkpoint: consistency proof from tree size ${cp.size} to ${wcp.size} does not verify: ${reason}`);
    }
    return wcp;
  }
  var sameLink = (a, b) => a === null || b === null ? a === b : a.index === b.index && bytesEqual(a.leaf, b.leaf);
  function quorumSummary(report) {
    const each = report.witnesses.map((w) => {
      const status = w.status === "cosigned" ? `cosigned at ${formatTime(w.timestamp)}` : w.status === "bad" ? "bad signature" : "missing";
      return `${w.key.name} ${status}`;
    });
    return `${report.cosigned} of ${report.witnesses.length} witnesses cosigned (quorum ${report.quorum}): ${each.join("; ")}`;
  }
  function verify(bundleText, options) {
    const { logKey, policy } = trustAnchors(options);
    const b = parseBundle(bundleText);
    if (b.format !== BUNDLE_FORMAT) fail("format", `not a ${BUNDLE_FORMAT} bundle (format ${JSON.stringify(b.format)})`);
    const vin = within("vin", "vin: ", () => parseVin(b.vin));
    const { checkpoint: cp } = openCheckpoint(b.checkpoint, logKey.name, logKey);
    const size = cp.size;
    const witnessedCp = b.witnessed === null ? null : verifyWitnessed(cp, b.witnessed, logKey);
    if (size === 0n || b.index_entry.index !== size - 1n) {
      fail("index_entry", `index entry: is not the last leaf under the checkpoint (tree size ${size})`);
    }
    const { entry: indexEntry } = openEntry(b.index_entry, cp, "index entry");
    if (indexEntry.type !== "index") fail("index_entry", "index entry: the last leaf is not an index entry");
    if (indexEntry.treeSize !== size - 1n) fail("index_entry", "index entry: covers another tree size");
    const proofBytes = decodeBase64(b.index_proof);
    if (proofBytes === null) fail("encoding", "index_proof: malformed base64");
    const head = within("index_proof", "VIN index proof: ", () => {
      const proof = decodeIndexProof(proofBytes);
      return verifyIndexProof(proof, indexKey(vin), indexEntry.root);
    });
    const expected = head === null ? 0n : head.count;
    if (BigInt(b.records.length) !== expected) {
      fail("chain", `records: the index counts ${expected} records for ${vin}, the bundle holds ${b.records.length}`);
    }
    const records = [];
    let previous = null;
    b.records.forEach((p, position) => {
      const { entry, leaf } = openEntry(p, cp, "record");
      if (entry.type !== "record") fail("chain", `records: entry ${p.index} is not a record`);
      if (entry.record.vin !== vin) fail("chain", `records: entry ${p.index} is about another vehicle`);
      if (entry.chain === null) fail("chain", `records: entry ${p.index} has no VIN chain link`);
      if (entry.chain.sequence !== BigInt(position)) {
        fail("chain", `records: entry ${p.index} is record #${entry.chain.sequence} of the VIN, but stands at position ${position}`);
      }
      const link = entry.chain.previous === null ? null : { index: entry.chain.previous.index, leaf: entry.chain.previous.leafHash };
      if (!sameLink(link, previous)) {
        fail("chain", `records: entry ${p.index} does not link to the record before it in the bundle`);
      }
      previous = { index: p.index, leaf };
      records.push({ index: p.index, entry });
    });
    if (head !== null && !sameLink(previous, { index: head.index, leaf: head.leafHash })) {
      fail("chain", `records: the index names entry ${head.index} as the VIN's latest, the bundle ends elsewhere`);
    }
    const roles = /* @__PURE__ */ new Map();
    for (const p of b.signers) {
      const { entry } = openEntry(p, cp, "signer");
      if (entry.type === "genesis" && p.index === 0n) {
        roles.set(toHex(entry.adminKey.bytes), { role: "admin", at: 0n, name: null });
        if (entry.recoveryKey !== null) {
          roles.set(toHex(entry.recoveryKey.bytes), { role: "recovery", at: 0n, name: null });
        }
        continue;
      }
      if (entry.type !== "record" || entry.record.kind !== "key_enrollment") {
        fail("signer", `signers: entry ${p.index} is not an enrollment`);
      }
      const e = entry.record.enrollment;
      const admin = roles.get(toHex(entry.key.bytes));
      if (!(admin && admin.at < p.index && mayManage(admin.role, e.role))) {
        fail("signer", `signers: entry ${p.index} is not signed by an admin (or, for an admin key, a recovery key) enrolled before it`);
      }
      roles.set(toHex(e.key), { role: e.role, at: p.index, name: e.name });
    }
    const verified = records.map(({ index, entry }) => {
      const keyHex = toHex(entry.key.bytes);
      const signer = roles.get(keyHex);
      if (!(signer && signer.at < index && maySign(signer.role, entry.record.kind))) {
        fail("signer", `signers: entry ${index}: its signer is not shown enrolled, before it, with a role that may sign it`);
      }
      return {
        index: plainNumber(index),
        sequence: plainNumber(entry.chain.sequence),
        kind: entry.record.kind,
        eventTime: formatTime(entry.record.eventTime),
        loggedAt: formatTime(msToSeconds(entry.loggedAtMs)),
        signer: { publicKey: keyHex, keyId: keyHex.slice(0, 8), role: signer.role, name: signer.name },
        flags: entry.flags.map((f2) => f2.text),
        record: entry.record.json
      };
    });
    let witnessed2 = null;
    if (witnessedCp !== null || policy !== null) {
      const onWitnessed = witnessedCp !== null;
      witnessed2 = {
        treeSize: plainNumber(onWitnessed ? witnessedCp.size : size),
        extendsTreeSize: plainNumber(size),
        source: onWitnessed ? "witnessed" : "checkpoint",
        checked: policy !== null,
        quorum: null,
        cosigned: null,
        cosigners: []
      };
      if (policy !== null) {
        const note = parseNote(onWitnessed ? b.witnessed.checkpoint : b.checkpoint);
        const report = checkPolicy(policy, note);
        if (!report.met) {
          fail("quorum", `${onWitnessed ? "witnessed checkpoint" : "checkpoint"}: not enough cosignatures: ${quorumSummary(report)}`);
        }
        witnessed2.quorum = report.quorum;
        witnessed2.cosigned = report.cosigned;
        witnessed2.cosigners = report.witnesses.map((w) => ({
          name: w.key.name,
          keyId: toHex(w.key.keyId),
          status: w.status,
          timestamp: w.timestamp === null ? null : plainNumber(w.timestamp),
          cosignedAt: w.timestamp === null ? null : formatTime(w.timestamp)
        }));
      }
    }
    return {
      vin,
      origin: cp.origin,
      treeSize: plainNumber(size),
      records: verified,
      witnessed: witnessed2
    };
  }
  function verifyHistory(bundleText, options = {}) {
    try {
      return { ok: true, ...verify(bundleText, options) };
    } catch (e) {
      if (e instanceof VerifyError) return { ok: false, error: { code: e.code, message: e.message } };
      return { ok: false, error: { code: "internal", message: `verification stopped: ${e && e.message ? e.message : String(e)}` } };
    }
  }
  return __toCommonJS(index_exports);
})();
