// Answers files (docs/CEREMONY-SCRIPTS.md): valid answers for each shipped script parse into typed
// values; every rule is refused with ANSWERS_INVALID and the line; PIN values are refused with one
// message that never repeats them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnswers, ANSWERS_PIN_MESSAGE, type TrusteeAnswers } from '../../../core/ceremony/answers.ts';
import type { ParsedCeremonyScript } from '../../../core/script/script.ts';
import { CeremonyFileError } from '../../../core/script/strict-yaml.ts';
import { KeyriteError } from '../../../core/errors.ts';
import {
  LIVE,
  LIVE_ANSWERS,
  RECOVERY,
  RECOVERY_ANSWERS,
  REHEARSAL,
  REHEARSAL_ANSWERS,
  bytes,
  expectInvalid,
  lineOf,
  parseScriptText,
  replaceOnce,
  shippedScriptText,
} from './helpers.ts';

const liveScript = parseScriptText(shippedScriptText(LIVE));
const rehearsalScript = parseScriptText(shippedScriptText(REHEARSAL));
const recoveryScript = parseScriptText(shippedScriptText(RECOVERY));

const parse = (text: string, script: ParsedCeremonyScript = liveScript) => parseAnswers(bytes(text), script);

test('valid live answers parse into typed participants', () => {
  const a = parse(LIVE_ANSWERS);
  assert.equal(a.version, 1);
  assert.equal(a.participants.length, 7);
  assert.deepEqual(
    a.participants.map((p) => [p.id, p.role]),
    [
      ['admin', 'administrator'],
      ['trustee-1', 'trustee'],
      ['trustee-2', 'trustee'],
      ['trustee-3', 'trustee'],
      ['trustee-4', 'trustee'],
      ['trustee-5', 'trustee'],
      ['witness-1', 'witness'],
    ],
  );
  const t1 = a.participants[1] as TrusteeAnswers;
  assert.deepEqual(t1.token, { kind: 'pkcs11', match: { token: 'Trustee 1', serial: '0001' }, uri: 'pkcs11:token=Trustee%201;serial=0001' });
  assert.deepEqual(t1.pin, { kind: 'env', name: 'KEYRITE_PIN_TRUSTEE_1' });
  assert.equal(t1.output, 'trustees/trustee-1');
  assert.ok(t1.dice instanceof Uint8Array);
  assert.equal(t1.dice.length, 50);
  assert.ok(t1.dice.every((d) => d >= 1 && d <= 6));
  assert.ok(!Object.isFrozen(t1.dice), 'dice must stay wipeable');
  t1.dice.fill(0);
  assert.equal((a.participants[2] as TrusteeAnswers).dice, undefined);
  // The master token comes from the script's match when the answers give no URI.
  assert.deepEqual(a.master, { token: { kind: 'pkcs11', match: { token: 'Keyrite Root' } }, pin: { kind: 'env', name: 'KEYRITE_PIN_MASTER' } });
  assert.deepEqual(a.confirm, ['check-in', 'generate']);
  assert.equal(a.ceremonyId, undefined);
  assert.equal(a.clock, undefined);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.participants) && Object.isFrozen(t1.token));
  assert.equal(a.participants[3]!.line, lineOf(LIVE_ANSWERS, '- id: trustee-3'));
});

test('valid rehearsal answers: software tokens, fixed ceremony id and clock, prompt', () => {
  const a = parse(REHEARSAL_ANSWERS, rehearsalScript);
  assert.equal(a.ceremonyId, '0123456789abcdef0123456789abcdef');
  assert.equal(a.clock, '2026-01-01T09:00:00Z');
  assert.deepEqual(a.master, { token: { kind: 'software', path: 'tokens/master.keyrite-token' }, pin: { kind: 'prompt' } });
  assert.deepEqual((a.participants[1] as TrusteeAnswers).token, { kind: 'software', path: 'tokens/trustee-1.keyrite-token' });
  assert.equal(a.confirm.length, 8);
});

