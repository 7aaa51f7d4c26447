// Ceremony scripts (docs/CEREMONY-SCRIPTS.md): the shipped scripts parse into typed values with
// their hash; every rule is refused with SCRIPT_INVALID, the line of the problem and the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseCeremonyScript, MAX_SCRIPT_BYTES, type StepOf } from '../../../core/script/script.ts';
import { CeremonyFileError } from '../../../core/script/strict-yaml.ts';
import { PGP_WORDS_EVEN, PGP_WORDS_ODD } from '../../../core/encoding/pgp-words.ts';
import { LIVE, RECOVERY, REHEARSAL, bytes, expectInvalid, lineOf, parseScriptText, replaceOnce, shippedScriptText } from './helpers.ts';

const live = shippedScriptText(LIVE);
const rehearsal = shippedScriptText(REHEARSAL);
const recovery = shippedScriptText(RECOVERY);
const signing = shippedScriptText('signing.yaml');
const rotation = shippedScriptText('rotation.yaml');

test('the shipped live root-keygen script parses into a typed script', () => {
  const parsed = parseScriptText(live);
  const s = parsed.script;
  assert.equal(s.version, 1);
  assert.equal(s.kind, 'root-keygen');
  assert.equal(s.mode, 'live');
  assert.equal(s.airGap, 'block');
  assert.deepEqual(s.roles, { administrator: 1, trustee: 5, witness: 1 });
  assert.deepEqual(s.quorum, { n: 5, t: 3 });
  assert.deepEqual(s.algorithms, { classical: 'Ed25519', pq: 'ML-DSA-65', kem: 'X-Wing', aead: 'XChaCha20-Poly1305' });
  assert.deepEqual(s.tokens.master, { token: { kind: 'pkcs11', match: { token: 'Keyrite Root' } }, keyLabel: 'keyrite-root' });
  assert.deepEqual(s.tokens.trustee, { kind: 'pkcs11', match: {} });
  assert.deepEqual(s.escrow, { paperBackup: true });
  assert.deepEqual(
    s.steps.map((st) => st.action),
    ['air-gap-check', 'self-test', 'check-in', 'checkpoint', 'token-select', 'login', 'air-gap-check', 'entropy', 'generate', 'import', 'checkpoint', 'split', 'distribute', 'verify-receipts', 'checkpoint', 'co-sign', 'export'],
  );
  const entropy = s.steps.find((st): st is StepOf<'entropy'> => st.action === 'entropy')!;
  assert.deepEqual(entropy.params, { sources: ['hsm', 'os', 'trustee-dice'], minDice: 50 });
  const checkIn = s.steps.find((st): st is StepOf<'check-in'> => st.action === 'check-in')!;
  assert.deepEqual(checkIn.params, { enroll: true });
  assert.equal(checkIn.witness, true);
  assert.equal(checkIn.actor, 'trustee');
  assert.equal(checkIn.line, lineOf(live, '- id: check-in') );
  const generate = s.steps.find((st) => st.id === 'generate')!;
  assert.deepEqual(generate.params, {});
  assert.equal(generate.title, 'Generate the master key');
});

test('the shipped rehearsal script uses the embedded software token', () => {
  const s = parseScriptText(rehearsal).script;
  assert.equal(s.mode, 'rehearsal');
  assert.equal(s.airGap, 'warn');
  assert.deepEqual(s.tokens.master.token, { kind: 'software' });
  assert.deepEqual(s.tokens.trustee, { kind: 'software' });
  assert.equal(s.steps.length, 17);
});

test('the shipped escrow-recovery script parses', () => {
  const s = parseScriptText(recovery).script;
  assert.equal(s.kind, 'escrow-recovery');
  assert.deepEqual(s.roles, { administrator: 1, trustee: 3, witness: 1 });
  assert.equal(s.escrow, undefined);
  assert.deepEqual(
    s.steps.map((st) => st.action),
    ['air-gap-check', 'self-test', 'verify-bundle', 'check-in', 'checkpoint', 'collect-share', 'combine', 'token-select', 'login', 'restore-to-token', 'checkpoint', 'co-sign', 'export'],
  );
});

