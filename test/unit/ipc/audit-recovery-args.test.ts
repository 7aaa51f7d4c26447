// Argument checks of the audit and recovery channels (core/ipc/audit-args.ts,
// core/ipc/recovery-args.ts): garbage, wrong types, overlong text and extra or missing members
// are refused with a sentence, good arguments accepted, and nothing throws.
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_EDITOR_SCRIPT, checkAuditOptions, checkAuditScriptSource } from '../../../core/ipc/audit-args.ts';
import { MAX_SCANNED_CARD_CHARS, checkPickOnly, checkRecoveryCheckInForm, checkShareCardScan, checkShareCheckForm } from '../../../core/ipc/recovery-args.ts';
import { GARBAGE, accepts, refuses, type Check } from '../../helpers/ipc-args.ts';

const goodTrustee = (id = 'trustee-1') => ({ id, name: 'Bob Trustee', token: 'software:trustee-1.keyrite-token', keyring: 'trustees/trustee-1/keyring.json', envelope: 'trustees/trustee-1/share-envelope.json' });
const goodForm = () => ({ administrator: 'Alice Admin', witnesses: ['Grace Witness'], trust: 'ab'.repeat(32), masterToken: 'software:new-master.keyrite-token', trustees: [goodTrustee(), goodTrustee('trustee-2'), goodTrustee('trustee-3')] });

test('every audit and recovery check refuses garbage with a sentence', () => {
  const checks: [string, Check][] = [['checkAuditOptions', checkAuditOptions], ['checkAuditScriptSource', checkAuditScriptSource], ['checkPickOnly', checkPickOnly], ['checkRecoveryCheckInForm', checkRecoveryCheckInForm], ['checkShareCardScan', checkShareCardScan], ['checkShareCheckForm', checkShareCheckForm]];
  for (const [name, check] of checks) for (const [what, value] of GARBAGE) refuses(check, value, `${name}: ${what}`);
});

test('audit options: exactly trust and mode; a known mode; bounded fingerprint text', () => {
  accepts(checkAuditOptions, { trust: '', mode: 'hybrid' }, 'empty trust');
  accepts(checkAuditOptions, { trust: 'ab'.repeat(32), mode: 'pq-only' }, 'hex trust, pq-only');
  refuses(checkAuditOptions, { trust: '', mode: 'rsa' }, 'unknown mode', /mode must be/);
  refuses(checkAuditOptions, { trust: 'x'.repeat(401), mode: 'hybrid' }, 'overlong trust');
  refuses(checkAuditOptions, { trust: '', mode: 'hybrid', extra: 1 }, 'extra member');
  refuses(checkAuditOptions, { mode: 'hybrid' }, 'missing trust');
});

test('audit script source: a pick, or non-empty editor text within the limit', () => {
  accepts(checkAuditScriptSource, { pick: true }, 'pick');
  accepts(checkAuditScriptSource, { source: "check('x', true, 'y');" }, 'editor text');
  refuses(checkAuditScriptSource, { pick: false }, 'pick false');
  refuses(checkAuditScriptSource, { source: '   ' }, 'blank source', /Type the audit script/);
  refuses(checkAuditScriptSource, { source: 'x'.repeat(MAX_EDITOR_SCRIPT + 1) }, 'overlong source', /run it from a file/);
  refuses(checkAuditScriptSource, { source: 'x', pick: true }, 'both');
});

test('recovery check-in form: good form accepted; each bad field refused', () => {
  accepts(checkPickOnly, { pick: true }, 'pick');
  accepts(checkRecoveryCheckInForm, goodForm(), 'good form');
  const bad: [string, (f: ReturnType<typeof goodForm>) => unknown][] = [
    ['overlong administrator', (f) => ({ ...f, administrator: 'a'.repeat(101) })],
    ['17 witnesses', (f) => ({ ...f, witnesses: Array(17).fill('W') })],
    ['overlong trust', (f) => ({ ...f, trust: 'a'.repeat(401) })],
    ['no trustees', (f) => ({ ...f, trustees: [] })],
    ['33 trustees', (f) => ({ ...f, trustees: Array(33).fill(goodTrustee()) })],
    ['a trustee id with a slash', (f) => ({ ...f, trustees: [{ ...goodTrustee(), id: '../etc' }] })],
    ['a trustee with an extra member', (f) => ({ ...f, trustees: [{ ...goodTrustee(), pin: '1234' }] })],
    ['an overlong envelope path', (f) => ({ ...f, trustees: [{ ...goodTrustee(), envelope: 'x'.repeat(1025) }] })],
    ['a PIN member on the form', (f) => ({ ...f, pin: '1234' })],
    ['a number as master token', (f) => ({ ...f, masterToken: 7 })],
  ];
  for (const [what, make] of bad) refuses(checkRecoveryCheckInForm, make(goodForm()), what);
});

