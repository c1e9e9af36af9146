import type { ArgsOf } from '../options.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { ProgressBar } from '../render/ProgressBar.js';
import { renderFindings, renderSummaryLine } from '../render/renderFindings.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';

export type ManifestWriteArgs = ArgsOf<'manifest write'>;

export const manifestWriteHandler = (args: ManifestWriteArgs) =>
    runCommand(async () => {
      const { recordManifest } = await import('../../engine/manifest/recordManifest.js');
      const progress = args.json ? undefined : new ProgressBar();
      const { report, manifest } = await recordManifest(
        args.dir,
        { runs: args.run, fast: args.fast, strict: args.strict, liveWindowMs: args['live-window'] * 1000 },
        (e) => {
          if (e.type === 'start') progress?.start(e.bytes, e.files);
          else if (e.type === 'file') progress?.advance(e.bytes);
        },
      );
      progress?.stop();
      if (args.json) {
        printJson({ ...report, manifest });
        return report.exitCode;
      }
      const c = makeStyle(process.stdout, args.color);
      const body = renderFindings(report.findings, c, args.verbose);
      process.stdout.write(`${c.bold('trackio-fsck manifest write')} ${report.dataDir} (${report.layout} layout)\n\n`);
      if (body) process.stdout.write(body + '\n\n');
      process.stdout.write(renderSummaryLine(report, c) + '\n');
      const m = manifest;
      process.stdout.write(
        `wrote manifest-sha256.txt: ${plural(m.files, 'file')}, ${formatBytes(m.bytes)} (${m.added} added, ${m.updated} updated, ${m.removed} removed, ${m.unchanged} unchanged)\n`,
      );
      process.stdout.write(c.dim(`verify it anywhere, even without trackio-fsck: cd ${report.dataDir} && sha256sum --strict -c manifest-sha256.txt\n`));
      if (report.exitCode !== 0) process.stdout.write(c.dim('the manifest records the files as they are, damage included: repair first, then write it again\n'));
      return report.exitCode;
    });
