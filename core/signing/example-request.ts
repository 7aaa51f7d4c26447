/**
 * The example signing request `keyrite demo` writes for a rehearsal: two operational keys (an
 * Ed25519 release-signing key and an X-Wing backup-encryption key, valid for a year) and one
 * artifact, the demo's release file. The keys are public keys made from `random` seeds; the
 * seeds are wiped here, so nobody holds their private halves: they are examples only.
 */
import { utf8 } from '../bytes.ts';
import { ed25519PublicKey } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/hash.ts';
import { wipe } from '../crypto/wipe.ts';
import { xwingKeyFromSeed, XWING_SEED_LENGTH } from '../crypto/xwing.ts';
import { toBase64url } from '../encoding/base64url.ts';
import { toHex } from '../encoding/hex.ts';
import { formatUtcSecond } from './fields.ts';
import { SIGNING_REQUEST_FORMAT } from './request.ts';

export const EXAMPLE_ARTIFACT_NAME = 'keyrite-demo-release.txt';
const EXAMPLE_VALIDITY_DAYS = 365;

/** The demo's release file: the artifact the example request asks to sign. */
export function exampleArtifactBytes(): Uint8Array {
  return utf8('Keyrite demo release 1.0\nThis file stands for a release that a signing ceremony signs by its SHA-256.\n');
}

export function exampleSigningRequest(now: Date, random: (n: number) => Uint8Array): Uint8Array {
  const nbfMs = Math.floor(now.getTime() / 1000) * 1000;
  const nbf = formatUtcSecond(new Date(nbfMs));
  const exp = formatUtcSecond(new Date(nbfMs + EXAMPLE_VALIDITY_DAYS * 86_400_000));
  const year = nbf.slice(0, 4);
  const edSeed = random(32);
  const edPublic = ed25519PublicKey(edSeed);
  const xwSeed = random(XWING_SEED_LENGTH);
  const xw = xwingKeyFromSeed(xwSeed);
  wipe(edSeed, xwSeed, xw.secretKey);
  const artifact = exampleArtifactBytes();
  const request = {
    format: SIGNING_REQUEST_FORMAT,
    title: 'Rehearsal: endorse this year\'s release-signing and backup-encryption keys and sign the demo release',
    keys: [
      { kty: 'OKP', crv: 'Ed25519', x: toBase64url(edPublic), kid: `release-signing-${year}`, use: 'sig', label: 'release-signing', nbf, exp },
      { kty: 'AKP', alg: 'X-Wing', pub: toBase64url(xw.publicKey), kid: `backup-encryption-${year}`, use: 'enc', label: 'backup-encryption', nbf, exp },
    ],
    artifacts: [{ name: EXAMPLE_ARTIFACT_NAME, size: artifact.length, sha256: toHex(sha256(artifact)) }],
  };
  return utf8(`${JSON.stringify(request, null, 2)}\n`);
}
