// The bundle archive (core/bundle/archive.ts, docs/FORMATS.md "Bundle archive"): deterministic
// ustar written exactly as GNU tar writes it with the documented options, read back losslessly;
// every hostile archive of issue 19 refused with its named reason and a sentence; any garbage
// or any one-byte change refused or read as different files, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { utf8 } from '../../../core/bytes.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { ArchiveError, MAX_ARCHIVE_BYTES, decodeBundleArchive, encodeBundleArchive, type ArchiveRefusal } from '../../../core/bundle/archive.ts';
import { MAX_BUNDLE_FILES } from '../../../core/bundle/layout.ts';
import { readBundleDir } from '../../helpers/bundle-files.ts';
import { GOLDEN_FIXTURE } from '../../helpers/golden.ts';
import { ustar, type UstarEntry } from '../../helpers/hostile-archives.ts';

const golden = readBundleDir(GOLDEN_FIXTURE);
const GOLDEN_ARCHIVE = encodeBundleArchive(golden);

const file = (name: string, text = 'x'): UstarEntry => ({ name: `bundle/${name}`, data: utf8(text) });
const dir = (name: string): UstarEntry => ({ name: `bundle/${name}${name ? '/' : ''}`, type: '5' });

function refused(bytes: Uint8Array, reason: ArchiveRefusal, sentence: RegExp): void {
  assert.throws(
    () => decodeBundleArchive(bytes),
    (e: unknown) => {
      assert.ok(e instanceof ArchiveError, `expected an ArchiveError, got ${String(e)}`);
      assert.equal(e.reason, reason, e.message);
      assert.equal(e.code, 'INVALID_INPUT');
      assert.match(e.message, /^This bundle archive is refused: /);
      assert.match(e.message, sentence);
      return true;
    },
  );
}

