/**
 * Signing a case's report off: the clinician's decision on the draft (accept as drafted, edit:
 * statements added or removed and codes ticked, or reject). The draft is made again here, from the
 * same release, so the stored edit distance is measured against what the cloud drafted, not what a
 * client says it showed. Accepted and edited reports become a clinical record of the case (its study,
 * patient and recording time, and the case itself), encoded in every live release so later drafts and
 * searches find it; a rejected draft is recorded without a record. The HTTP layer writes the audit entry.
 */
import { signOffEditDistance } from '@heartline/model/report';
import type { PromptLanguage } from '@heartline/model/text';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import type { SignOff, SignOffRequest } from '../http/routes/clinical.js';
import { caseDraft } from '../queries/case-draft.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import { insertSignOff, type SignedRecord } from '../storage/sign-offs.js';

/** Who signs: the caller's token. */
export interface Signer {
  readonly tokenId: string;
  readonly role: string;
}

/** The id of the record a case's sign-off makes (one sign-off per case). */
export function signedRecordId(deviceId: string, seq: number): string {
  return `signed:${deviceId}:${seq}`.slice(0, 128);
}

/** Signs case (deviceId, seq) off; ConflictError when it was signed already or the release differs. */
export async function signOffCase(
  db: SqlDriver,
  releases: ReleaseCatalog,
  deviceId: string,
  seq: number,
  request: SignOffRequest,
  signer: Signer,
): Promise<SignOff> {
  const draft = await caseDraft(db, releases, deviceId, seq, request.language as PromptLanguage);
  if (draft.releaseId !== request.draftReleaseId) {
    throw new ConflictError(
      `the case is drafted by release ${draft.releaseId}, not ${request.draftReleaseId}: fetch the draft again`,
    );
  }
  const drafted = { statements: draft.statements.map((s) => s.text), codes: draft.codes.map((c) => c.scp) };
  const signed = { statements: request.statements, codes: request.codes };
  const editDistance = signOffEditDistance(drafted, signed);
  if (request.decision === 'accept' && editDistance !== 0) {
    throw new BadRequestError(
      `an accepted report is the draft as drafted (${editDistance} edits found): send decision 'edit'`,
    );
  }
  if (request.decision === 'reject' && (request.statements.length > 0 || request.codes.length > 0)) {
    throw new BadRequestError(
      "a rejected draft makes no report: send no statements or codes, or decision 'edit'",
    );
  }
  if (request.decision !== 'reject' && request.statements.length === 0) {
    throw new BadRequestError('a signed report needs at least one statement');
  }
  const { rows } = await db.query<{ t0: string; patientId: string | null; studyId: string | null }>(
    `SELECT to_char(t0 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t0,
            patient_id AS "patientId", study_id AS "studyId"
     FROM embeddings WHERE device_id = $1 AND seq = $2`,
    [deviceId, seq],
  );
  const found = rows[0];
  if (!found) throw new NotFoundError('case', `${deviceId}/${seq}`);
  const { rows: holders } = await db.query<{ label: string | null }>(
    'SELECT label FROM tokens WHERE id = $1',
    [signer.tokenId],
  );
  let record: SignedRecord | undefined;
  if (request.decision !== 'reject') {
    const text = request.statements.join(', ');
    const vectors = [];
    for (const release of await releases.live()) {
      const model = await releases.model(release.id);
      vectors.push({ release: release.id, dim: model.sharedDim, z: model.encodeText([text]) });
    }
    record = {
      id: signedRecordId(deviceId, seq),
      patientId: found.patientId,
      studyId: found.studyId,
      effective: found.t0,
      text,
      language: request.language,
      codes: request.codes,
      vectors,
    };
  }
  const stored = await insertSignOff(db, {
    deviceId,
    seq,
    decision: request.decision,
    tokenId: signer.tokenId,
    role: signer.role,
    signedBy: holders[0]?.label ?? signer.tokenId,
    draftReleaseId: draft.releaseId,
    language: request.language,
    draft,
    statements: request.statements,
    codes: request.codes,
    editDistance,
    record,
  });
  if (!stored) throw new ConflictError(`case ${deviceId}/${seq} is signed already`);
  return stored;
}
