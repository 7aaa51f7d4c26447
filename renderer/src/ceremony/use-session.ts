/** A screen's session view (ceremony or recovery): its first state, its change events, and `send` for requests. */
import { useEffect, useState } from 'react';
import type { CeremonyView, IpcResult, RecoveryView, RotationView, SigningView } from '../../../core/ipc/contract.ts';
import { UNREACHABLE } from '../ui.tsx';
import type { Send } from './send.ts';

interface Views {
  ceremony: CeremonyView;
  recovery: RecoveryView;
  signing: SigningView;
  rotation: RotationView;
}

export function useSessionView<N extends keyof Views>(ns: N): { view: Views[N] | null; problem: string | null; send: Send } {
  const api = window.keyrite!;
  const [view, setView] = useState<Views[N] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void api[ns].state().then((r) => (r.ok ? setView(r.value as Views[N]) : setProblem(r.message)));
    const listen = (v: Views[N]) => setView(v);
    if (ns === 'signing') return api.on('signing:changed', listen as (v: SigningView) => void);
    if (ns === 'rotation') return api.on('rotation:changed', listen as (v: RotationView) => void);
    return ns === 'ceremony' ? api.on('ceremony:changed', listen as (v: CeremonyView) => void) : api.on('recovery:changed', listen as (v: RecoveryView) => void);
  }, []);

  const send: Send = async (call) => {
    let r: IpcResult<unknown>;
    try {
      r = await call();
    } catch {
      r = { ok: false, code: 'INTERNAL', message: UNREACHABLE };
    }
    if (!r.ok) {
      setProblem(r.message);
      return false;
    }
    setProblem(null);
    if (typeof r.value === 'object' && r.value !== null && 'phase' in r.value) setView(r.value as Views[N]);
    return true;
  };
  return { view, problem, send };
}
