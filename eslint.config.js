// Lint, including Keyrite's layering rules (see docs/ARCHITECTURE.md "Layers"):
//  - every source file belongs to one layer and imports only what that layer allows
//    (build/eslint-layers.mjs: an allow-list, every kind of import counted);
//  - core/ is platform-free: no process, Buffer, require() or dynamic import() outside
//    core/node/, the one Node adapter folder;
//  - nothing opens a network connection: no http/https/net/tls/dgram/dns/http2, no fetch,
//    XMLHttpRequest, WebSocket or EventSource, not even through globalThis.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './build/eslint-layers.mjs';

const NETWORK = 'Keyrite never opens a network connection.';
const networkModules = ['http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'dns/promises', 'undici'].flatMap((m) => [m, `node:${m}`]);
const networkApis = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource'];
const noNetworkGlobals = networkApis.map((name) => ({ name, message: NETWORK }));
const noNetworkProperties = ['globalThis', 'window', 'self', 'global'].flatMap((object) => networkApis.map((property) => ({ object, property, message: NETWORK })));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    plugins: { keyrite: layersPlugin },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      'keyrite/layers': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'build/**', 'test/**'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
  {
    files: ['core/**', 'cli/**', 'electron/**', 'renderer/**', 'bin/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: networkModules.map((name) => ({ name, message: NETWORK })) }],
      'no-restricted-globals': ['error', ...noNetworkGlobals],
      'no-restricted-properties': ['error', ...noNetworkProperties],
    },
  },
  {
    files: ['core/**'],
    ignores: ['core/node/**'],
    rules: {
      'no-restricted-globals': ['error', ...noNetworkGlobals, { name: 'process', message: 'core/ is platform-free.' }, { name: 'Buffer', message: 'core/ uses Uint8Array, never Buffer.' }, { name: 'require', message: 'ESM only.' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: 'core/ loads no module at run time: import it statically (the layers check every import).' },
        { selector: "CallExpression[callee.name='require']", message: 'ESM only.' },
      ],
    },
  },
);
