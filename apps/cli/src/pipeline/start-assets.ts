/**
 * What `heartline start` keeps in its data directory, on one machine or as a cluster: the synthetic
 * dataset, the bootstrap release (trained on it, or on the user's `--dataset` folder, which stays where
 * it is), and small JSON files of secrets (0600).
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDataset } from '@heartline/ecg/synth';
import { writeDataset } from '@heartline/node-io';
import { RELEASE_FILES, type RecipeName, trainRelease } from '@heartline/trainer';
import type { CommandIo } from '../command.js';
import { createProgressBar, stageProgress } from '../progress-bar.js';
import { describeSummary, summariseFolder } from './summarise-folder.js';

/** Reads a JSON file of secrets kept in the data directory (0600), or an empty object. */
export async function readSecrets(path: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** Writes `secrets` as JSON, readable by this user only. */
export async function writeSecrets(path: string, secrets: Record<string, string>): Promise<void> {
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** Generates the seeded synthetic dataset into `dir` unless it is there already. */
export async function ensureDataset(
  io: CommandIo,
  dir: string,
  n: number,
  seed: string,
  interactive: boolean,
): Promise<void> {
  if (existsSync(join(dir, 'ptbxl_database.csv'))) {
    io.stdout(`data: reusing the synthetic dataset in ${dir}\n`);
    return;
  }
  io.stdout(`data: generating ${n} synthetic 12-lead ECGs with reports (seed ${seed})…\n`);
  const bar = createProgressBar('synth', { write: io.stderr, interactive });
  const files = generateDataset({
    n,
    seed: /^-?\d+$/.test(seed) ? Number(seed) : seed,
    onProgress: (done, total) => bar.update({ done, total }),
  });
  await writeDataset(dir, files);
  const summary = await summariseFolder(dir, 500);
  io.stdout(`${describeSummary('data: synthetic dataset', summary)}\n`);
}

/**
 * Trains the bootstrap release into `dir` unless it is there already: on synthetic data alone, or with
 * `dataset` on that folder's records of folds 1–8 (the recipe's synthetic ECGs mixed in, as `heartline
 * train --data` does) — folds 9 and 10 are never read for training. Returns the release's id (undefined
 * when a cached `release.json` is unreadable).
 */
export async function ensureRelease(
  io: CommandIo,
  dir: string,
  preset: RecipeName,
  interactive: boolean,
  dataset?: string,
): Promise<string | undefined> {
  if (existsSync(join(dir, RELEASE_FILES.manifest))) {
    io.stdout(`release: reusing ${dir}\n`);
    return readReleaseId(dir);
  }
  io.stdout(
    `release: training the bootstrap release (preset ${preset}) on ` +
      `${dataset ? `${dataset} (folds 1–8) and synthetic data` : 'synthetic data'}; cached afterwards\n`,
  );
  const { manifest, evaluation } = await trainRelease({
    out: dir,
    preset,
    dataDirs: dataset ? [dataset] : [],
    pairedReports: [],
    log: (line) => io.stderr(`train: ${line}\n`),
    onProgress: stageProgress(io.stderr, interactive),
  });
  io.stdout(
    `release: ${manifest.id}: zero-shot macro AUROC ${evaluation.zeroShot.macroAuroc.toFixed(3)}` +
      (evaluation.retrieval ? `, report→ECG R@10 ${evaluation.retrieval.reportToEcg.r10.toFixed(3)}` : '') +
      ` on held-out ${dataset ? "fold-8 data (the folder's and synthetic)" : 'synthetic data'}\n`,
  );
  return manifest.id;
}

/** The id in a release directory's `release.json`, or undefined when it has none readable. */
async function readReleaseId(dir: string): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, RELEASE_FILES.manifest), 'utf8')) as {
      id?: unknown;
    };
    return typeof manifest.id === 'string' ? manifest.id : undefined;
  } catch {
    return undefined;
  }
}
