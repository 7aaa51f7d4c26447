/**
 * revoke (revocation; docs/FORMATS.md "Revocation"): fixes the revocation time T — now: nothing
 * the key signs at or after T is trusted — and the key states the revocation publishes: the
 * revoked key first (`revoked` since T), every older key of the current bundle's key states
 * carried forward (a deprecated one whose grace has ended by T is `retired`). The chain then has
 * no active key until a rotation from the revocation bundle. Writes nothing but the `key.states`
 * entry; the witness reads the revoked fingerprint, the time and the reason aloud. The key-states
 * file is a subject of the revocation statement, which the revoked key (both halves, unlocked by
 * the quorum) and every trustee present sign at co-sign.
 */
import { KeyriteError } from '../../errors.ts';
import { fromUtf8 } from '../../bytes.ts';
import { parseJsonStrict } from '../../encoding/json.ts';
import { formatTranscriptTime } from '../../transcript/entry.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { encodeKeyStates, parseKeyStates, type KeyStates } from '../../bundle/key-states.ts';
import { principalKeyIds, readableFingerprint } from '../../bundle/principals.ts';
import type { CeremonyRun } from '../run.ts';
import { confirmWitness, sha256Hex } from './common.ts';
import { carried } from './cross-sign.ts';
import type { RevocationState } from './revocation-state.ts';

export async function revoke(run: CeremonyRun, step: StepOf<'revoke'>, st: RevocationState): Promise<void> {
  const key = run.master;
  if (!key?.edSeed || !key.mldsaSecretKey) throw new KeyriteError('CEREMONY_ERROR', 'The key is revoked once the quorum has unlocked it; the script must combine the shares first.');
  const reason = step.params.reason;
  const at = formatTranscriptTime(run.clock());
  if (at <= st.currentSince) throw new KeyriteError('CEREMONY_ERROR', `The clock says ${at}, not after the key became active (${st.currentSince}); a revocation is never dated before the key it revokes. Check the machine's clock.`);
  const previous = st.currentStates?.keys[0];
  if (previous !== undefined && previous.fingerprint !== key.fingerprint) throw new KeyriteError('VERIFY_FAILED', "The current bundle's key states do not name its own master key as the active one; it cannot be revoked.");
  const states: KeyStates = {
    format: 'keyrite/key-states/v1',
    ceremonyId: run.ceremonyId,
    issuedAt: at,
    keys: [
      { fingerprint: key.fingerprint, kids: principalKeyIds(key.publicKey), ceremonyId: st.link.ceremonyId, state: 'revoked', since: at, revokedAt: at },
      ...(st.currentStates?.keys.slice(1) ?? []).map((k) => carried(k, at)),
    ],
  };
  const bytes = encodeKeyStates(states);
  // What is recorded and signed is exactly what a reader accepts.
  parseKeyStates(bytes);
  st.keyStates = { states, bytes, at, reason };
  await run.record(ENTRY.keyStates, run.admin.id, {
    step: step.id,
    at,
    revoked: { fingerprint: key.fingerprint, revokedAt: at },
    reason,
    sha256: sha256Hex(bytes),
    document: parseJsonStrict(fromUtf8(bytes), 'key states'),
  });
  const r = readableFingerprint(key.fingerprint);
  run.progress({ kind: 'warning', stepId: step.id, message: `Key ${r.hexGroups} revoked at ${at}: nothing it signs from then on is trusted. The chain has no active key until a rotation.` });
  await confirmWitness(run, step, [
    `Revocation at ${at}. Read aloud:`,
    '  REVOKED master key:',
    `    ${r.hexGroups}`,
    `    ${r.words.join(' ')}`,
    `  Reason: ${reason}`,
    '  Nothing this key signs at or after that time is trusted; a rotation from this revocation makes the next key.',
  ]);
}
