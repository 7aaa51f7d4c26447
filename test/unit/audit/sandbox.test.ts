// The audit-script sandbox in-process: the script contract (check, result, errors), the
// helpers, the limits, and every caller mistake being a KeyriteError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runAuditScript, resolveAuditLimits, serializeAuditBundle, auditClock, DEFAULT_AUDIT_LIMITS } from '../../../core/audit/sandbox.ts';
import { ed25519PublicKey, ed25519Sign } from '../../../core/crypto/ed25519.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { utf8 } from '../../../core/bytes.ts';
import { FAST, assertErrorKind, checkNamed, goodCeremony, rejectsCode, run, throwsCode, view } from './helpers.ts';

test('a good script records named checks, namespaced with its file name, and its log lines', async () => {
  const r = await run(
    `
    const n = bundle.transcript.length;
    check('transcript has entries', n > 0, n + ' entries');
    check('first entry starts the ceremony', bundle.transcript[0].type === 'ceremony.start');
    console.log('entries:', n, { first: bundle.transcript[0].type });
    console.warn('a warning');
    `,
    { fileName: 'my-audit.js' },
  );
  assert.equal(r.error, undefined);
  assert.equal(r.ok, true);
  assert.deepEqual(r.checks, [
    { name: 'audit:my-audit.js: transcript has entries', ok: true, reason: `${goodCeremony().length} entries` },
    { name: 'audit:my-audit.js: first entry starts the ceremony', ok: true, reason: '' },
  ]);
  assert.deepEqual(r.logs, [`entries: ${goodCeremony().length} {"first":"ceremony.start"}`, 'warn: a warning']);
  assert.equal(typeof r.ms, 'number');
});

test('a failed check makes the result not ok without being an error; a missing reason is filled in', async () => {
  const r = await run(`check('passes', true); check('fails', false); check('fails with reason', false, 'because');`);
  assert.equal(r.error, undefined);
  assert.equal(r.ok, false);
  assert.equal(checkNamed(r, 'fails').reason, 'the audit script gave no reason');
  assert.equal(checkNamed(r, 'fails with reason').reason, 'because');
});

test('the bundle view is all there, as JSON, with members in canonical order', async () => {
  const r = await run(`
    check('files', bundle.files['transcript.jsonl'].sha256 === 'ab'.repeat(32) && bundle.files['transcript.jsonl'].size === 1234);
    check('text', bundle.files['transcript.jsonl'].text === '{}\\n');
    check('built-in checks', bundle.checks[0].name === 'transcript: hash chain' && bundle.checks[0].ok === true);
    check('policy and statement', bundle.policy === null && bundle.statement === null);
    check('member order', Object.keys(bundle.transcript[0]).join() === 'actor,body,prev,seq,time,type,v', Object.keys(bundle.transcript[0]).join());
    check('plain data', Object.getPrototypeOf(bundle) === Object.prototype && Array.isArray(bundle.transcript));
  `);
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) assert.equal(c.ok, true, `${c.name}: ${c.reason}`);
});

test('a script that records no check, or returns a value, is held to the contract', async () => {
  assertErrorKind(await run(`const x = 1 + 1; x`), 'invalid-result', /no checks/);
  const r = await run(`check('a', true); 42`);
  assert.equal(r.error, undefined, 'the completion value is ignored');
});

test('check() rejects bad names, results, reasons, duplicates and too many checks, even when the script catches the TypeError', async () => {
  const cases: [string, RegExp][] = [
    [`check('', true)`, /empty name/],
    [`check(' padded', true)`, /space/],
    [`check('x'.repeat(121), true)`, /longer than 120/],
    [`check('line\\nbreak', true)`, /control, invisible or line-break/],
    [`check('esc \\u001b[31mred', true)`, /control/],
    [`check('bidi \\u202e', true)`, /invisible/],
    [`check('zero\\u200bwidth', true)`, /invisible/],
    [`check('nul \\u0000 byte', true)`, /control/],
    [`check('lone \\ud800', true)`, /not Unicode/],
    [`check(42, true)`, /not a string \(number\)/],
    [`check('truthy', 1)`, /not true or false/],
    [`check('missing')`, /not true or false/],
    [`check('reason', true, 7)`, /reason that is not a string/],
    [`check('reason', true, 'r'.repeat(501))`, /longer than 500/],
    [`check('dup', true); check('dup', false)`, /second time/],
    [`try { check('', true) } catch (e) {} check('fine', true)`, /empty name/],
  ];
  for (const [source, message] of cases) assertErrorKind(await run(source), 'invalid-result', message);
  assertErrorKind(await run(`for (let i = 0; i < 4; i++) check('c' + i, true)`, { limits: { ...FAST, maxChecks: 3 } }), 'invalid-result', /more than 3 checks/);
  // Non-ASCII text is fine.
  const ok = await run(`check('Prüfung: Schlüssel erzeugt — ✓ 鍵', true, 'Grund: ok')`);
  assert.equal(ok.error, undefined, ok.error?.message);
});

