// Shared helpers for the crypto tests: fixture loading and error assertions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isKeyriteError } from '../../../core/errors.ts';
import type { ErrorCode } from '../../../core/errors.ts';
import { fromHex } from '../../../core/encoding/hex.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface WycheproofTest {
  tcId: number;
  comment?: string;
  flags?: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}

export interface WycheproofGroup {
  type: string;
  tests: WycheproofTest[];
  [field: string]: unknown;
}

export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

export function loadWycheproof(name: string): WycheproofFile {
  return JSON.parse(readFileSync(`${FIXTURES}wycheproof/${name}`, 'utf8')) as WycheproofFile;
}

export function loadFixture<T>(path: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}${path}`, 'utf8')) as T;
}

/** Hex field of a test case or group; throws if missing. */
export function hexField(obj: Record<string, unknown>, key: string): Uint8Array {
  const v = obj[key];
  if (typeof v !== 'string') throw new Error(`missing hex field ${key}`);
  return fromHex(v);
}

export function optHexField(obj: Record<string, unknown>, key: string): Uint8Array | undefined {
  return typeof obj[key] === 'string' ? fromHex(obj[key]) : undefined;
}

export function hasFlag(t: WycheproofTest, flag: string): boolean {
  return (t.flags ?? []).includes(flag);
}

export function label(file: string, t: WycheproofTest): string {
  return `${file} tcId ${t.tcId} (${t.comment ?? ''}; ${(t.flags ?? []).join(',')})`;
}

/** Asserts fn throws a KeyriteError with `code`. */
export function throwsCode(fn: () => unknown, code: ErrorCode, message?: string): void {
  assert.throws(fn, (e: unknown) => isKeyriteError(e, code), message ?? `expected KeyriteError ${code}`);
}

export async function rejectsCode(fn: () => Promise<unknown>, code: ErrorCode, message?: string): Promise<void> {
  await assert.rejects(fn, (e: unknown) => isKeyriteError(e, code), message ?? `expected KeyriteError ${code}`);
}

/** Counts cases per result and checks every case of the file was run. */
export class CaseCounter {
  readonly counts: Record<string, number> = {};
  groups = 0;
  add(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }
  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
  assertComplete(file: WycheproofFile): void {
    assert.ok(this.total() > 0, 'no test case ran');
    assert.equal(this.groups, file.testGroups.length, 'every group must run');
    assert.equal(this.total(), file.testGroups.reduce((n, g) => n + g.tests.length, 0), 'every case must run');
    assert.equal(this.total(), file.numberOfTests, 'numberOfTests must match');
  }
}
