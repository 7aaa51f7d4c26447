/**
 * What the ceremony and recovery sessions share: one view object, published to the window
 * on every change (a copy, never the live object), refused changes while a run is going, and
 * the shipped scripts of one kind.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyriteError } from '../../core/errors.ts';
import { parseCeremonyScript, type CeremonyKind } from '../../core/ceremony/script.ts';
import type { ShippedScript } from '../../core/ipc/contract.ts';

export abstract class ViewSession<V extends { phase: string }> {
  protected view: V;

  protected constructor(
    initial: V,
    private readonly publishView: (view: V) => void,
    private readonly busyMessage: string,
  ) {
    this.view = initial;
  }

  state(): V {
    return structuredClone(this.view);
  }

  protected update(change: Partial<V>): V {
    this.view = { ...this.view, ...change };
    const v = this.state();
    this.publishView(v);
    return v;
  }

  protected requireIdle(): void {
    if (this.view.phase === 'running') throw new KeyriteError('USAGE', this.busyMessage);
  }
}

/** The shipped scripts (the .yaml files of `dir`) of one kind, sorted by file name. */
export async function shippedScripts(dir: string, kind: CeremonyKind): Promise<ShippedScript[]> {
  const out: ShippedScript[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort()) {
    const parsed = parseCeremonyScript(new Uint8Array(await readFile(join(dir, file))));
    if (parsed.script.kind === kind) out.push({ file, name: parsed.script.name, mode: parsed.script.mode });
  }
  return out;
}