test('a check name that imitates a built-in or another script is namespaced, not believed', async () => {
  const r = await run(`check('transcript: hash chain', true); check('audit:other.js: everything', true)`, { fileName: 'sly.js' });
  assert.deepEqual(
    r.checks.map((c) => c.name),
    ['audit:sly.js: transcript: hash chain', 'audit:sly.js: audit:other.js: everything'],
  );
});

test('a script that throws is an exception result naming the error and where it happened; checks so far are kept', async () => {
  const r = await run(`check('before', true);\nfunction f() { return null.x }\nf();`, { fileName: 'thrower.js' });
  assertErrorKind(r, 'exception', /TypeError: .*null.* \(at thrower\.js:2:\d+\)/);
  assert.equal(r.checks.length, 1);
  assertErrorKind(await run(`throw new Error('custom failure')`), 'exception', /Error: custom failure/);
  assertErrorKind(await run(`throw null`), 'exception', /threw null/);
  assertErrorKind(await run(`throw 'plain \\u001b[2J text'`), 'exception', /the string “plain \\u\{1b\}\[2J text”/);
  assertErrorKind(await run(`throw 7`), 'exception', /type number/);
  assertErrorKind(await run(`throw { toString() { return 'x' } }`), 'exception', /not an Error/);
  assertErrorKind(await run(`let = ;`), 'exception', /SyntaxError/);
  // A message getter that never returns cannot stall the report.
  assertErrorKind(await run(`throw { get message() { for (;;) {} } }`), 'exception');
});

test('scripts run in strict mode as classic scripts: no import statements', async () => {
  assertErrorKind(await run(`undeclared = 1; check('x', true)`), 'exception', /ReferenceError/);
  assertErrorKind(await run(`import fs from 'fs'; check('x', true)`), 'exception', /SyntaxError/);
  assertErrorKind(await run(`export const x = 1; check('x', true)`), 'exception', /SyntaxError/);
});

test('a returned promise is awaited: fulfilled is fine, rejected is an exception, never settling is invalid', async () => {
  const ok = await run(`(async () => { await null; check('async check', true) })()`);
  assert.equal(ok.error, undefined, ok.error?.message);
  assert.equal(ok.checks.length, 1);
  assertErrorKind(await run(`(async () => { check('a', true); throw new Error('late') })()`), 'exception', /rejected with Error: late/);
  assertErrorKind(await run(`check('a', true); new Promise(() => {})`), 'invalid-result', /never settled/);
});

test('keyrite.sha256Hex hashes the UTF-8 of the text, NUL and non-ASCII included', async () => {
  const texts = ['', 'abc', 'a\u0000b', 'é🔑', 'x'.repeat(100_000)];
  const expected = texts.map((t) => toHex(sha256(utf8(t))));
  const r = await run(`
    const texts = ['', 'abc', 'a\\u0000b', 'é🔑', 'x'.repeat(100000)];
    const want = ${JSON.stringify(expected)};
    texts.forEach((t, i) => check('sha256 ' + i, keyrite.sha256Hex(t) === want[i], keyrite.sha256Hex(t)));
    check('abc vector', keyrite.sha256Hex('abc') === 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  `);
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) assert.equal(c.ok, true, `${c.name}: ${c.reason}`);
  assertErrorKind(await run(`keyrite.sha256Hex('\\ud800')`), 'exception', /lone surrogate/);
  assertErrorKind(await run(`keyrite.sha256Hex(5)`), 'exception', /must be a string/);
});

