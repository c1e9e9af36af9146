import type { Finding } from './finding.js';
import { TOOL, VERSION } from './version.js';

import { EXIT, exitCodeFor as exitCodeOf } from './exitCodeFor.js';

export { EXIT };

export interface Summary {
  runs: number;
  files: number;
  bytes: number;
  errors: number;
  warnings: number;
  infos: number;
  durationMs: number;
}

/** The document `--json` prints; described by schemas/report.schema.json. */
export interface Report {
  tool: string;
  version: string;
  command: string;
  dataDir: string;
  layout: string;
  summary: Summary;
  findings: Finding[];
  exitCode: number;
}

export function countSeverities(findings: Finding[]): Pick<Summary, 'errors' | 'warnings' | 'infos'> {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of findings) {
    const n = 1 + (f.more ?? 0);
    if (f.severity === 'error') errors += n;
    else if (f.severity === 'warning') warnings += n;
    else infos += n;
  }
  return { errors, warnings, infos };
}

/** 0 when nothing is wrong, 4 when errors remain (or warnings, with strict). */
export function exitCodeFor(summary: Pick<Summary, 'errors' | 'warnings'>, strict = false): number {
  return exitCodeOf({ kind: 'checked', errors: summary.errors, warnings: summary.warnings, strict });
}

/** Findings in reading order: by run, then path, then position in the file. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      cmp(a.run ?? '', b.run ?? '') || cmp(a.path, b.path) || (a.offset ?? -1) - (b.offset ?? -1) || (a.line ?? 0) - (b.line ?? 0),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function makeReport(command: string, dataDir: string, layout: string, summary: Summary, findings: Finding[], strict: boolean): Report {
  return { tool: TOOL, version: VERSION, command, dataDir, layout, summary, findings, exitCode: exitCodeFor(summary, strict) };
}
