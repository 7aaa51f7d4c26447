/**
 * The answers' `paper-words` member (a trustee whose token is lost offers their share from the
 * paper words; docs/CEREMONY-SCRIPTS.md "Paper share"): where the words may come from (an
 * environment variable or a prompt), what such a trustee may not bring, the t − 1 rule, scripts
 * that take no shares or no witness, and the words themselves written anywhere in the file —
 * refused with one sentence that never repeats them (property over any run of list words).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAnswers, type PaperTrusteeAnswers } from '../../../core/ceremony/answers.ts';
import { ANSWERS_PAPER_WORDS_MESSAGE, PAPER_WORDS_RUN } from '../../../core/ceremony/paper-words-values.ts';
import { SLIP39_WORDS } from '../../../core/escrow/slip39-words.ts';
import { KeyriteError } from '../../../core/errors.ts';
import type { ParsedCeremonyScript } from '../../../core/script/script.ts';
import { rotationAnswersText } from '../../../cli/commands/demo.ts';
import { LIVE, LIVE_ANSWERS, RECOVERY, RECOVERY_ANSWERS, bytes, expectInvalid, parseScriptText, shippedScriptText } from './helpers.ts';

const recoveryScript = parseScriptText(shippedScriptText(RECOVERY));
const liveScript = parseScriptText(shippedScriptText(LIVE));
const parse = (text: string, script: ParsedCeremonyScript = recoveryScript) => parseAnswers(bytes(text), script);

/** RECOVERY_ANSWERS with trustee-i's block replaced by `member` lines (after id, name, role). */
function paperTrustee(i: number, member: string, text = RECOVERY_ANSWERS): string {
  const block = new RegExp(`  - id: trustee-${i}\\n[\\s\\S]*?(?=  - id: )`);
  assert.ok(block.test(text), `trustee-${i} is in the answers`);
  return text.replace(block, (b) => `${b.split('\n').slice(0, 3).join('\n')}\n${member}`);
}

const ENV = '    paper-words: { env: KEYRITE_PAPER_WORDS_TRUSTEE_4 }\n';

test('a trustee without a token: paper-words from an environment variable or a prompt, nothing else', () => {
  const a = parse(paperTrustee(4, ENV));
  const p = a.participants.find((x) => x.id === 'trustee-4') as PaperTrusteeAnswers;
  assert.equal(p.role, 'paper-trustee');
  assert.deepEqual(p.paperWords, { kind: 'env', name: 'KEYRITE_PAPER_WORDS_TRUSTEE_4' });
  assert.equal('token' in p || 'pin' in p || 'envelope' in p || 'keyring' in p, false);
  assert.equal(a.participants.filter((x) => x.role === 'trustee').length, 2);
  const prompt = parse(paperTrustee(4, '    paper-words: { prompt: true }\n'));
  assert.deepEqual((prompt.participants.find((x) => x.id === 'trustee-4') as PaperTrusteeAnswers).paperWords, { kind: 'prompt' });
});

test('every refusal of the member, by name and line', () => {
  const cases: [string, string, RegExp][] = [
    ['with a token', paperTrustee(4, `${ENV}    token: { uri: "pkcs11:token=Trustee%204" }\n`), /offers their share from the paper words, so brings no "token"/],
    ['with a PIN', paperTrustee(4, `${ENV}    pin: { env: KEYRITE_PIN_TRUSTEE_4 }\n`), /brings no "pin"/],
    ['with an envelope', paperTrustee(4, `${ENV}    envelope: trustees/trustee-4/envelope.json\n`), /brings no "envelope"/],
    ['with a keyring', paperTrustee(4, `${ENV}    keyring: trustees/trustee-4/keyring.json\n`), /brings no "keyring"/],
    ['from a file', paperTrustee(4, '    paper-words: { file: trustees/trustee-4/paper.txt }\n'), /Paper-backup words never go in an answers file, nor a path to a file holding them/],
    ['both env and prompt', paperTrustee(4, '    paper-words: { env: WORDS, prompt: true }\n'), /gives both "env" and "prompt"/],
    ['prompt false', paperTrustee(4, '    paper-words: { prompt: false }\n'), /prompt can only be true/],
    ['a bad variable name', paperTrustee(4, '    paper-words: { env: "1 words" }\n'), /must be an environment variable name/],
    ['empty', paperTrustee(4, '    paper-words: {}\n'), /must be \{ env: VARIABLE_NAME \} or \{ prompt: true \}/],
    ['a list', paperTrustee(4, '    paper-words: [a, b]\n'), /Paper-backup words never go in an answers file/],
    ['three paper trustees (t = 3)', paperTrustee(1, ENV.replace('_4', '_1'), paperTrustee(3, ENV.replace('_4', '_3'), paperTrustee(4, ENV))), /3 trustees offer paper words; a quorum combines at most t − 1 = 2/],
    ['the administrator', RECOVERY_ANSWERS.replace('    role: administrator\n', `    role: administrator\n${ENV}`), /is the administrator; only trustees have "paper-words"/],
  ];
  for (const [what, text, why] of cases) assert.ok(expectInvalid(() => parse(text), 'ANSWERS_INVALID', undefined, why), what);
  // Two of three may offer paper words.
  assert.equal(parse(paperTrustee(3, ENV.replace('_4', '_3'), paperTrustee(4, ENV))).participants.filter((x) => x.role === 'paper-trustee').length, 2);
  // A script that collects no shares takes no paper words.
  expectInvalid(() => parseAnswers(bytes(LIVE_ANSWERS.replace('    role: trustee\n', `    role: trustee\n${ENV}`)), liveScript), 'ANSWERS_INVALID', undefined, /"paper-words" is only used by scripts that collect shares/);
  // A collect-share step without a witness cannot take a paper share.
  const unwitnessed = parseScriptText(shippedScriptText(RECOVERY).replace(/(action: collect-share\n(?: {4}.*\n)*?) {4}witness: true\n/, '$1'));
  expectInvalid(() => parse(paperTrustee(4, ENV), unwitnessed), 'ANSWERS_INVALID', undefined, /collect-share step must have witness: true/);
  // A rotation: every trustee signs it and receives a share of the new key, so none comes without a token.
  const rotation = parseScriptText(shippedScriptText('rotation-rehearsal.yaml'));
  const rotationAnswers = rotationAnswersText(rotation, 'ab'.repeat(32), () => Array.from({ length: 100 }, (_, i) => (i % 6) + 1).join(' '));
  assert.ok(parse(rotationAnswers, rotation), 'the demo\'s rotation answers are accepted as they are');
  expectInvalid(() => parse(paperTrustee(4, ENV, rotationAnswers), rotation), 'ANSWERS_INVALID', undefined, /a rotation needs every trustee with their token/);
});

