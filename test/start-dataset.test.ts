/**
 * `heartline start --dataset DIR` on real ECGs: a small PTB-XL-layout folder is cut at test time from the
 * shared `ptbxl-extra` (real 100 Hz records, header units NU, real reports; never copied into the
 * repository), then the built CLI trains on it, imports it and replays it, and the API is asked what it
 * holds. Four of the rows are given strat folds 9 and 10 in the copy, so the test can see that training
 * never read them while the cloud and the devices did.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openPtbxlFolder, sharedDataForTest } from '@heartline/node-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, repoRoot, runHeartline } from './support/run-heartline.js';

const EXTRA = sharedDataForTest('ptbxl-extra');
const PER_FOLD = 5;
const HELD_OUT = { 9: 2, 10: 2 } as const;

/** A started `heartline start`: its API, operator token and output so far. */
interface Started {
  readonly child: ChildProcess;
  readonly api: string;
  readonly token: string;
  readonly output: () => { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

/** Starts the built CLI's `start` with `args` and resolves once it prints its summary. */
function start(args: readonly string[], timeoutMs: number): Promise<Started> {
  const child = spawn(process.execPath, ['apps/cli/dist/main.js', 'start', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const output = () => ({ stdout, stderr });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`start did not come up in ${timeoutMs / 1000} s\n${stdout}\n${stderr.slice(-8000)}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`start exited (${code}) before it was up\n${stdout}\n${stderr.slice(-8000)}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const token = /operator\s+Authorization: Bearer (\S+)/.exec(stdout)?.[1];
      const api = /API\s+(http:\/\/\S+\/api\/v1)/.exec(stdout)?.[1];
      if (!token || !api) return;
      clearTimeout(timer);
      resolve({ child, api, token, output, exited });
    });
  });
}

interface CaseSummary {
  deviceId: string;
  seq: number;
  studyId: string | null;
}

