/**
 * Strict JSON parser for every file Keyrite reads: RFC 8259 grammar, plus the I-JSON
 * (RFC 7493) restrictions that matter for signed data, plus size and depth limits.
 *
 * JSON.parse is not enough for tamper-evident files:
 *  - it keeps the last of two members with the same name (RFC 8259 §4 leaves duplicates
 *    undefined; I-JSON §2.3 forbids them), so a reviewer and a verifier can see different
 *    values in the same file;
 *  - it accepts lone surrogates (I-JSON §2.1 forbids them), which TextEncoder later turns
 *    into U+FFFD, so the bytes signed differ from the text shown;
 *  - it rounds numbers silently (I-JSON §2.2): Keyrite carries big integers as strings, so
 *    by default only integers in ±(2^53−1) written without fraction or exponent are
 *    accepted; `allowFloats` admits any finite IEEE 754 double instead.
 * It also rejects a byte-order mark, trailing data, nesting deeper than `maxDepth` and
 * input longer than `maxLength`. Errors name the file (`what`), the line and column, and
 * the problem; they never quote values (a value could be secret), only member names.
 *
 * Objects come back as ordinary objects whose members are own data properties (a member
 * named "__proto__" is a normal property, as with JSON.parse), arrays as ordinary arrays.
 */
import { KeyriteError } from '../errors.ts';
import { fromUtf8 } from '../bytes.ts';

export interface JsonParseOptions {
  /** Longest accepted text, in UTF-16 code units (JavaScript string length). Default 16 MiB. */
  maxLength?: number;
  /** Deepest accepted nesting of arrays and objects (the top-level value is depth 1). Default 64. */
  maxDepth?: number;
  /** Accept any finite number (fractions, exponents, integers beyond ±(2^53−1)). Default false. */
  allowFloats?: boolean;
}

export const JSON_DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;
export const JSON_DEFAULT_MAX_DEPTH = 64;
/** Upper bound for `maxDepth`, so that recursion stays far from the engine's stack limit. */
export const JSON_MAX_DEPTH_LIMIT = 512;

/**
 * Parses `text` as one JSON value. `what` names the input in error messages, e.g.
 * "bundle manifest" gives "The bundle manifest is not valid JSON: … (line 3, column 7)."
 */
export function parseJsonStrict(text: string, what: string, options: JsonParseOptions = {}): unknown {
  if (typeof what !== 'string' || what.length === 0) throw new KeyriteError('INVALID_INPUT', 'parseJsonStrict needs a description of what is parsed.');
  if (typeof text !== 'string') throw new KeyriteError('INVALID_INPUT', `The ${what} must be text to be read as JSON.`);
  const maxLength = options.maxLength ?? JSON_DEFAULT_MAX_LENGTH;
  const maxDepth = options.maxDepth ?? JSON_DEFAULT_MAX_DEPTH;
  if (!Number.isSafeInteger(maxLength) || maxLength < 0) throw new KeyriteError('INVALID_INPUT', 'The JSON size limit must be a whole number of characters.');
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1 || maxDepth > JSON_MAX_DEPTH_LIMIT) {
    throw new KeyriteError('INVALID_INPUT', `The JSON nesting limit must be a whole number from 1 to ${JSON_MAX_DEPTH_LIMIT}.`);
  }
  if (text.length > maxLength) {
    throw new KeyriteError('INVALID_JSON', `The ${what} is too large to read as JSON: ${text.length} characters, the limit is ${maxLength}.`);
  }
  return new Parser(text, what, maxDepth, options.allowFloats === true).parseDocument();
}

