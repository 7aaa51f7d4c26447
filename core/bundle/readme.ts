/**
 * README.txt, the first file a person opens (docs/FORMATS.md "Bundle"): what the bundle is, the
 * master fingerprint to compare with the one read aloud, how to verify it, and every file.
 * One template per bundle kind; the rehearsal banner follows the title when the script was a
 * rehearsal. parseReadme reads every line back against the templates and returns the facts
 * the README states, for a reader to compare with what it knows itself.
 */
import { KeyriteError } from '../errors.ts';
import { fromUtf8, utf8 } from '../bytes.ts';
import { fillTemplate, matchTemplate, templateSlots } from './text-template.ts';
import type { BundleKind } from './kinds.ts';

const WHAT = 'README.txt';
export const REHEARSAL_BANNER = 'REHEARSAL ONLY: made with rehearsal tokens; nothing here may be trusted for real use.';

const TITLES: Readonly<Record<BundleKind, string>> = { 'root-keygen': 'KEYRITE PUBLIC BUNDLE - {scriptName}', 'escrow-recovery': 'KEYRITE RECOVERY BUNDLE - {scriptName}', signing: 'KEYRITE SIGNING BUNDLE - {scriptName}', rotation: 'KEYRITE KEY ROTATION BUNDLE - {scriptName}', revocation: 'KEYRITE KEY REVOCATION BUNDLE - {scriptName}', reshare: 'KEYRITE ESCROW RESHARE BUNDLE - {scriptName}' };

const BODIES: Readonly<Record<BundleKind, readonly string[]>> = {
  'root-keygen': [
    '',
    'Ceremony id: {ceremonyId}',
    'Master key:  "{keyLabel}" on token "{tokenLabel}" (serial {tokenSerial})',
    '',
    'MASTER KEY FINGERPRINT - compare it with the one read aloud at the ceremony:',
    '  {fingerprintHex}',
    '  {fingerprintWords}',
    '',
    'The master key is Ed25519 + ML-DSA-65. Its seed is escrowed {t}-of-{n} among the trustees',
    'listed in policy.json; their share envelopes are NOT in this bundle (each trustee holds their own).',
    '',
    'HOW TO VERIFY',
    '  keyrite verify <this folder> --trust "<the master fingerprint you heard at the ceremony>"',
    'checks every file hash in bundle.json, the transcript hash chain and Merkle root, every',
    'checkpoint and the signed statement (both signatures of every principal), the escrow',
    'manifest and the keys. Without --trust it says that it checked against no trust anchor.',
    '',
    'Without Keyrite installed: open verifier/verify.html in a web browser (it works offline),',
    'choose this folder, and enter the fingerprint. It runs the same checks as keyrite verify.',
    'It is a copy made by the ceremony machine; an auditor who does not trust that machine',
    'uses a verifier obtained independently.',
    '',
    'By hand: every file listed in bundle.json must have the SHA-256 and size given there, e.g.',
    '  sha256sum transcript.jsonl',
    'statement.dsse.json is a DSSE envelope (payloadType application/vnd.in-toto+json) whose',
    'payload is an in-toto Statement v1 naming transcript.jsonl, keys/jwks.json,',
    'escrow/manifest.json, policy.json, script.yaml and verifier/verify.html by SHA-256.',
    'File formats: Keyrite docs/FORMATS.md.',
    '',
    'FILES',
  ],
  'escrow-recovery': [
    '',
    'Recovery id:        {ceremonyId}',
    'Original ceremony:  {originalCeremonyId}',
    'Master key:         "{keyLabel}" restored onto token "{tokenLabel}" (serial {tokenSerial})',
    'Shares combined:    {sharesCombined}',
    '',
    "MASTER KEY FINGERPRINT - the same as the original ceremony's; compare it with the one read aloud:",
    '  {fingerprintHex}',
    '  {fingerprintWords}',
    '',
    'HOW TO VERIFY',
    '  keyrite verify <this folder> --trust "<the master fingerprint>"',
    'checks every file hash in bundle.json, the recovery transcript and its checkpoints, the link to',
    'the original ceremony (original/statement.dsse.json, signed by the same master key), and the',
    'statement signed by the recovered master key and every trustee present (both signatures each).',
    'Or open verifier/verify.html in a web browser (offline) and choose this folder.',
    '',
    'FILES',
  ],
  signing: [
    '',
    'Signing ceremony id: {ceremonyId}',
    'Root ceremony:       {originalCeremonyId}',
    'Master key:          "{keyLabel}" on token "{tokenLabel}" (serial {tokenSerial})',
    'Request:             {requestTitle}',
    'Request SHA-256:     {requestSha256}',
    'Unlocked by shares:  {sharesCombined}',
    'Signed documents:    {documents}',
    '',
    "MASTER KEY FINGERPRINT - the root ceremony's; compare it with the one read aloud there:",
    '  {fingerprintHex}',
    '  {fingerprintWords}',
    '',
    'HOW TO VERIFY',
    '  keyrite verify <this folder> --trust "<the master fingerprint>"',
    'checks every file hash in bundle.json, the signing transcript and its checkpoints, the link to',
    'the root ceremony (original/statement.dsse.json, signed by the same master key), the request',
    'against the script\'s limits, every signed document and its envelope, and the statement signed',
    'by the master key and every trustee present (both signatures each).',
    'A relying party checks one signed document alone, without this bundle:',
    '  keyrite check-signature signed/<document> --signature signed/<document>.dsse.json --trust "<the master fingerprint>"',
    '',
    'FILES',
  ],
  rotation: [
    '',
    'Rotation id:         {ceremonyId}',
    'Builds on ceremony:  {originalCeremonyId}',
    'New master key:      "{keyLabel}" on token "{tokenLabel}" (serial {tokenSerial})',
    'Unlocked by shares:  {sharesCombined}',
    '',
    'NEW MASTER KEY FINGERPRINT (active) - compare it with the one read aloud at the rotation:',
    '  {fingerprintHex}',
    '  {fingerprintWords}',
    '',
    'PREVIOUS MASTER KEY FINGERPRINT (deprecated: verify-only until {previousUntil}):',
    '  {previousHex}',
    '  {previousWords}',
    '',
    'The new key is Ed25519 + ML-DSA-65, escrowed {t}-of-{n} among the trustees listed in policy.json.',
    'keys/key-states.json states every master key of the chain and its state.',
    '',
    'HOW TO VERIFY',
    '  keyrite verify <root bundle> <each rotation bundle, in order> --trust "<the ROOT master fingerprint>"',
    'follows the chain from the root key: each rotation must be signed by the key it replaces and by',
    'the new key (both signatures each), by a threshold of the old trustees and by every new trustee.',
    'This bundle alone: keyrite verify <this folder> --trust "<the new master fingerprint>".',
    '',
    'FILES',
  ],
  revocation: [
    '',
    'Revocation id:       {ceremonyId}',
    'Builds on ceremony:  {originalCeremonyId}',
    'Revoked key:         "{keyLabel}" on token "{tokenLabel}" (serial {tokenSerial}); the token was not used',
    'Unlocked by shares:  {sharesCombined}',
    'Revoked at:          {revokedAt}',
    'Reason:              {reason}',
    '',
    'REVOKED MASTER KEY FINGERPRINT - nothing it signed at or after the revocation time is trusted:',
    '  {fingerprintHex}',
    '  {fingerprintWords}',
    '',
    'The chain has NO active master key until a rotation from this bundle makes a new one.',
    'keys/key-states.json states every master key of the chain and its state.',
    '',
    'HOW TO VERIFY',
    '  keyrite verify <root bundle> <each rotation bundle, in order> <this folder> --trust "<the ROOT master fingerprint>"',
    'follows the chain from the root key: the revocation must be signed by the key it revokes (both',
    'halves, unlocked by the quorum) and by the trustees present, at least the threshold of its escrow.',
    '',
    'FILES',
  ],
  reshare: [
    '',
    'Reshare id:          {ceremonyId}',
    'Builds on ceremony:  {originalCeremonyId}',
    'Unlocked by shares:  {sharesCombined}',
    'Escrow epoch:        {epoch} (supersedes epoch {previousEpoch})',
    'New holders:         {holders}',
    '',
    'MASTER KEY FINGERPRINT (unchanged by a reshare) - compare it with the one read aloud:',
    '  {fingerprintHex}',
    '  {fingerprintWords}',
    '',
    'The master key is escrowed anew {t}-of-{n} among the holders above (escrow/manifest.json);',
    'envelopes of epoch {previousEpoch} no longer unlock it through Keyrite.',
    'Old holders who COULD NOT ATTEST the destruction of their old share: {notAttested}',
    '(their old share, with enough other old shares, could still open the old escrow).',
    '',
    'HOW TO VERIFY',
    '  keyrite verify <root bundle> <each later bundle, in order> --trust "<the ROOT master fingerprint>"',
    'follows the chain from the root key: a reshare keeps the master key, is signed by it and by',
    'every new holder, its epoch follows the one before by one, and a threshold of the old holders',
    'signed its quorum-present checkpoint.',
    '',
    'FILES',
  ],
};

