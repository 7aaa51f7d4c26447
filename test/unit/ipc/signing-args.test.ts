// Argument checks of the signing channels (core/ipc/signing-args.ts): garbage, wrong types,
// overlong text and extra or missing members are refused with a sentence, good arguments
// accepted, and nothing throws; the contract routes every signing channel through a check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkDigestConfirmation, checkSigningCheckInForm } from '../../../core/ipc/signing-args.ts';
import { CHANNELS, checkArg } from '../../../core/ipc/contract.ts';
import { GARBAGE, accepts, refuses, type Check } from '../../helpers/ipc-args.ts';

const goodTrustee = (id = 'trustee-1') => ({ id, name: 'Bob Trustee', token: 'trustees/trustee-1/token.keyrite-token', keyring: 'trustees/trustee-1/keyring.json', envelope: 'trustees/trustee-1/share-envelope.json' });
const goodForm = () => ({
  administrator: 'Alice Admin',
  witnesses: ['Grace Witness'],
  trust: 'ab'.repeat(32),
  masterToken: 'master/master.keyrite-token',
  trustees: [goodTrustee(), goodTrustee('trustee-2'), goodTrustee('trustee-3')],
  requestDigest: '27289d89 99a40ec6 '.repeat(4).trim(),
});

test('every signing check refuses garbage with a sentence', () => {
  const checks: [string, Check][] = [['checkSigningCheckInForm', checkSigningCheckInForm], ['checkDigestConfirmation', checkDigestConfirmation]];
  for (const [name, check] of checks) for (const [what, value] of GARBAGE) refuses(check, value, `${name}: ${what}`);
});

test('signing check-in form: a good form (empty digest too) accepted; each bad field refused', () => {
  accepts(checkSigningCheckInForm, goodForm(), 'good form');
  accepts(checkSigningCheckInForm, { ...goodForm(), requestDigest: '' }, 'no digest (rehearsal)');
  const bad: [string, (f: ReturnType<typeof goodForm>) => unknown, RegExp?][] = [
    ['missing digest', ({ requestDigest: _, ...f }) => f, /exactly these fields: administrator, witnesses, trust, masterToken, trustees, requestDigest/],
    ['extra member', (f) => ({ ...f, pin: '1234' }), /exactly these fields/],
    ['digest not text', (f) => ({ ...f, requestDigest: 42 }), /64 hex digits/],
    ['overlong digest', (f) => ({ ...f, requestDigest: 'a'.repeat(201) }), /64 hex digits/],
    ['overlong administrator', (f) => ({ ...f, administrator: 'a'.repeat(101) })],
    ['no trustees', (f) => ({ ...f, trustees: [] })],
    ['bad trustee id', (f) => ({ ...f, trustees: [{ ...goodTrustee(), id: '../x' }] })],
    ['trustee with an extra member', (f) => ({ ...f, trustees: [{ ...goodTrustee(), pin: '1234' }] })],
    ['overlong path', (f) => ({ ...f, trustees: [{ ...goodTrustee(), keyring: 'k'.repeat(1025) }] })],
  ];
  for (const [what, change, expected] of bad) refuses(checkSigningCheckInForm, change(goodForm()), what, expected);
});

test('digest confirmation: exactly a prompt id and some words, bounded', () => {
  accepts(checkDigestConfirmation, { prompt: 3, words: 'aardvark absurd' }, 'two words');
  refuses(checkDigestConfirmation, { prompt: 0, words: 'aardvark absurd' }, 'prompt 0', /no confirmation request/);
  refuses(checkDigestConfirmation, { prompt: 1.5, words: 'aardvark absurd' }, 'fractional prompt');
  refuses(checkDigestConfirmation, { prompt: 1, words: '   ' }, 'blank words', /first two words/);
  refuses(checkDigestConfirmation, { prompt: 1, words: 'w'.repeat(101) }, 'overlong words', /only the first two words/);
  refuses(checkDigestConfirmation, { prompt: 1, words: 'a b', confirmed: true }, 'extra member', /exactly these fields: prompt, words/);
  refuses(checkDigestConfirmation, { words: 'a b' }, 'missing prompt');
});

test('any value: the checks return null or a sentence and never throw', () => {
  fc.assert(
    fc.property(fc.anything(), (v) => {
      for (const check of [checkSigningCheckInForm, checkDigestConfirmation]) {
        const r = check(v);
        assert.ok(r === null || /^[A-Z].*\.$/.test(r));
      }
    }),
    { numRuns: 300 },
  );
});

test('every signing channel is in the contract and checks its argument', () => {
  const signing = CHANNELS.filter((c) => c.startsWith('signing:'));
  assert.deepEqual([...signing].sort(), ['signing:checkIn', 'signing:confirmDigest', 'signing:export', 'signing:interrupted', 'signing:load', 'signing:openBundle', 'signing:openRequest', 'signing:pin', 'signing:readShareCard', 'signing:reset', 'signing:resume', 'signing:scripts', 'signing:start', 'signing:state', 'signing:stop', 'signing:witness']);
  for (const c of ['signing:state', 'signing:start', 'signing:stop', 'signing:reset', 'signing:scripts', 'signing:interrupted'] as const) refuses((a) => checkArg(c, a), { x: 1 }, `${c} with an argument`);
  for (const c of ['signing:openBundle', 'signing:openRequest', 'signing:export'] as const) {
    accepts((a) => checkArg(c, a), { pick: true }, `${c} pick`);
    refuses((a) => checkArg(c, a), { pick: '/etc' }, `${c} with a path`);
  }
  refuses((a) => checkArg('signing:pin', a), { prompt: 1, pin: '' }, 'empty PIN');
  refuses((a) => checkArg('signing:witness', a), { prompt: 1, confirmed: 'yes' }, 'witness not boolean');
});

test('signing:resume takes only a signing run folder name as signing:interrupted lists it', () => {
  accepts((a) => checkArg('signing:resume', a), { folder: 'signing-a1B2c3' }, 'a listed folder');
  for (const [bad, why] of [
    [{ folder: 'ceremony-a1B2c3' }, 'a root-keygen run folder'],
    [{ folder: '../signing-a1B2c3' }, 'a path'],
    [{ folder: '/tmp/signing-a1B2c3' }, 'an absolute path'],
    [{ folder: 'signing-a1B2c3x' }, 'seven characters'],
    [{ folder: 'signing-a1B2c3', extra: 1 }, 'an extra field'],
    [{}, 'no folder'],
    ['signing-a1B2c3', 'not an object'],
  ] as const) refuses((a) => checkArg('signing:resume', a), bad, why);
});
