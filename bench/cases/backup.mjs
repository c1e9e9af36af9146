// Backup throughput beside `cp -r` on the same data, and what a second snapshot of unchanged data costs on disk.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeDataDir, runId, writeLargeArtifact } from '../../fixtures/build/dataDir.mjs';

export const title = 'backup: verified snapshot vs cp -r, and the space a second snapshot takes';

const RUNS = Number(process.env.BENCH_BACKUP_RUNS ?? 300);
const LARGE_MIB = Number(process.env.BENCH_BACKUP_LARGE_MIB ?? 100);

function duKiB(path) {
  return Number(spawnSync('du', ['-sk', path], { encoding: 'utf8' }).stdout.split('\t')[0]);
}

export async function run({ bin, scratch, measure, bestOf }) {
  // Many small runs plus two large checkpoints: the shape of a real data dir.
  const dataDir = makeDataDir(scratch, { runs: RUNS, steps: 200 });
  writeLargeArtifact(dataDir, runId(0), LARGE_MIB / 2);
  writeLargeArtifact(dataDir, runId(1), LARGE_MIB / 2);
  const dataKiB = duKiB(dataDir);
  const files = Number(spawnSync('bash', ['-c', `find '${dataDir}' -type f | wc -l`], { encoding: 'utf8' }).stdout.trim());
  const mib = (dataKiB / 1024).toFixed(0);

  const copy = join(scratch, 'cp-copy');
  const cp = bestOf(3, () => {
    rmSync(copy, { recursive: true, force: true });
    return measure('cp', ['-r', dataDir, copy]);
  });
  rmSync(copy, { recursive: true, force: true });
  const cpSync = bestOf(3, () => {
    rmSync(copy, { recursive: true, force: true });
    return measure(`cp -r '${dataDir}' '${copy}' && sync -f '${copy}'`, [], { shell: true });
  });
  rmSync(copy, { recursive: true, force: true });

  // A first backup copies everything: each try gets a fresh BACKUPS.
  let n = 0;
  const first = bestOf(3, () => {
    const dest = join(scratch, `first-${n++}`);
    const r = measure('node', [bin, 'backup', dataDir, '--dest', dest], { stdoutToNull: true });
    if (r.code !== 0) throw new Error(`backup failed: ${r.stderr}`);
    return r;
  });
  for (const d of readdirSync(scratch).filter((x) => x.startsWith('first-'))) rmSync(join(scratch, d), { recursive: true, force: true });

  const dest = join(scratch, 'backups');
  measure('node', [bin, 'backup', dataDir, '--dest', dest], { stdoutToNull: true });
  const before = duKiB(dest);
  const second = measure('node', [bin, 'backup', dataDir, '--dest', dest], { stdoutToNull: true });
  if (second.code !== 0) throw new Error(`second backup failed: ${second.stderr}`);
  const after = duKiB(dest);
  const verify = bestOf(2, () => measure('node', [bin, 'backups', 'verify', '--dest', dest], { stdoutToNull: true }));

  const data = `${files} files, ${mib} MiB`;
  return {
    rows: [
      { name: 'cp -r (no fsync, no verification)', value: dataKiB / 1024 / cp.seconds, unit: 'MiB/s', note: `${data}: ${cp.seconds.toFixed(2)} s` },
      { name: 'cp -r && sync -f (durable, no verification)', value: dataKiB / 1024 / cpSync.seconds, unit: 'MiB/s', note: `${cpSync.seconds.toFixed(2)} s` },
      { name: 'trackio-fsck backup, first snapshot', value: dataKiB / 1024 / first.seconds, unit: 'MiB/s', note: `${first.seconds.toFixed(2)} s, ${first.maxRssMB.toFixed(0)} MB RSS; every copy read back and hashed, one syncfs` },
      { name: 'backup time vs cp -r && sync', value: first.seconds / cpSync.seconds, unit: 'x', note: 'reads the source once, writes once, reads the copy back once, hashes both' },
      { name: 'second snapshot, unchanged data: time', value: second.seconds, unit: 's', note: 'every file hard-linked after hashing the previous copy' },
      { name: 'second snapshot, unchanged data: disk', value: after - before, unit: 'KiB', note: `du -sk BACKUPS ${before} -> ${after} KiB (a full copy is ${dataKiB} KiB): directories and records only` },
      { name: 'backups verify, two snapshots', value: (2 * dataKiB) / 1024 / verify.seconds, unit: 'MiB/s', note: `${verify.seconds.toFixed(2)} s` },
    ],
  };
}
