import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const base = [
  'device',
  '--broker',
  'mqtt://127.0.0.1:1',
  '--id',
  'dev-1',
  '--secret',
  's',
  '--public-key',
  'k.pem',
];

describe('heartline device', () => {
  it('prints a usage error (exit 2) when --source is missing', async () => {
    const { code, stderr } = await run(base);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--source is required/);
  });

  it('prints one INVALID_ARGUMENT line (exit 1) for --source mic:1', async () => {
    const { code, stderr } = await run([...base, '--source', 'mic:1']);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/\[INVALID_ARGUMENT\]: --source = "mic:1": expected wfdb:PATH/);
  });

  it('rejects --id "a/b", which would escape its MQTT topic', async () => {
    const { code, stderr } = await run([
      ...base.slice(0, 3),
      '--id',
      'a/b',
      ...base.slice(5),
      '--source',
      'synthetic',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--id = "a\/b"/);
  });

  it('rejects --realtime together with --fast', async () => {
    const { code, stderr } = await run([...base, '--source', 'synthetic', '--realtime', '--fast']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/exclude each other/);
  });

  it('rejects --lead-off V3 without a window', async () => {
    const { code, stderr } = await run([...base, '--source', 'synthetic', '--lead-off', 'V3']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--lead-off must look like V3@5/);
  });
});
