/**
 * `keyrite check-share BUNDLE --keyring FILE (--envelope FILE | --envelope-card FILE) --token TOKEN
 * [--trust FINGERPRINT] [--pin-env NAME] [--paper-words | --paper-words-env NAME] [--health-record FILE] [--module PATH] [--json]`:
 * a trustee checks their own share, alone, at any time (core/ceremony/share-check.ts): the
 * bundle verifies, the keyring is the manifest's, the token opens and signs, the sealed seed
 * opens, the share passes every check a recovery makes before combining, and (when given) the
 * paper-backup words are exactly that share. Nothing is written but, with --health-record, the
 * health record the token signed (a new file, never overwritten). Exit 0 the share is good; 1 a
 * check failed (the first failing check is named); 2 usage or I/O error.
 */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT, printJson, type Command } from '../command.ts';
import { KeyriteError } from '../../core/errors.ts';
import { fromUtf8 } from '../../core/bytes.ts';
import { checkTrusteeShare, type ShareCheckResult } from '../../core/ceremony/share-check.ts';
import { ENV_NAME, type TokenChoice } from '../../core/ceremony/answers.ts';
import { parseTokenUri } from '../../core/tokens/pkcs11-uri.ts';
import { readBundleSource } from '../../core/node/bundle-source.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { createNodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';
import { promptHidden } from '../../core/node/pin-prompt.ts';
import { trustOf } from './verify.ts';
import { readInput } from './ceremony-run.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { encodeHealthRecord } from '../../core/escrow/health-record.ts';
import { createFileExclusive } from '../../core/node/durable-files.ts';
import { CHECK_SHARE_SPEC } from './specs.ts';

/** --token: `software:PATH` (a rehearsal token file) or a PKCS#11 URI naming the token by label or serial. */
function tokenOf(value: string, cwd: string): TokenChoice {
  if (value.startsWith('software:')) return { kind: 'software', path: resolve(cwd, value.slice('software:'.length)) };
  let match;
  try {
    match = parseTokenUri(value);
  } catch (e) {
    throw new KeyriteError('USAGE', `--token must be software:PATH or a PKCS#11 URI such as "pkcs11:token=Alice;serial=…" (keyrite tokens lists them). ${e instanceof KeyriteError ? e.message : ''}`.trim());
  }
  if (match.token === undefined && match.serial === undefined) throw new KeyriteError('USAGE', '--token must name your own token by token= (its label) or serial=.');
  return { kind: 'pkcs11', match, uri: value };
}

function printHuman(r: ShareCheckResult): string {
  const lines: string[] = [];
  if (r.trusteeId) lines.push(`Share of ${r.name} (${r.trusteeId}), index ${r.x}${r.quorum ? ` (${r.quorum.t} of ${r.quorum.n} recover the key)` : ''}, ceremony ${r.ceremonyId}.`);
  if (r.masterFingerprint) lines.push(`Master key fingerprint: ${readableFingerprint(r.masterFingerprint).hexGroups}`);
  lines.push('');
  for (const c of r.checks) lines.push(`${c.ok ? 'pass' : 'FAIL'}  ${c.name.padEnd(8)}${c.detail}`);
  lines.push('');
  lines.push(r.anchored ? 'ANCHORED: the bundle\'s master key matches the fingerprint given with --trust.' : 'NOT ANCHORED: no --trust fingerprint was given; compare the master fingerprint above with your paper record.');
  lines.push(r.ok ? 'GOOD: your token opens your share and it passes every check a recovery makes. Keep the token, PIN, keyring and envelope (or card) apart and safe.' : `BAD: the ${r.checks[r.checks.length - 1]!.name} check failed. Tell the ceremony's administrator now, while enough trustees can still recover the key.`);
  return lines.join('\n') + '\n';
}

