/**
 * restore-to-token (escrow recovery): the recovered Ed25519 key is imported non-extractable onto
 * the NEW master token under the script's key label (an existing label is refused: never
 * overwrite), its public key and a test signature are checked, and the token's identity is
 * recorded. A key an interrupted run of this recovery restored is checked and kept, never
 * imported twice. From then on the master key signs with its classical half on the token.
 */
import { KeyriteError } from '../../errors.ts';
import { equalBytes } from '../../bytes.ts';
import { ed25519Verify } from '../../crypto/ed25519.ts';
import { pairwiseTestMessage } from '../../crypto/pairwise.ts';
import { wipe } from '../../crypto/wipe.ts';
import type { KeyRef } from '../../tokens/token.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import { confirmWitness, deviation } from './common.ts';
import type { RecoveryState } from './recovery-state.ts';

/** The token must sign a test message that verifies with the recovered public key. */
async function testSignature(run: CeremonyRun, ref: KeyRef, label: string): Promise<void> {
  const s = run.session('master');
  const pub = run.master!.publicKey.classical.publicKey;
  if (!equalBytes(await s.token.getPublicKey(ref), pub)) throw new KeyriteError('VERIFY_FAILED', `The new master token reports another public key for "${label}" than the recovered one; it must not be used.`);
  const msg = pairwiseTestMessage();
  if (!ed25519Verify(pub, msg, await s.token.sign(ref, msg))) throw new KeyriteError('VERIFY_FAILED', `A test signature by "${label}" on the new master token does not verify; it must not be used.`);
}

export async function restoreToToken(run: CeremonyRun, step: StepOf<'restore-to-token'>, st: RecoveryState): Promise<void> {
  const m = run.master;
  if (!m?.edSeed) throw new KeyriteError('CEREMONY_ERROR', 'There is no recovered key to restore; the script must combine first.');
  const s = run.session('master');
  await run.ensureLoggedIn(s, run.admin.id, step.id);
  const label = run.script.tokens.master.keyLabel;
  const found = await s.token.findObject(label);
  let ref: KeyRef;
  if (found && run.previous && equalBytes(await s.token.getPublicKey(found), m.publicKey.classical.publicKey)) {
    // Restored by an interrupted run of this recovery: the same key (it re-derives from the same S), checked and kept.
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step: step.id, label, token: tokenRecordOf(s.desc), outcome: 'holds-this-ceremony-key', ref: found });
    await testSignature(run, found, label);
    await deviation(run, step, 'skipped', `the new master token already holds the recovered key as "${label}" (restored by an earlier run of this recovery); its public key and a test signature were checked and it is kept, not imported again`);
    ref = found;
  } else {
    if (found) {
      await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step: step.id, label, token: tokenRecordOf(s.desc), outcome: 'taken' });
      throw new KeyriteError('OBJECT_EXISTS', `The new master token "${s.desc.label}" (serial ${s.desc.serial}) already holds a key labelled "keyrite:${label}"; Keyrite never overwrites a key. Use a fresh token.`);
    }
    await run.record(ENTRY.tokenLabelCheck, run.admin.id, { step: step.id, label, token: tokenRecordOf(s.desc), outcome: 'free' });
    ref = await s.token.importEd25519PrivateKey(label, m.edSeed);
    await testSignature(run, ref, label);
  }
  m.tokenRef = ref;
  wipe(m.edSeed);
  m.edSeed = undefined;
  s.desc = await s.token.describe();
  const token = tokenRecordOf(s.desc);
  await run.record(ENTRY.keyImport, run.admin.id, {
    step: step.id,
    label,
    ref,
    token,
    fingerprint: m.fingerprint,
    publicKeyMatches: true,
    testSignature: 'pass',
    protection: { sensitive: true, extractable: false, checkedBy: 'the token adapter reads CKA_SENSITIVE and CKA_EXTRACTABLE back after creation' },
    ...(s.desc.rehearsalOnly ? { rehearsalOnly: true } : {}),
  });
  st.restored = { label, token, publicKeyMatches: true, testSignature: 'pass' };
  run.progress({ kind: 'info', stepId: step.id, message: `Master key restored onto token "${s.desc.label}" (serial ${s.desc.serial}) as "${label}", non-extractable; test signature verifies.` });
  await confirmWitness(run, step, [`The master key is on the new token "${s.desc.label}" (serial ${s.desc.serial}) as "${label}", sensitive and not extractable.`]);
}

