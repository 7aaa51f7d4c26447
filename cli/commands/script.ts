/**
 * `keyrite script diff REHEARSAL LIVE`: every difference between a rehearsal script and the
 * live one, each marked allowed or not (core/script/diff.ts); exit 0 only when all are allowed.
 * `keyrite script print SCRIPT [--answers FILE] --out FILE.pdf`: the paper script witnesses
 * follow (core/script/script-pdf.ts), written to a new file only.
 */
import { resolve } from 'node:path';
import { EXIT, printJson, type Command } from '../command.ts';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { parseCeremonyScript, type ParsedCeremonyScript } from '../../core/script/script.ts';
import { diffScripts } from '../../core/script/diff.ts';
import { readInput } from './ceremony-run.ts';
import { SCRIPT_DIFF_SPEC } from './specs.ts';

/** A file that does not parse as a ceremony script is a usage error of these commands (exit 2), named by its role. */
export async function readScript(path: string, role: string): Promise<ParsedCeremonyScript> {
  const bytes = await readInput(path, `${role} script`);
  try {
    return parseCeremonyScript(bytes);
  } catch (e) {
    if (isKeyriteError(e)) throw new KeyriteError('USAGE', `${role[0]!.toUpperCase()}${role.slice(1)} script ${path}: ${e.message}`);
    throw e;
  }
}

export const scriptDiffCommand: Command = {
  ...SCRIPT_DIFF_SPEC,
  async run(args, io) {
    const rehearsal = await readScript(resolve(io.cwd, args.positionals[0]!), 'rehearsal');
    const live = await readScript(resolve(io.cwd, args.positionals[1]!), 'live');
    const diff = diffScripts(rehearsal, live);
    if (args.flag('json')) {
      printJson(io, diff);
    } else {
      io.stdout(`Rehearsal: ${diff.rehearsal.name} (${diff.rehearsal.mode})\n  SHA-256 ${diff.rehearsal.hexGroups}\n`);
      io.stdout(`Live:      ${diff.live.name} (${diff.live.mode})\n  SHA-256 ${diff.live.hexGroups}\n\n`);
      for (const d of diff.differences) {
        io.stdout(`${d.allowed ? 'allowed    ' : 'NOT ALLOWED'}  ${d.path}\n    rehearsal: ${d.rehearsal}\n    live:      ${d.live}\n    ${d.reason}\n`);
      }
      const refused = diff.differences.filter((d) => !d.allowed).length;
      io.stdout(
        diff.differences.length === 0
          ? 'The two scripts say the same thing.\n'
          : refused === 0
            ? `${diff.differences.length} differences, all allowed: the rehearsal runs what the live ceremony runs.\n`
            : `${refused} of ${diff.differences.length} differences are NOT allowed: the rehearsal does not run what the live ceremony runs.\n`,
      );
    }
    if (!diff.ok) io.stderr('keyrite: the rehearsal script differs from the live one where it may not.\n');
    return diff.ok ? EXIT.OK : EXIT.CHECK_FAILED;
  },
};
