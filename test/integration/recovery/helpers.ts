/**
 * Fixtures for the recovery integration tests: a `keyrite demo` output (made once per test
 * run, test/helpers/run-cache.ts) copied per test, `keyrite recover` on a copy, the new master token's contents, and a
 * check of the recovery transcript's co-signed checkpoints against the keys it names.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runInProcess, type CliRun } from '../../helpers/cli.ts';
import { readTranscript } from '../../../core/transcript/transcript.ts';
import { merkleRoot } from '../../../core/transcript/merkle.ts';
import { verifyCheckpointSignatures, type KnownPrincipal } from '../../../core/transcript/checkpoint.ts';
import { analyzeJournal } from '../../../core/ceremony/journal.ts';
import { openSoftwareTokenFile } from '../../../core/node/software-token-file.ts';
import type { TranscriptEntry } from '../../../core/transcript/entry.ts';
import { trusteeFromEntry } from '../../../core/bundle/entries.ts';
import { principalName } from '../../../core/bundle/principals.ts';
import { runDemo } from '../../../cli/commands/demo.ts';
import { CHEAP_SCRYPT } from '../ceremony/helpers.ts';
import { sharedFixture } from '../../helpers/run-cache.ts';

export const REHEARSAL_RECOVERY = join(repoRoot, 'ceremony-scripts/escrow-recovery-rehearsal.yaml');
export const KEY_LABEL = 'keyrite-root-rehearsal';

/** PIN variables of a demo output (its REHEARSAL-ONLY-passphrase.env files). */
export function loadPins(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ['trustees/trustee-1', 'trustees/trustee-2', 'trustees/trustee-3', 'trustees/trustee-4', 'trustees/trustee-5', 'recovery']) {
    for (const line of readFileSync(join(d, f, 'REHEARSAL-ONLY-passphrase.env'), 'utf8').split('\n')) {
      const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line.trim());
      if (m) out[m[1]!] = m[2]!;
    }
  }
  return out;
}

export function pinOf(pins: Record<string, string>, id: string): string {
  return pins[`KEYRITE_REHEARSAL_PIN_${id.toUpperCase().replace('-', '_')}`]!;
}

/** The master fingerprint read aloud at the demo's ceremony: bundle.trust of its recovery-answers.yaml. */
export function trustedFingerprint(d: string): string {
  const m = /^ {2}trust: ([0-9a-f]{64})$/m.exec(readFileSync(join(d, 'recovery-answers.yaml'), 'utf8'));
  assert.ok(m, 'recovery-answers.yaml names no bundle.trust fingerprint');
  return m[1]!;
}

/**
 * What `keyrite demo --out DIR` makes, by the same runDemo, with the cheapest scrypt for its
 * rehearsal tokens: for the tests that use a demo's output and are not about the KDF or the
 * demo command itself (test/integration/ceremony/demo.test.ts runs the command). One demo per
 * test run, copied to `dir`; `another` gives a second one, of another ceremony, for the tests
 * that need one.
 */
export async function makeTestDemo(dir: string, which: 'demo' | 'another' = 'demo'): Promise<void> {
  const demo = await sharedFixture(which === 'demo' ? 'demo' : 'another-demo', async (folder) => {
    await runDemo({ outDir: folder, scrypt: CHEAP_SCRYPT });
  });
  cpSync(demo, dir, { recursive: true });
}

/** A demo output and a counter for private copies of it. */
export class DemoCopies {
  private n = 0;
  constructor(
    readonly dir: string,
    readonly demo: string,
    readonly pins: Record<string, string>,
  ) {}

  /** A fresh temporary folder holding a demo's output (`demo/`), for one test file. */
  static async make(prefix: string): Promise<DemoCopies> {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const demo = join(dir, 'demo');
    await makeTestDemo(demo);
    return new DemoCopies(dir, demo, loadPins(demo));
  }

  /** Deletes the folder with the demo and every copy. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A private copy of the demo output (with its own empty new-master token). */
  copy(): string {
    const d = join(this.dir, `copy-${this.n++}`);
    cpSync(this.demo, d, { recursive: true });
    return d;
  }

