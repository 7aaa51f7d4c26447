/**
 * The values the share-check channels of core/ipc/contract.ts carry: a trustee checks their own
 * share on the "My share" screen (core/ceremony/share-check.ts, run in the main process). The
 * PIN and the paper words go renderer → main only, in the form, and never come back.
 */

export interface ShareCheckForm {
  /** The trustee's id in the bundle's escrow manifest. */
  trusteeId: string;
  /** The keyring file, relative to the folder holding the bundle. */
  keyring: string;
  /** The envelope file (relative to the folder holding the bundle), or the text a QR scanner typed from the printed card. */
  envelope: { file: string } | { card: string };
  /** A token id from tokens:list, or the path of a rehearsal token file (…/x.keyrite-token) relative to the folder holding the bundle. */
  token: string;
  pin: string;
  /** The paper-backup words to check against the share; empty: not checked. */
  paperWords: string;
  /** The master fingerprint from the paper record (64 hex digits or 16 words); empty: not anchored. */
  trust: string;
}

export interface ShareCheckView {
  ok: boolean;
  anchored: boolean;
  trusteeId: string | null;
  name: string | null;
  /** The share's index. */
  x: number | null;
  /** In order; the last one failed when ok is false. */
  checks: { name: string; ok: boolean; detail: string }[];
}
