/**
 * Earlier run folders under the app's work root whose journal has no bundle beside it:
 * ceremonies (root-keygen, signing) that were stopped, failed or interrupted and can be resumed
 * in the app (docs/CEREMONY-SCRIPTS.md "Crash and resume"). Reads only; a journal Keyrite cannot
 * read is left out (`keyrite ceremony run` on the folder says why).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCeremonyScript } from '../../core/script/script.ts';
import { BUNDLE_DIR, JOURNAL_TRANSCRIPT, analyzeJournal } from '../../core/ceremony/journal.ts';
import { recoverTranscript } from '../../core/transcript/transcript.ts';
import type { TranscriptEntry } from '../../core/transcript/entry.ts';
import { ENTRY } from '../../core/bundle/entries.ts';
import type { InterruptedCeremonyView, ShippedScript } from '../../core/ipc/contract.ts';

export interface InterruptedRun {
  readonly view: InterruptedCeremonyView;
  /** The journal's entries, for what a kind checks before resuming (the root link, the request). */
  readonly entries: readonly TranscriptEntry[];
}

export interface InterruptedRunsOptions {
  workRoot: string;
  scriptsDir: string;
  /** The shipped scripts of the kind: a journal naming another script cannot be resumed here. */
  scripts: readonly ShippedScript[];
  /** The run folder names the session creates ("ceremony-XXXXXX", "signing-XXXXXX"). */
  folder: RegExp;
  /** The folder of the run in progress, never offered. */
  running?: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function lastStepOf(entries: readonly TranscriptEntry[]): InterruptedCeremonyView['lastStep'] {
  let lastStep: InterruptedCeremonyView['lastStep'] = null;
  for (const e of entries) {
    const status = e.type === ENTRY.stepStart ? 'interrupted' : e.type === ENTRY.stepEnd ? 'done' : e.type === ENTRY.stepFailed ? 'failed' : e.type === ENTRY.stepAborted ? 'aborted' : undefined;
    if (status && typeof e.body.step === 'string') lastStep = { id: e.body.step, status };
  }
  return lastStep;
}

/** Newest journal first. */
export async function interruptedRuns(o: InterruptedRunsOptions): Promise<InterruptedRun[]> {
  const shipped = new Map<string, string>();
  for (const s of o.scripts) shipped.set(parseCeremonyScript(new Uint8Array(await readFile(join(o.scriptsDir, s.file)))).hashHex, s.file);
  let names: string[];
  try {
    names = (await readdir(o.workRoot)).filter((n) => o.folder.test(n)).sort();
  } catch {
    return [];
  }
  const found: (InterruptedRun & { mtime: number })[] = [];
  for (const folder of names) {
    const dir = join(o.workRoot, folder);
    if (dir === o.running || (await exists(join(dir, BUNDLE_DIR)))) continue;
    const journalPath = join(dir, ...JOURNAL_TRANSCRIPT.split('/'));
    let bytes: Uint8Array;
    let mtime: number;
    try {
      bytes = new Uint8Array(await readFile(journalPath));
      mtime = (await stat(journalPath)).mtimeMs;
    } catch {
      continue;
    }
    try {
      const { entries } = recoverTranscript(bytes);
      const state = analyzeJournal(entries);
      const start = entries.find((e) => e.type === ENTRY.ceremonyStart);
      if (!start) continue;
      const view: InterruptedCeremonyView = {
        folder,
        path: dir,
        ceremonyId: state.ceremonyId,
        scriptName: typeof start.body.name === 'string' ? start.body.name : '(unnamed script)',
        scriptFile: shipped.get(state.scriptSha256) ?? null,
        runs: state.runs,
        lastStep: lastStepOf(entries),
        participants: state.participants.map((p) => ({ id: p.id, name: p.name, role: p.role })),
      };
      found.push({ view, entries, mtime });
    } catch {
      // A journal Keyrite cannot read is not offered for resuming; `keyrite ceremony run` on the folder says why.
    }
  }
  return found.sort((a, b) => b.mtime - a.mtime).map(({ view, entries }) => ({ view, entries }));
}