export const checkShareCommand: Command = {
  ...CHECK_SHARE_SPEC,
  async run(args, io) {
    const trust = trustOf(args.value('trust'));
    const envelopePath = args.value('envelope');
    const cardPath = args.value('envelope-card');
    if ((envelopePath === undefined) === (cardPath === undefined)) throw new KeyriteError('USAGE', 'Give exactly one of --envelope FILE and --envelope-card FILE.');
    const pinEnv = args.value('pin-env');
    if (pinEnv !== undefined && !ENV_NAME.test(pinEnv)) throw new KeyriteError('USAGE', '--pin-env must be an environment variable name (A-Z, 0-9 and _).');
    if (pinEnv !== undefined && !io.env[pinEnv]) throw new KeyriteError('USAGE', `--pin-env ${pinEnv}: that environment variable is not set. Set it (never write the PIN in a file), or leave out --pin-env to type the PIN at a prompt.`);
    if (pinEnv === undefined && process.stdin.isTTY !== true) throw new KeyriteError('USAGE', 'Without a terminal the PIN cannot be typed at a prompt: name an environment variable with --pin-env NAME.');
    const wordsEnv = args.value('paper-words-env');
    const wordsPrompt = args.flag('paper-words');
    if (wordsEnv !== undefined && wordsPrompt) throw new KeyriteError('USAGE', 'Give --paper-words (typed at a prompt) or --paper-words-env NAME, not both.');
    if (wordsEnv !== undefined && (!ENV_NAME.test(wordsEnv) || !io.env[wordsEnv])) throw new KeyriteError('USAGE', `--paper-words-env ${wordsEnv.slice(0, 40)}: that is not a set environment variable.`);
    if (wordsPrompt && process.stdin.isTTY !== true) throw new KeyriteError('USAGE', 'Without a terminal the paper words cannot be typed at a prompt: use --paper-words-env NAME.');
    const recordValue = args.value('health-record');
    const recordPath = recordValue === undefined ? undefined : resolve(io.cwd, recordValue);
    if (recordPath !== undefined && (await access(recordPath).then(() => true, () => false))) throw new KeyriteError('USAGE', `--health-record ${recordValue!.slice(0, 200)}: that file exists; a health record is written to a new file, never over another.`);
    const choice = tokenOf(args.required('token'), io.cwd);
    const bundle = (await readBundleSource(resolve(io.cwd, args.positionals[0]!))).files;
    const keyring = await readInput(resolve(io.cwd, args.required('keyring')), 'keyring');
    const envelope = envelopePath !== undefined ? { file: await readInput(resolve(io.cwd, envelopePath), 'share envelope') } : { card: fromUtf8(await readInput(resolve(io.cwd, cardPath!), 'share card scan')) };
    const modulePath = args.value('module');
    const env = createNodeCeremonyEnvironment({
      outDir: io.cwd,
      answersDir: io.cwd,
      ...(modulePath !== undefined ? { modulePath: resolve(io.cwd, modulePath) } : {}),
      env: io.env,
      interactive: false,
      confirmations: [],
      progress: () => undefined,
    });
    try {
      const token = await env.tokens.open({ target: 'trustee', choice });
      const r = await checkTrusteeShare({
        bundle,
        keyring,
        envelope,
        token,
        crypto: NATIVE_VERIFIER_CRYPTO,
        ...(trust !== undefined ? { trust } : {}),
        pin: async () => (pinEnv !== undefined ? io.env[pinEnv]! : promptHidden(`PIN of your token "${(await token.describe()).label}": `)),
        ...(wordsEnv !== undefined ? { paperWords: async () => io.env[wordsEnv]! } : wordsPrompt ? { paperWords: () => promptHidden('Your paper-backup words (all of them, separated by spaces; not shown): ') } : {}),
        ...(recordPath !== undefined ? { healthRecord: { now: () => new Date() } } : {}),
      });
      const { healthRecord, ...shown } = r;
      if (healthRecord !== undefined) {
        await createFileExclusive(recordPath!, new TextEncoder().encode(encodeHealthRecord(healthRecord)), 0o644, `--health-record ${recordPath!}: that file appeared during the check; nothing was written over it.`);
      }
      const record = recordPath === undefined ? undefined : healthRecord === undefined ? { written: false } : { written: true, path: recordPath, result: healthRecord.body.result, checkedAt: healthRecord.body.checkedAt };
      if (args.flag('json')) printJson(io, { ...shown, ...(record !== undefined ? { healthRecord: record } : {}) });
      else io.stdout(printHuman(r) + (record === undefined ? '' : record.written ? `Health record (${record.result}, ${record.checkedAt}) signed by your token: ${record.path}\nAppend it to the share health log: keyrite health-log append LOG ${record.path}\n` : 'No health record was written: your token and sealed seed must open before they can sign one.\n'));
      if (!r.ok) {
        io.stderr(`keyrite: the share check failed at "${r.checks[r.checks.length - 1]!.name}": ${r.checks[r.checks.length - 1]!.detail}.\n`);
        return EXIT.CHECK_FAILED;
      }
      return EXIT.OK;
    } finally {
      await env.close();
    }
  },
};
