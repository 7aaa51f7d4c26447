// Keyrite's layering as an allow-list, in the spirit of VS Code's `code-import-patterns`
// (docs/ARCHITECTURE.md "Layers"): every source file matches exactly one layer (the first whose
// `files` match it), and may import only what its layer allows. Every kind of import counts:
// static, type-only, re-exports, dynamic import(), require() and import('…') types.
//
// Patterns. `files`: "dir/**" (everything under dir) or one file. `allow`:
//   "dir/**" or a file     files of the repository (relative imports, resolved);
//   "pkg" or "@scope/pkg"  that package and any of its subpaths;   "@scope/*"  any package of the scope;
//   "pkg/some/file.js"     exactly that subpath (a pinned internal path);
//   "node:*"               Node built-ins (the network ones are refused by another rule for everyone);
//   "type:dir/**"          type-only imports of those files;
//   "**"                   anything (build scripts and tests).
// A module name computed at run time cannot be checked, so it is refused, except in a layer
// marked `computed: true` (with the reason beside it) or allowed anything.
import { builtinModules } from 'node:module';
import { posix, relative, sep } from 'node:path';

const BASE = ['core/errors.ts', 'core/bytes.ts'];
const core = (...folders) => folders.map((f) => `core/${f}/**`);
const NOBLE = ['@noble/ciphers', '@noble/curves', '@noble/hashes', '@noble/post-quantum', 'shamir-secret-sharing'];
/** core/ folders that every face of Keyrite above core may use. */
const CORE_ALL = [...BASE, 'core/version.ts', ...core('airgap', 'audit', 'bundle', 'ceremony', 'crypto', 'encoding', 'escrow', 'script', 'selftest', 'signing', 'tokens', 'transcript', 'verifier', 'node')];

export const LAYERS = [
  { files: ['core/errors.ts', 'core/version.ts'], allow: [] },
  { files: ['core/bytes.ts'], allow: ['core/errors.ts'] },
  { files: ['core/crypto/**'], allow: [...BASE, ...core('crypto'), ...NOBLE] },
  { files: ['core/encoding/**'], allow: [...BASE, ...core('crypto', 'encoding')] },
  { files: ['core/airgap/**'], allow: ['core/errors.ts'] },
  { files: ['core/tokens/**'], allow: [...BASE, ...core('crypto', 'encoding', 'tokens')] },
  { files: ['core/transcript/**'], allow: [...BASE, ...core('crypto', 'encoding', 'transcript')] },
  { files: ['core/selftest/**'], allow: [...BASE, ...core('crypto', 'encoding', 'selftest')] },
  { files: ['core/audit/**'], allow: [...BASE, ...core('crypto', 'encoding', 'audit'), 'quickjs-emscripten'] },
  // The share card: only its layout and its drawing touch the QR and PDF libraries, so the scanner path loads neither.
  { files: ['core/escrow/qrcode-core.d.ts'], allow: ['qrcode'] },
  { files: ['core/escrow/share-card-layout.ts'], allow: [...BASE, ...core('crypto', 'encoding', 'escrow'), 'pdf-lib', 'qrcode/lib/core/qrcode.js'] },
  { files: ['core/escrow/share-card-pdf.ts'], allow: [...BASE, ...core('escrow'), 'pdf-lib'] },
  { files: ['core/escrow/**'], allow: [...BASE, ...core('crypto', 'encoding', 'escrow')] },
  { files: ['core/script/script-pdf.ts'], allow: [...BASE, ...core('encoding', 'script'), 'pdf-lib'] },
  { files: ['core/script/**'], allow: [...BASE, ...core('crypto', 'encoding', 'tokens', 'script'), 'yaml'] },
  { files: ['core/bundle/**'], allow: [...BASE, ...core('crypto', 'encoding', 'escrow', 'tokens', 'transcript', 'bundle')] },
  // The signing formats: the request, the signed documents and the relying party's check (no ceremony, no platform).
  { files: ['core/signing/**'], allow: [...BASE, ...core('crypto', 'encoding', 'escrow', 'bundle', 'signing')] },
  { files: ['core/verifier/**'], allow: [...BASE, ...core('crypto', 'encoding', 'escrow', 'transcript', 'script', 'audit', 'bundle', 'signing', 'verifier')] },
  // The writer reaches the auditor's verifier through this one module (its own check of what it wrote).
  { files: ['core/ceremony/bundle-check.ts'], allow: [...BASE, ...core('bundle', 'ceremony', 'verifier')] },
  { files: ['core/ceremony/**'], allow: [...BASE, 'core/version.ts', ...core('airgap', 'crypto', 'encoding', 'escrow', 'selftest', 'tokens', 'transcript', 'script', 'bundle', 'signing', 'ceremony'), 'yaml'] },
  { files: ['core/ipc/**'], allow: [...BASE, ...core('airgap', 'crypto', 'selftest', 'ipc')] },
  { files: ['core/node/**'], allow: [...CORE_ALL, 'node:*', 'pkcs11js', 'usb'] },
  { files: ['cli/**'], allow: [...CORE_ALL, 'cli/**', 'node:*'] },
  { files: ['electron/ipc/**'], allow: [...CORE_ALL, 'core/ipc/**', 'electron/ipc/**', 'node:*'] },
  { files: ['electron/**'], allow: ['electron', 'electron/**', 'core/ipc/**', 'core/node/**', 'node:*'] },
  { files: ['renderer/src/**'], allow: ['renderer/src/**', 'react', 'react-dom', 'type:core/ipc/**'] },
  { files: ['renderer/verify-html/**'], allow: ['renderer/verify-html/**', ...BASE, ...core('crypto', 'encoding', 'bundle', 'signing', 'verifier')] },
  { files: ['renderer/vite.config.ts'], allow: ['vite', '@vitejs/plugin-react', 'node:*'] },
  // bin/keyrite.mjs loads the built CLI bundle by its URL (computed: dist/ is not a source file).
  { files: ['bin/**'], allow: ['node:*'], computed: true },
  // Auditors' example scripts run sandboxed in QuickJS: they import nothing.
  { files: ['ceremony-scripts/**'], allow: [] },
  { files: ['build/**', 'test/**', 'eslint.config.js'], allow: ['**'] },
];

