// Backup throughput beside `cp -r && sync` on the same data, a second snapshot of unchanged data beside
// `rsync -a --link-dest` (time) and what it costs on disk.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { makeDataDir, runId, writeLargeArtifact } from '../../fixtures/build/dataDir.mjs';

export const title = 'backup: verified snapshot vs cp -r, and the space a second snapshot takes';

const RUNS = Number(process.env.BENCH_BACKUP_RUNS ?? 300);
const LARGE_MIB = Number(process.env.BENCH_BACKUP_LARGE_MIB ?? 100);
/** Issue 15's targets: a first snapshot at >= 0.7x the speed of cp -r && sync, a second within 2x of rsync --link-dest. */
const FIRST_TARGET = 0.7;
const SECOND_TARGET = 2;

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

  // A second snapshot of unchanged data, beside rsync's: each try links against the newest copy.
  const rsync = spawnSync('rsync', ['--version']).status === 0;
  let rsyncSecond;
  if (rsync) {
    const base = join(scratch, 'rsync-1');
    measure('rsync', ['-a', `${dataDir}/`, `${base}/`]);
    rsyncSecond = bestOf(3, () => {
      const to = join(scratch, 'rsync-2');
      rmSync(to, { recursive: true, force: true });
      return measure('rsync', ['-a', `--link-dest=${base}`, `${dataDir}/`, `${to}/`]);
    });
    rmSync(join(scratch, 'rsync-2'), { recursive: true, force: true });
  }
  const dest = join(scratch, 'backups');
  measure('node', [bin, 'backup', dataDir, '--dest', dest], { stdoutToNull: true });
  const before = duKiB(dest);
  const second = bestOf(3, () => {
    const r = measure('node', [bin, 'backup', dataDir, '--dest', dest], { stdoutToNull: true });
    if (r.code !== 0) throw new Error(`second backup failed: ${r.stderr}`);
    return r;
  });
  const after = duKiB(dest);
  const verify = bestOf(2, () => measure('node', [bin, 'backups', 'verify', '--dest', dest], { stdoutToNull: true }));
  const snapshots = readdirSync(dest).filter((x) => x.startsWith('trackio_backup_')).length;

  const data = `${files} files, ${mib} MiB`;
  const cpu = (r) => `${r.seconds.toFixed(2)} s wall, ${r.cpuSeconds.toFixed(2)} s CPU`;
  const speed = cpSync.seconds / first.seconds;
  const rows = [
    { name: 'cp -r (no fsync, no verification)', value: dataKiB / 1024 / cp.seconds, unit: 'MiB/s', note: `${data}: ${cpu(cp)}` },
    { name: 'cp -r && sync -f (durable, no verification)', value: dataKiB / 1024 / cpSync.seconds, unit: 'MiB/s', note: cpu(cpSync) },
    { name: 'trackio-fsck backup, first snapshot', value: dataKiB / 1024 / first.seconds, unit: 'MiB/s', note: `${cpu(first)}, ${first.maxRssMB.toFixed(0)} MB RSS; every copy read back and hashed, one syncfs` },
    { name: 'first snapshot speed / cp -r && sync', value: speed, unit: 'x', note: `target >= ${FIRST_TARGET}x: ${speed >= FIRST_TARGET ? 'PASS' : 'OVER'} (CPU ${first.cpuSeconds.toFixed(2)} s against ${cpSync.cpuSeconds.toFixed(2)} s: it hashes every byte twice; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})` },
  ];
  if (rsyncSecond) {
    rows.push({ name: 'rsync -a --link-dest, unchanged data', value: rsyncSecond.seconds, unit: 's', note: cpu(rsyncSecond) });
  }
  const ratio = rsyncSecond ? second.seconds / rsyncSecond.seconds : undefined;
  rows.push(
    { name: 'second snapshot, unchanged data: time', value: second.seconds, unit: 's', note: `${cpu(second)}; every file hard-linked on the trust rule (stat of source and copy), one syncfs` },
    {
      name: 'second snapshot time / rsync --link-dest',
      value: ratio ?? 'n/a',
      unit: 'x',
      note: ratio === undefined ? 'rsync is not installed' : `target <= ${SECOND_TARGET}x: ${ratio <= SECOND_TARGET ? 'PASS' : 'OVER'} (CPU ${second.cpuSeconds.toFixed(2)} s against ${rsyncSecond.cpuSeconds.toFixed(2)} s)`,
    },
    { name: 'second snapshot, unchanged data: disk', value: after - before, unit: 'KiB', note: `du -sk BACKUPS ${before} -> ${after} KiB over ${snapshots - 1} more snapshots (a full copy is ${dataKiB} KiB): directories and records only` },
    { name: `backups verify, ${snapshots} snapshots`, value: (snapshots * dataKiB) / 1024 / verify.seconds, unit: 'MiB/s', note: `${cpu(verify)}; a hard-linked inode is read once` },
  );
  return { rows };
}
