import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('heartline export', () => {
  it('exits 2 with the usage when --release is missing', async () => {
    const { code, stderr } = await run(['export']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--release DIR is required/);
  });

  it('exits 2 naming the variant when --variants fp32,bf16 is given', async () => {
    const { code, stderr } = await run(['export', '--release', '/nonexistent', '--variants', 'fp32,bf16']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/'bf16' is not one of fp32, int8, fp16/);
  });

  it('reports a RELEASE error when the directory holds no release.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-export-cli-'));
    try {
      const { code, stderr } = await run(['export', '--release', dir]);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/RELEASE/);
      expect(stderr).toMatch(/missing release\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