const BUILTINS = new Set(builtinModules);

function matchesFile(file, pattern) {
  return pattern.endsWith('/**') ? file.startsWith(pattern.slice(0, -2)) : file === pattern;
}

function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** What an import specifier names: { file } for the repository's files, { pkg, spec } for packages, { builtin }. */
function resolveSpec(file, spec) {
  if (spec.startsWith('.')) return { file: posix.normalize(posix.join(posix.dirname(file), spec)) };
  if (spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0])) return { builtin: spec.replace(/^node:/, '') };
  return { pkg: packageOf(spec), spec };
}

function allowed(target, typeOnly, patterns) {
  return patterns.some((p) => {
    if (p === '**') return true;
    if (p.startsWith('type:')) return typeOnly && target.file !== undefined && matchesFile(target.file, p.slice(5));
    if (target.file !== undefined) return matchesFile(target.file, p);
    if (target.builtin !== undefined) return p === 'node:*';
    if (p.endsWith('/*')) return target.pkg.startsWith(p.slice(0, -1));
    return p === target.pkg || p === target.spec;
  });
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: "Every file imports only what its layer allows (build/eslint-layers.mjs)." },
    schema: [],
    messages: {
      noLayer: 'No layer rule of build/eslint-layers.mjs covers {{file}}: add one before adding the file.',
      notAllowed: '{{file}} ({{layer}}) may not import {{what}}; see docs/ARCHITECTURE.md "Layers" and build/eslint-layers.mjs.',
      computed: 'An import whose module name is computed cannot be checked against the layers; name the module literally.',
    },
  },
  create(context) {
    const file = relative(context.cwd, context.filename).split(sep).join('/');
    const layer = LAYERS.find((l) => l.files.some((f) => matchesFile(file, f)));
    const check = (node, source, typeOnly) => {
      if (!layer) return;
      if (source?.type !== 'Literal' || typeof source.value !== 'string') {
        if (!layer.computed && !layer.allow.includes('**')) context.report({ node, messageId: 'computed' });
        return;
      }
      const target = resolveSpec(file, source.value);
      if (!allowed(target, typeOnly, layer.allow)) {
        const what = target.file ?? (target.builtin !== undefined ? `node:${target.builtin}` : target.spec);
        context.report({ node, messageId: 'notAllowed', data: { file, layer: layer.files.join(', '), what: typeOnly ? `${what} (even as a type)` : what } });
      }
    };
    return {
      Program(node) {
        if (!layer) context.report({ node, messageId: 'noLayer', data: { file } });
      },
      ImportDeclaration(node) {
        const typeOnly = node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
        check(node, node.source, typeOnly);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source, node.exportKind === 'type');
      },
      ExportAllDeclaration(node) {
        check(node, node.source, node.exportKind === 'type');
      },
      ImportExpression(node) {
        check(node, node.source, false);
      },
      TSImportType(node) {
        check(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument, true);
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node, node.arguments[0], false);
      },
    };
  },
};

export const layersPlugin = { rules: { layers: rule } };
