/**
 * Argument checks of the recovery channels (core/ipc/contract.ts): exact keys, types and
 * bounds, each failure a sentence. Names, tokens and paths are checked again, with the script,
 * when the main process builds the answers (core/ceremony/answers.ts).
 */
type Check = (arg: unknown) => string | null;

const MAX_NAME = 100;
const MAX_TOKEN = 1024;
const MAX_PATH = 1024;

function record(arg: unknown, keys: readonly string[]): Record<string, unknown> | string {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return 'This request takes an object.';
  const o = arg as Record<string, unknown>;
  const own = Object.keys(o);
  if (own.length !== keys.length || !keys.every((k) => Object.hasOwn(o, k))) return `This request takes exactly these fields: ${keys.join(', ')}.`;
  return o;
}

const text = (v: unknown, max: number): boolean => typeof v === 'string' && v.length <= max;
const filled = (v: unknown, max: number): boolean => text(v, max) && (v as string).trim().length > 0;
const TRUSTEE_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** core/escrow/share-card-parts.ts SHARE_CARD_MAX_SCAN_CHARS (a test keeps them equal); the IPC contract imports nothing of core/escrow. */
export const MAX_SCANNED_CARD_CHARS = 475_200;

export const checkPickOnly: Check = (arg) => {
  const o = record(arg, ['pick']);
  if (typeof o === 'string') return 'Choose the folder in the file picker.';
  return o.pick === true ? null : 'Choose the folder in the file picker.';
};

export const checkRecoveryCheckInForm: Check = (arg) => {
  const o = record(arg, ['administrator', 'witnesses', 'trust', 'masterToken', 'trustees']);
  if (typeof o === 'string') return o;
  if (!text(o.administrator, MAX_NAME)) return "The administrator's name must be text of at most 100 characters.";
  if (!Array.isArray(o.witnesses) || o.witnesses.length > 16 || !o.witnesses.every((w) => text(w, MAX_NAME))) return "Witnesses' names must be a list of at most 16 names of at most 100 characters.";
  if (!text(o.trust, 400)) return 'The fingerprint must be 64 hex digits or its 16 words.';
  if (!text(o.masterToken, MAX_TOKEN)) return 'The new master token must be a listed token or a token file.';
  if (!Array.isArray(o.trustees) || o.trustees.length === 0 || o.trustees.length > 32) return 'Trustees must be a list of 1 to 32 people.';
  for (const t of o.trustees) {
    const r = record(t, ['id', 'name', 'token', 'keyring', 'envelope']);
    if (typeof r === 'string') return 'Each trustee has exactly an id, a name, a token, a keyring file and an envelope file.';
    if (typeof r.id !== 'string' || !TRUSTEE_ID.test(r.id)) return 'That is not a trustee of the original ceremony.';
    if (!text(r.name, MAX_NAME)) return "A trustee's name must be text of at most 100 characters.";
    if (!text(r.token, MAX_TOKEN)) return "A trustee's token must be a listed token or a token file.";
    if (!text(r.keyring, MAX_PATH) || !text(r.envelope, MAX_PATH)) return 'File paths must be text of at most 1024 characters.';
  }
  return null;
};

export const checkShareCardScan: Check = (arg) => {
  const o = record(arg, ['trusteeId', 'scanned']);
  if (typeof o === 'string') return o;
  if (typeof o.trusteeId !== 'string' || !TRUSTEE_ID.test(o.trusteeId)) return 'That is not a trustee of the original ceremony.';
  if (typeof o.scanned !== 'string') return 'The scanned share card must be text.';
  if (o.scanned.length > MAX_SCANNED_CARD_CHARS) return 'More text was scanned than any share card holds; clear the box and scan the card again.';
  return null;
};

export const checkShareCheckForm: Check = (arg) => {
  const o = record(arg, ['trusteeId', 'keyring', 'envelope', 'token', 'pin', 'paperWords', 'trust']);
  if (typeof o === 'string') return o;
  if (typeof o.trusteeId !== 'string' || !TRUSTEE_ID.test(o.trusteeId)) return 'Choose which trustee you are.';
  if (!filled(o.keyring, MAX_PATH)) return 'Give your keyring file (at most 1024 characters).';
  const env = record(o.envelope, Object.hasOwn(Object(o.envelope), 'card') ? ['card'] : ['file']);
  if (typeof env === 'string') return 'Give your envelope file, or scan your share card.';
  if ('file' in env ? !filled(env.file, MAX_PATH) : !filled(env.card, MAX_SCANNED_CARD_CHARS)) return 'Give your envelope file, or scan your share card.';
  if (!filled(o.token, MAX_TOKEN)) return 'Choose your token.';
  if (!text(o.pin, 256) || (o.pin as string).length === 0) return "Type your token's PIN.";
  if (!text(o.paperWords, 2000)) return 'The paper words must be text of at most 2000 characters.';
  if (!text(o.trust, 400)) return 'The fingerprint must be 64 hex digits or its 16 words.';
  return null;
};

export const checkRotationCheckInForm: Check = (arg) => {
  const o = record(arg, ['administrator', 'witnesses', 'trust', 'masterToken', 'simulateDice', 'trustees']);
  if (typeof o === 'string') return o;
  if (!text(o.administrator, MAX_NAME)) return "The administrator's name must be text of at most 100 characters.";
  if (!Array.isArray(o.witnesses) || o.witnesses.length > 16 || !o.witnesses.every((w) => text(w, MAX_NAME))) return "Witnesses' names must be a list of at most 16 names of at most 100 characters.";
  if (!text(o.trust, 400)) return 'The fingerprint must be 64 hex digits or its 16 words.';
  if (!text(o.masterToken, MAX_TOKEN)) return 'The new master token must be a listed token or a token file.';
  if (typeof o.simulateDice !== 'boolean') return 'Say whether the dice are simulated (rehearsal only).';
  if (!Array.isArray(o.trustees) || o.trustees.length === 0 || o.trustees.length > 32) return 'Trustees must be a list of 1 to 32 people.';
  for (const t of o.trustees) {
    const r = record(t, ['id', 'name', 'token', 'keyring', 'envelope', 'output', 'dice']);
    if (typeof r === 'string') return 'Each trustee has exactly an id, a name, a token, a keyring file, an envelope file, a new share folder and dice.';
    if (typeof r.id !== 'string' || !TRUSTEE_ID.test(r.id)) return 'That is not a trustee of the current bundle.';
    if (!text(r.name, MAX_NAME)) return "A trustee's name must be text of at most 100 characters.";
    if (!text(r.token, MAX_TOKEN)) return "A trustee's token must be a listed token or a token file.";
    if (!text(r.keyring, MAX_PATH) || !text(r.envelope, MAX_PATH) || !text(r.output, MAX_PATH)) return 'File paths must be text of at most 1024 characters.';
    if (!text(r.dice, 4096)) return 'Dice rolls must be text of at most 4096 characters.';
  }
  return null;
};
