/**
 * `keyrite recover SCRIPT --bundle DIR --answers FILE --out DIR [--module PATH] [--json]`:
 * escrow recovery (core/ceremony/kinds/escrow-recovery.ts, on the one engine). The original
 * public bundle is verified (anchored by the answers' bundle.trust), every trustee's share is checked before it is
 * accepted, the shares are combined, the key must re-derive the published keys, and the
 * Ed25519 key is restored non-extractable onto the new master token. DIR holds the recovery
 * journal and its co-signed checkpoints; a journal already there is resumed. Exit 0 recovered
 * and verified; 1 a check failed (the message names the trustee and the reason); 2 usage or
 * I/O error. DIR/bundle is the recovery bundle, verified from disk (keyrite verify accepts it).
 */
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { EXIT, printJson, type Command } from '../command.ts';
import { KeyriteError } from '../../core/errors.ts';
import { parseCeremonyScript } from '../../core/script/script.ts';
import { parseAnswers } from '../../core/ceremony/answers.ts';
import { runRecovery } from '../../core/ceremony/kinds/escrow-recovery.ts';
import { ioError } from '../../core/node/durable-files.ts';
import { readInput } from './ceremony-run.ts';
import { answersFolder, headlessEnvironment, recoveryJson, recoveryText } from './ceremony-output.ts';
import { RECOVER_SPEC } from './specs.ts';

/** A folder the command reads from must be there before anything else is checked against it. */
async function requireFolder(path: string, what: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw ioError(`find ${what} at`, path, e);
  }
  if (!info.isDirectory()) throw new KeyriteError('USAGE', `${path} is a file, but ${what} is a folder (the one holding bundle.json).`);
}

export const recoverCommand: Command = {
  ...RECOVER_SPEC,
  async run(args, io) {
    const json = args.flag('json');
    const scriptPath = resolve(io.cwd, args.positionals[0]!);
    const answersPath = resolve(io.cwd, args.required('answers'));
    const bundleDir = resolve(io.cwd, args.required('bundle'));
    const outDir = resolve(io.cwd, args.required('out'));
    await requireFolder(bundleDir, 'the original bundle (--bundle)');
    const parsed = parseCeremonyScript(await readInput(scriptPath, 'ceremony script'));
    if (parsed.script.kind !== 'escrow-recovery') throw new KeyriteError('USAGE', `"keyrite recover" runs escrow-recovery scripts; ${scriptPath} is ${parsed.script.kind}.`);
    const answers = parseAnswers(await readInput(answersPath, 'answers file'), parsed);
    const named = resolve(answersFolder(answersPath, answers), answers.bundle!.path);
    if (named !== bundleDir) throw new KeyriteError('USAGE', `--bundle ${bundleDir} is not the bundle the answers file names (${named}).`);
    const rel = relative(bundleDir, outDir);
    if (rel === '' || !rel.startsWith('..')) throw new KeyriteError('USAGE', 'The run folder (--out) must not be the bundle or inside it.');
    const env = headlessEnvironment(args, io, parsed, answers, answersPath, outDir);
    try {
      const r = await runRecovery({ parsed, answers, env });
      if (json) printJson(io, recoveryJson(r, env.files));
      else io.stdout(recoveryText(r, env.files));
      return EXIT.OK;
    } finally {
      await env.close();
    }
  },
};
