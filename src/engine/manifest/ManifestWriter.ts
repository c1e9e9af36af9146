import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, mkdir, realpath, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FsckError } from '../errors.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { ignoreStateDir } from '../fs/ignoreStateDir.js';
import { isInside } from '../fs/isInside.js';
import { TEMP_PREFIX } from '../fs/ownNames.js';
import { pathBytes } from '../fs/pathBytes.js';
import { isSafeRelPath } from '../fs/safePath.js';
import { sha256File } from '../fs/sha256File.js';
import type { DirListing } from '../layouts/runDirectory/listRunFiles.js';
import { TOOL, VERSION } from '../version.js';
import { isAppendOnly, manifestPaths, RECORD_FORMAT, type ManifestPaths } from './manifestPaths.js';
import type { RecordEntry } from './RecordEntry.js';
import { dirRow, fileRow, ROWS_CLOSE, ROWS_OPEN } from './recordRows.js';
import { formatSha256sumLine } from './sha256sumLine.js';
import type { Finding } from '../finding.js';

/** One file to record. A FileRecord from check() fits; stat fields may be absent for entries kept from an old manifest. */
export interface ManifestInput {
  path: string;
  sha256: string;
  size?: number;
  mtimeMs?: number;
  ino?: number;
  lines?: number;
  live?: boolean;
  findings?: Finding[];
}

export interface WrittenManifest extends ManifestPaths {
  files: number;
  bytes: number;
}

/** Bytes gathered before one write(2). */
const FLUSH_BYTES = 1 << 20;

/**
 * Writes manifest-sha256.txt and the tool's record while the files are being read: each file is
 * added in path order and goes straight into two temp files, so nothing per file stays in memory.
 * commit() makes them durable and atomic as writeFileAtomic does (fsync, read back and compare
 * the SHA-256, rename, fsync the directory), both sealed before either is renamed (a full disk
 * cannot part them), then the record first: it carries the manifest's digest,
 * so a crash between the two renames leaves an old manifest beside a new record, which
 * readManifest recognises (manifest/record-mismatch). abort() removes both temps.
 */
export class ManifestWriter {
  files = 0;
  bytes = 0;
  private last: string | undefined;
  private rowWritten = false;
  private dirRows = 0;
  private readonly onExit = (): void => this.abort();
  private readonly manifest: TempFile;
  private readonly record: TempFile;
  /** Directory rows wait here and follow the file rows: the record's bytes do not depend on how the walk was windowed. */
  private readonly dirs: TempFile;

  private constructor(
    private readonly paths: ManifestPaths,
    now: Date,
  ) {
    const made: TempFile[] = [];
    try {
      made.push((this.manifest = new TempFile(paths.manifest)));
      made.push((this.record = new TempFile(paths.record)));
      made.push((this.dirs = new TempFile(`${paths.record}.dirs`)));
    } catch (err) {
      for (const t of made) t.abort();
      throw err;
    }
    // Ctrl-C ends the process at once (no write is under way yet): the temps go with it.
    process.once('exit', this.onExit);
    const head = JSON.stringify({ format: RECORD_FORMAT, tool: TOOL, version: VERSION, writtenAt: now.toISOString() });
    this.record.write(`${head.slice(0, -1)},\n${ROWS_OPEN}\n`);
  }

  /** Opens the two temp files of DIR's manifest (DIR a real path), creating DIR/.trackio-fsck when needed. */
  static async open(dir: string, opts: { now?: Date } = {}): Promise<ManifestWriter> {
    const paths = manifestPaths(dir);
    await ensureStateDir(dir, dirname(paths.record));
    return new ManifestWriter(paths, opts.now ?? new Date());
  }

  /** Adds a file; paths must come in strictly increasing code-unit order (the manifest's order). */
  addFile(f: ManifestInput): void {
    refuseToRecord(f, this.last);
    this.last = f.path;
    // A name that is not valid UTF-8 goes into the manifest as its own bytes, as sha256sum writes it.
    this.manifest.write(pathBytes(formatSha256sumLine(f.sha256, f.path)));
    this.record.write(`${this.rowWritten ? ',' : ''}${fileRow(f.path, toRecordEntry(f))}\n`);
    this.rowWritten = true;
    this.files++;
    this.bytes += f.size ?? 0;
  }

  /** Adds a directory listing (check --fast reuses it while the directory's mtime and inode are unchanged); any order. */
  addDir(rel: string, listing: DirListing): void {
    if (!isSafeRelPath(rel)) return;
    this.dirs.write(`,${dirRow(rel, listing)}\n`);
    this.dirRows++;
  }

