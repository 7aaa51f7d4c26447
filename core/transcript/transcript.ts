/**
 * The ceremony transcript as an append-only journal (DESIGN.md "Transcript";
 * docs/FORMATS.md "Transcript"): `transcript.jsonl`, one RFC 8785 canonical entry per line
 * (entry.ts), hash-chained through `prev` and summarised by the RFC 6962 Merkle root over
 * the same leaf hashes (merkle.ts), with C2SP tlog-checkpoints at phase boundaries
 * (checkpoint.ts).
 *
 *  - TranscriptWriter appends through an injected durable sink (core/node/append-only-file.ts
 *    in the app, memory in tests). An entry exists once the sink has fsynced it; the writer
 *    updates its state only then, serialises concurrent appends, and stops after a failed
 *    write (the file must then be recovered and the writer resumed).
 *  - checkTranscript is the verifier's reader: the whole file, strictly, line by line, keeping
 *    only the entries asked for; readTranscript keeps them all.
 *  - recoverTranscript is the crash reader: the longest valid prefix, dropping only a torn
 *    final line (no final LF, or a final line that is not even JSON). Anything wrong before
 *    the final line is tampering, not a crash, and is refused with the line named.
 *
 * The hash chain makes a change to any entry but the last detectable by the file alone; the
 * last entry (and the order of all) is covered by the Merkle root that checkpoints and the
 * signed statement commit to.
 */
import { KeyriteError } from '../errors.ts';
import { toHex } from '../encoding/hex.ts';
import {
  GENESIS_PREV,
  TranscriptError,
  encodeEntryLine,
  formatTranscriptTime,
  isTranscriptTime,
  makeEntry,
  parseEntryLine,
} from './entry.ts';
import type { EntryBody, TranscriptEntry } from './entry.ts';
import { MerkleTree, leafHash, type Sha256 } from './merkle.ts';
import { assertConsistentCheckpoint } from './checkpoint.ts';
import type { Checkpoint } from './checkpoint.ts';

const LF = 0x0a;

/** Where entries go. append must resolve only once the bytes are durable (written and fsynced). */
export interface TranscriptSink {
  append(bytes: Uint8Array): Promise<void>;
}

export interface TranscriptWriterOptions {
  /** The time source; default `() => new Date()`. Inject a fixed clock for golden fixtures. */
  clock?: () => Date;
}

export interface TranscriptResumeOptions extends TranscriptWriterOptions {
  /**
   * The last checkpoint this log issued before (when resuming). The writer refuses to issue a
   * checkpoint inconsistent with it, and refuses to resume if the entries do not reproduce it.
   */
  lastCheckpoint?: Checkpoint;
}

/** A transcript checked line by line (checkTranscript): every entry checked, the entries asked for kept. */
export interface CheckedTranscript {
  /** The entries kept, in order (all of them unless a `keep` filter was given); each carries its seq. */
  readonly entries: readonly TranscriptEntry[];
  /** MTH of all entries. */
  readonly root: Uint8Array;
  readonly size: number;
  /** The Merkle tree of all entries, for roots at earlier sizes, proofs and leaf hashes. */
  readonly tree: MerkleTree;
}

export interface TranscriptContents extends CheckedTranscript {
  /** RFC 6962 leaf hash of each entry (entry i+1's prev is leafHashes[i] in hex). */
  readonly leafHashes: readonly Uint8Array[];
}

export interface RecoveredTranscript extends TranscriptContents {
  /** Bytes of the valid prefix (a multiple of whole lines): what repairTornTail keeps. */
  readonly validLength: number;
  /** Bytes of the torn final line that were dropped (0 if none). */
  readonly droppedBytes: number;
  /** Why the final line was dropped, if it was. */
  readonly dropped: 'none' | 'no-final-newline' | 'unparsable-final-line';
}

function describe(lineNo: number): string {
  return `transcript line ${lineNo}`;
}

const HEX_DIGITS = '0123456789abcdef';