  recover(d: string, out = `rec-${this.n++}`, script = REHEARSAL_RECOVERY): Promise<CliRun> {
    return runInProcess(['recover', script, '--bundle', join(d, 'bundle'), '--answers', join(d, 'recovery-answers.yaml'), '--out', join(d, out), '--json'], undefined, this.pins);
  }

  /** Whether the copy's new master token holds a key under the recovery script's label. */
  async newTokenHoldsKey(d: string): Promise<boolean> {
    const token = await openSoftwareTokenFile(join(d, 'recovery', 'new-master.keyrite-token'));
    try {
      await token.login(pinOf(this.pins, 'recovery'));
      return (await token.findObject(KEY_LABEL)) !== undefined;
    } finally {
      await token.close();
    }
  }
}

export function setAnswers(d: string, edit: (text: string) => string): void {
  const p = join(d, 'recovery-answers.yaml');
  const before = readFileSync(p, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, 'the answers edit changed nothing');
  writeFileSync(p, after);
}

export function recoveryEntries(out: string): TranscriptEntry[] {
  return [...readTranscript(readFileSync(join(out, 'journal', 'transcript.jsonl'))).entries];
}

/**
 * Every checkpoint note of a finished recovery verifies (hybrid) for exactly the principals the
 * checkpoint.sign entries (and, for the final note, ceremony.end) name, and commits to the
 * transcript's Merkle root at its size. Returns the signer ids per note file.
 */
export function checkRecoveryCheckpoints(out: string, bundle: string): Map<string, string[]> {
  const contents = readTranscript(readFileSync(join(out, 'journal', 'transcript.jsonl')));
  const master = analyzeJournal(readTranscript(readFileSync(join(bundle, 'transcript.jsonl'))).entries).master!;
  const known = new Map<string, KnownPrincipal>([['master', { name: principalName(master.fingerprint), publicKey: master.publicKey }]]);
  for (const e of contents.entries) {
    if (e.type === 'participant.check-in' && e.body.role === 'trustee') {
      const t = trusteeFromEntry(e.body);
      known.set(t.id, { name: principalName(t.fingerprint), publicKey: t.publicKey });
    }
  }
  const signed = new Map<string, string[]>();
  for (const e of contents.entries.filter((x) => x.type === 'checkpoint.sign')) {
    signed.set(e.body.note as string, (e.body.signers as { id: string }[]).map((s) => s.id));
  }
  const end = contents.entries[contents.entries.length - 1]!;
  assert.equal(end.type, 'ceremony.end');
  const files = readdirSync(join(out, 'journal', 'checkpoints')).sort();
  const final = files.find((f) => f.endsWith('-final.note'));
  assert.ok(final, `no final checkpoint among ${files.join(', ')}`);
  signed.set(final, ['master', ...(end.body.trustees as { id: string }[]).map((t) => t.id)]);
  for (const f of files) {
    const ids = signed.get(f);
    assert.ok(ids, `${f} is not recorded in the transcript`);
    const v = verifyCheckpointSignatures(readFileSync(join(out, 'journal', 'checkpoints', f)), ids.map((id) => known.get(id)!), 'hybrid');
    assert.equal(v.valid, true, f);
    assert.equal(v.validPrincipals.length, ids.length, f);
    assert.deepEqual(Buffer.from(v.checkpoint.root), Buffer.from(merkleRoot(contents.leafHashes.slice(0, v.checkpoint.size))), f);
    if (f === final) assert.equal(v.checkpoint.size, contents.size);
  }
  return new Map(files.map((f) => [f, signed.get(f)!]));
}

/** The paper words a demo wrote for trustee `id` (share-paper-backup.txt, "N. word" lines), in order. */
export function paperWordsOf(d: string, id: string): string[] {
  return readFileSync(join(d, 'trustees', id, 'share-paper-backup.txt'), 'utf8')
    .split('\n')
    .flatMap((l) => /^\s*\d+\.\s+(\S+)\s*$/.exec(l)?.slice(1) ?? []);
}
