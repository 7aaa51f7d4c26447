// Proves the layering rules in eslint.config.js bite: each snippet is linted as if it
// lived at the given path, and must (or must not) be reported.
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
];

for (const [name, path, code] of violations) {
  test(`lint rejects: ${name}`, async () => {
    const ids = await ruleIds(code, path);
    assert.ok(
      ids.some((id) => id === 'no-restricted-imports' || id === 'no-restricted-globals'),
      `expected a layering error for ${path}, got ${JSON.stringify(ids)}`,
    );
  });
}

const allowed: Array<[string, string, string]> = [
  ['node adapter imports node:fs', 'core/node/x.ts', "import { readFileSync } from 'node:fs';\nreadFileSync('a');\n"],
  ['core imports noble', 'core/crypto/x.ts', "import { sha256 } from '@noble/hashes/sha2.js';\nsha256(new Uint8Array());\n"],
  ['electron main imports electron', 'electron/main.ts', "import { app } from 'electron';\napp.quit();\n"],
  ['renderer imports react', 'renderer/src/x.tsx', "import { useState } from 'react';\nuseState(0);\n"],
];

for (const [name, path, code] of allowed) {
  test(`lint allows: ${name}`, async () => {
    assert.deepEqual(await ruleIds(code, path), []);
  });
}
