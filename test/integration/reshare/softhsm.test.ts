/**
 * A reshare on SoftHSM2 with the shipped live scripts: the live root ceremony on six SoftHSM
 * tokens (master "Keyrite Root" + five trustees), then ceremony-scripts/reshare.yaml: trustee-5's
 * token is "lost", trustees 1 to 4 unlock and continue, and a new trustee-6 joins on a seventh
 * token — all through the CLI with `--module`, PINs from environment variables, in an empty network
 * namespace. Then: pkcs11-tool shows no object of the continuing trustees' OLD identities (sealing
 * and signing keys, by their labels in the old keyrings) on their tokens and their new identity's
 * objects there; the master token is untouched; the chain verifies to the same key.
 * A missing SoftHSM2 or pkcs11-tool fails the file, never skips it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyNetworkNamespace } from '../../helpers/netns.ts';
import { createSoftHsm, pkcs11ToolAvailable, softHsmAvailable, type SoftHsmHarness } from '../../helpers/softhsm.ts';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';
import { encodeAnswers } from '../../../core/ceremony/answers-writer.ts';
import { parseKeyring } from '../../../core/ceremony/keyring.ts';
import { LIVE_SCRIPT, WITNESS_STEPS, answersYaml, rolls, spawnCli } from '../ceremony/helpers.ts';

if (!softHsmAvailable() || !pkcs11ToolAvailable()) throw new Error('SoftHSM2 (softhsm2-util and its module) and OpenSC pkcs11-tool are required for the reshare integration test on SoftHSM');

const LIVE_RESHARE = join(repoRoot, 'ceremony-scripts/reshare.yaml');
const LABELS = ['Keyrite Root', 'Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5', 'Trustee 6'];
const RESHARE_WITNESS_STEPS = ['verify-bundle', 'check-in', 'quorum-present', 'collect-share', 'combine', 'enrol', 'receipts', 'escrowed', 'destroy-old-keys', 'co-sign'];
const NETNS = emptyNetworkNamespace();
let hsm: SoftHsmHarness;
let dir: string;

before(() => {
  hsm = createSoftHsm(LABELS, { setProcessEnv: false });
  dir = mkdtempSync(join(tmpdir(), 'keyrite-hsm-reshare-'));
});
after(() => {
  hsm?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const uri = (i: number): string => `pkcs11:token=${encodeURIComponent(LABELS[i]!)};serial=${hsm.tokens[i]!.serial}`;

/** The Keyrite labels of every object pkcs11-tool lists on a token. */
function labelsOn(i: number): string[] {
  const listing = hsm.pkcs11Tool(['--token-label', LABELS[i]!, '--login', '--pin', hsm.tokens[i]!.pin, '--list-objects']);
  return [...listing.matchAll(/label:\s+keyrite:(\S+)/g)].map((m) => m[1]!);
}

test('a live reshare on SoftHSM: the continuing trustees\' old sealing and signing keys are gone from their tokens (pkcs11-tool -O), the chain verifies to the same key', async () => {
  const pins: Record<string, string> = { KR_HSM_PIN_MASTER: hsm.tokens[0]!.pin };
  for (let i = 1; i <= 6; i++) pins[`KR_HSM_PIN_${i}`] = hsm.tokens[i]!.pin;
  const env = { SOFTHSM2_CONF: hsm.conf, ...pins };
  writeFileSync(
    join(dir, 'answers.yaml'),
    answersYaml({
      trustees: [1, 2, 3, 4, 5].map((n) => ({ id: `trustee-${n}`, name: `HSM Trustee ${n}`, token: { uri: uri(n) }, pin: { env: `KR_HSM_PIN_${n}` }, output: `trustees/trustee-${n}`, dice: rolls() })),
      master: { token: { uri: uri(0) }, pin: { env: 'KR_HSM_PIN_MASTER' } },
      confirm: WITNESS_STEPS,
    }),
  );
  const rootRun = await spawnCli(['ceremony', 'run', LIVE_SCRIPT, '--answers', join(dir, 'answers.yaml'), '--out', join(dir, 'root'), '--module', hsm.module], env, { wrap: NETNS }).done;
  assert.equal(rootRun.code, 0, rootRun.stdout + rootRun.stderr);
  const root = JSON.parse(readFileSync(join(dir, 'root', 'bundle', 'bundle.json'), 'utf8')).masterFingerprint as string;
  const old = [1, 2, 3, 4].map((n) => parseKeyring(readFileSync(join(dir, 'trustees', `trustee-${n}`, 'keyring.json'))));
  for (const [k, i] of old.map((k, j) => [k, j + 1] as const)) assert.ok(labelsOn(i).includes(k.sealKey.label), `Trustee ${i}: the old sealing key is there before the reshare`);
  const masterBefore = labelsOn(0);

  writeFileSync(
    join(dir, 'reshare-answers.yaml'),
    encodeAnswers({
      participants: [
        { id: 'admin', name: 'Alice Admin', role: 'administrator' },
        ...[1, 2, 3, 4].map((n) => ({ id: `trustee-${n}`, name: `HSM Trustee ${n}`, role: 'trustee' as const, token: { uri: uri(n) }, pin: { env: `KR_HSM_PIN_${n}` }, keyring: `trustees/trustee-${n}/keyring.json`, envelope: `trustees/trustee-${n}/share-envelope.json`, output: `trustees/trustee-${n}` })),
        { id: 'trustee-6', name: 'HSM Trustee 6', role: 'trustee', token: { uri: uri(6) }, pin: { env: 'KR_HSM_PIN_6' }, output: 'trustees/trustee-6' },
        { id: 'witness', name: 'Grace Witness', role: 'witness' },
      ],
      master: { token: { uri: uri(0) }, pin: { env: 'KR_HSM_PIN_MASTER' } },
      bundle: { path: 'root/bundle', trust: root },
      confirm: RESHARE_WITNESS_STEPS,
    }),
  );
  const run = await spawnCli(['ceremony', 'run', LIVE_RESHARE, '--answers', join(dir, 'reshare-answers.yaml'), '--out', join(dir, 'reshare'), '--module', hsm.module, '--json'], env, { wrap: NETNS }).done;
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const res = JSON.parse(run.stdout);
  assert.equal(res.master.fingerprint, root);
  assert.deepEqual(res.oldHolders.filter((h: { token: string }) => h.token !== 'destroyed').map((h: { trusteeId: string }) => h.trusteeId), ['trustee-5']);
  assert.doesNotMatch(run.stdout + run.stderr, new RegExp(Object.values(pins).join('|')), 'a PIN was printed');

  for (const [k, i] of old.map((k, j) => [k, j + 1] as const)) {
    const labels = labelsOn(i);
    assert.ok(!labels.includes(k.sealKey.label) && !labels.includes(k.signingKey.ref.label), `Trustee ${i}: an object of the old identity is still on the token: ${labels.join(', ')}`);
    const fresh = parseKeyring(readFileSync(join(dir, 'reshare', 'trustees', `trustee-${i}`, 'keyring.json')));
    assert.ok(labels.includes(fresh.sealKey.label) && labels.includes(fresh.signingKey.ref.label), `Trustee ${i}: the new identity is not on the token`);
  }
  assert.deepEqual(labelsOn(0), masterBefore, 'the reshare changed the master token');
  const chain = await runInProcess(['verify', join(dir, 'root', 'bundle'), join(dir, 'reshare', 'bundle'), '--trust', root, '--json']);
  assert.equal(chain.code, 0, chain.stdout + chain.stderr);
  assert.equal(JSON.parse(chain.stdout).current.fingerprint, root);
});
