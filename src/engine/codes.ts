import type { FixAction, Severity } from './finding.js';

export interface CodeInfo {
  severity: Severity;
  /** What the finding means, for people. */
  meaning: string;
  /** The usual fix; a check may choose another for a particular case. */
  fix: FixAction;
}

/**
 * Every finding code trackio-fsck emits. Codes are a contract with users' scripts and hooks:
 * add new ones, never rename or remove one.
 */
export const CODES = {
  'jsonl/truncated-tail': {
    severity: 'error',
    meaning: 'the last line was cut off mid-record (the writer was killed or the disk filled up)',
    fix: 'trim-last-line',
  },
  'jsonl/nul-bytes': {
    severity: 'error',
    meaning: 'a run of NUL bytes: the file grew but its data never reached the disk (power cut, delayed allocation)',
    fix: 'trim-last-line',
  },
  'jsonl/invalid-line': {
    severity: 'error',
    meaning: 'a line in the middle of the file is not valid JSON',
    fix: 'quarantine-lines',
  },
  'jsonl/schema': {
    severity: 'error',
    meaning: 'a line is valid JSON but not a metrics record (schemas/metrics-line.schema.json)',
    fix: 'quarantine-lines',
  },
  'jsonl/blank-line': {
    severity: 'warning',
    meaning: 'an empty line; readers that expect one record per line may stop here',
    fix: 'quarantine-lines',
  },
  'jsonl/missing-final-newline': {
    severity: 'warning',
    meaning: 'the last record is complete but has no trailing newline; the next append would glue two records together',
    fix: 'append-final-newline',
  },
  'jsonl/nonfinite-number': {
    severity: 'warning',
    meaning: "bare NaN/Infinity tokens (Python's json.dumps default): not strict JSON, but what real writers produce when a loss diverges",
    fix: 'none',
  },
  'jsonl/step-order': {
    severity: 'warning',
    meaning: 'the step went backwards or repeated: a resumed run or two writers on one file',
    fix: 'none',
  },
  'json/invalid': {
    severity: 'error',
    meaning: 'the JSON document is empty, cut short or otherwise not valid JSON',
    fix: 'quarantine-file',
  },
  'json/schema': {
    severity: 'error',
    meaning: 'the JSON document is valid JSON but not of the expected shape',
    fix: 'quarantine-file',
  },
  'json/nonfinite-number': {
    severity: 'warning',
    meaning: 'bare NaN/Infinity tokens in a JSON document (Python json.dump default): readable, not strict JSON',
    fix: 'none',
  },
  'encoding/invalid-utf8': {
    severity: 'error',
    meaning: 'bytes that are not valid UTF-8, such as a multi-byte character torn by a crash',
    fix: 'quarantine-lines',
  },
  'run/missing-file': {
    severity: 'warning',
    meaning: 'a file every run should have is missing',
    fix: 'none',
  },
  'run/unfinished': {
    severity: 'info',
    meaning: 'the run has no summary.json and nobody is writing it: it crashed or was stopped before finishing',
    fix: 'none',
  },
  'run/live': {
    severity: 'info',
    meaning: 'a process is writing this run right now (or wrote it moments ago); its unfinished tail is not damage',
    fix: 'none',
  },
  'fs/leftover-temp': {
    severity: 'warning',
    meaning: 'a temporary file left by an interrupted atomic write',
    fix: 'quarantine-file',
  },
  'fs/symlink-escape': {
    severity: 'error',
    meaning: 'a symbolic link that leads outside the data directory; it is never followed',
    fix: 'none',
  },
  'fs/unreadable': {
    severity: 'error',
    meaning: 'the file or directory cannot be read (permissions, I/O error)',
    fix: 'none',
  },
  'fs/not-a-run': {
    severity: 'warning',
    meaning: 'runs/ holds something that is not a run directory',
    fix: 'none',
  },
  'manifest/modified': {
    severity: 'error',
    meaning: 'the bytes differ from the SHA-256 the manifest recorded (for metrics.jsonl: bytes that were already recorded changed): damage or tampering',
    fix: 'restore-from-backup',
  },
  'manifest/missing': {
    severity: 'error',
    meaning: 'a file the manifest records is gone',
    fix: 'restore-from-backup',
  },
  'manifest/appended': {
    severity: 'info',
    meaning: 'metrics.jsonl grew and its recorded bytes still hash to the recorded value: the normal life of a metrics file',
    fix: 'none',
  },
  'manifest/new': {
    severity: 'info',
    meaning: 'a file the manifest does not record (written after the manifest)',
    fix: 'none',
  },
  'manifest/unsafe-path': {
    severity: 'error',
    meaning: 'a manifest line names a path outside the data dir (absolute, or with ..); it is never opened',
    fix: 'none',
  },
  'manifest/malformed-line': {
    severity: 'error',
    meaning: 'a line of manifest-sha256.txt is not a sha256sum line, or names a path twice',
    fix: 'none',
  },
  'manifest/record-mismatch': {
    severity: 'warning',
    meaning: "the tool's record (.trackio-fsck/manifest.json) is missing or was not written with manifest-sha256.txt: appends cannot be told from changes for the files it disagrees on, and --fast reads them",
    fix: 'none',
  },
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof CODES;

export function codeInfo(code: string): CodeInfo | undefined {
  return (CODES as Record<string, CodeInfo>)[code];
}
