/** Shared by `keyrite ceremony run`, `recover` and `demo`: the headless environment, progress lines and the final summary. */
import { dirname, resolve } from 'node:path';
import type { CliIO, ParsedArgs } from '../command.ts';
import { KeyriteError } from '../../core/errors.ts';
import type { BundleArchive, BundleCheck, CeremonyFiles, CeremonyResult, ProgressEvent } from '../../core/ceremony/types.ts';
import { CEREMONY_ID_CHECK } from '../../core/ceremony/bundle-check.ts';
import type { RecoveryOutcome } from '../../core/ceremony/kinds/escrow-recovery.ts';
import type { SigningOutcome } from '../../core/ceremony/kinds/signing.ts';
import type { RotationOutcome } from '../../core/ceremony/kinds/rotation.ts';
import type { RevocationOutcome } from '../../core/ceremony/kinds/revocation.ts';
import type { ReshareOutcome } from '../../core/ceremony/kinds/reshare.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import type { ParsedCeremonyScript } from '../../core/script/script.ts';
import type { Answers } from '../../core/ceremony/answers.ts';
import { createNodeCeremonyEnvironment, type NodeCeremonyEnvironment } from '../../core/node/ceremony-environment.ts';

/**
 * The Node environment for a run driven by a script and an answers file. Without a terminal,
 * every witness confirmation must come from the answers file.
 */
export function headlessEnvironment(args: ParsedArgs, io: CliIO, parsed: ParsedCeremonyScript, answers: Answers, answersPath: string, outDir: string): NodeCeremonyEnvironment {
  const interactive = process.stdin.isTTY === true;
  if (!interactive) {
    const missing = parsed.script.steps.filter((s) => s.witness && !answers.confirm.includes(s.id)).map((s) => s.id);
    if (missing.length > 0) throw new KeyriteError('USAGE', `Without a terminal, every witness confirmation must be in the answers file; "confirm" lacks: ${missing.join(', ')}.`);
  }
  const modulePath = args.value('module');
  return createNodeCeremonyEnvironment({
    outDir,
    answersDir: answersFolder(answersPath, answers),
    ...(modulePath !== undefined ? { modulePath: resolve(io.cwd, modulePath) } : {}),
    env: io.env,
    interactive,
    confirmations: answers.confirm,
    progress: progressPrinter(io, args.flag('json')),
  });
}

/** The folder an answers file's paths are relative to: its own, or the one its `base` climbs to. */
export function answersFolder(answersPath: string, answers: Answers): string {
  return resolve(dirname(answersPath), answers.base ?? '.');
}

/** Progress as lines: on stdout normally, on stderr with --json (stdout then holds one JSON document). */
export function progressPrinter(io: CliIO, json: boolean): (e: ProgressEvent) => void {
  const out = (t: string) => (json ? io.stderr(t) : io.stdout(t));
  return (e) => {
    if (e.kind === 'step.start') {
      const n = e.index !== undefined && e.total !== undefined ? `[${String(e.index).padStart(2, ' ')}/${e.total}] ` : '';
      out(`${n}${e.stepId} (${e.action}): ${e.message}\n`);
    } else if (e.kind === 'step.done') {
      out(`        done: ${e.stepId}\n`);
    } else if (e.kind === 'warning') {
      out(`        warning: ${e.message}\n`);
    } else {
      out(`        ${e.message}\n`);
    }
  };
}

export interface ResultPaths {
  bundle: string;
  archive: string;
  journal: string;
  trusteeFiles: (id: string) => string[];
}

export function resultJson(r: CeremonyResult, p: ResultPaths): Record<string, unknown> {
  return {
    ok: true,
    ceremonyId: r.ceremonyId,
    run: r.run,
    resumed: r.resumed,
    master: r.master,
    bundle: p.bundle,
    archive: { path: p.archive, sha256: r.archive.sha256 },
    journal: p.journal,
    transcriptEntries: r.transcriptEntries,
    trustees: r.trustees.map((t) => ({ id: t.id, name: t.name, fingerprint: t.fingerprint, files: p.trusteeFiles(t.id) })),
    checks: r.checks,
  };
}

