/**
 * cross-sign (rotation; docs/FORMATS.md "Key states"): fixes the rotation time T and the key
 * states the rotation publishes — the new key `active` since T, the old key `deprecated` until
 * T + grace-days, every older key of the current bundle's key states carried forward (a
 * deprecated one whose grace has ended by T is `retired` since its grace end) — writes nothing
 * but the `key.states` entry, and has the witness read the new fingerprint beside the old one.
 * The key-states file becomes a subject of the rotation statement, which the old key, the new
 * key and every trustee sign at co-sign.
 */
import { KeyriteError } from '../../errors.ts';
import { fromUtf8 } from '../../bytes.ts';
import { parseJsonStrict } from '../../encoding/json.ts';
import { formatTranscriptTime } from '../../transcript/entry.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { encodeKeyStates, parseKeyStates, stateAt, type KeyStates, type StatedKey } from '../../bundle/key-states.ts';
import { principalKeyIds, readableFingerprint } from '../../bundle/principals.ts';
import type { CeremonyRun } from '../run.ts';
import { confirmWitness, sha256Hex } from './common.ts';
import type { RotationState } from './rotation-state.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** An older key as the new states carry it: unchanged, or retired once its grace ended by `at` (a revocation carries the same way). */
export function carried(k: StatedKey, at: string): StatedKey {
  if (stateAt(k, at) !== 'retired' || k.state === 'retired') return k;
  return { fingerprint: k.fingerprint, kids: k.kids, ceremonyId: k.ceremonyId, state: 'retired', since: k.until! };
}

export async function crossSign(run: CeremonyRun, step: StepOf<'cross-sign'>, st: RotationState): Promise<void> {
  const next = run.master;
  const old = st.old;
  if (!next?.tokenRef || !old) throw new KeyriteError('CEREMONY_ERROR', 'The key states are published once the old key is unlocked and the new key is on its token; the script must combine, generate and import first.');
  const graceDays = step.params.graceDays;
  const now = run.clock();
  const at = formatTranscriptTime(now);
  if (at <= st.currentSince) throw new KeyriteError('CEREMONY_ERROR', `The clock says ${at}, not after the current key became active (${st.currentSince}); a rotation is never dated before the key it replaces. Check the machine's clock.`);
  const until = formatTranscriptTime(new Date(now.getTime() + graceDays * DAY_MS));
  const previous = st.currentStates?.keys[0];
  const states: KeyStates = {
    format: 'keyrite/key-states/v1',
    ceremonyId: run.ceremonyId,
    issuedAt: at,
    keys: [
      { fingerprint: next.fingerprint, kids: principalKeyIds(next.publicKey), ceremonyId: run.ceremonyId, state: 'active', since: at },
      { fingerprint: old.fingerprint, kids: principalKeyIds(old.publicKey), ceremonyId: st.link.ceremonyId, state: 'deprecated', since: at, until },
      ...(st.currentStates?.keys.slice(1) ?? []).map((k) => carried(k, at)),
    ],
  };
  if (previous !== undefined && previous.fingerprint !== old.fingerprint) throw new KeyriteError('VERIFY_FAILED', "The current bundle's key states do not name its own master key as the active one; it cannot be rotated.");
  const bytes = encodeKeyStates(states);
  // What is recorded and signed is exactly what a reader accepts.
  parseKeyStates(bytes);
  st.keyStates = { states, bytes, at, until, graceDays };
  await run.record(ENTRY.keyStates, run.admin.id, {
    step: step.id,
    at,
    graceDays,
    previous: { fingerprint: old.fingerprint, until },
    next: { fingerprint: next.fingerprint },
    sha256: sha256Hex(bytes),
    document: parseJsonStrict(fromUtf8(bytes), 'key states'),
  });
  const o = readableFingerprint(old.fingerprint);
  const n = readableFingerprint(next.fingerprint);
  run.progress({ kind: 'info', stepId: step.id, message: `Key states fixed at ${at}: new key ${n.hexGroups} active; old key ${o.hexGroups} deprecated until ${until}.`, keyStates: { at, until, previous: old.fingerprint, next: next.fingerprint } });
  await confirmWitness(run, step, [
    `Rotation at ${at}. Read both fingerprints aloud:`,
    `  OLD master key (deprecated, verify-only until ${until}):`,
    `    ${o.hexGroups}`,
    `    ${o.words.join(' ')}`,
    '  NEW master key (active):',
    `    ${n.hexGroups}`,
    `    ${n.words.join(' ')}`,
  ]);
}
