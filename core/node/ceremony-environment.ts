/**
 * The Node implementation of the ceremony engine's environment (core/ceremony/types.ts):
 *  - files: every new file is written to a temporary name in its folder, fsynced, then
 *    link()ed to its real name (which fails if the name exists — never an overwrite, never a
 *    half-written file under the real name), and the folder is fsynced; file systems without
 *    hard links fall back to an O_CREAT|O_EXCL create. Folders are created 0700, secret files
 *    0600, public ones 0644;
 *  - the journal: <out>/journal/transcript.jsonl through AppendOnlyFile (O_APPEND + fsync);
 *  - tokens: PKCS#11 through core/node/pkcs11 (module from --module or KEYRITE_PKCS11_MODULE),
 *    the embedded software token through core/node/software-token-file.ts (a missing rehearsal
 *    token the engine may create is created there, exclusively, with its PIN source's passphrase);
 *  - PINs: from an environment variable, or typed at a prompt without echo (refused when
 *    standard input is not a terminal);
 *  - witness confirmations: from the answers file's `confirm` list, else asked on the terminal;
 *  - the air gap: os.networkInterfaces() through core/node/network-interfaces.ts.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KeyriteError } from '../errors.ts';
import { toPlainBytes } from '../bytes.ts';
import { displayOutput } from '../encoding/display.ts';
import { randomBytes } from '../crypto/random.ts';
import type { NetworkInterfaceInfo } from '../airgap/status.ts';
import type { CeremonyEnvironment, CeremonyFiles, ConfirmAnswer, ConfirmRequest, FileRef, PinRequest, ProgressEvent, TranscriptStore } from '../ceremony/types.ts';
import type { PinSource } from '../ceremony/answers.ts';
import { JOURNAL_DIR, JOURNAL_TRANSCRIPT, STAGING_PREFIX } from '../ceremony/journal.ts';
import { AppendOnlyFile, repairTornTail } from './append-only-file.ts';
import { lockRunFolder } from './run-folder-lock.ts';
import { createFileExclusive, ioError, sweepTemporaries, syncDirectory } from './durable-files.ts';
import { readNetworkInterfaces } from './network-interfaces.ts';
import { Pkcs11Module, PKCS11_MODULE_ENV } from './pkcs11/index.ts';
import { fileTokenStore, openSoftwareTokenFile } from './software-token-file.ts';
import { SoftwareToken } from '../tokens/software-token.ts';
import type { SoftwareTokenKeySession } from '../tokens/key-session.ts';
import type { KeyriteToken } from '../tokens/token.ts';
import { promptHidden, promptLine } from './pin-prompt.ts';
import { readVerifierPage } from './verifier-page.ts';

export interface NodeCeremonyEnvironmentOptions {
  /** The run folder (--out). */
  outDir: string;
  /** The folder of the answers file: trustees' folders and token files are relative to it. */
  answersDir: string;
  /** PKCS#11 module path (--module), else env KEYRITE_PKCS11_MODULE. */
  modulePath?: string;
  /** Where PIN environment variables are read (process.env for the CLI; the demo's own map). */
  env: Readonly<Record<string, string | undefined>>;
  /** Whether people can be asked on the terminal (standard input is a TTY). */
  interactive: boolean;
  /** Step ids confirmed in advance by the answers file. */
  confirmations: readonly string[];
  progress: (e: ProgressEvent) => void;
  /** Injected for golden runs and tests; defaults: the OS CSPRNG, the system clock, the real interfaces. */
  random?: (n: number) => Uint8Array;
  clock?: () => Date;
  networkInterfaces?: () => NetworkInterfaceInfo[];
  /** The bundle's verifier/verify.html (default: dist/verifier/verify.html, readVerifierPage). */
  verifierPage?: () => Promise<Uint8Array>;
  /** Software-token keys already derived in this process (the demo, which has just created its tokens). */
  softwareTokenSession?: SoftwareTokenKeySession;
}

export interface NodeCeremonyEnvironment extends CeremonyEnvironment {
  close(): Promise<void>;
}