test('the golden bundle archives to the bytes GNU tar writes with the documented options, and reads back to the same files', () => {
  const back = decodeBundleArchive(GOLDEN_ARCHIVE);
  assert.deepEqual([...back.keys()].sort(), [...golden.keys()].sort());
  for (const [path, bytes] of golden) assert.deepEqual(back.get(path), bytes, path);
  assert.equal(GOLDEN_ARCHIVE.length % 10240, 0);
  assert.deepEqual(encodeBundleArchive(new Map([...golden].reverse())), GOLDEN_ARCHIVE, 'the order the files come in does not matter');

  const dirPath = mkdtempSync(join(tmpdir(), 'keyrite-archive-'));
  try {
    for (const [path, bytes] of golden) {
      mkdirSync(join(dirPath, 'bundle', path, '..'), { recursive: true });
      writeFileSync(join(dirPath, 'bundle', path), bytes);
    }
    const list = execFileSync('find', ['bundle', '-print0'], { cwd: dirPath });
    const sorted = execFileSync('sort', ['-z'], { input: list, env: { LC_ALL: 'C' } });
    execFileSync('tar', ['--format=ustar', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=u=rwX,go=rX', '--no-recursion', '--null', '-T', '-', '-cf', 'gnu.tar'], { cwd: dirPath, input: sorted });
    assert.deepEqual(new Uint8Array(readFileSync(join(dirPath, 'gnu.tar'))), GOLDEN_ARCHIVE);
    // And GNU tar reads ours back to the same files.
    mkdirSync(join(dirPath, 'out'));
    writeFileSync(join(dirPath, 'ours.tar'), GOLDEN_ARCHIVE);
    execFileSync('tar', ['-xf', '../ours.tar'], { cwd: join(dirPath, 'out') });
    for (const [path, bytes] of golden) assert.deepEqual(new Uint8Array(readFileSync(join(dirPath, 'out', 'bundle', path))), bytes, path);
  } finally {
    rmSync(dirPath, { recursive: true, force: true });
  }
});

test('a hand-made minimal archive is read; long names use the ustar prefix field', () => {
  const long = `${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(90)}`;
  const files = decodeBundleArchive(encodeBundleArchive(new Map([['x', utf8('1')], [long, utf8('2')]])));
  assert.deepEqual([...files.keys()], [long, 'x']);
  assert.deepEqual(decodeBundleArchive(ustar([dir(''), file('bundle.json', '{}')])), new Map([['bundle.json', utf8('{}')]]));
  assert.throws(() => encodeBundleArchive(new Map([['../x', utf8('')]])), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT'));
  assert.throws(() => encodeBundleArchive(new Map([[`${'a'.repeat(120)}/${'b'.repeat(120)}`, utf8('')]])), /too long for a bundle archive/);
});

test('paths that would escape: "..", absolute, ".", backslash, drive letter', () => {
  refused(ustar([dir(''), { name: 'bundle/../evil', data: utf8('x') }]), 'escaping-path', /"bundle\/..\/evil" would be placed outside its folder/);
  refused(ustar([{ name: '/etc/passwd', data: utf8('x') }]), 'escaping-path', /outside its folder/);
  refused(ustar([dir(''), { name: 'bundle/./x', data: utf8('x') }]), 'escaping-path', /outside its folder/);
  refused(ustar([dir(''), { name: 'bundle/a//b', data: utf8('x') }]), 'escaping-path', /outside its folder/);
  refused(ustar([{ name: 'C:/x', data: utf8('x') }]), 'escaping-path', /outside its folder/);
  refused(ustar([dir(''), { name: 'bundle\\..\\x', data: utf8('x') }]), 'escaping-path', /outside its folder/);
  refused(ustar([{ name: 'other/x', data: utf8('x') }]), 'outside-root', /not inside the archive's one folder "bundle\/"/);
});

test('links of any kind, device files and pipes, extension headers', () => {
  refused(ustar([dir(''), { name: 'bundle/l', type: '2', linkname: '/etc/passwd' }]), 'link', /symbolic link/);
  refused(ustar([dir(''), file('a'), { name: 'bundle/h', type: '1', linkname: 'bundle/a' }]), 'link', /hard link/);
  refused(ustar([dir(''), { name: 'bundle/f', linkname: 'bundle/a', data: utf8('x') }]), 'link', /link target/);
  refused(ustar([dir(''), { name: 'bundle/c', type: '3' }]), 'device', /device file/);
  refused(ustar([dir(''), { name: 'bundle/b', type: '4' }]), 'device', /device file/);
  refused(ustar([dir(''), { name: 'bundle/p', type: '6' }]), 'device', /named pipe/);
  refused(ustar([dir(''), { name: 'bundle/PaxHeader', type: 'x', data: utf8('30 path=bundle/../../etc/passwd\n') }]), 'extension-header', /entry type "x"/);
  refused(ustar([dir(''), { name: '././@LongLink', type: 'L', data: utf8('x') }]), 'extension-header', /entry type "L"/);
  refused(ustar([dir(''), file('a')].map((e) => ({ ...e, magic: 'ustar  \0' }))), 'not-ustar', /not a POSIX ustar header/);
});

test('duplicate names, and names that differ only by case or Unicode normalisation', () => {
  refused(ustar([dir(''), file('a', '1'), file('a', '2')]), 'duplicate', /holds "bundle\/a" twice/);
  refused(ustar([dir(''), dir('keys'), file('keys')]), 'duplicate', /twice/);
  refused(ustar([dir(''), file('README.txt'), file('readme.txt')]), 'case-collision', /differ only in upper and lower case/);
  refused(ustar([dir(''), file('caf\u00e9'), file('cafe\u0301')]), 'normalisation-collision', /differ only in Unicode normalisation/);
});

test('names: not UTF-8, or not a name a bundle may hold', () => {
  refused(ustar([dir(''), { name: '', rawName: Uint8Array.from([...utf8('bundle/'), 0xff, 0xfe]), data: utf8('x') }]), 'not-utf8', /not UTF-8/);
  refused(ustar([dir(''), { name: '', rawName: Uint8Array.from([...utf8('bundle/'), 0xc0, 0xaf]), data: utf8('x') }]), 'not-utf8', /not UTF-8/);
  refused(ustar([dir(''), file('caf\u00e9')]), 'bad-name', /not a name a bundle may hold/);
  refused(ustar([dir(''), file('.hidden')]), 'bad-name', /not a name a bundle may hold/);
  refused(ustar([dir(''), dir('keys'), file('keys/')]), 'duplicate', /twice/);
  refused(ustar([dir(''), file('keys/')]), 'bad-name', /"bundle\/keys\/" is not a name a bundle may hold/);
  refused(ustar([{ name: 'bundle/', data: utf8('x') }]), 'bad-name', /"bundle\/" is not a name a bundle may hold/);
  refused(ustar([{ name: 'bundle', type: '5' }, file('a')]), 'outside-root', /not inside the archive's one folder/);
  refused(ustar([dir(''), file('a\u202eb')]), 'bad-name', /"bundle\/a\\u\{202e\}b" is not a name/);
});

/** Sets `text` at `at` in the header at `header` and fixes that header's checksum. */
function edit(bytes: Uint8Array, header: number, at: number, text: string | Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out.set(typeof text === 'string' ? utf8(text) : text, header + at);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : out[header + i]!;
  out.set(utf8(`${sum.toString(8).padStart(6, '0')}\0 `), header + 148);
  return out;
}

test('size fields that lie, truncated members, hidden bytes, trailing garbage', () => {
  // Smaller than the data: the rest of the data is where the next header should be.
  refused(ustar([dir(''), { name: 'bundle/a', data: utf8('x'.repeat(600)), size: 10 }, file('b')]), 'hidden-bytes', /padding after "bundle\/a"/);
  refused(ustar([dir(''), { name: 'bundle/a', data: utf8('x'.repeat(1100)), size: 10 }, file('b')]), 'hidden-bytes', /size field that lies/);
  refused(ustar([dir(''), { name: 'bundle/a', data: new Uint8Array(1100), size: 10 }, file('b')]), 'trailing-garbage', /after its last entry/);
  const swallowed = ustar([dir(''), { name: 'bundle/a', data: new Uint8Array(512).fill(0x41), size: 0 }, file('b')]);
  refused(swallowed, 'not-a-header', /the block at byte 1024 after "bundle\/a" \(so the size recorded for that entry does not match its contents/);
  // Larger than what is there.
  refused(ustar([dir(''), { name: 'bundle/a', data: utf8('x'), size: 1 << 20 }]), 'truncated', /inside "bundle\/a", whose header says 1048576 bytes/);
  refused(edit(ustar([dir(''), file('a')]), 512, 124, '0000000001x\0'), 'bad-size', /size field of "bundle\/a" is not a number/);
  refused(edit(ustar([dir(''), file('a')]), 0, 124, '00000000001\0'), 'bad-size', /folder "bundle\/" says it has 1 bytes/);
  // Truncated anywhere.
  const ok = ustar([dir(''), file('a', 'hello'.repeat(200)), file('b', 'world')]);
  decodeBundleArchive(ok);
  for (const cut of [0, 100, 512, 700, 1024 + 512, 2560, 3000, 3072, 3584, ok.length - 1]) {
    refused(ok.subarray(0, cut), 'truncated', /cut short/);
  }
  // Trailing garbage: anything after the record, or non-zero bytes in the end blocks or their padding.
  refused(Uint8Array.from([...ok, ...utf8('evil')]), 'trailing-garbage', /4 bytes beyond the two zero blocks/);
  refused(Uint8Array.from([...ok, ...new Uint8Array(10240)]), 'trailing-garbage', /10240 bytes beyond/);
  const endByte = Uint8Array.from(ok);
  endByte[ok.length - 1] = 1;
  refused(endByte, 'trailing-garbage', /bytes other than the two zero blocks/);
  // Data hidden in a member's padding.
  const hidden = Uint8Array.from(ok);
  hidden[1024 + 1000 + 10] = 0x41;
  refused(hidden, 'hidden-bytes', /padding after "bundle\/a" holds bytes that are not zero/);
  // A damaged header.
  const damaged = Uint8Array.from(ok);
  damaged[512 + 3] = damaged[512 + 3]! ^ 1;
  refused(damaged, 'bad-checksum', /header at byte 512 fails its checksum/);
});

test('archive bombs: declared or actual sizes over the caps, more entries than the caps', () => {
  refused(edit(ustar([dir(''), file('a')]), 512, 124, '10000000001\0'), 'too-large', /declare more than 1 GiB/);
  // Declared sizes larger than the bytes there are refused before anything is allocated.
  const half = 600 * 1024 * 1024;
  refused(ustar([dir(''), { name: 'bundle/a', size: half }, { name: 'bundle/b', size: half }], { pad: false }), 'truncated', /cut short/);
  assert.throws(() => decodeBundleArchive(new Uint8Array(0).subarray(0, 0)), ArchiveError);
  // The size of the bytes given is checked before anything is read (a view, so nothing is allocated).
  const huge = new Uint8Array(new ArrayBuffer(MAX_ARCHIVE_BYTES + 1), 0);
  refused(huge, 'too-large', /more than any bundle's archive/);
  const many: UstarEntry[] = [dir('')];
  for (let i = 0; i <= MAX_BUNDLE_FILES; i++) many.push({ name: `bundle/f${String(i).padStart(5, '0')}` });
  refused(ustar(many), 'too-many-entries', new RegExp(`holds ${MAX_BUNDLE_FILES + 1} files; a bundle holds at most ${MAX_BUNDLE_FILES}`));
  const folders: UstarEntry[] = [dir('')];
  for (let i = 0; i <= 2 * MAX_BUNDLE_FILES; i++) folders.push(dir(`d${String(i).padStart(5, '0')}`));
  refused(ustar(folders), 'too-many-entries', /more than 8193 entries/);
});

test('anything but the exact form Keyrite writes is refused, naming the field', () => {
  refused(ustar([dir(''), { ...file('a'), mtime: 1700000000 }]), 'not-canonical', /modification time of "bundle\/a" differ/);
  refused(ustar([dir(''), { ...file('a'), mode: 0o755 }]), 'not-canonical', /permissions \(mode\) of "bundle\/a"/);
  refused(ustar([dir(''), { ...file('a'), mode: 0o4755 }]), 'not-canonical', /permissions/);
  refused(edit(ustar([dir(''), file('a')]), 512, 265, 'root'), 'not-canonical', /owner name of "bundle\/a"/);
  refused(edit(ustar([dir(''), file('a')]), 512, 108, '0001750\0'), 'not-canonical', /owner id/);
  refused(edit(ustar([dir(''), file('a')]), 512, 156, '\0'), 'not-canonical', /entry type of "bundle\/a"/);
  refused(ustar([dir(''), file('b'), file('a')]), 'not-canonical', /"bundle\/b" is out of order/);
  refused(ustar([file('a')]), 'not-canonical', /out of order or a folder entry is missing \(expected "bundle\/"\)/);
  refused(ustar([dir(''), file('keys/a')]), 'not-canonical', /expected "bundle\/keys\/"/);
  refused(ustar([dir(''), file('a'), dir('empty')]), 'not-canonical', /"bundle\/empty\/" is a folder that holds no file/);
  refused(ustar([dir('')]), 'not-canonical', /it holds no file/);
  refused(new Uint8Array(10240), 'not-canonical', /it holds no file/);
});

const pathArb = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,20}$/), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('/'));
/** Every name a set of paths makes in an archive: the files and the folders that hold them. */
const namesOf = (paths: readonly string[]): string[] => [...new Set(paths.flatMap((p) => p.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))))];
const filesArb = fc.uniqueArray(fc.tuple(pathArb, fc.uint8Array({ maxLength: 1500 })), { minLength: 1, maxLength: 12, selector: ([p]) => p.toLowerCase() }).filter((entries) => {
  // A path may not also be a folder of another path, and no two names (folders included) may differ only in case.
  const paths = entries.map(([p]) => p.toLowerCase());
  if (paths.some((p) => paths.some((q) => q.startsWith(`${p}/`)))) return false;
  const names = namesOf(entries.map(([p]) => p));
  return new Set(names.map((n) => n.toLowerCase())).size === names.length;
});

test('names an archive could not hold are never written: folders or files that differ only in case or Unicode normalisation', () => {
  const empty = new Uint8Array();
  // Found by the round-trip property (seed 1805356304): the folders X and x.
  assert.throws(() => encodeBundleArchive(new Map([['x/_', empty], ['X/a', empty], ['_', empty]])), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT') && /cannot hold both "X" and "x"/.test((e as Error).message));
  assert.throws(() => encodeBundleArchive(new Map([['A', empty], ['a', empty]])), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT') && /differ only in upper and lower case/.test((e as Error).message));
});

test('property: any bundle-shaped set of files round-trips through the archive, in any order, byte for byte', () => {
  fc.assert(
    fc.property(filesArb, (entries) => {
      const files = new Map(entries);
      const archive = encodeBundleArchive(files);
      const back = decodeBundleArchive(archive);
      assert.deepEqual(new Map([...back].sort()), new Map([...files].sort()));
      assert.deepEqual(encodeBundleArchive(new Map([...files].reverse())), archive);
      assert.deepEqual(encodeBundleArchive(back), archive);
    }),
    { numRuns: 200 },
  );
});

test('property: a one-byte change or a cut anywhere is refused or reads as other files, never a crash', () => {
  fc.assert(
    fc.property(filesArb, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (entries, at, xor, cut) => {
      const files = new Map(entries);
      const archive = encodeBundleArchive(files);
      const i = at % archive.length;
      const changed = cut ? archive.subarray(0, i) : Uint8Array.from(archive);
      if (!cut) changed[i] = changed[i]! ^ xor;
      try {
        const back = decodeBundleArchive(changed);
        // Only a change inside a file's data can be read, and then that file differs.
        assert.ok(!cut);
        assert.ok([...files].some(([p, b]) => !(back.get(p)?.length === b.length && back.get(p)!.every((x, j) => x === b[j]))));
      } catch (e) {
        assert.ok(e instanceof ArchiveError, String(e));
      }
    }),
    { numRuns: 300 },
  );
});

test('property: garbage bytes are refused with an ArchiveError, never a crash', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ minLength: 512, maxLength: 512 }).map((h) => ustar([{ name: 'bundle/x', rawName: h.subarray(0, 100) }]))), (bytes) => {
      assert.throws(() => decodeBundleArchive(bytes), ArchiveError);
    }),
    { numRuns: 300 },
  );
});
