import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectReportLanguage } from '@heartline/ecg/data';
import type { BootstrapInterval } from '@heartline/model/metrics';
import { CLASS_PROMPTS, CLASS_SETS, type PromptLanguage } from '@heartline/model/text';
import { missingDataMessage, openPtbxlFolder, sharedDataDir } from '@heartline/node-io';
import {
  type AlignPair,
  alignPairsFromExamples,
  alignRelease,
  concatExamples,
  type EvaluationReport,
  type ExampleSet,
  evaluate,
  examplesFromFolder,
  loadRelease,
  selectBackend,
  subsetExamples,
  tfEncoders,
  trainRelease,
} from '@heartline/trainer';
import type { BenchFigure, Benchmark } from './benchmark.js';
import {
  addOverlap,
  classVectors,
  draftCase,
  NO_OVERLAP,
  type StatementOverlap,
  type StoredReport,
  statementOverlap,
} from './clinician-draft.js';
import { clinicianLoopSvg } from './clinician-loop-chart.js';

/** Sign-offs between two align jobs (the cloud's default proposal threshold). */
const EVERY = 25;
const TRAIN_FOLDS = [1, 2, 3, 4, 5, 6, 7];

const round = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? Number.NaN : Math.round(x * 1000) / 1000;
const ci = (i: BootstrapInterval | null | undefined) =>
  i ? `[${i.low.toFixed(3)}, ${i.high.toFixed(3)}]` : '';

/** One point of the learning curve: a release after `signOffs` sign-offs, scored on the held-out half. */
interface Checkpoint {
  readonly signOffs: number;
  readonly release: string;
  readonly zeroShotAuroc: number;
  readonly zeroShotAurocCi: BootstrapInterval | null;
  readonly reportToEcgR10: number | null;
  readonly reportToEcgR10Ci: BootstrapInterval | null;
  /** Drafts this release wrote (the sign-offs up to the next checkpoint): statement precision and recall. */
  draftPrecision?: number;
  draftRecall?: number;
  /** Precision of the drafted statements that came from class prompts, and how many there were. */
  promptPrecision?: number;
  promptStatements?: number;
  drafts?: number;
  alignSeconds?: number;
  /**
   * The control: the same chain of align jobs on the training folds' pairs alone (no signed report), so
   * what the signed pairs add is told apart from what more align steps do.
   */
  control?: HeldOut;
  /** What the rollout gate sees of the align job run after this checkpoint: its own held-out pairs. */
  gate?: { childR10: number; parentR10: number; childAuroc: number | null; parentAuroc: number | null };
}

/** Held-out figures of one release. */
interface HeldOut {
  readonly zeroShotAuroc: number;
  readonly zeroShotAurocCi: BootstrapInterval | null;
  readonly reportToEcgR10: number | null;
  readonly reportToEcgR10Ci: BootstrapInterval | null;
}

/** Per-class F1 thresholds a release stored (metrics.json validation.zeroShot.perClass), as the cloud reads them. */
function storedThresholds(metrics: unknown): Record<string, number | null> {
  const perClass = (
    metrics as { validation?: { zeroShot?: { perClass?: Record<string, { threshold?: unknown }> } } }
  )?.validation?.zeroShot?.perClass;
  const out: Record<string, number | null> = {};
  for (const [code, f] of Object.entries(perClass ?? {}))
    out[code] = typeof f.threshold === 'number' && Number.isFinite(f.threshold) ? f.threshold : null;
  return out;
}

/** The clinician's language: German reports are answered in German, everything else in English. */
const promptLanguage = (report: string): PromptLanguage =>
  detectReportLanguage(report) === 'de' ? 'de' : 'en';

/** Stable seeded order of a key (sha256 of seed and key). */
const seededKey = (seed: number, key: string) => createHash('sha256').update(`${seed}:${key}`).digest('hex');

/**
 * The fold-8 records split in two by patient (seeded): a stream the clinician signs, and a held-out half
 * no align job ever sees. Records of one patient stay on one side.
 */
