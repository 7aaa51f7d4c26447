/** Shared assertions for the IPC argument checks (core/ipc/*-args.ts): a refusal is one sentence for a person, and never a throw. */
import assert from 'node:assert/strict';

export type Check = (arg: unknown) => string | null;

/** A refusal: one sentence for a person, naming no JavaScript internals. */
export function assertSentence(r: string | null, what: string): void {
  assert.equal(typeof r, 'string', `${what} is refused`);
  assert.match(r!, /^[A-Z][^\n]*\.$/, `${what}: "${r}" is a sentence`);
  assert.doesNotMatch(r!, /undefined|null|NaN|\[object|TypeError|Cannot read/, `${what}: "${r}" names no internals`);
  assert.ok(r!.length <= 200, `${what}: short`);
}

export function refuses(check: Check, arg: unknown, what: string, expected?: string | RegExp): void {
  let r: string | null;
  assert.doesNotThrow(() => (r = check(arg)), `${what} does not throw`);
  assertSentence(r!, what);
  if (typeof expected === 'string') assert.equal(r!, expected, what);
  else if (expected) assert.match(r!, expected, what);
}

export const accepts = (check: Check, arg: unknown, what: string): void => assert.equal(check(arg), null, what);

/** Values that are not an object of the right shape, for any check. */
export const GARBAGE: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['a string', '{"pin":"1234"}'],
  ['a boolean', true],
  ['an array', []],
  ['an array of the right values', ['x', 1]],
  ['an empty object', {}],
  ['a Date', new Date(0)],
  ['a Map', new Map([['prompt', 1]])],
  ['a bigint', 1n],
  ['a function', () => null],
  ['a symbol', Symbol('x')],
];