export function resultText(r: CeremonyResult, p: ResultPaths): string {
  const lines = [
    '',
    `Ceremony ${r.ceremonyId} complete${r.resumed ? ` (resumed: run ${r.run})` : ''}.`,
    '',
    `MASTER KEY "${r.master.keyLabel}" on ${r.master.tokenUri}`,
    'Fingerprint (read it aloud; the bundle is verified against it):',
    `  ${r.master.hexGroups}`,
    `  ${r.master.words.join(' ')}`,
    '',
    `Public bundle: ${p.bundle}`,
    `  verified from disk: ${verifiedLine(r.checks)}`,
    ...archiveLines(p.archive, r.archive),
    `Transcript (journal): ${p.journal} (${r.transcriptEntries} entries)`,
    '',
    "Trustees' own files (each trustee takes their folder; none of these is in the bundle):",
    ...r.trustees.flatMap((t) => [`  ${t.id} (${t.name})  ${t.fingerprint.slice(0, 16)}…`, ...p.trusteeFiles(t.id).map((f) => `      ${f}`)]),
    '',
  ];
  return lines.join('\n');
}

/** Which combined shares were typed from paper words, said next to the list of shares. */
function paperClause(paper: readonly string[]): string {
  return paper.length === 0 ? '' : ` (${paper.join(', ')} typed from paper words without a token, attested by the witness; signed nothing)`;
}

/** The outcome of a recovery as `keyrite recover --json` prints it: the outcome, file references as paths. */
export function recoveryJson(r: RecoveryOutcome, files: CeremonyFiles): Record<string, unknown> {
  return { ...r, journal: files.display(r.journal), bundle: files.display(r.bundle), archive: { path: files.display(r.archive.ref), sha256: r.archive.sha256 } };
}

/** The outcome of a recovery as `keyrite recover` prints it. */
export function recoveryText(r: RecoveryOutcome, files: CeremonyFiles): string {
  const fp = readableFingerprint(r.recoveredFingerprint);
  return [
    `Master key recovered and verified (original ceremony ${r.original.ceremonyId})${r.resumed ? `; resumed: run ${r.run}` : ''}.`,
    `Bundle: ${r.bundleChecks.length} checks passed; ${r.anchored ? 'anchored by the fingerprint read aloud (bundle.trust)' : 'NOT anchored: no trusted fingerprint was given'}.`,
    `Shares combined: ${r.used.join(', ')}${paperClause(r.paper)}${r.rejected.length ? `; refused: ${r.rejected.map((x) => `${x.label}: ${x.reason}`).join('; ')}` : ''}.`,
    `Recovered master fingerprint (equals the published one):`,
    `  ${fp.hexGroups}`,
    `  ${fp.words.join(' ')}`,
    `Restored onto token "${r.restored.token.label}" (serial ${r.restored.token.serial}) as "${r.restored.label}", non-extractable; test signature verifies.`,
    `Recovery transcript: ${files.display(r.journal)}; co-signed checkpoints: ${r.checkpoints.join(', ')}`,
    `Recovery bundle: ${files.display(r.bundle)}`,
    `  verified from disk: ${verifiedLine(r.exportChecks)}`,
    ...archiveLines(files.display(r.archive.ref), r.archive),
    '',
  ].join('\n');
}

/** The outcome of a signing ceremony as `keyrite ceremony run --json` prints it. */
export function signingJson(r: SigningOutcome, files: CeremonyFiles): Record<string, unknown> {
  return { ...r, kind: 'signing', journal: files.display(r.journal), bundle: files.display(r.bundle), archive: { path: files.display(r.archive.ref), sha256: r.archive.sha256 }, signed: r.documents.map((d) => ({ ...d, path: files.display({ root: 'out', path: `signed/${d.name}` }), envelope: files.display({ root: 'out', path: `signed/${d.name}.dsse.json` }) })) };
}

