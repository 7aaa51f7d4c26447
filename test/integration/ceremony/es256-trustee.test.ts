/**
 * A trustee whose token has no Ed25519 (DESIGN.md: "ECDSA P-256 where a trustee's token has no
 * Ed25519"): the engine gives them an ES256 signing key, and their receipts, checkpoint lines
 * (the ES256 note signature type) and statement signatures (P-256 kid) are checked like the
 * others; the bundle names their key trustee-2.p-256.spki.pem.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { utf8 } from '../../../core/bytes.ts';
import { parseCeremonyScript } from '../../../core/script/script.ts';
import { parseAnswers } from '../../../core/ceremony/answers.ts';
import { createNodeCeremonyEnvironment } from '../../../core/node/ceremony-environment.ts';
import type { KeyriteToken } from '../../../core/tokens/token.ts';
import { answersYaml, journalEntries, makeRehearsalFixture, REHEARSAL_SCRIPT, type RehearsalFixture } from './helpers.ts';
import { runCeremony } from '../../../core/ceremony/kinds/root-keygen.ts';

let f: RehearsalFixture;
after(() => rmSync(f.dir, { recursive: true, force: true }));

/** The same token, reporting no Ed25519 capability. */
function withoutEd25519(t: KeyriteToken): KeyriteToken {
  return new Proxy(t, {
    get(target, prop) {
      if (prop === 'describe') return async () => {
        const d = await target.describe();
        return { ...d, capabilities: { ...d.capabilities, ed25519: false } };
      };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

test('a trustee token without Ed25519 gets an ES256 identity that counts in every signature check', async () => {
  f = await makeRehearsalFixture('keyrite-es256-');
  const parsed = parseCeremonyScript(readFileSync(REHEARSAL_SCRIPT));
  const answers = parseAnswers(utf8(answersYaml(f.spec)), parsed);
  const base = createNodeCeremonyEnvironment({ outDir: f.outDir, answersDir: f.dir, env: f.env, interactive: false, confirmations: answers.confirm, progress: () => undefined });
  const env = { ...base, tokens: { open: async (req: Parameters<typeof base.tokens.open>[0]) => {
    const t = await base.tokens.open(req);
    return req.participantId === 'trustee-2' ? withoutEd25519(t) : t;
  } } };
  try {
    const result = await runCeremony({ parsed, answers, env });
    assert.equal(result.checks.every((c) => c.ok), true);
  } finally {
    await base.close();
  }
  const entries = journalEntries(f.outDir);
  const t2 = entries.find((e) => e.type === 'participant.check-in' && e.body.participantId === 'trustee-2')!;
  assert.equal((t2.body.classical as { alg: string }).alg, 'ES256');
  assert.equal(((t2.body.classical as { jwk: { crv: string } }).jwk).crv, 'P-256');
  assert.ok(existsSync(join(f.outDir, 'bundle', 'keys', 'trustee-2.p-256.spki.pem')));
  const receipt = entries.find((e) => e.type === 'share.receipt' && e.body.trusteeId === 'trustee-2')!;
  assert.equal(((receipt.body.receipt as { body: { sig: string } }).body).sig, 'ES256+ML-DSA-65');
  assert.match(readFileSync(join(f.outDir, 'bundle', 'keys', 'fingerprints.txt'), 'utf8'), /trustee trustee-2 \(Trustee Number 2\) \(ES256 \+ ML-DSA-65\)/);
});
