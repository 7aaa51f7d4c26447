/** Fixtures and assertions shared by the ceremony script and answers tests. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KeyriteError } from '../../../core/errors.ts';
import type { ErrorCode } from '../../../core/errors.ts';
import { parseCeremonyScript } from '../../../core/script/script.ts';
import type { ParsedCeremonyScript } from '../../../core/script/script.ts';

const root = new URL('../../../', import.meta.url);

export function shippedScriptText(name: string): string {
  return readFileSync(new URL(`ceremony-scripts/${name}`, root), 'utf8');
}

export const LIVE = 'root-keygen-3of5.yaml';
export const REHEARSAL = 'root-keygen-3of5-rehearsal.yaml';
export const RECOVERY = 'escrow-recovery.yaml';

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function parseScriptText(text: string): ParsedCeremonyScript {
  return parseCeremonyScript(bytes(text));
}

/** Replaces the one occurrence of `from` (fails the test when it is missing or repeated). */
export function replaceOnce(text: string, from: string, to: string): string {
  const i = text.indexOf(from);
  assert.ok(i >= 0, `fixture does not contain ${JSON.stringify(from)}`);
  assert.equal(text.indexOf(from, i + 1), -1, `fixture contains ${JSON.stringify(from)} more than once`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

/** 1-based line of the one occurrence of `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `text does not contain ${JSON.stringify(needle)}`);
  assert.equal(text.indexOf(needle, i + 1), -1, `text contains ${JSON.stringify(needle)} more than once`);
  return text.slice(0, i).split('\n').length;
}

/**
 * Asserts `fn` throws a KeyriteError with `code` whose message names `line` (when given)
 * and matches every pattern. Returns the error for further checks.
 */
export function expectInvalid(fn: () => unknown, code: ErrorCode, line: number | undefined, ...patterns: RegExp[]): KeyriteError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'expected an error, but parsing succeeded');
  assert.ok(caught instanceof KeyriteError, `expected a KeyriteError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (line !== undefined) assert.match(caught.message, new RegExp(`line ${line}, column \\d+`), caught.message);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

const DICE_50 = Array.from({ length: 50 }, (_, i) => String((i * 7) % 6 + 1)).join(' ');

function trustee(i: number, token: string, extra: string): string {
  return `  - id: trustee-${i}
    name: Trustee Number ${i}
    role: trustee
    token: ${token}
    pin: { env: KEYRITE_PIN_TRUSTEE_${i} }
${extra}`;
}

/** Answers for ceremony-scripts/root-keygen-3of5.yaml (live). */
export const LIVE_ANSWERS = `keyrite-answers: 1
participants:
  - id: admin
    name: Alice Admin
    role: administrator
${[1, 2, 3, 4, 5].map((i) => trustee(i, `{ uri: "pkcs11:token=Trustee%20${i};serial=000${i}" }`, `    output: trustees/trustee-${i}\n${i === 1 ? `    entropy: { dice: "${DICE_50}" }\n` : ''}`)).join('')}  - id: witness-1
    name: Carol Witness
    role: witness
master:
  pin: { env: KEYRITE_PIN_MASTER }
confirm: [check-in, generate]
`;

/** Answers for ceremony-scripts/root-keygen-3of5-rehearsal.yaml. */
export const REHEARSAL_ANSWERS = `keyrite-answers: 1
ceremony-id: 0123456789abcdef0123456789abcdef
clock: 2026-01-01T09:00:00Z
participants:
  - id: admin
    name: Alice Admin
    role: administrator
${[1, 2, 3, 4, 5].map((i) => trustee(i, `{ software: tokens/trustee-${i}.keyrite-token }`, `    output: trustees/trustee-${i}\n`)).join('')}  - id: witness-1
    name: Carol Witness
    role: witness
master:
  token: { software: tokens/master.keyrite-token }
  pin: { prompt: true }
confirm: [check-in, enrolled, generate, import, key-generated, receipts, escrowed, co-sign]
`;

/** Answers for ceremony-scripts/escrow-recovery.yaml (live). */
export const RECOVERY_ANSWERS = `keyrite-answers: 1
participants:
  - id: admin
    name: Alice Admin
    role: administrator
${[1, 3, 4].map((i) => trustee(i, `{ uri: "pkcs11:token=Trustee%20${i}" }`, `    keyring: trustees/trustee-${i}/keyring.json\n    envelope: trustees/trustee-${i}/envelope.json\n`)).join('')}  - id: witness-1
    name: Carol Witness
    role: witness
master:
  token: { uri: "pkcs11:token=Keyrite%20Root;serial=A1B2" }
  pin: { env: KEYRITE_PIN_MASTER }
bundle:
  path: bundles/root-2026
  trust: "3f2a 9c01 77e0 0000 1111 2222 3333 4444 5555 6666 7777 8888 9999 aaaa bbbb cccc"
confirm: [verify-bundle, combine, restore]
`;
