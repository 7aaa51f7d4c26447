/**
 * Argument checks of the signing channels (core/ipc/contract.ts): exact keys, types and bounds,
 * each failure a sentence. The check-in is a recovery's plus the request digest; names, tokens,
 * paths and the digest are checked again when the main process builds the answers.
 */
import { checkRecoveryCheckInForm } from './recovery-args.ts';

type Check = (arg: unknown) => string | null;

function record(arg: unknown): Record<string, unknown> | undefined {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) ? (arg as Record<string, unknown>) : undefined;
}

/** 64 hex digits, optionally in groups: 64 digits and up to 63 separators, with some room for spaces. */
const MAX_DIGEST_TEXT = 200;

const CHECK_IN_KEYS = ['administrator', 'witnesses', 'trust', 'masterToken', 'trustees', 'requestDigest'];

export const checkSigningCheckInForm: Check = (arg) => {
  const o = record(arg);
  if (!o) return 'This request takes an object.';
  const keys = Object.keys(o);
  if (keys.length !== CHECK_IN_KEYS.length || !CHECK_IN_KEYS.every((k) => Object.hasOwn(o, k))) return `This request takes exactly these fields: ${CHECK_IN_KEYS.join(', ')}.`;
  const { requestDigest, ...recovery } = o;
  if (typeof requestDigest !== 'string' || requestDigest.length > MAX_DIGEST_TEXT) return "The request's digest must be its 64 hex digits (spaces between groups allowed).";
  return checkRecoveryCheckInForm(recovery);
};

export const checkDigestConfirmation: Check = (arg) => {
  const o = record(arg);
  if (!o) return 'This request takes an object.';
  const keys = Object.keys(o);
  if (keys.length !== 2 || !Object.hasOwn(o, 'prompt') || !Object.hasOwn(o, 'words')) return 'This request takes exactly these fields: prompt, words.';
  if (!Number.isSafeInteger(o.prompt) || (o.prompt as number) < 1) return 'This answers no confirmation request.';
  if (typeof o.words !== 'string' || o.words.trim().length === 0) return "Type the first two words of the request's digest.";
  if (o.words.length > 100) return "Type only the first two words of the request's digest.";
  return null;
};

/** A signing run folder under the work root, as signing:interrupted lists it ("signing-" and six letters or digits). */
export const checkSigningRunFolderRef: Check = (arg) => {
  const o = record(arg);
  if (!o) return 'This request takes an object.';
  if (Object.keys(o).length !== 1 || !Object.hasOwn(o, 'folder')) return 'This request takes exactly this field: folder.';
  return typeof o.folder === 'string' && /^signing-[A-Za-z0-9]{6}$/.test(o.folder) ? null : 'That is not one of the listed signing run folders.';
};
