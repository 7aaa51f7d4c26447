// What a script cannot do: reach the host (require, process, fetch, import, std/os, the
// Function-constructor escape), change the bundle, see another script's state, or get a
// different answer from Date or Math.random on another run, machine or time zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertErrorKind, checkNamed, goodCeremony, run, view } from './helpers.ts';

function withSentinel(fn: (sentinel: string, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-audit-'));
  const sentinel = join(dir, 'sentinel');
  return fn(sentinel, dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('no host globals: require, process, fetch, std, os, timers, WebAssembly, Buffer are absent', async () => {
  const names = ['require', 'process', 'fetch', 'std', 'os', 'module', 'exports', 'Buffer', 'setTimeout', 'setInterval', 'queueMicrotask', 'XMLHttpRequest', 'WebSocket', 'WebAssembly', 'scriptArgs', 'print', 'Deno', 'Bun', 'importScripts', 'WeakRef', 'FinalizationRegistry'];
  const r = await run(`
    const names = ${JSON.stringify(names)};
    for (const n of names) check('no ' + n, typeof globalThis[n] === 'undefined', typeof globalThis[n]);
  `);
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) assert.equal(c.ok, true, `${c.name}: ${c.reason}`);
  assertErrorKind(await run(`require('fs')`), 'exception', /ReferenceError/);
  assertErrorKind(await run(`process.exit(0)`), 'exception', /ReferenceError/);
  assertErrorKind(await run(`fetch('http://example.com')`), 'exception', /ReferenceError/);
  assertErrorKind(await run(`std.open('/etc/passwd', 'r')`), 'exception', /ReferenceError/);
});

test('the Function-constructor escape returns the VM’s own globals, where process does not exist', async () => {
  const r = await run(`
    const F = globalThis.constructor.constructor;
    const g = F('return this')();
    check('same global object', g === globalThis);
    check('no process via Function', F('return typeof process')() === 'undefined');
    check('no process via the constructor of a function', (() => {}).constructor('return typeof process')() === 'undefined');
    check('no require via eval', eval('typeof require') === 'undefined');
    check('no process via the generator function constructor', Object.getPrototypeOf(function* () {}).constructor('yield typeof process')().next().value === 'undefined');
  `);
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) assert.equal(c.ok, true, `${c.name}: ${c.reason}`);
  assertErrorKind(await run(`globalThis.constructor.constructor('return process')()`), 'exception', /ReferenceError: 'process' is not defined/);
});

test('no attempt to reach the host touches the file system (a sentinel file is never created)', async () => {
  await withSentinel(async (sentinel, dir) => {
    // A real module on disk that would create the sentinel if it were ever loaded.
    const evil = join(dir, 'evil.mjs');
    writeFileSync(evil, `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(sentinel)}, 'escaped');`);
    const s = JSON.stringify(sentinel);
    const attempts = [
      `require('fs').writeFileSync(${s}, 'x')`,
      `process.mainModule.require('fs').writeFileSync(${s}, 'x')`,
      `globalThis.constructor.constructor('return process')().mainModule.require('fs').writeFileSync(${s}, 'x')`,
      `std.open(${s}, 'w').puts('x')`,
      `os.exec(['touch', ${s}])`,
      `import(${JSON.stringify(pathToFileURL(evil).href)})`,
      `import(${JSON.stringify(evil)})`,
      `import('node:fs').then((fs) => fs.writeFileSync(${s}, 'x'))`,
      `import('fs')`,
      `import('std').then((std) => std.open(${s}, 'w'))`,
      `new Function('return import("node:child_process")')()`,
    ];
    for (const source of attempts) {
      const r = await run(source);
      assert.ok(r.error, `an error for: ${source}`);
      assert.equal(r.error.kind, 'exception', `${source}: ${r.error.message}`);
    }
    // Dynamic import has no loader: it is rejected, and a script can see that.
    const seen = await run(`import('fs').then(() => check('import', false, 'loaded'), (e) => check('import refused', true, String(e)))`);
    assert.match(checkNamed(seen, 'import refused').reason, /could not load module/);
    assert.equal(existsSync(sentinel), false, 'the sentinel file must not exist');
  });
});

test('the bundle is deep-frozen and the globals cannot be replaced', async () => {
  const tampering = [
    `bundle.transcript[0].type = 'forged'`,
    `bundle.transcript.push({})`,
    `bundle.transcript[1].body.role = 'witness'`,
    `bundle.files['transcript.jsonl'].text = 'forged'`,
    `delete bundle.files['transcript.jsonl']`,
    `bundle.checks[0].ok = false`,
    `bundle.policy = {}`,
    `Object.defineProperty(bundle, 'x', { value: 1 })`,
    `Object.setPrototypeOf(bundle.transcript[0], null)`,
    `bundle = {}`,
    `globalThis.bundle = {}`,
    `check = () => {}`,
    `keyrite = {}`,
    `delete globalThis.check`,
  ];
  for (const source of tampering) assertErrorKind(await run(source), 'exception', /TypeError/);
  const r = await run(`
    const all = [];
    (function walk(v) { if (v !== null && typeof v === 'object') { all.push(v); for (const k of Object.keys(v)) walk(v[k]); } })(bundle);
    check('every object and array is frozen', all.every(Object.isFrozen), all.length + ' objects');
    let sneaky = false;
    try { bundle.transcript[0].type = 'x' } catch (e) { sneaky = bundle.transcript[0].type === 'x' }
    check('still the original', !sneaky && bundle.transcript[0].type === 'ceremony.start');
  `);
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) assert.equal(c.ok, true, `${c.name}: ${c.reason}`);
});

