import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderNotAllowedError, resolveImportPath } from './import-roots.js';

let work: string;
let root: string;

beforeAll(async () => {
  // Real path: the temporary directory may itself be reached through a link.
  work = await realpath(await mkdtemp(join(tmpdir(), 'hl-import-roots-')));
  root = join(work, 'root');
  await mkdir(join(root, 'data', 'nested'), { recursive: true });
  await mkdir(join(work, 'secret'), { recursive: true });
  await mkdir(join(work, 'root-sibling'), { recursive: true });
  await writeFile(join(root, 'file.txt'), 'x');
  await symlink(join(work, 'secret'), join(root, 'out-link'));
  await symlink(join(root, 'data'), join(root, 'in-link'));
  await symlink(join(root, 'data'), join(work, 'link-to-root-data'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function refusal(roots: readonly string[], requested: string): Promise<unknown> {
  return resolveImportPath(roots, requested).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('resolveImportPath', () => {
  it('answers the real path of a folder under a root', async () => {
    expect(await resolveImportPath([root], join(root, 'data'))).toBe(join(root, 'data'));
    expect(await resolveImportPath([root], root)).toBe(root);
    expect(await resolveImportPath([root], 'data/nested')).toBe(join(root, 'data', 'nested'));
    expect(await resolveImportPath([root], join(root, 'in-link'))).toBe(join(root, 'data'));
    // A link from outside into a root names a folder under it.
    expect(await resolveImportPath([root], join(work, 'link-to-root-data'))).toBe(join(root, 'data'));
    expect(await resolveImportPath([join(work, 'secret'), root], join(root, 'data'))).toBe(
      join(root, 'data'),
    );
  });

  it('refuses outside, ../ escapes, symlink escapes, missing folders and files with one error', async () => {
    const cases = [
      join(root, '..', 'secret'),
      join(root, 'data', '..', '..', 'secret'),
      '../secret',
      join(root, 'out-link'),
      join(root, 'out-link', '.'),
      join(work, 'root-sibling'),
      join(root, 'missing'),
      join(root, 'file.txt'),
      '/',
      '',
      `${root}\0`,
    ];
    const messages = new Set<string>();
    for (const requested of cases) {
      const error = await refusal([root], requested);
      expect(error, requested).toBeInstanceOf(FolderNotAllowedError);
      messages.add((error as Error).message);
    }
    expect(messages.size).toBe(1);
  });

  it('refuses everything without roots or with a missing root', async () => {
    expect(await refusal([], root)).toBeInstanceOf(FolderNotAllowedError);
    expect(await refusal([join(work, 'gone')], join(work, 'gone'))).toBeInstanceOf(FolderNotAllowedError);
  });
});
