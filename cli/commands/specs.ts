/**
 * What `keyrite --help` and each command's --help print, and what the argument parser needs:
 * every command's name, summary, usage and options, without its code. Light on purpose:
 * index.ts loads a command's module (and the libraries it needs: pdf-lib, QuickJS, PKCS#11…)
 * only when that command runs (test/unit/cli/startup-imports.test.ts keeps it so).
 */
import type { CommandSpec } from '../command.ts';
import { PKCS11_MODULE_ENV, SOFTWARE_TOKENS_ENV } from '../../core/node/environment-names.ts';

export const DEMO_SPEC: CommandSpec = {
  name: 'demo',
  summary: 'rehearse a full root key ceremony on software tokens (rehearsal only) and verify its bundle',
  usage: ['demo --out DIR [--json]'],
  options: [{ name: 'out', takesValue: true, valueName: 'DIR', help: 'new or empty folder for the rehearsal: bundle, trustee folders, recovery answers' }],
  positionals: { min: 0, max: 0 },
  details: [
    'Everything made by the demo is REHEARSAL ONLY: software tokens whose passphrases are written next to them.',
    'The air-gap check only warns in a rehearsal. Afterwards `keyrite demo recover DIR` rehearses the recovery.',
    'A demo interrupted during its ceremony is resumed by running the same command again.',
  ].join('\n'),
};

export const DEMO_RECOVER_SPEC: CommandSpec = {
  name: 'demo recover',
  summary: 'rehearse the escrow recovery of a demo (repeatable: each run restores onto a fresh rehearsal token)',
  usage: ['demo recover DIR [--json]'],
  options: [],
  positionals: { min: 1, max: 1 },
  details: [
    'DIR is the folder of a finished `keyrite demo`. Trustees 1-3 bring their envelopes; their rehearsal',
    'passphrases are read from the REHEARSAL-ONLY files next to their tokens. Each run writes DIR/recoveries/N/:',
    'a fresh rehearsal token with the recovered master key, and run/ with the recovery journal and bundle.',
  ].join('\n'),
  exitCodes: 'Exit codes: 0 recovered and verified, 1 a check failed, 2 usage or I/O error.',
};

export const CEREMONY_RUN_SPEC: CommandSpec = {
  name: 'ceremony run',
  summary: 'run a root-keygen, signing, rotation or revocation ceremony script with an answers file and export the public bundle',
  usage: ['ceremony run SCRIPT --answers FILE --out DIR [--module PATH] [--json]'],
  options: [
    { name: 'answers', takesValue: true, valueName: 'FILE', help: 'answers file: participants, tokens, PIN sources (never PINs), confirmations' },
    { name: 'out', takesValue: true, valueName: 'DIR', help: 'run folder: journal and, at the end, DIR/bundle (an interrupted run in DIR is resumed)' },
    { name: 'module', takesValue: true, valueName: 'PATH', help: `PKCS#11 module (default: $${PKCS11_MODULE_ENV})` },
  ],
  positionals: { min: 1, max: 1 },
  details: [
    'PINs come from the environment variables the answers file names, or are typed at a prompt without echo.',
    'Witness confirmations come from the answers file ("confirm"), or are asked on the terminal.',
    "Each trustee's keyring, share envelope and paper backup go to their own folder, never into the bundle.",
    'A bundle is never overwritten; an interrupted run in DIR is resumed (or restarted from key generation) and the interruption recorded.',
  ].join('\n'),
};

export const RECOVER_SPEC: CommandSpec = {
  name: 'recover',
  summary: 'escrow recovery: rebuild the master key from trustee shares onto a new token',
  usage: ['recover SCRIPT --bundle DIR --answers FILE --out DIR [--module PATH] [--json]'],
  options: [
    { name: 'bundle', takesValue: true, valueName: 'DIR', help: 'public bundle of the original ceremony (must be the one the answers file names)' },
    { name: 'answers', takesValue: true, valueName: 'FILE', help: 'answers file: trustees, tokens, envelopes, PIN sources, bundle.trust' },
    { name: 'out', takesValue: true, valueName: 'DIR', help: 'run folder for the recovery journal (new or empty; a folder holding an interrupted recovery is resumed)' },
    { name: 'module', takesValue: true, valueName: 'PATH', help: `PKCS#11 module (default: $${PKCS11_MODULE_ENV})` },
  ],
  positionals: { min: 1, max: 1 },
  exitCodes: 'Exit codes: 0 recovered and verified, 1 a check failed (names the trustee and the reason), 2 usage or I/O error.',
};

