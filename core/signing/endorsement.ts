/**
 * `endorsed-keys.jwks.json` (docs/FORMATS.md "Signed documents"): a JWK Set (RFC 7517 §5) of
 * the endorsed operational keys with a "keyrite" member naming the issuer and the ceremony.
 * Written as canonical JSON (RFC 8785) without a trailing newline; read closed-world.
 */
import { KeyriteError } from '../errors.ts';
import { canonicalBytes } from '../encoding/jcs.ts';
import { parseJsonUtf8 } from '../encoding/json.ts';
import { assertCeremonyFacts, type CeremonyFacts } from './context.ts';
import { readEndorsedKey, type EndorsedKey, type ReadEndorsedKey } from './endorsed-key.ts';
import type { IssuerMember } from './issuer.ts';
import { has, isObject } from './fields.ts';
import { MAX_KEYS_PER_REQUEST } from './request.ts';

export const ENDORSEMENT_FORMAT = 'keyrite/endorsement/v1';

export function endorsementBytes(keys: readonly EndorsedKey[], issuer: IssuerMember, facts: CeremonyFacts): Uint8Array {
  return canonicalBytes({
    keys: keys.map((k) => k.jwk),
    keyrite: { format: ENDORSEMENT_FORMAT, issuer, ceremonyId: facts.ceremonyId, mode: facts.mode, requestSha256: facts.requestSha256, signedAt: facts.signedAt },
  });
}

export interface ReadEndorsement extends CeremonyFacts {
  readonly keys: readonly ReadEndorsedKey[];
  /** Unread: the issuer check reads it (issuer.ts). */
  readonly issuer: unknown;
}

function bad(problem: string): never {
  throw new KeyriteError('INVALID_ENCODING', `The endorsement ${problem}.`);
}

/** Reads an endorsement document; every key passes the same checks as in a request (times aside). */
export function readEndorsement(bytes: Uint8Array, maxBytes: number): ReadEndorsement {
  const doc = parseJsonUtf8(bytes, 'endorsement', { maxLength: maxBytes, maxDepth: 8 });
  if (!isObject(doc) || Object.keys(doc).length !== 2 || !has(doc, 'keys') || !has(doc, 'keyrite')) bad('must be a JSON object with exactly the members "keys" and "keyrite"');
  const meta = doc.keyrite;
  if (!isObject(meta)) return bad('"keyrite" member is not a JSON object');
  const members = ['format', 'issuer', 'ceremonyId', 'mode', 'requestSha256', 'signedAt'];
  if (Object.keys(meta).length !== members.length || members.some((m) => !has(meta, m))) bad(`"keyrite" member must have exactly the members ${members.join(', ')}`);
  if (meta.format !== ENDORSEMENT_FORMAT) bad(`"keyrite" format is not "${ENDORSEMENT_FORMAT}"`);
  assertCeremonyFacts(meta, 'endorsement', 'INVALID_ENCODING');
  const list = doc.keys;
  if (!Array.isArray(list) || list.length === 0) return bad('"keys" is not a non-empty list');
  if (list.length > MAX_KEYS_PER_REQUEST) bad(`lists ${list.length} keys, more than a signing request may hold (${MAX_KEYS_PER_REQUEST})`);
  const seen = new Set<string>();
  const keys = list.map((k, i) => {
    const key = readEndorsedKey(k, `Key ${i + 1} of the endorsement`, 'INVALID_ENCODING');
    if (seen.has(key.kid)) bad(`lists the kid "${key.kid}" twice`);
    seen.add(key.kid);
    return key;
  });
  return { keys, issuer: meta.issuer, ceremonyId: meta.ceremonyId, mode: meta.mode, requestSha256: meta.requestSha256, signedAt: meta.signedAt };
}