async function splitByPatient(dirs: readonly string[], test: ExampleSet, seed: number) {
  const patientOf = new Map<string, string>();
  for (const dir of dirs) {
    const folder = await openPtbxlFolder(dir, { folds: [8] });
    for (const row of folder.rows)
      patientOf.set(`${dir}#${row.ecgId}`, `${row.patientId ?? `ecg ${row.ecgId}`}`);
  }
  const patients = [...new Set(test.ids.map((id) => patientOf.get(id) ?? id))].sort((a, b) =>
    seededKey(seed, a).localeCompare(seededKey(seed, b)),
  );
  const streamPatients = new Set(patients.slice(0, Math.ceil(patients.length / 2)));
  const stream: number[] = [];
  const heldOut: number[] = [];
  test.ids.forEach((id, i) => {
    (streamPatients.has(patientOf.get(id) ?? id) ? stream : heldOut).push(i);
  });
  // The stream arrives in a seeded order, not file order.
  stream.sort((a, b) => seededKey(seed, test.ids[a]!).localeCompare(seededKey(seed, test.ids[b]!)));
  return { stream: subsetExamples(test, stream), heldOut: subsetExamples(test, heldOut) };
}

/**
 * The clinician loop on real data: a release trained on PTB-XL folds 1–7 (ptbxl-500 and ptbxl-extra, the
 * reports paired with their ECGs) drafts reports for a stream of fold-8 cases; a scripted clinician signs
 * each with the real PTB-XL report; after every 25 sign-offs an align job (`alignRelease`, the cloud's job)
 * trains on every signed pair so far plus the training folds' pairs, on top of the previous release. Each
 * release is scored on the other half of fold 8 (split by patient, never signed): zero-shot superclass
 * macro AUROC and report→ECG R@10 with 95 % bootstrap intervals; each draft is compared with the signed
 * report statement by statement (precision: drafted statements the clinician kept; recall: signed
 * statements the draft already had). `HEARTLINE_BENCH_RELEASE=DIR` starts from a release there (trained
 * into it when empty); `HEARTLINE_BENCH_STEPS` / `HEARTLINE_BENCH_SSL_STEPS` (default 300 / 100, half the
 * real recipe) and `HEARTLINE_BENCH_ALIGN_STEPS` (default 150) bound the run on 2 cores;
 * `HEARTLINE_BENCH_OUT=DIR` is where the series is written (clinician-loop.json and .csv, and the plot of
 * held-out AUROC and R@10 against sign-offs as clinician-loop.svg). A control chain
 * of the same align jobs on the training folds' pairs alone (`HEARTLINE_BENCH_CONTROL=0` skips it) tells what
 * the signed pairs add from what more align steps do; each align job's own held-out comparison with its
 * parent (what the cloud's rollout gate reads) is reported too.
 */
