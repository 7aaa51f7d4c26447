/**
 * A root ceremony and then a signing ceremony on SoftHSM2, with the shipped live scripts: six
 * tokens (master "Keyrite Root" + five trustees, test/helpers/softhsm.ts), PINs from environment
 * variables, the example signing request made now. Used by test/integration/signing/softhsm.test.ts
 * and by `npm run bench` (build/bench-signing.ts); each passes its own way of running `keyrite`
 * (the sources or the built CLI, in an empty network namespace so the live air-gap check passes).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAnswers } from '../../core/ceremony/answers-writer.ts';
import { randomBytes as osRandom } from '../../core/crypto/random.ts';
import { EXAMPLE_ARTIFACT_NAME, exampleArtifactBytes, exampleSigningRequest } from '../../core/signing/example-request.ts';
import { LIVE_SCRIPT, WITNESS_STEPS, answersYaml, rolls } from '../integration/ceremony/helpers.ts';
import { repoRoot } from './cli.ts';
import type { SoftHsmHarness } from './softhsm.ts';

export const LIVE_SIGNING_SCRIPT = join(repoRoot, 'ceremony-scripts/signing.yaml');
export const HSM_TOKEN_LABELS = ['Keyrite Root', 'Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5'];
/** The trustees (by number) who unlock the key in the signing ceremony. */
export const HSM_SIGNING_TRUSTEES = [1, 3, 4];

export type KeyriteRunner = (argv: string[], env: Record<string, string>) => Promise<{ code: number | null; stdout: string; stderr: string }>;

export interface HsmSigningRun {
  /** The root bundle's master fingerprint. */
  fingerprint: string;
  /** The signing ceremony's run folder (--out). */
  out: string;
  pins: Record<string, string>;
  /** The `keyrite ceremony run signing.yaml … --json` run. */
  signing: { code: number | null; stdout: string; stderr: string };
  signingMs: number;
  /** When the signing process ended (epoch ms). */
  endedAt: number;
}

function uri(label: string, serial: string): string {
  return `pkcs11:token=${encodeURIComponent(label)};serial=${serial}`;
}

/** A live root ceremony's run on SoftHSM (rootOnSoftHsm). */
export interface HsmRootRun {
  fingerprint: string;
  /** The run folder (--out). */
  out: string;
  pins: Record<string, string>;
  tokenUri: (i: number) => string;
  /** When the process ended (epoch ms), for stepMs. */
  endedAt: number;
}

/** Runs the live root ceremony (ceremony-scripts/root-keygen-3of5.yaml) on the harness's six tokens in `dir`/root; throws if it fails. */
export async function rootOnSoftHsm(dir: string, hsm: SoftHsmHarness, keyrite: KeyriteRunner): Promise<HsmRootRun> {
  const tokenUri = (i: number): string => uri(HSM_TOKEN_LABELS[i]!, hsm.tokens[i]!.serial);
  const pins: Record<string, string> = { KR_HSM_PIN_MASTER: hsm.tokens[0]!.pin };
  for (let i = 1; i <= 5; i++) pins[`KR_HSM_PIN_${i}`] = hsm.tokens[i]!.pin;
  const answers = join(dir, 'answers.yaml');
  writeFileSync(
    answers,
    answersYaml({
      trustees: [1, 2, 3, 4, 5].map((n) => ({ id: `trustee-${n}`, name: `HSM Trustee ${n}`, token: { uri: tokenUri(n) }, pin: { env: `KR_HSM_PIN_${n}` }, output: `trustees/trustee-${n}`, dice: rolls() })),
      master: { token: { uri: tokenUri(0) }, pin: { env: 'KR_HSM_PIN_MASTER' } },
      confirm: WITNESS_STEPS,
    }),
  );
  const root = await keyrite(['ceremony', 'run', LIVE_SCRIPT, '--answers', answers, '--out', join(dir, 'root'), '--module', hsm.module], { SOFTHSM2_CONF: hsm.conf, ...pins });
  const endedAt = Date.now();
  if (root.code !== 0) throw new Error(`the root ceremony on SoftHSM failed (exit ${root.code}):\n${root.stdout}\n${root.stderr}`);
  const fingerprint = JSON.parse(readFileSync(join(dir, 'root', 'bundle', 'bundle.json'), 'utf8')).masterFingerprint as string;
  return { fingerprint, out: join(dir, 'root'), pins, tokenUri, endedAt };
}

/** Runs the live root ceremony in `dir`/root, then the live signing ceremony in `dir`/signing; throws if the root ceremony fails. */
export async function rootThenSigningOnSoftHsm(dir: string, hsm: SoftHsmHarness, keyrite: KeyriteRunner): Promise<HsmSigningRun> {
  const { fingerprint, pins, tokenUri } = await rootOnSoftHsm(dir, hsm, keyrite);

  const request = exampleSigningRequest(new Date(), osRandom);
  writeFileSync(join(dir, 'signing-request.json'), request);
  writeFileSync(join(dir, EXAMPLE_ARTIFACT_NAME), exampleArtifactBytes());
  const signingAnswers = join(dir, 'signing-answers.yaml');
  writeFileSync(
    signingAnswers,
    encodeAnswers({
      participants: [
        { id: 'admin', name: 'Alice Admin', role: 'administrator' },
        ...HSM_SIGNING_TRUSTEES.map((n) => ({
          id: `trustee-${n}`,
          name: `HSM Trustee ${n}`,
          role: 'trustee' as const,
          token: { uri: tokenUri(n) },
          pin: { env: `KR_HSM_PIN_${n}` },
          keyring: `trustees/trustee-${n}/keyring.json`,
          envelope: `trustees/trustee-${n}/share-envelope.json`,
        })),
        { id: 'witness', name: 'Grace Witness', role: 'witness' },
      ],
      master: { token: { uri: tokenUri(0) }, pin: { env: 'KR_HSM_PIN_MASTER' } },
      bundle: { path: 'root/bundle', trust: fingerprint },
      request: { path: 'signing-request.json', sha256: createHash('sha256').update(request).digest('hex') },
      confirm: ['verify-bundle', 'check-in', 'quorum-present', 'check-request', 'collect-share', 'combine', 'sign', 'signed', 'co-sign'],
    }),
  );
  const t0 = performance.now();
  const signing = await keyrite(['ceremony', 'run', LIVE_SIGNING_SCRIPT, '--answers', signingAnswers, '--out', join(dir, 'signing'), '--module', hsm.module, '--json'], { SOFTHSM2_CONF: hsm.conf, ...pins });
  return { fingerprint, out: join(dir, 'signing'), pins, signing, signingMs: Math.round(performance.now() - t0), endedAt: Date.now() };
}

/**
 * Milliseconds of each step of a finished run, from its transcript's step.start and step.end
 * times: step id → ms. Co-sign and export record no step.end (ceremony.end closes the
 * transcript); with `endedAt` (epoch ms, when the run returned) they are given together as
 * "co-sign+export", from co-sign's step.start.
 */
export function stepMs(out: string, endedAt?: number): Record<string, number> {
  const started = new Map<string, number>();
  const ms: Record<string, number> = {};
  for (const line of readFileSync(join(out, 'journal', 'transcript.jsonl'), 'utf8').split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as { type: string; time: string; body: { step?: string } };
    if (e.type === 'step.start') started.set(e.body.step!, Date.parse(e.time));
    if (e.type === 'step.end') ms[e.body.step!] = Date.parse(e.time) - started.get(e.body.step!)!;
  }
  const coSign = started.get('co-sign');
  if (endedAt !== undefined && coSign !== undefined) ms['co-sign+export'] = endedAt - coSign;
  return ms;
}
