import { describe, expect, it } from 'vitest';
import { createProgressBar } from './progress-bar.js';

describe('createProgressBar', () => {
  it('prints plain lines without control characters when not on a terminal, always including the last', () => {
    const out: string[] = [];
    const bar = createProgressBar('train', { write: (t) => out.push(t), interactive: false }, 0);
    for (let i = 1; i <= 100; i++) bar.update({ done: i, total: 100, detail: `loss ${(1 / i).toFixed(3)}` });
    expect(out.length).toBeGreaterThan(2);
    expect(out.length).toBeLessThanOrEqual(21); // one line per 5 % at most
    expect(out.every((l) => !l.includes('\r') && !l.includes('\x1b'))).toBe(true);
    expect(out.at(-1)).toContain('100/100 100%');
    expect(out.at(-1)).toContain('loss 0.010');
  });

  it('redraws one line in place on a terminal and ends it when done', () => {
    const out: string[] = [];
    const bar = createProgressBar('train', { write: (t) => out.push(t), interactive: true });
    bar.update({ done: 1, total: 4 });
    bar.update({ done: 4, total: 4 });
    expect(out).toHaveLength(2);
    expect(out[0]!.startsWith('\r')).toBe(true);
    expect(out[0]).toContain('1/4 25%');
    expect(out[1]!.endsWith('\n')).toBe(true);
  });
});
