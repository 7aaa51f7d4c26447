// Garbage in, KeyriteError out: no input makes the script or answers parser throw anything
// else, hang or crash the process; and no PIN-like value ever reaches an error message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCeremonyScript, MAX_SCRIPT_BYTES } from '../../../core/script/script.ts';
import { parseAnswers, ANSWERS_PIN_MESSAGE, MAX_ANSWERS_BYTES } from '../../../core/ceremony/answers.ts';
import { KeyriteError } from '../../../core/errors.ts';
import { LIVE, LIVE_ANSWERS, RECOVERY, REHEARSAL, REHEARSAL_ANSWERS, bytes, parseScriptText, shippedScriptText } from './helpers.ts';

const texts = [LIVE, REHEARSAL, RECOVERY].map(shippedScriptText);
const liveScript = parseScriptText(texts[0]!);
const rehearsalScript = parseScriptText(texts[1]!);

/** Runs `fn`; passes when it returns or throws a KeyriteError whose message names a line and column. */
function onlyKeyriteError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof KeyriteError)) throw new Error(`not a KeyriteError: ${String(e)}`, { cause: e });
    if (e.code === 'SCRIPT_INVALID' || e.code === 'ANSWERS_INVALID') assert.match(e.message, /line \d+, column \d+/);
    else assert.fail(`unexpected code ${e.code}`);
  }
}

const both = (b: Uint8Array) => {
  onlyKeyriteError(() => parseCeremonyScript(b));
  onlyKeyriteError(() => parseAnswers(b, liveScript));
};

test('arbitrary strings never throw anything but a KeyriteError', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => both(bytes(s))),
    { numRuns: 400 },
  );
});

test('arbitrary bytes never throw anything but a KeyriteError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => both(b)),
    { numRuns: 300 },
  );
});

const yamlPieces = ['[', ']', '{', '}', '- ', ': ', ', ', '? ', '&a ', '*a', '!!str ', '!x ', '"', "'", '\n', '  ', '\t', '#', '|', '>', '%YAML 1.1\n', '---\n', '...\n', '<<: ', 'a', 'keyrite-script: 1\n', 'steps:\n', 'pin: ', '1234', '\\', '@', '`'];

test('YAML-shaped garbage never throws anything but a KeyriteError', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...yamlPieces), { maxLength: 300 }), (parts) => both(bytes(parts.join('')))),
    { numRuns: 400 },
  );
});

test('random edits of valid scripts and answers never throw anything but a KeyriteError', () => {
  const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 40 }), ins: fc.string({ maxLength: 12 }) });
  const sources: [string, (b: Uint8Array) => unknown][] = [
    ...texts.map((t): [string, (b: Uint8Array) => unknown] => [t, (b) => parseCeremonyScript(b)]),
    [LIVE_ANSWERS, (b) => parseAnswers(b, liveScript)],
    [REHEARSAL_ANSWERS, (b) => parseAnswers(b, rehearsalScript)],
  ];
  fc.assert(
    fc.property(fc.nat({ max: sources.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), (which, edits) => {
      const [text, run] = sources[which]!;
      let t = text;
      for (const e of edits) {
        const at = e.at % (t.length + 1);
        t = t.slice(0, at) + e.ins + t.slice(at + e.del);
      }
      onlyKeyriteError(() => run(bytes(t)));
    }),
    { numRuns: 500 },
  );
});

test('dropping or repeating lines of valid files never throws anything but a KeyriteError', () => {
  fc.assert(
    fc.property(fc.nat({ max: 2 }), fc.nat(), fc.boolean(), (which, lineSeed, repeat) => {
      const lines = texts[which]!.split('\n');
      const i = lineSeed % lines.length;
      if (repeat) lines.splice(i, 0, lines[i]!);
      else lines.splice(i, 1);
      onlyKeyriteError(() => parseCeremonyScript(bytes(lines.join('\n'))));
    }),
    { numRuns: 300 },
  );
});

