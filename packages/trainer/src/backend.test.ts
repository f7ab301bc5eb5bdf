import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, selectBackend } from './backend.js';

describe('selectBackend', () => {
  it('activates wasm when asked for it', async () => {
    expect(await selectBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('falls through missing native packages and says why', async () => {
    const lines: string[] = [];
    const chosen = await selectBackend(undefined, { log: (l) => lines.push(l) });
    expect(BACKEND_ORDER).toContain(chosen);
    expect(lines.at(-1)).toBe(`backend: using ${chosen}`);
    // Every backend tried before the chosen one is reported as skipped with a reason.
    const skipped = BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(chosen));
    expect(lines.slice(0, -1).map((l) => l.split(':')[1]?.trim())).toEqual(
      skipped.map((n) => `skipping ${n}`),
    );
    await selectBackend('wasm');
  });

  it('rejects an unknown preference (tried "webgpu")', async () => {
    await expect(selectBackend('webgpu' as never)).rejects.toThrow(/webgpu/);
  });
});
