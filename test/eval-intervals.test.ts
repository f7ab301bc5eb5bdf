import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runHeartline } from './support/run-heartline.js';

/** Bounds around a figure, as `heartline eval --json` prints them (NaN becomes null in JSON). */
interface Interval {
  value: number | null;
  low: number | null;
  high: number | null;
  draws: number;
  skipped: number;
}

function expectAround(ci: Interval): void {
  expect(ci.draws).toBe(200);
  if (ci.value === null || ci.low === null || ci.high === null) return;
  expect(ci.low).toBeLessThanOrEqual(ci.value);
  expect(ci.high).toBeGreaterThanOrEqual(ci.value);
}

describe('heartline eval: intervals, a probe trained on another folder, the supervised baseline', () => {
  let work: string;
  let release: string;
  let evaluated: string;
  let training: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'heartline-eval-ci-'));
    release = join(work, 'release');
    evaluated = join(work, 'evaluated');
    training = join(work, 'training');
    for (const [out, n, seed] of [
      [evaluated, '40', '9'],
      [training, '60', '4'],
    ] as const) {
      const synth = await runHeartline(['synth', '--out', out, '--n', n, '--seed', seed]);
      expect(synth.code, synth.stderr).toBe(0);
    }
    const train = await runHeartline(['train', '--out', release, '--preset', 'tiny', '--data', evaluated], {
      timeoutMs: 300_000,
    });
    expect(train.code, train.stderr).toBe(0);
  }, 360_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('prints every AUROC and recall with its interval, and the baseline beside the probe', async () => {
    const run = await runHeartline(
      [
        'eval',
        '--release',
        release,
        '--data',
        evaluated,
        '--folds',
        '8',
        '--probe-train',
        training,
        '--probe-folds',
        '1,2,3,4,5,6,7',
        '--supervised',
        '--draws',
        '200',
        '--json',
      ],
      { timeoutMs: 300_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.probeTrain).toEqual({ data: training, folds: [1, 2, 3, 4, 5, 6, 7] });
    expect(report.bootstrap).toMatchObject({ draws: 200, level: 0.95 });
    expectAround(report.zeroShot.macroAurocCi);
    for (const c of Object.values(report.zeroShot.perClass) as { aurocCi: Interval }[])
      expectAround(c.aurocCi);
    for (const key of ['p1Ci', 'p10Ci', 'p100Ci']) expectAround(report.linearProbe[key]);
    for (const direction of ['reportToEcg', 'ecgToReport'])
      for (const key of ['r1Ci', 'r5Ci', 'r10Ci']) expectAround(report.retrieval[direction][key]);
    for (const f of Object.values(report.retrieval.reportToEcgByLanguage) as { r10Ci: Interval }[])
      expectAround(f.r10Ci);
    for (const m of Object.values(report.missingLeads) as { zeroShotMacroAurocCi: Interval }[])
      expectAround(m.zeroShotMacroAurocCi);
    expectAround(report.supervised.macroAurocCi);
    // Early stopping on fold 7 of the training folder, fitting on its folds 1–6.
    expect(report.supervised.trainExamples + report.supervised.validationExamples).toBe(
      report.linearProbe.trainExamples,
    );
  }, 300_000);

  it('prints intervals in the text report', async () => {
    const run = await runHeartline(['eval', '--release', release, '--data', evaluated, '--draws', '200']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/zero-shot: macro AUROC \d\.\d{3}( \[\d\.\d\d, \d\.\d\d\])?/);
    expect(run.stdout).toMatch(/report→ECG R@1\/5\/10: \d\.\d{3} \[\d\.\d\d, \d\.\d\d\]/);
  });

  it('refuses to train the probe on folds it evaluates, or on fold 9, in one line', async () => {
    const overlap = await runHeartline([
      'eval',
      '--release',
      release,
      '--data',
      evaluated,
      '--probe-folds',
      '7,8',
    ]);
    expect(overlap.code).not.toBe(0);
    expect(overlap.stderr).toMatch(/--probe-folds 8 is also evaluated/);
    const held = await runHeartline([
      'eval',
      '--release',
      release,
      '--data',
      evaluated,
      '--probe-train',
      training,
      '--probe-folds',
      '9',
    ]);
    expect(held.code).not.toBe(0);
    expect(held.stderr).toMatch(/folds 9 and 10 are held out/);
    expect(hasStackTrace(overlap.stderr + held.stderr)).toBe(false);
  });
});