test('the hash is SHA-256 of the exact bytes, shown as hex groups and 16 PGP words', () => {
  const b = bytes(live);
  const parsed = parseCeremonyScript(b);
  const want = createHash('sha256').update(b).digest('hex');
  assert.equal(parsed.hashHex, want);
  assert.equal(Buffer.from(parsed.sha256).toString('hex'), want);
  assert.equal(parsed.hashHexGroups.replace(/ /g, ''), want);
  assert.equal(parsed.hashHexGroups.split(' ').length, 16);
  assert.equal(parsed.hashWords.length, 16);
  parsed.hashWords.forEach((w, i) => assert.equal(w, (i % 2 === 0 ? PGP_WORDS_EVEN : PGP_WORDS_ODD)[parsed.sha256[i]!]));
  assert.deepEqual(parsed.bytes, b);
  // A comment changes the bytes, so the hash, though the meaning is the same.
  const other = parseScriptText(live + '# trailing comment\n');
  assert.notEqual(other.hashHex, parsed.hashHex);
});

test('the parsed script is deeply frozen and independent of the input buffer', () => {
  const b = bytes(live);
  const parsed = parseCeremonyScript(b);
  assert.ok(Object.isFrozen(parsed.script));
  assert.ok(Object.isFrozen(parsed.script.steps));
  assert.ok(Object.isFrozen(parsed.script.steps[0]));
  assert.ok(Object.isFrozen(parsed.script.tokens.master.token));
  const first = b[0];
  b[0] = first === 0 ? 1 : 0;
  assert.equal(parsed.bytes[0], first);
});

interface BadScript {
  name: string;
  base?: string;
  edit: (text: string) => string;
  /** Text on the line the error must name. */
  at: string;
  patterns: RegExp[];
}

const moveStep = (text: string, id: string, beforeId: string): string => {
  const start = text.indexOf(`  - id: ${id}\n`);
  const end = text.indexOf('  - id: ', start + 1);
  const block = text.slice(start, end < 0 ? undefined : end);
  const rest = text.slice(0, start) + (end < 0 ? '' : text.slice(end));
  const at = rest.indexOf(`  - id: ${beforeId}\n`);
  return rest.slice(0, at) + block + rest.slice(at);
};
const removeStep = (text: string, id: string): string => {
  const start = text.indexOf(`  - id: ${id}\n`);
  const end = text.indexOf('  - id: ', start + 1);
  return text.slice(0, start) + (end < 0 ? '' : text.slice(end));
};