/** Whether `hex` is the lowercase hex spelling of `bytes`, compared in place (no string is built per entry). */
function isHexOf(hex: string, bytes: Uint8Array): boolean {
  if (hex.length !== bytes.length * 2) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (hex.charCodeAt(2 * i) !== HEX_DIGITS.charCodeAt(b >> 4) || hex.charCodeAt(2 * i + 1) !== HEX_DIGITS.charCodeAt(b & 15)) return false;
  }
  return true;
}

/** Checks the chain link of `entry` (line `lineNo`, 1-based) against the entry before it. */
function checkLink(entry: TranscriptEntry, index: number, previous: { entry: TranscriptEntry; leaf: Uint8Array } | undefined, where: { line: number; offset?: number }): void {
  const linked = previous === undefined ? entry.prev === GENESIS_PREV : isHexOf(entry.prev, previous.leaf);
  if (!linked) {
    throw new TranscriptError(
      'VERIFY_FAILED',
      index === 0
        ? `The ${describe(where.line)} (seq 0) must have prev of 64 zeros; the transcript does not start here or was altered.`
        : `The ${describe(where.line)} (seq ${index}) does not chain to the entry before it: its prev is not the hash of seq ${index - 1}; an entry was altered, removed or reordered.`,
      { ...where, rule: 'chain' },
    );
  }
  if (previous !== undefined && entry.time < previous.entry.time) {
    throw new TranscriptError('VERIFY_FAILED', `The ${describe(where.line)} (seq ${index}) is dated ${entry.time}, before the entry before it (${previous.entry.time}); times never go backwards.`, { ...where, rule: 'time' });
  }
}

interface LineSpan {
  start: number;
  end: number; // index of the LF, or bytes.length for an unterminated tail
}

function splitLines(bytes: Uint8Array): { lines: LineSpan[]; tail: LineSpan | undefined } {
  const lines: LineSpan[] = [];
  let start = 0;
  for (;;) {
    const lf = bytes.indexOf(LF, start);
    if (lf < 0) break;
    lines.push({ start, end: lf });
    start = lf + 1;
  }
  return { lines, tail: start < bytes.length ? { start, end: bytes.length } : undefined };
}

function parseLine(bytes: Uint8Array, span: LineSpan, index: number): TranscriptEntry {
  const where = { line: index + 1, offset: span.start };
  let entry: TranscriptEntry;
  try {
    entry = parseEntryLine(bytes.subarray(span.start, span.end), undefined, describe(index + 1));
  } catch (e) {
    if (e instanceof KeyriteError) throw new TranscriptError(e.code, e.message, where, { cause: e });
    throw e;
  }
  if (entry.seq !== index) {
    throw new TranscriptError('VERIFY_FAILED', `The ${describe(index + 1)} has sequence number ${entry.seq}, expected ${index}; an entry was removed, duplicated or reordered.`, { ...where, rule: 'sequence' });
  }
  return entry;
}

function contents(entries: TranscriptEntry[], leaves: Uint8Array[], tree: MerkleTree): TranscriptContents {
  return { entries, leafHashes: leaves, root: tree.root(), size: entries.length, tree };
}

function assertBytesInput(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'A transcript must be read from a byte array.');
}

/**
 * Checks a complete transcript.jsonl strictly, one line at a time: every line canonical and
 * well-formed, seq contiguous from 0, every prev the leaf hash of the entry before (64 zeros
 * first), times non-decreasing, and the file ends with LF (an empty file is an empty
 * transcript). Throws TranscriptError naming the first bad line. Only the previous entry and the
 * Merkle tree's flat rows stay in memory, and the entries `keep` accepts (all by default): the
 * verifier keeps the types its checks read. `options.sha256` replaces noble SHA-256 for the leaf
 * and node hashes (the verifier passes its VerifierCrypto's).
 */
