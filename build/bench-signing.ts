// Signing figures for `npm run bench`: a relying party's check of one endorsement, in process
// (core/signing/check-signature.ts) and as a whole `keyrite check-signature` process (spawned
// bin/keyrite.mjs, the built CLI: node start-up and module loading included, what a script pays).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
