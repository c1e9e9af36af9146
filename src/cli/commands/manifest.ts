import type { CommandModule } from 'yargs';
import { manifestVerifyCommand } from './manifestVerify.js';
import { manifestWriteCommand } from './manifestWrite.js';

export const manifestCommand: CommandModule = {
  command: 'manifest <command>',
  describe: 'SHA-256 manifests that sha256sum can check: write, verify',
  builder: (y) => y.command(manifestWriteCommand).command(manifestVerifyCommand).demandCommand(1, 'name a manifest command: write or verify'),
  handler: () => {},
};