export function checkTranscript(bytes: Uint8Array, options: { sha256?: Sha256; keep?: (entry: TranscriptEntry) => boolean } = {}): CheckedTranscript {
  assertBytesInput(bytes);
  const { sha256: hash, keep } = options;
  const tree = new MerkleTree(hash);
  const kept: TranscriptEntry[] = [];
  let previous: { entry: TranscriptEntry; leaf: Uint8Array } | undefined;
  let start = 0;
  let index = 0;
  for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, start)) {
    const entry = parseLine(bytes, { start, end: lf }, index);
    const leaf = leafHash(bytes.subarray(start, lf), hash);
    checkLink(entry, index, previous, { line: index + 1, offset: start });
    tree.append(leaf);
    if (keep === undefined || keep(entry)) kept.push(entry);
    previous = { entry, leaf };
    start = lf + 1;
    index++;
  }
  if (start < bytes.length) {
    throw new TranscriptError(
      'VERIFY_FAILED',
      `The ${describe(index + 1)} is incomplete (the file does not end with a line break): the transcript was cut off, for example by a crash; recover it before use.`,
      { line: index + 1, offset: start },
    );
  }
  return { entries: kept, root: tree.root(), size: index, tree };
}

/** Reads a complete transcript.jsonl strictly (checkTranscript), with every entry and leaf hash. */
export function readTranscript(bytes: Uint8Array, options: { sha256?: Sha256 } = {}): TranscriptContents {
  const checked = checkTranscript(bytes, { sha256: options.sha256 });
  return { ...checked, leafHashes: Array.from({ length: checked.size }, (_, i) => checked.tree.leaf(i)) };
}

/**
 * Reads a transcript after a crash. Returns the longest valid prefix and how many bytes of a
 * torn final line were dropped: a final line without LF is dropped whatever it holds (its
 * append never completed), and a final LF-terminated line is dropped only when it is not
 * UTF-8 JSON at all (a partially persisted write). A final line that is JSON but wrong
 * (not canonical, bad member, broken chain), a final line or tail holding a complete JSON
 * object followed by more bytes (a lost line break), or any bad line before the final one,
 * is tampering: TranscriptError names the line.
 */
export function recoverTranscript(bytes: Uint8Array): RecoveredTranscript {
  assertBytesInput(bytes);
  const { lines, tail } = splitLines(bytes);
  const entries: TranscriptEntry[] = [];
  const leaves: Uint8Array[] = [];
  const tree = new MerkleTree();
  let dropped: RecoveredTranscript['dropped'] = 'none';
  let validLength = 0;
  for (let i = 0; i < lines.length; i++) {
    const span = lines[i]!;
    let entry: TranscriptEntry;
    try {
      entry = parseLine(bytes, span, i);
    } catch (e) {
      const isLast = i === lines.length - 1 && tail === undefined;
      if (isLast && e instanceof KeyriteError && (e.code === 'INVALID_JSON' || isEmptyLine(span))) {
        assertSingleRecord(bytes, span, i + 1);
        dropped = 'unparsable-final-line';
        break;
      }
      throw e;
    }
    const leaf = leafHash(bytes.subarray(span.start, span.end));
    checkLink(entry, i, i === 0 ? undefined : { entry: entries[i - 1]!, leaf: leaves[i - 1]! }, { line: i + 1, offset: span.start });
    entries.push(entry);
    leaves.push(leaf);
    tree.append(leaf);
    validLength = span.end + 1;
  }
  if (tail !== undefined) {
    assertSingleRecord(bytes, tail, lines.length + 1);
    dropped = 'no-final-newline';
  }
  return { ...contents(entries, leaves, tree), validLength, droppedBytes: bytes.length - validLength, dropped };
}

/**
 * A torn append leaves a prefix of one line (possibly with zero-filled blocks), never a
 * complete JSON object followed by more bytes. Such a line is two records glued together by
 * a lost line break — an alteration, not a crash — and dropping it would discard a durable
 * entry, so it is refused.
 */
