/**
 * How many files check lists, reads and drops at a time (whole runs, so at least one run). Small
 * windows keep the garbage a window leaves young: 20 000 tiny runs peaked at 160 MB RSS with 4 096
 * files a window, 133 MB with 1 024, 100 MB with 256 (the heap left after the check: 8 MB in every
 * case). 256 still keeps 8 reads in flight for 32 rounds before a window's pool drains. Tests shrink
 * it to cross window edges with a few runs.
 */
export const scanWindow = { files: 256 };
