/**
 * Serves the app:// scheme from dist/renderer, and nothing else. Pure apart from the
 * `readFile` it is given, so tests (and the Chromium end-to-end test, through
 * page.route) serve exactly what Electron serves, with the same headers.
 */
import { isAbsolute, join, relative, sep } from 'node:path';
import { APP_CSP, appPathSegments, isAllowedAppUrl } from './app-origin.ts';

export interface AppResponse {
  status: 200 | 404 | 405;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

export type ReadFile = (absolutePath: string) => Promise<Uint8Array>;

/** Only these file types are served; anything else is a 404. */
const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
});

export function contentTypeFor(fileName: string): string | null {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0) return null;
  return CONTENT_TYPES[fileName.slice(dot).toLowerCase()] ?? null;
}

/** Headers sent with every app:// response, errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': APP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), hid=(), serial=(), display-capture=(), payment=()',
});

/**
 * The absolute file for an app path, or null when the path is not acceptable or would
 * leave `rootDir` (checked again after joining, whatever appPathSegments let through).
 */
export function resolveAppPath(pathname: string, rootDir: string): string | null {
  const segments = appPathSegments(pathname);
  if (segments === null) return null;
  const file = join(rootDir, ...segments);
  const rel = relative(rootDir, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return file;
}

function notFound(status: 404 | 405 = 404): AppResponse {
  return { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, body: null };
}

/** Answers one request for an app path (the URL's origin already checked by the caller). */
export async function serveAppPath(method: string, pathname: string, rootDir: string, readFile: ReadFile): Promise<AppResponse> {
  if (method !== 'GET' && method !== 'HEAD') return notFound(405);
  const file = resolveAppPath(pathname, rootDir);
  if (file === null) return notFound();
  const type = contentTypeFor(file);
  if (type === null) return notFound();
  let body: Uint8Array;
  try {
    body = await readFile(file);
  } catch {
    return notFound();
  }
  return { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': type }, body: method === 'HEAD' ? null : body };
}

/** Answers one app:// request by URL: anything that is not `app://keyrite/<path>` is a 404. */
export async function serveAppUrl(method: string, url: string, rootDir: string, readFile: ReadFile): Promise<AppResponse> {
  if (!isAllowedAppUrl(url)) return notFound();
  return serveAppPath(method, new URL(url).pathname, rootDir, readFile);
}
