import type { ArgsOf } from '../options.js';
import { runCommand } from '../runCommand.js';
import { runRepair } from './repair.js';

/** The post-crash command: check, apply every fix that loses no information, say what was mended and cut. */
export const recoverHandler = (args: ArgsOf<'recover'>) => runCommand(() => runRepair({ ...args, 'dry-run': false, preen: true, yes: false }, 'preen', 'recover'), { writes: 'nothing was changed' });
