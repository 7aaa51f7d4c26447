// Hand-made ustar archives (without the writer under test) and the hostile archives of issue 19,
// built around the golden bundle's files, for the CLI and the Chromium tests of the readers.
import { utf8 } from '../../core/bytes.ts';
import type { ArchiveRefusal } from '../../core/bundle/archive.ts';

export interface UstarEntry {
  name: string;
  type?: string;
  data?: Uint8Array;
  size?: number;
  mode?: number;
  linkname?: string;
  rawName?: Uint8Array;
  mtime?: number;
  magic?: string;
}

/** A hand-made ustar archive (the writer under test is not used), every checksum correct. */
export function ustar(entries: readonly UstarEntry[], opts: { tail?: Uint8Array; pad?: boolean } = {}): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const h = new Uint8Array(512);
    const text = (s: string, at: number) => h.set(utf8(s), at);
    h.set(e.rawName ?? utf8(e.name), 0);
    const dir = e.type === '5';
    const data = e.data ?? new Uint8Array(0);
    text(`${(e.mode ?? (dir ? 0o755 : 0o644)).toString(8).padStart(7, '0')}\0`, 100);
    text('0000000\0', 108);
    text('0000000\0', 116);
    text(`${(e.size ?? data.length).toString(8).padStart(11, '0')}\0`, 124);
    text(`${(e.mtime ?? 0).toString(8).padStart(11, '0')}\0`, 136);
    text(e.type ?? '0', 156);
    if (e.linkname) text(e.linkname, 157);
    text(e.magic ?? 'ustar\x0000', 257);
    text('0000000\0', 329);
    text('0000000\0', 337);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    text(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h);
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(padded);
  }
  let length = blocks.reduce((n, b) => n + b.length, 0) + 1024;
  if (opts.pad !== false) length = Math.ceil(length / 10240) * 10240;
  const out = new Uint8Array(length + (opts.tail?.length ?? 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  if (opts.tail) out.set(opts.tail, length);
  return out;
}


/** A bundle's files as ustar entries in the writer's order (folders first, then by name). */
export function bundleEntries(files: ReadonlyMap<string, Uint8Array>): UstarEntry[] {
  const names = new Set<string>(['bundle/']);
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) names.add(`bundle/${parts.slice(0, i).join('/')}/`);
    names.add(`bundle/${path}`);
  }
  return [...names].sort().map((name) => (name.endsWith('/') ? { name, type: '5' } : { name, data: files.get(name.slice('bundle/'.length))! }));
}

export interface HostileArchive {
  readonly name: string;
  readonly reason: ArchiveRefusal;
  readonly bytes: Uint8Array;
  /** What the refusal's sentence must say. */
  readonly sentence: RegExp;
}

/** One archive per hostile case of issue 19, each otherwise the bundle `files`. */
export function hostileArchives(files: ReadonlyMap<string, Uint8Array>): HostileArchive[] {
  const entries = bundleEntries(files);
  const plus = (...extra: UstarEntry[]) => ustar([...entries, ...extra]);
  const good = ustar(entries);
  const manifest = entries.findIndex((e) => e.name === 'bundle/bundle.json');
  const many: UstarEntry[] = [...entries];
  for (let i = 0; i < 4200; i++) many.push({ name: `bundle/z/${String(i).padStart(5, '0')}` });
  return [
    { name: '".." in a path', reason: 'escaping-path', bytes: plus({ name: 'bundle/../../.bashrc', data: utf8('evil') }), sentence: /"bundle\/..\/..\/.bashrc" would be placed outside its folder/ },
    { name: 'absolute path', reason: 'escaping-path', bytes: plus({ name: '/etc/cron.d/evil', data: utf8('evil') }), sentence: /"\/etc\/cron.d\/evil" would be placed outside its folder/ },
    { name: 'symbolic link', reason: 'link', bytes: plus({ name: 'bundle/zz-link', type: '2', linkname: '/etc/passwd' }), sentence: /"bundle\/zz-link" is a symbolic link/ },
    { name: 'hard link', reason: 'link', bytes: plus({ name: 'bundle/zz-link', type: '1', linkname: 'bundle/bundle.json' }), sentence: /"bundle\/zz-link" is a hard link/ },
    { name: 'device file', reason: 'device', bytes: plus({ name: 'bundle/zz-dev', type: '3' }), sentence: /"bundle\/zz-dev" is a device file/ },
    { name: 'duplicate name', reason: 'duplicate', bytes: plus({ name: 'bundle/bundle.json', data: utf8('{}') }), sentence: /holds "bundle\/bundle.json" twice/ },
    { name: 'names differing only by case', reason: 'case-collision', bytes: plus({ name: 'bundle/Bundle.json', data: utf8('{}') }), sentence: /differ only in upper and lower case/ },
    { name: 'names differing only by Unicode normalisation', reason: 'normalisation-collision', bytes: plus({ name: 'bundle/zz-caf\u00e9', data: utf8('1') }, { name: 'bundle/zz-cafe\u0301', data: utf8('2') }), sentence: /differ only in Unicode normalisation/ },
    { name: 'size field that lies', reason: 'hidden-bytes', bytes: ustar(entries.map((e, i) => (i === manifest ? { ...e, size: 1 } : e))), sentence: /padding after "bundle\/bundle.json" holds bytes that are not zero/ },
    { name: 'trailing garbage', reason: 'trailing-garbage', bytes: Uint8Array.from([...good, ...utf8('#!/bin/sh\nrm -rf ~\n')]), sentence: /bytes beyond the two zero blocks/ },
    { name: 'truncated member', reason: 'truncated', bytes: good.subarray(0, Math.floor(good.length / 2)), sentence: /cut short/ },
    { name: 'archive bomb (declared size)', reason: 'too-large', bytes: plus({ name: 'bundle/zz-bomb', size: 0o77777777777 }), sentence: /declare more than 1 GiB/ },
    { name: 'more entries than the caps', reason: 'too-many-entries', bytes: ustar(many), sentence: /a bundle holds at most 4096/ },
    { name: 'non-UTF-8 name', reason: 'not-utf8', bytes: plus({ name: '', rawName: Uint8Array.from([...utf8('bundle/zz-'), 0xff, 0xfe]), data: utf8('x') }), sentence: /name that is not UTF-8 text/ },
  ];
}
