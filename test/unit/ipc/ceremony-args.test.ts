// Argument checks of the ceremony channels (core/ipc/ceremony-args.ts, wired per channel in
// core/ipc/contract.ts's CHANNEL_SPECS): every check refuses garbage, wrong types, overlong
// text and extra or missing members with a sentence, accepts good arguments, and never throws.
// Random inputs through fast-check where the space is large.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { checkCheckInForm, checkParticipantRef, checkPinAnswer, checkRunFolderRef, checkScriptSource, checkWitnessAnswer } from '../../../core/ipc/ceremony-args.ts';
import { checkArg, type Channel } from '../../../core/ipc/contract.ts';
import { GARBAGE, accepts, assertSentence, refuses, type Check } from '../../helpers/ipc-args.ts';

const repo = new URL('../../../', import.meta.url).pathname;

const ARG_CHECKS: [string, Check][] = [
  ['checkScriptSource', checkScriptSource],
  ['checkCheckInForm', checkCheckInForm],
  ['checkPinAnswer', checkPinAnswer],
  ['checkWitnessAnswer', checkWitnessAnswer],
  ['checkParticipantRef', checkParticipantRef],
];

test('every ceremony channel is wired to its check; the others take no argument', () => {
  const wired: [Channel, Check][] = [
    ['ceremony:load', checkScriptSource],
    ['ceremony:checkIn', checkCheckInForm],
    ['ceremony:pin', checkPinAnswer],
    ['ceremony:witness', checkWitnessAnswer],
    ['ceremony:paperWords', checkParticipantRef],
    ['ceremony:paperCopied', checkParticipantRef],
  ];
  const probes: unknown[] = [...GARBAGE.map(([, v]) => v), { shipped: 'root-keygen-3of5.yaml' }, { pick: true }, goodForm(), { prompt: 1, pin: '1234' }, { prompt: 1, confirmed: true }, { trusteeId: 'trustee-1' }];
  for (const [channel, check] of wired) {
    for (const p of probes) assert.equal(checkArg(channel, p), check(p), `${channel} checks with its own check`);
  }
  const noArgument: Channel[] = ['ceremony:scripts', 'ceremony:start', 'ceremony:state', 'ceremony:stop', 'ceremony:reset', 'ceremony:export'];
  for (const channel of noArgument) {
    accepts((a) => checkArg(channel, a), undefined, `${channel} without argument`);
    for (const p of probes.filter((v) => v !== undefined)) refuses((a) => checkArg(channel, a), p, `${channel} with an argument`, 'This request takes no argument.');
  }
});

test('garbage is refused with a sentence by every check', () => {
  for (const [name, check] of ARG_CHECKS) {
    for (const [what, value] of GARBAGE) refuses(check, value, `${name}: ${what}`);
  }
});

test('random values (property): every check returns null or a sentence, never throws', () => {
  fc.assert(
    fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true }), (v) => {
      for (const [name, check] of ARG_CHECKS) {
        const r = check(v);
        if (r !== null) assertSentence(r, name);
      }
    }),
    { numRuns: 1000 },
  );
});

// ---------------------------------------------------------------------------------------------
// ceremony:load

test('ceremony:load: a shipped script name or the picker', () => {
  const shipped = readdirSync(`${repo}ceremony-scripts`).filter((f) => f.endsWith('.yaml'));
  assert.ok(shipped.length >= 4);
  for (const name of shipped) accepts(checkScriptSource, { shipped: name }, name);
  accepts(checkScriptSource, { pick: true }, 'the picker');
  accepts(checkScriptSource, { shipped: `a${'b'.repeat(99)}.yaml` }, '100 characters before .yaml');
  const NOT_SHIPPED = 'That is not the name of a shipped script.';
  const CHOOSE = 'Choose a shipped script or the file picker.';
  for (const name of ['../root-keygen-3of5.yaml', '/etc/passwd.yaml', 'sub/x.yaml', 'Root.yaml', 'x.yml', 'x.yaml.exe', '.yaml', '-x.yaml', 'x .yaml', `a${'b'.repeat(100)}.yaml`, 'x.yaml\n', '']) {
    refuses(checkScriptSource, { shipped: name }, JSON.stringify(name), NOT_SHIPPED);
  }
  refuses(checkScriptSource, { shipped: 42 }, 'a number', NOT_SHIPPED);
  refuses(checkScriptSource, { shipped: ['x.yaml'] }, 'a list', NOT_SHIPPED);
  for (const pick of [false, 'true', 1, null]) refuses(checkScriptSource, { pick }, `pick: ${String(pick)}`, CHOOSE);
  refuses(checkScriptSource, { shipped: 'root-keygen-3of5.yaml', pick: true }, 'both', CHOOSE);
  refuses(checkScriptSource, { shipped: 'root-keygen-3of5.yaml', path: '/tmp/x.yaml' }, 'an extra member', CHOOSE);
  refuses(checkScriptSource, { path: '/tmp/x.yaml' }, 'a path', CHOOSE);
  refuses(checkScriptSource, Object.create({ pick: true }) as unknown, 'an inherited member', CHOOSE);
});

