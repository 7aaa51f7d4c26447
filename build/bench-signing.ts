// Signing figures for `npm run bench`:
//  - check-signature: a relying party's check of one endorsement, in process
//    (core/signing/check-signature.ts) and as a whole `keyrite check-signature` process (spawned
//    bin/keyrite.mjs, the built CLI: node start-up and module loading included, what a script pays);
//  - signing-ceremony: a whole signing ceremony of the example request (3 of 5 trustees) on
//    software tokens and on SoftHSM2, with each step's time from the transcript.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ed25519PublicKey, ed25519Sign } from '../core/crypto/ed25519.ts';
import { mldsa65KeyFromSeed, mldsa65Sign } from '../core/crypto/mldsa65.ts';
import { randomBytes } from '../core/crypto/random.ts';
import { pae } from '../core/encoding/dsse.ts';
import { parseFingerprint } from '../core/encoding/fingerprint.ts';
import type { HybridPublicKey } from '../core/crypto/hybrid.ts';
import { fingerprintHex } from '../core/bundle/principals.ts';
import { checkSignedDocument } from '../core/signing/check-signature.ts';
import { documentsToSign, signedEnvelope } from '../core/signing/documents.ts';
import { exampleSigningRequest } from '../core/signing/example-request.ts';
import { parseSigningRequest } from '../core/signing/request.ts';
import { PASSPHRASE_FILE, runDemo, shippedScript } from '../cli/commands/demo.ts';
import { runCli } from '../cli/main.ts';
import { createSoftHsm, pkcs11ToolAvailable, softHsmAvailable } from '../test/helpers/softhsm.ts';
import { emptyNetworkNamespace } from '../test/helpers/netns.ts';
import { rootThenSigningOnSoftHsm, stepMs } from '../test/helpers/softhsm-signing.ts';

const ROUNDS = 50;
const PROCESS_ROUNDS = 5;
const BIN = new URL('../bin/keyrite.mjs', import.meta.url).pathname;

export const SIGNING_BENCHMARK = {
  name: 'check-signature',
  description: `a relying party checks the example endorsement (2 keys) against the master fingerprint: parse the request and make its documents, checkSignedDocument in process (mean of ${ROUNDS}), and the whole keyrite check-signature process (node bin/keyrite.mjs, built CLI, mean of ${PROCESS_ROUNDS})`,
  async run(dir: string): Promise<Record<string, unknown>> {
    const now = new Date();
    const edSeed = randomBytes(32);
    const ml = mldsa65KeyFromSeed(randomBytes(32));
    const issuer: HybridPublicKey = { classical: { alg: 'Ed25519', publicKey: ed25519PublicKey(edSeed) }, pq: { alg: 'ML-DSA-65', publicKey: ml.publicKey } };
    const t0 = performance.now();
    const request = parseSigningRequest(exampleSigningRequest(now, randomBytes), { maxValidityDays: 366, maxKeys: 10, maxArtifacts: 10 }, now);
    const [doc] = documentsToSign(request, { ceremonyId: '00112233445566778899aabbccddeeff', mode: 'rehearsal', requestSha256: request.sha256, signedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), issuer });
    const requestAndDocumentsMs = Math.round((performance.now() - t0) * 1000) / 1000;
    const m = pae(doc!.payloadType, doc!.bytes);
    const envelope = signedEnvelope(doc!, issuer, { classical: ed25519Sign(edSeed, m), pq: mldsa65Sign(ml.secretKey, m) });
    const fp = fingerprintHex(issuer);
    const trust = parseFingerprint(fp);
    const t1 = performance.now();
    for (let i = 0; i < ROUNDS; i++) if (!checkSignedDocument({ document: doc!.bytes, envelope, trust, now }).ok) throw new Error('the check failed');
    const checkInProcessMs = Math.round(((performance.now() - t1) / ROUNDS) * 1000) / 1000;
    const docPath = join(dir, doc!.name);
    writeFileSync(docPath, doc!.bytes, { flag: 'wx' });
    writeFileSync(`${docPath}.dsse.json`, envelope, { flag: 'wx' });
    const times: number[] = [];
    for (let i = 0; i < PROCESS_ROUNDS; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [BIN, 'check-signature', docPath, '--signature', `${docPath}.dsse.json`, '--trust', fp, '--json'], { encoding: 'utf8' });
      times.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`keyrite check-signature exited ${r.status}: ${r.stderr.trim()} (run npm run build first)`);
    }
    return {
      requestAndDocumentsMs,
      checkInProcessMs,
      checkSignatureProcessMs: Math.round(times.reduce((a, b) => a + b, 0) / times.length),
      checkSignatureProcessMinMs: Math.round(Math.min(...times)),
      documentBytes: doc!.bytes.length,
      envelopeBytes: envelope.length,
      rounds: ROUNDS,
      processRounds: PROCESS_ROUNDS,
    };
  },
};

