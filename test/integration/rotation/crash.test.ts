/**
 * A rotation killed (SIGKILL) at each stage — the new key generated, the new shares distributed,
 * the key states fixed — is never resumed and never publishes a key: the
 * next run on the same folder is refused with the sentence that says why and what to destroy; a
 * run in a new folder is refused too while the interrupted attempt's share files are in the
 * trustees' new folders, so two different new keys are never published; no bundle exists; and no
 * secret the test can reconstruct (passphrases, trustee seeds, shares, K, S and the master keys —
 * of the old escrow, and of the new one once distributed) is on disk in the run folder or in new
 * temporary files.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';
import { knownSecrets, isDemoPassphraseFile, newTmpEntries, scanForSecrets, spawnCli, tmpSnapshot, TRUSTEES } from '../ceremony/helpers.ts';
import { DemoCopies } from '../recovery/helpers.ts';
import { demoPins } from '../signing/helpers.ts';
import { pinVariable } from '../../../cli/commands/demo.ts';

const SCRIPT = join(repoRoot, 'ceremony-scripts/rotation-rehearsal.yaml');
let copies: DemoCopies;

before(async () => {
  copies = await DemoCopies.make('keyrite-rotation-crash-');
});
after(() => copies?.remove());

function pinsOf(d: string): Record<string, string> {
  const out = demoPins(d);
  const m = /^([A-Z0-9_]+)='([^']*)'$/m.exec(readFileSync(join(d, 'rotation', 'REHEARSAL-ONLY-passphrase.env'), 'utf8'));
  out[m![1]!] = m![2]!;
  return out;
}

const argv = (d: string, out: string, json = true): string[] => ['ceremony', 'run', SCRIPT, '--answers', join(d, 'rotation-answers.yaml'), '--out', join(d, out), ...(json ? ['--json'] : [])];

/** The secrets of the old escrow (trustees/<id>) and, where all new envelopes exist, of the new one (rotation/trustees/<id>, opened with the same keyrings). */
async function secrets(d: string, pins: Record<string, string>) {
  const passphrases = new Map([...TRUSTEES, 'master', 'rotation'].map((id) => [id, pins[pinVariable(id)]!]));
  const token = (id: string) => join(d, 'trustees', id, 'token.keyrite-token');
  const old = await knownSecrets({ dir: d, passphrases }, token, (id) => join(d, 'trustees', id));
  const merged = join(d, 'merged');
  for (const id of TRUSTEES) {
    mkdirSync(join(merged, id), { recursive: true });
    copyFileSync(join(d, 'trustees', id, 'keyring.json'), join(merged, id, 'keyring.json'));
    const envelope = join(d, 'rotation', 'trustees', id, 'share-envelope.json');
    if (existsSync(envelope)) copyFileSync(envelope, join(merged, id, 'share-envelope.json'));
  }
  const next = await knownSecrets({ dir: d, passphrases: new Map([...passphrases].filter(([id]) => TRUSTEES.includes(id))) }, token, (id) => join(merged, id));
  return { old, next };
}

const STAGES: { name: string; line: RegExp; newKeyEscrowed: boolean }[] = [
  { name: 'right after the new key was generated', line: /^ +Master key fingerprint [0-9a-f]{4} /m, newKeyEscrowed: false },
  { name: 'while the new shares were distributed', line: /Envelope for .*\(trustee-3\) written to their folder/, newKeyEscrowed: false },
  { name: 'once the key states were fixed', line: /Key states fixed at /, newKeyEscrowed: true },
];

for (const stage of STAGES) {
  test(`killed ${stage.name}: never resumed, a new folder makes at most one new key, no secret on disk`, async () => {
    const tmpBefore = tmpSnapshot();
    const d = copies.copy();
    const pins = pinsOf(d);
    const r = await spawnCli(argv(d, 'rot', false), pins, { killOn: stage.line }).done;
    assert.equal(r.signal, 'SIGKILL', `the child was not killed (exit ${r.code}); stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const again = await runInProcess(argv(d, 'rot'), undefined, pins);
    assert.equal(again.code, 1, again.stdout + again.stderr);
    assert.match(JSON.parse(again.stdout).message, /a rotation is not resumed\. Its new key may already be on the new master token/);
    assert.equal(existsSync(join(d, 'rot', 'bundle')), false);
    const distributed = existsSync(join(d, 'rotation', 'trustees', 'trustee-1', 'share-envelope.json'));
    const elsewhere = await runInProcess(argv(d, 'rot-2'), undefined, pins);
    if (distributed) {
      assert.equal(elsewhere.code, 1, elsewhere.stdout);
      assert.match(JSON.parse(elsewhere.stdout).message, /output folders already hold share files/);
    } else {
      // Nothing of the new escrow was written: a new folder makes the one new key, unless the interrupted run had put its key on the new token (then refused, never reused).
      if (elsewhere.code === 0) assert.ok(existsSync(join(d, 'rot-2', 'bundle')));
      else assert.match(JSON.parse(elsewhere.stdout).message, /already holds a key labelled "keyrite:keyrite-root-next-rehearsal"/);
    }
    assert.equal(existsSync(join(d, 'rot', 'bundle')), false);
    const { old, next } = await secrets(d, pins);
    for (const l of ['master seed S', 'escrow key K']) assert.ok(old.some((s) => s.label === l), `the test could not reconstruct the old ${l}`);
    if (stage.newKeyEscrowed) assert.ok(next.some((s) => s.label === 'master seed S'), 'the test could not reconstruct the new master seed');
    assert.deepEqual(scanForSecrets([join(d, 'rot'), ...newTmpEntries(tmpBefore, [copies.dir])], [...old, ...next], isDemoPassphraseFile), [], 'secret material found on disk');
  });
}
