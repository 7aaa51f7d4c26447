// Lint, including Keyrite's layering rules (see docs/ARCHITECTURE.md):
//  - core/ is platform-free: no electron, react, Node built-ins or native modules,
//    except in core/node/, the one Node adapter folder;
//  - renderer/ talks only to the preload API: no electron, Node, native modules or core/node;
//  - electron/ipc/ (the IPC handlers) does not import electron, so tests drive it directly;
//  - nothing opens a network connection: no http/https/net/tls/dgram/dns/http2, no fetch.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Exact module names go in `paths`; `patterns` are gitignore-style and would also match
// a folder of the same name (core/crypto/ vs the `crypto` built-in).
const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));
const networkModules = ['http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'dns/promises', 'undici'].flatMap((m) => [m, `node:${m}`]);
const nativeModules = ['pkcs11js', 'usb'];
const uiModules = ['electron', 'react', 'react-dom', 'react/jsx-runtime', 'react-dom/client'];

const noNetworkGlobals = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource'].map((name) => ({
  name,
  message: 'Keyrite never touches the network.',
}));

/** no-restricted-imports for exact module names plus glob patterns, all with one message. */
function restrict(names, patterns, message) {
  return [
    'error',
    {
      paths: [...new Set(names)].map((name) => ({ name, message })),
      patterns: patterns.length > 0 ? [{ group: [...new Set(patterns)], message }] : [],
    },
  ];
}

const NETWORK = 'Keyrite never opens a network connection.';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'build/**', 'test/**'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
  {
    files: ['core/**', 'cli/**', 'electron/**', 'renderer/**'],
    rules: {
      'no-restricted-imports': restrict(networkModules, [], NETWORK),
      'no-restricted-globals': ['error', ...noNetworkGlobals],
    },
  },
  {
    files: ['core/**'],
    ignores: ['core/node/**'],
    rules: {
      'no-restricted-imports': restrict(
        [...networkModules, ...nodeBuiltins, ...nativeModules, ...uiModules],
        ['node:*', 'electron/*', 'react/*', 'react-dom/*', '**/core/node/*', '../node/*', './node/*', '../../node/*'],
        'core/ is platform-free: Node built-ins, native modules, electron and react belong in core/node/ or above core.',
      ),
      'no-restricted-globals': ['error', ...noNetworkGlobals, { name: 'process', message: 'core/ is platform-free.' }, { name: 'Buffer', message: 'core/ uses Uint8Array, never Buffer.' }, { name: 'require', message: 'ESM only.' }],
    },
  },
  {
    files: ['core/node/**'],
    rules: {
      'no-restricted-imports': restrict([...networkModules, ...uiModules], ['electron/*', 'react/*', 'react-dom/*'], 'core/node/ is the Node adapter: no electron, no react, no network.'),
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': restrict(
        [...networkModules, ...nodeBuiltins, ...nativeModules, 'electron'],
        ['node:*', 'electron/*', '**/core/node/*', '**/electron/*'],
        'renderer/ talks only to window.keyrite (the preload API).',
      ),
    },
  },
  {
    files: ['electron/ipc/**'],
    rules: {
      'no-restricted-imports': restrict([...networkModules, 'electron'], ['electron/*'], 'IPC handlers must not import electron, so tests can drive them directly.'),
    },
  },
);
