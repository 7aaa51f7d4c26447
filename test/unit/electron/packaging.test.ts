// The packaging configuration, without packaging: electron-builder.yml is checked as data,
// and the afterPack fuses hook (build/fuses.cjs) is run against a fake @electron/fuses
// whose flipFuses only records what it was asked to do (no Electron binary needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire, Module } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';

const repo = new URL('../../../', import.meta.url).pathname;
const config = parse(readFileSync(join(repo, 'build/electron-builder.yml'), 'utf8')) as Record<string, unknown>;
type AfterPack = ((context: unknown) => Promise<void>) & {
  FUSE_SETTINGS: Record<string, boolean>;
  executablePath(context: unknown): string;
};
const fuses = createRequire(import.meta.url)(join(repo, 'build/fuses.cjs')) as AfterPack;
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };

test('electron-builder: identity, files, asar and native modules', () => {
  assert.equal(config.productName, 'Keyrite');
  assert.equal(typeof config.appId, 'string');
  assert.deepEqual((config.files as string[]).slice(0, 2), ['dist/**', 'package.json']);
  assert.equal(config.asar, true);
  const unpack = (config.asarUnpack as string[]).join(' ');
  assert.match(unpack, /pkcs11js/);
  assert.match(unpack, /usb/);
  assert.ok(pkg.main.startsWith('dist/'), 'package.json main points into dist/');
});

test('electron-builder: no publishing, no auto-update', () => {
  assert.ok('publish' in config);
  assert.equal(config.publish, null);
  assert.ok(!JSON.stringify(config).includes('http'), 'no URL anywhere in the packaging config');
  for (const key of ['electronUpdaterCompatibility', 'detectUpdateChannel', 'generateUpdatesFilesForAllChannels', 'releaseInfo']) {
    assert.ok(!(key in config), `no ${key}`);
  }
  for (const platform of ['linux', 'mac', 'win', 'deb', 'nsis', 'dmg', 'appImage']) {
    assert.ok(!('publish' in ((config[platform] as Record<string, unknown> | undefined) ?? {})), `no publish under ${platform}`);
  }
});

test('electron-builder: dist/** is packaged, source maps are not', () => {
  const files = config.files as string[];
  assert.ok(files.includes('dist/**'));
  assert.ok(files.includes('!dist/**/*.map'));
});

// electron-builder's own matcher for `files` (app-builder-lib, the version electron-builder
// runs), so the globs are read exactly as packaging reads them. A file is packaged when it and
// every folder above it pass the filter (electron-builder does not descend into a refused folder).
interface FileMatcherClass {
  new (from: string, to: string, expand: (s: string) => string, patterns: unknown): { createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean };
}
const { FileMatcher } = createRequire(join(repo, 'build/fuses.cjs'))('app-builder-lib/out/fileMatcher') as { FileMatcher: FileMatcherClass };
const packFilter = new FileMatcher(repo.replace(/\/$/, ''), '/app', (s) => s, config.files).createFilter();
function packaged(relPath: string): boolean {
  const parts = relPath.split('/');
  return parts.every((_, i) => {
    const isDirectory = i < parts.length - 1;
    return packFilter(join(repo, ...parts.slice(0, i + 1)), { isDirectory: () => isDirectory });
  });
}

test('electron-builder: the ceremony scripts and audit examples the main process reads are packaged', () => {
  // electron/main.ts: SCRIPTS = join(__dirname, '..', '..', 'ceremony-scripts'), __dirname being
  // the folder of package.json "main" (dist/electron/): ceremony-scripts/ at the app's root.
  const main = readFileSync(join(repo, 'electron/main.ts'), 'utf8');
  assert.match(main, /join\(__dirname, '\.\.', '\.\.', 'ceremony-scripts'\)/);
  assert.equal(posix.join(posix.dirname(pkg.main), '..', '..', 'ceremony-scripts'), 'ceremony-scripts');
  const scripts = readdirSync(join(repo, 'ceremony-scripts')).filter((f) => f.endsWith('.yaml'));
  const audit = readdirSync(join(repo, 'ceremony-scripts/audit'));
  assert.ok(scripts.length >= 4, 'the shipped .yaml scripts');
  assert.ok(audit.some((f) => f.endsWith('.js')), 'the audit examples');
  for (const f of [...scripts.map((f) => `ceremony-scripts/${f}`), ...audit.map((f) => `ceremony-scripts/audit/${f}`)]) assert.ok(packaged(f), `${f} is packaged`);
  // Not the sources: only the built app, package.json and the scripts.
  for (const f of ['electron/main.ts', 'core/errors.ts', 'renderer/src/main.tsx', 'test/unit/electron/packaging.test.ts', 'docs/APP-SHELL.md', 'build/bench.ts']) assert.ok(!packaged(f), `${f} is not packaged`);
});