describe.skipIf(!EXTRA)('heartline start --dataset on real PTB-XL records', () => {
  let work = '';
  let folder = '';
  /** ecg_id → report text of every row copied. */
  const reports = new Map<number, string>();
  const heldOutIds = new Set<number>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'heartline-e2e-dataset-'));
    folder = await realpath(await mkdtemp(join(work, 'real-ptbxl-')));
    const source = EXTRA!;
    const { rows } = await openPtbxlFolder(source, { includeSignals: false });
    const lines = (await readFile(join(source, 'ptbxl_database.csv'), 'utf8')).trimEnd().split('\n');
    // One line per row (no report spans lines), so a row's line is its index + 1.
    expect(lines.length - 1).toBe(rows.length);
    const header = lines[0]!.split(',');
    const foldColumn = header.indexOf('strat_fold');
    // strat_fold, filename_lr and filename_hr are the last three columns and never hold a comma, so a
    // row's fold can be rewritten by splitting it from the right.
    expect(header.length - foldColumn).toBe(3);
    const picked: { line: string; row: (typeof rows)[number] }[] = [];
    const perFold = new Map<number, number>();
    const spare: number[] = [];
    rows.forEach((row, i) => {
      const taken = perFold.get(row.stratFold) ?? 0;
      if (taken < PER_FOLD) {
        perFold.set(row.stratFold, taken + 1);
        picked.push({ line: lines[i + 1]!, row });
      } else if (spare.length < 4) spare.push(i);
    });
    const relabel = [...Array(HELD_OUT[9]).fill(9), ...Array(HELD_OUT[10]).fill(10)] as number[];
    relabel.forEach((fold, k) => {
      const i = spare[k]!;
      const parts = lines[i + 1]!.split(',');
      parts[parts.length - 3] = String(fold);
      picked.push({ line: parts.join(','), row: rows[i]! });
      heldOutIds.add(rows[i]!.ecgId);
    });
    await writeFile(
      join(folder, 'ptbxl_database.csv'),
      `${[lines[0]!, ...picked.map((p) => p.line)].join('\n')}\n`,
    );
    await copyFile(join(source, 'scp_statements.csv'), join(folder, 'scp_statements.csv'));
    for (const { row } of picked) {
      reports.set(row.ecgId, row.report.raw);
      await mkdir(join(folder, dirname(row.filenameLr)), { recursive: true });
      for (const ext of ['.hea', '.dat'])
        await copyFile(join(source, `${row.filenameLr}${ext}`), join(folder, `${row.filenameLr}${ext}`));
    }
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('trains on folds 1–8 only, shows the real reports and ECGs as cases, and stores the devices’ replay of them', async () => {
    const total = reports.size;
    const trainable = total - heldOutIds.size;
    const data = join(work, 'data');
    const args = ['--data', data, '--dataset', folder, '--preset', 'tiny', '--devices', '2'];
    const quick = ['--port', '0', '--mqtt-port', '0', '--speed', '20', '--insecure'];
    const started = Date.now();
    const first = await start([...args, ...quick], 90_000);
    try {
      const { stdout } = first.output();
      expect(stdout).toContain(
        `data: using ${folder} in place: ${total} records, ${total} with a 100 Hz signal; ` +
          `${trainable} in folds 1–8 to train on, ${heldOutIds.size} in folds 9–10 held out`,
      );
      expect(stdout).toMatch(/training the bootstrap release \(preset tiny\) on \S+ \(folds 1–8\)/);
      expect(stdout).toContain(`imported ${total} clinical records from ${folder}`);
      const datasetDevice = /imported (\d+) ECGs as cases of (dataset-[\w.-]+)/.exec(stdout);
      expect(Number(datasetDevice?.[1])).toBe(total);
      expect(stdout).not.toMatch(/generating \d+ synthetic/);

      // The release read the folder's folds 1–8 and nothing of 9 and 10.
      const releases = await readdir(join(data, 'releases'));
      expect(releases).toHaveLength(1);
      expect(releases[0]).toMatch(/^bootstrap-tiny-real-ptbxl-[\w-]+-[0-9a-f]{16}$/);
      const manifest = JSON.parse(
        await readFile(join(data, 'releases', releases[0]!, 'release.json'), 'utf8'),
      );
      expect(manifest.data.sources[folder]).toBe(trainable);

      const get = async <T>(path: string): Promise<T> => {
        const response = await fetch(`${first.api}${path}`, {
          headers: { authorization: `Bearer ${first.token}` },
        });
        expect(response.status, path).toBe(200);
        return (await response.json()) as T;
      };
      // Every record is a case of the dataset's pseudo-device, linked to its real report.
      const { cases } = await get<{ cases: CaseSummary[] }>(`/cases?deviceId=${datasetDevice![2]}&k=100`);
      expect(new Set(cases.map((c) => Number(c.studyId)))).toEqual(new Set(reports.keys()));
      const heldOut = [...heldOutIds][0]!;
      const detail = await get<{ records: { id: string; text: string }[] }>(
        `/cases/${datasetDevice![2]}/${heldOut}`,
      );
      expect(detail.records).toContainEqual(
        expect.objectContaining({ id: `ptbxl-${heldOut}`, text: reports.get(heldOut) }),
      );
      const waveform = await get<{ fs: number; units: string; signals: (number | null)[][] }>(
        `/cases/${datasetDevice![2]}/${heldOut}/waveform`,
      );
      expect(waveform.fs).toBe(100);
      // ptbxl-extra's records are z-scored by their source (header units NU): not drawn as millivolts.
      expect(waveform.units).toBe('NU');
      expect(waveform.signals[1]).toHaveLength(1000);

      // The devices replay the folder: their embeddings carry its studies and link to the same reports.
      let replayed: CaseSummary | undefined;
      while (!replayed && Date.now() - started < 80_000) {
        const { cases: recent } = await get<{ cases: CaseSummary[] }>('/cases?k=100');
        replayed = recent.find((c) => c.deviceId.startsWith('demo-') && c.studyId !== null);
        if (!replayed) await new Promise((done) => setTimeout(done, 500));
      }
      expect(replayed, first.output().stderr.slice(-4000)).toBeDefined();
      const study = Number(replayed!.studyId);
      expect(reports.has(study)).toBe(true);
      const linked = await get<{ records: { text: string }[] }>(
        `/cases/${replayed!.deviceId}/${replayed!.seq}`,
      );
      expect(linked.records.map((r) => r.text)).toContain(reports.get(study));
    } finally {
      first.child.kill('SIGINT');
    }
    expect(await first.exited).toBe(0);
    const { stdout, stderr } = first.output();
    expect(stderr.match(/\[demo-\d\] device: model \S+ installed/g)).toHaveLength(2);
    const stats = JSON.parse(/stopped; ingest: (\{.*\})/.exec(stdout)![1]!);
    expect(stats.stored).toBeGreaterThan(0);
    expect(stats.rejected).toEqual({});

    // A second start finds the release and the imported folder.
    const second = await runHeartline(['start', ...args, ...quick, '--exit-after', '1'], {
      timeoutMs: 60_000,
    });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/release: reusing \S+bootstrap-tiny-real-ptbxl-/);
    expect(second.stdout).not.toMatch(/training the bootstrap|imported|rolled out/);
    expect(hasStackTrace(stderr + second.stderr)).toBe(false);
  }, 150_000);

  it('refuses a folder that is not PTB-XL layout, saying what was expected', async () => {
    const other = join(work, 'not-ptbxl');
    await mkdir(join(other, 'signals'), { recursive: true });
    const run = await runHeartline(['start', '--data', join(work, 'data-bad'), '--dataset', other]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /error \[DATASET\]: \S+not-ptbxl: missing scp_statements\.csv; heartline start --dataset expects a PTB-XL-layout folder: ptbxl_database\.csv, scp_statements\.csv and records100\//,
    );
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});
