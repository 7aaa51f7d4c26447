// Builds verifier/verify.html: ONE self-contained file (docs/VERIFIER.md "verify.html").
// renderer/verify-html/main.ts is bundled by esbuild (browser, IIFE, minified) and inlined
// with the minified styles.css into page.html; the CSP allows exactly those two inline blocks
// by their SHA-256 and nothing else. The build fails if any Node code (core/node/, node:*)
// would end up in the page, or if the output would reference anything outside itself.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const sourceDir = 'renderer/verify-html';

const verifierCsp = (scriptHash, styleHash) =>
  `default-src 'none'; script-src '${scriptHash}'; style-src '${styleHash}'; img-src 'none'; connect-src 'none'; ` +
  `form-action 'none'; base-uri 'none'; object-src 'none'; require-trusted-types-for 'script'; trusted-types 'none'`;

const cspHash = (text) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;

function refuseNodeCode(metafile) {
  const nodeInputs = Object.keys(metafile.inputs).filter((p) => p.includes('core/node/') || p.startsWith('node:'));
  const externals = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  if (nodeInputs.length > 0 || externals.length > 0) {
    throw new Error(`verify.html would include Node code: ${[...nodeInputs, ...externals].join(', ')}`);
  }
}

/** Writes the page to `outFile` (absolute) from the sources under `root`; returns its HTML. */
export async function buildVerifierPage(root, outFile) {
  const at = (...p) => join(root, sourceDir, ...p);
  const bundle = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [at('main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  refuseNodeCode(bundle.metafile);
  const script = bundle.outputFiles[0].text.trimEnd();
  const style = (await esbuild.transform(readFileSync(at('styles.css'), 'utf8'), { loader: 'css', minify: true })).code.trimEnd();
  if (/<\/script/i.test(script) || /<\/style/i.test(style)) throw new Error('verify.html: the inline script or style would close its own element');
  if (/url\(/i.test(style) || /@import/i.test(style)) throw new Error('verify.html: the style references an outside resource');
  const slots = { CSP: verifierCsp(cspHash(script), cspHash(style)), STYLE: style, SCRIPT: script };
  const html = readFileSync(at('page.html'), 'utf8').replace(/\{\{(CSP|STYLE|SCRIPT)\}\}/g, (_, slot) => slots[slot]);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, html);
  return html;
}