export const CHECK_SHARE_SPEC: CommandSpec = {
  name: 'check-share',
  summary: 'a trustee checks their own share: bundle, keyring, token, sealed seed and share, alone',
  usage: ['check-share BUNDLE --keyring FILE (--envelope FILE | --envelope-card FILE) --token TOKEN [--trust FINGERPRINT] [--pin-env NAME] [--paper-words | --paper-words-env NAME] [--health-record FILE] [--module PATH] [--json]'],
  options: [
    { name: 'keyring', takesValue: true, valueName: 'FILE', help: 'your keyring.json from the ceremony' },
    { name: 'envelope', takesValue: true, valueName: 'FILE', help: 'your share-envelope.json' },
    { name: 'envelope-card', takesValue: true, valueName: 'FILE', help: 'instead of --envelope: a text file of what a QR scanner typed from your printed share card (one part per line)' },
    { name: 'token', takesValue: true, valueName: 'TOKEN', help: 'your token: a PKCS#11 URI naming it by token= or serial= (see keyrite tokens), or software:PATH for a rehearsal token file' },
    { name: 'trust', takesValue: true, valueName: 'FINGERPRINT', help: 'the master fingerprint read aloud at the ceremony (64 hex digits or the 16 words)' },
    { name: 'pin-env', takesValue: true, valueName: 'NAME', help: 'read the PIN from this environment variable (default: asked at a hidden prompt)' },
    { name: 'paper-words', takesValue: false, help: 'also check your paper-backup words against the share (typed at a hidden prompt, never shown)' },
    { name: 'paper-words-env', takesValue: true, valueName: 'NAME', help: 'the same, with the words read from this environment variable' },
    { name: 'health-record', takesValue: true, valueName: 'FILE', help: 'write a health record signed by your token (a new file, never overwritten) to append to the share health log: keyrite health-log append' },
    { name: 'module', takesValue: true, valueName: 'PATH', help: `PKCS#11 module (default: $${PKCS11_MODULE_ENV})` },
  ],
  positionals: { min: 1, max: 1 },
  exitCodes: 'Exit codes: 0 the share is good, 1 a check failed (the first failing check is named), 2 usage or I/O error.',
  details: 'With --health-record, once the token and the sealed seed opened, the token signs a health record of the outcome (alive, or the share or paper check that failed), even when a later check fails; it holds the share\'s published commitment, never the share.',
};

export const HEALTH_LOG_APPEND_SPEC: CommandSpec = {
  name: 'health-log append',
  summary: 'append a trustee\'s signed health record (check-share --health-record) to a share health log folder',
  usage: ['health-log append LOG RECORD [--json]'],
  options: [],
  positionals: { min: 2, max: 2 },
  details: [
    'LOG is the health log folder (created with its first record if missing); RECORD the file check-share --health-record wrote.',
    'The record must be signed by the keys it carries, of the log\'s ceremony and escrow epoch, not in the log already, and later',
    'than that trustee\'s last record. The log is only ever appended to (fsynced); keyrite verify BUNDLE --health-log LOG judges it.',
  ].join('\n'),
  exitCodes: 'Exit codes: 0 appended, 1 the record or the log was refused (the reason is named), 2 usage or I/O error.',
};

