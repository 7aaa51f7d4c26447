/**
 * The deterministic ("golden") root-keygen ceremony behind test/fixtures/golden-bundle/.
 * Used by test/integration/ceremony/golden.test.ts (compares a fresh run with the fixture
 * file by file) and by build/regenerate-golden.ts (rewrites the fixture; never run by tests).
 *
 * Determinism, and how each source is pinned:
 *  - ceremony id and start time: the answers file's `ceremony-id` and `clock` (rehearsal only);
 *  - randomness: installDeterministicRandom() replaces, for this process only, WebCrypto's
 *    getRandomValues (core/crypto/random.ts, @noble/*) and node:crypto.randomBytes (which
 *    shamir-secret-sharing uses under Node) with a SHA-256 counter stream. The engine's own
 *    `random` is the same stream. NEVER load this module in anything but a test process;
 *  - ML-DSA-65 signatures: the engine's 'deterministic' mode (FIPS 204 deterministic variant);
 *  - the air gap: a loopback-only interface list; tokens: rehearsal software tokens with fixed
 *    passphrases and the cheapest scrypt; file paths: all relative to the answers folder.
 * The run is sequential, so the stream is consumed in the same order every time.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../../core/bytes.ts';
import { parseCeremonyScript } from '../../core/script/script.ts';
import { parseAnswers } from '../../core/ceremony/answers.ts';
import { runRecovery, type RecoveryOutcome } from '../../core/ceremony/kinds/escrow-recovery.ts';
import type { CeremonyResult } from '../../core/ceremony/types.ts';
import { createNodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';
import { fileTokenStore } from '../../core/node/software-token-file.ts';
import { SoftwareToken } from '../../core/tokens/software-token.ts';
import { answersYaml } from '../integration/ceremony/helpers.ts';
import { encodeAnswers } from '../../core/ceremony/answers-writer.ts';
import { runCeremony } from '../../core/ceremony/kinds/root-keygen.ts';
import { runSigning, type SigningOutcome } from '../../core/ceremony/kinds/signing.ts';
import { runRotation, type RotationOutcome } from '../../core/ceremony/kinds/rotation.ts';
import { EXAMPLE_ARTIFACT_NAME, exampleArtifactBytes, exampleSigningRequest } from '../../core/signing/example-request.ts';
import { toHex } from '../../core/encoding/hex.ts';

/** verifier/verify.html in the golden bundle: a fixed stand-in for the built page. */
export const GOLDEN_VERIFIER_PAGE = '<!doctype html>\n<title>Keyrite verifier: stand-in for the golden fixture</title>\n';

export const GOLDEN_CEREMONY_ID = '00112233445566778899aabbccddeeff';
export const GOLDEN_CLOCK = '2026-01-01T09:00:00Z';
export const GOLDEN_FIXTURE = new URL('../fixtures/golden-bundle/', import.meta.url).pathname;
export const GOLDEN_RECOVERY_FIXTURE = new URL('../fixtures/golden-recovery-bundle/', import.meta.url).pathname;
/** The two golden bundles' archives (docs/FORMATS.md "Bundle archive"), as each export writes them next to its folder. */
export const GOLDEN_ARCHIVE = new URL('../fixtures/golden-bundle.keyrite.tar', import.meta.url).pathname;
export const GOLDEN_RECOVERY_ARCHIVE = new URL('../fixtures/golden-recovery-bundle.keyrite.tar', import.meta.url).pathname;
export const GOLDEN_RECOVERY_ID = 'ffeeddccbbaa99887766554433221100';
export const GOLDEN_SIGNING_BUNDLE_FIXTURE = new URL('../fixtures/golden-signing-bundle/', import.meta.url).pathname;
export const GOLDEN_SIGNING_ID = '0123456789abcdeffedcba9876543210';
export const GOLDEN_ROTATION_FIXTURE = new URL('../fixtures/golden-rotation-bundle/', import.meta.url).pathname;
export const GOLDEN_ROTATION_ID = 'aabbccddeeff00112233445566778899';
/** A month after the golden ceremony: a rotation is dated after the key it replaces became active. */
export const GOLDEN_ROTATION_CLOCK = '2026-02-01T09:00:00Z';
const ROTATION_SCRIPT = new URL('../../ceremony-scripts/rotation-rehearsal.yaml', import.meta.url);
const SIGNING_SCRIPT = new URL('../../ceremony-scripts/signing-rehearsal.yaml', import.meta.url);
const SIGNING_TRUSTEES = ['trustee-1', 'trustee-3', 'trustee-5'];
const SCRIPT = new URL('../../ceremony-scripts/root-keygen-3of5-rehearsal.yaml', import.meta.url);
const RECOVERY_SCRIPT = new URL('../../ceremony-scripts/escrow-recovery-rehearsal.yaml', import.meta.url);
const RECOVERY_TRUSTEES = ['trustee-2', 'trustee-4', 'trustee-5'];
const TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5'];
const WITNESS_STEPS = ['check-in', 'enrolled', 'generate', 'import', 'key-generated', 'receipts', 'escrowed', 'co-sign'];

