/** A repair's id, also its folder name: the UTC time it started, sortable and safe in file names. */
export function repairId(now = new Date()): string {
  return now.toISOString().replace(/:/g, '-').replace('.', '-');
}
