// The answers file's `request` (signing scripts only, docs/CEREMONY-SCRIPTS.md "Request"): the
// request path and its digest as the requester sent it; required live; refused anywhere else;
// any text as the digest is either 64 hex digits or an ANSWERS_INVALID sentence, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAnswers } from '../../../core/ceremony/answers.ts';
import { KeyriteError } from '../../../core/errors.ts';
import { RECOVERY, RECOVERY_ANSWERS, bytes, expectInvalid, parseScriptText, replaceOnce, shippedScriptText } from './helpers.ts';

const signingScript = parseScriptText(shippedScriptText('signing.yaml'));
const recoveryScript = parseScriptText(shippedScriptText(RECOVERY));
const DIGEST = '3ef0df79302ded494d09e164e4b87d5e34af896e2405d7315185ba18f9a0e953';
const SIGNING_ANSWERS = replaceOnce(RECOVERY_ANSWERS, 'confirm: [verify-bundle, combine, restore]\n', `request:\n  path: requests/q1.json\n  sha256: "${DIGEST}"\nconfirm: [verify-bundle, check-request, combine]\n`);
const parse = (text: string) => parseAnswers(bytes(text), signingScript);

test('a signing answers file gives the request path and its digest (groups and case read as the hex digits)', () => {
  assert.deepEqual(parse(SIGNING_ANSWERS).request, { path: 'requests/q1.json', sha256: DIGEST });
  const grouped = DIGEST.toUpperCase().replace(/(.{4})(?!$)/g, '$1 ');
  assert.deepEqual(parse(SIGNING_ANSWERS.replace(DIGEST, grouped)).request, { path: 'requests/q1.json', sha256: DIGEST });
});

test('a live signing answers file without the digest, with a bad digest, or without a request is refused with its sentence', () => {
  expectInvalid(() => parse(SIGNING_ANSWERS.replace(/ {2}sha256: ".*"\n/, '')), 'ANSWERS_INVALID', undefined, /request needs "sha256": the digest of the request as its author gave it, out of band/);
  expectInvalid(() => parse(SIGNING_ANSWERS.replace(DIGEST, DIGEST.slice(2))), 'ANSWERS_INVALID', undefined, /request\.sha256 must be the 64 hex digits of the request's SHA-256/);
  expectInvalid(() => parse(SIGNING_ANSWERS.replace(/request:\n.*\n.*\n/, '')), 'ANSWERS_INVALID', undefined, /the script signs a request, so the answers file must give "request: \{ path: …, sha256: … \}"/);
  expectInvalid(() => parse(SIGNING_ANSWERS.replace('  path: requests/q1.json\n', '  path: ../outside.json\n')), 'ANSWERS_INVALID', undefined, /request\.path/);
});

test('a request in the answers of a script that signs nothing is refused', () => {
  const withRequest = replaceOnce(RECOVERY_ANSWERS, 'confirm:', `request:\n  path: q.json\n  sha256: "${DIGEST}"\nconfirm:`);
  expectInvalid(() => parseAnswers(bytes(withRequest), recoveryScript), 'ANSWERS_INVALID', undefined, /request is only used by signing scripts \(with a check-request step\); remove it/);
});

test('property: any text given as the digest parses to 64 lowercase hex digits or is refused as ANSWERS_INVALID', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 120 }), (text) => {
      const yaml = SIGNING_ANSWERS.replace(`"${DIGEST}"`, JSON.stringify(text));
      try {
        assert.match(parse(yaml).request!.sha256!, /^[0-9a-f]{64}$/);
      } catch (e) {
        assert.ok(e instanceof KeyriteError && e.code === 'ANSWERS_INVALID', String(e));
      }
    }),
    { numRuns: 300 },
  );
});
