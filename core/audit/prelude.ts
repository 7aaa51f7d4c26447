/**
 * JavaScript evaluated inside the QuickJS VM before each audit script (docs/AUDIT-SCRIPTS.md).
 * It is one function expression; the sandbox calls it with the host functions and settings,
 * so the host functions live only in its closure and never appear as globals.
 *
 * It installs the script's whole world:
 *  - `bundle`: the view parsed from JSON inside the VM and deep-frozen;
 *  - `check(name, ok, reason?)`, `keyrite.{sha256Hex, canonicalJson, verifyEd25519}`, `console.*`;
 *  - a `Date` frozen at one instant and read in UTC only, and a seeded `Math.random`;
 *  - no `WeakRef` / `FinalizationRegistry` (they expose garbage-collection timing).
 *
 * Trust: everything here runs in the VM, and the script may later change any object it can
 * reach (prototypes included) — that only changes the script's own results. The host trusts
 * nothing from the VM: it takes only strings it decodes and checks itself, and booleans.
 * Strings go to the host percent-encoded (encodeURIComponent), because the binding's
 * string transfer is NUL-terminated and would silently cut "a\u0000b" to "a"; the encoding
 * is ASCII, exact, and throws on lone surrogates, which is how they are detected.
 */
export const AUDIT_PRELUDE_FILE_NAME = 'keyrite-audit-prelude.js';

