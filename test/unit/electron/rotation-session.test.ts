// The rotation channels on the real handlers, short of a run (test/e2e/rotation.test.ts runs one):
// the order of the phases, the view's exact shape (no master fingerprint before the trustees typed
// it; the key states at a glance without fingerprints, for a root bundle and for a rotation
// bundle of the shared rotated demo), the check-in's refusals (not every trustee, a trustee of
// another bundle, simulated dice in a live script, a bundle of another kind), the argument checks
// and who may call. The payload never carries the fingerprint: anchoring-payload.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandlers, dispatch, type IpcHandlers } from '../../../electron/ipc/handlers.ts';
import { nodeHandlerDeps } from '../../../electron/ipc/node-deps.ts';
import { senderProblem } from '../../../electron/ipc-sender.ts';
import { CHANNELS, checkArg, type IpcResult, type RotationView } from '../../../core/ipc/contract.ts';
import { makeRotatedDemo } from '../../integration/rotation/helpers.ts';
import { trustedFingerprint } from '../../integration/recovery/helpers.ts';

const repo = new URL('../../../', import.meta.url).pathname;
let dir: string;
let demo: string;
let handlers: IpcHandlers;
let next: string | undefined;
let rootFp: string;
let newFp: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyrite-rotation-session-'));
  demo = join(dir, 'demo');
  const { rotation } = await makeRotatedDemo(demo);
  rootFp = trustedFingerprint(demo);
  newFp = rotation.master.fingerprint;
  handlers = createHandlers(nodeHandlerDeps({ appVersion: '0.0.0-test', platform: process.platform, rotation: { workRoot: dir, scriptsDir: join(repo, 'ceremony-scripts'), pickBundleFolder: async () => next, pickScriptFile: async () => undefined } }));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function call(channel: string, arg?: unknown): Promise<IpcResult<RotationView>> {
  return (await dispatch(handlers, channel, arg === undefined ? [] : [arg])) as IpcResult<RotationView>;
}

function value(r: IpcResult<RotationView>): RotationView {
  assert.equal(r.ok, true, r.ok ? '' : r.message);
  return (r as { ok: true; value: RotationView }).value;
}

function refused(r: IpcResult<RotationView>, code: string, sentence: RegExp): void {
  assert.equal(r.ok, false, 'refused');
  if (!r.ok) {
    assert.equal(r.code, code, r.message);
    assert.match(r.message, sentence);
  }
}

const TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5'];
const trustee = (id: string) => ({ id, name: `Trustee ${id}`, token: `trustees/${id}/token.keyrite-token`, keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json`, output: `rotation-2/${id}`, dice: '' });
const form = (over: Record<string, unknown> = {}) => ({ administrator: 'Alice', witnesses: ['Grace'], trust: rootFp, masterToken: 'rotation/new-master.keyrite-token', simulateDice: true, trustees: TRUSTEES.map(trustee), ...over });

test('phases in order: nothing is loaded, checked in or started before the current bundle is open', async () => {
  refused(await call('rotation:load', { shipped: 'rotation-rehearsal.yaml' }), 'USAGE', /Open the current bundle first/);
  refused(await call('rotation:checkIn', form()), 'USAGE', /Open the current bundle and choose the rotation script first/);
  refused(await call('rotation:start'), 'USAGE', /Check every trustee in before starting/);
  refused(await call('rotation:stop'), 'USAGE', /can be stopped while it waits/);
  next = undefined;
  assert.equal(value(await call('rotation:openBundle', { pick: true })).phase, 'bundle', 'a cancelled picker changes nothing');
  const scripts = (await dispatch(handlers, 'rotation:scripts', [])) as IpcResult<{ file: string }[]>;
  assert.deepEqual(scripts.ok && scripts.value.map((s) => s.file), ['rotation-rehearsal.yaml', 'rotation.yaml']);
});

test('the root bundle: its view has no fingerprint; its one key is active; the check-in refuses what a rotation cannot take', async () => {
  next = join(demo, 'bundle');
  const view = value(await call('rotation:openBundle', { pick: true }));
  assert.deepEqual(Object.keys(view).sort(), ['bundle', 'chain', 'crossSign', 'current', 'error', 'log', 'outcome', 'participants', 'phase', 'prompt', 'script', 'shares', 'steps']);
  assert.equal(view.phase, 'script');
  assert.deepEqual(Object.keys(view.bundle!).sort(), ['baseFolder', 'ceremonyId', 'checksPassed', 'checksTotal', 'failed', 'folder', 'quorum', 'trustees', 'verdict']);
  assert.equal(view.chain!.kind, 'root-keygen');
  assert.deepEqual(view.chain!.keys.map((k) => [Object.keys(k).sort(), k.state, k.ceremonyId]), [[['ceremonyId', 'revokedAt', 'since', 'state', 'until'], 'active', view.bundle!.ceremonyId]]);
  assert.ok(!JSON.stringify(view).includes(rootFp.slice(0, 16)));

  value(await call('rotation:load', { shipped: 'rotation-rehearsal.yaml' }));
  refused(await call('rotation:checkIn', form({ trustees: TRUSTEES.slice(0, 3).map(trustee) })), 'ANSWERS_INVALID', /needs exactly 5 trustees; 3 are checked in\. Every trustee of the current bundle checks in/);
  refused(await call('rotation:checkIn', form({ trustees: [...TRUSTEES.slice(0, 4).map(trustee), trustee('trustee-9')] })), 'ANSWERS_INVALID', /trustee-9 is not a trustee of the current bundle/);
  refused(await call('rotation:checkIn', form({ trustees: TRUSTEES.map((id) => ({ ...trustee(id), output: ' ' })) })), 'ANSWERS_INVALID', /a new, empty folder for the new share/);
  refused(await call('rotation:checkIn', form({ simulateDice: false })), 'ANSWERS_INVALID', /at least one trustee types their rolls \(at least 50 rolls/);
  const ready = value(await call('rotation:checkIn', form()));
  assert.equal(ready.phase, 'ready');
  assert.deepEqual(ready.participants.map((p) => [p.id, p.role, p.token]), [['admin', 'administrator', 'new-master.keyrite-token'], ...TRUSTEES.map((id) => [id, 'trustee', 'token.keyrite-token']), ['witness-1', 'witness', null]]);

  value(await call('rotation:load', { shipped: 'rotation.yaml' }));
  refused(await call('rotation:checkIn', form()), 'ANSWERS_INVALID', /Simulated dice are for rehearsals only/);
  value(await call('rotation:reset'));
});

test('a rotation bundle as the current bundle: its signed key states at a glance, newest first, without fingerprints; its own key is the one to type', async () => {
  next = join(demo, 'rot', 'bundle');
  const view = value(await call('rotation:openBundle', { pick: true }));
  assert.equal(view.chain!.kind, 'rotation');
  assert.deepEqual(view.chain!.keys.map((k) => k.state), ['active', 'deprecated']);
  assert.notEqual(view.chain!.keys[1]!.until, null);
  assert.ok(!JSON.stringify(view).includes(newFp.slice(0, 16)));
  value(await call('rotation:load', { shipped: 'rotation-rehearsal.yaml' }));
  // The root fingerprint is not the current key any more.
  refused(await call('rotation:checkIn', form()), 'VERIFY_FAILED', /this is not the current bundle: stop/);
  assert.equal(value(await call('rotation:checkIn', form({ trust: newFp }))).phase, 'ready');
  value(await call('rotation:reset'));
});

test('a signing bundle is not a current bundle, named with what a rotation builds on', async () => {
  next = join(repo, 'test/fixtures/golden-signing-bundle');
  refused(await call('rotation:openBundle', { pick: true }), 'UNSUPPORTED', /is the bundle of an signing; shares belong to the bundle of the root-keygen or rotation ceremony that made them/);
});

test('arguments are checked exactly; every rotation channel goes through the one sender check of main.ts', async () => {
  for (const bad of [form({ extra: 1 }), form({ simulateDice: 'yes' }), form({ trustees: [{ ...trustee('trustee-1'), output: 7 }] }), form({ trustees: [{ id: 'trustee-1' }] })]) refused(await call('rotation:checkIn', bad), 'INVALID_INPUT', /./);
  const rotation = CHANNELS.filter((c) => c.startsWith('rotation:'));
  assert.deepEqual(rotation, ['rotation:scripts', 'rotation:state', 'rotation:openBundle', 'rotation:load', 'rotation:checkIn', 'rotation:start', 'rotation:pin', 'rotation:witness', 'rotation:stop', 'rotation:reset']);
  for (const c of rotation) assert.notEqual(checkArg(c, { unexpected: true }), null, c);
  const top = { url: 'app://keyrite/index.html', origin: 'app://keyrite', parent: null };
  assert.equal(senderProblem({ webContentsId: 1, frame: { ...top, parent: top } }, 1), 'the sender is a subframe');
  assert.equal(senderProblem({ webContentsId: 1, frame: { ...top, url: 'https://example.org/' } }, 1), 'the sending page is not the app');
});
