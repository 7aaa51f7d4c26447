/**
 * import: the master Ed25519 private key goes into the master token as a sensitive,
 * non-extractable object under the script's key-label. A label that exists is refused
 * (OBJECT_EXISTS; Keyrite never overwrites, as Boulder's ceremony tool). Then the token must
 * report the public key derived in software and sign a test message that verifies with it.
 * The software copy of the Ed25519 seed is wiped; classical master signatures now come
 * from the token.
 */
import { KeyriteError } from '../../errors.ts';
import { equalBytes } from '../../bytes.ts';
import { ed25519Verify } from '../../crypto/ed25519.ts';
import { pairwiseTestMessage } from '../../crypto/pairwise.ts';
import { wipe } from '../../crypto/wipe.ts';
import type { StepOf } from '../../script/script.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import { confirmWitness } from './common.ts';
import { ENTRY } from '../../bundle/entries.ts';

export async function importKey(run: CeremonyRun, step: StepOf<'import'>): Promise<void> {
  const m = run.master;
  if (!m || !m.edSeed) throw new KeyriteError('CEREMONY_ERROR', 'There is no master key in memory to import; the script must generate it first.');
  const s = run.session('master');
  await run.ensureLoggedIn(s, run.admin.id, step.id);
  const label = run.script.tokens.master.keyLabel;
  const ref = await s.token.importEd25519PrivateKey(label, m.edSeed);
  const onToken = await s.token.getPublicKey(ref);
  if (!equalBytes(onToken, m.publicKey.classical.publicKey)) {
    throw new KeyriteError('VERIFY_FAILED', `The master token "${s.desc.label}" reports another public key for "${label}" than the one derived from the master seed; the imported key must not be used.`);
  }
  const msg = pairwiseTestMessage();
  const sig = await s.token.sign(ref, msg);
  if (!ed25519Verify(m.publicKey.classical.publicKey, msg, sig)) {
    throw new KeyriteError('VERIFY_FAILED', `A test signature by "${label}" on the master token does not verify with the derived public key; the imported key must not be used.`);
  }
  m.tokenRef = ref;
  wipe(m.edSeed);
  m.edSeed = undefined;
  s.desc = await s.token.describe();
  await run.record(ENTRY.keyImport, run.admin.id, {
    step: step.id,
    label,
    ref,
    token: tokenRecordOf(s.desc),
    publicKeyMatches: true,
    testSignature: 'pass',
    protection: { sensitive: true, extractable: false, checkedBy: 'the token adapter reads CKA_SENSITIVE and CKA_EXTRACTABLE back after creation' },
    ...(s.desc.rehearsalOnly ? { rehearsalOnly: true } : {}),
  });
  await confirmWitness(run, step, [`The master key is on token "${s.desc.label}" (serial ${s.desc.serial}) as "${label}", sensitive and not extractable.`]);
}