export function nodeCeremonyFiles(roots: Record<'out' | 'answers', string>): CeremonyFiles {
  const abs = (ref: FileRef): string => {
    const base = roots[ref.root];
    if (typeof ref.path !== 'string' || isAbsolute(ref.path) || ref.path.split('/').includes('..')) {
      throw new KeyriteError('INVALID_INPUT', `Refusing the path ${JSON.stringify(ref.path)}: it must stay inside its folder.`);
    }
    const p = resolve(base, ref.path);
    if (p !== base && !p.startsWith(base + sep)) throw new KeyriteError('INVALID_INPUT', `Refusing the path ${JSON.stringify(ref.path)}: it must stay inside its folder.`);
    return p;
  };
  return {
    display: (ref) => abs(ref),
    within(ref, root) {
      const rel = relative(roots[root], abs(ref));
      return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? undefined : rel.split(sep).join('/');
    },
    async read(ref) {
      const p = abs(ref);
      try {
        return toPlainBytes(await readFile(p));
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return undefined;
        throw ioError('read', p, e);
      }
    },
    async kind(ref) {
      try {
        const st = await stat(abs(ref));
        return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'ENOTDIR') return undefined;
        throw ioError('look at', abs(ref), e);
      }
    },
    async list(ref) {
      try {
        return (await readdir(abs(ref))).sort();
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return [];
        throw ioError('list', abs(ref), e);
      }
    },
    async mkdir(ref) {
      try {
        await mkdir(abs(ref), { recursive: true, mode: 0o700 });
      } catch (e) {
        throw ioError('create the folder', abs(ref), e);
      }
    },
    async create(ref, data, opts = {}) {
      const p = abs(ref);
      await createFileExclusive(p, data, opts.secret ? 0o600 : 0o644, `${p} already exists; Keyrite never overwrites a file.`);
    },
    async renameDir(from, to) {
      const a = abs(from);
      const b = abs(to);
      try {
        const entries = await readdir(b).catch((e: unknown) => {
          if ((e as { code?: string }).code === 'ENOENT') return undefined;
          throw e;
        });
        if (entries !== undefined && entries.length > 0) throw new KeyriteError('OBJECT_EXISTS', `${b} already exists; Keyrite never overwrites a bundle.`);
        // rename(2) replaces an empty folder and refuses (ENOTEMPTY/EEXIST) a non-empty one.
        await rename(a, b);
        await syncDirectory(dirname(b));
      } catch (e) {
        if (e instanceof KeyriteError) throw e;
        const code = (e as { code?: string }).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new KeyriteError('OBJECT_EXISTS', `${b} already exists; Keyrite never overwrites a bundle.`);
        throw ioError('move the bundle into place at', b, e);
      }
    },
    async sweepTemporaries(ref, name) {
      const base = roots[ref.root];
      return (await sweepTemporaries(abs(ref), name)).map((p) => relative(base, p).split(sep).join('/'));
    },
    async removeStaging(ref) {
      const p = abs(ref);
      if (!basename(p).startsWith(STAGING_PREFIX)) throw new KeyriteError('INVALID_INPUT', `Refusing to remove ${p}: only bundle staging folders are removed.`);
      await rm(p, { recursive: true, force: true });
    },
  };
}

export function nodeTranscriptStore(outDir: string): TranscriptStore {
  const path = join(outDir, ...JOURNAL_TRANSCRIPT.split('/'));
  return {
    lock: () => lockRunFolder(outDir),
    async read() {
      try {
        return toPlainBytes(await readFile(path));
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return undefined;
        throw ioError('read the transcript', path, e);
      }
    },
    async create() {
      try {
        await mkdir(join(outDir, JOURNAL_DIR), { recursive: true, mode: 0o700 });
      } catch (e) {
        throw ioError('create the folder', join(outDir, JOURNAL_DIR), e);
      }
      return AppendOnlyFile.create(path);
    },
    openExisting: () => AppendOnlyFile.openExisting(path),
    repairTornTail: (validLength) => repairTornTail(path, validLength),
  };
}

function pinWho(req: PinRequest): string {
  return `${req.who}, token "${req.token.label}"${req.token.rehearsalOnly ? ' (rehearsal software token: its passphrase)' : ''}`;
}

