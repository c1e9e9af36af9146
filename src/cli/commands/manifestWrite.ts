import { printProblems } from '../render/printProblems.js';
import type { ArgsOf } from '../options.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { showProgress } from '../render/showProgress.js';
import { renderFindings, renderSummaryLine } from '../render/renderFindings.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';
import { shellQuote } from '../../engine/commandLine.js';
import { cliContext } from '../cliContext.js';

export type ManifestWriteArgs = ArgsOf<'manifest write'>;

export const manifestWriteHandler = (args: ManifestWriteArgs) =>
    runCommand(async () => {
      const { recordManifest } = await import('../../engine/manifest/recordManifest.js');
      const { report, manifest } = await showProgress(!args.json && !cliContext.quiet, (progress) =>
        recordManifest(
        args.dir,
        { runs: args.run, fast: args.fast, strict: args.strict, liveWindowMs: args['live-window'] * 1000 },
        (e) => {
          if (e.type === 'start') progress?.start(e.bytes, e.files);
          else if (e.type === 'file') progress?.advance(e.bytes);
        },
      ),
      );
      if (args.json) {
        printJson({ ...report, manifest });
        return report.exitCode;
      }
      const c = makeStyle(process.stdout, args.color);
      if (cliContext.quiet) {
        printProblems(report.findings, c);
        return report.exitCode;
      }
      const body = renderFindings(report.findings, c, args.verbose);
      process.stdout.write(`${c.bold('trackio-fsck manifest write')} ${report.dataDir} (${report.layout} layout)\n\n`);
      if (body) process.stdout.write(body + '\n\n');
      process.stdout.write(renderSummaryLine(report, c) + '\n');
      const m = manifest;
      process.stdout.write(
        `wrote manifest-sha256.txt: ${plural(m.files, 'file')}, ${formatBytes(m.bytes)} (${m.added} added, ${m.updated} updated, ${m.removed} removed, ${m.unchanged} unchanged)\n`,
      );
      process.stdout.write(c.dim(`verify it anywhere, even without trackio-fsck: cd ${shellQuote(report.dataDir)} && sha256sum --strict -c manifest-sha256.txt\n`));
      if (report.exitCode !== 0) process.stdout.write(c.dim('the manifest records the files as they are, damage included: repair first, then write it again\n'));
      return report.exitCode;
    });
