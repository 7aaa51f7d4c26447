/**
 * Escrow epochs (docs/FORMATS.md "Reshare"): a reshare splits the same master key's escrow anew,
 * one epoch after the one it supersedes, and records the superseded epochs in its transcript
 * (escrow.superseded: the one it replaced, and those the bundle it builds on had recorded). A
 * quorum unlock building on that bundle refuses an envelope of a superseded epoch by name,
 * before it is opened: only the current epoch unlocks the key.
 */
import { expectList, expectObject, readInt, readString, type JsonObject } from '../encoding/json-fields.ts';

export interface SupersededEpoch {
  /** The escrow's ceremony id (the one its envelopes' headers name). */
  readonly ceremonyId: string;
  readonly epoch: number;
  /** The reshare that superseded it, and when (its escrow.superseded entry's time). */
  readonly supersededBy: string;
  readonly supersededAt: string;
}

const WHAT = 'superseded epoch of an escrow.superseded entry';

function readEpoch(v: unknown): SupersededEpoch {
  const o = expectObject(v, WHAT);
  return { ceremonyId: readString(o, 'ceremonyId', WHAT), epoch: readInt(o, 'epoch', WHAT, 0, Number.MAX_SAFE_INTEGER), supersededBy: readString(o, 'supersededBy', WHAT), supersededAt: readString(o, 'supersededAt', WHAT) };
}

/** The entries of a transcript as this module reads them. */
interface EntryLike {
  readonly type: string;
  readonly time: string;
  readonly body: JsonObject;
}

/**
 * Every epoch a transcript records as superseded, newest first: its escrow.superseded entry's own
 * epoch (superseded by this transcript's ceremony) and the earlier ones it carried forward. None
 * for a transcript that superseded nothing (root-keygen, rotation: their escrow is epoch 0).
 */
export function supersededEpochs(entries: readonly EntryLike[], ceremonyId: string): SupersededEpoch[] {
  const e = entries.find((x) => x.type === 'escrow.superseded');
  if (e === undefined) return [];
  const b = e.body;
  const current: SupersededEpoch = { ceremonyId: readString(b, 'ceremonyId', 'escrow.superseded entry'), epoch: readInt(b, 'epoch', 'escrow.superseded entry', 0, Number.MAX_SAFE_INTEGER), supersededBy: ceremonyId, supersededAt: e.time };
  return [current, ...expectList(b.earlier, 'earlier epochs of the escrow.superseded entry').map(readEpoch)];
}

/** As escrow.superseded's `earlier` records them. */
export function epochRecord(e: SupersededEpoch): Record<string, unknown> {
  return { ceremonyId: e.ceremonyId, epoch: e.epoch, supersededBy: e.supersededBy, supersededAt: e.supersededAt };
}

/**
 * Why an envelope whose header names (ceremonyId, epoch) cannot unlock the escrow `current`: it is
 * of a superseded epoch. Undefined when it is not (the envelope's other checks then speak).
 */
export function supersededEnvelopeReason(header: { readonly ceremonyId: string; readonly epoch: number }, current: { readonly ceremonyId: string; readonly epoch: number }, superseded: readonly SupersededEpoch[]): string | undefined {
  if (header.ceremonyId === current.ceremonyId && header.epoch === current.epoch) return undefined;
  const old = superseded.find((s) => s.ceremonyId === header.ceremonyId && s.epoch === header.epoch);
  if (old === undefined) return undefined;
  return `this envelope is from epoch ${old.epoch}, superseded by the reshare of ${old.supersededAt.slice(0, 10)} (ceremony ${old.supersededBy.slice(0, 8)}…); the current epoch is ${current.epoch}. Bring your envelope of epoch ${current.epoch} (from the folder the reshare gave you), and destroy this one`;
}
