/**
 * A reshare changes t-of-n: to 4-of-7 (all five trustees continue, trustee-6 and a new trustee-7
 * join, trustee-7's rehearsal token created on first use) and to 2-of-3 (trustees 1 to 3 continue;
 * trustees 4 and 5 leave and are named as not attesting destruction), each end to end on a copy of
 * the run's shared demo with the shipped rehearsal script's quorum and roles changed, the chain
 * verified to the same key. Every C(n, t) subset of those epochs recovering is checked by the
 * split itself (escrow.split subsetsChecked) and, at the core level, by test/unit/escrow/epoch.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess, type CliRun } from '../../helpers/cli.ts';
import { DemoCopies, trustedFingerprint } from '../recovery/helpers.ts';
import { REHEARSAL_RESHARE, reshare, resharePins } from './helpers.ts';

let copies: DemoCopies;
let root: string;
const runs = new Map<string, { dir: string; run: CliRun }>();

/** The shipped rehearsal script with another new quorum (and the trustees the answers list). */
function scriptWith(dir: string, n: number, t: number, trustees: number): string {
  const text = readFileSync(REHEARSAL_RESHARE, 'utf8').replace('quorum: { n: 5, t: 3 }', `quorum: { n: ${n}, t: ${t} }`).replace('  trustee: 5\n', `  trustee: ${trustees}\n`).replace('new 3-of-5 epoch', `new ${t}-of-${n} epoch`);
  const path = join(dir, `reshare-${t}of${n}.yaml`);
  writeFileSync(path, text);
  return path;
}

const trusteeBlock = (id: string, name: string, token: string, withOld: boolean): string =>
  [`  - id: ${id}`, `    name: ${name}`, '    role: trustee', `    token: { software: ${token} }`, `    pin: { env: KEYRITE_REHEARSAL_PIN_${id.toUpperCase().replace('-', '_')} }`, `    output: trustees/${id}`, ...(withOld ? [`    keyring: trustees/${id}/keyring.json`, `    envelope: trustees/${id}/share-envelope.json`] : [])].join('\n') + '\n';

before(async () => {
  copies = await DemoCopies.make('keyrite-reshare-quorums-');
  root = trustedFingerprint(copies.demo);
  // 4-of-7: trustee-5 continues too; trustee-7 joins on a token created on first use.
  const seven = copies.copy();
  const base7 = readFileSync(join(seven, 'reshare-answers.yaml'), 'utf8');
  const answers7 = base7.replace('  - id: trustee-6\n', trusteeBlock('trustee-5', 'Frank Trustee', 'trustees/trustee-5/token.keyrite-token', true) + '  - id: trustee-6\n').replace('  - id: witness\n', trusteeBlock('trustee-7', 'Ivan Trustee', 'reshare/trustee-7/token.keyrite-token', false) + '  - id: witness\n');
  writeFileSync(join(seven, 'answers-4of7.yaml'), answers7);
  runs.set('4-of-7', { dir: seven, run: await reshare(seven, 'answers-4of7.yaml', 'rs', { ...resharePins(seven), KEYRITE_REHEARSAL_PIN_TRUSTEE_7: 'trustee-seven-rehearsal' }, scriptWith(seven, 7, 4, 7)) });
  // 2-of-3: trustees 1 to 3 only; 4 and 5 leave.
  const three = copies.copy();
  const answers3 = readFileSync(join(three, 'reshare-answers.yaml'), 'utf8').replace(/ {2}- id: trustee-4\n(?: {4}.*\n)+/, '').replace(/ {2}- id: trustee-6\n(?: {4}.*\n)+/, '');
  writeFileSync(join(three, 'answers-2of3.yaml'), answers3);
  runs.set('2-of-3', { dir: three, run: await reshare(three, 'answers-2of3.yaml', 'rs', resharePins(three), scriptWith(three, 3, 2, 3)) });
});

after(() => copies.remove());

for (const [name, n, t, holders, missing] of [
  ['4-of-7', 7, 4, ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5', 'trustee-6', 'trustee-7'], []],
  ['2-of-3', 3, 2, ['trustee-1', 'trustee-2', 'trustee-3'], ['trustee-4', 'trustee-5']],
] as const) {
  test(`a reshare to ${name}: every holder's share checked, the chain verifies to the same key`, async () => {
    const { dir, run } = runs.get(name)!;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const r = JSON.parse(run.stdout);
    assert.deepEqual(r.quorum, { n, t });
    assert.deepEqual(r.trustees.map((x: { id: string }) => x.id), holders);
    assert.deepEqual(r.oldHolders.filter((h: { token: string }) => h.token !== 'destroyed').map((h: { trusteeId: string }) => h.trusteeId), missing);
    const entries = readFileSync(join(dir, 'rs', 'bundle', 'transcript.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const split = entries.find((e) => e.type === 'escrow.split');
    assert.deepEqual([split.body.n, split.body.t, split.body.epoch], [n, t, 1]);
    // C(n, t) subsets, each recombined and checked against E before anything left memory.
    const binom = (a: number, b: number): number => (b === 0 ? 1 : (binom(a - 1, b - 1) * a) / b);
    assert.equal(split.body.subsetsChecked, binom(n, t));
    const verify = await runInProcess(['verify', join(dir, 'bundle'), join(dir, 'rs', 'bundle'), '--trust', root, '--json']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.equal(JSON.parse(verify.stdout).current.fingerprint, root);
  });
}