test('keyrite.canonicalJson is RFC 8785 and refuses what JSON cannot hold', async () => {
  const r = await run(`
    check('sorted, no spaces', keyrite.canonicalJson({ b: [1, 'x', null, true], a: { d: 1, c: 2 } }) === '{"a":{"c":2,"d":1},"b":[1,"x",null,true]}');
    check('numbers', keyrite.canonicalJson([1e21, 1e-7, -0, 0.1]) === '[1e+21,1e-7,0,0.1]', keyrite.canonicalJson([1e21, 1e-7, -0, 0.1]));
    check('strings', keyrite.canonicalJson('\\u0000\\u001f\\u2028é') === '"\\\\u0000\\\\u001f\\u2028é"');
    check('sorted by UTF-16 code units', keyrite.canonicalJson({ '\\u20ac': 1, '\\ud83d\\ude00': 2, a: 3 }) === '{"a":3,"\\u20ac":1,"\\ud83d\\ude00":2}');
    check('a transcript entry round-trips', JSON.parse(keyrite.canonicalJson(bundle.transcript[1])).seq === 1);
  `);
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) assert.equal(c.ok, true, `${c.name}: ${c.reason}`);
  assertErrorKind(await run(`keyrite.canonicalJson({ a: undefined })`), 'exception', /undefined/);
  assertErrorKind(await run(`keyrite.canonicalJson([NaN])`), 'exception', /NaN/);
  assertErrorKind(await run(`keyrite.canonicalJson(1n)`), 'exception', /bigint/);
  assertErrorKind(await run(`keyrite.canonicalJson(() => 1)`), 'exception', /function/);
  assertErrorKind(await run(`keyrite.canonicalJson('\\ud800')`), 'exception', /surrogate/);
  assertErrorKind(await run(`const o = {}; o.o = o; keyrite.canonicalJson(o)`), 'exception');
});

test('keyrite.verifyEd25519 verifies strict RFC 8032 signatures given in hex', async () => {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const pub = toHex(ed25519PublicKey(seed));
  const msg = utf8('keyrite audit');
  const sig = toHex(ed25519Sign(seed, msg));
  const bad = sig.slice(0, -2) + (sig.endsWith('00') ? '01' : '00');
  const r = await run(`
    check('valid', keyrite.verifyEd25519('${pub}', '${toHex(msg)}', '${sig}') === true);
    check('tampered signature', keyrite.verifyEd25519('${pub}', '${toHex(msg)}', '${bad}') === false);
    check('other message', keyrite.verifyEd25519('${pub}', '00', '${sig}') === false);
    check('short signature', keyrite.verifyEd25519('${pub}', '00', 'abcd') === false);
  `);
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) assert.equal(c.ok, true, c.name);
  assertErrorKind(await run(`keyrite.verifyEd25519('zz', '', '')`), 'exception', /hex digits/);
  assertErrorKind(await run(`keyrite.verifyEd25519('00', '', '')`), 'exception', /32 bytes/);
  assertErrorKind(await run(`keyrite.verifyEd25519('${pub}', 'ab\\u0000cd', '${sig}')`), 'exception', /hex digits/);
  assertErrorKind(await run(`keyrite.verifyEd25519('${pub}', 1, '${sig}')`), 'exception', /must be a string/);
});

test('the helper list is small and frozen', async () => {
  const r = await run(`
    check('helpers', Object.keys(keyrite).sort().join() === 'canonicalJson,sha256Hex,verifyEd25519,version', Object.keys(keyrite).join());
    check('frozen', Object.isFrozen(keyrite) && Object.isFrozen(console) && Object.isFrozen(check));
    let replaced = false;
    try { keyrite.sha256Hex = () => 'x'; replaced = true } catch (e) {}
    try { check = () => {}; replaced = true } catch (e) {}
    check('not replaceable', !replaced && keyrite.sha256Hex('') === 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  `);
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) assert.equal(c.ok, true, `${c.name}: ${c.reason}`);
});