  async commit(): Promise<WrittenManifest> {
    try {
      const digest = this.manifest.digest();
      if (this.dirRows > 0) {
        let first = !this.rowWritten;
        for (const chunk of this.dirs.readBack()) {
          // The first row of the whole array takes no comma.
          this.record.write(first ? chunk.subarray(1) : chunk);
          first = false;
        }
      }
      this.dirs.abort();
      this.record.write(`${ROWS_CLOSE}\n${JSON.stringify('manifestSha256')}: ${JSON.stringify(digest)}}\n`);
      // Both made durable and checked before either is renamed: a full disk or a failed read-back
      // then leaves the old pair as it was, not a new record beside the old manifest.
      await this.record.seal();
      await this.manifest.seal();
      await this.record.install();
      await this.manifest.install();
      process.removeListener('exit', this.onExit);
    } catch (err) {
      this.abort();
      throw err;
    }
    return { ...this.paths, files: this.files, bytes: this.bytes };
  }

  abort(): void {
    process.removeListener('exit', this.onExit);
    this.manifest.abort();
    this.record.abort();
    this.dirs.abort();
  }
}

/** A temp file beside `path`, written through a buffer and hashed as written. */
class TempFile {
  private readonly tmp: string;
  private fd: number | undefined;
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private hex: string | undefined;

  constructor(private readonly path: string) {
    this.tmp = join(dirname(path), `${TEMP_PREFIX}${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    this.fd = openSync(this.tmp, 'wx+', 0o644);
  }

  write(piece: string | Buffer): void {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    this.hash.update(bytes);
    this.size += bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /** SHA-256 of everything written (ends the writing). */
  digest(): string {
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    // write(2) may write less than asked (a disk filling up): loop, and a write of nothing is ENOSPC.
    for (let done = 0; done < data.length; ) {
      const n = writeSync(this.fd!, data, done, data.length - done);
      if (!(n > 0)) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${this.tmp}'`), { code: 'ENOSPC' });
      done += n;
    }
  }

  /** What was written, in chunks (for a spool copied into another file). */
  *readBack(): Generator<Buffer> {
    this.flush();
    const buf = Buffer.allocUnsafe(FLUSH_BYTES);
    for (let pos = 0; ; ) {
      const n = readSync(this.fd!, buf, 0, buf.length, pos);
      if (n === 0) return;
      pos += n;
      yield Buffer.from(buf.subarray(0, n));
    }
  }

  /** The last bytes written, fsynced, closed, and read back against the hash of what was written. */
  async seal(): Promise<void> {
    this.flush();
    const written = this.digest();
    fsyncSync(this.fd!);
    closeSync(this.fd!);
    this.fd = undefined;
    const back = await sha256File(this.tmp);
    if (back.sha256 !== written || back.size !== this.size) throw new FsckError(`verification failed: ${this.tmp} read back different bytes than were written; ${this.path} was left as it was`);
  }

  /** A sealed temp renamed into place, and the rename made durable. */
  async install(): Promise<void> {
    await rename(this.tmp, this.path);
    await fsyncDir(dirname(this.path));
  }

  abort(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // closing is best effort: the temp is removed next
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      // renamed into place already, or never made
    }
  }
}

/** Throws for a file that cannot be recorded: a path leaving the data dir, one out of order or twice, a digest that is not SHA-256. */
export function refuseToRecord(f: ManifestInput, last: string | undefined): void {
  if (!isSafeRelPath(f.path)) throw new FsckError(`refusing to record ${JSON.stringify(f.path)}: not a path inside the data dir`);
  if (last !== undefined && !(last < f.path)) {
    throw new FsckError(last === f.path ? `refusing to record ${JSON.stringify(f.path)} twice` : `files to record came out of order (${JSON.stringify(f.path)} after ${JSON.stringify(last)})`);
  }
  if (!/^[0-9a-f]{64}$/.test(f.sha256)) throw new FsckError(`refusing to record ${JSON.stringify(f.path)}: ${JSON.stringify(f.sha256)} is not a SHA-256`);
}

function toRecordEntry(f: ManifestInput): RecordEntry | Pick<RecordEntry, 'sha256'> {
  if (f.size === undefined || f.mtimeMs === undefined || f.ino === undefined) return { sha256: f.sha256 };
  const e: RecordEntry = { sha256: f.sha256, size: f.size, mtimeMs: f.mtimeMs, ino: f.ino };
  if (isAppendOnly(f.path)) e.appendOnly = true;
  if (f.live) e.live = true;
  if (f.lines !== undefined) e.lines = f.lines;
  if (f.findings && f.findings.length > 0) e.findings = f.findings;
  return e;
}

/** Creates DIR/.trackio-fsck, refusing one that is a link leading out of the data dir. */
async function ensureStateDir(dir: string, stateDir: string): Promise<void> {
  const created = (await mkdir(stateDir, { recursive: true })) !== undefined;
  const [realDir, realState] = await Promise.all([realpath(dir), realpath(stateDir)]);
  const st = await lstat(stateDir);
  if (!isInside(realDir, realState) || !(st.isDirectory() || st.isSymbolicLink())) {
    throw new FsckError(`${stateDir} leads outside ${dir} (to ${realState}): not writing there`);
  }
  if (created) await ignoreStateDir(stateDir);
}
