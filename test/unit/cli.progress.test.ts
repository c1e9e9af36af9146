import { describe, expect, it } from 'vitest';
import { onReadProgress, reportRead } from '../../src/engine/fs/readProgress.js';
import { ProgressBar } from '../../src/cli/render/ProgressBar.js';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
}

describe('progress', () => {
  it('inside a large file: bytes read move the bar, with the rate and the time left', () => {
    const { stream } = fakeStream(true);
    const bar = new ProgressBar(stream);
    const t0 = Date.now();
    bar.start(100 * 1024 * 1024, 1);
    bar.read(50 * 1024 * 1024);
    const line = bar.line(t0 + 10_000);
    expect(line).toContain('50%');
    expect(line).toMatch(/5(\.0)? MiB\/s/);
    expect(line).toMatch(/1[01] s left/);
    expect(line).toContain('0/1 files');
  });

  it('a file counted by its event and by its reads is counted once', () => {
    const bar = new ProgressBar(fakeStream(true).stream);
    bar.start(1000, 2);
    bar.read(600);
    bar.advance(600);
    expect(bar.line()).toContain('60%');
  });

  it('nothing is drawn on a non-terminal', () => {
    const { stream, written } = fakeStream(false);
    const bar = new ProgressBar(stream);
    bar.start(10, 1);
    bar.advance(10);
    bar.stop();
    expect(written).toEqual([]);
  });

  it('readers report to one listener, which stops when it says so', () => {
    let n = 0;
    const stop = onReadProgress((b) => (n += b));
    reportRead(5);
    stop();
    reportRead(7);
    expect(n).toBe(5);
  });
});
