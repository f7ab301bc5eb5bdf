/**
 * What `heartline start` keeps in its data directory, on one machine or as a cluster: the synthetic
 * dataset, the bootstrap release, and small JSON files of secrets (0600).
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDataset } from '@heartline/ecg/synth';
import { writeDataset } from '@heartline/node-io';
import { type RecipeName, trainRelease } from '@heartline/trainer';
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

/** Trains the bootstrap release into `dir` unless it is there already. */
export async function ensureRelease(
  io: CommandIo,
  dir: string,
  preset: RecipeName,
  interactive: boolean,
): Promise<void> {
  if (existsSync(join(dir, 'release.json'))) {
    io.stdout(`release: reusing ${dir}\n`);
    return;
  }
  io.stdout(
    `release: training the bootstrap release (preset ${preset}) on synthetic data; cached afterwards\n`,
  );
  const { manifest, evaluation } = await trainRelease({
    out: dir,
    preset,
    dataDirs: [],
    pairedReports: [],
    log: (line) => io.stderr(`train: ${line}\n`),
    onProgress: stageProgress(io.stderr, interactive),
  });
  io.stdout(
    `release: ${manifest.id}: zero-shot macro AUROC ${evaluation.zeroShot.macroAuroc.toFixed(3)}` +
      (evaluation.retrieval ? `, report→ECG R@10 ${evaluation.retrieval.reportToEcg.r10.toFixed(3)}` : '') +
      ' on held-out synthetic data\n',
  );
}