test('ceremony:load (property): a name is accepted exactly when it is a plain lowercase .yaml file name of at most 105 characters', () => {
  const names = fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,120}\.yaml$/), fc.string({ maxLength: 120 }).map((s) => `${s}.yaml`), fc.string({ maxLength: 120 }));
  fc.assert(
    fc.property(names, (name) => {
      const good = name.length <= 105 && /^[a-z0-9][a-z0-9.-]*\.yaml$/.test(name);
      const r = checkScriptSource({ shipped: name });
      // One fixed sentence: the refusal never echoes what was sent.
      assert.equal(r, good ? null : 'That is not the name of a shipped script.', JSON.stringify(name));
    }),
    { numRuns: 1000 },
  );
});

// ---------------------------------------------------------------------------------------------
// ceremony:checkIn

interface Form {
  administrator: unknown;
  witnesses: unknown;
  masterToken: unknown;
  trustees: unknown;
  simulateDice: unknown;
  [k: string]: unknown;
}

function goodForm(): Form {
  return {
    administrator: 'Ada Administrator',
    witnesses: ['Wim Witness', 'Wanda Witness'],
    masterToken: 'pkcs11:token=Master;serial=0001',
    trustees: [
      { name: 'Trudy One', token: 'software:trustee-1.keyrite-token', dice: '' },
      { name: 'Trent Two', token: 'pkcs11:token=Trustee%202;serial=0002', dice: '3 1 4 1 5 6' },
    ],
    simulateDice: false,
  };
}

test('ceremony:checkIn: a good form, and the bounds themselves, are accepted', () => {
  accepts(checkCheckInForm, goodForm(), 'the good form');
  const max = goodForm();
  max.administrator = 'a'.repeat(100);
  max.witnesses = Array.from({ length: 16 }, (_, i) => `${'w'.repeat(98)}${String(i).padStart(2, '0')}`);
  max.masterToken = 't'.repeat(1024);
  max.trustees = Array.from({ length: 32 }, () => ({ name: 'n'.repeat(100), token: 'k'.repeat(1024), dice: '6'.repeat(4000) }));
  max.simulateDice = true;
  accepts(checkCheckInForm, max, 'every field at its bound');
  accepts(checkCheckInForm, { ...goodForm(), witnesses: [] }, 'no witness');
  accepts(checkCheckInForm, { ...goodForm(), trustees: [{ name: 'Solo', token: 'x', dice: '' }] }, 'one trustee');
});

