/**
 * The cloud's retrieval equals the offline evaluation, with real parts: a tiny trained release, the cloud
 * (embedded aedes, PGlite, HTTP), the clinical records of a synthetic PTB-XL-layout folder imported, and
 * two real device processes each replaying half of that folder's 100 Hz records through ONNX Runtime.
 * Recall@1/5/10 computed from the HTTP API (report→ECG and ECG→report) must match `heartline eval` on the
 * same folder within 1e-6 (the device's ONNX encoder and the evaluation's TF.js one differ by ~1e-6 in
 * the shared space, far below the gaps between the ranked scores).
 */
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, type Cloud, createToken, importPtbxlRecords, startCloud } from '@heartline/cloud';
import { generateDataset } from '@heartline/ecg/synth';
import { writeDataset } from '@heartline/node-io';
import { examplesFromPtbxlFolder } from '@heartline/trainer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnDevice } from './device-harness.js';
import { runHeartline } from './support/run-heartline.js';

const N = 20;
let work: string;
let cloud: Cloud;
let token: string;
let evalJson: {
  n: number;
  retrieval: { reportToEcg: Record<string, number>; ecgToReport: Record<string, number> };
};
/** studyId → normalised report text, from the same reader the evaluation uses. */
const reportKeyOf = new Map<string, string>();

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${cloud.httpPort}/api/v1${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

/** Deletes the record files (both rates) of the ecg ids `drop` from a PTB-XL-layout copy. */
async function dropRecords(dir: string, drop: (ecgId: number) => boolean): Promise<void> {
  for (const rates of ['records100', 'records500']) {
    for (const bucket of await readdir(join(dir, rates))) {
      for (const file of await readdir(join(dir, rates, bucket))) {
        const id = Number(/^(\d+)_/.exec(file)?.[1]);
        if (drop(id)) await rm(join(dir, rates, bucket, file));
      }
    }
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-parity-'));
  const full = join(work, 'full');
  await writeDataset(full, generateDataset({ n: N, seed: 11 }));
  // Two partial copies: device A holds the odd ecg ids, device B the even ones.
  for (const [name, keep] of [
    ['half-a', 1],
    ['half-b', 0],
  ] as const) {
    await cp(full, join(work, name), { recursive: true });
    await dropRecords(join(work, name), (id) => id % 2 !== keep);
  }
  const release = join(work, 'release');
  const trained = await runHeartline(['train', '--out', release, '--preset', 'tiny', '--seed', '4'], {
    timeoutMs: 240_000,
  });
  expect(trained.code, trained.stderr).toBe(0);
  const evaluated = await runHeartline([
    ...['eval', '--release', release, '--data', full, '--folds', '1,2,3,4,5,6,7,8,9,10', '--json'],
  ]);
  expect(evaluated.code, evaluated.stderr).toBe(0);
  evalJson = JSON.parse(evaluated.stdout);
  const examples = (await examplesFromPtbxlFolder(full, { folds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] })).set;
  examples.ids.forEach((id, i) => {
    reportKeyOf.set(String(Number(/(\d+)$/.exec(id)?.[1])), examples.reportKeys[i]!);
  });

  cloud = await startCloud({
    dataDir: join(work, 'cloud'),
    httpPort: 0,
    mqttPort: 0,
    releaseDirs: [release],
    log: () => undefined,
  });
  token = await createToken(cloud.db, 'viewer');
  expect(await importPtbxlRecords(cloud.db, cloud.releases, full)).toBe(N);
  const [live] = await cloud.releases.live();
  await cloud.rollout.rollOut(live!.id, 'stable');
  const { publicKeyPem } = await api<{ publicKeyPem: string }>('/signing-key');
  const keyFile = join(work, 'cloud-key.pem');
  await writeFile(keyFile, publicKeyPem);
  const devices = await Promise.all(
    ['half-a', 'half-b'].map(async (half) => {
      const id = `parity-${half}`;
      const secret = await addDevice(cloud.db, id, 'stable');
      return spawnDevice([
        ...['--broker', `mqtt://127.0.0.1:${cloud.mqttPort}`, '--id', id, '--secret', secret],
        ...['--source', `ptbxl:${join(work, half)}`, '--rate', '100', '--fast', '--windows', String(N / 2)],
        ...['--public-key', keyFile, '--state', join(work, `state-${half}`)],
      ]);
    }),
  );
  for (const device of devices) expect(await device.exited, device.output()).toBe(0);
  // vi.waitFor, not expect.poll: this is a hook, where vitest allows no expect.poll.
  await vi.waitFor(
    () => expect(cloud.ingest.stats().stored, `${N} stored embeddings`).toBeGreaterThanOrEqual(N),
    { timeout: 30_000, interval: 50 },
  );
}, 600_000);

