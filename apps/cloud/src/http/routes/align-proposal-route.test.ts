/**
 * `GET /jobs/align-proposal` through `app.request` against an in-memory cloud: the route answers the
 * proposal (not `/jobs/{id}` taking it for a job id), with the cloud's `alignProposalSignOffs`, to viewers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, startCloud } from '../../cloud.js';
import { registerRelease } from '../../storage/releases.js';
import { issueToken } from '../../storage/tokens.js';
import type { AlignProposal } from './jobs.js';

let cloud: Cloud;
let viewer: string;

beforeAll(async () => {
  cloud = await startCloud({ mqttPort: 0, alignProposalSignOffs: 7, log: () => undefined });
  await registerRelease(cloud.db, {
    id: 'r1',
    ecgDim: 4,
    sharedDim: 4,
    dir: '/nowhere',
    manifest: { id: 'r1' },
  });
  viewer = (await issueToken(cloud.db, 'viewer', { label: 'test viewer' })).token;
}, 60_000);
afterAll(() => cloud?.close());

describe('GET /jobs/align-proposal', () => {
  it('answers the proposal with the configured threshold', async () => {
    const res = await cloud.api.request('/api/v1/jobs/align-proposal', {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(res.status).toBe(200);
    const proposal = (await res.json()) as AlignProposal;
    expect(proposal).toMatchObject({ proposed: false, signOffs: 0, threshold: 7, parent: 'r1', since: null });
    expect(proposal.message).toBe(
      '0 of 7 sign-offs since the first align job before an align job is proposed',
    );
  });

  it('needs a token', async () => {
    expect((await cloud.api.request('/api/v1/jobs/align-proposal')).status).toBe(401);
  });
});