test('ceremony:checkIn: each wrong field is refused with its own sentence', () => {
  const cases: [string, (f: Form) => void, RegExp][] = [
    ['an extra member', (f) => (f.pin = '1234'), /^This request takes exactly these fields: administrator, witnesses, masterToken, trustees, simulateDice\.$/],
    ['a missing member', (f) => delete f.simulateDice, /^This request takes exactly these fields:/],
    ['administrator: a number', (f) => (f.administrator = 7), /administrator's name/],
    ['administrator: 101 characters', (f) => (f.administrator = 'a'.repeat(101)), /administrator's name .* at most 100 characters/],
    ['witnesses: a string', (f) => (f.witnesses = 'Wim'), /Witnesses' names/],
    ['witnesses: 17', (f) => (f.witnesses = Array.from({ length: 17 }, (_, i) => `w${i}`)), /at most 16 names/],
    ['witnesses: a name of 101 characters', (f) => (f.witnesses = ['w'.repeat(101)]), /Witnesses' names/],
    ['witnesses: a number in the list', (f) => (f.witnesses = ['Wim', 3]), /Witnesses' names/],
    ['masterToken: 1025 characters', (f) => (f.masterToken = 't'.repeat(1025)), /master token/],
    ['masterToken: an object', (f) => (f.masterToken = { id: 'x' }), /master token/],
    ['simulateDice: "false"', (f) => (f.simulateDice = 'false'), /Simulated dice/],
    ['simulateDice: 0', (f) => (f.simulateDice = 0), /Simulated dice/],
    ['trustees: empty', (f) => (f.trustees = []), /1 to 32 people/],
    ['trustees: 33', (f) => (f.trustees = Array.from({ length: 33 }, () => ({ name: 'n', token: 't', dice: '' }))), /1 to 32 people/],
    ['trustees: an object', (f) => (f.trustees = { 0: { name: 'n', token: 't', dice: '' } }), /1 to 32 people/],
    ['a trustee: null', (f) => ((f.trustees as unknown[])[1] = null), /^Each trustee has exactly a name, a token and dice rolls/],
    ['a trustee: an extra member', (f) => (((f.trustees as unknown[])[0] as Record<string, unknown>).pin = '1234'), /^Each trustee has exactly/],
    ['a trustee: no dice member', (f) => delete ((f.trustees as unknown[])[0] as Record<string, unknown>).dice, /^Each trustee has exactly/],
    ["a trustee's name: 101 characters", (f) => (((f.trustees as unknown[])[0] as Record<string, unknown>).name = 'n'.repeat(101)), /trustee's name/],
    ["a trustee's token: 1025 characters", (f) => (((f.trustees as unknown[])[1] as Record<string, unknown>).token = 'k'.repeat(1025)), /trustee's token/],
    ["a trustee's token: a number", (f) => (((f.trustees as unknown[])[1] as Record<string, unknown>).token = 1), /trustee's token/],
    ['dice: 4001 characters', (f) => (((f.trustees as unknown[])[1] as Record<string, unknown>).dice = '1'.repeat(4001)), /Dice rolls .* at most 4000 characters/],
    ['dice: a list of numbers', (f) => (((f.trustees as unknown[])[1] as Record<string, unknown>).dice = [3, 1, 4]), /Dice rolls/],
  ];
  for (const [what, change, expected] of cases) {
    const f = goodForm();
    change(f);
    refuses(checkCheckInForm, f, what, expected);
  }
});

const name = (max: number) => fc.string({ maxLength: max });
const arbForm = fc.record({
  administrator: name(100),
  witnesses: fc.array(name(100), { maxLength: 16 }),
  masterToken: name(1024),
  trustees: fc.array(fc.record({ name: name(100), token: name(1024), dice: name(4000) }), { minLength: 1, maxLength: 32 }),
  simulateDice: fc.boolean(),
});

/** A change that makes a good form bad: a wrong type, an overlong text, an extra or a missing member, anywhere. */
const arbBreak = fc.oneof(
  fc.record({ at: fc.constantFrom('administrator', 'witnesses', 'masterToken', 'trustees', 'simulateDice'), kind: fc.constant('wrong type' as const), value: fc.oneof(fc.integer(), fc.constant(null), fc.object({ maxDepth: 1 })) }),
  fc.record({ at: fc.constantFrom('administrator', 'masterToken', 'witness', 'trustee.name', 'trustee.token', 'trustee.dice'), kind: fc.constant('too long' as const), value: fc.constant(null) }),
  fc.record({ at: fc.constantFrom('form', 'trustee'), kind: fc.constantFrom('extra' as const, 'missing' as const), value: fc.constant(null) }),
);

function breakForm(form: Form, b: { at: string; kind: 'wrong type' | 'too long' | 'extra' | 'missing'; value: unknown }, pick: number): Form {
  const f = structuredClone(form);
  const trustees = f.trustees as Record<string, unknown>[];
  const trustee = trustees[pick % trustees.length]!;
  const limit = { administrator: 100, masterToken: 1024, witness: 100, 'trustee.name': 100, 'trustee.token': 1024, 'trustee.dice': 4000 } as Record<string, number>;
  if (b.kind === 'wrong type') f[b.at] = b.at === 'simulateDice' && typeof b.value !== 'boolean' ? b.value : b.at === 'simulateDice' ? 'yes' : b.at === 'witnesses' || b.at === 'trustees' ? (b.value ?? 'x') : (b.value ?? 7);
  else if (b.kind === 'too long') {
    const long = 'x'.repeat(limit[b.at]! + 1);
    if (b.at === 'witness') f.witnesses = [...(f.witnesses as string[]), long].slice(-16);
    else if (b.at.startsWith('trustee.')) trustee[b.at.slice(8)] = long;
    else f[b.at] = long;
  } else if (b.kind === 'extra') (b.at === 'form' ? f : trustee).extra = 'x';
  else if (b.at === 'form') delete f.trustees;
  else delete trustee.dice;
  return f;
}

test('ceremony:checkIn (property): random good forms are accepted; any one break is refused with a sentence', () => {
  fc.assert(
    fc.property(arbForm, arbBreak, fc.nat(), (form, b, pick) => {
      accepts(checkCheckInForm, form, 'a good form');
      refuses(checkCheckInForm, breakForm(form, b, pick), `${b.kind} at ${b.at}`);
    }),
    { numRuns: 300 },
  );
});

// ---------------------------------------------------------------------------------------------
// ceremony:pin, ceremony:witness

test('ceremony:pin: a prompt number and a PIN of 1 to 256 characters', () => {
  accepts(checkPinAnswer, { prompt: 1, pin: '1' }, 'the shortest');
  accepts(checkPinAnswer, { prompt: Number.MAX_SAFE_INTEGER, pin: 'p'.repeat(256) }, 'the longest');
  for (const prompt of [0, -1, 1.5, Number.NaN, Infinity, Number.MAX_SAFE_INTEGER + 1, '1', null, true]) {
    refuses(checkPinAnswer, { prompt, pin: '123456' }, `prompt ${String(prompt)}`, 'This answers no PIN request.');
  }
  refuses(checkPinAnswer, { prompt: 1, pin: '' }, 'an empty PIN', 'Type the PIN first.');
  for (const pin of [123456, null, ['1'], { pin: '1' }]) refuses(checkPinAnswer, { prompt: 1, pin }, `pin ${JSON.stringify(pin)}`, 'Type the PIN first.');
  refuses(checkPinAnswer, { prompt: 1, pin: 'p'.repeat(257) }, '257 characters', 'That PIN is longer than any token accepts (at most 256 characters).');
  refuses(checkPinAnswer, { prompt: 1, pin: '1234', remember: true }, 'an extra member', 'This request takes exactly these fields: prompt, pin.');
  refuses(checkPinAnswer, { pin: '1234' }, 'no prompt', 'This request takes exactly these fields: prompt, pin.');
});

const PIN_REFUSALS = ['This answers no PIN request.', 'Type the PIN first.', 'That PIN is longer than any token accepts (at most 256 characters).'];

test('ceremony:pin (property): accepted exactly when valid, and a refusal never contains the PIN', () => {
  const pins = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', minLength: 250, maxLength: 260 }), fc.stringMatching(/^[0-9]{4,12}$/));
  const prompts = fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2));
  fc.assert(
    fc.property(prompts, pins, (prompt, pin) => {
      const r = checkPinAnswer({ prompt, pin });
      const good = Number.isSafeInteger(prompt) && prompt >= 1 && pin.length >= 1 && pin.length <= 256;
      if (good) assert.equal(r, null);
      // One of fixed sentences: a refusal never contains the PIN.
      else assert.ok(PIN_REFUSALS.includes(r!), `"${r}" is one of the fixed sentences`);
      refuses(checkPinAnswer, { prompt, pin, extra: pin }, 'with an extra member');
    }),
    { numRuns: 1000 },
  );
});

test('ceremony:witness: a prompt number and a yes or no', () => {
  accepts(checkWitnessAnswer, { prompt: 3, confirmed: true }, 'yes');
  accepts(checkWitnessAnswer, { prompt: 3, confirmed: false }, 'no');
  for (const confirmed of ['yes', 1, 0, null, undefined]) refuses(checkWitnessAnswer, { prompt: 3, confirmed }, `confirmed ${String(confirmed)}`, 'A witness confirms or declines.');
  for (const prompt of [0, -3, 2.5, '3']) refuses(checkWitnessAnswer, { prompt, confirmed: true }, `prompt ${String(prompt)}`, 'This answers no witness request.');
  refuses(checkWitnessAnswer, { prompt: 3, confirmed: true, witness: 'Wim' }, 'an extra member', 'This request takes exactly these fields: prompt, confirmed.');
  refuses(checkWitnessAnswer, { prompt: 3, pin: '1234' }, 'a PIN answer', 'This request takes exactly these fields: prompt, confirmed.');
});

// ---------------------------------------------------------------------------------------------
// ceremony:paperWords, ceremony:paperCopied

test('ceremony:paperWords / paperCopied: a trustee id of the script form', () => {
  for (const id of ['trustee-1', 't', '0', `a${'b'.repeat(31)}`]) accepts(checkParticipantRef, { trusteeId: id }, id);
  const NOT = 'That is not a trustee of this ceremony.';
  for (const id of ['', 'Trustee-1', '-trustee', 'trustee_1', 'trustee 1', '../x', `a${'b'.repeat(32)}`, 'trustee-1\n']) refuses(checkParticipantRef, { trusteeId: id }, JSON.stringify(id), NOT);
  for (const id of [1, null, ['trustee-1'], { id: 'trustee-1' }]) refuses(checkParticipantRef, { trusteeId: id }, JSON.stringify(id), NOT);
  refuses(checkParticipantRef, { trusteeId: 'trustee-1', words: 'all' }, 'an extra member', 'This request takes exactly these fields: trusteeId.');
  refuses(checkParticipantRef, { trustee: 'trustee-1' }, 'another member', 'This request takes exactly these fields: trusteeId.');
});

test('ceremony:paperWords (property): accepted exactly when lowercase letters, digits and dashes, 1 to 32, not starting with a dash', () => {
  fc.assert(
    fc.property(fc.oneof(fc.stringMatching(/^[a-z0-9-]{0,40}$/), fc.string({ maxLength: 40 })), (id) => {
      const good = id.length >= 1 && id.length <= 32 && /^[a-z0-9][a-z0-9-]*$/.test(id);
      const r = checkParticipantRef({ trusteeId: id });
      if (good) assert.equal(r, null, id);
      else assertSentence(r, id);
    }),
    { numRuns: 1000 },
  );
});

test('ceremony:resume takes exactly one listed run folder name, nothing that leaves the work root', () => {
  assert.equal(checkRunFolderRef({ folder: 'ceremony-aB3xZ9' }), null);
  assert.equal(checkArg('ceremony:resume' as Channel, { folder: 'ceremony-aB3xZ9' }), null);
  for (const folder of ['../ceremony-aB3xZ9', 'ceremony-aB3xZ9/..', 'ceremony-aB3x', 'recovery-aB3xZ9', '/tmp/ceremony-aB3xZ9', 'ceremony-aB3xZ9 ', '', 42, null]) {
    refuses(checkRunFolderRef, { folder }, `folder ${JSON.stringify(folder)}`);
  }
  refuses(checkRunFolderRef, { folder: 'ceremony-aB3xZ9', extra: 1 }, 'an extra member');
  refuses(checkRunFolderRef, 'ceremony-aB3xZ9', 'a bare string');
  fc.assert(fc.property(fc.anything(), (arg) => {
    const r = checkRunFolderRef(arg);
    return r === null ? typeof (arg as { folder?: unknown }).folder === 'string' : typeof r === 'string';
  }));
  assert.notEqual(checkArg('ceremony:interrupted' as Channel, { folder: 'ceremony-aB3xZ9' }), null);
});
