/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads this hook with require() */
/* global require, module */
// electron-builder afterPack hook: flips Electron's fuses on the packaged binary, before
// signing, so the shipped Keyrite cannot be turned back into a general Node runtime or
// made to load code from outside its (integrity-checked) app.asar.
// Needs @electron/fuses (and electron-builder, which runs this hook).
const path = require('node:path');

/** Fuse name (FuseV1Options key) → wanted state. test/unit/electron/packaging.test.ts checks it. */
const FUSE_SETTINGS = Object.freeze({
  RunAsNode: false, // ELECTRON_RUN_AS_NODE is ignored
  EnableNodeOptionsEnvironmentVariable: false, // NODE_OPTIONS is ignored
  EnableNodeCliInspectArguments: false, // --inspect and friends are ignored
  EnableEmbeddedAsarIntegrityValidation: true, // app.asar is checked against the hash in the binary (macOS, Windows)
  OnlyLoadAppFromAsar: true, // no fallback to a loose app/ folder
  EnableCookieEncryption: true, // the (in-memory, unused) cookie store would be encrypted on disk
  GrantFileProtocolExtraPrivileges: false, // file:// behaves like a browser's; the app uses app:// only
});

/** Where electron-builder put the Electron binary for this platform. */
function executablePath(context) {
  const { electronPlatformName, appOutDir, packager } = context;
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin') return path.join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${name}.exe`);
  return path.join(appOutDir, packager.executableName || name);
}

async function afterPack(context) {
  const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');
  const { Arch } = require('electron-builder');
  const config = {
    version: FuseVersion.V1,
    // Flipping fuses breaks the ad-hoc signature of arm64 macOS builds; re-sign ad hoc
    // (a real signing step after this hook replaces it).
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === Arch.arm64,
  };
  for (const [name, value] of Object.entries(FUSE_SETTINGS)) {
    if (!(name in FuseV1Options)) throw new Error(`@electron/fuses does not know the fuse ${name}`);
    config[FuseV1Options[name]] = value;
  }
  await flipFuses(executablePath(context), config);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.FUSE_SETTINGS = FUSE_SETTINGS;
module.exports.executablePath = executablePath;
