import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { missingDataMessage, sharedDataDir, sharedDataForTest, sharedDataRoot } from './shared-data.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-shared-data-'));
  await mkdir(join(root, 'present'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('shared data', () => {
  it('reads the folder from HEARTLINE_SHARED_DATA when it is set', () => {
    vi.stubEnv('HEARTLINE_SHARED_DATA', root);
    expect(sharedDataRoot()).toBe(root);
    expect(sharedDataDir('present')).toBe(join(root, 'present'));
    expect(sharedDataDir('absent')).toBeUndefined();
  });

  it('falls back to ../shared/data beside the repository', () => {
    vi.stubEnv('HEARTLINE_SHARED_DATA', '');
    expect(sharedDataRoot()).toMatch(/[\\/]shared[\\/]data$/);
  });

  it('names the path it looked at and how to provide the dataset', () => {
    vi.stubEnv('HEARTLINE_SHARED_DATA', root);
    expect(missingDataMessage('absent')).toContain(join(root, 'absent'));
    expect(missingDataMessage('absent')).toContain('HEARTLINE_SHARED_DATA');
  });

  it('prints why a test is skipped outside CI, and fails under CI', () => {
    vi.stubEnv('HEARTLINE_SHARED_DATA', root);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubEnv('CI', '');
    expect(sharedDataForTest('present')).toBe(join(root, 'present'));
    expect(sharedDataForTest('absent')).toBeUndefined();
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toContain(join(root, 'absent'));
    vi.stubEnv('CI', 'true');
    expect(sharedDataForTest('present')).toBe(join(root, 'present'));
    expect(() => sharedDataForTest('absent')).toThrow(/CI: real dataset 'absent' not found at /);
  });
});
