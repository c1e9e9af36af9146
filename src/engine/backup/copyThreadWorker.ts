// Worker thread of CopyThread: copies and reads back one large snapshot file per message
// (copySnapshotFile), on the second core while the calling thread copies the small ones.
import { parentPort } from 'node:worker_threads';
import { copySnapshotFile } from './copySnapshotFile.js';
import { sendError, type CopyJob, type CopyReply } from './CopyThread.js';

parentPort!.on('message', (job: CopyJob) => {
  let reply: CopyReply;
  try {
    const copy = copySnapshotFile(job.src, job.dst);
    // A Stats object does not cross threads as one: send the fields the index records.
    const { size, mtimeMs, ctimeMs, ino, dev, mode } = copy.source;
    reply = { id: job.id, copy: { ...copy, source: { size, mtimeMs, ctimeMs, ino, dev, mode } } };
  } catch (err) {
    reply = { id: job.id, error: sendError(err) };
  }
  parentPort!.postMessage(reply);
});