/** The built CLI (bin/keyrite.mjs) as a child process under `wrap`, its output collected. */
function builtKeyrite(wrap: string[]) {
  return (argv: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(wrap[0]!, [...wrap.slice(1), process.execPath, BIN, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
}

/** The steps whose compute matters, in script order; the others (gates, selection) take a few ms. */
const CEREMONY_STEPS = ['self-test', 'verify-bundle', 'login-master', 'check-in', 'quorum-present', 'check-request', 'collect-share', 'combine', 'sign', 'signed', 'co-sign+export'];

function pickSteps(ms: Record<string, number>): Record<string, number> {
  return Object.fromEntries(CEREMONY_STEPS.map((id) => [id, ms[id]!]));
}

export const SIGNING_CEREMONY_BENCHMARK = {
  name: 'signing-ceremony',
  description:
    'a signing ceremony of the example request (2 keys, 1 artifact; 3 of 5 trustees unlock the key, the Ed25519 half signs on the master token): ' +
    'softwareTokens = the rehearsal script on a demo (scrypt N=2^15 software tokens), keyrite ceremony run in process; ' +
    'softHsm = the live root then the live signing script on SoftHSM2, each a built keyrite process in an empty network namespace (node start-up included in processMs); ' +
    'stepsMs = each step from its transcript step.start/step.end times, co-sign+export until the run returned (the demo and the root ceremony are not counted)',
  async run(dir: string): Promise<Record<string, unknown>> {
    if (!softHsmAvailable() || !pkcs11ToolAvailable()) throw new Error('SoftHSM2 (softhsm2-util and its module) and OpenSC pkcs11-tool are needed for the signing-ceremony benchmark');
    const demo = join(dir, 'demo');
    await runDemo({ outDir: demo });
    const pins: Record<string, string> = {};
    for (const f of ['master', 'trustees/trustee-1', 'trustees/trustee-2', 'trustees/trustee-3']) {
      for (const line of readFileSync(join(demo, f, PASSPHRASE_FILE), 'utf8').split('\n')) {
        const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line.trim());
        if (m) pins[m[1]!] = m[2]!;
      }
    }
    const t0 = performance.now();
    const code = await runCli(['ceremony', 'run', shippedScript('signing-rehearsal.yaml').pathname, '--answers', join(demo, 'signing-answers.yaml'), '--out', join(demo, 'sign'), '--json'], {
      stdout: () => undefined,
      stderr: () => undefined,
      env: pins,
      cwd: process.cwd(),
    });
    const softwareMs = Math.round(performance.now() - t0);
    const endedAt = Date.now();
    if (code !== 0) throw new Error(`keyrite ceremony run signing-rehearsal.yaml exited ${code}`);
    const softwareSteps = pickSteps(stepMs(join(demo, 'sign'), endedAt));

    const hsm = createSoftHsm(['Keyrite Root', 'Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5'], { setProcessEnv: false });
    try {
      mkdirSync(join(dir, 'hsm'));
      const run = await rootThenSigningOnSoftHsm(join(dir, 'hsm'), hsm, builtKeyrite(emptyNetworkNamespace()));
      if (run.signing.code !== 0) throw new Error(`the signing ceremony on SoftHSM exited ${run.signing.code}: ${run.signing.stderr.trim()} (run npm run build first)`);
      return {
        softwareTokens: { commandMs: softwareMs, stepsMs: softwareSteps },
        softHsm: { processMs: run.signingMs, stepsMs: pickSteps(stepMs(run.out, run.endedAt)) },
      };
    } finally {
      hsm.cleanup();
    }
  },
};