/** The outcome of a signing ceremony as `keyrite ceremony run` prints it, with the relying party's command for each document. */
export function signingText(r: SigningOutcome, files: CeremonyFiles): string {
  const fp = readableFingerprint(r.original.masterFingerprint);
  const req = readableFingerprint(r.request.sha256);
  return [
    '',
    `Signing ceremony ${r.ceremonyId} complete${r.resumed ? ` (resumed: run ${r.run})` : ''}: the master key of ceremony ${r.original.ceremonyId} signed the request "${r.request.title}".`,
    `Root bundle: ${r.bundleChecks.length} checks passed; ${r.anchored ? 'anchored by the fingerprint read aloud (bundle.trust)' : 'NOT anchored: no trusted fingerprint was given'}.`,
    `Request SHA-256 ${req.hexGroups} (${r.request.keys} key${r.request.keys === 1 ? '' : 's'}, ${r.request.artifacts} artifact${r.request.artifacts === 1 ? '' : 's'}), confirmed by every trustee present and the witness.`,
    `Unlocked by the shares of: ${r.used.join(', ')}${paperClause(r.paper)}${r.rejected.length ? `; refused: ${r.rejected.map((x) => `${x.label}: ${x.reason}`).join('; ')}` : ''}.`,
    'Master fingerprint:',
    `  ${fp.hexGroups}`,
    `  ${fp.words.join(' ')}`,
    '',
    'Signed documents (each next to its envelope; both signatures verified):',
    ...r.documents.map((d) => `  ${files.display({ root: 'out', path: `signed/${d.name}` })}  SHA-256 ${d.sha256}`),
    '',
    `Signing transcript: ${files.display(r.journal)}; co-signed checkpoints: ${r.checkpoints.join(', ')}`,
    `Signing bundle: ${files.display(r.bundle)}`,
    `  verified from disk: ${verifiedLine(r.exportChecks)}`,
    ...archiveLines(files.display(r.archive.ref), r.archive),
    '',
    'A relying party checks one document offline:',
    ...r.documents.map((d) => {
      const doc = files.display({ root: 'out', path: `signed/${d.name}` });
      return `  keyrite check-signature ${doc} --signature ${doc}.dsse.json --trust ${r.original.masterFingerprint}`;
    }),
    '',
  ].join('\n');
}

/** The outcome of a rotation as `keyrite ceremony run --json` prints it. */
export function rotationJson(r: RotationOutcome, files: CeremonyFiles): Record<string, unknown> {
  return {
    ...r,
    kind: 'rotation',
    trustees: r.trustees.map((t) => ({ ...t, files: t.files.map((f) => files.display({ root: 'answers', path: f })) })),
    journal: files.display(r.journal),
    bundle: files.display(r.bundle),
    archive: { path: files.display(r.archive.ref), sha256: r.archive.sha256 },
  };
}