export const CHECK_SIGNATURE_SPEC: CommandSpec = {
  name: 'check-signature',
  summary: 'check one signed document (endorsed keys, signed artifacts, or a listed file) against the master fingerprint, offline',
  usage: ['check-signature DOCUMENT --signature ENVELOPE --trust FINGERPRINT [--chain BUNDLE]... [--mode hybrid|classical-only|pq-only] [--at TIME] [--json]'],
  options: [
    { name: 'signature', takesValue: true, valueName: 'ENVELOPE', help: 'the DSSE envelope, DOCUMENT.dsse.json (for a listed file: the artifacts.intoto.json.dsse.json that lists it)' },
    { name: 'trust', takesValue: true, valueName: 'FINGERPRINT', help: 'the master fingerprint read aloud at the root ceremony (64 hex digits or the 16 words); required' },
    { name: 'mode', takesValue: true, valueName: 'MODE', help: 'hybrid (default: both signature halves), classical-only or pq-only' },
    { name: 'at', takesValue: true, valueName: 'TIME', help: 'judge the endorsed keys\' validity at this UTC time, YYYY-MM-DDTHH:MM:SSZ (default: now)' },
    { name: 'chain', takesValue: true, repeatable: true, valueName: 'BUNDLE', help: 'a bundle of the chain from the root (the root bundle first, then each rotation in order); --trust is then the ROOT fingerprint' },
  ],
  positionals: { min: 1, max: 1 },
  exitCodes: 'Exit codes: 0 the document is good, 1 a check failed (the first failing check is named), 2 usage or I/O error.',
  details: [
    'DOCUMENT is the signed document itself (endorsed-keys.jwks.json, artifacts.intoto.json) or a file that artifacts.intoto.json lists by name, SHA-256 and size.',
    'An endorsement fails only when none of its keys is valid at --at; every key is listed with VALID NOW, NOT YET VALID or EXPIRED.',
    'With --chain, the chain is verified from the ROOT fingerprint first; the document must be signed by a master key of that chain that may be relied on at --at (the active key; a deprecated key within its grace, for what it signed while active; a revoked key, for what it signed before its revocation; never a retired key): the check "chain".',
    'A rehearsal document that passes is GOOD (exit 0) and marked REHEARSAL ("rehearsal": true with --json).',
  ].join('\n'),
};

export const TOKENS_SPEC: CommandSpec = {
  name: 'tokens',
  summary: 'list PKCS#11 tokens, software tokens (rehearsal only) and USB status',
  usage: ['tokens [--module PATH] [--software-dir DIR] [--json]'],
  options: [
    { name: 'module', takesValue: true, valueName: 'PATH', help: `PKCS#11 module to load (default: $${PKCS11_MODULE_ENV})` },
    { name: 'software-dir', takesValue: true, valueName: 'DIR', help: `folder of *.keyrite-token files (default: $${SOFTWARE_TOKENS_ENV})` },
  ],
  positionals: { min: 0, max: 0 },
  details: 'Tokens are selected elsewhere by their URI (token, serial, manufacturer, model), never by slot number. Finding no token is not an error.',
};

export const VERIFY_SPEC: CommandSpec = {
  name: 'verify',
  summary: 'verify a public bundle offline, with optional audit scripts',
  usage: [
    'verify BUNDLE [--trust FINGERPRINT] [--mode hybrid|classical-only|pq-only] [--script FILE]... [--script-memory MIB] [--require-live] [--health-log LOG [--alive-within DAYS]] [--json]',
    'verify ROOT_BUNDLE ROTATION_BUNDLE... --trust ROOT_FINGERPRINT [--mode hybrid|classical-only|pq-only] [--require-live] [--health-log LOG [--alive-within DAYS]] [--json]',
  ],
  options: [
    { name: 'trust', takesValue: true, valueName: 'FINGERPRINT', help: 'the master fingerprint read aloud at the ceremony (64 hex digits or the 16 words)' },
    { name: 'mode', takesValue: true, valueName: 'MODE', help: 'hybrid (default: both signatures of every principal), classical-only or pq-only' },
    { name: 'script', takesValue: true, repeatable: true, valueName: 'FILE', help: 'an audit script to run in the sandbox' },
    { name: 'script-memory', takesValue: true, valueName: 'MIB', help: 'memory for each audit script, bundle data included, in MiB (default 64, at most 1024)' },
    { name: 'require-live', takesValue: false, help: 'fail (exit 1, check live-ceremony) if the bundle comes from a rehearsal' },
    { name: 'health-log', takesValue: true, valueName: 'LOG', help: 'a share health log folder: say how many shares of the escrow are proven alive (keyrite health-log append)' },
    { name: 'alive-within', takesValue: true, valueName: 'DAYS', help: 'with --health-log: a share counts as alive when its last record is at most DAYS days old (default 90)' },
  ],
  positionals: { min: 1, max: 64 },
  exitCodes: 'Exit codes: 0 valid, 1 verification failed, 2 usage or I/O error, 3 an audit script failed to run or timed out (3 wins over 1: the report is incomplete), 4 the bundle is valid but the health log warns: fewer than t shares proven alive, or a record refused.',
  details: 'BUNDLE is a bundle folder or its archive (bundle.keyrite.tar), verified in memory with the same checks and verdict; an archive not in the exact form Keyrite writes is refused with the reason (exit 1). With two or more bundles, the chain: the root bundle first, then each rotation bundle in the order made (folders or archives), followed from the ROOT fingerprint given with --trust (required); each bundle is verified, then each link (fork, gap, rollback, validity, key states), and the current active key is named (--json: current.fingerprint). A rehearsal bundle that passes every check is VALID (exit 0), marked REHEARSAL in every output ("rehearsal": true with --json); with --require-live it fails instead (exit 1). classical-only and pq-only check one half of every signature and say which half they did not check.',
};

