import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChannelPublication, rollbackTarget } from './rollback-target.js';

const out = (release: string): ChannelPublication<string> => ({
  release,
  manifest: `m-${release}`,
  action: 'rollout',
});
const back = (release: string): ChannelPublication<string> => ({
  release,
  manifest: `m-${release}`,
  action: 'rollback',
});

describe('rollbackTarget', () => {
  it('goes back one release per rollback and never returns to the release it left', () => {
    expect(rollbackTarget([out('A'), out('B')])).toMatchObject({
      current: { release: 'B' },
      previous: { release: 'A' },
    });
    // After A → B and a rollback to A, a second rollback has nowhere to go (it used to re-publish B).
    expect(rollbackTarget([out('A'), out('B'), back('A')]).previous).toBeUndefined();
    const abc = [out('A'), out('B'), out('C'), back('B')];
    expect(rollbackTarget(abc)).toMatchObject({ current: { release: 'B' }, previous: { release: 'A' } });
    expect(rollbackTarget([...abc, back('A')]).previous).toBeUndefined();
  });

  it('treats a release rolled out twice in a row as one step, with its newer manifest', () => {
    const again = { release: 'B', manifest: 'm-B2', action: 'rollout' } as const;
    expect(rollbackTarget([out('A'), out('B'), again])).toMatchObject({
      current: { manifest: 'm-B2' },
      previous: { release: 'A' },
    });
  });

  it('has no target for an empty or single-release history', () => {
    expect(rollbackTarget([])).toEqual({ current: undefined, previous: undefined });
    expect(rollbackTarget([out('A')]).previous).toBeUndefined();
  });

  it('never targets the current release nor the release the last rollback left (property)', () => {
    const step = fc.oneof(
      fc.constantFrom('A', 'B', 'C', 'D').map((r) => ({ kind: 'out' as const, r })),
      fc.constant({ kind: 'back' as const, r: '' }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        // Build the history the way Rollout does: a rollback publishes rollbackTarget's previous.
        const history: ChannelPublication<string>[] = [];
        let left: string | undefined;
        for (const s of steps) {
          if (s.kind === 'out') {
            history.push(out(s.r));
            left = undefined;
            continue;
          }
          const { current, previous } = rollbackTarget(history);
          if (!current || !previous) continue;
          history.push(back(previous.release));
          left = current.release;
        }
        const { current, previous } = rollbackTarget(history);
        if (previous) expect(previous.release).not.toBe(current?.release);
        if (left !== undefined && previous) expect(previous.release).not.toBe(left);
      }),
      { verbose: true },
    );
  });
});