function assertSingleRecord(bytes: Uint8Array, span: LineSpan, lineNo: number): void {
  if (span.end <= span.start || bytes[span.start] !== 0x7b) return;
  let depth = 0;
  let inString = false;
  for (let i = span.start; i < span.end; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) {
        if (i < span.end - 1) {
          throw new TranscriptError(
            'VERIFY_FAILED',
            `The ${describe(lineNo)} holds a complete entry followed by more data (a line break is missing): the transcript was altered, this is not a crash.`,
            { line: lineNo, offset: span.start },
          );
        }
        return;
      }
    }
  }
}

function isEmptyLine(span: LineSpan): boolean {
  return span.end === span.start;
}

/**
 * Appends entries to a transcript. Create with `new TranscriptWriter(sink)` for a new
 * transcript, or `TranscriptWriter.resume(entries, sink)` to continue one (after
 * recoverTranscript and repairTornTail).
 */
export class TranscriptWriter {
  private readonly sink: TranscriptSink;
  private readonly clock: () => Date;
  private readonly tree = new MerkleTree();
  private lastEntry: TranscriptEntry | undefined;
  private lastCheckpointIssued: Checkpoint | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: unknown;

  constructor(sink: TranscriptSink, options: TranscriptWriterOptions = {}) {
    if (sink === null || typeof sink !== 'object' || typeof sink.append !== 'function') {
      throw new KeyriteError('INVALID_INPUT', 'A transcript writer needs a sink with an append function.');
    }
    this.sink = sink;
    this.clock = options.clock ?? (() => new Date());
    if (typeof this.clock !== 'function') throw new KeyriteError('INVALID_INPUT', 'The transcript clock must be a function returning a Date.');
  }

  /**
   * Continues a transcript from its valid prefix (the entries of readTranscript or
   * recoverTranscript). The entries are re-checked as a chain; with
   * `options.lastCheckpoint`, they must also reproduce that checkpoint's root at its size.
   */
  static resume(validPrefixEntries: readonly TranscriptEntry[], sink: TranscriptSink, options: TranscriptResumeOptions = {}): TranscriptWriter {
    if (!Array.isArray(validPrefixEntries)) throw new KeyriteError('INVALID_INPUT', 'Resuming a transcript needs the list of its entries.');
    const { lastCheckpoint, ...rest } = options;
    const w = new TranscriptWriter(sink, rest);
    let previous: { entry: TranscriptEntry; leaf: Uint8Array } | undefined;
    validPrefixEntries.forEach((e, i) => {
      // Re-encode and re-parse: the entry must be exactly what its line held.
      const line = encodeEntryLine(e);
      const entry = parseLine(line, { start: 0, end: line.length - 1 }, i);
      const leaf = leafHash(line.subarray(0, line.length - 1));
      checkLink(entry, i, previous, { line: i + 1 });
      w.tree.append(leaf);
      previous = { entry, leaf };
    });
    w.lastEntry = previous?.entry;
    if (lastCheckpoint !== undefined) {
      if (lastCheckpoint.size > w.tree.size) {
        throw new KeyriteError('VERIFY_FAILED', `The transcript has ${w.tree.size} entries but a checkpoint of size ${lastCheckpoint.size} was already issued: entries covered by a checkpoint are missing.`);
      }
      const here: Checkpoint = { origin: lastCheckpoint.origin, size: w.tree.size, root: w.tree.root() };
      assertConsistentCheckpoint(lastCheckpoint, here, w.tree.consistencyProof(lastCheckpoint.size, w.tree.size));
      w.lastCheckpointIssued = copyCheckpoint(lastCheckpoint);
    }
    return w;
  }

  /** Number of entries durably written. */
  size(): number {
    return this.tree.size;
  }

  /** MTH of the entries durably written. */
  root(): Uint8Array {
    return this.tree.root();
  }

  /** MTH of the first `size` entries (an earlier checkpoint's root). */
  rootAt(size: number): Uint8Array {
    return this.tree.root(size);
  }

  /** RFC 6962 audit path of entry `seq` in the tree of `size` entries (default: all). */
  inclusionProof(seq: number, size: number = this.tree.size): Uint8Array[] {
    return this.tree.inclusionProof(seq, size);
  }

