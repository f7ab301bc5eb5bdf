import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '@heartline/ecg/data';
import { sharedDataForTest } from '@heartline/node-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runHeartline } from './support/run-heartline.js';

const cinc = sharedDataForTest('cinc2021-sample');

describe('train → release → eval through the CLI (tiny preset)', () => {
  let work: string;
  let release: string;
  let synthetic: string;
  let unlabeled: string;
  let train: Awaited<ReturnType<typeof runHeartline>>;
  /** Records of the synthetic folder per strat fold, counted from its CSV. */
  const perFold = new Map<number, number>();
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'heartline-train-'));
    release = join(work, 'release');
    synthetic = join(work, 'synthetic');
    const synth = await runHeartline(['synth', '--out', synthetic, '--n', '40', '--seed', '9']);
    expect(synth.code, synth.stderr).toBe(0);
    const csv = parseCsv(await readFile(join(synthetic, 'ptbxl_database.csv'), 'utf8'));
    const foldColumn = csv.header.indexOf('strat_fold');
    for (const row of csv.rows)
      perFold.set(Number(row[foldColumn]), (perFold.get(Number(row[foldColumn])) ?? 0) + 1);
    // A plain WFDB folder (no database CSV: ECGs without reports) for the self-supervised stage.
    unlabeled = join(work, 'unlabeled');
    const more = await runHeartline(['synth', '--out', unlabeled, '--n', '12', '--seed', '3']);
    expect(more.code, more.stderr).toBe(0);
    await rm(join(unlabeled, 'ptbxl_database.csv'));
    train = await runHeartline(
      ['train', '--out', release, '--preset', 'tiny', '--data', synthetic, '--data', unlabeled],
      { timeoutMs: 300_000 },
    );
    expect(train.code, train.stderr).toBe(0);
    expect(hasStackTrace(train.stderr)).toBe(false);
    expect(train.stdout).toMatch(/release r\S+ written to/);
  }, 360_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('says what it found in each data folder', () => {
    expect(train.stderr).toMatch(/synthetic: PTB-XL layout: \d+ ECGs with reports \(100 Hz, in mV\)/);
    expect(train.stderr).toMatch(/unlabeled: plain WFDB folder \(every \.hea\): \d+ ECGs without reports/);
    expect(train.stderr).toMatch(/self-supervised: ST-MM alone on \d+ ECGs/);
  });

  it('writes a complete release: manifest, weights with their hash, tokenizer, metrics and curves', async () => {
    const manifest = JSON.parse(await readFile(join(release, 'release.json'), 'utf8'));
    expect(manifest.format).toBe('heartline-release');
    expect(manifest.config.vocabSize).toBeGreaterThan(5);
    expect(manifest.preprocessing.targetRate).toBe(100);
    // Folds 9 and 10 are never read.
    const readable = [1, 2, 3, 4, 5, 6, 7, 8].reduce((n, f) => n + (perFold.get(f) ?? 0), 0);
    expect(manifest.data.sources[synthetic]).toBe(readable);
    const log = (await readFile(join(release, 'training-log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // The self-supervised stage (ST-MM alone) first, then the pair stage with all its losses.
    expect(log[0].stage).toBe('self-supervised');
    expect(log[0].train.stmm).toBeGreaterThan(0);
    const pairs = log.filter((r) => r.stage === undefined);
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs[0].train.clip).toBeGreaterThan(0);
    expect(manifest.data.selfSupervised.withoutReports).toBeGreaterThan(0);
    expect(manifest.data.sources[unlabeled]).toBe(manifest.data.selfSupervised.withoutReports);
    const tokenizer = JSON.parse(await readFile(join(release, 'tokenizer.json'), 'utf8'));
    expect(tokenizer.format).toBe('heartline-wordpiece');
  });

  it('evaluates on a PTB-XL-layout folder and prints the JSON the model issue asks for', async () => {
    const run = await runHeartline([
      'eval',
      '--release',
      release,
      '--data',
      synthetic,
      '--folds',
      '8',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.n).toBe(perFold.get(8));
    for (const key of ['macroAuroc', 'macroF1', 'perClass']) expect(report.zeroShot).toHaveProperty(key);
    for (const key of ['p1', 'p10', 'p100']) expect(report.linearProbe).toHaveProperty(key);
    for (const key of ['r1', 'r5', 'r10']) expect(report.retrieval.reportToEcg).toHaveProperty(key);
    expect(Object.keys(report.missingLeads)).toEqual(['1', '3', '6']);
  });

  it.skipIf(!cinc)('evaluates on the PhysioNet Challenge layout (no reports: no retrieval)', async () => {
    const run = await runHeartline(['eval', '--release', release, '--data', cinc!, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.n).toBe(10);
    expect(report.retrieval).toBeNull();
    expect(report.classes.length).toBeGreaterThan(0);
  });

  it('refuses a folder that is not a release, in one line', async () => {
    const run = await runHeartline(['eval', '--release', join(work, 'nowhere'), '--data', synthetic]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error \[RELEASE\]/);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('refuses an unknown validation fold and an out-of-range config with typed errors', async () => {
    const fold = await runHeartline([
      'train',
      '--out',
      join(work, 'x'),
      '--preset',
      'tiny',
      '--val-folds',
      '9',
    ]);
    expect(fold.code).toBe(1);
    expect(fold.stderr).toMatch(/INVALID_ARGUMENT.*folds 9 and 10 are held out/);
    const configFile = join(work, 'config.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(configFile, JSON.stringify({ ecgDim: 7 })));
    const config = await runHeartline([
      'train',
      '--out',
      join(work, 'y'),
      '--preset',
      'tiny',
      '--config',
      configFile,
    ]);
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(/INVALID_ARGUMENT.*ecgDim/);
    expect(hasStackTrace(fold.stderr + config.stderr)).toBe(false);
  });
});