let installed: ((n: number) => Uint8Array) | undefined;

/** Makes every random source of this process a fixed SHA-256 counter stream; returns it. */
export function installDeterministicRandom(label = 'keyrite/golden-bundle/v1'): (n: number) => Uint8Array {
  if (installed) return installed;
  let counter = 0;
  let pool = new Uint8Array(0);
  const seed = utf8(label);
  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      if (pool.length === 0) {
        const block = new Uint8Array(seed.length + 8);
        block.set(seed);
        new DataView(block.buffer).setBigUint64(seed.length, BigInt(counter++));
        pool = sha256(block);
      }
      const k = Math.min(pool.length, n - off);
      out.set(pool.subarray(0, k), off);
      pool = pool.subarray(k);
      off += k;
    }
    return out;
  };
  Object.defineProperty(globalThis.crypto, 'getRandomValues', {
    value: <T extends ArrayBufferView | null>(a: T): T => {
      if (a) new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(take(a.byteLength));
      return a;
    },
    configurable: true,
    writable: true,
  });
  const nodeCrypto = createRequire(import.meta.url)('node:crypto') as { randomBytes: unknown };
  // shamir-secret-sharing reads randomBytes(n).buffer whole: give each result its own ArrayBuffer.
  nodeCrypto.randomBytes = (n: number) => {
    const u = take(n);
    return Buffer.from(u.buffer, 0, n);
  };
  syncBuiltinESMExports();
  installed = take;
  return take;
}

/** 50 fixed, distinct-per-trustee die rolls (a small LCG seeded by `base`; the rolls are test data only). */
export function fixtureDice(base: number, i: number): string {
  let x = base + 7919 * i;
  return Array.from({ length: 50 }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (Math.floor(x / 65536) % 6) + 1;
  }).join(' ');
}

/**
 * Software tokens tokens/<id>.keyrite-token for a fixture ceremony (fast scrypt: fixtures only),
 * labelled "<tag> <id>", each passphrase "<tag in lower case> passphrase of <id>" in the variable
 * <prefix>_PIN_<ID>.
 */
export async function makeFixtureTokens(dir: string, o: { tag: string; envPrefix: string; ids: readonly string[]; clock: string }): Promise<{ env: Record<string, string>; passphrases: Map<string, string>; pinVar: (id: string) => string }> {
  const pinVar = (id: string): string => `${o.envPrefix}_PIN_${id.toUpperCase().replace(/-/g, '_')}`;
  mkdirSync(join(dir, 'tokens'), { recursive: true });
  const env: Record<string, string> = {};
  const passphrases = new Map<string, string>();
  for (const id of o.ids) {
    const pass = `${o.tag.toLowerCase()} passphrase of ${id}`;
    passphrases.set(id, pass);
    env[pinVar(id)] = pass;
    const token = await SoftwareToken.create(fileTokenStore(join(dir, 'tokens', `${id}.keyrite-token`)), {
      label: `${o.tag} ${id}`,
      passphrase: pass,
      scrypt: { N: 2 ** 10, r: 8, p: 1 },
      now: () => new Date(Date.parse(o.clock)),
    });
    await token.close();
  }
  return { env, passphrases, pinVar };
}

