import type { Argv, CommandModule } from 'yargs';
import { runCommand } from '../runCommand.js';
import { repairOptions, runRepair, type RepairArgs } from './repair.js';

/** The post-crash command: check, apply every fix that loses no information, say what was mended and cut. */
export const recoverCommand: CommandModule<object, RepairArgs> = {
  command: 'recover [dir]',
  describe: 'after a crash: check, apply the safe fixes (repair -p), and say what was mended and what was cut',
  builder: (y) => repairOptions(y, false) as unknown as Argv<RepairArgs>,
  handler: (args) => runCommand(() => runRepair({ ...args, 'dry-run': false, preen: true, yes: false }, 'preen', 'recover'), { writes: 'nothing was changed' }),
};
