import { RECORD_FORMAT, RECORD_NAME, STATE_DIR } from './manifestPaths.js';
import { parseRow, rowOfValue, ROWS_CLOSE, ROWS_OPEN, type ParsedRow } from './recordRows.js';
import { parseFlatArray } from './parseFlatArray.js';

const RECORD_REL = `${STATE_DIR}/${RECORD_NAME}`;

/**
 * The lines of a format 3 record judged one at a time (recordRows): its head, the rows, the
 * manifest's digest after them. Both readers of the record use it (readManifest's, and the first
 * pass of ManifestStream), so they cannot disagree on what a good record is.
 */
export class RecordLines {
  state: 'head' | 'open' | 'rows' | 'tail' | 'done' | 'older' = 'head';
  /** Why the record is bad, once a line was. */
  why: string | undefined;
  manifestSha256: string | undefined;

  /**
   * line() on a line's bytes: a row of the usual shape is read from them (parseFlatArray gives the
   * value JSON.parse would), with no string made; any other line is decoded and judged by line().
   */
  lineBytes(buf: Buffer, start: number, end: number): NonNullable<ParsedRow> | undefined | false {
    const flat = this.state === 'rows' ? parseFlatArray(buf, start, end) : undefined;
    if (!flat) return this.line(buf.toString('utf8', start, end));
    const row = rowOfValue(flat);
    if (row) return row;
    this.why = `${RECORD_REL} is not valid JSON (a row of an unknown shape)`;
    return false;
  }

  /** A row line's row; undefined for any other line that is right; false to stop reading (older format, or bad: `why`). */
  line(line: string): NonNullable<ParsedRow> | undefined | false {
    try {
      if (this.state === 'head') {
        const head = line.endsWith(',') ? (JSON.parse(`${line.slice(0, -1)}}`) as { format?: unknown }) : undefined;
        if (head?.format !== RECORD_FORMAT) {
          this.state = 'older';
          return false;
        }
        this.state = 'open';
      } else if (this.state === 'open') {
        if (line !== ROWS_OPEN) throw new Error(`line 2 is not ${ROWS_OPEN}`);
        this.state = 'rows';
      } else if (this.state === 'rows') {
        if (line === ROWS_CLOSE) {
          this.state = 'tail';
          return undefined;
        }
        const row = parseRow(line);
        if (!row) throw new Error('a row of an unknown shape');
        return row;
      } else if (this.state === 'tail') {
        const tail = JSON.parse(`{${line}`) as { manifestSha256?: unknown };
        if (typeof tail.manifestSha256 !== 'string') throw new Error('no manifestSha256');
        this.manifestSha256 = tail.manifestSha256;
        this.state = 'done';
      } else if (line !== '') {
        throw new Error('text after its end');
      }
      return undefined;
    } catch (err) {
      this.why = `${RECORD_REL} is not valid JSON (${(err as Error).message})`;
      return false;
    }
  }

  /** After the last line: undefined when the record is complete, 'older' when it is not format 3 (not even a first line), else why not. */
  end(): 'older' | string | undefined {
    if (this.state === 'older') return 'older';
    if (this.why) return this.why;
    if (this.state !== 'done' || this.manifestSha256 === undefined) {
      // Cut short (a torn write), or not even a first line.
      return this.state === 'head' ? 'older' : `${RECORD_REL} is not valid JSON (it ends early)`;
    }
    return undefined;
  }
}