/** The answers file of a fixture root ceremony on those tokens (answersYaml): trustees "<tag> Trustee N" with their dice, one witness, every witness step confirmed. */
export function fixtureAnswersText(o: { ceremonyId: string; clock: string; tag: string; trustees: readonly string[]; pinVar: (id: string) => string; dice: (i: number) => string; confirm: readonly string[] }): string {
  return answersYaml({
    top: { ceremonyId: o.ceremonyId, clock: o.clock },
    trustees: o.trustees.map((id, i) => ({ id, name: `${o.tag} Trustee ${i + 1}`, token: { software: `tokens/${id}.keyrite-token` }, pin: { env: o.pinVar(id) }, output: `trustees/${id}`, dice: o.dice(i) })),
    master: { token: { software: 'tokens/master.keyrite-token' }, pin: { env: o.pinVar('master') } },
    confirm: [...o.confirm],
  });
}

export interface GoldenRun {
  dir: string;
  result: CeremonyResult;
  bundleDir: string;
  passphrases: Map<string, string>;
  dice: Map<string, string>;
}

/** The deterministic environment of a golden run whose run folder is `outDir`. */
function goldenEnvironment(dir: string, outDir: string, env: Record<string, string>, confirmations: readonly string[], random: (n: number) => Uint8Array) {
  return createNodeCeremonyEnvironment({
    outDir,
    answersDir: dir,
    env,
    interactive: false,
    confirmations,
    progress: () => undefined,
    random,
    clock: () => new Date(Date.parse(GOLDEN_CLOCK)),
    networkInterfaces: () => [{ name: 'lo', addresses: [{ family: 'IPv4', address: '127.0.0.1', internal: true }] }],
    // The real page changes with every build of the verifier; the fixture pins the formats, not the page.
    verifierPage: async () => utf8(GOLDEN_VERIFIER_PAGE),
  });
}

/** Runs the golden ceremony in `dir` (an empty folder). installDeterministicRandom() must have been called first. */
export async function runGoldenCeremony(dir: string): Promise<GoldenRun> {
  const random = installed;
  if (!random) throw new Error('installDeterministicRandom() first');
  const parsed = parseCeremonyScript(readFileSync(SCRIPT));
  const { env, passphrases, pinVar } = await makeFixtureTokens(dir, { tag: 'Golden', envPrefix: 'GOLDEN', ids: ['master', ...TRUSTEES], clock: GOLDEN_CLOCK });
  const diceBy = new Map(TRUSTEES.map((id, i) => [id, fixtureDice(1000, i)]));
  const text = fixtureAnswersText({ ceremonyId: GOLDEN_CEREMONY_ID, clock: GOLDEN_CLOCK, tag: 'Golden', trustees: TRUSTEES, pinVar, dice: (i) => fixtureDice(1000, i), confirm: WITNESS_STEPS });
  writeFileSync(join(dir, 'answers.yaml'), text);
  const answers = parseAnswers(utf8(text), parsed);
  const ceremonyEnv = goldenEnvironment(dir, join(dir, 'out'), env, answers.confirm, random);
  try {
    const result = await runCeremony({ parsed, answers, env: ceremonyEnv, options: { mldsaSigning: 'deterministic' } });
    return { dir, result, bundleDir: join(dir, 'out', 'bundle'), passphrases, dice: diceBy };
  } finally {
    await ceremonyEnv.close();
  }
}

export interface GoldenRecoveryRun {
  outcome: RecoveryOutcome;
  bundleDir: string;
}

/**
 * The golden escrow recovery behind test/fixtures/golden-recovery-bundle/: trustees 2, 4 and 5
 * of the golden ceremony (run first, in the same process and folder) restore its master key
 * onto a new software token, with a fixed recovery id.
 */