/** The outcome of a rotation as `keyrite ceremony run` prints it, with the chain's verify command. */
export function rotationText(r: RotationOutcome, files: CeremonyFiles): string {
  return [
    '',
    `Rotation ${r.ceremonyId} complete: the master key of ceremony ${r.original.ceremonyId} is replaced.`,
    `Current bundle: ${r.bundleChecks.length} checks passed; ${r.anchored ? 'anchored by the fingerprint read aloud (bundle.trust)' : 'NOT anchored: no trusted fingerprint was given'}.`,
    `Old key unlocked by the shares of: ${r.used.join(', ')}${r.rejected.length ? `; refused: ${r.rejected.map((x) => `${x.label}: ${x.reason}`).join('; ')}` : ''}.`,
    `OLD master fingerprint (deprecated, verify-only until ${r.previous.until}):`,
    `  ${r.previous.hexGroups}`,
    `  ${r.previous.words.join(' ')}`,
    `NEW master fingerprint (active since ${r.rotatedAt}; read it aloud):`,
    `  ${r.master.hexGroups}`,
    `  ${r.master.words.join(' ')}`,
    `New key "${r.master.keyLabel}" on ${r.master.tokenUri}`,
    '',
    'New share files, each in its trustee\'s own folder:',
    ...r.trustees.map((t) => `  ${t.name} (${t.id}): ${t.files.map((f) => files.display({ root: 'answers', path: f })).join(', ')}`),
    '',
    `Rotation transcript: ${files.display(r.journal)}; co-signed checkpoints: ${r.checkpoints.join(', ')}`,
    `Rotation bundle: ${files.display(r.bundle)}`,
    `  verified from disk: ${verifiedLine(r.exportChecks)}`,
    ...archiveLines(files.display(r.archive.ref), r.archive),
    '',
    'Verify the chain from the root fingerprint (the root bundle first, then each rotation in order):',
    `  keyrite verify <root bundle> [<earlier rotation bundles>] ${files.display(r.bundle)} --trust <ROOT fingerprint>`,
    '',
  ].join('\n');
}

/** The outcome of a revocation as `keyrite ceremony run --json` prints it. */
export function revocationJson(r: RevocationOutcome, files: CeremonyFiles): Record<string, unknown> {
  return { ...r, kind: 'revocation', journal: files.display(r.journal), bundle: files.display(r.bundle), archive: { path: files.display(r.archive.ref), sha256: r.archive.sha256 } };
}

/** The outcome of a revocation as `keyrite ceremony run` prints it, with the chain's verify command and what comes next. */
export function revocationText(r: RevocationOutcome, files: CeremonyFiles): string {
  return [
    '',
    `Revocation ${r.ceremonyId} complete: the master key of ceremony ${r.original.ceremonyId} is REVOKED.`,
    `Current bundle: ${r.bundleChecks.length} checks passed; ${r.anchored ? 'anchored by the fingerprint read aloud (bundle.trust)' : 'NOT anchored: no trusted fingerprint was given'}.`,
    `Key unlocked by the shares of: ${r.used.join(', ')}${r.paper.length ? ` (from paper words: ${r.paper.join(', ')})` : ''}${r.rejected.length ? `; refused: ${r.rejected.map((x) => `${x.label}: ${x.reason}`).join('; ')}` : ''}.`,
    `REVOKED master fingerprint (nothing it signs at or after ${r.revoked.revokedAt} is trusted):`,
    `  ${r.revoked.hexGroups}`,
    `  ${r.revoked.words.join(' ')}`,
    `Reason: ${r.revoked.reason}`,
    '',
    `Revocation transcript: ${files.display(r.journal)}; co-signed checkpoints: ${r.checkpoints.join(', ')}`,
    `Revocation bundle: ${files.display(r.bundle)}`,
    `  verified from disk: ${verifiedLine(r.exportChecks)}`,
    ...archiveLines(files.display(r.archive.ref), r.archive),
    '',
    'Publish this bundle now. The chain has NO active key until a rotation from this revocation bundle.',
    'Verify the chain from the root fingerprint (the root bundle first, then each rotation, then this bundle):',
    `  keyrite verify <root bundle> [<rotation bundles>] ${files.display(r.bundle)} --trust <ROOT fingerprint>`,
    '',
  ].join('\n');
}

/** The outcome of a reshare as `keyrite ceremony run --json` prints it (the new holders' files are in the run folder). */
export function reshareJson(r: ReshareOutcome, files: CeremonyFiles): Record<string, unknown> {
  return {
    ...r,
    kind: 'reshare',
    trustees: r.trustees.map((t) => ({ ...t, files: t.files.map((f) => files.display({ root: 'out', path: f })) })),
    journal: files.display(r.journal),
    bundle: files.display(r.bundle),
    archive: { path: files.display(r.archive.ref), sha256: r.archive.sha256 },
  };
}

