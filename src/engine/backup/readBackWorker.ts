// Worker thread of ReadBackVerifier: reads each snapshot copy back and matches it against the hash
// taken while its source was read, on the second core while the main thread copies the next file.
import { parentPort } from 'node:worker_threads';
import { hashFileSync } from './copySnapshotFile.js';
import type { ReadBackJob, ReadBackReply } from './ReadBackVerifier.js';

parentPort!.on('message', (jobs: ReadBackJob[]) => {
  const replies: ReadBackReply[] = [];
  for (const job of jobs) {
    try {
      const got = hashFileSync(job.path);
      replies.push({ id: job.id, ok: got.sha256 === job.sha256 && got.size === job.size });
    } catch (err) {
      replies.push({ id: job.id, ok: false, error: (err as Error).message });
    }
  }
  parentPort!.postMessage(replies);
});
