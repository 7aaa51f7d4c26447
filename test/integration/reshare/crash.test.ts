/**
 * A reshare killed (SIGKILL) at two stages is never resumed and never publishes two different
 * K': killed right after the new escrow key was split (nothing superseded yet), the same folder
 * is refused with the sentence that says why and what to destroy, and a new folder makes the one
 * reshare that is published; killed while the old keys were being destroyed, the same folder is
 * refused (the sentence says the new envelopes ARE the escrow now), and a new folder is refused
 * too, since a holder's old identity is gone and the old quorum can no longer unlock. No bundle
 * is ever left in an interrupted folder.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess } from '../../helpers/cli.ts';
import { spawnCli } from '../ceremony/helpers.ts';
import { DemoCopies } from '../recovery/helpers.ts';
import { REHEARSAL_RESHARE, resharePins } from './helpers.ts';

let copies: DemoCopies;

before(async () => {
  copies = await DemoCopies.make('keyrite-reshare-crash-');
});
after(() => copies?.remove());

const argv = (d: string, out: string, json = true): string[] => ['ceremony', 'run', REHEARSAL_RESHARE, '--answers', join(d, 'reshare-answers.yaml'), '--out', join(d, out), ...(json ? ['--json'] : [])];

test('killed right after the split: the same folder is refused by name, a new folder makes the one published reshare', async () => {
  const d = copies.copy();
  const pins = resharePins(d);
  const r = await spawnCli(argv(d, 'rs', false), pins, { killOn: /Escrow split 3-of-5: all 10 subsets recombine/ }).done;
  assert.equal(r.signal, 'SIGKILL', `the child was not killed (exit ${r.code}); stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const again = await runInProcess(argv(d, 'rs'), undefined, pins);
  assert.equal(again.code, 1, again.stdout + again.stderr);
  assert.match(JSON.parse(again.stdout).message, /a reshare is not resumed\. If its journal records key\.destroy/);
  assert.equal(existsSync(join(d, 'rs', 'bundle')), false);
  const elsewhere = await runInProcess(argv(d, 'rs-2'), undefined, pins);
  assert.equal(elsewhere.code, 0, elsewhere.stdout + elsewhere.stderr);
  assert.equal(existsSync(join(d, 'rs', 'bundle')), false);
});

test('killed while the old keys were destroyed: the same folder and a new one are refused; nothing is published', async () => {
  const d = copies.copy();
  const pins = resharePins(d);
  const r = await spawnCli(argv(d, 'rs', false), pins, { killOn: /\(trustee-2\): old sealing key destroyed on their token/ }).done;
  assert.equal(r.signal, 'SIGKILL', `the child was not killed (exit ${r.code}); stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const again = await runInProcess(argv(d, 'rs'), undefined, pins);
  assert.equal(again.code, 1, again.stdout + again.stderr);
  assert.match(JSON.parse(again.stdout).message, /the new envelopes in the new holders' folders ARE the escrow now: keep them/);
  const elsewhere = await runInProcess(argv(d, 'rs-2'), undefined, pins);
  assert.notEqual(elsewhere.code, 0, elsewhere.stdout + elsewhere.stderr);
  assert.equal(existsSync(join(d, 'rs', 'bundle')), false);
  assert.equal(existsSync(join(d, 'rs-2', 'bundle')), false);
});
