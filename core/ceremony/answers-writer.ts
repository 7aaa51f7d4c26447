/**
 * Writes an answers file (docs/CEREMONY-SCRIPTS.md "Answers file"; answers.ts reads it) from
 * its parts, through the `yaml` library's Document API, so every value is quoted as YAML needs
 * and nothing a person typed (a name, a path) can change the file's structure. The demo, the
 * app's ceremony and recovery screens and the tests all write answers here; parseAnswers then
 * checks them against the script like any other answers file. Token choices, PIN sources and
 * dice are written in flow style ("token: { software: … }"), as people write them by hand.
 */
import { Document, Scalar, isMap, isSeq, type Node } from 'yaml';
import type { CeremonyRole } from '../script/script.ts';

export type TokenEntry = { readonly software: string } | { readonly uri: string };
export type PinEntry = { readonly env: string } | { readonly prompt: true };

export interface ParticipantEntry {
  readonly id: string;
  readonly name: string;
  readonly role: CeremonyRole;
  /** Trustees: their own token, where its PIN comes from, and the files the script uses. */
  readonly token?: TokenEntry;
  readonly pin?: PinEntry;
  readonly output?: string;
  readonly keyring?: string;
  readonly envelope?: string;
  readonly envelopeCard?: string;
  /** Die rolls, "3 6 1 …" (secret: never write a file holding them). */
  readonly dice?: string;
  /** A trustee without a token: where their paper-backup words come from (never the words). */
  readonly paperWords?: PinEntry;
}

export interface AnswersDocument {
  /** Lines of a comment at the top of the file. */
  readonly comment?: readonly string[];
  readonly scriptSha256?: string;
  /** Rehearsal only. */
  readonly ceremonyId?: string;
  /** Rehearsal only. */
  readonly clock?: string;
  /** ".." steps: the folder every path is relative to, from the file's folder (answers.ts Answers.base). */
  readonly base?: string;
  readonly participants: readonly ParticipantEntry[];
  /** Absent in a revocation's answers: it never opens the master token. */
  readonly master?: { readonly token?: TokenEntry; readonly pin: PinEntry };
  readonly bundle?: { readonly path: string; readonly trust?: string };
  readonly request?: { readonly path: string; readonly sha256?: string };
  readonly confirm?: readonly string[];
}

function flow(node: unknown): void {
  if (isMap(node) || isSeq(node)) node.flow = true;
}

function participant(p: ParticipantEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { id: p.id, name: p.name, role: p.role };
  if (p.token) out.token = p.token;
  if (p.pin) out.pin = p.pin;
  if (p.output !== undefined) out.output = p.output;
  if (p.keyring !== undefined) out.keyring = p.keyring;
  if (p.envelope !== undefined) out.envelope = p.envelope;
  if (p.envelopeCard !== undefined) out['envelope-card'] = p.envelopeCard;
  if (p.paperWords) out['paper-words'] = p.paperWords;
  if (p.dice !== undefined) out.entropy = { dice: Object.assign(new Scalar(p.dice), { type: Scalar.QUOTE_DOUBLE }) };
  return out;
}

/** The answers file's text. */
export function encodeAnswers(a: AnswersDocument): string {
  const top: Record<string, unknown> = { 'keyrite-answers': 1 };
  if (a.scriptSha256 !== undefined) top['script-sha256'] = a.scriptSha256;
  if (a.ceremonyId !== undefined) top['ceremony-id'] = a.ceremonyId;
  if (a.clock !== undefined) top.clock = a.clock;
  if (a.base !== undefined) top.base = a.base;
  top.participants = a.participants.map(participant);
  if (a.master) top.master = { ...(a.master.token ? { token: a.master.token } : {}), pin: a.master.pin };
  if (a.bundle) top.bundle = { path: a.bundle.path, ...(a.bundle.trust !== undefined ? { trust: a.bundle.trust } : {}) };
  if (a.request) top.request = { path: a.request.path, ...(a.request.sha256 !== undefined ? { sha256: a.request.sha256 } : {}) };
  if (a.confirm !== undefined) top.confirm = [...a.confirm];
  const doc = new Document(top, { aliasDuplicateObjects: false });
  a.participants.forEach((_, i) => {
    for (const key of ['token', 'pin', 'entropy', 'paper-words']) flow(doc.getIn(['participants', i, key], true));
  });
  if (a.master) {
    flow(doc.getIn(['master', 'token'], true));
    flow(doc.getIn(['master', 'pin'], true));
  }
  flow(doc.get('confirm', true) as Node | undefined);
  if (a.comment && a.comment.length > 0) doc.commentBefore = a.comment.map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}