test('recovery check-in form (property): any single member replaced by a random value never throws, and every refusal is a sentence', () => {
  const keys = Object.keys(goodForm());
  fc.assert(
    fc.property(fc.constantFrom(...keys), fc.anything(), (key, value) => {
      const form = { ...goodForm(), [key]: value };
      const r = checkRecoveryCheckInForm(form);
      if (r !== null) refuses(checkRecoveryCheckInForm, form, `random ${key}`);
    }),
    { numRuns: 300 },
  );
});

test('share card scan: exactly a trustee id and the scanned text, bounded', () => {
  accepts(checkShareCardScan, { trusteeId: 'trustee-2', scanned: 'KRS1 1/1 0011223344 AAAA' }, 'one part');
  accepts(checkShareCardScan, { trusteeId: 'trustee-2', scanned: '' }, 'empty text (the main process says nothing was scanned)');
  accepts(checkShareCardScan, { trusteeId: 'trustee-2', scanned: 'x'.repeat(MAX_SCANNED_CARD_CHARS) }, 'text at the bound');
  refuses(checkShareCardScan, { trusteeId: 'trustee-2', scanned: 'x'.repeat(MAX_SCANNED_CARD_CHARS + 1) }, 'overlong text', /More text was scanned/);
  refuses(checkShareCardScan, { trusteeId: '../trustee-2', scanned: '' }, 'a path as trustee id', /not a trustee/);
  refuses(checkShareCardScan, { trusteeId: 'trustee-2', scanned: ['KRS1'] }, 'a list', /must be text/);
  refuses(checkShareCardScan, { trusteeId: 'trustee-2' }, 'missing text');
  refuses(checkShareCardScan, { trusteeId: 'trustee-2', scanned: '', envelope: 'x' }, 'extra member');
  fc.assert(
    fc.property(fc.constantFrom('trusteeId', 'scanned'), fc.anything(), (key, value) => {
      const arg = { trusteeId: 'trustee-1', scanned: 'KRS1', [key]: value };
      if (checkShareCardScan(arg) !== null) refuses(checkShareCardScan, arg, `random ${key}`);
    }),
  );
});

const goodShareForm = () => ({ trusteeId: 'trustee-2', keyring: 'trustees/trustee-2/keyring.json', envelope: { file: 'trustees/trustee-2/share-envelope.json' } as { file: string } | { card: string }, token: 'software:trustee-2.keyrite-token', pin: '1234', paperWords: '', trust: '' });

test('share check form: good forms accepted; each bad field refused with a sentence', () => {
  accepts(checkShareCheckForm, goodShareForm(), 'envelope file');
  accepts(checkShareCheckForm, { ...goodShareForm(), envelope: { card: 'KRS1 1/1 0011223344 AAAA' }, paperWords: 'academic acid', trust: 'ab'.repeat(32) }, 'card, words, trust');
  const bad: [string, unknown, RegExp][] = [
    ['a path as trustee id', { ...goodShareForm(), trusteeId: '../x' }, /Choose which trustee you are/],
    ['a blank keyring', { ...goodShareForm(), keyring: '  ' }, /Give your keyring file/],
    ['both envelope forms', { ...goodShareForm(), envelope: { file: 'a', card: 'b' } }, /Give your envelope file, or scan your share card/],
    ['an empty card', { ...goodShareForm(), envelope: { card: '' } }, /Give your envelope file, or scan your share card/],
    ['an overlong card', { ...goodShareForm(), envelope: { card: 'x'.repeat(MAX_SCANNED_CARD_CHARS + 1) } }, /scan your share card/],
    ['an envelope string', { ...goodShareForm(), envelope: 'trustees/x.json' }, /scan your share card/],
    ['no token', { ...goodShareForm(), token: '' }, /Choose your token/],
    ['an empty PIN', { ...goodShareForm(), pin: '' }, /Type your token's PIN/],
    ['a numeric PIN', { ...goodShareForm(), pin: 1234 }, /Type your token's PIN/],
    ['overlong words', { ...goodShareForm(), paperWords: 'w'.repeat(2001) }, /paper words/],
    ['overlong trust', { ...goodShareForm(), trust: 'a'.repeat(401) }, /fingerprint/],
    ['an extra member', { ...goodShareForm(), module: '/tmp/evil.so' }, /exactly these fields/],
  ];
  for (const [what, arg, message] of bad) refuses(checkShareCheckForm, arg, what, message);
  fc.assert(
    fc.property(fc.constantFrom(...Object.keys(goodShareForm())), fc.anything(), (key, value) => {
      const arg = { ...goodShareForm(), [key]: value };
      if (checkShareCheckForm(arg) !== null) refuses(checkShareCheckForm, arg, `random ${key}`);
    }),
  );
});
