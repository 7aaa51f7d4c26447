/**
 * SoftHSM2 test harness: N fresh tokens in a temp folder with its own softhsm2.conf.
 *
 * SoftHSM reads SOFTHSM2_CONF when the module is C_Initialize'd, and Keyrite initialises a
 * module once per process (core/node/pkcs11/module.ts). So: one harness per test file
 * (node:test runs every file in its own process), created before the first Pkcs11Module.open.
 * createSoftHsm() sets process.env.SOFTHSM2_CONF (restored by cleanup()) and refuses to run
 * twice in one process with a module already open.
 *
 * Tokens are initialised with `softhsm2-util --init-token --free --label … --so-pin … --pin …`;
 * SoftHSM renumbers slots on init, so the harness reports labels and serials only.
 * PINs are random per run, so tests can scan output for them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const MODULE_CANDIDATES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib64/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so', '/opt/homebrew/lib/softhsm/libsofthsm2.so'];

export const SOFTHSM_MODULE: string = process.env.KEYRITE_TEST_SOFTHSM_MODULE ?? MODULE_CANDIDATES.find((p) => existsSync(p)) ?? MODULE_CANDIDATES[0]!;

export function softHsmAvailable(): boolean {
  if (!existsSync(SOFTHSM_MODULE)) return false;
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function pkcs11ToolAvailable(): boolean {
  try {
    execFileSync('pkcs11-tool', ['--help'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // pkcs11-tool --help exits 1 on some versions but exists.
    return (e as { code?: string }).code !== 'ENOENT';
  }
}

export interface SoftHsmToken {
  label: string;
  serial: string;
  pin: string;
  soPin: string;
}

export interface SoftHsmHarness {
  dir: string;
  conf: string;
  module: string;
  tokens: SoftHsmToken[];
  /** Environment for child processes (SOFTHSM2_CONF set). */
  env: NodeJS.ProcessEnv;
  /** Runs pkcs11-tool against this harness' module and conf; returns stdout. */
  pkcs11Tool(args: string[]): string;
  cleanup(): void;
}

export interface SoftHsmOptions {
  /** Value for slots.mechanisms (SoftHSM whitelist, e.g. "CKM_EC_KEY_PAIR_GEN,CKM_ECDSA"); default ALL. */
  mechanisms?: string;
  /** Set process.env.SOFTHSM2_CONF (default true). */
  setProcessEnv?: boolean;
}

let active = false;

function randomPin(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('base64url')}`;
}

function parseSlots(text: string): { label: string; serial: string }[] {
  const out: { label: string; serial: string }[] = [];
  let serial: string | undefined;
  for (const line of text.split('\n')) {
    const s = /^\s*Serial number:\s*(\S*)\s*$/.exec(line);
    if (s) serial = s[1];
    const l = /^\s*Label:\s*(.*?)\s*$/.exec(line);
    if (l && serial !== undefined) {
      if (serial.length > 0) out.push({ label: l[1]!, serial });
      serial = undefined;
    }
  }
  return out;
}

/** Creates tokens with the given labels (duplicates allowed, to test ambiguity). */
export function createSoftHsm(labels: string[], opts: SoftHsmOptions = {}): SoftHsmHarness {
  if (!softHsmAvailable()) throw new Error(`SoftHSM2 is not installed (module ${SOFTHSM_MODULE}, softhsm2-util)`);
  const setEnv = opts.setProcessEnv ?? true;
  if (setEnv && active) throw new Error('one SoftHSM harness per test process: SoftHSM reads SOFTHSM2_CONF only at C_Initialize');
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-softhsm-'));
  const tokendir = join(dir, 'tokens');
  mkdirSync(tokendir, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    [`directories.tokendir = ${tokendir}`, 'objectstore.backend = file', 'log.level = ERROR', 'slots.removable = false', `slots.mechanisms = ${opts.mechanisms ?? 'ALL'}`, 'library.reset_on_fork = false', ''].join('\n'),
    { mode: 0o600 },
  );
  const env: NodeJS.ProcessEnv = { ...process.env, SOFTHSM2_CONF: conf };
  const tokens: SoftHsmToken[] = [];
  try {
    for (const label of labels) {
      const pin = randomPin('pin');
      const soPin = randomPin('so');
      execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin], { env, stdio: 'pipe' });
      const known = new Set(tokens.map((t) => t.serial));
      const fresh = parseSlots(execFileSync('softhsm2-util', ['--show-slots'], { env, encoding: 'utf8' })).find((s) => s.label === label && !known.has(s.serial));
      if (!fresh) throw new Error(`could not find the serial of the new SoftHSM token ${label}`);
      tokens.push({ label, serial: fresh.serial, pin, soPin });
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const previous = process.env.SOFTHSM2_CONF;
  if (setEnv) {
    process.env.SOFTHSM2_CONF = conf;
    active = true;
  }
  return {
    dir,
    conf,
    module: SOFTHSM_MODULE,
    tokens,
    env,
    pkcs11Tool(args: string[]): string {
      return execFileSync('pkcs11-tool', ['--module', SOFTHSM_MODULE, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      if (setEnv) {
        if (previous === undefined) delete process.env.SOFTHSM2_CONF;
        else process.env.SOFTHSM2_CONF = previous;
        active = false;
      }
    },
  };
}