export const AUDIT_PRELUDE_SOURCE = String.raw`(function (hostCheck, hostLog, hostSha256, hostCanonicalJson, hostVerifyEd25519, bundleJson, fixedTime, seed0, seed1, seed2, seed3, maxLogChars) {
  'use strict';
  const G = globalThis;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const isFrozen = Object.isFrozen;
  const keys = Object.keys;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const stringify = JSON.stringify;
  const encode = encodeURIComponent;
  const toWellFormed = String.prototype.toWellFormed;
  const strSlice = String.prototype.slice;
  const imul = Math.imul;
  const isFiniteNumber = Number.isFinite;
  const TypeErr = TypeError;

  function constant(target, name, value) {
    defineProperty(target, name, { value: value, writable: false, enumerable: false, configurable: false });
  }
  /** Percent-encoded text, or null for text with a lone surrogate (not Unicode). */
  function tryEncode(s) {
    try { return encode(s); } catch (e) { return null; }
  }

  // --- bundle: parsed here, so no host object ever crosses; then frozen all the way down.
  const bundle = JSON.parse(bundleJson);
  const pending = [bundle];
  while (pending.length > 0) {
    const v = pending.pop();
    if (v !== null && typeof v === 'object' && !isFrozen(v)) {
      freeze(v);
      const names = keys(v);
      for (let i = 0; i < names.length; i++) pending.push(v[names[i]]);
    }
  }
  constant(G, 'bundle', bundle);

  // --- check(name, ok, reason?): the host validates, namespaces and records.
  function check(name, ok, reason) {
    return hostCheck(
      typeof name, typeof name === 'string' ? tryEncode(name) : null,
      ok,
      typeof reason, typeof reason === 'string' ? tryEncode(reason) : null,
    );
  }
  constant(G, 'check', freeze(check));

  // --- console: lines are captured (bounded by the host), never printed.
  function show(v) {
    if (typeof v === 'string') return v;
    if (v === undefined) return 'undefined';
    if (typeof v === 'function') return '[function]';
    if (typeof v !== 'symbol' && typeof v !== 'bigint') {
      try { const j = stringify(v); if (typeof j === 'string') return j; } catch (e) { /* cycles, throwing toJSON */ }
    }
    try { return String(v); } catch (e) { return '[value]'; }
  }
  function logger(level) {
    return freeze(function () {
      let line = '';
      for (let i = 0; i < arguments.length; i++) line += (i > 0 ? ' ' : '') + show(arguments[i]);
      if (line.length > maxLogChars) line = apply(strSlice, line, [0, maxLogChars]) + '\u2026';
      hostLog(level, encode(apply(toWellFormed, line, [])));
    });
  }
  constant(G, 'console', freeze({ log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'), debug: logger('debug') }));

  // --- keyrite.*: pure helpers, strings and booleans in and out.
  function textArg(fn, what, v) {
    if (typeof v !== 'string') throw new TypeErr('keyrite.' + fn + ': ' + what + ' must be a string.');
    const e = tryEncode(v);
    if (e === null) throw new TypeErr('keyrite.' + fn + ': ' + what + ' contains a lone surrogate, which is not Unicode text.');
    return e;
  }
  function noNonJson(key, v) {
    const t = typeof v;
    const at = key === '' ? 'the value' : 'the member or item ' + stringify(key);
    if (v === undefined || t === 'function' || t === 'symbol') throw new TypeErr('keyrite.canonicalJson: ' + at + ' is ' + (v === undefined ? 'undefined' : 'a ' + t) + ', which JSON cannot hold.');
    if (t === 'bigint') throw new TypeErr('keyrite.canonicalJson: ' + at + ' is a bigint; write big integers as decimal strings.');
    if (t === 'number' && !isFiniteNumber(v)) throw new TypeErr('keyrite.canonicalJson: ' + at + ' is ' + String(v) + ', which JSON cannot hold.');
    return v;
  }
  const keyrite = freeze({
    version: 1,
    sha256Hex: freeze(function sha256Hex(text) {
      return hostSha256(textArg('sha256Hex', 'the text', text));
    }),
    canonicalJson: freeze(function canonicalJson(value) {
      const text = stringify(value, noNonJson);
      if (typeof text !== 'string') throw new TypeErr('keyrite.canonicalJson: the value cannot be written as JSON.');
      return hostCanonicalJson(textArg('canonicalJson', 'the JSON text', text));
    }),
    verifyEd25519: freeze(function verifyEd25519(publicKeyHex, messageHex, signatureHex) {
      return hostVerifyEd25519(
        textArg('verifyEd25519', 'the public key', publicKeyHex),
        textArg('verifyEd25519', 'the message', messageHex),
        textArg('verifyEd25519', 'the signature', signatureHex),
      );
    }),
  });
  constant(G, 'keyrite', keyrite);

  // --- Date: frozen at fixedTime, and UTC everywhere. The engine's local time follows the
  // host's time zone, so every local-time method is replaced by its UTC twin, and text
  // without a zone is read as UTC.
  const RealDate = Date;
  const DP = RealDate.prototype;
  const realParse = RealDate.parse;
  const realUTC = RealDate.UTC;
  const realGetTime = DP.getTime;
  const realOffset = DP.getTimezoneOffset;
  const utc = {
    year: DP.getUTCFullYear, month: DP.getUTCMonth, date: DP.getUTCDate, day: DP.getUTCDay,
    hours: DP.getUTCHours, minutes: DP.getUTCMinutes, seconds: DP.getUTCSeconds,
  };
  const ISO_NO_ZONE = /^(?:[+-]\d{6}|\d{4})-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
  const ISO_DATE_ONLY = /^(?:[+-]\d{6}|\d{4})(?:-\d{2}(?:-\d{2})?)?$/;
  const HAS_ZONE = /(?:Z|\b(?:GMT|UTC|UT)\b|[+-]\d{2}:?\d{2})\s*(?:\([^()]*\))?\s*$/i;
  function parseUtc(text) {
    const s = String(text);
    if (ISO_NO_ZONE.test(s)) return realParse(s + 'Z');
    const t = realParse(s);
    if (t !== t || ISO_DATE_ONLY.test(s) || HAS_ZONE.test(s)) return t;
    // Any other zone-less text was read in the host's local time: read it as UTC instead.
    return t - apply(realOffset, new RealDate(t), []) * 60000;
  }
  function timeOf(d) { return apply(realGetTime, d, []); }
  function isDate(v) {
    try { apply(realGetTime, v, []); return true; } catch (e) { return false; }
  }
  const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function pad(n, width) {
    let s = String(n);
    while (s.length < width) s = '0' + s;
    return s;
  }
  function dateText(d) {
    const y = apply(utc.year, d, []);
    return DAYS[apply(utc.day, d, [])] + ' ' + MONTHS[apply(utc.month, d, [])] + ' ' + pad(apply(utc.date, d, []), 2) + ' ' + (y < 0 ? '-' + pad(-y, 6) : pad(y, 4));
  }
  function timeText(d) {
    return pad(apply(utc.hours, d, []), 2) + ':' + pad(apply(utc.minutes, d, []), 2) + ':' + pad(apply(utc.seconds, d, []), 2) + ' GMT+0000 (Coordinated Universal Time)';
  }
  function valid(d) { const t = timeOf(d); return t === t; }
  function toString() { return valid(this) ? dateText(this) + ' ' + timeText(this) : 'Invalid Date'; }
  function toDateString() { return valid(this) ? dateText(this) : 'Invalid Date'; }
  function toTimeString() { return valid(this) ? timeText(this) : 'Invalid Date'; }

  function DateShim(a0, a1, a2, a3, a4, a5, a6) {
    if (new.target === undefined) return apply(toString, new RealDate(fixedTime), []);
    let ms;
    const n = arguments.length;
    if (n === 0) ms = fixedTime;
    else if (n === 1) {
      if (typeof a0 === 'string') ms = parseUtc(a0);
      else if (a0 !== null && typeof a0 === 'object' && isDate(a0)) ms = timeOf(a0);
      else ms = timeOf(construct(RealDate, [a0], RealDate));
    } else {
      const parts = [];
      for (let i = 0; i < n; i++) parts.push(arguments[i]);
      ms = apply(realUTC, undefined, parts);
    }
    return construct(RealDate, [ms], new.target);
  }
  defineProperty(DateShim, 'name', { value: 'Date' });
  defineProperty(DateShim, 'prototype', { value: DP, writable: false });
  defineProperty(DP, 'constructor', { value: DateShim, writable: true, enumerable: false, configurable: true });
  function method(target, name, fn) {
    defineProperty(target, name, { value: fn, writable: true, enumerable: false, configurable: true });
  }
  method(DateShim, 'now', function now() { return fixedTime; });
  method(DateShim, 'parse', function parse(text) { return parseUtc(text); });
  method(DateShim, 'UTC', realUTC);
  const twins = ['FullYear', 'Month', 'Date', 'Hours', 'Minutes', 'Seconds', 'Milliseconds'];
  for (let i = 0; i < twins.length; i++) {
    method(DP, 'get' + twins[i], DP['getUTC' + twins[i]]);
    method(DP, 'set' + twins[i], DP['setUTC' + twins[i]]);
  }
  method(DP, 'getDay', DP.getUTCDay);
  method(DP, 'getTimezoneOffset', function getTimezoneOffset() { return valid(this) ? 0 : NaN; });
  if (typeof DP.getYear === 'function') method(DP, 'getYear', function getYear() { return apply(utc.year, this, []) - 1900; });
  if (typeof DP.setYear === 'function') {
    method(DP, 'setYear', function setYear(year) {
      const y = Number(year);
      return apply(DP.setUTCFullYear, this, [y === y && y >= 0 && y <= 99 && y === Math.trunc(y) ? 1900 + y : y]);
    });
  }
  method(DP, 'toString', toString);
  method(DP, 'toDateString', toDateString);
  method(DP, 'toTimeString', toTimeString);
  method(DP, 'toLocaleString', toString);
  method(DP, 'toLocaleDateString', toDateString);
  method(DP, 'toLocaleTimeString', toTimeString);
  method(G, 'Date', DateShim);

  // --- Math.random: xoshiro128** seeded from the script's SHA-256. Reproducible, NOT secret.
  let s0 = seed0 >>> 0, s1 = seed1 >>> 0, s2 = seed2 >>> 0, s3 = seed3 >>> 0;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  function rotl(x, k) { return (x << k) | (x >>> (32 - k)); }
  function next() {
    const result = imul(rotl(imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
    return result;
  }
  method(Math, 'random', function random() {
    // 53 random bits, as a double in [0, 1).
    return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
  });

  // --- no garbage-collection observers.
  delete G.WeakRef;
  delete G.FinalizationRegistry;
})`;
