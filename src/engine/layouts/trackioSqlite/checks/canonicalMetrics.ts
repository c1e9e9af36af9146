/**
 * One text per metrics cell that two cells share exactly when they hold the same metrics: keys
 * sorted at every depth, no whitespace, strings with one escaping, and Python's bare NaN / Infinity
 * / -Infinity written as the strings Trackio stores them as ("NaN", ...; deserialize_values reads
 * both as the same float). Numbers keep their exact text: `1` and `1.0` (an int and a float to
 * Python), or two integers beyond 2^53, stay different, so two rows are never called equal
 * because a JavaScript number rounded them. Returns undefined for a cell that is not a JSON object
 * (check reports those as sqlite/invalid-json or sqlite/json-schema; they are never duplicates).
 */
export function canonicalMetrics(cell: unknown): string | undefined {
  let text: string;
  if (Buffer.isBuffer(cell)) text = cell.toString('utf8');
  else if (typeof cell === 'string') text = cell;
  else return undefined;
  const p = new Parser(text);
  try {
    p.space();
    if (text.charCodeAt(p.i) !== 0x7b) return undefined;
    const out = p.value();
    p.space();
    return p.i === text.length ? out : undefined;
  } catch {
    return undefined;
  }
}

const NON_FINITE = ['NaN', 'Infinity', '-Infinity'];
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  space(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++;
  }

  value(): string {
    this.space();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return JSON.stringify(this.string());
    for (const word of ['true', 'false', 'null', ...NON_FINITE]) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return NON_FINITE.includes(word) ? `"${word}"` : word;
      }
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) throw new SyntaxError(`unexpected ${c ?? 'end'} at ${this.i}`);
    this.i += m[0].length;
    return m[0];
  }

  string(): string {
    STRING.lastIndex = this.i;
    const m = STRING.exec(this.s);
    if (!m) throw new SyntaxError(`bad string at ${this.i}`);
    this.i += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  object(): string {
    this.i++;
    const entries: Array<[string, string]> = [];
    this.space();
    if (this.s[this.i] === '}') {
      this.i++;
      return '{}';
    }
    for (;;) {
      this.space();
      const key = this.string();
      this.space();
      this.expect(':');
      entries.push([key, this.value()]);
      this.space();
      if (this.s[this.i] === '}') break;
      this.expect(',');
    }
    this.i++;
    // A key written twice: Python keeps the last value, as here (the sort is stable).
    const byKey = new Map(entries);
    return `{${[...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  }

  array(): string {
    this.i++;
    const items: string[] = [];
    this.space();
    if (this.s[this.i] === ']') {
      this.i++;
      return '[]';
    }
    for (;;) {
      items.push(this.value());
      this.space();
      if (this.s[this.i] === ']') break;
      this.expect(',');
    }
    this.i++;
    return `[${items.join(',')}]`;
  }

  private expect(ch: string): void {
    if (this.s[this.i] !== ch) throw new SyntaxError(`expected ${ch} at ${this.i}`);
    this.i++;
  }
}
