// The audit channels of a chain (audit:chainAdd|chainRemove|chainVerify) on the real handlers, with
// the run's shared rotated demo (its root bundle and its rotation bundle): folders are kept in
// the order added and never reordered; the payload is the chain verifier's report field by
// field (compared with verifyChain on the same folders), nothing else; a wrong order, a missing
// anchor, a non-bundle and a folder added twice are refused with a sentence; a hostile folder
// name reaches the window escaped. Who may call these channels is main.ts's one sender check for
// every contract channel (ipc-sender.test.ts, ipc-handlers.test.ts); its refusal is checked here too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandlers, dispatch, type IpcHandlers } from '../../../electron/ipc/handlers.ts';
import { nodeHandlerDeps } from '../../../electron/ipc/node-deps.ts';
import { senderProblem } from '../../../electron/ipc-sender.ts';
import { verifyChain } from '../../../core/verifier/chain.ts';
import { readBundleDirectory } from '../../../core/node/bundle-directory.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../../core/node/native-verifier-crypto.ts';
import { chainReportView } from '../../../electron/ipc/audit-chain.ts';
import type { AuditView, IpcResult } from '../../../core/ipc/contract.ts';
import { makeRotatedDemo } from '../../integration/rotation/helpers.ts';
import { assertDisplaySafe } from '../../helpers/hostile-text.ts';

let dir: string;
let handlers: IpcHandlers;
let rootFp: string;
let newFp: string;
let until: string;
let next: string | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyrite-audit-chain-'));
  const { rotation } = await makeRotatedDemo(join(dir, 'demo'));
  rootFp = (rotation as unknown as { original: { masterFingerprint: string } }).original.masterFingerprint;
  newFp = rotation.master.fingerprint;
  until = rotation.previous.until;
  const none = async () => undefined;
  handlers = createHandlers(nodeHandlerDeps({ appVersion: '0.0.0-test', platform: process.platform, audit: { pickBundleFolder: async () => next, pickBundleArchive: none, pickScriptFile: none, pickReportFile: none } }));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ROOT = () => join(dir, 'demo', 'bundle');
const ROT = () => join(dir, 'demo', 'rot', 'bundle');

async function call(channel: 'audit:chainAdd' | 'audit:chainRemove' | 'audit:chainVerify', arg?: unknown): Promise<IpcResult<AuditView>> {
  return (await dispatch(handlers, channel, arg === undefined ? [] : [arg])) as IpcResult<AuditView>;
}

async function add(folder: string | undefined): Promise<IpcResult<AuditView>> {
  next = folder;
  return call('audit:chainAdd');
}

function value(r: IpcResult<AuditView>): AuditView {
  assert.equal(r.ok, true, r.ok ? '' : r.message);
  return (r as { ok: true; value: AuditView }).value;
}

function refused(r: IpcResult<AuditView>, code: string, sentence: RegExp): void {
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.code, code);
    assert.match(r.message, sentence);
  }
}

