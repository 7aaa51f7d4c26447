/**
 * Argument checks of the ceremony channels (core/ipc/contract.ts): exact keys, types and
 * bounds, each failure a sentence. Names, token ids and dice are checked again, with the
 * script, when the main process builds the answers.
 */

type Check = (arg: unknown) => string | null;

function record(arg: unknown, keys: readonly string[]): Record<string, unknown> | string {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return 'This request takes an object.';
  const o = arg as Record<string, unknown>;
  const own = Object.keys(o);
  if (own.length !== keys.length || !keys.every((k) => Object.hasOwn(o, k))) return `This request takes exactly these fields: ${keys.join(', ')}.`;
  return o;
}

function text(v: unknown, max: number): boolean {
  return typeof v === 'string' && v.length <= max;
}

export const checkScriptSource: Check = (arg) => {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return 'Choose a shipped script or the file picker.';
  const o = arg as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'shipped') return typeof o.shipped === 'string' && /^[a-z0-9][a-z0-9.-]{0,99}\.yaml$/.test(o.shipped) ? null : 'That is not the name of a shipped script.';
  if (keys.length === 1 && keys[0] === 'pick') return o.pick === true ? null : 'Choose a shipped script or the file picker.';
  return 'Choose a shipped script or the file picker.';
};

const MAX_NAME = 100;
const MAX_TOKEN_ID = 1024;
const MAX_DICE = 4000;

export const checkCheckInForm: Check = (arg) => {
  const o = record(arg, ['administrator', 'witnesses', 'masterToken', 'trustees', 'simulateDice']);
  if (typeof o === 'string') return o;
  if (!text(o.administrator, MAX_NAME)) return "The administrator's name must be text of at most 100 characters.";
  if (!Array.isArray(o.witnesses) || o.witnesses.length > 16 || !o.witnesses.every((w) => text(w, MAX_NAME))) return "Witnesses' names must be a list of at most 16 names of at most 100 characters.";
  if (!text(o.masterToken, MAX_TOKEN_ID)) return 'The master token must be one of the listed tokens.';
  if (typeof o.simulateDice !== 'boolean') return 'Simulated dice must be on or off.';
  if (!Array.isArray(o.trustees) || o.trustees.length === 0 || o.trustees.length > 32) return 'Trustees must be a list of 1 to 32 people.';
  for (const t of o.trustees) {
    const r = record(t, ['name', 'token', 'dice']);
    if (typeof r === 'string') return 'Each trustee has exactly a name, a token and dice rolls (which may be empty).';
    if (!text(r.name, MAX_NAME)) return "A trustee's name must be text of at most 100 characters.";
    if (!text(r.token, MAX_TOKEN_ID)) return "A trustee's token must be one of the listed tokens.";
    if (!text(r.dice, MAX_DICE)) return 'Dice rolls must be text of at most 4000 characters.';
  }
  return null;
};

export const checkPinAnswer: Check = (arg) => {
  const o = record(arg, ['prompt', 'pin']);
  if (typeof o === 'string') return o;
  if (!Number.isSafeInteger(o.prompt) || (o.prompt as number) < 1) return 'This answers no PIN request.';
  if (typeof o.pin !== 'string' || o.pin.length === 0) return 'Type the PIN first.';
  if (o.pin.length > 256) return 'That PIN is longer than any token accepts (at most 256 characters).';
  return null;
};

export const checkWitnessAnswer: Check = (arg) => {
  const o = record(arg, ['prompt', 'confirmed']);
  if (typeof o === 'string') return o;
  if (!Number.isSafeInteger(o.prompt) || (o.prompt as number) < 1) return 'This answers no witness request.';
  return typeof o.confirmed === 'boolean' ? null : 'A witness confirms or declines.';
};

export const checkParticipantRef: Check = (arg) => {
  const o = record(arg, ['trusteeId']);
  if (typeof o === 'string') return o;
  return typeof o.trusteeId === 'string' && /^[a-z0-9][a-z0-9-]{0,31}$/.test(o.trusteeId) ? null : 'That is not a trustee of this ceremony.';
};

/** A run folder under the work root, as ceremony:interrupted lists it ("ceremony-" and six letters or digits). */
export const checkRunFolderRef: Check = (arg) => {
  const o = record(arg, ['folder']);
  if (typeof o === 'string') return o;
  return typeof o.folder === 'string' && /^ceremony-[A-Za-z0-9]{6}$/.test(o.folder) ? null : 'That is not one of the listed ceremony run folders.';
};
