// The revocation script and answers (docs/CEREMONY-SCRIPTS.md "Revocation"): the shipped scripts
// parse; the revoke step's reason is one line of readable text; a master token step, a missing or
// misplaced revoke, an unwitnessed revoke and enrolling trustees are refused by line; its answers
// name no master token. Core parsers only: no ceremony runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAnswers } from '../../../core/ceremony/answers.ts';
import { parseCeremonyScript } from '../../../core/script/script.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { revocationAnswersText } from '../../../cli/commands/demo.ts';
import { bytes, expectInvalid, lineOf, parseScriptText, replaceOnce, shippedScriptText } from './helpers.ts';

const REHEARSAL = shippedScriptText('revocation-rehearsal.yaml');
const REASON_LINE = '    params: { reason: "Rehearsal: the master token is reported lost" }';

test('the shipped revocation scripts parse: kind revocation, the revoke step with its reason, no master token step', () => {
  for (const name of ['revocation.yaml', 'revocation-rehearsal.yaml']) {
    const s = parseScriptText(shippedScriptText(name)).script;
    assert.equal(s.kind, 'revocation');
    const revoke = s.steps.find((x) => x.action === 'revoke');
    assert.ok(revoke && revoke.action === 'revoke' && revoke.params.reason.length > 0 && revoke.witness);
    assert.ok(!s.steps.some((x) => x.action === 'token-select' || x.action === 'login'));
  }
});

test('script refusals, each named at its line', () => {
  const withReason = (r: string) => replaceOnce(REHEARSAL, REASON_LINE, `    params: { reason: ${r} }`);
  expectInvalid(() => parseScriptText(withReason('""')), 'SCRIPT_INVALID', lineOf(REHEARSAL, REASON_LINE), /params.reason must not be empty/);
  expectInvalid(() => parseScriptText(withReason('"   "')), 'SCRIPT_INVALID', lineOf(REHEARSAL, REASON_LINE), /reason must be one line of readable text/);
  expectInvalid(() => parseScriptText(withReason('"a\\u202Eb"')), 'SCRIPT_INVALID', lineOf(REHEARSAL, REASON_LINE), /no control or format characters/);
  expectInvalid(() => parseScriptText(withReason('"a\\nb"')), 'SCRIPT_INVALID', lineOf(REHEARSAL, REASON_LINE), /one line of text/);
  expectInvalid(() => parseScriptText(withReason(`"${'x'.repeat(301)}"`)), 'SCRIPT_INVALID', lineOf(REHEARSAL, REASON_LINE));
  expectInvalid(() => parseScriptText(replaceOnce(REHEARSAL, REASON_LINE, '    params: {}')), 'SCRIPT_INVALID', undefined, /reason/);
  const masterStep = replaceOnce(REHEARSAL, '  - id: check-in\n', '  - id: select-master\n    action: token-select\n    actor: administrator\n    params: { token: master }\n  - id: check-in\n');
  expectInvalid(() => parseScriptText(masterStep), 'SCRIPT_INVALID', undefined, /token-select/);
  const unwitnessed = replaceOnce(REHEARSAL, `${REASON_LINE}\n    witness: true`, REASON_LINE);
  expectInvalid(() => parseScriptText(unwitnessed), 'SCRIPT_INVALID', undefined, /the revoke step needs witness: true/);
  const enroll = replaceOnce(REHEARSAL, 'params: { enroll: false }', 'params: { enroll: true }');
  expectInvalid(() => parseScriptText(enroll), 'SCRIPT_INVALID', undefined, /trustees do not enroll in a revocation/);
  const noRevoke = REHEARSAL.replace(/ {2}- id: revoke\n[\s\S]*?(?= {2}- id: revoked\n)/, '');
  expectInvalid(() => parseScriptText(noRevoke), 'SCRIPT_INVALID', undefined, /must have a revoke step/);
  const revokeFirst = REHEARSAL.replace(/( {2}- id: revoke\n[\s\S]*?)(?= {2}- id: revoked\n)/, '').replace('  - id: check-in\n', REHEARSAL.match(/ {2}- id: revoke\n[\s\S]*?(?= {2}- id: revoked\n)/)![0] + '  - id: check-in\n');
  expectInvalid(() => parseScriptText(revokeFirst), 'SCRIPT_INVALID', undefined, /the key is unlocked before it signs its own revocation/);
});

test('any reason text: parsed to the same one line, or refused with SCRIPT_INVALID; never a crash', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 320, unit: 'binary' }), (reason) => {
      const text = replaceOnce(REHEARSAL, REASON_LINE, `    params: { reason: ${JSON.stringify(reason)} }`);
      try {
        const s = parseCeremonyScript(bytes(text)).script.steps.find((x) => x.action === 'revoke');
        assert.ok(s && s.action === 'revoke');
        assert.equal(s.params.reason, reason);
        assert.doesNotMatch(reason, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
      } catch (e) {
        assert.ok(isKeyriteError(e) && e.code === 'SCRIPT_INVALID', String(e));
      }
    }),
    { numRuns: 200 },
  );
});

test('revocation answers name no master token: the demo\'s parse; one with "master" is refused by name', () => {
  const parsed = parseScriptText(REHEARSAL);
  const text = revocationAnswersText(parsed, 'a'.repeat(64));
  const answers = parseAnswers(bytes(text), parsed);
  assert.equal(answers.master, undefined);
  assert.deepEqual(answers.participants.filter((p) => p.role === 'trustee').map((p) => p.id), ['trustee-3', 'trustee-4', 'trustee-5']);
  const withMaster = text.replace('bundle:\n', 'master:\n  token: { software: master/master.keyrite-token }\n  pin: { env: KEYRITE_REHEARSAL_PIN_MASTER }\nbundle:\n');
  expectInvalid(() => parseAnswers(bytes(withMaster), parsed), 'ANSWERS_INVALID', undefined, /a revocation never opens the master token/);
});