export async function runGoldenRecovery(run: GoldenRun): Promise<GoldenRecoveryRun> {
  const random = installed;
  if (!random) throw new Error('installDeterministicRandom() first');
  const { dir } = run;
  const parsed = parseCeremonyScript(readFileSync(RECOVERY_SCRIPT));
  const { env: newMaster, pinVar } = await makeFixtureTokens(dir, { tag: 'Golden', envPrefix: 'GOLDEN', ids: ['new-master'], clock: GOLDEN_CLOCK });
  const confirm = parsed.script.steps.filter((s) => s.witness).map((s) => s.id);
  const text = encodeAnswers({
    ceremonyId: GOLDEN_RECOVERY_ID,
    participants: [
      { id: 'admin', name: 'Alice Admin', role: 'administrator' },
      ...RECOVERY_TRUSTEES.map((id) => ({
        id,
        name: `Golden Trustee ${id.slice(-1)}`,
        role: 'trustee' as const,
        token: { software: `tokens/${id}.keyrite-token` },
        pin: { env: pinVar(id) },
        keyring: `trustees/${id}/keyring.json`,
        envelope: `trustees/${id}/share-envelope.json`,
      })),
      { id: 'witness', name: 'Grace Witness', role: 'witness' },
    ],
    master: { token: { software: 'tokens/new-master.keyrite-token' }, pin: { env: pinVar('new-master') } },
    bundle: { path: 'out/bundle', trust: run.result.master.fingerprint },
    confirm,
  });
  writeFileSync(join(dir, 'recovery-answers.yaml'), text);
  const answers = parseAnswers(utf8(text), parsed);
  const pins: Record<string, string> = { ...newMaster };
  for (const id of RECOVERY_TRUSTEES) pins[pinVar(id)] = run.passphrases.get(id)!;
  const recoveryEnv = goldenEnvironment(dir, join(dir, 'recovery-out'), pins, answers.confirm, random);
  try {
    const outcome = await runRecovery({ parsed, answers, env: recoveryEnv, options: { mldsaSigning: 'deterministic' } });
    return { outcome, bundleDir: join(dir, 'recovery-out', 'bundle') };
  } finally {
    await recoveryEnv.close();
  }
}

export interface GoldenSigningRun {
  outcome: SigningOutcome;
  bundleDir: string;
  /** The run folder's signed/ (each document next to its envelope). */
  signedDir: string;
}

/**
 * The golden signing ceremony behind test/fixtures/golden-signing-bundle/: trustees 1, 3 and 5
 * of the golden ceremony (run first, in the same process and folder; the recovery may run in
 * between, as in golden.test.ts and build/regenerate-golden.ts, and then must) unlock its master
 * key, whose classical half signs on the golden master token, to sign the example request made
 * at the golden clock from its own fixed stream (not the process's), with a fixed signing id.
 */