test('the chain is verified in the order added; its payload is the verifier report field by field', async () => {
  refused(await call('audit:chainVerify', { trust: '', mode: 'hybrid' }), 'USAGE', /add the root bundle first/);
  assert.deepEqual(value(await add(undefined)).chain, { folders: [], report: null }, 'a cancelled picker adds nothing');
  value(await add(ROOT()));
  assert.deepEqual(value(await add(ROT())).chain.folders, [ROOT(), ROT()]);
  refused(await add(ROOT()), 'USAGE', /already in the chain/);
  refused(await call('audit:chainVerify', { trust: '  ', mode: 'hybrid' }), 'INVALID_INPUT', /ROOT master fingerprint/);
  refused(await call('audit:chainVerify', { trust: 'not a fingerprint', mode: 'hybrid' }), 'INVALID_INPUT', /64 hex digits, or its 16 words/);

  const view = value(await call('audit:chainVerify', { trust: rootFp, mode: 'hybrid' }));
  const report = view.chain.report!;
  assert.equal(report.verdict, 'valid', JSON.stringify(report.refusal));
  assert.equal(report.refusal, null);
  assert.equal(report.current?.fingerprint.hex, newFp);
  assert.equal(report.current?.fingerprint.words.length, 16);
  assert.deepEqual(
    report.keys!.map((k) => [k.fingerprint.hex, k.state, k.until]),
    [
      [newFp, 'active', null],
      [rootFp, 'deprecated', until],
    ],
  );
  assert.deepEqual(
    report.steps.map((s) => [s.kind, s.fingerprint?.hex, s.verifiesAlone]),
    [
      ['root-keygen', rootFp, true],
      ['rotation', newFp, true],
    ],
  );
  assert.deepEqual(Object.keys(report).sort(), ['anchor', 'at', 'checks', 'current', 'keys', 'mode', 'refusal', 'steps', 'verdict']);
  // Field by field what verifyChain says of the same folders (its time aside), and JSON-safe.
  const direct = verifyChain([await readBundleDirectory(ROOT()), await readBundleDirectory(ROT())], { trust: rootFp, crypto: NATIVE_VERIFIER_CRYPTO, at: new Date(report.at) });
  assert.deepEqual(report, chainReportView(direct, [ROOT(), ROT()]));
  assert.deepEqual(JSON.parse(JSON.stringify(view)), view);
  // The state survives audit:state, so the screen finds it again.
  assert.deepEqual(value((await dispatch(handlers, 'audit:state', [])) as IpcResult<AuditView>).chain, view.chain);
});

test('the wrong order and a rotation anchored on the root fingerprint alone are refused, the refusal named', async () => {
  value(await call('audit:chainRemove', { index: 0 }));
  const reversed = value(await add(ROOT())).chain;
  assert.deepEqual(reversed.folders, [ROT(), ROOT()]);
  assert.equal(reversed.report, null, 'a change of the list clears the report');
  const report = value(await call('audit:chainVerify', { trust: rootFp, mode: 'hybrid' })).chain.report!;
  assert.equal(report.verdict, 'invalid');
  assert.equal(report.current, null);
  assert.equal(report.keys, null);
  assert.equal(report.refusal?.check, 'chain-root');
  assert.deepEqual(report.steps.map((s) => s.verifiesAlone), [true, true], 'each bundle still verifies on its own');
  assert.match(report.refusal!.detail, /a chain begins with the root bundle/);
  refused(await call('audit:chainRemove', { index: 5 }), 'USAGE', /no bundle 6 to remove/);
  value(await call('audit:chainRemove', { index: 1 }));
  value(await call('audit:chainRemove', { index: 0 }));
});

test('a folder that is not a bundle is refused with what to do; a hostile folder name reaches the window escaped', async () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  refused(await add(empty), 'INVALID_INPUT', /Choose the bundle folder \(the one holding bundle\.json\) again\.$/);
  const hostile = join(dir, 'rot\u001b[2J\u202egnp.exe\u0007');
  cpSync(ROT(), hostile, { recursive: true });
  const view = value(await add(hostile));
  assert.equal(view.chain.folders.length, 1);
  assertDisplaySafe(view.chain.folders[0]!, 'the folder of the chain');
  assert.ok(!view.chain.folders[0]!.includes('\u001b'));
  value(await call('audit:chainRemove', { index: 0 }));
});

test('audit:chainRemove takes exactly {index} with a whole number; only the main window\'s top frame may call', async () => {
  for (const bad of [undefined, {}, { index: -1 }, { index: 1.5 }, { index: '0' }, { index: 0, extra: 1 }]) refused(await call('audit:chainRemove', bad), 'INVALID_INPUT', /./);
  refused(await call('audit:chainAdd', { pick: true }), 'INVALID_INPUT', /no argument/);
  const top = { url: 'app://keyrite/index.html', origin: 'app://keyrite', parent: null };
  assert.equal(senderProblem({ webContentsId: 1, frame: top }, 1), null);
  assert.equal(senderProblem({ webContentsId: 1, frame: { ...top, parent: top } }, 1), 'the sender is a subframe');
  assert.equal(senderProblem({ webContentsId: 2, frame: top }, 1), 'the sender is not the main window');
});