const DETERMINISM = `
  check('now', true, String(Date.now()));
  check('new Date', true, new Date().toISOString());
  check('Date()', true, Date());
  check('random', true, [Math.random(), Math.random(), Math.random()].join(' '));
  check('local time', true, [new Date(0).getHours(), new Date(0).getTimezoneOffset(), new Date(2026, 2, 1, 9, 30).toISOString(), new Date('2026-03-01T09:30').toISOString(), new Date('Mar 1 2026 09:30').toISOString(), String(new Date(Date.UTC(2026, 2, 1))), new Date(0).toLocaleString(), Date.parse('2026-03-01T09:30:00')].join(' | '));
`;

test('Date is frozen at the ceremony end and Math.random is seeded: two runs see the same values', async () => {
  const a = await run(DETERMINISM);
  const b = await run(DETERMINISM);
  assert.equal(a.error, undefined, a.error?.message);
  assert.deepEqual(a.checks, b.checks);
  assert.equal(checkNamed(a, 'now').reason, String(Date.parse('2026-03-01T17:00:00.000Z')));
  assert.equal(checkNamed(a, 'new Date').reason, '2026-03-01T17:00:00.000Z');
  assert.equal(checkNamed(a, 'Date()').reason, 'Sun Mar 01 2026 17:00:00 GMT+0000 (Coordinated Universal Time)');
  assert.equal(
    checkNamed(a, 'local time').reason,
    '0 | 0 | 2026-03-01T09:30:00.000Z | 2026-03-01T09:30:00.000Z | 2026-03-01T09:30:00.000Z | Sun Mar 01 2026 00:00:00 GMT+0000 (Coordinated Universal Time) | Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time) | ' +
      String(Date.parse('2026-03-01T09:30:00Z')),
  );
  const randoms = checkNamed(a, 'random').reason.split(' ').map(Number);
  assert.ok(randoms.every((x) => x >= 0 && x < 1) && new Set(randoms).size === 3);
  // The seed is the script's hash: another script gets another sequence.
  const c = await run(`${DETERMINISM}\n// another script`);
  assert.notEqual(checkNamed(c, 'random').reason, checkNamed(a, 'random').reason);
  // No transcript time: the clock is the epoch. An explicit clock wins.
  assert.equal(checkNamed(await run(DETERMINISM, { bundle: view([]) }), 'now').reason, '0');
  assert.equal(checkNamed(await run(DETERMINISM, { fixedTime: 86_400_000 }), 'new Date').reason, '1970-01-02T00:00:00.000Z');
});

test('the host time zone does not leak into Date', async () => {
  const saved = process.env.TZ;
  try {
    const results = [];
    const offsets = new Set<number>();
    for (const tz of ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham']) {
      process.env.TZ = tz;
      offsets.add(new Date(Date.UTC(2026, 2, 1)).getTimezoneOffset());
      results.push(await run(DETERMINISM));
    }
    for (const r of results) assert.deepEqual(r.checks, results[0]!.checks);
    // The host really switched zones, so equal results mean the VM did not follow it.
    assert.ok(offsets.size > 1, 'the host time zone did not change; the test would prove nothing');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('each script gets a fresh runtime: globals and prototype changes do not carry over', async () => {
  const first = await run(`
    globalThis.leak = 'from the first script';
    Array.prototype.evil = () => 'evil';
    Object.prototype.polluted = true;
    Math.random = () => 0.5;
    JSON.parse = () => ({ forged: true });
    check('first ran', true);
  `);
  assert.equal(first.error, undefined, first.error?.message);
  const second = await run(`
    check('no leaked global', typeof leak === 'undefined');
    check('no array prototype change', typeof [].evil === 'undefined');
    check('no object prototype pollution', ({}).polluted === undefined);
    check('own Math.random', Math.random() !== 0.5);
    check('bundle parsed by the real JSON.parse', bundle.transcript.length === ${goodCeremony().length});
  `);
  assert.equal(second.error, undefined, second.error?.message);
  for (const c of second.checks) assert.equal(c.ok, true, c.name);
});

test('a script that breaks its own world only breaks its own results', async () => {
  const r = await run(`
    JSON.stringify = () => { throw new Error('sabotaged') };
    String.prototype.slice = () => 'x';
    encodeURIComponent = () => '%ZZ';
    check('still recorded', true, 'after sabotage');
    console.log('still logged');
  `);
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.checks, [{ name: 'audit:test-script.js: still recorded', ok: true, reason: 'after sabotage' }]);
  assert.deepEqual(r.logs, ['still logged']);
});
