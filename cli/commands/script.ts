/**
 * `keyrite script diff REHEARSAL LIVE`: every difference between a rehearsal script and the
 * live one, each marked allowed or not (core/script/diff.ts); exit 0 only when all are allowed.
 * `keyrite script print SCRIPT [--answers FILE] --out FILE.pdf`: the paper script witnesses
 * follow (core/script/script-pdf.ts), written to a new file only.
 */
import { basename, resolve } from 'node:path';
import { EXIT, printJson, type Command } from '../command.ts';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { parseCeremonyScript, type ParsedCeremonyScript } from '../../core/script/script.ts';
import { diffScripts } from '../../core/script/diff.ts';
import { scriptPdf, type PrintedParticipant } from '../../core/script/script-pdf.ts';
import { parseAnswers, type TokenChoice } from '../../core/ceremony/answers.ts';
import { describeStep } from '../../core/ceremony/engine.ts';
import { sha256 } from '../../core/crypto/hash.ts';
import { toHex } from '../../core/encoding/hex.ts';
import { createFileExclusive } from '../../core/node/durable-files.ts';
import { readInput } from './ceremony-run.ts';
import { SCRIPT_DIFF_SPEC, SCRIPT_PRINT_SPEC } from './specs.ts';

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

/** The token an answers file names, as printed: its URI, its match, or the software token file. */
function tokenText(t: TokenChoice): string {
  if (t.kind === 'software') return `software token ${t.path}`;
  return t.uri ?? `pkcs11:${Object.entries(t.match).map(([k, v]) => `${k}=${v}`).join(';')}`;
}

/** The participants of an answers file, public fields only (dice are wiped, PIN sources left out). */
async function participantsOf(path: string, parsed: ParsedCeremonyScript): Promise<PrintedParticipant[]> {
  const answers = parseAnswers(await readInput(path, 'answers file'), parsed);
  const out = answers.participants.map((p) =>
    p.role === 'paper-trustee'
      ? { id: p.id, name: p.name, role: 'trustee', token: 'no token: paper-backup words, attested by the witness' }
      : { id: p.id, name: p.name, role: p.role, ...(p.role === 'trustee' ? { token: tokenText(p.token) } : p.role === 'administrator' && answers.master ? { token: `master: ${tokenText(answers.master.token)}` } : {}) },
  );
  for (const p of answers.participants) if (p.role === 'trustee') p.dice?.fill(0);
  return out;
}

export const scriptPrintCommand: Command = {
  ...SCRIPT_PRINT_SPEC,
  async run(args, io) {
    const scriptPath = resolve(io.cwd, args.positionals[0]!);
    const out = resolve(io.cwd, args.required('out'));
    const parsed = await readScript(scriptPath, 'ceremony');
    const answers = args.value('answers');
    let participants: PrintedParticipant[] | undefined;
    try {
      participants = answers === undefined ? undefined : await participantsOf(resolve(io.cwd, answers), parsed);
    } catch (e) {
      if (isKeyriteError(e) && e.code !== 'IO_ERROR') throw new KeyriteError('USAGE', `Answers file ${answers}: ${e.message}`);
      throw e;
    }
    const pdf = await scriptPdf({ parsed, file: basename(scriptPath), titles: parsed.script.steps.map(describeStep), ...(participants ? { participants } : {}) });
    try {
      await createFileExclusive(out, pdf, 0o644, `${out} already exists; Keyrite never overwrites a file. Choose another --out.`);
    } catch (e) {
      if (isKeyriteError(e) && e.code === 'OBJECT_EXISTS') throw new KeyriteError('IO_ERROR', e.message);
      throw e;
    }
    const result = { out, bytes: pdf.length, sha256: toHex(sha256(pdf)), script: { file: basename(scriptPath), sha256: parsed.hashHex }, participants: participants?.length ?? 0 };
    if (args.flag('json')) printJson(io, result);
    else io.stdout(`Wrote the paper script of ${parsed.script.name} (${parsed.script.steps.length} steps${participants ? `, ${participants.length} participants` : ''}) to ${out}\nPDF SHA-256 ${result.sha256}\n`);
    return EXIT.OK;
  },
};
