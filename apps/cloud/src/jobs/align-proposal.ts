/**
 * When to propose an align job: signed reports are training pairs, so once enough of them have come in
 * since the last align job of the release devices run, the cloud proposes the next one (an operator
 * starts it with one click; nothing starts on its own). "Enough" is the `alignProposalSignOffs` option
 * (default {@link DEFAULT_ALIGN_PROPOSAL_SIGN_OFFS}); a sign-off counts when it made a clinical record
 * (accepted or edited drafts, not rejected ones). The release devices run is the stable channel's, else
 * the newest live release; its lineage is it and its ancestors (release.json `parent`), and the last
 * align job of the lineage is the newest one, not failed or cancelled, that started from or produced one
 * of them. While that job is still queued or running nothing is proposed.
 */
import type { AlignProposal } from '../http/routes/jobs.js';
import type { SqlDriver } from '../storage/driver.js';
import { listReleases } from '../storage/releases.js';

/** Sign-offs since the last align job that make the cloud propose another. */
export const DEFAULT_ALIGN_PROPOSAL_SIGN_OFFS = 25;

/** `GET /jobs/align-proposal`. */
export type { AlignProposal };

/** The last align job of a lineage as the proposal names it. */
export interface LastAlignJob {
  readonly id: string;
  readonly status: string;
  readonly created: string;
}

/** The proposal from the counts (pure): proposed when `signOffs ≥ threshold` and no align job is pending. */
export function proposeAlign(input: {
  readonly signOffs: number;
  readonly threshold: number;
  readonly parent: string | null;
  readonly since: LastAlignJob | null;
}): AlignProposal {
  const { signOffs, threshold, parent, since } = input;
  const pending = since !== null && (since.status === 'queued' || since.status === 'running');
  const proposed = parent !== null && !pending && signOffs >= threshold;
  const after = since ? `since align job ${since.id} (${since.created})` : 'since the first align job';
  const message = pending
    ? `align job ${since.id} is ${since.status}; ${signOffs} sign-offs since it was submitted`
    : parent === null
      ? 'no live release to align'
      : proposed
        ? `align proposed: ${signOffs} new sign-offs ${after}`
        : `${signOffs} of ${threshold} sign-offs ${after} before an align job is proposed`;
  return { proposed, signOffs, threshold, parent, since, message };
}

function parentOf(manifest: unknown): string | undefined {
  const parent = (manifest as { parent?: unknown } | null)?.parent;
  return typeof parent === 'string' ? parent : undefined;
}

/** Reads what {@link proposeAlign} needs from the database and answers the proposal. */
export async function readAlignProposal(db: SqlDriver, threshold: number): Promise<AlignProposal> {
  const releases = await listReleases(db);
  const { rows: stable } = await db.query<{ release: string }>(
    `SELECT release FROM rollouts WHERE channel = 'stable' ORDER BY id DESC LIMIT 1`,
  );
  const current = releases.find((r) => r.id === stable[0]?.release) ?? releases.filter((r) => r.live).at(-1);
  if (!current) return proposeAlign({ signOffs: 0, threshold, parent: null, since: null });
  const lineage: string[] = [];
  const byId = new Map(releases.map((r) => [r.id, r]));
  for (let id: string | undefined = current.id; id !== undefined && !lineage.includes(id); ) {
    lineage.push(id);
    id = parentOf(byId.get(id)?.manifest);
  }
  const { rows: jobs } = await db.query<LastAlignJob & { at: Date | string }>(
    `SELECT id, status, created AS at,
            to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created
     FROM jobs
     WHERE kind = 'align' AND status NOT IN ('failed', 'cancelled')
       AND (spec->>'parent' = ANY($1::text[]) OR release = ANY($1::text[]))
     ORDER BY submitted DESC LIMIT 1`,
    [lineage],
  );
  const last = jobs[0];
  const { rows: counted } = await db.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM sign_offs
     WHERE record_id IS NOT NULL AND ($1::timestamptz IS NULL OR signed > $1::timestamptz)`,
    [last ? new Date(last.at).toISOString() : null],
  );
  return proposeAlign({
    signOffs: Number(counted[0]?.n ?? 0),
    threshold,
    parent: current.id,
    since: last ? { id: last.id, status: last.status, created: last.created } : null,
  });
}
