/**
 * The checkpoint notes (C2SP signed checkpoints, docs/FORMATS.md "Checkpoints"): numbered in
 * order, of this ceremony's log, each matching the transcript's RFC 6962 Merkle root at its
 * size and recorded in the transcript (the last, "final", covering it all); each a consistent
 * extension of the one before; each signed by every principal the transcript names for it.
 */
import { equalBytes } from '../../bytes.ts';
import { toHex } from '../../encoding/hex.ts';
import { expectList, expectObject, expectStrings } from '../../encoding/json-fields.ts';
import { ceremonyOrigin, parseCheckpointNote, verifyCheckpointSignatures, type KnownPrincipal } from '../../transcript/checkpoint.ts';
import { principalName } from '../../bundle/principals.ts';
import { verifyConsistency } from '../../transcript/merkle.ts';
import { CHECKPOINTS_DIR, parseCheckpointNotePath } from '../../bundle/layout.ts';
import { fail, type Check } from '../check-list.ts';
import { modeClause } from '../mode-words.ts';
import type { VerifyContext } from '../context.ts';

export const checkpointRoots: Check<VerifyContext> = {
  name: 'checkpoint-roots',
  needs: ['transcript-structure'],
  run(ctx) {
    const t = ctx.transcript!;
    const origin = ceremonyOrigin(ctx.facts!.ceremonyId);
    const names = [...ctx.files.keys()].filter((p) => p.startsWith(`${CHECKPOINTS_DIR}/`)).sort();
    ctx.noteNames = names;
    if (names.length === 0) fail('The bundle has no checkpoint.');
    names.forEach((p, i) => {
      if (parseCheckpointNotePath(p)?.n !== i + 1) fail(`${p} is not a checkpoint note name in sequence (NN-phase.note, numbered from 01).`);
      const note = parseCheckpointNote(ctx.file(p), p);
      if (note.checkpoint.origin !== origin) fail(`${p} is for another log (${note.checkpoint.origin}).`);
      if (note.checkpoint.size > t.size || !equalBytes(t.tree.root(note.checkpoint.size), note.checkpoint.root)) fail(`${p} does not match the transcript's Merkle root at size ${note.checkpoint.size}.`);
      ctx.notes.set(p, note);
    });
    const final = names[names.length - 1]!;
    if (parseCheckpointNotePath(final)?.phase !== 'final' || ctx.notes.get(final)!.checkpoint.size !== t.size) fail('The last checkpoint note is not a final checkpoint over the whole transcript.');
    const recorded = ctx.facts!.checkpoints;
    if (recorded.length !== names.length - 1) fail(`The transcript records ${recorded.length} checkpoints, the bundle holds ${names.length - 1} besides the final one.`);
    recorded.forEach((r, i) => {
      const p = names[i]!;
      const note = ctx.notes.get(p)!;
      if (`${CHECKPOINTS_DIR}/${r.note}` !== p || r.noteSha256 !== ctx.sha256Hex(ctx.file(p)) || r.size !== note.checkpoint.size || !equalBytes(r.root, note.checkpoint.root) || r.origin !== origin) {
        fail(`${p} is not the checkpoint the transcript recorded at seq ${r.seq}.`);
      }
      if (r.size > r.seq) fail(`The checkpoint recorded at seq ${r.seq} claims ${r.size} entries, more than existed when it was signed.`);
    });
    return `${names.length} checkpoint notes match the transcript's Merkle roots (RFC 6962) at their sizes; ${recorded.length} are recorded in the transcript and the final one covers all ${t.size} entries`;
  },
};

export const checkpointConsistency: Check<VerifyContext> = {
  name: 'checkpoint-consistency',
  needs: ['checkpoint-roots'],
  run(ctx) {
    const names = ctx.noteNames;
    const cps = names.map((p) => ctx.notes.get(p)!.checkpoint);
    for (let i = 1; i < cps.length; i++) {
      const a = cps[i - 1]!;
      const b = cps[i]!;
      if (b.size <= a.size) fail(`${names[i]} (size ${b.size}) does not extend ${names[i - 1]} (size ${a.size}).`);
      if (!verifyConsistency(a.size, b.size, a.root, b.root, ctx.transcript!.tree.consistencyProof(a.size, b.size))) fail(`${names[i]} is not a consistent extension of ${names[i - 1]}.`);
    }
    return `${cps.length} checkpoints of one log, each a consistent extension of the one before (RFC 9162 consistency proofs)`;
  },
};

/** The principals that must sign a note: those its checkpoint.sign entry names; for the final one, ceremony.end's (recovery) or all. */
function requiredSigners(ctx: VerifyContext, index: number): string[] {
  const entry = ctx.facts!.checkpoints[index];
  if (entry !== undefined) {
    const body = ctx.transcript!.entries.find((e) => e.seq === entry.seq)!.body;
    return expectList(body.signers, 'signers of a checkpoint entry').map((s) => String(expectObject(s, 'checkpoint signer').name));
  }
  if (ctx.kind === 'escrow-recovery') return expectStrings(ctx.recovery!.end.signers, 'signers in ceremony.end');
  return ctx.principals().map((k) => k.name);
}

/**
 * The keys that may sign note `index`: the ceremony's, and a master key of an abandoned attempt
 * while it lived (a checkpoint recorded before its key.abandoned; the transcript holds its keys).
 */
function knownSigners(ctx: VerifyContext, index: number): KnownPrincipal[] {
  const entry = ctx.facts!.checkpoints[index];
  const earlier = entry === undefined ? [] : ctx.facts!.abandonedMasters.filter((a) => a.abandonedAt > entry.seq);
  // A reshare's old holders sign with the identities they unlocked with until the new epoch's enrolment.
  const oldHolders = (ctx.reshare?.oldTrustees ?? []).map((t) => ({ name: principalName(t.fingerprint), publicKey: t.publicKey }));
  return [...ctx.principals(), ...oldHolders, ...earlier.map((a) => ({ name: principalName(a.master.fingerprint), publicKey: a.master.publicKey }))];
}

export const checkpointSignatures: Check<VerifyContext> = {
  name: 'checkpoint-signatures',
  needs: ['checkpoint-roots'],
  run(ctx) {
    ctx.noteNames.forEach((p, i) => {
      const known = knownSigners(ctx, i);
      const note = ctx.notes.get(p)!;
      const lines = note.signatures.map((s) => `${s.name} ${toHex(s.keyId)}`);
      if (new Set(lines).size !== lines.length) fail(`${p} carries the same key's signature more than once.`);
      const v = verifyCheckpointSignatures(note, known, ctx.mode, ctx.crypto.ed25519, ctx.crypto.mldsa65);
      if (v.failedSignatures > 0) fail(`${p}: ${v.failedSignatures} signature(s) do not verify.`);
      if (v.unknownSignatures.length > 0) fail(`${p} carries ${v.unknownSignatures.length} signature(s) from keys that are not the ceremony's.`);
      const required = requiredSigners(ctx, i);
      if (required.length === 0) fail(`${p} names no signers.`);
      const missing = required.filter((name) => !v.validPrincipals.includes(name));
      if (missing.length > 0) fail(`${p} lacks valid signatures (${modeClause(ctx.mode)}) of ${missing.length} of its ${required.length} signers.`);
    });
    return `every checkpoint is signed (${modeClause(ctx.mode)}) by each principal the transcript names for it; the final one by the master key and all ${ctx.trustees.length} trustees${ctx.kind === 'escrow-recovery' ? ' present' : ''}`;
  },
};