test('huge, binary and deeply nested inputs are refused without crashing', () => {
  const cases: Uint8Array[] = [
    new Uint8Array(MAX_ANSWERS_BYTES * 4).fill(0x5b),
    bytes('['.repeat(MAX_SCRIPT_BYTES)),
    bytes('{'.repeat(MAX_SCRIPT_BYTES - 1) + 'x'),
    bytes('- '.repeat(MAX_SCRIPT_BYTES / 2)),
    bytes('? '.repeat(MAX_SCRIPT_BYTES / 2)),
    bytes('[{a: '.repeat(MAX_SCRIPT_BYTES / 5)),
    bytes('a: &x [1]\nb: ' + '*x, '.repeat(10_000)),
    bytes('"' + 'x'.repeat(MAX_SCRIPT_BYTES - 10)),
    bytes(Array.from({ length: 2000 }, (_, i) => `k${i}: [${'1,'.repeat(10)}1]`).join('\n')),
    Uint8Array.from({ length: 60_000 }, (_, i) => (i * 2654435761) >>> 24),
    new Uint8Array(MAX_SCRIPT_BYTES),
  ];
  for (const b of cases) {
    assert.throws(
      () => parseCeremonyScript(b),
      (e: unknown) => e instanceof KeyriteError && e.code === 'SCRIPT_INVALID',
    );
    assert.throws(
      () => parseAnswers(b, liveScript),
      (e: unknown) => e instanceof KeyriteError && e.code === 'ANSWERS_INVALID',
    );
  }
});

// A PIN-like secret placed anywhere a careless person might type one.
const placements: ((pin: string) => [from: string, to: string])[] = [
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: ${p}`],
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: "${p}"`],
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: '${p}'`],
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: { value: "${p}" }`],
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: { env: KEYRITE_PIN_TRUSTEE_2, pin: "${p}" }`],
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: { env: "${p}" }`],
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: { prompt: "${p}" }`],
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: { env: KEYRITE_PIN_TRUSTEE_2 }\n    pin-value: "${p}"`],
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: { env: KEYRITE_PIN_TRUSTEE_2 }\n    passphrase: "${p}"`],
  (p) => ['pin: { env: KEYRITE_PIN_TRUSTEE_2 }', `pin: { env: KEYRITE_PIN_TRUSTEE_2 }\n    User_PIN: ${p}`],
  (p) => ['pin: { env: KEYRITE_PIN_MASTER }', `pin: "${p}"`],
  (p) => ['pkcs11:token=Trustee%202;serial=0002', `pkcs11:token=Trustee%202;serial=0002?pin-value=${p}`],
  (p) => ['pkcs11:token=Trustee%202;serial=0002', `pkcs11:token=Trustee%202;pin-value=${p}`],
  (p) => ['pkcs11:token=Trustee%202;serial=0002', `pkcs11:token=Trustee%202;x-pin=${p}`],
  (p) => ['output: trustees/trustee-2', `output: /${p}`],
  (p) => ['output: trustees/trustee-2', `output: trustees/../${p}`],
  (p) => ['name: Trustee Number 3', `name: Trustee Number 3\n    ${p}: x`],
  (p) => ['keyrite-answers: 1', `keyrite-answers: 1\nscript-sha256: "${p}"`],
  (p) => ['keyrite-answers: 1', `keyrite-answers: 1\nceremony-id: "${p}"`],
  (p) => ['confirm: [check-in, generate]', `confirm: [check-in, "${p}"]`],
  (p) => ['role: witness', `role: "${p}"`],
];

const pinLike = fc.oneof(
  fc.stringMatching(/^[0-9]{6,12}$/),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{5,14}[0-9]$/),
);

test('PIN-like values never appear in any error message', () => {
  fc.assert(
    fc.property(pinLike, fc.nat({ max: placements.length - 1 }), fc.boolean(), (pin, which, alsoBreak) => {
      const [from, to] = placements[which]!(pin);
      let text = LIVE_ANSWERS.replace(from, to);
      // Sometimes break something unrelated too, so the PIN sits among other errors.
      if (alsoBreak) text = text.replace('role: witness', 'role: witnes');
      try {
        parseAnswers(bytes(text), liveScript);
      } catch (e) {
        assert.ok(e instanceof KeyriteError, String(e));
        assert.ok(!e.message.includes(pin), `message repeats ${pin}: ${e.message}`);
        return;
      }
      // The one placement that can be valid: a secret that happens to look like a variable name.
      assert.ok(which === 5 && /^[A-Z_][A-Z0-9_]*$/.test(pin), `a file with ${pin} in placement ${which} was accepted`);
    }),
    { numRuns: 600 },
  );
});

test('PIN values in PIN places always get the PIN message', () => {
  fc.assert(
    fc.property(pinLike, fc.nat({ max: 12 }), (pin, which) => {
      const [from, to] = placements[which === 5 || which === 6 ? 0 : which]!(pin);
      const text = LIVE_ANSWERS.replace(from, to);
      assert.throws(
        () => parseAnswers(bytes(text), liveScript),
        (e: unknown) => e instanceof KeyriteError && e.code === 'ANSWERS_INVALID' && e.message.includes(ANSWERS_PIN_MESSAGE) && !e.message.includes(pin),
      );
    }),
    { numRuns: 300 },
  );
});