export const clinicianLoopBenchmark: Benchmark = {
  name: 'clinician-loop',
  description:
    'drafts fold-8 reports, signs them with the real PTB-XL reports, aligns every 25 sign-offs; held-out AUROC, R@10 and draft precision/recall per checkpoint',
  async run(progress) {
    const ptbxl = sharedDataDir('ptbxl-500');
    if (!ptbxl) {
      progress(missingDataMessage('ptbxl-500'));
      return [];
    }
    const extra = sharedDataDir('ptbxl-extra');
    if (!extra) progress(`${missingDataMessage('ptbxl-extra')}: running on ptbxl-500 alone`);
    const labelled = extra ? [ptbxl, extra] : [ptbxl];
    const seed = Number(process.env['HEARTLINE_BENCH_SEED'] ?? 1);
    const steps = Number(process.env['HEARTLINE_BENCH_STEPS'] ?? 300);
    const sslSteps = Number(process.env['HEARTLINE_BENCH_SSL_STEPS'] ?? 100);
    const alignSteps = Number(process.env['HEARTLINE_BENCH_ALIGN_STEPS'] ?? 150);
    const root = await mkdtemp(join(tmpdir(), 'heartline-bench-clinician-'));
    const outDir = process.env['HEARTLINE_BENCH_OUT'] ?? root;
    await mkdir(outDir, { recursive: true });
    await selectBackend(undefined, { log: () => {} });

    // The release of folds 1–7 (stopped on fold 7, as the model-real bench trains it).
    const baseDir = process.env['HEARTLINE_BENCH_RELEASE'] ?? join(root, 'base');
    const figs: BenchFigure[] = [];
    try {
      await loadRelease(baseDir).then((r) => r.model.dispose());
      progress(`using the release in ${baseDir}`);
    } catch {
      progress(
        `training the base release: ${steps} steps (+${sslSteps} self-supervised), folds 1–6, stopped on 7`,
      );
      const started = performance.now();
      await trainRelease({
        out: baseDir,
        seed,
        preset: 'real',
        dataDirs: labelled,
        pairedReports: [],
        validationFolds: [7],
        steps,
        selfSupervisedSteps: sslSteps,
        log: (line) => progress(`base: ${line}`),
      });
      figs.push({
        name: 'base release train wall time',
        value: Math.round((performance.now() - started) / 1000),
        unit: 's',
      });
    }

    const read = async (folds: number[]) =>
      concatExamples(
        await Promise.all(labelled.map(async (d) => (await examplesFromFolder(d, { folds })).set)),
      );
    const train = await read(TRAIN_FOLDS);
    const { stream, heldOut } = await splitByPatient(labelled, await read([8]), seed);
    const classes = CLASS_SETS.superclass.filter((c) => heldOut.labels.some((l) => l.includes(c)));
    progress(`fold 8: ${stream.size} stream cases, ${heldOut.size} held out; ${train.size} training pairs`);
    const bootstrap = { draws: 1000, seed: 'clinician-loop' };

    // The ECG encoder never changes in align mode: h_ecg of every case is the base release's.
    const trainPairs = await alignPairsFromExamples(baseDir, train);
    const streamPairs = await alignPairsFromExamples(baseDir, stream);
    const pairById = new Map(streamPairs.map((p) => [p.id, p]));
    const storedTrain: StoredReport[] = trainPairs.map((p, i) => ({
      recordId: p.id ?? `train-${i}`,
      text: p.report,
      language: promptLanguage(p.report),
      codes: p.codes ?? [],
    }));

    const checkpoints: Checkpoint[] = [];
    const signed: AlignPair[] = [];
    const signedStored: StoredReport[] = [];
    let releaseDir = baseDir;
    const control = process.env['HEARTLINE_BENCH_CONTROL'] !== '0';
    const scoreHeldOut = (encoders: ReturnType<typeof tfEncoders>): HeldOut => {
      const report: EvaluationReport = evaluate(encoders, heldOut, {
        classes,
        prompts: CLASS_PROMPTS,
        missingLeads: [],
        bootstrap,
      });
      return {
        zeroShotAuroc: report.zeroShot.macroAuroc,
        zeroShotAurocCi: report.zeroShot.macroAurocCi ?? null,
        reportToEcgR10: report.retrieval?.reportToEcg.r10 ?? null,
        reportToEcgR10Ci: report.retrieval?.reportToEcg.r10Ci ?? null,
      };
    };
    let controlDir = baseDir;
    let totals: StatementOverlap = NO_OVERLAP;
    for (let start = 0; start <= stream.size; start += EVERY) {
      const release = await loadRelease(releaseDir);
      const encoders = tfEncoders(release.model, release.tokenizer);
      const point: Checkpoint = { signOffs: start, release: release.manifest.id, ...scoreHeldOut(encoders) };
      if (control && controlDir !== baseDir) {
        const c = await loadRelease(controlDir);
        point.control = scoreHeldOut(tfEncoders(c.model, c.tokenizer));
        c.model.dispose();
      }
      checkpoints.push(point);
      // Draft the next cases with this release, then sign them with the real report.
      const batch = Array.from({ length: Math.min(EVERY, stream.size - start) }, (_, i) => start + i);
      if (batch.length > 0) {
        const d = encoders.sharedDim;
        const stored = [...storedTrain, ...signedStored];
        const zStored = encoders.encodeText(stored.map((s) => s.text));
        const { z: zCases } = encoders.encodeEcg(stream.windows, stream.leadMasks, stream.size);
        const zClasses = classVectors(encoders, classes);
        const thresholds = storedThresholds(release.metrics);
        let window: StatementOverlap = NO_OVERLAP;
        for (const row of batch) {
          const text = stream.reports[row]!;
          const draft = draftCase({
            releaseId: release.manifest.id,
            language: promptLanguage(text),
            zCases,
            row,
            stored,
            zStored,
            classes,
            zClasses,
            thresholds,
            d,
          });
          window = addOverlap(window, statementOverlap(draft, text));
          const pair = pairById.get(stream.ids[row]!);
          if (pair) {
            signed.push(pair);
            signedStored.push({
              recordId: pair.id ?? `signed-${row}`,
              text,
              language: promptLanguage(text),
              codes: pair.codes ?? [],
            });
          }
        }
        point.draftPrecision = window.drafted > 0 ? window.matched / window.drafted : Number.NaN;
        point.draftRecall = window.signed > 0 ? window.matched / window.signed : Number.NaN;
        point.promptPrecision =
          window.promptDrafted > 0 ? window.promptMatched / window.promptDrafted : Number.NaN;
        point.promptStatements = window.promptDrafted;
        point.drafts = batch.length;
        totals = addOverlap(totals, window);
      }
      release.model.dispose();
      progress(
        `after ${start} sign-offs (${point.release}): zero-shot AUROC ${round(point.zeroShotAuroc)} ${ci(point.zeroShotAurocCi)}, ` +
          `report→ECG R@10 ${round(point.reportToEcgR10)} ${ci(point.reportToEcgR10Ci)}` +
          (point.control
            ? ` (control without signed pairs: AUROC ${round(point.control.zeroShotAuroc)}, R@10 ${round(point.control.reportToEcgR10)})`
            : '') +
          (point.drafts
            ? `; its ${point.drafts} drafts: precision ${round(point.draftPrecision)}, recall ${round(point.draftRecall)}`
            : ''),
      );
      // An align job after every 25 sign-offs (none after a partial batch: the cloud would not propose one).
      if (batch.length < EVERY) break;
      const out = join(root, `align-${start + EVERY}`);
      const started = performance.now();
      const aligned = await alignRelease({
        out,
        parent: releaseDir,
        pairs: [...trainPairs, ...signed],
        steps: alignSteps,
        seed,
        sources: { 'ptbxl folds 1-7': trainPairs.length, 'signed fold 8': signed.length },
        log: (line) => progress(`align ${start + EVERY}: ${line}`),
      });
      point.alignSeconds = (performance.now() - started) / 1000;
      point.gate = {
        childR10: aligned.evaluation.retrieval.reportToEcg.r10,
        parentR10: aligned.parentEvaluation.retrieval.reportToEcg.r10,
        childAuroc: aligned.evaluation.zeroShot?.macroAuroc ?? null,
        parentAuroc: aligned.parentEvaluation.zeroShot?.macroAuroc ?? null,
      };
      releaseDir = out;
      if (control) {
        const controlOut = join(root, `control-${start + EVERY}`);
        await alignRelease({
          out: controlOut,
          parent: controlDir,
          pairs: trainPairs,
          steps: alignSteps,
          seed,
          log: () => {},
        });
        controlDir = controlOut;
      }
    }

    const series = {
      every: EVERY,
      stream: stream.size,
      heldOut: heldOut.size,
      steps,
      sslSteps,
      alignSteps,
      checkpoints,
    };
    await writeFile(join(outDir, 'clinician-loop.json'), `${JSON.stringify(series, null, 2)}\n`);
    const csv = [
      'sign_offs,release,zero_shot_auroc,auroc_low,auroc_high,report_to_ecg_r10,r10_low,r10_high,draft_precision,draft_recall,control_zero_shot_auroc,control_report_to_ecg_r10',
      ...checkpoints.map((c) =>
        [
          c.signOffs,
          c.release,
          c.zeroShotAuroc,
          c.zeroShotAurocCi?.low,
          c.zeroShotAurocCi?.high,
          c.reportToEcgR10,
          c.reportToEcgR10Ci?.low,
          c.reportToEcgR10Ci?.high,
          c.draftPrecision ?? '',
          c.draftRecall ?? '',
          c.control?.zeroShotAuroc ?? '',
          c.control?.reportToEcgR10 ?? '',
        ].join(','),
      ),
    ];
    await writeFile(join(outDir, 'clinician-loop.csv'), `${csv.join('\n')}\n`);
    await writeFile(join(outDir, 'clinician-loop.svg'), clinicianLoopSvg(checkpoints, heldOut.size));
    progress(`series written to ${join(outDir, 'clinician-loop.json')}, .csv and .svg (the plot)`);

    for (const c of checkpoints) {
      figs.push(
        {
          name: `after ${c.signOffs} sign-offs: held-out zero-shot macro AUROC`,
          value: round(c.zeroShotAuroc),
          unit: ci(c.zeroShotAurocCi),
        },
        {
          name: `after ${c.signOffs} sign-offs: held-out report→ECG R@10`,
          value: round(c.reportToEcgR10),
          unit: ci(c.reportToEcgR10Ci),
        },
      );
      if (c.drafts)
        figs.push(
          {
            name: `drafts ${c.signOffs + 1}–${c.signOffs + c.drafts}: statement precision`,
            value: round(c.draftPrecision),
            unit: '',
          },
          {
            name: `drafts ${c.signOffs + 1}–${c.signOffs + c.drafts}: statement recall`,
            value: round(c.draftRecall),
            unit: '',
          },
          {
            name: `drafts ${c.signOffs + 1}–${c.signOffs + c.drafts}: precision of class-prompt statements`,
            value: round(c.promptPrecision),
            unit: `(${c.promptStatements} drafted)`,
          },
        );
      if (c.control)
        figs.push(
          {
            name: `control (same align jobs, no signed pairs) at ${c.signOffs}: held-out zero-shot macro AUROC`,
            value: round(c.control.zeroShotAuroc),
            unit: ci(c.control.zeroShotAurocCi),
          },
          {
            name: `control (same align jobs, no signed pairs) at ${c.signOffs}: held-out report→ECG R@10`,
            value: round(c.control.reportToEcgR10),
            unit: ci(c.control.reportToEcgR10Ci),
          },
        );
      if (c.gate)
        figs.push(
          {
            name: `align job after ${c.signOffs + EVERY}: its own held-out R@10, release vs parent`,
            value: round(c.gate.childR10),
            unit: `vs ${round(c.gate.parentR10)}`,
          },
          {
            name: `align job after ${c.signOffs + EVERY}: its own held-out zero-shot AUROC, release vs parent`,
            value: round(c.gate.childAuroc),
            unit: `vs ${round(c.gate.parentAuroc)}`,
          },
        );
      if (c.alignSeconds !== undefined)
        figs.push({
          name: `align job after ${c.signOffs + EVERY} sign-offs: wall time`,
          value: Math.round(c.alignSeconds),
          unit: 's',
        });
    }
    figs.push(
      {
        name: 'all drafts: statement precision',
        value: round(totals.drafted ? totals.matched / totals.drafted : Number.NaN),
        unit: `(${totals.matched}/${totals.drafted})`,
      },
      {
        name: 'all drafts: statement recall',
        value: round(totals.signed ? totals.matched / totals.signed : Number.NaN),
        unit: `(${totals.matched}/${totals.signed})`,
      },
      {
        name: 'all drafts: precision of retrieved statements',
        value: round(
          totals.drafted - totals.promptDrafted
            ? (totals.matched - totals.promptMatched) / (totals.drafted - totals.promptDrafted)
            : Number.NaN,
        ),
        unit: `(${totals.matched - totals.promptMatched}/${totals.drafted - totals.promptDrafted})`,
      },
      {
        name: 'all drafts: precision of class-prompt statements',
        value: round(totals.promptDrafted ? totals.promptMatched / totals.promptDrafted : Number.NaN),
        unit: `(${totals.promptMatched}/${totals.promptDrafted})`,
      },
    );
    return figs;
  },
};