test('valid recovery answers: keyrings, envelopes, bundle and trust anchor', () => {
  const a = parse(RECOVERY_ANSWERS, recoveryScript);
  const t = a.participants.filter((p): p is TrusteeAnswers => p.role === 'trustee');
  assert.deepEqual(
    t.map((p) => [p.id, p.keyring, p.envelope, p.output]),
    [
      ['trustee-1', 'trustees/trustee-1/keyring.json', 'trustees/trustee-1/envelope.json', undefined],
      ['trustee-3', 'trustees/trustee-3/keyring.json', 'trustees/trustee-3/envelope.json', undefined],
      ['trustee-4', 'trustees/trustee-4/keyring.json', 'trustees/trustee-4/envelope.json', undefined],
    ],
  );
  assert.equal(a.bundle?.path, 'bundles/root-2026');
  // A trustee who brings the printed card gives the scanner's text file instead of the envelope file.
  const card = parse(replaceOnce(RECOVERY_ANSWERS, '    envelope: trustees/trustee-3/envelope.json\n', '    envelope-card: trustees/trustee-3/card-scan.txt\n'), recoveryScript);
  const t3 = card.participants.find((p) => p.id === 'trustee-3') as TrusteeAnswers;
  assert.equal(t3.envelope, undefined);
  assert.equal(t3.envelopeCard, 'trustees/trustee-3/card-scan.txt');
  assert.equal(a.bundle?.trust?.kind, 'full');
  assert.deepEqual(a.master!.token, { kind: 'pkcs11', match: { token: 'Keyrite Root', serial: 'A1B2' }, uri: 'pkcs11:token=Keyrite%20Root;serial=A1B2' });
});

test('script-sha256 is accepted when it matches, in plain or grouped hex', () => {
  for (const form of [liveScript.hashHex, liveScript.hashHex.toUpperCase(), liveScript.hashHexGroups]) {
    const a = parse(replaceOnce(LIVE_ANSWERS, 'keyrite-answers: 1\n', `keyrite-answers: 1\nscript-sha256: "${form}"\n`));
    assert.equal(a.scriptSha256, liveScript.hashHex);
  }
});

test('parseAnswers needs a parsed script', () => {
  assert.throws(
    () => parseAnswers(bytes(LIVE_ANSWERS), {} as ParsedCeremonyScript),
    (e: unknown) => e instanceof KeyriteError && e.code === 'INVALID_INPUT',
  );
});

// ---------------------------------------------------------------------------------------
// PIN values: every spelling gets the one message, and the value never appears.

const T2_PIN = '    pin: { env: KEYRITE_PIN_TRUSTEE_2 }\n';
const pinCases: { name: string; edit: (t: string) => string; secret: string; at: string }[] = [
  { name: 'pin as quoted text', edit: (t) => replaceOnce(t, T2_PIN, '    pin: "918273"\n'), secret: '918273', at: 'pin: "918273"' },
  { name: 'pin as a number', edit: (t) => replaceOnce(t, T2_PIN, '    pin: 918273\n'), secret: '918273', at: 'pin: 918273' },
  { name: 'pin as single-quoted text', edit: (t) => replaceOnce(t, T2_PIN, "    pin: '00918273'\n"), secret: '00918273', at: "pin: '00918273'" },
  { name: 'pin-value key', edit: (t) => replaceOnce(t, T2_PIN, T2_PIN + '    pin-value: "564738"\n'), secret: '564738', at: 'pin-value' },
  { name: 'PIN_VALUE key, other case', edit: (t) => replaceOnce(t, T2_PIN, T2_PIN + '    PIN_VALUE: 564738\n'), secret: '564738', at: 'PIN_VALUE' },
  { name: 'passphrase key', edit: (t) => replaceOnce(t, T2_PIN, T2_PIN + '    passphrase: correct-horse-77\n'), secret: 'correct-horse-77', at: 'passphrase' },
  { name: 'password under master', edit: (t) => replaceOnce(t, '  pin: { env: KEYRITE_PIN_MASTER }\n', '  pin: { env: KEYRITE_PIN_MASTER }\n  password: "Sup3rS3cret"\n'), secret: 'Sup3rS3cret', at: 'password' },
  { name: 'value inside the pin mapping', edit: (t) => replaceOnce(t, T2_PIN, '    pin: { value: "736251" }\n'), secret: '736251', at: 'pin: { value' },
  { name: 'pin as a list', edit: (t) => replaceOnce(t, T2_PIN, '    pin: [7, 3, 6, 2, 5, 1]\n'), secret: '7, 3, 6', at: 'pin: [7' },
  { name: 'so-pin at top level', edit: (t) => t + 'so-pin: "8675309"\n', secret: '8675309', at: 'so-pin' },
  {
    name: 'URI with pin-value in the query',
    edit: (t) => replaceOnce(t, 'pkcs11:token=Trustee%202;serial=0002', 'pkcs11:token=Trustee%202;serial=0002?pin-value=445566'),
    secret: '445566',
    at: 'pin-value=445566',
  },
  {
    name: 'URI with pin-value in the path',
    edit: (t) => replaceOnce(t, 'pkcs11:token=Trustee%202;serial=0002', 'pkcs11:token=Trustee%202;pin-value=445566'),
    secret: '445566',
    at: 'pin-value=445566',
  },
  {
    name: 'URI with pin-source',
    edit: (t) => replaceOnce(t, 'pkcs11:token=Trustee%202;serial=0002', 'pkcs11:token=Trustee%202?pin-source=file:/secret/pin-998877'),
    secret: 'pin-998877',
    at: 'pin-source=',
  },
];

