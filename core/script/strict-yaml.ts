/**
 * Strict YAML for ceremony scripts and answers files (docs/CEREMONY-SCRIPTS.md, "YAML rules").
 *
 * A ceremony file is read aloud, hashed, copied into the bundle and audited years later, so
 * it must mean one thing to every reader and every YAML parser. This module turns bytes into
 * a small position-carrying tree (`YNode`) and refuses, with line:column:
 *  - anything but strict UTF-8; control characters other than tab/LF/CR; a byte-order mark;
 *    bidirectional-override and zero-width characters (they make two different files look
 *    identical on screen, "Trojan Source");
 *  - files over a size limit, and collections nested deeper than MAX_DEPTH: the yaml
 *    composer recurses, and a stack overflow inside V8's regular-expression compiler kills
 *    the process instead of throwing, so depth is measured first on the iterative CST parser;
 *  - more than one document (which one is "the" script?); YAML directives (`%YAML 1.1`
 *    silently changes what `yes`, `0777` and `<<` mean; `%TAG` introduces custom tags);
 *  - duplicate keys (parsers disagree on which one wins: yaml's uniqueKeys);
 *  - anchors and aliases (a value defined in one place and used elsewhere hides what a step
 *    really says, and alias expansion is the "billion laughs" amplification);
 *  - merge keys `<<` (YAML 1.1 only; some parsers merge, others keep a literal key);
 *  - explicit tags, `!!str` included (custom types; `!!str 1234` would smuggle a number
 *    past the "text only" rules below); complex and non-text keys.
 * Scalars keep their source text, so the schema layer accepts integers only as plain
 * decimal digits and booleans only as `true` / `false`.
 *
 * Error messages never quote the yaml library's own messages (some of them quote the
 * source, which could hold a PIN typed in the wrong place); they are built from the error
 * code and the position only. The schema layer (`Checker`) collects every problem, sorted
 * by position, into one CeremonyFileError.
 */
