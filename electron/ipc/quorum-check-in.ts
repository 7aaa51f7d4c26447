/**
 * What the check-ins of the unlocking kinds share (recovery, signing, rotation: one quorum
 * unlock, docs/APP-SHELL.md): a path typed in the app made relative to the folder holding the
 * bundle (as in an answers file next to it), a token choice (a rehearsal token file or a listed
 * token) turned into its answers entry, and the fingerprint the quorum TYPED from their paper
 * record compared in the main process with the bundle's master key, which never reached the window.
 */
import { basename, isAbsolute, relative, sep } from 'node:path';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { toHex } from '../../core/encoding/hex.ts';
import { parseTrustAnchor } from '../../core/verifier/verify.ts';
import type { TokenEntry } from '../../core/ceremony/answers-writer.ts';
import type { TokenSummary } from '../../core/ipc/contract.ts';
import { tokenEntryOf } from './prompt-broker.ts';

export const TOKEN_FILE = /\.keyrite-token$/;

/** A path typed in the app, relative to `base` (an absolute one inside it is made relative; parseAnswers refuses anything outside). */
export function relativeTo(base: string, p: string): string {
  const t = p.trim();
  if (!isAbsolute(t)) return t;
  return relative(base, t).split(sep).join('/');
}

export interface TokenChoice {
  entry: TokenEntry;
  label: string;
  serial: string | null;
}

/** Turns the check-in's token fields into answers entries: a rehearsal token file by path, or a token listed now. */
export async function tokenChooser(listTokens: () => Promise<TokenSummary[]>, base: string): Promise<(value: string, whose: string) => TokenChoice> {
  const tokens = await listTokens().catch(() => [] as TokenSummary[]);
  return (value, whose) => {
    const v = value.trim();
    if (TOKEN_FILE.test(v) && !v.startsWith('software:')) return { entry: { software: relativeTo(base, v) }, label: basename(v), serial: null };
    const t = tokens.find((x) => x.id === v);
    if (!t) throw new KeyriteError('TOKEN_NOT_FOUND', `The token chosen for ${whose} is no longer attached. Plug it in, or choose another one.`);
    return { entry: tokenEntryOf(t), label: t.label, serial: t.serial };
  };
}

/**
 * The fingerprint typed at check-in against the bundle's master key, kept in the main process:
 * refused when empty, unreadable or different. `missing` and `mismatch` are the screen's own
 * sentences. Returns the trimmed text (answers bundle.trust).
 */
export function typedFingerprint(typed: string, master: string | null, sentences: { missing: string; mismatch: string }): string {
  const trust = typed.trim();
  if (trust.length === 0) throw new KeyriteError('ANSWERS_INVALID', sentences.missing);
  let anchor: ReturnType<typeof parseTrustAnchor>;
  try {
    anchor = parseTrustAnchor(trust);
  } catch (e) {
    throw new KeyriteError('ANSWERS_INVALID', `The fingerprint typed is not a master fingerprint (${isKeyriteError(e) ? e.message : 'unreadable'}). Type the 64 hex digits or the 16 words again.`);
  }
  const prefix = anchor.kind === 'full' ? toHex(anchor.bytes) : toHex(anchor.prefix);
  if (!(master ?? '').startsWith(prefix)) throw new KeyriteError('VERIFY_FAILED', sentences.mismatch);
  return trust;
}
