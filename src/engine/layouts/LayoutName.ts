/** The layouts trackio-fsck reads: run directories (the tutorial's), and real Trackio's SQLite projects. */
export type LayoutName = 'run-directory' | 'trackio-sqlite';
