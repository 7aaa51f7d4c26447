/**
 * Worker-thread entry that runs ONE audit script in the sandbox (core/audit/sandbox.ts) and
 * reports back; started and watched by audit-runner.ts, which kills it if it does not answer
 * in time. Built to dist/cli/audit-worker.mjs next to the CLI bundle (build/build.mjs); in
 * development the runner loads this .ts file through tsx.
 *
 * Messages to the parent, in order: { type: 'started' } once the engine is loaded and the
 * bundle data starts loading, { type: 'loaded' } once the script starts and with it its time
 * limit, { type: 'check', check } for each check as the script records it (so the parent
 * keeps them if it has to kill this worker), then { type: 'result', result } — or
 * { type: 'fatal', … } if the sandbox refused its input (a runner bug: the runner validates
 * everything first).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { runAuditScript } from '../audit/sandbox.ts';
import type { AuditCheck, AuditLimits, AuditScriptResult } from '../audit/sandbox.ts';
import type { AuditBundleView } from '../audit/view.ts';
import { isKeyriteError } from '../errors.ts';

export interface AuditWorkerData {
  readonly source: string;
  readonly fileName: string;
  /** The bundle view as JSON text (serializeAuditBundle): a string clones cheaply and was validated by the parent. */
  readonly bundleJson: string;
  readonly limits: AuditLimits;
}

export type AuditWorkerMessage =
  | { readonly type: 'started' }
  | { readonly type: 'loaded' }
  | { readonly type: 'check'; readonly check: AuditCheck }
  | { readonly type: 'result'; readonly result: AuditScriptResult }
  | { readonly type: 'fatal'; readonly code: string; readonly message: string };

async function main(port: MessagePort, data: AuditWorkerData): Promise<void> {
  const post = (m: AuditWorkerMessage) => port.postMessage(m);
  try {
    const bundle = JSON.parse(data.bundleJson) as AuditBundleView;
    const result = await runAuditScript({
      source: data.source,
      fileName: data.fileName,
      bundle,
      limits: data.limits,
      onStart: () => post({ type: 'started' }),
      onLoaded: () => post({ type: 'loaded' }),
      onCheck: (check) => post({ type: 'check', check }),
    });
    post({ type: 'result', result });
  } catch (e) {
    post({ type: 'fatal', code: isKeyriteError(e) ? e.code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) });
  }
}

if (!isMainThread && parentPort !== null) {
  void main(parentPort, workerData as AuditWorkerData);
}
