/**
 * The standalone verifier page that every bundle carries as verifier/verify.html, as built by
 * `npm run build` (build/build.mjs, target "verifier") into dist/verifier/verify.html.
 */
import { readFile } from 'node:fs/promises';
import { KeyriteError } from '../errors.ts';
import { toPlainBytes } from '../bytes.ts';

function candidates(): URL[] {
  try {
    const here = new URL(import.meta.url);
    // Next to the CLI bundle (dist/cli/keyrite.mjs), or from the sources (core/node/).
    return [new URL('../verifier/verify.html', here), new URL('../../dist/verifier/verify.html', here)];
  } catch {
    return []; // a CommonJS bundle (Electron main) passes the page's location itself
  }
}

export async function readVerifierPage(location?: URL): Promise<Uint8Array> {
  for (const url of location ? [location] : candidates()) {
    try {
      return toPlainBytes(await readFile(url));
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw new KeyriteError('IO_ERROR', `The standalone verifier page (${url.pathname}) cannot be read.`, { cause: e });
    }
  }
  throw new KeyriteError('IO_ERROR', 'The standalone verifier page (verifier/verify.html) is missing from this Keyrite installation; rebuild it with "npm run build".');
}
