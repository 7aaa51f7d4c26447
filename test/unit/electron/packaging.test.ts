// The packaging configuration (electron-builder is not a dependency yet: its config and
// the fuses hook are checked as data here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const repo = new URL('../../../', import.meta.url).pathname;
const config = parse(readFileSync(join(repo, 'build/electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const fuses = createRequire(import.meta.url)(join(repo, 'build/fuses.cjs')) as {
  FUSE_SETTINGS: Record<string, boolean>;
  executablePath(context: unknown): string;
};
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
});

test('electron-builder: AppImage + deb, dmg, nsis', () => {
  assert.deepEqual((config.linux as { target: string[] }).target, ['AppImage', 'deb']);
  assert.deepEqual((config.mac as { target: string[] }).target, ['dmg']);
  assert.deepEqual((config.win as { target: string[] }).target, ['nsis']);
});

test('electron-builder: the afterPack hook is the fuses script', () => {
  assert.equal(config.afterPack, 'build/fuses.cjs');
  assert.ok(existsSync(join(repo, 'build/fuses.cjs')));
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

test('npm run app builds then starts Electron on the built main', () => {
  assert.match(pkg.scripts.app ?? '', /npm run build && electron \./);
});
