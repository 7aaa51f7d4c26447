/** Every CLI command, in the order `keyrite --help` lists them. */
import type { Command } from '../command.ts';
import { selftestCommand } from './selftest.ts';

export const COMMANDS: Command[] = [selftestCommand];
