/**
 * How many files check lists, reads and drops at a time (whole runs, so at least one run): enough
 * to keep 8 reads in flight and the pool busy, few enough that a window's entries, stats and
 * records are a few MB at any number of runs. Tests shrink it to cross window edges with a few runs.
 */
export const scanWindow = { files: 4096 };
