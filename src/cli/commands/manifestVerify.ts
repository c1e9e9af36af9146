import { printProblems } from '../render/printProblems.js';
import type { ArgsOf } from '../options.js';
import { plural } from '../render/formatBytes.js';
import { showProgress } from '../render/showProgress.js';
import { renderFindings, renderSummaryLine } from '../render/renderFindings.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';
import { cliContext } from '../cliContext.js';

export type ManifestVerifyArgs = ArgsOf<'manifest verify'>;

export const manifestVerifyHandler = (args: ManifestVerifyArgs) =>
    runCommand(async () => {
      const { verifyManifest } = await import('../../engine/manifest/verifyManifest.js');
      const { report } = await showProgress(!args.json && !cliContext.quiet, (progress) =>
        verifyManifest(args.dir, { strict: args.strict, keepFiles: false }, (e) => {
        if (e.type === 'start') progress?.start(e.bytes, e.files);
        else if (e.type === 'file') progress?.advance(e.bytes);
      }),
      );
      if (args.json) {
        printJson(report);
        return report.exitCode;
      }
      const c = makeStyle(process.stdout, args.color);
      if (cliContext.quiet) {
        printProblems(report.findings, c);
        return report.exitCode;
      }
      const body = renderFindings(report.findings, c, args.verbose);
      process.stdout.write(`${c.bold('trackio-fsck manifest verify')} ${report.dataDir}\n\n`);
      if (body) process.stdout.write(body + '\n\n');
      process.stdout.write(renderSummaryLine(report, c) + '\n');
      const count = (code: string) => report.findings.filter((f) => f.code === code).length;
      const appended = count('manifest/appended');
      const added = count('manifest/new');
      if (!args.verbose && appended + added > 0) {
        process.stdout.write(c.dim(`${plural(appended, 'metrics file')} appended to (not damage), ${plural(added, 'file')} not in the manifest; --verbose lists them\n`));
      }
      return report.exitCode;
    });