test('paper words written anywhere in the file are refused with one sentence that never repeats them', () => {
  const words = Array.from({ length: 34 }, (_, i) => SLIP39_WORDS[(i * 37) % 1024]!);
  const places = [
    paperTrustee(4, `    paper-words: "${words.join(' ')}"\n`),
    paperTrustee(4, `    paper-words: { value: "${words.join(' ')}" }\n`),
    paperTrustee(4, `${ENV}    words: "${words.join(' ')}"\n`),
    RECOVERY_ANSWERS.replace('name: Alice Admin', `name: "${words.slice(0, 10).join(' ')}"`),
    RECOVERY_ANSWERS.replace('confirm: [verify-bundle', `mnemonic: [${words.join(', ')}]\nconfirm: [verify-bundle`),
  ];
  for (const text of places) {
    const e = expectInvalid(() => parse(text), 'ANSWERS_INVALID', undefined, new RegExp(ANSWERS_PAPER_WORDS_MESSAGE.slice(0, 40)));
    for (let i = 0; i + 2 <= words.length; i++) assert.equal(e.message.includes(words.slice(i, i + 2).join(' ')), false, 'two words were repeated');
  }
});

test('property: any run of list words in any value is refused and never repeated; fewer than the run, as a name, is a name', () => {
  const word = fc.constantFrom(...SLIP39_WORDS);
  fc.assert(
    fc.property(fc.array(word, { minLength: PAPER_WORDS_RUN, maxLength: 40 }), fc.constantFrom(' ', '  ', ', '), (ws, sep) => {
      const text = RECOVERY_ANSWERS.replace('name: Carol Witness', `name: "${ws.join(sep)}"`);
      let caught: unknown;
      try {
        parse(text);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof KeyriteError && caught.code === 'ANSWERS_INVALID');
      assert.ok(caught.message.includes(ANSWERS_PAPER_WORDS_MESSAGE));
      for (let i = 0; i + 2 <= ws.length; i++) assert.equal(caught.message.includes(ws.slice(i, i + 2).join(sep)), false);
    }),
    { numRuns: 100 },
  );
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: PAPER_WORDS_RUN - 1 }), (ws) => {
      const a = parse(RECOVERY_ANSWERS.replace('name: Carol Witness', `name: "${ws.join(' ')}"`));
      assert.equal(a.participants.find((p) => p.id === 'witness-1')?.name, ws.join(' '));
    }),
    { numRuns: 100 },
  );
});

test('property: garbage in place of the member never crashes; it is accepted only as { env } or { prompt: true }', () => {
  const value = fc.oneof(
    fc.string({ maxLength: 60 }).map((s) => JSON.stringify(s)),
    fc.integer().map(String),
    fc.constantFrom('null', 'true', '[]', '{}', '{ prompt: yes }', '{ env: A, env: B }', '{ env: }', '{ env: [A] }', '{ env: { a: 1 } }', '!!binary aGk=', '&a { env: A }', '*a'),
    fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/).map((n) => `{ env: ${n} }`),
  );
  fc.assert(
    fc.property(value, (v) => {
      let parsed;
      try {
        parsed = parse(paperTrustee(4, `    paper-words: ${v}\n`));
      } catch (e) {
        assert.ok(e instanceof KeyriteError, String(e));
        assert.equal(e.code, 'ANSWERS_INVALID');
        return;
      }
      const p = parsed.participants.find((x) => x.id === 'trustee-4') as PaperTrusteeAnswers;
      assert.ok(p.paperWords.kind === 'prompt' || /^[A-Z_][A-Z0-9_]*$/.test(p.paperWords.name));
    }),
    { numRuns: 300 },
  );
});
