/**
 * The app's own origin, `app://keyrite`, and the Content Security Policy it is served with.
 * Pure (no electron import): the guards, the protocol handler, the IPC sender check and
 * the tests all decide "is this the app's own page?" through this one module.
 *
 * Why a custom scheme instead of file://: a file:// page has an opaque origin, so ES
 * module scripts do not load, every file on the disk is "the same origin", and a
 * navigation to any other local file looks like the app. `app://keyrite/…` is a
 * privileged standard + secure scheme served only from dist/renderer
 * (electron/app-protocol.ts), so the page has a real origin that nothing else shares.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'keyrite';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Privileges for protocol.registerSchemesAsPrivileged: `standard` (relative URLs resolve,
 * the page has a real origin) and `secure` (a secure context). Nothing else: no fetch
 * API, no CORS, no CSP bypass, no service workers, no streaming.
 */
export const APP_SCHEME_PRIVILEGES = Object.freeze({ standard: true, secure: true });

/**
 * The in-memory session partition the window uses (no `persist:` prefix): cookies,
 * storage and HTTP cache live in memory only and never reach the disk.
 */
export const APP_PARTITION = 'keyrite-app';

/** CSP served as an HTTP header with every app:// response. */
export const CSP_DIRECTIVES: readonly string[] = Object.freeze([
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
]);

export const APP_CSP = CSP_DIRECTIVES.join('; ');

/**
 * The same policy for the `<meta http-equiv>` tag in renderer/index.html (a second
 * line of defence, and what protects the page when it is opened outside the app).
 * Browsers ignore `frame-ancestors` in a meta tag and log an error about it, so the
 * meta copy leaves it out; the header carries it.
 */
export const APP_CSP_META = CSP_DIRECTIVES.filter((d) => !d.startsWith('frame-ancestors')).join('; ');

/**
 * The path part of an app URL as a list of decoded segments, or null when the path is
 * not a plain relative file path: empty, `.` or `..` segments, slashes or backslashes
 * hidden by percent-encoding, NUL, colons, or bad percent-encoding are all refused.
 * `/` alone yields `['index.html']`.
 */
export function appPathSegments(pathname: string): string[] | null {
  if (!pathname.startsWith('/')) return null;
  if (pathname === '/') return ['index.html'];
  const out: string[] = [];
  for (const raw of pathname.slice(1).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (seg === '' || seg === '.' || seg === '..' || /[/\\:\0]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

/**
 * true only for `app://keyrite/<file path>` (optionally with query or fragment): the
 * exact scheme and host, no port, no user info, and a path that passes appPathSegments.
 */
export function isAllowedAppUrl(url: string): boolean {
  if (typeof url !== 'string') return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return (
    u.protocol === `${APP_SCHEME}:` &&
    u.hostname === APP_HOST &&
    u.port === '' &&
    u.username === '' &&
    u.password === '' &&
    appPathSegments(u.pathname) !== null
  );
}