test('console output is captured, bounded and made safe to print', async () => {
  const r = await run(`for (let i = 0; i < 105; i++) console.log('line', i); check('x', true)`);
  assert.equal(r.logs.length, 101);
  assert.equal(r.logs[0], 'line 0');
  assert.equal(r.logs[100], '… 5 more log lines not kept');
  const long = await run(`console.log('y'.repeat(10000)); console.error('\\u001b[31mred\\nsecond line\\u202e'); console.debug(undefined, null, 1n, Symbol('s'), () => 1); const c = {}; c.c = c; console.info(c); check('x', true)`);
  assert.equal(long.logs[0], `${'y'.repeat(500)}…`);
  assert.equal(long.logs[1], 'error: \\u{1b}[31mred\\u{a}second line\\u{202e}');
  assert.equal(long.logs[2], 'debug: undefined null 1 Symbol(s) [function]');
  assert.equal(long.logs[3], '[object Object]');
  const none = await run(`console.log('dropped'); check('x', true)`, { limits: { ...FAST, maxLogLines: 0 } });
  assert.deepEqual(none.logs, ['… 1 more log line not kept']);
});

test('limits: an endless loop is stopped at the time limit, even if the script tries to catch it', async () => {
  assertErrorKind(await run(`while (true) {}`), 'timeout', /time limit of 400 ms/);
  assertErrorKind(await run(`check('first', true); try { for (;;) {} } catch (e) { check('caught', true) }`), 'timeout');
  assertErrorKind(await run(`/(a+)+$/.test('a'.repeat(40) + 'b'); check('x', true)`), 'timeout');
  assertErrorKind(await run(`(async () => { for (;;) await null })()`), 'timeout');
});

test('limits: a memory bomb is stopped at the memory limit', async () => {
  assertErrorKind(await run(`let a = []; for (;;) a.push(new Array(1e6).fill(1))`, { limits: { ...FAST, timeMs: 5000 } }), 'memory', /memory limit of 64 MiB/);
  assertErrorKind(await run(`let a = []; for (;;) a.push({ n: a.length })`, { limits: { ...FAST, timeMs: 5000, memoryBytes: 16 * 1024 * 1024 } }), 'memory', /16 MiB/);
  assertErrorKind(await run(`let a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length)`, { limits: { ...FAST, timeMs: 5000, memoryBytes: 8 * 1024 * 1024 } }), 'memory');
  // Many allocations that are each below the limit still add up (QuickJS alone would miss this).
  assertErrorKind(await run(`const keep = []; for (let i = 0; i < 40; i++) keep.push(new ArrayBuffer(4e6)); check('x', true)`, { limits: { ...FAST, timeMs: 5000, memoryBytes: 16 * 1024 * 1024 } }), 'memory');
  // Catching the error and letting go of the memory is allowed.
  const recovered = await run(`let a = []; try { for (;;) a.push(new ArrayBuffer(1e6)) } catch (e) { a = null } check('recovered', true)`, { limits: { ...FAST, timeMs: 5000, memoryBytes: 16 * 1024 * 1024 } });
  assert.equal(recovered.error, undefined, recovered.error?.message);
});

test('limits: deep recursion and deeply nested source are stack errors', async () => {
  assertErrorKind(await run(`function f() { return f() + 1 } f()`), 'stack', /stack limit 512 KiB/);
  assertErrorKind(await run(`const g = () => [1].map(g); g()`), 'stack');
  assertErrorKind(await run(`eval('('.repeat(100000) + '1' + ')'.repeat(100000))`), 'stack');
  assertErrorKind(await run('['.repeat(100000) + ']'.repeat(100000)), 'stack');
  assertErrorKind(await run(`JSON.parse('['.repeat(100000) + ']'.repeat(100000))`), 'stack');
});

test('the bundle data must fit in the memory limit', async () => {
  const big = view(goodCeremony(), { files: { 'big.txt': { sha256: '00'.repeat(32), size: 1, text: 'z'.repeat(12 * 1024 * 1024) } } });
  assertErrorKind(await run(`check('x', true)`, { bundle: big, limits: { memoryBytes: 8 * 1024 * 1024 } }), 'memory', /bundle data .* does not fit/);
});

