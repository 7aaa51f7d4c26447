// Anchoring through the IPC boundary: when the recovery, signing, rotation or share-check screen opens the
// original ceremony's bundle, the master fingerprint stays in the main process. The quorum (or
// the trustee) types it from their paper record; a fingerprint already in the window could be
// shown or copied instead, and the typing would anchor nothing. Checked on what crosses the
// boundary (every result of dispatch() on the real handlers and every event they emit), in
// every form the fingerprint has (hex, hex groups, the 16 words), up to a refused check-in; and
// the main process still compares: a wrong fingerprint is refused, the right one gets past it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createHandlers, dispatch, type IpcHandlers } from '../../../electron/ipc/handlers.ts';
import { nodeHandlerDeps } from '../../../electron/ipc/node-deps.ts';
import { readableFingerprint } from '../../../core/bundle/principals.ts';
import { exampleSigningRequest } from '../../../core/signing/example-request.ts';
import { GOLDEN_MASTER_FINGERPRINT as FP } from '../../helpers/bundle-files.ts';

const repo = new URL('../../../', import.meta.url).pathname;
let dir: string;
let handlers: IpcHandlers;
/** Everything that crossed to the window, in order: [channel or event, payload]. */
const crossed: [string, unknown][] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyrite-anchoring-'));
  cpSync(join(repo, 'test/fixtures/golden-bundle'), join(dir, 'bundle'), { recursive: true });
  writeFileSync(join(dir, 'signing-request.json'), exampleSigningRequest(new Date(), (n) => new Uint8Array(randomBytes(n))));
  const pickBundleFolder = async () => join(dir, 'bundle');
  const none = async () => undefined;
  handlers = createHandlers(
    nodeHandlerDeps({
      appVersion: '0.0.0-test',
      platform: process.platform,
      emit: (event, payload) => crossed.push([event, payload]),
      shareCheck: { pickBundleFolder },
      recovery: { workRoot: dir, scriptsDir: join(repo, 'ceremony-scripts'), pickBundleFolder, pickScriptFile: none, pickExportFolder: none },
      signing: { workRoot: dir, scriptsDir: join(repo, 'ceremony-scripts'), pickBundleFolder, pickScriptFile: none, pickRequestFile: async () => join(dir, 'signing-request.json'), pickExportFolder: none },
      rotation: { workRoot: dir, scriptsDir: join(repo, 'ceremony-scripts'), pickBundleFolder, pickScriptFile: none },
    }),
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function call(channel: string, arg?: unknown): Promise<{ ok: boolean; value?: unknown; message?: string }> {
  const r = (await dispatch(handlers, channel, arg === undefined ? [] : [arg])) as { ok: boolean; value?: unknown; message?: string };
  crossed.push([channel, r]);
  return r;
}

/** The fingerprint in any form, anywhere in what crossed: hex (any case, spaces or not), or two of its words in a row. */
function leaks(): string[] {
  const { words } = readableFingerprint(FP);
  const found: string[] = [];
  for (const [where, payload] of crossed) {
    const text = JSON.stringify(payload);
    const squeezed = text.replace(/[\s:-]+/g, '').toLowerCase();
    for (let i = 0; i + 16 <= FP.length; i += 16) if (squeezed.includes(FP.slice(i, i + 16))) found.push(`${where}: hex digits ${i + 1}–${i + 16}`);
    const lower = text.toLowerCase();
    for (let i = 0; i + 1 < words.length; i++) if (new RegExp(`\\b${words[i]!.toLowerCase()}\\W+${words[i + 1]!.toLowerCase()}\\b`).test(lower)) found.push(`${where}: words ${i + 1}–${i + 2}`);
  }
  return found;
}

const trustees = ['trustee-1', 'trustee-2', 'trustee-3'].map((id) => ({ id, name: `Trustee ${id}`, token: `trustees/${id}/token.keyrite-token`, keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json` }));
const WRONG = `ff${FP.slice(2)}`;

test('recovery: the opened bundle, the script and a refused check-in carry no master fingerprint; the main process still compares', async () => {
  crossed.length = 0;
  const opened = await call('recovery:openBundle', { pick: true });
  assert.ok(opened.ok, opened.message);
  assert.equal((opened.value as { phase: string }).phase, 'script', 'the golden bundle verifies and opens');
  assert.ok((await call('recovery:load', { shipped: 'escrow-recovery-rehearsal.yaml' })).ok);
  assert.ok((await call('recovery:state')).ok);
  const form = { administrator: 'Alice', witnesses: ['Grace'], masterToken: 'new-master.keyrite-token', trustees };
  const wrong = await call('recovery:checkIn', { ...form, trust: WRONG });
  assert.equal(wrong.ok, false);
  assert.match(wrong.message!, /does not match the master key of this bundle/);
  assert.ok(crossed.some(([e]) => e === 'recovery:changed'), 'the views were published');
  assert.deepEqual(leaks(), []);
  // Typed right, it gets past the comparison the main process makes.
  const right = await call('recovery:checkIn', { ...form, trust: FP });
  assert.doesNotMatch(right.message ?? '', /does not match the master key/);
});

test('signing: the opened bundle, the script, the request and a refused check-in carry no master fingerprint; the main process still compares', async () => {
  crossed.length = 0;
  const opened = await call('signing:openBundle', { pick: true });
  assert.ok(opened.ok, opened.message);
  assert.equal((opened.value as { phase: string }).phase, 'script');
  assert.ok((await call('signing:load', { shipped: 'signing-rehearsal.yaml' })).ok);
  const request = await call('signing:openRequest', { pick: true });
  assert.ok(request.ok, request.message);
  const form = { administrator: 'Alice', witnesses: ['Grace'], requestDigest: '', masterToken: 'master/master.keyrite-token', trustees };
  const wrong = await call('signing:checkIn', { ...form, trust: WRONG });
  assert.equal(wrong.ok, false);
  assert.match(wrong.message!, /does not match the master key of this bundle/);
  assert.ok(crossed.some(([e]) => e === 'signing:changed'), 'the views were published');
  assert.deepEqual(leaks(), []);
  const right = await call('signing:checkIn', { ...form, trust: FP });
  assert.doesNotMatch(right.message ?? '', /does not match the master key/);
});

test('rotation: the opened current bundle, its key states, the script and a refused check-in carry no master fingerprint; the main process still compares', async () => {
  crossed.length = 0;
  const opened = await call('rotation:openBundle', { pick: true });
  assert.ok(opened.ok, opened.message);
  const view = opened.value as { phase: string; chain: { kind: string; keys: { state: string }[] } };
  assert.equal(view.phase, 'script');
  assert.deepEqual([view.chain.kind, view.chain.keys.map((k) => k.state)], ['root-keygen', ['active']], 'the key states at a glance');
  assert.ok((await call('rotation:load', { shipped: 'rotation-rehearsal.yaml' })).ok);
  const all = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5'].map((id) => ({ id, name: `Trustee ${id}`, token: `trustees/${id}/token.keyrite-token`, keyring: `trustees/${id}/keyring.json`, envelope: `trustees/${id}/share-envelope.json`, output: `rotation/${id}`, dice: '' }));
  const form = { administrator: 'Alice', witnesses: ['Grace'], masterToken: 'rotation/new-master.keyrite-token', simulateDice: true, trustees: all };
  const wrong = await call('rotation:checkIn', { ...form, trust: WRONG });
  assert.equal(wrong.ok, false);
  assert.match(wrong.message!, /does not match the master key of this bundle/);
  assert.ok(crossed.some(([e]) => e === 'rotation:changed'), 'the views were published');
  assert.deepEqual(leaks(), []);
  const right = await call('rotation:checkIn', { ...form, trust: FP });
  assert.doesNotMatch(right.message ?? '', /does not match the master key/);
});

test('my share: the opened bundle carries no master fingerprint', async () => {
  crossed.length = 0;
  const opened = await call('share:openBundle', { pick: true });
  assert.ok(opened.ok, opened.message);
  assert.equal((opened.value as { verdict: string }).verdict, 'valid');
  assert.deepEqual(leaks(), []);
});

test('the check itself finds the fingerprint where it is: in the bundle file the main process read', () => {
  crossed.length = 0;
  crossed.push(['bundle.json', { masterFingerprint: readableFingerprint(FP).hexGroups }]);
  crossed.push(['words', readableFingerprint(FP).words.slice(3, 5).join(' ')]);
  assert.deepEqual(leaks(), ['bundle.json: hex digits 1–16', 'bundle.json: hex digits 17–32', 'bundle.json: hex digits 33–48', 'bundle.json: hex digits 49–64', 'words: words 4–5']);
});
