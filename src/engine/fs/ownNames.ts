/** trackio-fsck's own folder in the data dir (manifest record, lock, repair journals and backups); outside runs/, so check never scans it. */
export const STATE_DIR = '.trackio-fsck';
/** Where quarantined items go, one folder per repair; outside runs/, so the dashboard no longer sees them. */
export const QUARANTINE_DIR = 'quarantine';