test('source that cannot be run is a clean invalid-script or exception result', async () => {
  assertErrorKind(await run('check("a", true)\u0000 hidden'), 'invalid-script', /NUL/);
  assertErrorKind(await run('check("a", true) // \ud800'), 'invalid-script', /lone surrogate/);
  assertErrorKind(await run('x'.repeat(101), { limits: { ...FAST, maxSourceChars: 100 } }), 'invalid-script', /101 characters/);
  const garbage = new TextDecoder().decode(Uint8Array.from({ length: 4096 }, (_, i) => ((i * 7919 + 13) % 255) + 1));
  assertErrorKind(await run(garbage), 'exception', /SyntaxError/);
});

test('property: arbitrary source text always resolves to a result, never a host exception', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('check("ok", true)', '(', '}{', '/*', '`${', 'async () =>')), async (source) => {
      const r = await run(source, { limits: { timeMs: 200 } });
      assert.equal(typeof r.ok, 'boolean');
      if (r.error === undefined) assert.ok(r.checks.length > 0);
    }),
    { numRuns: 25 },
  );
});

test('caller mistakes throw INVALID_INPUT instead of producing a result', async () => {
  const base = { source: `check('x', true)`, fileName: 'ok.js', bundle: view() };
  for (const fileName of ['', '../x.js', 'dir/x.js', 'a b.js', 'x.js: forged', '.hidden', 'é.js', 'x'.repeat(101)]) {
    await rejectsCode(runAuditScript({ ...base, fileName }), 'INVALID_INPUT', /file name/);
  }
  await rejectsCode(runAuditScript({ ...base, source: 5 as unknown as string }), 'INVALID_INPUT');
  await rejectsCode(runAuditScript({ ...base, limits: { timeMs: 0 } }), 'INVALID_INPUT', /timeMs/);
  await rejectsCode(runAuditScript({ ...base, limits: { stackBytes: 4 * 1024 * 1024 } }), 'INVALID_INPUT', /stackBytes/);
  await rejectsCode(runAuditScript({ ...base, limits: { bogus: 1 } as never }), 'INVALID_INPUT', /Unknown audit script limit/);
  await rejectsCode(runAuditScript({ ...base, fixedTime: 1.5 }), 'INVALID_INPUT', /clock/);
  await rejectsCode(runAuditScript({ ...base, bundle: { ...view(), policy: undefined } as never }), 'INVALID_INPUT', /not JSON/);
  await rejectsCode(runAuditScript({ ...base, bundle: { ...view(), statement: new Date() } as never }), 'INVALID_INPUT', /not JSON/);
  await rejectsCode(runAuditScript({ ...base, bundle: { ...view(), transcript: [1] } as never }), 'INVALID_INPUT', /transcript entry 0/);
  await rejectsCode(runAuditScript({ ...base, bundle: { ...view(), extra: 1 } as never }), 'INVALID_INPUT', /unknown member/);
  await rejectsCode(runAuditScript({ ...base, bundle: { ...view(), files: { a: { sha256: 'AB', size: 1 } } } as never }), 'INVALID_INPUT', /sha256/);
});

test('limits and views are validated up front', () => {
  assert.deepEqual(resolveAuditLimits(), DEFAULT_AUDIT_LIMITS);
  assert.equal(resolveAuditLimits({ timeMs: 100 }).timeMs, 100);
  throwsCode(() => resolveAuditLimits({ memoryBytes: 4 * 1024 * 1024 }), 'INVALID_INPUT');
  throwsCode(() => resolveAuditLimits({ maxChecks: 1.5 }), 'INVALID_INPUT');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  throwsCode(() => serializeAuditBundle({ ...view(), policy: cyclic } as never), 'INVALID_INPUT');
  throwsCode(() => serializeAuditBundle({ ...view(), policy: 'lone \ud800' }), 'INVALID_INPUT');
  throwsCode(() => serializeAuditBundle({ ...view(), checks: [{ name: 'x', ok: 'yes', reason: '' }] } as never), 'INVALID_INPUT');
  assert.equal(serializeAuditBundle(view([], { policy: { b: 1, a: 2 } })).includes('"policy":{"a":2,"b":1}'), true);
  assert.equal(auditClock(view()), 0);
  assert.equal(auditClock(view(goodCeremony())), Date.parse('2026-03-01T17:00:00.000Z'));
});
