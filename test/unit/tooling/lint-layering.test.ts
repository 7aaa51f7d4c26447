// Proves the layering rules in eslint.config.js and build/eslint-layers.mjs bite: each snippet
// is linted as if it lived at the given path, and must (or must not) be reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../../..', import.meta.url).pathname });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, 'eslint returned no result');
  return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const violations: Array<[string, string, string]> = [
  ['core imports node:fs', 'core/crypto/x.ts', "import { readFileSync } from 'node:fs';\nreadFileSync('a');\n"],
  ['core imports bare fs', 'core/encoding/x.ts', "import fs from 'fs';\nfs.readFileSync('a');\n"],
  ['core imports electron', 'core/x.ts', "import { app } from 'electron';\napp.quit();\n"],
  ['core imports react', 'core/x.ts', "import React from 'react';\nReact.toString();\n"],
  ['core imports pkcs11js', 'core/tokens/x.ts', "import * as p from 'pkcs11js';\np.toString();\n"],
  ['core imports the node adapter', 'core/crypto/x.ts', "import { a } from '../node/files.ts';\na();\n"],
  ['core uses process', 'core/x.ts', 'export const e = process.env;\n'],
  ['core uses Buffer', 'core/x.ts', "export const b = Buffer.from('a');\n"],
  ['core calls fetch', 'core/x.ts', "export const r = fetch('https://example.com');\n"],
  ['node adapter imports electron', 'core/node/x.ts', "import { app } from 'electron';\napp.quit();\n"],
  ['node adapter imports https', 'core/node/x.ts', "import https from 'node:https';\nhttps.get('x');\n"],
  ['renderer imports electron', 'renderer/src/x.tsx', "import { ipcRenderer } from 'electron';\nipcRenderer.send('a');\n"],
  ['renderer imports node:path', 'renderer/src/x.tsx', "import path from 'node:path';\npath.join('a');\n"],
  ['renderer imports the node adapter', 'renderer/src/x.tsx', "import { a } from '../../core/node/files.ts';\na();\n"],
  ['IPC handlers import electron', 'electron/ipc/handlers.ts', "import { ipcMain } from 'electron';\nipcMain.handle('a', () => 1);\n"],
  ['main imports net', 'electron/main.ts', "import net from 'node:net';\nnet.connect(1);\n"],
  ['cli imports http', 'cli/x.ts', "import http from 'http';\nhttp.get('x');\n"],
  ['cli calls fetch', 'cli/x.ts', "export const r = fetch('https://example.com');\n"],
  // The holes the deny-list had, each closed by the allow-list (issue 12).
  ['core loads node:fs with a dynamic import()', 'core/crypto/x.ts', "export const m = import('node:fs');\n"],
  ['core reaches fetch through globalThis', 'core/encoding/x.ts', "export const r = globalThis.fetch('https://example.com');\n"],
  ['core reaches WebSocket through window', 'core/x.ts', "export const w = new window.WebSocket('wss://example.com');\n"],
  ['core/crypto imports core/ceremony', 'core/crypto/x.ts', "import { runCeremony } from '../ceremony/kinds/root-keygen.ts';\nexport const r = runCeremony;\n"],
  ['renderer/src imports the ceremony engine', 'renderer/src/x.tsx', "import { runKind } from '../../core/ceremony/engine.ts';\nexport const r = runKind;\n"],
  ['cli imports electron', 'cli/x.ts', "import { app } from 'electron';\napp.quit();\n"],
  // And what the allow-list adds.
  ['the verifier imports the ceremony', 'core/verifier/x.ts', "import { runCeremony } from '../ceremony/kinds/root-keygen.ts';\nexport const r = runCeremony;\n"],
  ['the verifier imports a ceremony type', 'core/verifier/x.ts', "import type { JournalState } from '../ceremony/journal.ts';\nexport type J = JournalState;\n"],
  ['a ceremony module other than bundle-check imports the verifier', 'core/ceremony/x.ts', "import { verifyBundle } from '../verifier/verify.ts';\nexport const v = verifyBundle;\n"],
  ['renderer/src imports a value from core/ipc', 'renderer/src/x.tsx', "import { ok } from '../../core/ipc/contract.ts';\nexport const o = ok(1);\n"],
  ['the share card QR framing imports pdf-lib', 'core/escrow/share-card-parts.ts', "import { PDFDocument } from 'pdf-lib';\nexport const d = PDFDocument;\n"],
  ['core/escrow imports qrcode through its main entry', 'core/escrow/share-card-layout.ts', "import QRCode from 'qrcode';\nexport const q = QRCode;\n"],
  ['core/transcript imports noble directly', 'core/transcript/x.ts', "import { p256 } from '@noble/curves/nist.js';\nexport const p = p256;\n"],
  ['core requires a module', 'core/tokens/x.ts', "export const m = require('./token.ts');\n"],
  ['a computed dynamic import in the Node adapter', 'core/node/x.ts', 'const name = "pkcs11js";\nexport const m = import(name);\n'],
  ['a source file in a folder no layer covers', 'newfolder/x.ts', 'export const a = 1;\n'],
];

for (const [name, path, code] of violations) {
  test(`lint rejects: ${name}`, async () => {
    const ids = await ruleIds(code, path);
    assert.ok(
      ids.some((id) => ['no-restricted-imports', 'no-restricted-globals', 'no-restricted-properties', 'no-restricted-syntax', 'keyrite/layers'].includes(id)),
      `expected a layering error for ${path}, got ${JSON.stringify(ids)}`,
    );
  });
}

const allowed: Array<[string, string, string]> = [
  ['node adapter imports node:fs', 'core/node/x.ts', "import { readFileSync } from 'node:fs';\nreadFileSync('a');\n"],
  ['core imports noble', 'core/crypto/x.ts', "import { sha256 } from '@noble/hashes/sha2.js';\nsha256(new Uint8Array());\n"],
  ['electron main imports electron', 'electron/main.ts', "import { app } from 'electron';\napp.quit();\n"],
  ['renderer imports react', 'renderer/src/x.tsx', "import { useState } from 'react';\nuseState(0);\n"],
  ['renderer/src imports types from core/ipc', 'renderer/src/x.tsx', "import type { IpcResult } from '../../core/ipc/contract.ts';\nexport type R = IpcResult<number>;\n"],
  ['the ceremony reaches the verifier through bundle-check', 'core/ceremony/bundle-check.ts', "import { verifyBundle } from '../verifier/verify.ts';\nexport const v = verifyBundle;\n"],
  ['the verifier imports the bundle formats', 'core/verifier/x.ts', "import { BUNDLE_KIND_SPECS } from '../bundle/kinds.ts';\nexport const k = BUNDLE_KIND_SPECS;\n"],
  ['the share card layout imports its pinned QR builder', 'core/escrow/share-card-layout.ts', "import { create } from 'qrcode/lib/core/qrcode.js';\nexport const c = create;\n"],
  ['the Node adapter loads pkcs11js at run time', 'core/node/x.ts', "export const m = import('pkcs11js');\n"],
];

for (const [name, path, code] of allowed) {
  test(`lint allows: ${name}`, async () => {
    assert.deepEqual(await ruleIds(code, path), []);
  });
}
