// Hostile text (terminal escapes, C1 controls, bidi overrides, zero-width characters, line
// separators, lone surrogates) written where an attacker can write in a golden root or recovery
// bundle: an extra file's
// name, any string of any transcript entry (hash chain and bundle.json recomputed, so deeper
// checks read it), a step title in script.yaml, bundle.json's ceremony id. Whatever the
// verifier makes of it, nothing unescaped may reach an output: not a report field, not
// `keyrite verify` in text or JSON (stdout and stderr), not the app's audit view over IPC.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { canonicalize } from '../../core/encoding/jcs.ts';
import { toHex } from '../../core/encoding/hex.ts';
import { leafHash } from '../../core/transcript/merkle.ts';
import { verifyBundle } from '../../core/verifier/verify.ts';
import { CACHED_VERIFIER_CRYPTO } from '../helpers/cached-verifier-crypto.ts';
import { createHandlers } from '../../electron/ipc/handlers.ts';
import { AuditSession } from '../../electron/ipc/audit-session.ts';
import { goldenBundle, readBundleDir, rehash, setText, setTranscriptLines, text, transcriptLines, type MutableBundle } from '../helpers/bundle-files.ts';
import { assertDisplaySafe, hostileText } from '../helpers/hostile-text.ts';
import { runInProcess } from '../helpers/cli.ts';
import { GOLDEN_RECOVERY_FIXTURE } from '../helpers/golden.ts';

type Site = { bundle: 'root' | 'recovery' } & (
  | { kind: 'extra-file'; folder: boolean }
  | { kind: 'transcript'; line: number; pick: number }
  | { kind: 'script-title'; step: number }
  | { kind: 'ceremony-id' }
);

const GOLDEN = { root: goldenBundle(), recovery: readBundleDir(GOLDEN_RECOVERY_FIXTURE) };
const copy = (b: MutableBundle): MutableBundle => new Map([...b].map(([p, bytes]) => [p, Uint8Array.from(bytes)]));

const siteArb: fc.Arbitrary<Site> = fc.constantFrom('root' as const, 'recovery' as const).chain((bundle) =>
  fc.oneof(
    fc.record({ bundle: fc.constant(bundle), kind: fc.constant('extra-file' as const), folder: fc.boolean() }),
    fc.record({ bundle: fc.constant(bundle), kind: fc.constant('transcript' as const), line: fc.nat({ max: transcriptLines(GOLDEN[bundle]).length - 1 }), pick: fc.nat() }),
    fc.record({ bundle: fc.constant(bundle), kind: fc.constant('script-title' as const), step: fc.nat() }),
    fc.record({ bundle: fc.constant(bundle), kind: fc.constant('ceremony-id' as const) }),
  ),
);

/** Every string leaf of a JSON value, as setters. */
function stringSlots(value: unknown, out: ((s: string) => void)[] = []): ((s: string) => void)[] {
  if (Array.isArray(value)) value.forEach((v, i) => (typeof v === 'string' ? out.push((s) => (value[i] = s)) : stringSlots(v, out)));
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (typeof o[k] === 'string') out.push((s) => (o[k] = s));
      else stringSlots(o[k], out);
    }
  }
  return out;
}

function rechainFrom(lines: string[], from: number): void {
  for (let k = Math.max(1, from); k < lines.length; k++) {
    const e = JSON.parse(lines[k]!) as { prev: string };
    e.prev = toHex(leafHash(new TextEncoder().encode(lines[k - 1]!)));
    lines[k] = canonicalize(e);
  }
}

/** A name a file system accepts: no "/" or NUL, not "." or "..", at most 200 bytes. */
function fileNameOf(hostile: string): string {
  let name = hostile.replace(/[/\0]/g, '_');
  while (new TextEncoder().encode(name).length > 200) name = name.slice(0, -1);
  return name === '.' || name === '..' || name === '' ? '_\u001b' : name;
}

function plant(site: Site, hostile: string): MutableBundle {
  const b = copy(GOLDEN[site.bundle]);
  switch (site.kind) {
    case 'extra-file':
      b.set(site.folder ? `${fileNameOf(hostile)}/notes.txt` : `escrow/${fileNameOf(hostile)}`, new TextEncoder().encode('extra\n'));
      break;
    case 'transcript': {
      const lines = transcriptLines(b);
      const entry = JSON.parse(lines[site.line]!) as unknown;
      const slots = stringSlots(entry);
      slots[site.pick % slots.length]!(hostile);
      lines[site.line] = JSON.stringify(entry);
      rechainFrom(lines, site.line + 1);
      setTranscriptLines(b, lines);
      break;
    }
    case 'script-title': {
      const lines = text(b, 'script.yaml').split('\n');
      const titles = lines.flatMap((l, i) => (/^\s+title: /.test(l) ? [i] : []));
      const at = titles[site.step % titles.length]!;
      lines[at] = `${lines[at]!.slice(0, lines[at]!.indexOf('title: '))}title: ${JSON.stringify(hostile)}`;
      setText(b, 'script.yaml', lines.join('\n'));
      break;
    }
    case 'ceremony-id': {
      const doc = JSON.parse(text(b, 'bundle.json')) as Record<string, unknown>;
      doc.ceremonyId = hostile;
      setText(b, 'bundle.json', `${JSON.stringify(doc)}\n`);
      return b;
    }
  }
  return rehash(b);
}

