/** Where a salvage keeps the rows it found but did not put back (JSONL), beside the original it keeps in quarantine. */
export function unplacedRowsFile(original: string): string {
  return `${original}.unplaced.jsonl`;
}