/** The outcome of a reshare as `keyrite ceremony run` prints it: the epochs, who could not attest destruction, the chain's verify command. */
export function reshareText(r: ReshareOutcome, files: CeremonyFiles): string {
  const missed = r.oldHolders.filter((h) => h.token !== 'destroyed' || h.paper !== 'destroyed');
  return [
    '',
    `Reshare ${r.ceremonyId} complete: the escrow of the master key of ceremony ${r.original.ceremonyId} is now epoch ${r.epoch} (${r.quorum.t}-of-${r.quorum.n}); epoch ${r.previousEpoch} is superseded.`,
    `Current bundle: ${r.bundleChecks.length} checks passed; ${r.anchored ? 'anchored by the fingerprint read aloud (bundle.trust)' : 'NOT anchored: no trusted fingerprint was given'}.`,
    `Key unlocked by the shares of: ${r.used.join(', ')}${r.rejected.length ? `; refused: ${r.rejected.map((x) => `${x.label}: ${x.reason}`).join('; ')}` : ''}.`,
    'Master fingerprint (UNCHANGED by a reshare):',
    `  ${r.master.hexGroups}`,
    `  ${r.master.words.join(' ')}`,
    '',
    'Old holders:',
    ...r.oldHolders.map((h) => `  ${h.trusteeId}: old keys ${h.token === 'destroyed' ? 'destroyed on their token' : 'NOT destroyed'}; old paper ${h.paper === 'destroyed' ? 'destroyed before the witness' : 'NOT destroyed'}`),
    ...(missed.length > 0 ? [`COULD NOT ATTEST DESTRUCTION: ${missed.map((h) => `${h.trusteeId} (${h.reason ?? 'paper not destroyed here'})`).join('; ')}.`, '  Their old share, with enough other old shares, could still open the old escrow; rotate the key if that matters.'] : []),
    '',
    'New holders, each with a new identity and share in their own folder:',
    ...r.trustees.map((t) => `  ${t.name} (${t.id}): ${t.files.map((f) => files.display({ root: 'out', path: f })).join(', ')}`),
    '',
    `Reshare transcript: ${files.display(r.journal)}; co-signed checkpoints: ${r.checkpoints.join(', ')}`,
    `Reshare bundle: ${files.display(r.bundle)}`,
    `  verified from disk: ${verifiedLine(r.exportChecks)}`,
    ...archiveLines(files.display(r.archive.ref), r.archive),
    '',
    'Verify the chain from the root fingerprint (the root bundle first, then each later bundle in order):',
    `  keyrite verify <root bundle> [<earlier bundles>] ${files.display(r.bundle)} --trust <ROOT fingerprint>`,
    '',
  ].join('\n');
}

/** The bundle's archive: where it is, and its SHA-256 as hex groups and words to read aloud and publish beside it. */
export function archiveLines(path: string, archive: BundleArchive): string[] {
  const r = readableFingerprint(archive.sha256);
  return [`The same bundle as one file: ${path}`, '  verified from disk like the folder; its SHA-256 (publish it beside the file):', `  ${r.hexGroups}`, `  ${r.words.join(' ')}`];
}

/**
 * The export's own check in the verifier's count: the checks `keyrite verify --trust FP`
 * runs (and counts) on the bundle, then the writer's extra one (the bundle is of this ceremony).
 */
export function verifiedLine(checks: readonly BundleCheck[]): string {
  const verifier = checks.filter((c) => c.name !== CEREMONY_ID_CHECK);
  const own = checks.find((c) => c.name === CEREMONY_ID_CHECK);
  return `${verifier.filter((c) => c.ok).length}/${verifier.length} checks passed, the same as \`keyrite verify --trust\` (${verifier.map((c) => c.name).join(', ')})${own ? `; ${own.ok ? 'and it is the bundle of this ceremony' : 'but it is NOT the bundle of this ceremony'}` : ''}`;
}
