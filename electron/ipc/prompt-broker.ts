/**
 * The part of a session that lets an engine run with the room at the window: PIN prompts and
 * witness confirmations become ONE pending request (a CeremonyPrompt in the session's view),
 * answered from the renderer; a wrong PIN asks again (core/ceremony/pin-retry.ts); "stop"
 * rejects the pending request. Shared by the ceremony session (root keygen) and the recovery
 * session (escrow recovery), which differ only in the engine they run and the view they show.
 *
 * Secrets: a PIN arrives through answerPin and goes straight to the waiting login; it is never
 * stored here nor put in a prompt.
 */
import { basename, join } from 'node:path';
import { KeyriteError } from '../../core/errors.ts';
import { pinTriesLeft, withPinRetry, type WrongPin } from '../../core/ceremony/pin-retry.ts';
import type { CeremonyEnvironment, ConfirmAnswer, ConfirmRequest, PinRequest } from '../../core/ceremony/types.ts';
import { describePinState, type KeyriteToken } from '../../core/tokens/token.ts';
import { openSoftwareTokenFile } from '../../core/node/software-token-file.ts';
import type { CeremonyPrompt, TokenSummary } from '../../core/ipc/contract.ts';
import type { TokenEntry } from '../../core/ceremony/answers-writer.ts';

type Pending = { kind: 'pin'; id: number; resolve: (pin: string) => void; reject: (e: Error) => void } | { kind: 'witness'; id: number; resolve: (a: ConfirmAnswer) => void; reject: (e: Error) => void };

/** Software token choices whose path starts with this folder name are opened from the app's software token folder. */
export const SOFTWARE_FOLDER = 'software-tokens';

/** How an answers file names a token the app listed: a software token of the app's folder, or a PKCS#11 token by its URI. */
export function tokenEntryOf(t: TokenSummary): TokenEntry {
  return t.id.startsWith('software:') ? { software: `${SOFTWARE_FOLDER}/${t.id.slice('software:'.length)}` } : { uri: t.id };
}

/** A software token has a passphrase, not a PIN: its holder is never told about a "PIN". */
function passphraseWords(report: string): string {
  return report.replace(/\bPIN\b/g, 'passphrase');
}

export interface InteractiveEnvironmentOptions {
  /** The app's folder of rehearsal software tokens (tokens:list ids `software:<file>`). */
  softwareDir?: string;
  /** Tokens opened here, to close when the run ends. */
  opened: KeyriteToken[];
}

export class PromptBroker {
  private pending: Pending | undefined;
  private nextPrompt = 1;
  private readonly pinRequests = new Map<string, PinRequest>();

  /** `show` puts the prompt into the session's view (null: no request open). */
  constructor(private readonly show: (prompt: CeremonyPrompt | null) => void) {}

  get waiting(): boolean {
    return this.pending !== undefined;
  }

  /**
   * The engine's environment with tokens, PINs and witness confirmations answered at the
   * window. Software tokens named `software-tokens/<file>` come from the app's token folder;
   * other software paths are resolved by `base` (relative to its answers folder).
   */
  environment(base: CeremonyEnvironment, o: InteractiveEnvironmentOptions): CeremonyEnvironment {
    return {
      ...base,
      tokens: {
        open: async (req) => {
          let token: KeyriteToken;
          if (req.choice.kind === 'software' && req.choice.path.startsWith(`${SOFTWARE_FOLDER}/`)) {
            if (!o.softwareDir) throw new KeyriteError('TOKEN_NOT_FOUND', 'No folder of rehearsal software tokens is configured.');
            token = await openSoftwareTokenFile(join(o.softwareDir, basename(req.choice.path)));
            o.opened.push(token);
          } else {
            token = await base.tokens.open(req);
          }
          const key = req.participantId ?? 'master';
          return withPinRetry(token, (wrong) => this.askPin(this.pinRequests.get(key)!, wrong));
        },
      },
      pins: {
        check: () => undefined,
        get: (req) => {
          this.pinRequests.set(req.participantId, req);
          return this.askPin(req, undefined);
        },
      },
      confirm: (req) => this.askWitness(req),
    };
  }

  private askPin(req: PinRequest, wrong: WrongPin | undefined): Promise<string> {
    const token = wrong?.token ?? req.token;
    const id = this.nextPrompt++;
    return new Promise<string>((resolve, reject) => {
      this.pending = { kind: 'pin', id, resolve, reject };
      this.show({
        kind: 'pin',
        id,
        who: req.who,
        participantId: req.participantId,
        token: token.label,
        software: token.source === 'software',
        triesLeft: wrong?.triesLeft ?? pinTriesLeft(token.pin, 0),
        tokenReport: token.source === 'software' ? passphraseWords(describePinState(token.pin)) : describePinState(token.pin),
        problem: wrong?.sentence ?? null,
      });
    });
  }

  private askWitness(req: ConfirmRequest): Promise<ConfirmAnswer> {
    const id = this.nextPrompt++;
    return new Promise<ConfirmAnswer>((resolve, reject) => {
      this.pending = { kind: 'witness', id, resolve, reject };
      this.show({ kind: 'witness', id, stepId: req.stepId, title: req.title, witness: `${req.witness.name} (${req.witness.id})`, summary: [...req.summary] });
    });
  }

  private take(kind: Pending['kind'], id: number): Pending {
    const p = this.pending;
    if (!p || p.kind !== kind || p.id !== id) throw new KeyriteError('USAGE', kind === 'pin' ? 'That PIN request is no longer open; answer the one on screen.' : 'That confirmation is no longer open; answer the one on screen.');
    this.pending = undefined;
    return p;
  }

  answerPin(prompt: number, pin: string): void {
    const p = this.take('pin', prompt);
    this.show(null);
    if (p.kind === 'pin') p.resolve(pin);
  }

  answerWitness(prompt: number, confirmed: boolean): void {
    const p = this.take('witness', prompt);
    this.show(null);
    if (p.kind === 'witness') p.resolve(confirmed ? { confirmed: true, via: 'interactive' } : { confirmed: false, reason: 'the witness declined in the app.' });
  }

  /** Rejects the pending request with `error`; false when nothing is pending. */
  stop(error: KeyriteError): boolean {
    const p = this.pending;
    if (!p) return false;
    this.pending = undefined;
    p.reject(error);
    this.show(null);
    return true;
  }

  /** Forgets the run's requests (when the engine has returned). */
  clear(): void {
    this.pending = undefined;
    this.pinRequests.clear();
  }
}
