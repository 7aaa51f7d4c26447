/**
 * JWK Set (RFC 7517 §5) as Keyrite writes it in a bundle (keys/jwks.json):
 * {"keys":[…]} in RFC 8785 canonical form, each key a public JWK with kid = its RFC 7638
 * thumbprint, in the order given. Reading is strict: "keys" is the only top-level member,
 * every key passes parsePublicJwk (thumbprint.ts), and the same key may not appear twice.
 */
import { KeyriteError } from '../errors.ts';
import { canonicalize } from './jcs.ts';
import { parseJsonStrict } from './json.ts';
import type { PublicKeyAlg } from './public-key.ts';
import { parsePublicJwk, publicKeyToJwkWithKid, type ParsedPublicJwk } from './thumbprint.ts';

export interface JwksEntry {
  alg: PublicKeyAlg;
  publicKey: Uint8Array;
}

/** The canonical JSON text of a JWK Set holding `keys` (no trailing newline). */
export function encodeJwks(keys: readonly JwksEntry[]): string {
  if (!Array.isArray(keys)) throw new KeyriteError('INVALID_INPUT', 'A JWK Set needs a list of keys.');
  const jwks = keys.map((k) => publicKeyToJwkWithKid(k.alg, k.publicKey));
  const seen = new Set<string>();
  for (const j of jwks) {
    if (seen.has(j.kid!)) throw new KeyriteError('INVALID_INPUT', `The same key is listed twice in the JWK Set (${j.kid}).`);
    seen.add(j.kid!);
  }
  return canonicalize({ keys: jwks });
}

/** Reads a JWK Set from its JSON text; `what` names the file in error messages. */
export function parseJwks(text: string, what = 'JWK Set'): ParsedPublicJwk[] {
  const doc = parseJsonStrict(text, what);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new KeyriteError('INVALID_KEY', `The ${what} must be a JSON object with a "keys" list.`);
  const names = Object.keys(doc);
  if (names.length !== 1 || names[0] !== 'keys') throw new KeyriteError('INVALID_KEY', `The ${what} must have exactly one member, "keys".`);
  const keys = (doc as { keys: unknown }).keys;
  if (!Array.isArray(keys)) throw new KeyriteError('INVALID_KEY', `The "keys" member of the ${what} must be a list.`);
  const out: ParsedPublicJwk[] = [];
  const seen = new Set<string>();
  keys.forEach((jwk, i) => {
    let parsed: ParsedPublicJwk;
    try {
      parsed = parsePublicJwk(jwk);
    } catch (e) {
      if (e instanceof KeyriteError) throw new KeyriteError(e.code, `Key ${i + 1} of the ${what}: ${e.message}`, { cause: e });
      throw e;
    }
    if (seen.has(parsed.thumbprint)) throw new KeyriteError('INVALID_KEY', `Key ${i + 1} of the ${what} repeats an earlier key (${parsed.thumbprint}).`);
    seen.add(parsed.thumbprint);
    out.push(parsed);
  });
  return out;
}