test('electron-builder: the standalone verifier page a bundle export copies is packaged, and the main process passes its location', () => {
  assert.ok(packaged('dist/verifier/verify.html'));
  // A CommonJS main has no import.meta, so core/node/verifier-page.ts cannot find the page by itself.
  const main = readFileSync(join(repo, 'electron/main.ts'), 'utf8');
  assert.match(main, /pathToFileURL\(join\(__dirname, '\.\.', 'verifier', 'verify\.html'\)\)/);
  assert.equal(posix.join(posix.dirname(pkg.main), '..', 'verifier', 'verify.html'), 'dist/verifier/verify.html');
  assert.match(main, /ceremony: \{[^}]*verifierPage/);
  assert.match(main, /recovery: \{[^}]*verifierPage/);
  assert.ok((config.files as string[]).includes('dist/verifier/verify.html'), 'named, so a narrower dist/ list cannot drop it');
  assert.ok(packaged('dist/electron/main.cjs') && packaged('dist/electron/preload.cjs') && packaged('dist/renderer/index.html') && packaged('package.json'));
  assert.ok(!packaged('dist/renderer/assets/index.js.map'), 'source maps stay out');
});

test('electron-builder: AppImage + deb, dmg, nsis', () => {
  assert.deepEqual((config.linux as { target: string[] }).target, ['AppImage', 'deb']);
  assert.deepEqual((config.mac as { target: string[] }).target, ['dmg']);
  assert.deepEqual((config.win as { target: string[] }).target, ['nsis']);
});

test('electron-builder: the afterPack hook is the fuses script (and only it flips fuses)', () => {
  assert.equal(config.afterPack, 'build/fuses.cjs');
  assert.ok(existsSync(join(repo, 'build/fuses.cjs')));
  // electron-builder's own electronFuses option would flip them a second time: one or the other.
  assert.ok(!('electronFuses' in config));
});

test('fuses: every required fuse has the required state', () => {
  assert.deepEqual(
    { ...fuses.FUSE_SETTINGS },
    {
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      EnableCookieEncryption: true,
      GrantFileProtocolExtraPrivileges: false,
    },
  );
});

test('fuses: the Electron binary is found per platform', () => {
  const ctx = (electronPlatformName: string) => ({ electronPlatformName, appOutDir: '/out/x', packager: { appInfo: { productFilename: 'Keyrite' }, executableName: 'keyrite' } });
  assert.equal(fuses.executablePath(ctx('darwin')), '/out/x/Keyrite.app');
  assert.equal(fuses.executablePath(ctx('win32')), '/out/x/Keyrite.exe');
  assert.equal(fuses.executablePath(ctx('linux')), '/out/x/keyrite');
});

// The real @electron/fuses enums (FuseVersion, FuseV1Options) with flipFuses replaced by a
// spy, put in require.cache where build/fuses.cjs will require it.
interface FusesModule {
  FuseVersion: Record<string, string>;
  FuseV1Options: Record<string, number | string>;
  flipFuses(path: string, config: Record<string, unknown>): Promise<number>;
}
const hookRequire = createRequire(join(repo, 'build/fuses.cjs'));
const realFuses = hookRequire('@electron/fuses') as FusesModule;

type Flip = [string, Record<string, unknown>];

