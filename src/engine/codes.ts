import type { FixAction, Severity } from './Fix.js';

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
  'fs/not-a-file': {
    severity: 'error',
    meaning: 'a directory, FIFO, device or link where a run file belongs (metrics.jsonl, config.json, summary.json), or where a manifest or record belongs: never read',
    fix: 'none',
  },
  'fs/not-a-run': {
    severity: 'warning',
    meaning: 'runs/ holds something that is not a run directory',
    fix: 'none',
  },
  'sqlite/not-a-database': {
    severity: 'error',
    meaning: 'a <project>.db file that SQLite cannot read as a database (wrong header, truncated, overwritten); nothing in it can be salvaged: restore it from a snapshot (trackio-fsck restore)',
    fix: 'none',
  },
  'sqlite/damaged-header': {
    severity: 'error',
    meaning: "a <project>.db whose header SQLite refuses (a damaged magic string or page size) but whose pages still hold rows: repair salvages them by reading the file page by page",
    fix: 'salvage-database',
  },
  'sqlite/cannot-open': {
    severity: 'error',
    meaning: 'SQLite could not open the database (permissions, I/O error, a lock that never clears)',
    fix: 'none',
  },
  'sqlite/integrity': {
    severity: 'error',
    meaning: 'PRAGMA quick_check (integrity_check with --full) found damage: "database disk image is malformed"',
    fix: 'salvage-database',
  },
  'sqlite/index': {
    severity: 'error',
    meaning: 'an index does not match its table (entries missing, extra or stale): queries through it return wrong rows or fail with "database disk image is malformed"; the rows themselves are intact',
    fix: 'reindex-database',
  },
  'sqlite/read-error': {
    severity: 'error',
    meaning: 'reading the rows of a table failed part way (a damaged page); the rows before it were checked',
    fix: 'salvage-database',
  },
  'sqlite/missing-table': {
    severity: 'error',
    meaning: 'a table Trackio reads is missing from the project database',
    fix: 'none',
  },
  'sqlite/missing-column': {
    severity: 'error',
    meaning: 'a table lacks a column every Trackio version has; Trackio\'s queries on it fail',
    fix: 'none',
  },
  'sqlite/invalid-json': {
    severity: 'error',
    meaning: 'a JSON cell (orjson BLOB or TEXT) is not valid JSON, nor UTF-8, such as a torn write',
    fix: 'quarantine-rows',
  },
  'sqlite/json-schema': {
    severity: 'error',
    meaning: 'a JSON cell is valid JSON but not of the shape Trackio writes (a metrics cell that is not an object, or whose step column is not a whole number >= 0; a manifest that is not a list of {path, digest, size})',
    fix: 'quarantine-rows',
  },
  'sqlite/nonfinite-number': {
    severity: 'warning',
    meaning: "bare NaN/Infinity tokens in a TEXT cell, as Trackio 0.3.x and 0.4.x wrote them through Python's json.dumps: the values are intact, but Trackio 0.5 and later read cells with orjson, which rejects these tokens, so that run's metrics fail to load (get_logs, rename_run and the parquet export raise)",
    fix: 'rewrite-nonfinite-cells',
  },
  'sqlite/orphan-sidecar': {
    severity: 'warning',
    meaning: 'a -wal, -shm or -journal file whose database is gone; a new database of that name would replay it',
    fix: 'quarantine-file',
  },
  'sqlite/hot-journal': {
    severity: 'warning',
    meaning: 'a rollback journal left by an interrupted transaction; the next writer rolls it back (check reads a private copy that did)',
    fix: 'none',
  },
  'sqlite/wal-pending': {
    severity: 'info',
    meaning: 'the -wal file holds committed transactions not yet copied into the database (a writer is open, or was killed); they are part of the data',
    fix: 'none',
  },
  'sqlite/live': {
    severity: 'info',
    meaning: 'a process holds the project lock or has the database open: it is being written; repair and restore refuse without --force',
    fix: 'none',
  },
  'trackio/missing-media': {
    severity: 'warning',
    meaning: 'a logged media object (image, video, audio) whose file_path is missing under <data dir>/media',
    fix: 'none',
  },
  'trackio/blob-digest': {
    severity: 'error',
    meaning: 'an artifact blob whose SHA-256 differs from its file name (content-addressed storage): its bytes changed',
    fix: 'quarantine-file',
  },
  'trackio/partial-blob': {
    severity: 'warning',
    meaning: 'an unfinished artifact blob (*.partial.*) left by an interrupted upload or copy',
    fix: 'quarantine-file',
  },
  'trackio/missing-blob': {
    severity: 'warning',
    meaning: 'an artifact version lists a blob that is not under artifacts/<project>/blobs',
    fix: 'none',
  },
  'trackio/manifest-digest': {
    severity: 'error',
    meaning: "an artifact version's manifest_digest is not the SHA-256 of its manifest (sorted keys, compact)",
    fix: 'none',
  },
  'trackio/manifest-size': {
    severity: 'error',
    meaning: "an artifact version's size_bytes is not the sum of the sizes in its manifest",
    fix: 'none',
  },
  'trackio/duplicate-rows': {
    severity: 'warning',
    meaning: "a metrics row without log_id identical (run, run_id, step, timestamp, metrics) to one with a log_id: Trackio's rename and move re-insert rows without log_id, so a later replay duplicates them; charts count them twice",
    fix: 'quarantine-duplicate-rows',
  },
  'trackio/run-in-two-projects': {
    severity: 'warning',
    meaning: 'the same run (name, id, identical rows) is in two projects: a move_run interrupted after it committed the target and before it deleted from the source',
    fix: 'none',
  },
  'trackio/unsent-rows': {
    severity: 'info',
    meaning: 'rows still marked for sending to a Space (space_id set): they have not left this machine',
    fix: 'none',
  },
  'trackio/pending-upload-missing': {
    severity: 'warning',
    meaning: 'a pending_uploads entry whose file is gone: that upload can never happen, and the Space will lack the file',
    fix: 'none',
  },
  'trackio/stale-parquet': {
    severity: 'warning',
    meaning: "a parquet sidecar (dataset mode) holding rows its database no longer has (or, when it cannot be read, older than its database): Trackio's import of it would bring back rows since deleted",
    fix: 'quarantine-file',
  },
  'backup/modified': {
    severity: 'error',
    meaning: 'a file in a backup snapshot no longer matches the hash its manifest recorded (bit rot or tampering)',
    fix: 'none',
  },
  'backup/missing': {
    severity: 'error',
    meaning: 'a file the snapshot manifest lists is gone from the snapshot',
    fix: 'none',
  },
  'backup/unlisted': {
    severity: 'warning',
    meaning: 'a file in the snapshot that its manifest does not list (added after the backup)',
    fix: 'none',
  },
  'backup/manifest-invalid': {
    severity: 'error',
    meaning: 'the snapshot has no readable manifest-sha256.txt, or a line of it is not a sha256sum line, names a path outside the snapshot or names a path twice; or its index of links, folders and modes is missing or torn; or the manifest, index and metadata disagree on the files and bytes',
    fix: 'none',
  },
  'backup/incomplete': {
    severity: 'warning',
    meaning: 'the leftover of an interrupted backup (or prune); it is not a snapshot and backups prune removes it',
    fix: 'none',
  },
  'backup/restore-leftover': {
    severity: 'warning',
    meaning: "the copy a killed `restore` was staging beside the data dir (`.<DIR>.trackio-fsck-restoring-<pid>`): the data dir is as it was; the next restore removes it",
    fix: 'none',
  },
  'backup/symlink-escape': {
    severity: 'error',
    meaning: 'a symbolic link leading outside the data dir (or nowhere): the link is kept in the snapshot as a link, what it points to is not backed up (check reports the same link as fs/symlink-escape)',
    fix: 'none',
  },
  'backup/not-copied': {
    severity: 'warning',
    meaning: 'a FIFO, socket or device in the data dir: not a file, not backed up',
    fix: 'none',
  },
  'backup/source-changed': {
    severity: 'warning',
    meaning: 'the file changed while it was being backed up (a live writer); the snapshot holds the bytes that were read, verified',
    fix: 'none',
  },
  'backup/unrecorded': {
    severity: 'warning',
    meaning: 'backups verify: the snapshot was verified, but the outcome could not be written to its metadata (disk full, read-only); backups list shows the state recorded before',
    fix: 'none',
  },
  'backup/previous-damaged': {
    severity: 'warning',
    meaning: "the previous snapshot's copy of an unchanged file no longer matches its hash; it was copied afresh instead of hard-linked",
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
