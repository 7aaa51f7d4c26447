/**
 * The "My share" screen in the main process: a trustee checks their own share alone
 * (core/ceremony/share-check.ts, the same check as `keyrite check-share`). The bundle folder
 * comes from the main process picker; the keyring, envelope and token-file paths the window
 * names are read only, relative to the folder holding the bundle and never outside it. The PIN
 * and the paper words arrive in the form and go only to the check; nothing is written.
 */
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { KeyriteError } from '../../core/errors.ts';
import { checkTrusteeShare } from '../../core/ceremony/share-check.ts';
import type { TokenChoice } from '../../core/ceremony/answers.ts';
import type { KeyriteToken } from '../../core/tokens/token.ts';
import { parseTokenUri } from '../../core/tokens/pkcs11-uri.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { readBundleDirectory } from '../../core/node/bundle-directory.ts';
import { openSoftwareTokenFile } from '../../core/node/software-token-file.ts';
import { createNodeCeremonyEnvironment, type NodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';
import { ioError } from '../../core/node/durable-files.ts';
import type { OriginalBundleView, ShareCheckForm, ShareCheckView } from '../../core/ipc/contract.ts';
import { readOriginalBundle } from './recovery-session.ts';
import { TOKEN_FILE } from './quorum-check-in.ts';

export interface ShareCheckSessionOptions {
  softwareDir?: string;
  modulePath?: string;
  /** The main process folder picker for the bundle; undefined when cancelled. */
  pickBundleFolder(): Promise<string | undefined>;
}

export class ShareCheckSession {
  private bundle: OriginalBundleView | undefined;
  private running = false;

  constructor(private readonly o: ShareCheckSessionOptions) {}

  async openBundle(): Promise<OriginalBundleView | null> {
    const folder = await this.o.pickBundleFolder();
    if (folder === undefined) return null;
    this.bundle = (await readOriginalBundle(folder)).view;
    return this.bundle;
  }

  /** A path the window typed: relative to the folder holding the bundle (an absolute one must be inside it). */
  private inside(p: string, what: string): string {
    const base = this.bundle!.baseFolder;
    const full = isAbsolute(p.trim()) ? resolve(p.trim()) : resolve(base, p.trim());
    const rel = relative(base, full);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new KeyriteError('INVALID_INPUT', `Your ${what} must be in the folder holding the bundle (${base}); give its path relative to that folder.`);
    return full;
  }

  private async read(p: string, what: string): Promise<Uint8Array> {
    const path = this.inside(p, what);
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      throw ioError(`read your ${what}`, basename(path), e);
    }
  }

  /** The token the window chose; PKCS#11 tokens through `env`, whose close() also closes the module. */
  private async openToken(value: string, env: NodeCeremonyEnvironment): Promise<KeyriteToken> {
    const v = value.trim();
    if (v.startsWith('software:')) {
      if (!this.o.softwareDir) throw new KeyriteError('TOKEN_NOT_FOUND', 'No folder of rehearsal software tokens is configured.');
      return openSoftwareTokenFile(join(this.o.softwareDir, basename(v.slice('software:'.length))));
    }
    let choice: TokenChoice;
    if (TOKEN_FILE.test(v)) choice = { kind: 'software', path: this.inside(v, 'token file') };
    else {
      try {
        choice = { kind: 'pkcs11', match: parseTokenUri(v), uri: v };
      } catch {
        throw new KeyriteError('INVALID_INPUT', 'Choose your token from the list, or give a rehearsal token file.');
      }
    }
    return env.tokens.open({ target: 'trustee', choice });
  }

  async check(form: ShareCheckForm): Promise<ShareCheckView> {
    const bundle = this.bundle;
    if (!bundle) throw new KeyriteError('USAGE', "Open your ceremony's bundle folder first.");
    if (this.running) throw new KeyriteError('USAGE', 'A share check is running: wait for its result.');
    if (!bundle.trustees.some((t) => t.id === form.trusteeId)) throw new KeyriteError('INVALID_INPUT', `${form.trusteeId} is not a trustee of this ceremony.`);
    this.running = true;
    const env = createNodeCeremonyEnvironment({ outDir: bundle.baseFolder, answersDir: bundle.baseFolder, ...(this.o.modulePath ? { modulePath: this.o.modulePath } : {}), env: {}, interactive: false, confirmations: [], progress: () => undefined });
    let token: KeyriteToken | undefined;
    try {
      const files = await readBundleDirectory(bundle.folder);
      const keyring = await this.read(form.keyring, 'keyring file');
      const envelope = 'file' in form.envelope ? { file: await this.read(form.envelope.file, 'envelope file') } : { card: form.envelope.card };
      token = await this.openToken(form.token, env);
      const r = await checkTrusteeShare({
        bundle: files,
        keyring,
        envelope,
        token,
        crypto: NATIVE_VERIFIER_CRYPTO,
        pin: async () => form.pin,
        ...(form.paperWords.trim() ? { paperWords: async () => form.paperWords } : {}),
        ...(form.trust.trim() ? { trust: form.trust.trim() } : {}),
      });
      // The keyring says whose share this is; it must be the trustee chosen, whatever the outcome.
      if (r.trusteeId !== undefined && r.trusteeId !== form.trusteeId) throw new KeyriteError('VERIFY_FAILED', `The keyring given is ${r.trusteeId}'s, not ${form.trusteeId}'s: give your own keyring file.`);
      return { ok: r.ok, anchored: r.anchored, trusteeId: r.trusteeId ?? null, name: r.name ?? null, x: r.x ?? null, checks: r.checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail })) };
    } finally {
      this.running = false;
      await token?.close().catch(() => undefined);
      await env.close();
    }
  }
}