  /** RFC 6962 consistency proof from the tree of `first` entries to the tree of `second` (default: all). */
  consistencyProof(first: number, second: number = this.tree.size): Uint8Array[] {
    return this.tree.consistencyProof(first, second);
  }

  /** The last entry written, if any. */
  last(): TranscriptEntry | undefined {
    return this.lastEntry;
  }

  /** The last checkpoint this writer issued (or was resumed with). */
  lastCheckpoint(): Checkpoint | undefined {
    return this.lastCheckpointIssued === undefined ? undefined : copyCheckpoint(this.lastCheckpointIssued);
  }

  /**
   * Appends one entry and resolves with it once the sink has made it durable. seq and prev
   * come from the writer; time from `time` if given (it must not be earlier than the last
   * entry's), else from the clock — if the clock has stepped back, the last entry's time is
   * reused so that times never go backwards. Appends are serialised in call order.
   */
  append(type: string, actor: string, body: EntryBody, time?: Date | string): Promise<TranscriptEntry> {
    const run = this.queue.then(() => this.appendNow(type, actor, body, time));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(type: string, actor: string, body: EntryBody, time: Date | string | undefined): Promise<TranscriptEntry> {
    if (this.failure !== undefined) {
      throw new KeyriteError('IO_ERROR', 'The transcript writer stopped after a failed write; recover the transcript file and resume.', { cause: this.failure });
    }
    const last = this.lastEntry;
    let t: string;
    if (time !== undefined) {
      t = typeof time === 'string' ? time : formatTranscriptTime(time);
      if (!isTranscriptTime(t)) throw new KeyriteError('INVALID_INPUT', 'The entry time must be a UTC time of the form 2026-03-01T09:30:00.000Z.');
      if (last !== undefined && t < last.time) throw new KeyriteError('INVALID_INPUT', `The entry time ${t} is before the last entry's time ${last.time}.`);
    } else {
      t = formatTranscriptTime(this.clock());
      if (last !== undefined && t < last.time) t = last.time;
    }
    const seq = this.tree.size;
    const prev = seq === 0 ? GENESIS_PREV : toHex(this.tree.leaf(seq - 1));
    const entry = makeEntry({ seq, time: t, type, actor, body, prev });
    const line = encodeEntryLine(entry);
    try {
      await this.sink.append(line);
    } catch (e) {
      // Unknown how much reached the disk: stop, so the chain is never extended past a hole.
      this.failure = e;
      throw new KeyriteError('IO_ERROR', `Writing transcript entry ${seq} failed; the transcript must be recovered before continuing.`, { cause: e });
    }
    this.tree.append(leafHash(line.subarray(0, line.length - 1)));
    this.lastEntry = entry;
    return entry;
  }

  /**
   * Issues the checkpoint (origin, size, root) of the entries written so far, for principals
   * to sign (checkpoint.ts signCheckpoint). The writer never issues two inconsistent
   * checkpoints: the new one must keep the origin of the last one and extend it, which is
   * asserted with an RFC 6962 consistency proof; the last one issued is remembered.
   * Waits for appends already requested.
   */
  checkpoint(origin: string): Promise<Checkpoint> {
    const run = this.queue.then(() => this.checkpointNow(origin));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkpointNow(origin: string): Checkpoint {
    if (this.failure !== undefined) {
      throw new KeyriteError('IO_ERROR', 'The transcript writer stopped after a failed write; recover the transcript file and resume.', { cause: this.failure });
    }
    const next: Checkpoint = { origin, size: this.tree.size, root: this.tree.root() };
    const previous = this.lastCheckpointIssued;
    const proof = previous === undefined || previous.size > next.size ? [] : this.tree.consistencyProof(previous.size, next.size);
    assertConsistentCheckpoint(previous, next, proof);
    this.lastCheckpointIssued = copyCheckpoint(next);
    return copyCheckpoint(next);
  }
}

function copyCheckpoint(c: Checkpoint): Checkpoint {
  return { origin: c.origin, size: c.size, root: c.root.slice() };
}
