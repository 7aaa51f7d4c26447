/** Shared by `keyrite ceremony run`, `recover` and `demo`: the headless environment, progress lines and the final summary. */
import { dirname, resolve } from 'node:path';
import type { CliIO, ParsedArgs } from '../command.ts';
import { KeyriteError } from '../../core/errors.ts';
import type { CeremonyResult, ProgressEvent } from '../../core/ceremony/types.ts';
import type { ParsedCeremonyScript } from '../../core/script/script.ts';
import type { Answers } from '../../core/ceremony/answers.ts';
import { createNodeCeremonyEnvironment, type NodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';

/**
 * The Node environment for a run driven by a script and an answers file. Without a terminal,
 * every witness confirmation must come from the answers file.
 */
export function headlessEnvironment(args: ParsedArgs, io: CliIO, parsed: ParsedCeremonyScript, answers: Answers, answersPath: string, outDir: string): NodeCeremonyEnvironment {
  const interactive = process.stdin.isTTY === true;
  if (!interactive) {
    const missing = parsed.script.steps.filter((s) => s.witness && !answers.confirm.includes(s.id)).map((s) => s.id);
    if (missing.length > 0) throw new KeyriteError('USAGE', `Without a terminal, every witness confirmation must be in the answers file; "confirm" lacks: ${missing.join(', ')}.`);
  }
  const modulePath = args.value('module');
  return createNodeCeremonyEnvironment({
    outDir,
    answersDir: dirname(answersPath),
    ...(modulePath !== undefined ? { modulePath: resolve(io.cwd, modulePath) } : {}),
    env: io.env,
    interactive,
    confirmations: answers.confirm,
    progress: progressPrinter(io, args.flag('json')),
  });
}

/** Progress as lines: on stdout normally, on stderr with --json (stdout then holds one JSON document). */
export function progressPrinter(io: CliIO, json: boolean): (e: ProgressEvent) => void {
  const out = (t: string) => (json ? io.stderr(t) : io.stdout(t));
  return (e) => {
    if (e.kind === 'step.start') {
      const n = e.index !== undefined && e.total !== undefined ? `[${String(e.index).padStart(2, ' ')}/${e.total}] ` : '';
      out(`${n}${e.stepId} (${e.action}): ${e.message}\n`);
    } else if (e.kind === 'step.done') {
      out(`        done: ${e.stepId}\n`);
    } else if (e.kind === 'warning') {
      out(`        warning: ${e.message}\n`);
    } else {
      out(`        ${e.message}\n`);
    }
  };
}

export interface ResultPaths {
  bundle: string;
  journal: string;
  trusteeFiles: (id: string) => string[];
}

export function resultJson(r: CeremonyResult, p: ResultPaths): Record<string, unknown> {
  return {
    ok: true,
    ceremonyId: r.ceremonyId,
    run: r.run,
    resumed: r.resumed,
    master: r.master,
    bundle: p.bundle,
    journal: p.journal,
    transcriptEntries: r.transcriptEntries,
    trustees: r.trustees.map((t) => ({ id: t.id, name: t.name, fingerprint: t.fingerprint, files: p.trusteeFiles(t.id) })),
    checks: r.checks,
  };
}

export function resultText(r: CeremonyResult, p: ResultPaths): string {
  const lines = [
    '',
    `Ceremony ${r.ceremonyId} complete${r.resumed ? ` (resumed: run ${r.run})` : ''}.`,
    '',
    `MASTER KEY "${r.master.keyLabel}" on ${r.master.tokenUri}`,
    'Fingerprint (read it aloud; the bundle is verified against it):',
    `  ${r.master.hexGroups}`,
    `  ${r.master.words.join(' ')}`,
    '',
    `Public bundle: ${p.bundle}`,
    `  verified from disk: ${r.checks.filter((c) => c.ok).length}/${r.checks.length} checks passed (${r.checks.map((c) => c.name).join(', ')})`,
    `Transcript (journal): ${p.journal} (${r.transcriptEntries} entries)`,
    '',
    "Trustees' own files (each trustee takes their folder; none of these is in the bundle):",
    ...r.trustees.flatMap((t) => [`  ${t.id} (${t.name})  ${t.fingerprint.slice(0, 16)}…`, ...p.trusteeFiles(t.id).map((f) => `      ${f}`)]),
    '',
  ];
  return lines.join('\n');
}
