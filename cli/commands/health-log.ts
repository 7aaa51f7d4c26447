/**
 * `keyrite health-log append LOG RECORD [--json]`: appends a trustee's signed health record
 * (`keyrite check-share --health-record`) to the share health log in folder LOG
 * (core/node/health-log-file.ts): created with its first record when missing, otherwise only
 * appended to, fsynced. A record the verifier would refuse (not signed by the keys it carries,
 * another ceremony or epoch, already in the log, not later than the trustee's last record) is
 * refused by name and nothing is written. Exit 0 appended, 1 refused, 2 usage or I/O error.
 */
import { resolve } from 'node:path';
import { EXIT, printJson, type Command } from '../command.ts';
import { appendHealthRecord } from '../../core/node/health-log-file.ts';
import { readInput } from './ceremony-run.ts';
import { HEALTH_LOG_APPEND_SPEC } from './specs.ts';

export const healthLogAppendCommand: Command = {
  ...HEALTH_LOG_APPEND_SPEC,
  async run(args, io) {
    const dir = resolve(io.cwd, args.positionals[0]!);
    const recordBytes = await readInput(resolve(io.cwd, args.positionals[1]!), 'health record');
    const r = await appendHealthRecord(dir, recordBytes);
    const b = r.record.body;
    if (args.flag('json')) {
      printJson(io, { ok: true, log: r.path, created: r.created, line: r.line, repairedBytes: r.repairedBytes, trusteeId: b.trusteeId, checkedAt: b.checkedAt, result: b.result, ceremonyId: b.ceremonyId, epoch: b.epoch });
    } else {
      const lines = [
        `${r.created ? 'Started the health log' : 'Appended to the health log'} ${r.path} (line ${r.line}):`,
        `  ${b.trusteeId}, share ${b.x}, checked at ${b.checkedAt}: ${b.result}; ceremony ${b.ceremonyId}, escrow epoch ${b.epoch}.`,
      ];
      if (r.repairedBytes > 0) lines.push(`  An earlier append had been interrupted: its incomplete last line (${r.repairedBytes} bytes) was cut off first.`);
      lines.push('Auditors check it with: keyrite verify BUNDLE --trust FINGERPRINT --health-log LOG');
      io.stdout(lines.join('\n') + '\n');
    }
    return EXIT.OK;
  },
};