import { LineCounter, Parser, parseDocument, isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { CST, Node as YamlNode, ErrorCode as YamlErrorCode } from 'yaml';
import { KeyriteError } from '../errors.ts';

/** Deepest allowed nesting of collections; Keyrite's schemas need 5. */
export const MAX_DEPTH = 16;
/** Problems listed in one error message; the `issues` array holds all of them (up to MAX_ISSUES). */
const MAX_LISTED = 20;
const MAX_ISSUES = 200;

export type CeremonyFileCode = 'SCRIPT_INVALID' | 'ANSWERS_INVALID';

/** One problem at a place in the file; line and column count from 1. */
export interface FileIssue {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A KeyriteError that also lists every problem with its position (for editors and the UI). */
export class CeremonyFileError extends KeyriteError {
  readonly issues: readonly FileIssue[];
  constructor(code: CeremonyFileCode, fileName: string, issues: readonly FileIssue[]) {
    const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column).slice(0, MAX_ISSUES);
    const lines = sorted.slice(0, MAX_LISTED).map((i) => `line ${i.line}, column ${i.column}: ${i.message}`);
    const more = sorted.length > MAX_LISTED ? `\n(and ${sorted.length - MAX_LISTED} more problems)` : '';
    const message =
      sorted.length === 1 ? `The ${fileName} is not valid: ${lines[0]}` : `The ${fileName} is not valid (${sorted.length} problems):\n${lines.join('\n')}${more}`;
    super(code, message);
    this.issues = Object.freeze(sorted.map((i) => Object.freeze({ ...i })));
  }
}

export interface At {
  readonly line: number;
  readonly column: number;
}

export interface YMap {
  readonly kind: 'map';
  readonly at: At;
  readonly entries: readonly YEntry[];
}
export interface YEntry {
  readonly key: string;
  readonly keyAt: At;
  readonly value: YNode;
}
export interface YSeq {
  readonly kind: 'seq';
  readonly at: At;
  readonly items: readonly YNode[];
}
export interface YScalar {
  readonly kind: 'scalar';
  readonly at: At;
  /** As resolved by the YAML 1.2 core schema. */
  readonly value: string | number | boolean | null;
  /** The scalar's source text (for plain scalars: exactly as written). */
  readonly text: string;
  /** true for plain (unquoted, non-block) scalars. */
  readonly plain: boolean;
}
export type YNode = YMap | YSeq | YScalar;

const FILE_START: At = { line: 1, column: 1 };

/** The Keyrite file a YAML document declares itself to be by its format key; `kinds` maps each key to its name. */
export function declaredFileKind<K extends string>(root: YNode, kinds: Readonly<Record<string, K>>): { kind: K; at: At } | undefined {
  if (root.kind !== 'map') return undefined;
  const entry = root.entries.find((e) => Object.hasOwn(kinds, e.key));
  return entry ? { kind: kinds[entry.key]!, at: entry.keyAt } : undefined;
}

/** The format keys of the two YAML files a run takes, so that a swap of the two is named as such. */
export const KEYRITE_YAML_KINDS = { 'keyrite-script': 'script', 'keyrite-answers': 'answers' } as const;

/** Messages for the yaml library's error codes; never its own text, which may quote the source. */
const YAML_MESSAGES: Partial<Record<YamlErrorCode, string>> = {
  DUPLICATE_KEY: 'this key appears twice in the same mapping; duplicate keys are refused because YAML parsers disagree on which one wins',
  MULTIPLE_DOCS: 'a second YAML document starts here ("---"); a file holds exactly one document',
  BAD_ALIAS: 'aliases (*name) are not allowed: write every value where it is used',
  ALIAS_PROPS: 'aliases (*name) are not allowed: write every value where it is used',
  MULTIPLE_ANCHORS: 'anchors (&name) are not allowed',
  MULTIPLE_TAGS: 'tags (!name) are not allowed',
  TAG_RESOLVE_FAILED: 'tags (!name) are not allowed',
  BAD_DIRECTIVE: 'YAML directives (%…) are not allowed',
  BAD_DQ_ESCAPE: 'this double-quoted text has an invalid escape sequence',
  BAD_INDENT: 'the indentation here is not valid YAML',
  TAB_AS_INDENT: 'tabs cannot indent YAML; use spaces',
  BAD_PROP_ORDER: 'anchors and tags are not allowed',
  BAD_SCALAR_START: 'a plain value cannot start with this character; put the value in quotes',
  BLOCK_AS_IMPLICIT_KEY: 'a block value cannot be used as a key',
  BLOCK_IN_FLOW: 'block syntax cannot appear inside [ ] or { }',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
  MISSING_CHAR: 'a closing quote, bracket or separator is missing',
  MULTILINE_IMPLICIT_KEY: 'a key cannot span several lines',
  NON_STRING_KEY: 'keys must be text',
  RESOURCE_EXHAUSTION: 'the file is nested too deeply',
  UNEXPECTED_TOKEN: 'unexpected text here; this is not valid YAML',
  BAD_COLLECTION_TYPE: 'tags (!name) are not allowed',
  IMPOSSIBLE: 'this is not valid YAML',
};

/** Collects problems; `fail()` throws them as one CeremonyFileError. */
export class Issues {
  readonly list: FileIssue[] = [];
  constructor(
    readonly code: CeremonyFileCode,
    readonly fileName: string,
  ) {}
  add(at: At, message: string): void {
    if (this.list.length < MAX_ISSUES) this.list.push({ line: at.line, column: at.column, message });
  }
  get count(): number {
    return this.list.length;
  }
  fail(): never {
    throw new CeremonyFileError(this.code, this.fileName, this.list);
  }
  throwIfAny(): void {
    if (this.list.length > 0) this.fail();
  }
}

function lineColumnOfOffset(text: string, offset: number): At {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Offset of the first byte that breaks UTF-8 (overlongs, surrogates and > U+10FFFF included), or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else return i;
    if (i + need >= b.length) return i;
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Line of a byte offset: count LF bytes before it (columns count bytes on that line). */
function lineColumnOfByte(b: Uint8Array, offset: number): At {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (b[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function describeForbiddenChar(cp: number): string | undefined {
  if (cp === 0xfeff) return 'a byte-order mark or zero-width no-break space (U+FEFF); save the file as UTF-8 without BOM';
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return undefined;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `a control character (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x200e || cp === 0x200f || cp === 0x061c) {
    return `an invisible bidirectional-text control (U+${cp.toString(16).toUpperCase()}) that can make the file display differently from what it says`;
  }
  if ((cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0x2028 || cp === 0x2029 || cp === 0x00ad) {
    return `an invisible character (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
  }
  if (cp === 0xfffe || cp === 0xffff) return 'a non-character (U+FFFE/U+FFFF)';
  return undefined;
}

/** Iteratively measures collection nesting in the CST; returns the offset where MAX_DEPTH is exceeded. */
function cstTooDeep(tokens: readonly CST.Token[]): number | undefined {
  const stack: Array<[CST.Token, number]> = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [tok, depth] = stack.pop()!;
    let d = depth;
    if (tok.type === 'block-map' || tok.type === 'block-seq' || tok.type === 'flow-collection') {
      d = depth + 1;
      if (d > MAX_DEPTH) return tok.offset;
      for (const item of tok.items) {
        if (item.key) stack.push([item.key, d]);
        if (item.value) stack.push([item.value, d]);
      }
    } else if (tok.type === 'document') {
      if (tok.value) stack.push([tok.value, d]);
    } else if (tok.type === 'block-scalar') {
      for (const p of tok.props) stack.push([p, d]);
    }
  }
  return undefined;
}

export interface LoadOptions {
  readonly issues: Issues;
  readonly maxBytes: number;
}

/**
 * Decodes and parses `bytes` into a YNode tree (or throws the collected issues).
 * Returns the root node, which may be any kind; the schema checks the shape.
 */
export function loadStrictYaml(bytes: Uint8Array, { issues, maxBytes }: LoadOptions): YNode {
  if (!(bytes instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', `The ${issues.fileName} must be given as bytes.`);
  if (bytes.length > maxBytes) {
    issues.add(FILE_START, `the file is ${bytes.length} bytes long; the limit is ${maxBytes} bytes`);
    issues.fail();
  }
  if (bytes.length === 0) {
    issues.add(FILE_START, 'the file is empty');
    issues.fail();
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    issues.add(lineColumnOfByte(bytes, bad), 'the file is not valid UTF-8 text');
    issues.fail();
  }
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i)!;
    const why = describeForbiddenChar(cp);
    if (why !== undefined) {
      issues.add(lineColumnOfOffset(text, i), `the file contains ${why}`);
      issues.fail();
    }
    if (cp > 0xffff) i++;
  }

  const lc = new LineCounter();
  const at = (offset: number): At => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  // Pass 1: the CST parser is iterative, so depth, directives and documents are checked here
  // before the recursive composer ever sees the input.
  const tokens = Array.from(new Parser(lc.addNewLine).parse(text));
  let documents = 0;
  for (const tok of tokens) {
    if (tok.type === 'directive') issues.add(at(tok.offset), 'YAML directives (%YAML, %TAG) are not allowed: they change how the rest of the file is read');
    if (tok.type === 'document') {
      documents++;
      if (documents === 2) issues.add(at(tok.offset), YAML_MESSAGES.MULTIPLE_DOCS!);
    }
  }
  const deep = cstTooDeep(tokens);
  if (deep !== undefined) issues.add(at(deep), `collections are nested more than ${MAX_DEPTH} levels deep`);
  issues.throwIfAny();

  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, {
      lineCounter: new LineCounter(),
      prettyErrors: false,
      uniqueKeys: true,
      merge: false,
      version: '1.2',
      schema: 'core',
      strict: true,
      keepSourceTokens: false,
    });
  } catch {
    // Not expected after the checks above; never let a library error escape.
    issues.add(FILE_START, 'the file could not be read as YAML');
    return issues.fail();
  }
  for (const e of [...doc.errors, ...doc.warnings]) {
    let message = YAML_MESSAGES[e.code] ?? `this is not valid YAML (${e.code})`;
    if (e.code === 'DUPLICATE_KEY') {
      const key = /^[A-Za-z][A-Za-z_-]{0,39}(?=[ \t]*:)/.exec(text.slice(e.pos[0], e.pos[0] + 80))?.[0];
      if (key !== undefined) message = `the key ${showKey(key)} appears twice in the same mapping; duplicate keys are refused because YAML parsers disagree on which one wins`;
    }
    issues.add(at(e.pos[0]), message);
  }
  issues.throwIfAny();
  if (doc.contents === null) {
    issues.add(FILE_START, 'the file holds no YAML content (only comments or blank lines)');
    issues.fail();
  }
  const root = convert(doc.contents, text, at, issues, 0, FILE_START);
  issues.throwIfAny();
  return root!;
}

function convert(node: YamlNode | null, text: string, at: (o: number) => At, issues: Issues, depth: number, fallback: At): YNode | undefined {
  if (node === null || node === undefined) {
    return { kind: 'scalar', at: fallback, value: null, text: '', plain: true };
  }
  const start = node.range ? at(node.range[0]) : fallback;
  if (depth > MAX_DEPTH) {
    issues.add(start, `collections are nested more than ${MAX_DEPTH} levels deep`);
    return undefined;
  }
  if (isAlias(node)) {
    issues.add(start, YAML_MESSAGES.BAD_ALIAS!);
    return undefined;
  }
  const props = node as { anchor?: string; tag?: string };
  if (props.anchor !== undefined) issues.add(start, 'anchors (&name) are not allowed: write every value where it is used');
  if (props.tag !== undefined) issues.add(start, 'tags (!name) are not allowed');
  if (isScalar(node)) {
    const value = node.value;
    const source = node.range ? text.slice(node.range[0], node.range[1]) : '';
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      issues.add(start, 'this value has a type Keyrite does not accept');
      return undefined;
    }
    return { kind: 'scalar', at: start, value, text: source, plain: node.type === 'PLAIN' };
  }
  if (isMap(node)) {
    const entries: YEntry[] = [];
    for (const pair of node.items) {
      const k = pair.key as YamlNode | null;
      const keyAt = k && k.range ? at(k.range[0]) : start;
      if (!isScalar(k) || typeof k.value !== 'string' || (k as { tag?: string }).tag !== undefined || (k as { anchor?: string }).anchor !== undefined) {
        issues.add(keyAt, 'keys must be plain text (no complex keys, numbers, tags or anchors as keys)');
        continue;
      }
      if (k.value === '<<') {
        issues.add(keyAt, 'merge keys (<<) are not allowed: write every key where it is used');
        continue;
      }
      const v = convert(pair.value as YamlNode | null, text, at, issues, depth + 1, keyAt);
      if (v !== undefined) entries.push({ key: k.value, keyAt, value: v });
    }
    return { kind: 'map', at: start, entries };
  }
  if (isSeq(node)) {
    const items: YNode[] = [];
    for (const item of node.items) {
      const v = convert(item as YamlNode | null, text, at, issues, depth + 1, start);
      if (v !== undefined) items.push(v);
    }
    return { kind: 'seq', at: start, items };
  }
  issues.add(start, 'this YAML construct is not allowed');
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Schema helpers shared by script.ts and answers.ts.

/**
 * A key name safe to repeat in a message. Scripts hold no secrets: any identifier-like key is
 * shown. In answers files (`strict`) only keys without digits are shown, so a PIN or a
 * passphrase typed where a key goes is never repeated.
 */
export function showKey(key: string, strict = false): string {
  return (strict ? /^[A-Za-z][A-Za-z_-]{0,39}$/ : /^[A-Za-z][A-Za-z0-9_-]{0,39}$/).test(key) ? `"${key}"` : 'a key';
}

/** Describes what a node is, without showing its value. */
export function describeNode(n: YNode): string {
  if (n.kind === 'map') return 'a mapping';
  if (n.kind === 'seq') return 'a list';
  if (n.value === null) return 'empty';
  if (typeof n.value === 'number') return 'a number';
  if (typeof n.value === 'boolean') return 'a boolean';
  return 'text';
}

export interface FieldSpec {
  readonly required?: readonly string[];
  readonly optional?: readonly string[];
}

export class Checker {
  constructor(
    readonly issues: Issues,
    /** Whether messages may quote offending values (scripts: yes; answers files: never). */
    readonly echo: boolean,
  ) {}

  error(at: At, message: string): void {
    this.issues.add(at, message);
  }

  /** `"value"` (truncated) when echoing is allowed, else empty; for the end of a sentence. */
  quote(value: string | number): string {
    if (!this.echo) return '';
    const s = String(value);
    return ` (${JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s)})`;
  }

  map(n: YNode, what: string): YMap | undefined {
    if (n.kind === 'map') return n;
    this.error(n.at, `${what} must be a mapping of keys to values, not ${describeNode(n)}`);
    return undefined;
  }

  seq(n: YNode, what: string): YSeq | undefined {
    if (n.kind === 'seq') return n;
    this.error(n.at, `${what} must be a list, not ${describeNode(n)}`);
    return undefined;
  }

  /**
   * Checks a mapping's keys: every unknown key and every missing required key is reported.
   * Returns the entries by key (only known keys).
   */
  fields(m: YMap, what: string, spec: FieldSpec): Map<string, YEntry> {
    const required = spec.required ?? [];
    const allowed = new Set([...required, ...(spec.optional ?? [])]);
    const out = new Map<string, YEntry>();
    for (const e of m.entries) {
      if (!allowed.has(e.key)) {
        const list = [...allowed];
        this.error(e.keyAt, `${what} has the unknown key ${showKey(e.key, !this.echo)}; ${list.length === 0 ? 'it takes no keys' : `allowed keys: ${list.join(', ')}`}`);
        continue;
      }
      out.set(e.key, e);
    }
    for (const r of required) if (!out.has(r)) this.error(m.at, `${what} is missing the required key "${r}"`);
    return out;
  }

  str(n: YNode, what: string, opts: { pattern?: RegExp; hint?: string; max?: number; singleLine?: boolean } = {}): string | undefined {
    if (n.kind !== 'scalar' || typeof n.value !== 'string') {
      const quoteHint = n.kind === 'scalar' && n.value !== null ? ' (put it in quotes if it is meant as text)' : '';
      this.error(n.at, `${what} must be text, not ${describeNode(n)}${quoteHint}`);
      return undefined;
    }
    const v = n.value;
    const max = opts.max ?? 200;
    if (v.length === 0) {
      this.error(n.at, `${what} must not be empty`);
      return undefined;
    }
    if (v.length > max) {
      this.error(n.at, `${what} is longer than ${max} characters`);
      return undefined;
    }
    if ((opts.singleLine ?? true) && /[\r\n\t]/.test(v)) {
      this.error(n.at, `${what} must be one line of text (no line breaks or tabs)`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      this.error(n.at, `${what}${this.quote(v)} ${opts.hint ?? 'has the wrong form'}`);
      return undefined;
    }
    return v;
  }

  /** A plain decimal integer in [min, max]. */
  int(n: YNode, what: string, min: number, max: number): number | undefined {
    if (n.kind !== 'scalar' || typeof n.value !== 'number' || !n.plain || !/^(0|[1-9][0-9]*)$/.test(n.text)) {
      this.error(n.at, `${what} must be a whole number written in decimal digits${n.kind === 'scalar' && typeof n.value === 'string' ? ' (without quotes)' : ''}`);
      return undefined;
    }
    const v = n.value;
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      this.error(n.at, `${what} is ${this.echo ? String(v) : 'out of range'}; it must be from ${min} to ${max}`);
      return undefined;
    }
    return v;
  }

  bool(n: YNode, what: string): boolean | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'boolean' && n.plain && (n.text === 'true' || n.text === 'false')) return n.value;
    this.error(n.at, `${what} must be true or false (lowercase, without quotes)`);
    return undefined;
  }

  oneOf<T extends string>(n: YNode, what: string, values: readonly T[]): T | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'string' && (values as readonly string[]).includes(n.value)) return n.value as T;
    const shown = n.kind === 'scalar' && typeof n.value === 'string' ? this.quote(n.value) : '';
    this.error(n.at, `${what}${shown} must be one of: ${values.join(', ')}`);
    return undefined;
  }
}
