/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), step by step:
 *  §3.2.1  no whitespace between tokens;
 *  §3.2.2.1 literals null, true, false;
 *  §3.2.2.2 strings: U+0000..U+001F as \b \t \n \f \r or lowercase \u00hh, `"` and `\`
 *           escaped, everything else as is; lone surrogates are an error;
 *  §3.2.2.3 numbers as ECMAScript Number::toString (ECMA-262 §7.1.12.1, which is what
 *           String(number) computes), -0 as 0; NaN and Infinity are an error;
 *  §3.2.3  object members sorted by their names as arrays of UTF-16 code units, recursively;
 *           array order kept;
 *  §3.2.4  the result encoded as UTF-8 (canonicalBytes).
 *
 * Input is a JSON data model value built from null, booleans, numbers, strings, arrays and
 * plain objects. Everything else is rejected with the path where it was found: undefined
 * (anywhere, including object members and array items), functions, symbols, bigint,
 * non-finite numbers, lone surrogates in strings or member names, sparse arrays, objects
 * that are not plain (Date, Map, Uint8Array, class instances), accessor or non-enumerable
 * properties, symbol keys and cycles.
 *
 * Keyrite's formats carry big integers as strings, so by default a number whose value is a
 * whole number beyond ±(2^53−1) is rejected (it has probably been rounded already);
 * `allowUnsafeIntegers` lifts that for full RFC 8785 number coverage. Other finite
 * numbers, fractions included, are accepted and serialised per §3.2.2.3 although Keyrite's
 * formats do not use them.
 */
import { KeyriteError } from '../errors.ts';
import { utf8 } from '../bytes.ts';

export interface CanonicalizeOptions {
  /** Accept whole numbers beyond ±(2^53−1) (any finite double, as RFC 8785 itself does). Default false. */
  allowUnsafeIntegers?: boolean;
  /** Deepest accepted nesting of arrays and objects (the top-level value is depth 1). Default 64. */
  maxDepth?: number;
}

export const JCS_DEFAULT_MAX_DEPTH = 64;

/** The canonical JSON text of `value` (RFC 8785), as a JavaScript string. */
export function canonicalize(value: unknown, options: CanonicalizeOptions = {}): string {
  const maxDepth = options.maxDepth ?? JCS_DEFAULT_MAX_DEPTH;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1 || maxDepth > 512) {
    throw new KeyriteError('INVALID_INPUT', 'The canonical JSON nesting limit must be a whole number from 1 to 512.');
  }
  const out: string[] = [];
  serialize(value, out, { allowUnsafeIntegers: options.allowUnsafeIntegers === true, maxDepth, ancestors: new Set() }, '$', 1);
  return out.join('');
}

/** The canonical JSON of `value` encoded as UTF-8 (RFC 8785 §3.2.4): the bytes to hash or sign. */
export function canonicalBytes(value: unknown, options: CanonicalizeOptions = {}): Uint8Array {
  return utf8(canonicalize(value, options));
}

interface State {
  allowUnsafeIntegers: boolean;
  maxDepth: number;
  ancestors: Set<object>;
}

function reject(path: string, problem: string): never {
  throw new KeyriteError('INVALID_INPUT', `Cannot write canonical JSON: ${problem} at ${path}.`);
}

function memberPath(path: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]{0,39}$/.test(key)) return `${path}.${key}`;
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  // JSON.stringify escapes lone surrogates (ES2019), so the path itself is printable.
  return `${path}[${JSON.stringify(shown)}]`;
}

function serialize(value: unknown, out: string[], st: State, path: string, depth: number): void {
  switch (typeof value) {
    case 'string':
      out.push(serializeString(value, path));
      return;
    case 'number':
      out.push(serializeNumber(value, st, path));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'undefined':
      return reject(path, 'a value is undefined (JSON has no undefined)');
    case 'bigint':
      return reject(path, 'a value is a bigint (write big integers as decimal strings)');
    case 'function':
      return reject(path, 'a value is a function');
    case 'symbol':
      return reject(path, 'a value is a symbol');
    case 'object':
      break;
    default:
      return reject(path, `a value has the unsupported type ${typeof value}`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (depth > st.maxDepth) reject(path, `arrays and objects nest deeper than ${st.maxDepth} levels`);
  if (st.ancestors.has(value)) reject(path, 'a value contains itself (a cycle)');
  if (Object.getOwnPropertySymbols(value).length > 0) reject(path, 'an object has symbol-keyed properties');
  st.ancestors.add(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) reject(path, 'an array is not a plain Array');
    const names = Object.getOwnPropertyNames(value);
    // An array's own names are its indices plus "length"; anything else is a hole or an extra property.
    if (names.length !== value.length + 1) reject(path, 'an array has holes or extra properties');
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      const itemPath = `${path}[${i}]`;
      const desc = Object.getOwnPropertyDescriptor(value, i);
      if (desc === undefined) reject(itemPath, 'an array has a hole');
      if (!('value' in desc)) reject(itemPath, 'an array item is an accessor property');
      if (i > 0) out.push(',');
      serialize(desc.value, out, st, itemPath, depth + 1);
    }
    out.push(']');
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      reject(path, `a value is not a plain object${typeof name === 'string' && name !== '' ? ` (it is a ${name})` : ''}`);
    }
    // §3.2.3: sort by UTF-16 code units. JavaScript's < on strings compares code units.
    const names = Object.getOwnPropertyNames(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out.push('{');
    let first = true;
    for (const name of names) {
      const desc = Object.getOwnPropertyDescriptor(value, name)!;
      const valuePath = memberPath(path, name);
      if (!('value' in desc)) reject(valuePath, 'a member is an accessor property (getter/setter)');
      if (!desc.enumerable) reject(valuePath, 'a member is not enumerable');
      if (!first) out.push(',');
      first = false;
      out.push(serializeString(name, valuePath, 'member name'));
      out.push(':');
      serialize(desc.value, out, st, valuePath, depth + 1);
    }
    out.push('}');
  }
  st.ancestors.delete(value);
}

/** §3.2.2.2 Serialization of Strings. */
function serializeString(s: string, path: string, kind = 'string'): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string | undefined;
    if (c < 0x20) {
      switch (c) {
        case 0x08: escaped = '\\b'; break;
        case 0x09: escaped = '\\t'; break;
        case 0x0a: escaped = '\\n'; break;
        case 0x0c: escaped = '\\f'; break;
        case 0x0d: escaped = '\\r'; break;
        default: escaped = `\\u00${c.toString(16).padStart(2, '0')}`;
      }
    } else if (c === 0x22) {
      escaped = '\\"';
    } else if (c === 0x5c) {
      escaped = '\\\\';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      reject(path, `a ${kind} contains a lone surrogate (U+${c.toString(16).toUpperCase()}), which is not valid Unicode`);
    }
    if (escaped !== undefined) {
      out += s.slice(runStart, i) + escaped;
      runStart = i + 1;
    }
  }
  return out + s.slice(runStart) + '"';
}

/** §3.2.2.3 Serialization of Numbers. */
function serializeNumber(n: number, st: State, path: string): string {
  if (!Number.isFinite(n)) reject(path, `a number is ${String(n)}, which JSON cannot hold`);
  if (!st.allowUnsafeIntegers && Number.isInteger(n) && !Number.isSafeInteger(n)) {
    reject(path, `a whole number is beyond ±${Number.MAX_SAFE_INTEGER} and may have lost precision (write big integers as strings)`);
  }
  // ECMA-262 Number::toString(10), including "Note 2" rounding; -0 becomes "0".
  return String(n);
}