/**
 * What a README states: the title's script name, whether it carries the rehearsal banner, the
 * facts in its kind's template by slot name (readmeSlots), and the list of files.
 */
export interface Readme {
  readonly kind: BundleKind;
  readonly scriptName: string;
  readonly rehearsal: boolean;
  /** Slot name → the text in that place: ceremonyId, keyLabel, fingerprintHex (hex groups), … */
  readonly facts: Readonly<Record<string, string>>;
  /** Every file of the bundle, sorted. */
  readonly files: readonly string[];
}

/** The slot names of a kind's template, in order. */
export function readmeSlots(kind: BundleKind): string[] {
  return templateSlots(BODIES[kind]);
}

export function encodeReadme(r: Readme): Uint8Array {
  const lines = [
    ...fillTemplate([TITLES[r.kind]], { scriptName: r.scriptName }),
    ...(r.rehearsal ? ['', REHEARSAL_BANNER] : []),
    ...fillTemplate(BODIES[r.kind], r.facts),
    ...r.files.flatMap((file) => fillTemplate(['  {file}'], { file })),
    '',
  ];
  return utf8(lines.join('\n'));
}

export function parseReadme(bytes: Uint8Array, kind: BundleKind): Readme {
  const lines = fromUtf8(bytes).split('\n');
  const title = matchTemplate(lines, 0, [TITLES[kind]], WHAT);
  const rehearsal = lines[1] === '' && lines[2] === REHEARSAL_BANNER;
  const bodyAt = rehearsal ? 3 : 1;
  const body = BODIES[kind];
  const facts = matchTemplate(lines, bodyAt, body, WHAT);
  const filesAt = bodyAt + body.length;
  const fileLines = lines.slice(filesAt);
  if (fileLines.pop() !== '' || fileLines.some((l) => l.length <= 2)) throw new KeyriteError('INVALID_INPUT', `${WHAT} does not end with its list of files, one per line, and a line break.`);
  const files = fileLines.map((_, i) => matchTemplate(lines, filesAt + i, ['  {file}'], WHAT).file!);
  return { kind, scriptName: title.scriptName!, rehearsal, facts, files };
}
