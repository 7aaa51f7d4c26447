/**
 * `keyrite ceremony run SCRIPT --answers FILE --out DIR [--module PATH] [--json]`: runs a
 * root-keygen, signing or rotation ceremony script headless (core/ceremony/kinds/root-keygen.ts,
 * signing.ts, rotation.ts, on the one engine) with the answers file's participants, tokens, PIN sources and
 * witness confirmations, and exports the public bundle to DIR/bundle (a signing ceremony also
 * writes each signed document and its envelope to DIR/signed/). DIR is the run folder: its journal (DIR/journal/transcript.jsonl) makes a
 * second run on the same DIR resume an interrupted ceremony (docs/CEREMONY-SCRIPTS.md).
 * Exit 0 ceremony complete and bundle verified; 1 a check failed (invalid script or answers,
 * wrong PIN, missing token, self-test, air gap, verification...); 2 usage or I/O error.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT, printJson, type Command } from '../command.ts';
import { toPlainBytes } from '../../core/bytes.ts';
import { parseCeremonyScript } from '../../core/script/script.ts';
import { parseAnswers } from '../../core/ceremony/answers.ts';
import { ioError } from '../../core/node/durable-files.ts';
import { headlessEnvironment, resultJson, resultText } from './ceremony-output.ts';
import { runCeremony } from '../../core/ceremony/kinds/root-keygen.ts';
import { runSigning } from '../../core/ceremony/kinds/signing.ts';
import { runRotation } from '../../core/ceremony/kinds/rotation.ts';
import { runRevocation } from '../../core/ceremony/kinds/revocation.ts';
import { KeyriteError } from '../../core/errors.ts';
import { answersFolder, reshareJson, reshareText, revocationJson, revocationText, rotationJson, rotationText, signingJson, signingText } from './ceremony-output.ts';
import { runReshare } from '../../core/ceremony/kinds/reshare.ts';
import { writeReshareRecoveryAnswers } from './reshare-recovery-answers.ts';
import { CEREMONY_RUN_SPEC } from './specs.ts';

export async function readInput(path: string, what: string): Promise<Uint8Array> {
  try {
    return toPlainBytes(await readFile(path));
  } catch (e) {
    throw ioError(`read the ${what}`, path, e);
  }
}

export const ceremonyRunCommand: Command = {
  ...CEREMONY_RUN_SPEC,
  async run(args, io) {
    const json = args.flag('json');
    const scriptPath = resolve(io.cwd, args.positionals[0]!);
    const answersPath = resolve(io.cwd, args.required('answers'));
    const outDir = resolve(io.cwd, args.required('out'));
    const parsed = parseCeremonyScript(await readInput(scriptPath, 'ceremony script'));
    const kind = parsed.script.kind;
    if (kind === 'escrow-recovery') throw new KeyriteError('USAGE', `${scriptPath} is an escrow-recovery script; run it with "keyrite recover SCRIPT --bundle DIR --answers FILE --out DIR".`);
    if (kind !== 'root-keygen' && kind !== 'signing' && kind !== 'rotation' && kind !== 'revocation' && kind !== 'reshare') throw new KeyriteError('UNSUPPORTED', `${scriptPath} is a ${kind} script; this Keyrite runs root-keygen, escrow-recovery, signing, rotation, revocation and reshare ceremonies.`);
    const answers = parseAnswers(await readInput(answersPath, 'answers file'), parsed);
    const env = headlessEnvironment(args, io, parsed, answers, answersPath, outDir);
    try {
      if (kind === 'signing') {
        const r = await runSigning({ parsed, answers, env });
        if (json) printJson(io, signingJson(r, env.files));
        else io.stdout(signingText(r, env.files));
        return EXIT.OK;
      }
      if (kind === 'rotation') {
        const r = await runRotation({ parsed, answers, env });
        if (json) printJson(io, rotationJson(r, env.files));
        else io.stdout(rotationText(r, env.files));
        return EXIT.OK;
      }
      if (kind === 'revocation') {
        const r = await runRevocation({ parsed, answers, env });
        if (json) printJson(io, revocationJson(r, env.files));
        else io.stdout(revocationText(r, env.files));
        return EXIT.OK;
      }
      if (kind === 'reshare') {
        const r = await runReshare({ parsed, answers, env });
        // A rehearsal (software tokens) also writes the new epoch's recovery answers into the run folder.
        const recoveryAnswers = parsed.script.mode === 'rehearsal' ? await writeReshareRecoveryAnswers(r, answers, answersFolder(answersPath, answers), outDir) : undefined;
        if (json) printJson(io, { ...reshareJson(r, env.files), ...(recoveryAnswers ? { recoveryAnswers } : {}) });
        else io.stdout(reshareText(r, env.files) + (recoveryAnswers ? `Recovery answers for epoch ${r.epoch}: ${recoveryAnswers}\n` : parsed.script.mode === 'rehearsal' ? `No recovery answers written: the shipped recovery rehearsal script is not ${r.quorum.t}-of-${r.quorum.n}.\n` : ''));
        return EXIT.OK;
      }
      const result = await runCeremony({ parsed, answers, env });
      const paths = {
        bundle: env.files.display(result.bundle),
        archive: env.files.display(result.archive.ref),
        journal: env.files.display(result.journal),
        trusteeFiles: (id: string) => result.trustees.find((t) => t.id === id)!.files.map((f) => env.files.display({ root: 'answers', path: f })),
      };
      if (json) printJson(io, resultJson(result, paths));
      else io.stdout(resultText(result, paths));
      return EXIT.OK;
    } finally {
      await env.close();
    }
  },
};
