/**
 * token-select and login: the master token (or each trustee's token) chosen in the answers
 * file is described and recorded (RFC 7512 URI, label, serial, model, manufacturer — never a
 * slot number), then logged into with the PIN from the answers' source. A live script
 * refuses tokens that are rehearsal only; the master token must be able to hold Ed25519 keys.
 */
import { KeyriteError } from '../../errors.ts';
import type { StepOf } from '../../script/script.ts';
import { tokenRecordOf, type CeremonyRun, type TokenSession } from '../run.ts';
import { ENTRY } from '../../bundle/entries.ts';

export async function recordSelection(run: CeremonyRun, s: TokenSession, step: string): Promise<void> {
  s.desc = await s.token.describe();
  if (run.script.mode === 'live' && s.desc.rehearsalOnly) {
    throw new KeyriteError('CEREMONY_ERROR', `${s.who}: token "${s.desc.label}" is rehearsal only and cannot be used in a live ceremony.`);
  }
  await run.record(ENTRY.tokenSelect, s.participantId ?? run.admin.id, {
    step,
    target: s.target,
    ...(s.participantId ? { participantId: s.participantId } : {}),
    token: tokenRecordOf(s.desc),
    library: s.desc.library,
    source: s.desc.source,
    capabilities: s.desc.capabilities,
    ...(s.created ? { created: true } : {}),
  });
  s.selectedRecorded = true;
}

function sessionsFor(run: CeremonyRun, target: 'master' | 'trustee'): TokenSession[] {
  return target === 'master' ? [run.session('master')] : run.trusteeAnswers.map((t) => run.session(t.id));
}

export async function tokenSelect(run: CeremonyRun, step: StepOf<'token-select'>): Promise<void> {
  for (const s of sessionsFor(run, step.params.token)) {
    await recordSelection(run, s, step.id);
    if (s.target === 'master' && !s.desc.capabilities.ed25519) {
      throw new KeyriteError('MECHANISM_UNSUPPORTED', `The master token "${s.desc.label}" cannot hold Ed25519 keys (it lacks CKM_EC_EDWARDS_KEY_PAIR_GEN / CKM_EDDSA); the master key is Ed25519 + ML-DSA-65.`);
    }
  }
}

export async function login(run: CeremonyRun, step: StepOf<'login'>): Promise<void> {
  for (const s of sessionsFor(run, step.params.token)) {
    if (!s.selectedRecorded) await recordSelection(run, s, step.id);
    await run.ensureLoggedIn(s, s.participantId ?? run.admin.id, step.id);
  }
}