async function runHook(context: unknown, overrides: Partial<FusesModule> = {}, calls: Flip[] = []): Promise<Flip[]> {
  const id = hookRequire.resolve('@electron/fuses');
  const saved = hookRequire.cache[id];
  const fake = new Module(id);
  fake.exports = {
    ...realFuses,
    flipFuses: async (path: string, cfg: Record<string, unknown>) => {
      calls.push([path, cfg]);
      return 0;
    },
    ...overrides,
  };
  fake.loaded = true;
  hookRequire.cache[id] = fake;
  try {
    await fuses(context);
  } finally {
    if (saved) hookRequire.cache[id] = saved;
    else delete hookRequire.cache[id];
  }
  return calls;
}

const { Arch } = hookRequire('electron-builder') as { Arch: Record<string, number> };
const ARM64 = Arch.arm64!;
const X64 = Arch.x64!;
const packContext = (electronPlatformName: string, arch: number) => ({
  electronPlatformName,
  arch,
  appOutDir: `/out/${electronPlatformName}-unpacked`,
  packager: { appInfo: { productFilename: 'Keyrite' }, executableName: 'keyrite' },
});

test('fuses: afterPack flips exactly the listed fuses on the packaged binary', async () => {
  const calls = await runHook(packContext('linux', X64));
  assert.equal(calls.length, 1);
  const [path, cfg] = calls[0]!;
  assert.equal(path, '/out/linux-unpacked/keyrite');
  assert.equal(cfg.version, realFuses.FuseVersion.V1);
  const O = realFuses.FuseV1Options as Record<string, number>;
  assert.equal(cfg[O.RunAsNode!], false, 'RunAsNode off');
  assert.equal(cfg[O.EnableNodeOptionsEnvironmentVariable!], false, 'NODE_OPTIONS off');
  assert.equal(cfg[O.EnableNodeCliInspectArguments!], false, '--inspect off');
  assert.equal(cfg[O.EnableEmbeddedAsarIntegrityValidation!], true, 'asar integrity on');
  assert.equal(cfg[O.OnlyLoadAppFromAsar!], true, 'only load from asar');
  assert.equal(cfg[O.EnableCookieEncryption!], true, 'cookie encryption on');
  assert.equal(cfg[O.GrantFileProtocolExtraPrivileges!], false, 'file:// extra privileges off');
  // Nothing else: every key is the version, the ad-hoc re-sign switch, or one of the fuses above
  // (Electron has no telemetry fuse; nothing is switched on that the list does not name).
  const fuseKeys = Object.keys(fuses.FUSE_SETTINGS).map((name) => String(O[name]));
  assert.deepEqual(Object.keys(cfg).sort(), ['version', 'resetAdHocDarwinSignature', ...fuseKeys].sort());
  assert.equal(cfg.resetAdHocDarwinSignature, false);
});

test('fuses: the ad-hoc signature is reset on arm64 macOS only', async () => {
  const calls: Flip[] = [];
  await runHook(packContext('darwin', ARM64), {}, calls);
  await runHook(packContext('darwin', X64), {}, calls);
  await runHook(packContext('win32', ARM64), {}, calls);
  assert.deepEqual(
    calls.map(([path, cfg]) => [path, cfg.resetAdHocDarwinSignature]),
    [
      ['/out/darwin-unpacked/Keyrite.app', true],
      ['/out/darwin-unpacked/Keyrite.app', false],
      ['/out/win32-unpacked/Keyrite.exe', false],
    ],
  );
});

test('fuses: afterPack fails, flipping nothing, when @electron/fuses does not know a listed fuse', async () => {
  const { RunAsNode: _gone, ...fewer } = realFuses.FuseV1Options;
  const calls: Flip[] = [];
  await assert.rejects(runHook(packContext('linux', X64), { FuseV1Options: fewer }, calls), /does not know the fuse RunAsNode/);
  assert.deepEqual(calls, []);
});

test('npm run app builds then starts Electron on the built main', () => {
  assert.match(pkg.scripts.app ?? '', /npm run build && electron \./);
});
