import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';
import type { ArgsOf } from '../options.js';

export type CompareArgs = ArgsOf<'compare'>;

export const compareHandler = (args: CompareArgs) =>
    runCommand(async () => {
      const { compare } = await import('../../engine/compare/compare.js');
      const result = await compare(args.a, args.b);
      if (args.json) {
        printJson(result);
        return result.exitCode;
      }
      const c = makeStyle(process.stdout, args.color);
      const out = [`${c.bold('trackio-fsck compare')} (${result.layout} layout)`, `  A ${result.a}`, `  B ${result.b}`, ''];
      for (const line of result.summary) out.push(result.equal ? c.green(line) : line);
      for (const e of result.errors.slice(1, 5)) out.push(c.red(`could not read ${e.side ? `${e.side.toUpperCase()}: ` : ''}${e.path}: ${e.message}`));
      out.push('');
      if (result.exitCode === 0) out.push(c.dim('equal (exit 0)'));
      else if (result.exitCode === 4) out.push(c.dim('they differ (exit 4); --json lists every run, table and file'));
      else out.push(c.dim(`incomplete: ${result.errors.length} could not be read (exit ${result.exitCode})`));
      process.stdout.write(out.join('\n') + '\n');
      return result.exitCode;
    });
