/** TreeQueue's shared Int32Array: the next directory to take, a stop flag, batches sent and batches taken. */
export const NEXT = 0;
export const STOP = 1;
export const POSTED = 2;
export const TAKEN = 3;
export const SLOTS = 4;

/** A worker sends its results once it has this many entries (a message per directory would cost more than walking a small one). */
export const BATCH_ENTRIES = 128;
/** Batches the workers may have sent that the calling thread has not taken yet (it is reading the manifest, say): ~16 000 entries, a few MB, whatever the number of files. */
export const AHEAD = 128;