/** Decodes `bytes` as strict UTF-8 (no byte-order mark) and parses the text with {@link parseJsonStrict}. */
export function parseJsonUtf8(bytes: Uint8Array, what: string, options: JsonParseOptions = {}): unknown {
  if (!(bytes instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', `The ${what} must be a byte array to be read as JSON.`);
  const maxLength = options.maxLength ?? JSON_DEFAULT_MAX_LENGTH;
  // A UTF-8 text never has more UTF-16 code units than bytes, so the byte count bounds the work.
  if (Number.isSafeInteger(maxLength) && bytes.length > maxLength * 3) {
    throw new KeyriteError('INVALID_JSON', `The ${what} is too large to read as JSON: ${bytes.length} bytes.`);
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new KeyriteError('INVALID_JSON', `The ${what} starts with a byte-order mark, which JSON files must not have (RFC 8259 §8.1).`);
  }
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch (e) {
    throw new KeyriteError('INVALID_JSON', `The ${what} is not valid UTF-8 text.`, { cause: e });
  }
  return parseJsonStrict(text, what, options);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function describeKey(key: string): string {
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return JSON.stringify(shown);
}

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly what: string,
    private readonly maxDepth: number,
    private readonly allowFloats: boolean,
  ) {}

  parseDocument(): unknown {
    if (this.text.length === 0) this.fail('it is empty', 0);
    if (this.text.charCodeAt(0) === 0xfeff) this.fail('it starts with a byte-order mark, which JSON text must not have (RFC 8259 §8.1)', 0);
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail('it contains only whitespace', this.pos);
    const value = this.parseValue(1);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('there is more data after the JSON value', this.pos);
    return value;
  }

  private fail(reason: string, at: number): never {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(at, this.text.length);
    for (let i = 0; i < end; i++) {
      if (this.text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = end - lineStart + 1;
    throw new KeyriteError('INVALID_JSON', `The ${this.what} is not valid JSON: ${reason} (line ${line}, column ${column}).`);
  }

  private skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      // RFC 8259 §2: ws = space, horizontal tab, line feed, carriage return. Nothing else.
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  private parseValue(depth: number): unknown {
    const t = this.text;
    if (this.pos >= t.length) this.fail('the text ends where a value was expected', this.pos);
    const c = t.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.parseObject(depth);
      case 0x5b: // [
        return this.parseArray(depth);
      case 0x22: // "
        return this.parseString();
      case 0x74: // t
        return this.parseLiteral('true', true);
      case 0x66: // f
        return this.parseLiteral('false', false);
      case 0x6e: // n
        return this.parseLiteral('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.fail(`unexpected character ${describeChar(t, this.pos)} where a value was expected`, this.pos);
    }
  }

  private parseLiteral<T>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail(`unexpected character ${describeChar(this.text, this.pos)} where a value was expected`, this.pos);
  }

  private enter(depth: number, start: number): void {
    if (depth > this.maxDepth) this.fail(`arrays and objects nest deeper than ${this.maxDepth} levels`, start);
  }

  private parseObject(depth: number): Record<string, unknown> {
    const t = this.text;
    const start = this.pos;
    this.enter(depth, start);
    this.pos++; // {
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.skipWhitespace();
    if (t.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= t.length) this.fail('the text ends inside an object', this.pos);
      if (t.charCodeAt(this.pos) !== 0x22) this.fail(`expected a member name in double quotes, found ${describeChar(t, this.pos)}`, this.pos);
      const keyAt = this.pos;
      const key = this.parseString();
      if (seen.has(key)) this.fail(`the member name ${describeKey(key)} appears twice in the same object`, keyAt);
      seen.add(key);
      this.skipWhitespace();
      if (t.charCodeAt(this.pos) !== 0x3a) this.fail(`expected ":" after the member name ${describeKey(key)}`, this.pos);
      this.pos++;
      this.skipWhitespace();
      const value = this.parseValue(depth + 1);
      // defineProperty, not assignment: "__proto__" must become an own property.
      Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      this.skipWhitespace();
      const c = t.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return out;
      }
      if (this.pos >= t.length) this.fail('the text ends inside an object', this.pos);
      this.fail(`expected "," or "}" in an object, found ${describeChar(t, this.pos)}`, this.pos);
    }
  }

  private parseArray(depth: number): unknown[] {
    const t = this.text;
    this.enter(depth, this.pos);
    this.pos++; // [
    const out: unknown[] = [];
    this.skipWhitespace();
    if (t.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      out.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const c = t.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return out;
      }
      if (this.pos >= t.length) this.fail('the text ends inside an array', this.pos);
      this.fail(`expected "," or "]" in an array, found ${describeChar(t, this.pos)}`, this.pos);
    }
  }

  /** RFC 8259 §7, with surrogates checked: raw ones must pair raw, escaped ones must pair escaped. */
  private parseString(): string {
    const t = this.text;
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('the text ends inside a string', start);
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('a string contains a raw control character; write it as an escape such as \\n or \\u0000', this.pos);
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = this.pos + 1 < t.length ? t.charCodeAt(this.pos + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          this.pos += 2;
          continue;
        }
        this.fail('a string contains a lone surrogate, which is not valid Unicode text', this.pos);
      }
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      // Escape sequence.
      out += t.slice(runStart, this.pos);
      const escAt = this.pos;
      const e = t.charCodeAt(this.pos + 1);
      switch (e) {
        case 0x22: out += '"'; this.pos += 2; break;
        case 0x5c: out += '\\'; this.pos += 2; break;
        case 0x2f: out += '/'; this.pos += 2; break;
        case 0x62: out += '\b'; this.pos += 2; break;
        case 0x66: out += '\f'; this.pos += 2; break;
        case 0x6e: out += '\n'; this.pos += 2; break;
        case 0x72: out += '\r'; this.pos += 2; break;
        case 0x74: out += '\t'; this.pos += 2; break;
        case 0x75: {
          const unit = this.readHex4(escAt);
          this.pos += 6;
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (t.charCodeAt(this.pos) !== 0x5c || t.charCodeAt(this.pos + 1) !== 0x75) {
              this.fail('a string contains a lone surrogate escape (a high surrogate not followed by a \\u low surrogate)', escAt);
            }
            const low = this.readHex4(this.pos);
            if (low < 0xdc00 || low > 0xdfff) this.fail('a string contains a lone surrogate escape (a high surrogate not followed by a low surrogate)', escAt);
            this.pos += 6;
            out += String.fromCharCode(unit, low);
          } else if (unit >= 0xdc00 && unit <= 0xdfff) {
            this.fail('a string contains a lone surrogate escape (a low surrogate without a high surrogate before it)', escAt);
          } else {
            out += String.fromCharCode(unit);
          }
          break;
        }
        default:
          if (this.pos + 1 >= t.length) this.fail('the text ends inside a string', start);
          this.fail('a string contains an invalid escape sequence (only \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX exist)', escAt);
      }
      runStart = this.pos;
    }
  }

  private readHex4(escAt: number): number {
    const t = this.text;
    let v = 0;
    for (let i = 2; i < 6; i++) {
      const c = t.charCodeAt(escAt + i);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else return this.fail('a string contains a \\u escape without four hex digits', escAt);
      v = v * 16 + d;
    }
    return v;
  }

  /** RFC 8259 §6: number = [ minus ] int [ frac ] [ exp ]. */
  private parseNumber(): number {
    const t = this.text;
    const start = this.pos;
    const isDigit = (i: number): boolean => {
      const c = t.charCodeAt(i);
      return c >= 0x30 && c <= 0x39;
    };
    if (t.charCodeAt(this.pos) === 0x2d) this.pos++;
    if (!isDigit(this.pos)) this.fail('a minus sign is not followed by a digit', this.pos);
    if (t.charCodeAt(this.pos) === 0x30) {
      this.pos++;
      if (isDigit(this.pos)) this.fail('a number has a leading zero', start);
    } else {
      while (isDigit(this.pos)) this.pos++;
    }
    let integerSyntax = true;
    if (t.charCodeAt(this.pos) === 0x2e) {
      integerSyntax = false;
      this.pos++;
      if (!isDigit(this.pos)) this.fail('a decimal point is not followed by a digit', this.pos);
      while (isDigit(this.pos)) this.pos++;
    }
    const e = t.charCodeAt(this.pos);
    if (e === 0x65 || e === 0x45) {
      integerSyntax = false;
      this.pos++;
      const s = t.charCodeAt(this.pos);
      if (s === 0x2b || s === 0x2d) this.pos++;
      if (!isDigit(this.pos)) this.fail('an exponent has no digits', this.pos);
      while (isDigit(this.pos)) this.pos++;
    }
    const token = t.slice(start, this.pos);
    const value = Number(token);
    if (this.allowFloats) {
      if (!Number.isFinite(value)) this.fail('a number is too large to represent', start);
      return value;
    }
    if (!integerSyntax) {
      this.fail('a number has a fraction or an exponent; Keyrite files hold whole numbers only (big or exact values are written as strings)', start);
    }
    if (!(Math.abs(value) <= MAX_SAFE)) {
      this.fail(`a whole number is beyond ±${MAX_SAFE} and would lose precision; Keyrite writes big integers as strings`, start);
    }
    if (Object.is(value, -0)) this.fail('a number is negative zero ("-0"), which Keyrite never writes', start);
    return value;
  }
}

function describeCharRaw(t: string, i: number): string {
  const c = t.codePointAt(i);
  if (c === undefined) return 'end of text';
  if (c < 0x20 || c === 0x7f || (c >= 0xd800 && c <= 0xdfff)) return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return String.fromCodePoint(c);
}

function describeChar(t: string, i: number): string {
  if (i >= t.length) return 'the end of the text';
  const raw = describeCharRaw(t, i);
  return raw.startsWith('U+') ? raw : `"${raw}"`;
}
