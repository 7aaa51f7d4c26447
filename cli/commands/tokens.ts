/**
 * `keyrite tokens [--module PATH] [--software-dir DIR] [--json]`: lists the PKCS#11 tokens of
 * the configured module, the software tokens in the configured folder (rehearsal only), and
 * the USB status. Finding nothing is a normal answer (exit 0); a module or folder that was
 * configured but cannot be read is an I/O error (exit 2), reported next to the rest.
 */
import { EXIT, printJson, type Command } from '../command.ts';
import { discoverTokens, type TokenInventory } from '../../core/node/token-discovery.ts';
import { PKCS11_MODULE_ENV } from '../../core/node/pkcs11/module.ts';
import { SOFTWARE_TOKENS_ENV } from '../../core/node/software-token-file.ts';
import { describeCapabilities, describePinState, type TokenDescription } from '../../core/tokens/token.ts';
import { TOKENS_SPEC } from './specs.ts';

function tokenLines(t: TokenDescription): string[] {
  const caps = describeCapabilities(t.capabilities);
  return [
    `  ${t.label}${t.rehearsalOnly ? '  [rehearsal only]' : ''}`,
    `    URI:          ${t.uri}`,
    `    serial:       ${t.serial || '(none)'}`,
    `    model:        ${t.model} (${t.manufacturer})`,
    `    PIN:          ${describePinState(t.pin)}`,
    `    capabilities: ${caps.length > 0 ? caps.join(', ') : 'none Keyrite can use'}`,
    ...(t.rehearsalOnly ? [`    file:         ${t.location}`] : []),
  ];
}

export function formatInventory(inv: TokenInventory): string {
  const lines: string[] = [];
  const p = inv.pkcs11;
  if (!p.configured) {
    lines.push(`No PKCS#11 module is configured (use --module PATH or set ${PKCS11_MODULE_ENV}).`);
  } else {
    const lib = p.library ? ` (${p.library.description} ${p.library.version}, ${p.library.manufacturer})` : '';
    lines.push(`PKCS#11 module ${p.module}${lib}:`);
    if (p.error) lines.push(`  error: ${p.error.message}`);
    else if (p.tokens.length === 0) lines.push('  no initialised token found.');
    for (const t of p.tokens) lines.push(...tokenLines(t));
    if (p.uninitialized > 0) lines.push(`  (${p.uninitialized} slot${p.uninitialized === 1 ? '' : 's'} with an uninitialised token not listed)`);
  }
  lines.push('');
  const s = inv.software;
  if (!s.configured) {
    lines.push(`No software-token folder is configured (use --software-dir DIR or set ${SOFTWARE_TOKENS_ENV}).`);
  } else {
    lines.push(`Software tokens in ${s.dir} (rehearsal only):`);
    if (s.error) lines.push(`  error: ${s.error.message}`);
    else if (s.tokens.length === 0) lines.push('  none found.');
    for (const t of s.tokens) lines.push(...tokenLines(t));
    for (const pr of s.problems) lines.push(`  unreadable: ${pr.message}`);
  }
  lines.push('');
  const u = inv.usb;
  if (!u.status.available) {
    lines.push(`USB: not available: ${u.status.reason}.`);
  } else {
    lines.push(`USB: ${u.devices.length} device${u.devices.length === 1 ? '' : 's'} attached.`);
    for (const d of u.devices) lines.push(`  ${d.name}${d.rescanHint ? '  [token vendor]' : ''}`);
  }
  return lines.join('\n') + '\n';
}

export const tokensCommand: Command = {
  ...TOKENS_SPEC,
  async run(args, io) {
    const inv = await discoverTokens({ module: args.value('module'), softwareDir: args.value('software-dir'), env: io.env });
    const failed = inv.pkcs11.error !== undefined || inv.software.error !== undefined;
    if (args.flag('json')) printJson(io, { ok: !failed, ...inv });
    else io.stdout(formatInventory(inv));
    if (inv.pkcs11.error) io.stderr(`keyrite: ${inv.pkcs11.error.message}\n`);
    if (inv.software.error) io.stderr(`keyrite: ${inv.software.error.message}\n`);
    return failed ? EXIT.USAGE_OR_IO : EXIT.OK;
  },
};
