import { describe, expect, it } from 'vitest';
import { commands } from './commands/index.js';
import { runCli } from './run-cli.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (text: string) => {
        out.stdout += text;
      },
      stderr: (text: string) => {
        out.stderr += text;
      },
    },
  };
}

describe('runCli', () => {
  it.each(commands.map((c) => c.name))(
    'prints the usage of `%s --help` and `-h` with exit code 0',
    async (name) => {
      for (const flag of ['--help', '-h']) {
        const { out, io } = capture();
        expect(await runCli([name, flag], io)).toBe(0);
        expect(out.stdout).toMatch(new RegExp(`^usage: heartline ${name}`));
        expect(out.stderr).toBe('');
      }
    },
  );

  it('answers an unknown command with the command list and exit code 2', async () => {
    const { out, io } = capture();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(out.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(out.stderr).toMatch(/commands:\n/);
  });

  it('treats a --help after `--` as an argument, not a request for help', async () => {
    const { out, io } = capture();
    expect(await runCli(['inspect', '--', '--help'], io)).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/heartline inspect: error/);
  });
});
