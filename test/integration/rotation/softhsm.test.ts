/**
 * A key rotation on SoftHSM2 with the shipped live scripts: the live root ceremony on six
 * SoftHSM tokens (master "Keyrite Root" + five trustees), then ceremony-scripts/rotation.yaml
 * onto a seventh, empty token "Keyrite Next Root" — all through the CLI with `--module`, tokens
 * chosen by label and serial, PINs from environment variables, in an empty network namespace
 * where the live air-gap check passes. Then: the chain verifies from the root fingerprint and
 * names the new key; pkcs11-tool shows the new key on the new token sensitive and not
 * extractable, and the old key on the old token untouched (still there, same public key).
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
import { LIVE_SCRIPT, WITNESS_STEPS, answersYaml, rolls, spawnCli } from '../ceremony/helpers.ts';

if (!softHsmAvailable() || !pkcs11ToolAvailable()) throw new Error('SoftHSM2 (softhsm2-util and its module) and OpenSC pkcs11-tool are required for the rotation integration test on SoftHSM');

const LIVE_ROTATION = join(repoRoot, 'ceremony-scripts/rotation.yaml');
const LABELS = ['Keyrite Root', 'Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5', 'Keyrite Next Root'];
const ROTATION_WITNESS_STEPS = ['verify-bundle', 'check-in', 'quorum-present', 'collect-share', 'combine', 'generate', 'import', 'key-generated', 'receipts', 'escrowed', 'cross-sign', 'co-sign'];
const NETNS = emptyNetworkNamespace();
let hsm: SoftHsmHarness;
let dir: string;

before(() => {
  hsm = createSoftHsm(LABELS, { setProcessEnv: false });
  dir = mkdtempSync(join(tmpdir(), 'keyrite-hsm-rotation-'));
});
after(() => {
  hsm?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const uri = (i: number): string => `pkcs11:token=${encodeURIComponent(LABELS[i]!)};serial=${hsm.tokens[i]!.serial}`;

/** The private key objects pkcs11-tool lists on a token, each as its block of lines. */
function privateKey(label: string, pin: string, keyLabel: string): string {
  const listing = hsm.pkcs11Tool(['--token-label', label, '--login', '--pin', pin, '--list-objects']);
  const block = listing.split(/\n(?=\S)/).find((b) => /^Private Key Object/.test(b) && new RegExp(`label:\\s+keyrite:${keyLabel}\\s*$`, 'm').test(b));
  assert.ok(block, `no private key labelled keyrite:${keyLabel} on "${label}":\n${listing}`);
  return block!;
}

test('a live rotation on SoftHSM: the chain verifies to the new key, which is sensitive and not extractable on the new token; the old token\'s key is untouched', async () => {
  const pins: Record<string, string> = { KR_HSM_PIN_MASTER: hsm.tokens[0]!.pin, KR_HSM_PIN_NEXT: hsm.tokens[6]!.pin };
  for (let i = 1; i <= 5; i++) pins[`KR_HSM_PIN_${i}`] = hsm.tokens[i]!.pin;
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
  const oldKeyBefore = privateKey('Keyrite Root', hsm.tokens[0]!.pin, 'keyrite-root');

  writeFileSync(
    join(dir, 'rotation-answers.yaml'),
    encodeAnswers({
      participants: [
        { id: 'admin', name: 'Alice Admin', role: 'administrator' },
        ...[1, 2, 3, 4, 5].map((n) => ({
          id: `trustee-${n}`,
          name: `HSM Trustee ${n}`,
          role: 'trustee' as const,
          token: { uri: uri(n) },
          pin: { env: `KR_HSM_PIN_${n}` },
          keyring: `trustees/trustee-${n}/keyring.json`,
          envelope: `trustees/trustee-${n}/share-envelope.json`,
          output: `rotation/trustee-${n}`,
          dice: rolls(),
        })),
        { id: 'witness', name: 'Grace Witness', role: 'witness' },
      ],
      master: { token: { uri: uri(6) }, pin: { env: 'KR_HSM_PIN_NEXT' } },
      bundle: { path: 'root/bundle', trust: root },
      confirm: ROTATION_WITNESS_STEPS,
    }),
  );
  const rotation = await spawnCli(['ceremony', 'run', LIVE_ROTATION, '--answers', join(dir, 'rotation-answers.yaml'), '--out', join(dir, 'rotation'), '--module', hsm.module, '--json'], env, { wrap: NETNS }).done;
  assert.equal(rotation.code, 0, rotation.stdout + rotation.stderr);
  const res = JSON.parse(rotation.stdout);
  assert.equal(res.previous.fingerprint, root);
  assert.equal(res.master.keyLabel, 'keyrite-root-next');
  assert.match(res.master.tokenUri, new RegExp(`serial=${hsm.tokens[6]!.serial}`));
  assert.doesNotMatch(rotation.stdout + rotation.stderr, new RegExp(Object.values(pins).join('|')), 'a PIN was printed');

  const chain = await runInProcess(['verify', join(dir, 'root', 'bundle'), join(dir, 'rotation', 'bundle'), '--trust', root, '--json']);
  assert.equal(chain.code, 0, chain.stdout + chain.stderr);
  assert.equal(JSON.parse(chain.stdout).current.fingerprint, res.master.fingerprint);

  const access = (block: string): string => /Access:\s*(.*)/.exec(block)?.[1] ?? '';
  const next = privateKey('Keyrite Next Root', hsm.tokens[6]!.pin, 'keyrite-root-next');
  assert.match(access(next), /\bsensitive\b/);
  assert.doesNotMatch(access(next), /(^|, )extractable/);
  // The old key: the same object, with the same attributes, as before the rotation (the rotation never opened its token).
  assert.equal(privateKey('Keyrite Root', hsm.tokens[0]!.pin, 'keyrite-root'), oldKeyBefore);
  const transcript = readFileSync(join(dir, 'rotation', 'journal', 'transcript.jsonl'), 'utf8');
  assert.doesNotMatch(transcript, new RegExp(`serial=${hsm.tokens[0]!.serial}`), 'the rotation transcript names the old master token');
});