export async function runGoldenSigning(run: GoldenRun): Promise<GoldenSigningRun> {
  const random = installed;
  if (!random) throw new Error('installDeterministicRandom() first');
  const { dir } = run;
  const parsed = parseCeremonyScript(readFileSync(SIGNING_SCRIPT));
  let counter = 0;
  const requestStream = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 32) out.set(sha256(utf8(`keyrite/golden-signing-request/v1 ${counter++}`)).subarray(0, Math.min(32, n - i)), i);
    return out;
  };
  const request = exampleSigningRequest(new Date(Date.parse(GOLDEN_CLOCK)), requestStream);
  writeFileSync(join(dir, 'signing-request.json'), request);
  writeFileSync(join(dir, EXAMPLE_ARTIFACT_NAME), exampleArtifactBytes());
  const pinVar = (id: string): string => `GOLDEN_PIN_${id.toUpperCase().replace(/-/g, '_')}`;
  const text = encodeAnswers({
    ceremonyId: GOLDEN_SIGNING_ID,
    participants: [
      { id: 'admin', name: 'Alice Admin', role: 'administrator' },
      ...SIGNING_TRUSTEES.map((id) => ({
        id,
        name: `Golden Trustee ${id.slice(-1)}`,
        role: 'trustee' as const,
        token: { software: `tokens/${id}.keyrite-token` },
        pin: { env: pinVar(id) },
        keyring: `trustees/${id}/keyring.json`,
        envelope: `trustees/${id}/share-envelope.json`,
      })),
      { id: 'witness', name: 'Grace Witness', role: 'witness' },
    ],
    master: { token: { software: 'tokens/master.keyrite-token' }, pin: { env: pinVar('master') } },
    bundle: { path: 'out/bundle', trust: run.result.master.fingerprint },
    request: { path: 'signing-request.json', sha256: toHex(sha256(request)) },
    confirm: parsed.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
  writeFileSync(join(dir, 'signing-answers.yaml'), text);
  const answers = parseAnswers(utf8(text), parsed);
  const pins: Record<string, string> = {};
  for (const id of ['master', ...SIGNING_TRUSTEES]) pins[pinVar(id)] = run.passphrases.get(id)!;
  const signingEnv = goldenEnvironment(dir, join(dir, 'signing-out'), pins, answers.confirm, random);
  try {
    const outcome = await runSigning({ parsed, answers, env: signingEnv, options: { mldsaSigning: 'deterministic' } });
    return { outcome, bundleDir: join(dir, 'signing-out', 'bundle'), signedDir: join(dir, 'signing-out', 'signed') };
  } finally {
    await signingEnv.close();
  }
}

export interface GoldenRotationRun {
  outcome: RotationOutcome;
  bundleDir: string;
}

/**
 * The golden rotation behind test/fixtures/golden-rotation-bundle/ (with the golden bundle, the
 * golden 2-link chain): every trustee of the golden ceremony (run first, in the same process and
 * folder; the recovery and the signing ceremony run in between, as in golden.test.ts and
 * build/regenerate-golden.ts, and then must) unlocks its master key and receives a share of the
 * new key, made on a new software token from their fixed dice, at GOLDEN_ROTATION_CLOCK with a
 * fixed rotation id.
 */
export async function runGoldenRotation(run: GoldenRun): Promise<GoldenRotationRun> {
  const random = installed;
  if (!random) throw new Error('installDeterministicRandom() first');
  const { dir } = run;
  const parsed = parseCeremonyScript(readFileSync(ROTATION_SCRIPT));
  const { env: nextMaster, pinVar } = await makeFixtureTokens(dir, { tag: 'Golden', envPrefix: 'GOLDEN', ids: ['next-master'], clock: GOLDEN_ROTATION_CLOCK });
  const text = encodeAnswers({
    ceremonyId: GOLDEN_ROTATION_ID,
    clock: GOLDEN_ROTATION_CLOCK,
    participants: [
      { id: 'admin', name: 'Alice Admin', role: 'administrator' },
      ...TRUSTEES.map((id, i) => ({
        id,
        name: `Golden Trustee ${i + 1}`,
        role: 'trustee' as const,
        token: { software: `tokens/${id}.keyrite-token` },
        pin: { env: pinVar(id) },
        keyring: `trustees/${id}/keyring.json`,
        envelope: `trustees/${id}/share-envelope.json`,
        output: `rotation-trustees/${id}`,
        dice: fixtureDice(2000, i),
      })),
      { id: 'witness', name: 'Grace Witness', role: 'witness' },
    ],
    master: { token: { software: 'tokens/next-master.keyrite-token' }, pin: { env: pinVar('next-master') } },
    bundle: { path: 'out/bundle', trust: run.result.master.fingerprint },
    confirm: parsed.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
  writeFileSync(join(dir, 'rotation-answers.yaml'), text);
  const answers = parseAnswers(utf8(text), parsed);
  const pins: Record<string, string> = { ...nextMaster };
  for (const id of TRUSTEES) pins[pinVar(id)] = run.passphrases.get(id)!;
  const rotationEnv = goldenEnvironment(dir, join(dir, 'rotation-out'), pins, answers.confirm, random);
  try {
    const outcome = await runRotation({ parsed, answers, env: rotationEnv, options: { mldsaSigning: 'deterministic' } });
    return { outcome, bundleDir: join(dir, 'rotation-out', 'bundle') };
  } finally {
    await rotationEnv.close();
  }
}