export const SCRIPT_DIFF_SPEC: CommandSpec = {
  name: 'script diff',
  summary: 'compare a rehearsal script with the live one: only mode, tokens and air-gap policy may differ',
  usage: ['script diff REHEARSAL LIVE [--json]'],
  options: [],
  positionals: { min: 2, max: 2 },
  details: [
    'Compares what the two scripts say (not their comments or layout) and prints every difference, each marked',
    'allowed or NOT ALLOWED. A rehearsal may differ in its mode, its air-gap policy and its tokens (with the',
    "token's own entropy source, hsm, that a software token lacks), and in text people read (name, step titles).",
    'Everything else must be the same, so the script rehearsed is the one run live.',
  ].join('\n'),
  exitCodes: 'Exit codes: 0 only allowed differences, 1 a difference that is not allowed, 2 usage or I/O (a file that is not a ceremony script).',
};

export const SCRIPT_PRINT_SPEC: CommandSpec = {
  name: 'script print',
  summary: 'render a ceremony script as the paper script witnesses follow (PDF)',
  usage: ['script print SCRIPT [--answers FILE] --out FILE.pdf [--json]'],
  options: [
    { name: 'answers', takesValue: true, valueName: 'FILE', help: 'answers file: print its participants and their tokens (never PINs or dice)' },
    { name: 'out', takesValue: true, valueName: 'FILE.pdf', help: 'the PDF to write (a new file: never overwritten)' },
  ],
  positionals: { min: 1, max: 1 },
  details: [
    "The script's name and mode, its SHA-256 as hex groups and words, the participants (from --answers, or lines",
    'to fill in), then every step numbered with its actor, what the room checks, and boxes for initials and the',
    "time (and the witness's initials where the step is witnessed). The same script and answers give the same bytes.",
  ].join('\n'),
  exitCodes: 'Exit codes: 0 written, 2 usage or I/O (a file that is not a script or answers file, or --out exists).',
};

export const SELFTEST_SPEC: CommandSpec = {
  name: 'selftest',
  summary: 'run the cryptographic known-answer self-tests',
  usage: ['selftest [--json]'],
  options: [],
  positionals: { min: 0, max: 0 },
  details: 'Every ceremony runs these first and refuses to start if any fails.',
};

export const BUNDLE_PACK_SPEC: CommandSpec = {
  name: 'bundle pack',
  summary: 'make the archive (one file) of a bundle folder',
  usage: ['bundle pack DIR --out FILE [--json]'],
  options: [{ name: 'out', takesValue: true, valueName: 'FILE', help: 'the archive to write, a new file (name it *.keyrite.tar)' }],
  positionals: { min: 1, max: 1 },
  details: 'Writes the deterministic archive of the bundle folder DIR (docs/FORMATS.md "Bundle archive"): the same bundle always gives the same bytes. The folder must verify (not anchored; exit 1 otherwise). FILE must not exist. The archive is read back and compared with the folder before its SHA-256 is printed as hex and words.',
};

export const BUNDLE_UNPACK_SPEC: CommandSpec = {
  name: 'bundle unpack',
  summary: 'extract a bundle archive into a new folder, safely',
  usage: ['bundle unpack FILE --out DIR [--json]'],
  options: [{ name: 'out', takesValue: true, valueName: 'DIR', help: 'a new (or empty) folder for the bundle' }],
  positionals: { min: 1, max: 1 },
  details: 'Reads the whole archive strictly first (docs/FORMATS.md "Bundle archive"): a hostile or damaged one is refused with the reason (exit 1) and nothing is written. Then writes its files into DIR (new or empty, never overwritten) and compares the folder read back with the archive. It does not verify the bundle: run keyrite verify DIR --trust FINGERPRINT (or verify the archive itself).',
};
