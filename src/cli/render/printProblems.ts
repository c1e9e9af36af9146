import type { ChalkInstance } from 'chalk';
import type { Finding } from '../../engine/finding.js';
import { renderFindings } from './renderFindings.js';

/** --quiet: only the problems (errors and warnings, never info), and nothing at all when there are none. */
export function printProblems(findings: readonly Finding[], c: ChalkInstance, verbose = false): void {
  const problems = renderFindings(findings.filter((f) => f.severity !== 'info'), c, verbose);
  if (problems) process.stdout.write(problems + '\n');
}
