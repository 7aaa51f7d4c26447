/**
 * What a signed document says about the ceremony that signed it (docs/FORMATS.md "Signed
 * documents"): the ceremony id, live or rehearsal, the request's SHA-256 and the time the request
 * was confirmed. The same members in the endorsement's "keyrite" object and the statement's predicate.
 */
import { KeyriteError } from '../errors.ts';
import { parseUtcSecond } from './fields.ts';

export type SigningMode = 'live' | 'rehearsal';

export interface CeremonyFacts {
  readonly ceremonyId: string;
  readonly mode: SigningMode;
  readonly requestSha256: string;
  readonly signedAt: string;
}

export const CEREMONY_ID_PATTERN = /^[0-9a-f]{32}$/;

/** Throws `code` with a sentence unless the facts are well formed; `what` names where they were read. */
export function assertCeremonyFacts(facts: Record<string, unknown>, what: string, code: 'INVALID_INPUT' | 'INVALID_ENCODING'): asserts facts is Record<string, unknown> & CeremonyFacts {
  const bad = (problem: string): never => {
    throw new KeyriteError(code, `The ${what} ${problem}.`);
  };
  if (typeof facts.ceremonyId !== 'string' || !CEREMONY_ID_PATTERN.test(facts.ceremonyId)) bad('"ceremonyId" is not 32 lowercase hex digits');
  if (facts.mode !== 'live' && facts.mode !== 'rehearsal') bad('"mode" is neither "live" nor "rehearsal"');
  if (typeof facts.requestSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(facts.requestSha256)) bad('"requestSha256" is not 64 lowercase hex digits');
  if (parseUtcSecond(facts.signedAt) === undefined) bad('"signedAt" is not a UTC time written YYYY-MM-DDTHH:MM:SSZ');
}