function writeBundle(files: MutableBundle, dir: string): void {
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
}

/** Every string in a value (keys included), for checking a whole IPC answer. */
function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => allStrings(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      allStrings(v, out);
    }
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'keyrite-display-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('property: every field of the verifier report is escaped and one line, wherever the hostile text was planted', () => {
  fc.assert(
    fc.property(siteArb, hostileText, fc.constantFrom('hybrid', 'classical-only', 'pq-only' as const), (site, hostile, mode) => {
      const report = verifyBundle(plant(site, hostile), { mode, crypto: CACHED_VERIFIER_CRYPTO });
      assert.equal(report.verdict, 'invalid');
      for (const c of report.checks) {
        assertDisplaySafe(`${c.name} ${c.detail}`, `check ${c.name}`);
        assert.ok(!c.detail.includes('\n') && !c.detail.includes('\t'), `check ${c.name} detail spans lines`);
      }
      for (const v of [report.ceremonyId, report.kind, report.masterFingerprint]) if (v !== undefined) assertDisplaySafe(v, 'report fact');
    }),
    { numRuns: 60 },
  );
});

test('property: keyrite verify (text and --json, stdout and stderr) and the app\'s audit view show no raw hostile character', async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(siteArb, hostileText, async (site, hostile) => {
      const dir = join(work, `b${n++}`, fileNameOf(hostile));
      writeBundle(plant(site, hostile), dir);
      for (const json of [false, true]) {
        const run = await runInProcess(['verify', dir, ...(json ? ['--json'] : [])]);
        assert.ok(run.code === 1 || run.code === 2, `exit ${run.code}: ${run.stderr}`);
        assertDisplaySafe(run.stdout, `verify${json ? ' --json' : ''} stdout`);
        assertDisplaySafe(run.stderr, `verify${json ? ' --json' : ''} stderr`);
        if (json && run.stdout !== '') assert.equal(typeof (JSON.parse(run.stdout) as { ok: boolean }).ok, 'boolean');
      }
      const audit = new AuditSession({ pickBundleFolder: async () => dir, pickBundleArchive: async () => undefined, pickScriptFile: async () => undefined, pickReportFile: async () => undefined });
      const handlers = createHandlers({ appName: 'Keyrite', appVersion: '0', platform: 'linux', mode: () => 'rehearsal', runSelfTests: async () => ({ ok: true, results: [] }), readNetworkInterfaces: () => [], audit });
      const answer = await handlers['audit:open']({ trust: '', mode: 'hybrid' });
      for (const s of allStrings(answer)) assertDisplaySafe(s, 'audit:open answer');
      rmSync(dirname(dir), { recursive: true, force: true });
    }),
    { numRuns: 12 },
  );
});

/** The attack as reported: one file name that clears the screen and draws a passing verdict over the real one. */
const SCREEN_REDRAW = '\u001b[2J\u001b[HANCHORED: the master key matches.\u001b[1B\rVALID: all 22 checks passed.\u001b[8m';

test('a file name that would clear the terminal and draw a false VALID is shown escaped, under the real INVALID verdict', async () => {
  const b = goldenBundle();
  b.set(`escrow/${SCREEN_REDRAW}`, new TextEncoder().encode('x\n'));
  const dir = join(work, 'redraw');
  writeBundle(b, dir);
  const run = await runInProcess(['verify', dir]);
  assert.equal(run.code, 1);
  assertDisplaySafe(run.stdout + run.stderr, 'verify');
  assert.match(run.stdout, /\\u\{1b\}\[2J\\u\{1b\}\[HANCHORED/);
  assert.match(run.stdout.trimEnd().split("\n").at(-1)!, /^INVALID REHEARSAL BUNDLE: /);
});

test('a step id with a bidi override, quoted by the transcript check, reaches the report escaped', () => {
  const b = goldenBundle();
  const lines = transcriptLines(b);
  const last = lines.findLastIndex((l) => l.includes('"type":"step.start"'));
  const entry = JSON.parse(lines[last]!) as { body: { step: string } };
  entry.body.step = 'export\u202e\u2066 hidden';
  lines[last] = canonicalize(entry);
  rechainFrom(lines, last + 1);
  setTranscriptLines(b, lines);
  const report = verifyBundle(rehash(b), { crypto: CACHED_VERIFIER_CRYPTO });
  const structure = report.checks.find((c) => c.name === 'transcript-structure')!;
  assert.equal(structure.status, 'fail');
  assert.match(structure.detail, /export\\u\{202e\}\\u\{2066\} hidden/);
});