const badScripts: BadScript[] = [
  {
    name: 't > n',
    edit: (t) => replaceOnce(t, 'quorum: { n: 5, t: 3 }', 'quorum: { n: 5, t: 6 }'),
    at: 'quorum:',
    patterns: [/quorum\.t \(6\) is larger than quorum\.n \(5\)/],
  },
  {
    name: 't < 2',
    edit: (t) => replaceOnce(t, 'quorum: { n: 5, t: 3 }', 'quorum: { n: 5, t: 1 }'),
    at: 'quorum:',
    patterns: [/quorum\.t is 1; it must be from 2 to 255/],
  },
  {
    name: 'n > 255',
    edit: (t) => replaceOnce(replaceOnce(t, 'quorum: { n: 5, t: 3 }', 'quorum: { n: 256, t: 3 }'), 'trustee: 5', 'trustee: 255'),
    at: 'quorum:',
    patterns: [/quorum\.n is 256; it must be from 2 to 255/],
  },
  {
    name: 'n differs from the trustee count (root-keygen)',
    edit: (t) => replaceOnce(t, 'trustee: 5', 'trustee: 4'),
    at: 'quorum:',
    patterns: [/quorum\.n \(5\) must equal roles\.trustee \(4\)/],
  },
  {
    name: 'missing administrator role',
    edit: (t) => replaceOnce(t, '  administrator: 1\n', ''),
    at: 'trustee: 5',
    patterns: [/roles must declare "administrator: 1"/],
  },
  {
    name: 'witness steps without a witness role',
    edit: (t) => replaceOnce(t, '  witness: 1\n', ''),
    at: '    witness: true\n    title: Each trustee checks in',
    patterns: [/step "check-in" needs a witness, but the script declares no witness role/],
  },
  {
    name: 'administrator count other than 1',
    edit: (t) => replaceOnce(t, 'administrator: 1', 'administrator: 2'),
    at: 'administrator: 2',
    patterns: [/roles\.administrator must be 1/],
  },
  {
    name: 'unknown role declared',
    edit: (t) => replaceOnce(t, '  witness: 1\n', '  witness: 1\n  auditor: 1\n'),
    at: 'auditor: 1',
    patterns: [/"auditor" is not a Keyrite role; roles are administrator, trustee, witness/],
  },
  {
    name: 'unknown role as a step actor',
    edit: (t) => replaceOnce(t, 'action: split\n    actor: administrator', 'action: split\n    actor: auditor'),
    at: 'actor: auditor',
    patterns: [/step "split": actor \("auditor"\) is not a Keyrite role/],
  },
  {
    name: 'a role the action does not allow',
    edit: (t) => replaceOnce(t, 'action: split\n    actor: administrator', 'action: split\n    actor: trustee'),
    at: 'actor: trustee\n    title: Split',
    patterns: [/split is performed by administrator, not by trustee/],
  },
  {
    name: 'unknown action',
    edit: (t) => replaceOnce(t, 'action: generate', 'action: generat'),
    at: 'action: generat',
    patterns: [/unknown action \("generat"\); actions are: air-gap-check/],
  },
  {
    name: 'unknown top-level key',
    edit: (t) => replaceOnce(t, 'mode: live\n', 'mode: live\ncolour: blue\n'),
    at: 'colour: blue',
    patterns: [/The script has the unknown key "colour"; allowed keys: keyrite-script/],
  },
  {
    name: 'unknown key in a step',
    edit: (t) => replaceOnce(t, '    title: Generate the master key', '    titel: Generate the master key'),
    at: 'titel:',
    patterns: [/step "generate" has the unknown key "titel"/],
  },
  {
    name: 'unknown parameter',
    edit: (t) => replaceOnce(t, 'params: { enroll: true }', 'params: { enroll: true, fast: true }'),
    at: 'fast: true',
    patterns: [/step "check-in" \(check-in\): params has the unknown key "fast"; allowed keys: enroll/],
  },
  {
    name: 'parameters on an action that takes none',
    edit: (t) => replaceOnce(t, '    action: generate\n', '    action: generate\n    params: { strength: 256 }\n'),
    at: 'strength',
    patterns: [/generate takes no parameters/],
  },
  {
    name: 'slot-id in a token match',
    edit: (t) => replaceOnce(t, 'match: { token: "Keyrite Root" }', 'match: { token: "Keyrite Root", slot-id: 0 }'),
    at: 'slot-id',
    patterns: [/tokens\.master\.match has the unknown key "slot-id"; allowed keys: token, manufacturer, serial, model/],
  },
  {
    name: 'duplicate step id',
    edit: (t) => replaceOnce(t, '- id: split', '- id: generate'),
    at: '- id: generate\n    action: split',
    patterns: [/step id "generate" is used twice \(first at line \d+\)/],
  },
  {
    name: 'duplicate YAML key',
    edit: (t) => replaceOnce(t, 'mode: live\n', 'mode: live\nmode: rehearsal\n'),
    at: 'mode: rehearsal',
    patterns: [/the key "mode" appears twice in the same mapping/],
  },
  {
    name: 'anchors and aliases',
    edit: (t) => replaceOnce(replaceOnce(t, '  - id: self-test\n    action: self-test\n    actor: administrator', '  - id: self-test\n    action: self-test\n    actor: &admin administrator'), 'action: split\n    actor: administrator', 'action: split\n    actor: *admin'),
    at: '&admin',
    patterns: [/anchors \(&name\) are not allowed/, /aliases \(\*name\) are not allowed/],
  },
  {
    name: 'merge key',
    edit: (t) => replaceOnce(t, 'algorithms:\n', 'algorithms:\n  <<: { classical: ES256 }\n'),
    at: '<<:',
    patterns: [/merge keys \(<<\) are not allowed/],
  },
  {
    name: 'explicit tag',
    edit: (t) => replaceOnce(t, 'key-label: keyrite-root', 'key-label: !!str keyrite-root'),
    at: '!!str',
    patterns: [/tags \(!name\) are not allowed/],
  },
  {
    name: 'a second YAML document',
    edit: (t) => t + '---\nkeyrite-script: 1\n',
    at: '---',
    patterns: [/a second YAML document starts here/],
  },
  {
    name: 'a %YAML directive',
    edit: (t) => '%YAML 1.1\n---\n' + t,
    at: '%YAML',
    patterns: [/YAML directives \(%YAML, %TAG\) are not allowed/],
  },
  {
    name: 'wrong format version',
    edit: (t) => replaceOnce(t, 'keyrite-script: 1', 'keyrite-script: 2'),
    at: 'keyrite-script: 2',
    patterns: [/keyrite-script \("2"\) is not a format version this Keyrite reads; it reads version 1 only/],
  },
  {
    name: 'version written as text',
    edit: (t) => replaceOnce(t, 'keyrite-script: 1', 'keyrite-script: "1"'),
    at: 'keyrite-script',
    patterns: [/reads version 1 only/],
  },
  {
    name: 'steps out of order: split before generate',
    edit: (t) => moveStep(t, 'split', 'generate'),
    at: '- id: split',
    patterns: [/step "split" \(split, line \d+\) must come after step "generate" \(generate, line \d+\): the escrow is split only after the key exists/],
  },
  {
    name: 'steps out of order: generate before the trustees check in',
    edit: (t) => moveStep(t, 'generate', 'check-in'),
    at: '- id: generate',
    patterns: [/step "generate" .* must come after step "check-in" .*: the trustees check in before the key is generated/],
  },
  {
    name: 'steps out of order: co-sign before verify-receipts',
    edit: (t) => moveStep(t, 'co-sign', 'receipts'),
    at: '- id: co-sign',
    patterns: [/step "co-sign" .* must come after step "receipts" \(verify-receipts, .*only after every trustee has confirmed their share/],
  },
  {
    name: 'self-test after another step',
    edit: (t) => moveStep(t, 'self-test', 'enrolled'),
    at: '- id: check-in',
    patterns: [/step "check-in" .* must come after step "self-test" .*a failed self-test blocks every ceremony/],
  },
  {
    name: 'export not last',
    edit: (t) => moveStep(t, 'export', 'co-sign'),
    at: '- id: export',
    patterns: [/step "export" \(export, line \d+\) must be the last step; step "co-sign"/],
  },
  {
    name: 'missing mandatory step',
    edit: (t) => removeStep(t, 'receipts'),
    at: '- id: air-gap\n',
    patterns: [/a root-keygen script must have a verify-receipts step; this one has none/],
  },
  {
    name: 'missing import step',
    edit: (t) => removeStep(t, 'import'),
    at: '- id: air-gap\n',
    patterns: [/must have an import step/],
  },
  {
    name: 'bad key-label',
    edit: (t) => replaceOnce(t, 'key-label: keyrite-root', 'key-label: "root key!"'),
    at: 'key-label',
    patterns: [/tokens\.master\.key-label \("root key!"\) must be 1 to 64 letters, digits/],
  },
  {
    name: 'software token in a live script',
    edit: (t) => replaceOnce(t, 'match: { token: "Keyrite Root" }    # the token label; add serial: in a site copy', 'software: true'),
    at: 'software: true',
    patterns: [/embedded software token, which is for rehearsals only/],
  },
  {
    name: 'empty master match in a live script',
    edit: (t) => replaceOnce(t, 'match: { token: "Keyrite Root" }', 'match: {}'),
    at: 'match: {}    #',
    patterns: [/a live ceremony must name the master token/],
  },
  {
    name: 'token match value longer than the PKCS#11 field',
    edit: (t) => replaceOnce(t, 'match: { token: "Keyrite Root" }', 'match: { token: "Keyrite Root", model: "A model name too long" }'),
    at: 'model:',
    patterns: [/tokens\.master\.match\.model is longer than 16 characters/],
  },
  {
    name: 'live entropy without the token source',
    edit: (t) => replaceOnce(t, 'sources: [hsm, os, trustee-dice]', 'sources: [os, trustee-dice]'),
    at: 'sources:',
    patterns: [/must include both "hsm" and "os" in a live ceremony/],
  },
  {
    name: 'entropy source listed twice',
    edit: (t) => replaceOnce(t, 'sources: [hsm, os, trustee-dice]', 'sources: [hsm, os, os, trustee-dice]'),
    at: 'sources:',
    patterns: [/sources lists "os" twice/],
  },
  {
    name: 'dice without min-dice',
    edit: (t) => replaceOnce(t, ', min-dice: 50 }', ' }'),
    at: 'sources:',
    patterns: [/must give "min-dice"/],
  },
  {
    name: 'enrolment by a witness',
    edit: (t) => replaceOnce(t, '    action: check-in\n    actor: trustee', '    action: check-in\n    actor: witness'),
    at: 'params: { enroll: true }',
    patterns: [/only trustees enroll/],
  },
  {
    name: 'duplicate checkpoint phase',
    edit: (t) => replaceOnce(t, 'params: { phase: escrow }', 'params: { phase: enrollment }'),
    at: 'phase: enrollment }\n    witness: true\n  - id: co-sign',
    patterns: [/phase "enrollment" is already used by the checkpoint at line \d+/],
  },
  {
    name: 'co-sign by an undeclared role',
    edit: (t) => replaceOnce(t, '  witness: 1\n', '').replace(/\n {4}witness: true/g, '').replace('params: { roles: [trustee] }', 'params: { roles: [trustee, witness] }'),
    at: 'roles: [trustee, witness]',
    patterns: [/roles lists "witness", which is not declared in roles/],
  },
  {
    name: 'number written as text',
    edit: (t) => replaceOnce(t, 'trustee: 5', 'trustee: "5"'),
    at: 'trustee: "5"',
    patterns: [/roles\.trustee must be a whole number written in decimal digits \(without quotes\)/],
  },
  {
    name: 'YAML 1.1 boolean',
    edit: (t) => replaceOnce(t, 'paper-backup: true', 'paper-backup: yes'),
    at: 'paper-backup',
    patterns: [/escrow\.paper-backup must be true or false/],
  },
  {
    name: 'escrow options missing',
    edit: (t) => replaceOnce(t, 'escrow:\n  paper-backup: true\n', ''),
    at: 'keyrite-script: 1',
    patterns: [/the script splits an escrow, so it must say "escrow:/],
  },
  {
    name: 'a PIN in a script',
    edit: (t) => replaceOnce(t, '    key-label: keyrite-root\n', '    key-label: keyrite-root\n    pin: "246810"\n'),
    at: 'pin: "246810"',
    patterns: [/PINs never go in a ceremony script/],
  },
  {
    name: 'recovery: fewer trustees than t',
    base: recovery,
    edit: (t) => replaceOnce(t, 'trustee: 3', 'trustee: 2'),
    at: 'quorum:',
    patterns: [/roles\.trustee \(2\) must be from quorum\.t \(3\) to quorum\.n \(5\)/],
  },
  {
    name: 'recovery: collect-share before verify-bundle',
    base: recovery,
    edit: (t) => moveStep(moveStep(t, 'collect-share', 'verify-bundle'), 'check-in', 'collect-share'),
    at: '- id: collect-share',
    patterns: [/step "collect-share" .* must come after step "verify-bundle" .*checked against the verified public bundle/],
  },
  {
    name: 'recovery: the trustees check in before the bundle is verified',
    base: recovery,
    edit: (t) => moveStep(t, 'check-in', 'verify-bundle'),
    at: '- id: check-in',
    patterns: [/step "check-in" .* must come after step "verify-bundle" .*only its trustees take part in its recovery/],
  },
  {
    name: 'recovery: restore before combine',
    base: recovery,
    edit: (t) => moveStep(t, 'restore', 'combine'),
    at: '- id: restore\n',
    patterns: [/step "restore" \(restore-to-token.* must come after step "combine"/],
  },
  {
    name: 'recovery: missing combine',
    base: recovery,
    edit: (t) => removeStep(t, 'combine'),
    at: '- id: air-gap\n',
    patterns: [/an escrow-recovery script must have a combine step/],
  },
  {
    name: 'recovery: trustees enroll',
    base: recovery,
    edit: (t) => replaceOnce(t, 'params: { enroll: false }', 'params: { enroll: true }'),
    at: '- id: check-in',
    patterns: [/trustees do not enroll in a recovery/],
  },
  {
    name: 'recovery: an action of another kind',
    base: recovery,
    edit: (t) => replaceOnce(t, '  - id: combine\n    action: combine', '  - id: generate\n    action: generate'),
    at: '- id: generate',
    patterns: [/an escrow-recovery script cannot use the action generate/],
  },
  {
    name: 'signing: validity cap over ten years',
    base: signing,
    edit: (t) => replaceOnce(t, 'max-validity-days: 400', 'max-validity-days: 4000'),
    at: 'params: { max-validity-days',
    patterns: [/params\.max-validity-days is 4000; it must be from 1 to 3653/],
  },
  {
    name: 'signing: more keys than the hard cap',
    base: signing,
    edit: (t) => replaceOnce(t, 'max-keys: 16', 'max-keys: 65'),
    at: 'params: { max-validity-days',
    patterns: [/params\.max-keys is 65; it must be from 0 to 64/],
  },
  {
    name: 'signing: nothing could ever be signed',
    base: signing,
    edit: (t) => replaceOnce(t, 'max-keys: 16, max-artifacts: 64', 'max-keys: 0, max-artifacts: 0'),
    at: 'params: { max-validity-days',
    patterns: [/max-keys and max-artifacts are both 0, so no request could ever be signed/],
  },
  {
    name: 'signing: shares opened before the request is confirmed',
    base: signing,
    edit: (t) => moveStep(t, 'check-request', 'sign'),
    at: '- id: collect-share\n',
    patterns: [/the request is checked and confirmed before any share is opened/],
  },
  {
    name: 'signing: missing check-request',
    base: signing,
    edit: (t) => removeStep(t, 'check-request'),
    at: '- id: air-gap\n',
    patterns: [/a signing script must have a check-request step/],
  },
  {
    name: 'rotation: a grace period over ten years',
    base: rotation,
    edit: (t) => replaceOnce(t, 'grace-days: 30', 'grace-days: 3654'),
    at: 'params: { grace-days',
    patterns: [/params\.grace-days is 3654; it must be from 0 to 3653/],
  },
  {
    name: 'rotation: a negative grace period',
    base: rotation,
    edit: (t) => replaceOnce(t, 'grace-days: 30', 'grace-days: -1'),
    at: 'params: { grace-days',
    patterns: [/params\.grace-days must be a whole number written in decimal digits/],
  },
  {
    name: 'rotation: cross-sign without the witness',
    base: rotation,
    edit: (t) => replaceOnce(t, '    params: { grace-days: 30 }\n    witness: true\n', '    params: { grace-days: 30 }\n'),
    at: '- id: cross-sign\n',
    patterns: [/the witness reads the new fingerprint aloud beside the old one; the cross-sign step needs witness: true/],
  },
  {
    name: 'rotation: the new key generated before the old one is unlocked',
    base: rotation,
    edit: (t) => moveStep(t, 'combine', 'import'),
    at: '- id: generate\n',
    patterns: [/the old key is unlocked before the new one is made/],
  },
  {
    name: 'rotation: trustees enroll',
    base: rotation,
    edit: (t) => replaceOnce(t, 'params: { enroll: false }', 'params: { enroll: true }'),
    at: '- id: check-in\n',
    patterns: [/trustees do not enroll in a rotation/],
  },
  {
    name: 'rotation: missing cross-sign',
    base: rotation,
    edit: (t) => removeStep(t, 'cross-sign'),
    at: '- id: air-gap\n',
    patterns: [/a rotation script must have a cross-sign step/],
  },
  {
    name: 'rotation: fewer trustees than shares',
    base: rotation,
    edit: (t) => replaceOnce(t, '  trustee: 5\n', '  trustee: 3\n'),
    at: 'quorum:',
    patterns: [/quorum\.n \(5\) must equal roles\.trustee \(3\)/],
  },
  {
    name: 'root-keygen: cross-sign is a rotation action',
    edit: (t) => replaceOnce(t, '  - id: co-sign\n', '  - id: cross-sign\n    action: cross-sign\n    actor: administrator\n    params: { grace-days: 1 }\n    witness: true\n  - id: co-sign\n'),
    at: '- id: cross-sign\n',
    patterns: [/a root-keygen script cannot use the action cross-sign/],
  },
];

for (const bad of badScripts) {
  test(`refuses a script: ${bad.name}`, () => {
    const text = bad.edit(bad.base ?? live);
    const line = lineOf(text, bad.at);
    const e = expectInvalid(() => parseScriptText(text), 'SCRIPT_INVALID', line, ...bad.patterns);
    assert.ok(e instanceof CeremonyFileError);
    assert.ok(e.issues.some((i) => i.line === line), `no issue at line ${line}: ${e.message}`);
  });
}

test('at least 15 distinct bad scripts are covered', () => {
  assert.ok(badScripts.length >= 15);
  assert.equal(new Set(badScripts.map((b) => b.name)).size, badScripts.length);
});

test('every problem is reported, sorted by position', () => {
  let text = replaceOnce(live, 'action: generate', 'action: generat');
  text = replaceOnce(text, 'quorum: { n: 5, t: 3 }', 'quorum: { n: 5, t: 9 }');
  text = replaceOnce(text, 'mode: live\n', 'mode: live\nextra: 1\n');
  const e = expectInvalid(() => parseScriptText(text), 'SCRIPT_INVALID', undefined, /3 problems/);
  assert.ok(e instanceof CeremonyFileError);
  assert.deepEqual(
    e.issues.map((i) => i.line),
    [lineOf(text, 'extra: 1'), lineOf(text, 'quorum:'), lineOf(text, 'action: generat')],
  );
});

test('whole-file problems name line 1 or the offending position', () => {
  expectInvalid(() => parseCeremonyScript(new Uint8Array(0)), 'SCRIPT_INVALID', 1, /the file is empty/);
  expectInvalid(() => parseScriptText('# nothing here\n\n'), 'SCRIPT_INVALID', 1, /no YAML content/);
  expectInvalid(() => parseScriptText('- a\n- b\n'), 'SCRIPT_INVALID', 1, /A ceremony script must be a mapping/);
  expectInvalid(() => parseScriptText('kind: root-keygen\n'), 'SCRIPT_INVALID', 1, /does not start with "keyrite-script: 1"/);
  expectInvalid(() => parseCeremonyScript(new Uint8Array(MAX_SCRIPT_BYTES + 1).fill(0x20)), 'SCRIPT_INVALID', 1, /limit is 65536 bytes/);
  const withBadByte = bytes(live);
  const at = live.indexOf('name:');
  withBadByte[at] = 0xff;
  expectInvalid(() => parseCeremonyScript(withBadByte), 'SCRIPT_INVALID', lineOf(live, 'name:'), /not valid UTF-8/);
  expectInvalid(() => parseScriptText('\uFEFF' + live), 'SCRIPT_INVALID', 1, /byte-order mark/);
  expectInvalid(() => parseScriptText(replaceOnce(live, 'name: Root', 'name: Ro\u202Eot')), 'SCRIPT_INVALID', lineOf(live, 'name:'), /bidirectional-text control/);
  expectInvalid(() => parseScriptText(replaceOnce(live, 'name: Root', 'name: Ro\u0007ot')), 'SCRIPT_INVALID', lineOf(live, 'name:'), /control character \(U\+0007\)/);
});

test('nesting deeper than the limit is refused before the YAML composer sees it', () => {
  const cases: [string, number][] = [
    ['['.repeat(30_000) + ']'.repeat(30_000), 1],
    ['- '.repeat(20_000) + 'x', 1],
    ['{a: '.repeat(10_000), 1],
    [Array.from({ length: 40 }, (_, i) => ' '.repeat(i) + 'a:').join('\n'), 17],
  ];
  for (const [deep, line] of cases) {
    expectInvalid(() => parseScriptText(deep), 'SCRIPT_INVALID', line, /nested more than 16 levels deep/);
  }
});