for (const c of pinCases) {
  test(`refuses a PIN value: ${c.name}`, () => {
    const text = c.edit(LIVE_ANSWERS);
    const e = expectInvalid(() => parse(text), 'ANSWERS_INVALID', lineOf(text, c.at), /PINs never go in an answers file; name an environment variable or use prompt\./);
    assert.ok(!e.message.includes(c.secret), `the message repeats the secret: ${e.message}`);
    assert.ok(e.message.includes(ANSWERS_PIN_MESSAGE));
  });
}

// ---------------------------------------------------------------------------------------
// Other bad answers files

const scriptWithoutWitness = parseScriptText(
  shippedScriptText(LIVE)
    .replace('  witness: 1\n', '')
    .replace(/\n {4}witness: true/g, ''),
);

interface BadAnswers {
  name: string;
  base?: string;
  script?: ParsedCeremonyScript;
  edit: (t: string) => string;
  at: string;
  patterns: RegExp[];
  /** Text from the file that must not appear in the message. */
  hidden?: string;
}

const badAnswers: BadAnswers[] = [
  {
    name: 'duplicate trustee id',
    edit: (t) => replaceOnce(t, '- id: trustee-3', '- id: trustee-2'),
    at: '- id: trustee-2\n    name: Trustee Number 3',
    patterns: [/participant id "trustee-2" is used twice \(first at line \d+\); ids must be unique/],
  },
  {
    name: 'duplicate name, ignoring case',
    edit: (t) => replaceOnce(t, 'name: Trustee Number 3', 'name: TRUSTEE number 2'),
    at: 'name: TRUSTEE number 2',
    patterns: [/participant "trustee-3" has the same name as the participant at line \d+ \(names are compared ignoring case\)/],
  },
  {
    name: 'a participant id the bundle reserves for the master key',
    edit: (t) => replaceOnce(t, '  - id: trustee-3\n', '  - id: master\n'),
    at: '- id: master',
    patterns: [/participant id "master" is reserved: bundles name the master keys so; choose another id/],
  },
  {
    name: 'a participant id the bundle reserves for the previous master key',
    edit: (t) => replaceOnce(t, '  - id: witness-1\n', '  - id: previous-master\n'),
    at: '- id: previous-master',
    patterns: [/participant id "previous-master" is reserved/],
  },
  {
    name: 'wrong count for a role',
    edit: (t) => {
      const start = t.indexOf('  - id: trustee-5');
      return t.slice(0, start) + t.slice(t.indexOf('  - id: witness-1'));
    },
    at: '- id: admin',
    patterns: [/the script needs 5 trustees; the answers file lists 4/],
  },
  {
    name: 'unknown role',
    edit: (t) => replaceOnce(t, 'role: witness', 'role: auditor'),
    at: 'role: auditor',
    patterns: [/participant "witness-1": role must be one of administrator, trustee, witness/],
  },
  {
    name: 'role the script does not declare',
    script: scriptWithoutWitness,
    edit: (t) => t.replace('confirm: [check-in, generate]\n', ''),
    at: 'role: witness',
    patterns: [/participant "witness-1" has the role "witness", which the script does not declare \(it declares administrator, trustee\)/],
  },
  {
    name: 'bad environment variable name',
    edit: (t) => replaceOnce(t, 'env: KEYRITE_PIN_TRUSTEE_2', 'env: keyrite-pin-2'),
    at: 'keyrite-pin-2',
    patterns: [/participant "trustee-2": pin\.env must be an environment variable name: A-Z, 0-9 and "_", not starting with a digit/],
    hidden: 'keyrite-pin-2',
  },
  {
    name: 'environment variable name starting with a digit',
    edit: (t) => replaceOnce(t, 'env: KEYRITE_PIN_TRUSTEE_2', 'env: 2PIN'),
    at: 'env: 2PIN',
    patterns: [/pin\.env must be an environment variable name/],
    hidden: '2PIN',
  },
  {
    name: 'prompt: false',
    edit: (t) => replaceOnce(t, 'pin: { env: KEYRITE_PIN_TRUSTEE_2 }', 'pin: { prompt: false }'),
    at: 'prompt: false',
    patterns: [/pin\.prompt can only be true/],
  },
  {
    name: 'absolute output path',
    edit: (t) => replaceOnce(t, 'output: trustees/trustee-2', 'output: /srv/trustee-2'),
    at: 'output: /srv/trustee-2',
    patterns: [/participant "trustee-2": output must be relative to the answers file's folder, not absolute/],
    hidden: '/srv/trustee-2',
  },
  {
    name: 'Windows drive path',
    edit: (t) => replaceOnce(t, 'output: trustees/trustee-2', 'output: "C:/trustee-2"'),
    at: 'C:/trustee-2',
    patterns: [/output must be relative to the answers file's folder, not absolute/],
  },
  {
    name: 'output path with ..',
    edit: (t) => replaceOnce(t, 'output: trustees/trustee-2', 'output: trustees/../../etc'),
    at: 'trustees/../../etc',
    patterns: [/output must not contain "\.\." \(it would leave the answers file's folder\)/],
  },
  {
    name: 'two trustees with the same output (ignoring case)',
    edit: (t) => replaceOnce(t, 'output: trustees/trustee-3', 'output: Trustees/Trustee-2'),
    at: 'output: Trustees/Trustee-2',
    patterns: [/participant "trustee-3": output is the same folder as the output of participant "trustee-2" \(line \d+\)/],
  },
  {
    name: 'one output inside another',
    edit: (t) => replaceOnce(t, 'output: trustees/trustee-3', 'output: trustees/trustee-2/sub'),
    at: 'trustees/trustee-2/sub',
    patterns: [/output is inside, or contains, the output of participant "trustee-2"/],
  },
  {
    name: 'URI with slot-id',
    edit: (t) => replaceOnce(t, 'pkcs11:token=Trustee%202;serial=0002', 'pkcs11:slot-id=2'),
    at: 'slot-id=2',
    patterns: [/participant "trustee-2": token\.uri: The PKCS#11 URI selects by "slot-id"\. Keyrite never selects by slot/],
  },
  {
    name: 'URI that is not a PKCS#11 URI',
    edit: (t) => replaceOnce(t, 'pkcs11:token=Trustee%202;serial=0002', 'https://example.com/token'),
    at: 'https://example.com/token',
    patterns: [/token\.uri: A token URI must start with "pkcs11:"/],
  },
  {
    name: 'trustee URI that names no token',
    edit: (t) => replaceOnce(t, 'pkcs11:token=Trustee%202;serial=0002', 'pkcs11:model=SoftHSM%20v2'),
    at: 'pkcs11:model=SoftHSM',
    patterns: [/token must name the trustee's own token with token= \(its label\) or serial=/],
  },
  {
    name: 'two trustees with the same token',
    edit: (t) => replaceOnce(t, 'pkcs11:token=Trustee%203;serial=0003', 'pkcs11:serial=0002;token=Trustee%202'),
    at: 'pkcs11:serial=0002;token=Trustee%202',
    patterns: [/participant "trustee-3": token selects the same token as participant "trustee-2"/],
  },
  {
    name: 'master URI that contradicts the script',
    edit: (t) => replaceOnce(t, 'master:\n', 'master:\n  token: { uri: "pkcs11:token=Other%20Token" }\n'),
    at: 'Other%20Token',
    patterns: [/master\.token\.uri says token= differently from the script's tokens\.master\.match\.token/],
  },
  {
    name: 'software token in a live ceremony',
    edit: (t) => replaceOnce(t, '{ uri: "pkcs11:token=Trustee%202;serial=0002" }', '{ software: tokens/t2.keyrite-token }'),
    at: 'software: tokens/t2',
    patterns: [/the embedded software token is for rehearsal scripts only/],
  },
  {
    name: 'confirm of an unknown step',
    edit: (t) => replaceOnce(t, 'confirm: [check-in, generate]', 'confirm: [check-in, generat]'),
    at: 'confirm:',
    patterns: [/confirm entry 2 names a step the script does not have \(step ids: check-in, enrolled, generate/],
    hidden: 'generat"',
  },
  {
    name: 'confirm of a step without a witness',
    edit: (t) => replaceOnce(t, 'confirm: [check-in, generate]', 'confirm: [check-in, split]'),
    at: 'confirm:',
    patterns: [/confirm lists the step "split", which does not ask for a witness/],
  },
  {
    name: 'script hash mismatch',
    edit: (t) => replaceOnce(t, 'keyrite-answers: 1\n', `keyrite-answers: 1\nscript-sha256: ${'ab'.repeat(32)}\n`),
    at: 'script-sha256',
    patterns: [/script-sha256 does not match the script being run \(whose SHA-256 is [0-9a-f]{4} /],
  },
  {
    name: 'ceremony-id in a live ceremony',
    edit: (t) => replaceOnce(t, 'keyrite-answers: 1\n', 'keyrite-answers: 1\nceremony-id: 0123456789abcdef0123456789abcdef\n'),
    at: 'ceremony-id',
    patterns: [/ceremony-id is allowed only when the script is a rehearsal/],
  },
  {
    name: 'clock in a live ceremony',
    edit: (t) => replaceOnce(t, 'keyrite-answers: 1\n', 'keyrite-answers: 1\nclock: 2026-01-01T09:00:00Z\n'),
    at: 'clock',
    patterns: [/clock is allowed only when the script is a rehearsal/],
  },
  {
    name: 'malformed ceremony-id in a rehearsal',
    base: REHEARSAL_ANSWERS,
    script: rehearsalScript,
    edit: (t) => replaceOnce(t, 'ceremony-id: 0123456789abcdef0123456789abcdef', 'ceremony-id: 0123456789abcdef'),
    at: 'ceremony-id',
    patterns: [/ceremony-id must be 32 hex digits/],
  },
  {
    name: 'impossible clock in a rehearsal',
    base: REHEARSAL_ANSWERS,
    script: rehearsalScript,
    edit: (t) => replaceOnce(t, 'clock: 2026-01-01T09:00:00Z', 'clock: 2026-02-30T09:00:00Z'),
    at: 'clock',
    patterns: [/clock must be a UTC time in RFC 3339 form/],
  },
  {
    name: 'dice with a 7',
    edit: (t) => t.replace(/dice: "[1-6 ]+"/, `dice: "${'1 2 3 4 5 '.repeat(10)}7"`),
    at: 'entropy:',
    patterns: [/participant "trustee-1": entropy\.dice must be die rolls 1 to 6 separated by spaces/],
    hidden: '1 2 3 4 5',
  },
  {
    name: 'dice without spaces',
    edit: (t) => t.replace(/dice: "[1-6 ]+"/, `dice: "${'123456'.repeat(10)}"`),
    at: 'entropy:',
    patterns: [/entropy\.dice must be die rolls 1 to 6 separated by spaces/],
    hidden: '123456',
  },
  {
    name: 'too few dice',
    edit: (t) => t.replace(/dice: "[1-6 ]+"/, 'dice: "6 5 4 3 2 1"'),
    at: 'entropy:',
    patterns: [/entropy\.dice has 6 rolls; the script's entropy step asks for at least 50/],
    hidden: '6 5 4',
  },
  {
    name: 'dice for a script that takes none',
    base: RECOVERY_ANSWERS,
    script: recoveryScript,
    edit: (t) => replaceOnce(t, '    envelope: trustees/trustee-3/envelope.json\n', '    envelope: trustees/trustee-3/envelope.json\n    entropy: { dice: "1 2 3" }\n'),
    at: 'entropy:',
    patterns: [/the script's entropy step does not take trustee dice/],
  },
  {
    name: 'unknown key in a participant',
    edit: (t) => replaceOnce(t, 'name: Carol Witness\n', 'name: Carol Witness\n    email: carol@example.com\n'),
    at: 'email:',
    patterns: [/participant "witness-1" has the unknown key "email"; allowed keys: id, name, role/],
  },
  {
    name: 'a token for the administrator',
    edit: (t) => replaceOnce(t, 'name: Alice Admin\n    role: administrator\n', 'name: Alice Admin\n    role: administrator\n    token: { uri: "pkcs11:token=Admin" }\n'),
    at: 'token: { uri: "pkcs11:token=Admin" }',
    patterns: [/participant "admin" is the administrator; only trustees have "token" here/],
  },
  {
    name: 'trustee without a PIN source',
    edit: (t) => replaceOnce(t, T2_PIN, ''),
    at: '- id: trustee-2',
    patterns: [/participant "trustee-2" is a trustee and needs "pin"/],
  },
  {
    name: 'trustee without an output folder',
    edit: (t) => replaceOnce(t, '    output: trustees/trustee-4\n', ''),
    at: '- id: trustee-4',
    patterns: [/participant "trustee-4" needs "output"/],
  },
  {
    name: 'a path the script does not use',
    edit: (t) => replaceOnce(t, '    output: trustees/trustee-4\n', '    output: trustees/trustee-4\n    keyring: k.json\n'),
    at: 'keyring: k.json',
    patterns: [/participant "trustee-4": this script does not use "keyring"; remove it/],
  },
  {
    name: 'recovery without a trust anchor',
    base: RECOVERY_ANSWERS,
    script: recoveryScript,
    edit: (t) => t.replace(/ {2}trust: ".*"\n/, ''),
    at: 'path: bundles/root-2026',
    patterns: [/bundle needs "trust": the master fingerprint read aloud/],
  },
  {
    name: 'recovery without a bundle',
    base: RECOVERY_ANSWERS,
    script: recoveryScript,
    edit: (t) => t.replace(/bundle:\n.*\n.*\n/, ''),
    at: 'keyrite-answers: 1',
    patterns: [/the script verifies a public bundle, so the answers file must give "bundle:/],
  },
  {
    name: 'recovery trustee without an envelope',
    base: RECOVERY_ANSWERS,
    script: recoveryScript,
    edit: (t) => replaceOnce(t, '    envelope: trustees/trustee-4/envelope.json\n', ''),
    at: '- id: trustee-4',
    patterns: [/participant "trustee-4" needs "envelope"/],
  },
  {
    name: 'recovery trustee with both an envelope and a card scan',
    base: RECOVERY_ANSWERS,
    script: recoveryScript,
    edit: (t) => replaceOnce(t, '    envelope: trustees/trustee-4/envelope.json\n', '    envelope: trustees/trustee-4/envelope.json\n    envelope-card: trustees/trustee-4/card.txt\n'),
    at: 'envelope-card:',
    patterns: [/participant "trustee-4": give either "envelope" \(the file\) or "envelope-card" \(the scanned share card\), not both/],
  },
  {
    name: 'recovery card scan outside the answers folder',
    base: RECOVERY_ANSWERS,
    script: recoveryScript,
    edit: (t) => replaceOnce(t, '    envelope: trustees/trustee-4/envelope.json\n', '    envelope-card: ../card.txt\n'),
    at: '../card.txt',
    patterns: [/participant "trustee-4": envelope-card must not contain "\.\."/],
  },
  {
    name: 'two trustees with the same card scan file',
    base: RECOVERY_ANSWERS,
    script: recoveryScript,
    // Compared as file names are on every system: case does not tell two files apart.
    edit: (t) => replaceOnce(replaceOnce(t, '    envelope: trustees/trustee-4/envelope.json\n', '    envelope-card: Cards.txt\n'), '    envelope: trustees/trustee-3/envelope.json\n', '    envelope-card: cards.txt\n'),
    at: 'Cards.txt',
    patterns: [/participant "trustee-4": envelope-card is the same file as the one at line \d+; every trustee has their own/],
  },
  {
    name: 'a card scan in a script without collect-share',
    edit: (t) => replaceOnce(t, '    pin: { env: KEYRITE_PIN_TRUSTEE_3 }\n', '    pin: { env: KEYRITE_PIN_TRUSTEE_3 }\n    envelope-card: card.txt\n'),
    at: 'envelope-card:',
    patterns: [/this script does not use "envelope-card"; remove it/],
  },
  {
    name: 'wrong format version',
    edit: (t) => replaceOnce(t, 'keyrite-answers: 1', 'keyrite-answers: 3'),
    at: 'keyrite-answers: 3',
    patterns: [/keyrite-answers is not a format version this Keyrite reads/],
  },
  {
    name: 'duplicate key',
    edit: (t) => replaceOnce(t, 'name: Carol Witness\n', 'name: Carol Witness\n    name: Carol W\n'),
    at: 'name: Carol W\n',
    patterns: [/the key "name" appears twice/],
  },
  {
    name: 'alias',
    edit: (t) => replaceOnce(replaceOnce(t, 'pin: { env: KEYRITE_PIN_TRUSTEE_3 }', 'pin: &p { env: KEYRITE_PIN_TRUSTEE_3 }'), 'pin: { env: KEYRITE_PIN_TRUSTEE_4 }', 'pin: *p'),
    at: '&p',
    patterns: [/anchors \(&name\) are not allowed/, /aliases \(\*name\) are not allowed/],
  },
];

for (const bad of badAnswers) {
  test(`refuses answers: ${bad.name}`, () => {
    const text = bad.edit(bad.base ?? LIVE_ANSWERS);
    const line = lineOf(text, bad.at);
    const e = expectInvalid(() => parse(text, bad.script ?? liveScript), 'ANSWERS_INVALID', line, ...bad.patterns);
    assert.ok(e instanceof CeremonyFileError);
    assert.ok(e.issues.some((i) => i.line === line), `no issue at line ${line}: ${e.message}`);
    if (bad.hidden) assert.ok(!e.message.includes(bad.hidden), `the message repeats a value from the file: ${e.message}`);
  });
}

test('at least 15 distinct bad answers files (besides the PIN spellings) are covered', () => {
  assert.ok(badAnswers.length >= 15);
  assert.equal(new Set(badAnswers.map((b) => b.name)).size, badAnswers.length);
});

test('answers for one script do not fit another', () => {
  expectInvalid(() => parse(LIVE_ANSWERS, recoveryScript), 'ANSWERS_INVALID', undefined, /the script needs 3 trustees; the answers file lists 5/, /does not use "output"/);
  expectInvalid(() => parse(REHEARSAL_ANSWERS, liveScript), 'ANSWERS_INVALID', undefined, /ceremony-id is allowed only when the script is a rehearsal/, /rehearsal scripts only/);
});
