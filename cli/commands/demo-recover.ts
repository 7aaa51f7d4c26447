/**
 * `keyrite demo recover DIR [--json]`: rehearses the escrow recovery of the demo in DIR, as
 * often as wanted. Each run makes a fresh empty rehearsal token in DIR/recoveries/N/ (the
 * "new master" a recovery restores onto; a restored token cannot take the key twice), reads
 * the passphrases of trustees 1-3 from the REHEARSAL-ONLY files the demo wrote next to their
 * tokens, and runs the shipped rehearsal recovery script on the same engine as
 * `keyrite recover`: DIR/recoveries/N/run/ holds its journal and its verified recovery bundle.
 * Nothing is read from the environment or the current folder.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EXIT, printJson, type Command } from '../command.ts';
import { KeyriteError } from '../../core/errors.ts';
import { utf8 } from '../../core/bytes.ts';
import { randomBytes } from '../../core/crypto/random.ts';
import { parseCeremonyScript, type ParsedCeremonyScript } from '../../core/script/script.ts';
import { SoftwareTokenKeySession } from '../../core/tokens/key-session.ts';
import { parseAnswers } from '../../core/ceremony/answers.ts';
import { runRecovery, type RecoveryOutcome } from '../../core/ceremony/kinds/escrow-recovery.ts';
import type { ProgressEvent } from '../../core/ceremony/types.ts';
import type { ScryptParams } from '../../core/crypto/scrypt.ts';
import type { NetworkInterfaceInfo } from '../../core/airgap/status.ts';
import { createNodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';
import { ioError } from '../../core/node/durable-files.ts';
import { createToken, DEMO_TRUSTEES, newPassphrase, pinVariable, readPassphraseFile, readShipped, recoveryAnswersText, RECOVERY_SCRIPT } from './demo.ts';
import { progressPrinter, recoveryJson, recoveryText } from './ceremony-output.ts';
import { DEMO_RECOVER_SPEC } from './specs.ts';

const RECOVERIES = 'recoveries';
const NEW_MASTER_TOKEN = 'new-master.keyrite-token';

export interface DemoRecoveryOptions {
  demoDir: string;
  progress?: (e: ProgressEvent) => void;
  scrypt?: ScryptParams;
  random?: (n: number) => Uint8Array;
  networkInterfaces?: () => NetworkInterfaceInfo[];
}

/** DIR/recoveries/N for the first N not taken, created here (never an existing folder). */
async function newRecoveryFolder(demoDir: string): Promise<{ rel: string; abs: string }> {
  await mkdir(join(demoDir, RECOVERIES), { recursive: true, mode: 0o700 }).catch((e: unknown) => {
    throw ioError('create the folder', join(demoDir, RECOVERIES), e);
  });
  for (let n = 1; ; n++) {
    const rel = `${RECOVERIES}/${n}`;
    try {
      await mkdir(join(demoDir, rel), { mode: 0o700 });
      return { rel, abs: join(demoDir, rel) };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw ioError('create the folder', join(demoDir, rel), e);
    }
  }
}

/** The bundle.trust the demo wrote into its recovery answers: the master fingerprint it printed. */
async function demoFingerprint(demoDir: string): Promise<string> {
  const path = join(demoDir, 'recovery-answers.yaml');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new KeyriteError('USAGE', `${demoDir} holds no finished demo (recovery-answers.yaml is missing); run \`keyrite demo --out ${demoDir}\` first.`);
    throw ioError('read', path, e);
  }
  const m = /^ {2}trust: ([0-9a-f]{64})$/m.exec(text);
  if (!m) throw new KeyriteError('INVALID_INPUT', `${path} does not name the master fingerprint as \`keyrite demo\` writes it; it was changed.`);
  return m[1]!;
}

export interface DemoRecoveryRun {
  outcome: RecoveryOutcome;
  folder: string;
  files: ReturnType<typeof createNodeCeremonyEnvironment>['files'];
}

export async function runDemoRecovery(opts: DemoRecoveryOptions): Promise<DemoRecoveryRun> {
  const demoDir = resolve(opts.demoDir);
  const fingerprint = await demoFingerprint(demoDir);
  const parsed = parseCeremonyScript(await readShipped(RECOVERY_SCRIPT));
  const folder = await newRecoveryFolder(demoDir);
  const pins = new Map<string, string>();
  const newMaster = newPassphrase(opts.random ?? randomBytes);
  pins.set(pinVariable('recovery'), newMaster);
  // The new token's key is derived once, when it is created (the recovery then opens it).
  const session = new SoftwareTokenKeySession();
  try {
    await createToken(folder.abs, NEW_MASTER_TOKEN, 'Rehearsal new master', newMaster, opts.scrypt, pinVariable('recovery'), 'the empty rehearsal token this recovery restores the master key to', session);
    return await rehearseRecovery(opts, demoDir, fingerprint, parsed, folder, pins, session);
  } finally {
    session.forget();
    pins.clear();
  }
}

async function rehearseRecovery(opts: DemoRecoveryOptions, demoDir: string, fingerprint: string, parsed: ParsedCeremonyScript, folder: { abs: string; rel: string }, pins: Map<string, string>, session: SoftwareTokenKeySession): Promise<DemoRecoveryRun> {
  for (const t of DEMO_TRUSTEES.slice(0, parsed.script.quorum?.t ?? 3)) pins.set(pinVariable(t.id), await readPassphraseFile(join(demoDir, 'trustees', t.id), pinVariable(t.id)));
  const answersText = recoveryAnswersText(parsed, fingerprint, `${folder.rel}/${NEW_MASTER_TOKEN}`);
  const answers = parseAnswers(utf8(answersText), parsed);
  const env = createNodeCeremonyEnvironment({
    outDir: join(folder.abs, 'run'),
    answersDir: demoDir,
    env: Object.fromEntries(pins),
    interactive: false,
    confirmations: answers.confirm,
    progress: opts.progress ?? (() => undefined),
    softwareTokenSession: session,
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.networkInterfaces ? { networkInterfaces: opts.networkInterfaces } : {}),
  });
  try {
    return { outcome: await runRecovery({ parsed, answers, env }), folder: folder.abs, files: env.files };
  } finally {
    await env.close();
  }
}

export const demoRecoverCommand: Command = {
  ...DEMO_RECOVER_SPEC,
  async run(args, io) {
    const json = args.flag('json');
    const r = await runDemoRecovery({ demoDir: resolve(io.cwd, args.positionals[0]!), progress: progressPrinter(io, json) });
    if (json) printJson(io, { ...recoveryJson(r.outcome, r.files), rehearsal: true, folder: r.folder });
    else io.stdout(`${recoveryText(r.outcome, r.files)}REHEARSAL ONLY: the recovered key is on a rehearsal token in ${r.folder}. Run again for another rehearsal.\n`);
    return EXIT.OK;
  },
};
