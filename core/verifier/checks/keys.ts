/**
 * The key files, each read back and compared with the keys the transcript records (never
 * rebuilt by the writer's code): keys/jwks.json holds exactly the master's and every trustee's
 * two public keys in order (kid = RFC 7638 thumbprint, canonical JSON), each keys/*.spki.pem
 * holds its key in the one PEM form Keyrite writes, and keys/fingerprints.txt states each
 * principal's fingerprint, name and algorithms. Every recorded fingerprint is its keys'.
 */
import { equalBytes, fromUtf8, utf8 } from '../../bytes.ts';
import { encodeJwks, parseJwks, type JwksEntry } from '../../encoding/jwks.ts';
import { pemToPublicKey, publicKeyToPem } from '../../encoding/pem.ts';
import { expectObject } from '../../encoding/json-fields.ts';
import type { HybridPublicKey } from '../../crypto/hybrid.ts';
import { parseFingerprintsFile } from '../../bundle/fingerprints-file.ts';
import { FINGERPRINTS_FILE, JWKS_FILE, POLICY_FILE, PREVIOUS_MASTER } from '../../bundle/layout.ts';
import { fingerprintHex, publicKeyAlgOf } from '../../bundle/principals.ts';
import { oneLine } from '../../bundle/text-template.ts';
import { fail, type Check } from '../check-list.ts';
import type { VerifyContext } from '../context.ts';
import { expectedPemFiles } from './files.ts';

function principalsOf(ctx: VerifyContext): { id: string; publicKey: HybridPublicKey }[] {
  return [{ id: 'master', publicKey: ctx.master!.publicKey }, ...(ctx.kind === 'rotation' ? [{ id: PREVIOUS_MASTER, publicKey: ctx.previousMaster!.publicKey }] : []), ...ctx.trustees];
}

function checkJwks(ctx: VerifyContext): number {
  const bytes = ctx.file(JWKS_FILE);
  const keys = parseJwks(fromUtf8(bytes), JWKS_FILE);
  const expected = principalsOf(ctx).flatMap((p): JwksEntry[] => [{ alg: publicKeyAlgOf(p.publicKey.classical.alg), publicKey: p.publicKey.classical.publicKey }, { alg: 'ML-DSA-65', publicKey: p.publicKey.pq.publicKey }]);
  const same = keys.length === expected.length && keys.every((k, i) => k.alg === expected[i]!.alg && equalBytes(k.publicKey, expected[i]!.publicKey));
  if (!same) fail(`keys/jwks.json does not hold exactly the master${ctx.kind === 'rotation' ? ', previous master' : ''} and trustee keys of the transcript.`);
  if (!equalBytes(bytes, utf8(encodeJwks(expected) + '\n'))) fail('keys/jwks.json is not in the form Keyrite writes (canonical JSON, each key with only its public members and its thumbprint as kid).');
  return keys.length;
}

function checkPems(ctx: VerifyContext): number {
  const keyOf = new Map(principalsOf(ctx).map((p) => [p.id, p.publicKey]));
  const pems = expectedPemFiles(ctx);
  for (const [name, { who, half }] of pems) {
    const pub = keyOf.get(who)!;
    const alg = half === 'classical' ? publicKeyAlgOf(pub.classical.alg) : 'ML-DSA-65';
    const key = half === 'classical' ? pub.classical.publicKey : pub.pq.publicKey;
    const decoded = pemToPublicKey(fromUtf8(ctx.file(name)), name);
    if (decoded.alg !== alg || !equalBytes(decoded.publicKey, key)) fail(`${name} holds another key than the transcript.`);
    if (!equalBytes(ctx.file(name), utf8(publicKeyToPem(alg, key)))) fail(`${name} is not in the form Keyrite writes (its text was changed).`);
  }
  const stray = [...ctx.files.keys()].filter((p) => p.startsWith('keys/') && p.endsWith('.spki.pem') && !pems.has(p));
  if (stray.length > 0) fail(`The bundle holds PEM files for keys that are not the ceremony's: ${stray.join(', ')}.`);
  return pems.size;
}

function checkFingerprintsFile(ctx: VerifyContext): void {
  const f = parseFingerprintsFile(ctx.file(FINGERPRINTS_FILE));
  const keyLabel = String(expectObject(ctx.json(POLICY_FILE).master, 'master in policy.json').keyLabel);
  const master = ctx.master!;
  const trustees = ctx.trustees;
  const same =
    f.kind === ctx.kind &&
    f.ceremonyId === ctx.facts!.ceremonyId &&
    f.master.keyLabel === oneLine(keyLabel) &&
    f.master.fingerprint === master.fingerprint &&
    f.trustees.length === trustees.length &&
    f.trustees.every((t, i) => t.id === trustees[i]!.id && t.name === oneLine(trustees[i]!.name) && t.alg === trustees[i]!.publicKey.classical.alg && t.fingerprint === trustees[i]!.fingerprint);
  if (!same) fail('keys/fingerprints.txt does not match the keys.');
}

export const keys: Check<VerifyContext> = {
  name: 'keys',
  needs: ['transcript-structure'],
  run(ctx) {
    const m = ctx.master!;
    if (fingerprintHex(m.publicKey) !== m.fingerprint) fail('The recorded master fingerprint does not match its keys.');
    for (const t of ctx.trustees) if (fingerprintHex(t.publicKey) !== t.fingerprint) fail(`The fingerprint of trustee ${t.id} does not match their keys.`);
    const jwks = checkJwks(ctx);
    const pems = checkPems(ctx);
    checkFingerprintsFile(ctx);
    return `${jwks} public keys: JWKS, ${pems} PEM files and fingerprints.txt agree with the transcript; master ${m.fingerprint}`;
  },
};
