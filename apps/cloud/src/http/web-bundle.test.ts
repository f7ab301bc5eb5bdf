import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { webBundle } from './web-bundle.js';

describe('webBundle', () => {
  it('bundles a TypeScript entry with a workspace import into one browser script', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-bundle-'));
    const entry = join(dir, 'page.ts');
    await writeFile(
      entry,
      "import { TOPICS } from '@heartline/model/wire';\nexport const topic: string = TOPICS.embedding('abc');\n",
    );
    const first = await webBundle(entry);
    expect(first.js).toContain('hl/v1/dev/');
    expect(first.js).not.toMatch(/\bimport\s*[{*]/);
    expect(await webBundle(entry)).toBe(first);
  });

  it('rejects an entry that does not compile, naming the problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-bundle-'));
    const entry = join(dir, 'broken.ts');
    await writeFile(entry, "import { nothing } from './missing-module.js';\nconsole.log(nothing);\n");
    await expect(webBundle(entry)).rejects.toThrow(/missing-module/);
  });
});