export function createNodeCeremonyEnvironment(opts: NodeCeremonyEnvironmentOptions): NodeCeremonyEnvironment {
  const outDir = resolve(opts.outDir);
  const answersDir = resolve(opts.answersDir);
  let module: Pkcs11Module | undefined;
  const opened: KeyriteToken[] = [];
  const modulePath = opts.modulePath ?? opts.env[PKCS11_MODULE_ENV];
  const files = nodeCeremonyFiles({ out: outDir, answers: answersDir });

  const checkPin = (source: PinSource, who: string): void => {
    if (source.kind === 'env') {
      const v = opts.env[source.name];
      if (v === undefined || v.length === 0) {
        throw new KeyriteError('USAGE', `The PIN for ${who} is to come from the environment variable ${source.name}, which is not set. Set it (never write the PIN in a file), or use pin: { prompt: true } in the answers file.`);
      }
    } else if (!opts.interactive) {
      throw new KeyriteError('USAGE', `The PIN for ${who} is to be typed at a prompt, but standard input is not a terminal. Run the ceremony in a terminal, or name an environment variable with pin: { env: NAME } in the answers file.`);
    }
  };

  const checkWords = (source: PinSource, who: string): void => {
    if (source.kind === 'env') {
      const v = opts.env[source.name];
      if (v === undefined || v.trim().length === 0) {
        throw new KeyriteError('USAGE', `The paper words of ${who} are to come from the environment variable ${source.name}, which is not set. Set it (never write the words in a file), or use paper-words: { prompt: true } in the answers file.`);
      }
    } else if (!opts.interactive) {
      throw new KeyriteError('USAGE', `The paper words of ${who} are to be typed at a prompt, but standard input is not a terminal. Run the ceremony in a terminal, or name an environment variable with paper-words: { env: NAME } in the answers file.`);
    }
  };

  return {
    tokens: {
      async open(req) {
        const c = req.choice;
        let token: KeyriteToken;
        if (c.kind === 'software') {
          token = await openSoftwareTokenFile(resolve(answersDir, c.path), opts.softwareTokenSession ? { session: opts.softwareTokenSession } : {});
        } else {
          if (!modulePath) throw new KeyriteError('USAGE', `This ceremony uses PKCS#11 tokens: give the module with --module PATH or set ${PKCS11_MODULE_ENV}.`);
          module ??= await Pkcs11Module.open(modulePath);
          token = await module.openToken(c.match);
        }
        opened.push(token);
        return token;
      },
      async createIfMissing(req) {
        const path = files.display({ root: 'answers', path: req.path });
        if ((await files.kind({ root: 'answers', path: req.path })) !== undefined) return undefined;
        if (!req.creation.allowed) throw new KeyriteError('TOKEN_NOT_FOUND', `${req.who}: the software token ${path} does not exist, and Keyrite does not create it: ${req.creation.why}.`);
        // The new token's passphrase comes from the source its login will use: asked twice at a prompt, so a typo cannot lock the rehearsal out.
        checkPin(req.pin, req.who);
        let passphrase: string;
        if (req.pin.kind === 'env') passphrase = opts.env[req.pin.name]!;
        else {
          passphrase = await promptHidden(`New passphrase for the rehearsal token of ${req.who} (it is created now): `);
          if ((await promptHidden('The same passphrase again: ')) !== passphrase) throw new KeyriteError('USAGE', `The two passphrases typed for the new rehearsal token of ${req.who} differ; nothing was created.`);
        }
        try {
          await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        } catch (e) {
          throw ioError('create the folder', dirname(path), e);
        }
        const token = await SoftwareToken.create(fileTokenStore(path, opts.softwareTokenSession ? { session: opts.softwareTokenSession } : {}), { label: req.creation.label, passphrase });
        opened.push(token);
        return token;
      },
    },
    pins: {
      check: checkPin,
      async get(req) {
        checkPin(req.source, req.who);
        if (req.source.kind === 'env') return opts.env[req.source.name]!;
        return promptHidden(`PIN for ${pinWho(req)}: `);
      },
    },
    paperWords: {
      check: checkWords,
      async get(req) {
        checkWords(req.source, req.who);
        if (req.source.kind === 'env') return opts.env[req.source.name]!;
        return promptHidden(`Paper-backup words of ${req.who} (all 34, separated by spaces; not shown): `);
      },
    },
    files,
    transcript: nodeTranscriptStore(outDir),
    clock: opts.clock ?? (() => new Date()),
    random: opts.random ?? randomBytes,
    networkInterfaces: opts.networkInterfaces ?? readNetworkInterfaces,
    verifierPage: opts.verifierPage ?? (() => readVerifierPage()),
    async confirm(req: ConfirmRequest): Promise<ConfirmAnswer> {
      if (opts.confirmations.includes(req.stepId)) return { confirmed: true, via: 'answers-file' };
      if (!opts.interactive) return { confirmed: false, reason: `no confirmation was given (add "${req.stepId}" to "confirm" in the answers file for a run without a terminal).` };
      process.stderr.write(displayOutput(`\nWitness ${req.witness.name} (${req.witness.id}), please check step "${req.stepId}" — ${req.title}:\n${req.summary.map((l) => `  ${l}`).join('\n')}\n`));
      const answer = (await promptLine('Confirm? Type "yes" to confirm: ')).trim().toLowerCase();
      return answer === 'yes' ? { confirmed: true, via: 'interactive' } : { confirmed: false, reason: 'the witness did not type "yes".' };
    },
    progress: opts.progress,
    async close() {
      for (const t of opened) await t.close().catch(() => undefined);
      await module?.close().catch(() => undefined);
      module = undefined;
    },
  };
}