afterAll(async () => {
  await cloud?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

interface EcgHit {
  deviceId: string;
  seq: number;
  studyId: string | null;
  score: number;
}
interface RecordHit {
  id: string;
  studyId: string | null;
  text: string;
  score: number;
}

/** Recall@1/5/10 from ranked lists of study ids: a hit is the query's own study or one with the same report. */
function recall(queries: { own: string; ranked: (string | null)[] }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [1, 5, 10]) {
    const hits = queries.filter(({ own, ranked }) =>
      ranked
        .slice(0, k)
        .some((s) => s !== null && (s === own || reportKeyOf.get(s) === reportKeyOf.get(own))),
    ).length;
    out[`r${k}`] = hits / queries.length;
  }
  return out;
}

describe('cloud retrieval vs offline evaluation', () => {
  it('stored one embedding per record, from two devices', async () => {
    expect(evalJson.n).toBe(N);
    expect(cloud.ingest.stats().stored).toBe(N);
    const studies = new Set<string>();
    for (const device of ['parity-half-a', 'parity-half-b']) {
      for (let seq = 0; seq < N / 2; seq++) {
        studies.add((await api<{ studyId: string }>(`/cases/${device}/${seq}`)).studyId);
      }
    }
    expect([...studies].sort()).toEqual([...reportKeyOf.keys()].sort());
  });

  it('report→ECG Recall@1/5/10 from the API equals `heartline eval` within 1e-6', async () => {
    const queries = [];
    for (const study of reportKeyOf.keys()) {
      const { hits } = await api<{ hits: EcgHit[] }>(`/records/ptbxl-${study}/ecgs?k=10`);
      queries.push({ own: study, ranked: hits.map((h) => h.studyId) });
    }
    const fromApi = recall(queries);
    console.log(
      `report→ECG: API ${JSON.stringify(fromApi)}, eval ${JSON.stringify(evalJson.retrieval.reportToEcg)}`,
    );
    for (const k of ['r1', 'r5', 'r10']) {
      expect(Math.abs(fromApi[k]! - evalJson.retrieval.reportToEcg[k]!)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('ECG→report Recall@1/5/10 from the API equals `heartline eval` within 1e-6', async () => {
    const queries = [];
    for (const device of ['parity-half-a', 'parity-half-b']) {
      for (let seq = 0; seq < N / 2; seq++) {
        const detail = await api<{ studyId: string }>(`/cases/${device}/${seq}`);
        const { hits } = await api<{ hits: RecordHit[] }>(`/cases/${device}/${seq}/reports?k=10`);
        queries.push({ own: detail.studyId, ranked: hits.map((h) => h.studyId) });
      }
    }
    const fromApi = recall(queries);
    console.log(
      `ECG→report: API ${JSON.stringify(fromApi)}, eval ${JSON.stringify(evalJson.retrieval.ecgToReport)}`,
    );
    for (const k of ['r1', 'r5', 'r10']) {
      expect(Math.abs(fromApi[k]! - evalJson.retrieval.ecgToReport[k]!)).toBeLessThanOrEqual(1e-6);
    }
  });
});
