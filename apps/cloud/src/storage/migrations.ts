/**
 * The cloud's one schema, as ordered migrations. Each runs once, under the schema lock, and is recorded in
 * `schema_migrations`; never change what a shipped migration does to a database, append a new one.
 * (Version 1 once created the pgvector extension and `vector` columns; it now creates `real[]` columns so
 * it runs on a stock PostgreSQL, and version 10 makes them `vector` where pgvector is installed, which
 * leaves a database made by the old version 1 as it was.)
 *
 * Shared vectors (`real[]`, or pgvector's `vector`) have no fixed width because each release has its own
 * shared dimension and vectors are comparable only within a release; they are read as `z::real[]` either
 * way. Where pgvector is installed, every release gets partial HNSW indexes over `z::vector(dim)`
 * restricted to its rows (see `releases.ts`).
 */
export const MIGRATIONS: readonly {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE devices (
  id text PRIMARY KEY,
  secret_hash text NOT NULL,            -- scrypt, for the embedded broker
  mosquitto_hash text NOT NULL,         -- PBKDF2-SHA512 ($7$), for an external mosquitto's password file
  channel text NOT NULL DEFAULT 'stable',
  revoked boolean NOT NULL DEFAULT false,
  created timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tokens (
  id text PRIMARY KEY,
  hash text NOT NULL UNIQUE,            -- sha256 of a 256-bit random token
  role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  label text,
  created timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE releases (
  num serial UNIQUE,                    -- short handle for index names
  id text PRIMARY KEY,
  ecg_dim integer NOT NULL,
  shared_dim integer NOT NULL,
  dir text NOT NULL,
  manifest jsonb NOT NULL,
  live boolean NOT NULL DEFAULT true,
  created timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE embeddings (
  device_id text NOT NULL,
  seq bigint NOT NULL,
  t0 timestamptz NOT NULL,
  release text NOT NULL REFERENCES releases (id),
  lead_mask smallint NOT NULL,
  quality real NOT NULL,
  patient_id text,
  study_id text,
  h bytea NOT NULL,                     -- h_ecg as little-endian float32
  z real[] NOT NULL,                    -- shared-space vector of the message's release
  received timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, seq)
);
CREATE INDEX embeddings_patient_time ON embeddings (patient_id, t0);
CREATE INDEX embeddings_study ON embeddings (study_id);
CREATE INDEX embeddings_release ON embeddings (release);

CREATE TABLE clinical_records (
  id text PRIMARY KEY,
  patient_id text,
  study_id text,
  effective timestamptz,
  text text NOT NULL,
  language text,
  codes text[] NOT NULL DEFAULT '{}',
  source text NOT NULL,                 -- json | fhir | ptbxl
  created timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clinical_records_patient_time ON clinical_records (patient_id, effective);
CREATE INDEX clinical_records_study ON clinical_records (study_id);

CREATE TABLE record_vectors (
  record_id text NOT NULL REFERENCES clinical_records (id) ON DELETE CASCADE,
  release text NOT NULL REFERENCES releases (id),
  z real[] NOT NULL,
  PRIMARY KEY (record_id, release)
);

CREATE TABLE ingest_rejections (
  reason text PRIMARY KEY,
  count bigint NOT NULL DEFAULT 0,
  last_detail text,
  last_at timestamptz
);
`,
  },
  {
    version: 2,
    name: 'rollouts',
    sql: `
CREATE TABLE rollouts (
  id serial PRIMARY KEY,
  channel text NOT NULL,
  release text NOT NULL REFERENCES releases (id),
  manifest jsonb NOT NULL,              -- the signed device manifest published on hl/v1/rel/{channel}
  action text NOT NULL CHECK (action IN ('rollout', 'rollback')),
  created timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rollouts_channel ON rollouts (channel, id);
`,
  },
  {
    version: 3,
    name: 'fleet states, dataset ECGs, channel events',
    sql: `
-- The last state each device published on hl/v1/dev/{id}/state (retained there; kept here across restarts).
CREATE TABLE device_states (
  device_id text PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  online boolean NOT NULL,
  state jsonb NOT NULL,                 -- the last full state message (an offline will keeps the previous one)
  last_seen timestamptz NOT NULL DEFAULT now()
);

-- Raw ECGs the cloud holds: cases of a pseudo-device dataset-<name> imported from a PTB-XL-layout folder.
CREATE TABLE dataset_ecgs (
  device_id text NOT NULL,
  seq bigint NOT NULL,
  folder text NOT NULL,                 -- the folder, as given to the import
  record_path text NOT NULL,            -- the WFDB record (100 Hz), relative to the folder
  PRIMARY KEY (device_id, seq)
);

-- What happened on each release channel: rollouts, rollbacks and automatic rollbacks, with why.
CREATE TABLE channel_events (
  id serial PRIMARY KEY,
  channel text NOT NULL,
  action text NOT NULL,                 -- rollout | rollback | auto-rollback
  release text NOT NULL,                -- the release published, or rolled back from (auto-rollback)
  reason text NOT NULL,
  created timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_events_channel ON channel_events (channel, id);
-- One automatic rollback per bad release and channel, even with several cloud instances.
CREATE UNIQUE INDEX channel_events_auto_once ON channel_events (channel, release) WHERE action = 'auto-rollback';
INSERT INTO channel_events (channel, action, release, reason, created)
  SELECT channel, action, release, 'operator', created FROM rollouts ORDER BY id;

CREATE INDEX embeddings_t0 ON embeddings (t0 DESC);
`,
  },
  {
    version: 4,
    name: 'training jobs',
    sql: `
-- Training jobs (pretrain, align) started over the API; a job running when its cloud stops is failed.
CREATE TABLE jobs (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('pretrain', 'align')),
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  spec jsonb NOT NULL,                  -- what was asked (preset, steps, dataDir, parent)
  progress jsonb,                       -- the last progress event {stage, done, total, detail?}
  release text,                         -- the release a succeeded job produced
  error text,
  created timestamptz NOT NULL DEFAULT now(),
  finished timestamptz
);
CREATE INDEX jobs_created ON jobs (created DESC);
`,
  },
  {
    version: 5,
    name: 'embedding ids for the in-process vector index',
    sql: `
-- A row's id only grows: the in-process vector index (vector-index/) follows the table by it. A row
-- whose vector changes (a re-imported dataset case) gets a new id, so the index sees it again.
ALTER TABLE embeddings ADD COLUMN id bigserial;
CREATE UNIQUE INDEX embeddings_id ON embeddings (id);
`,
  },
  {
    version: 6,
    name: 'ingest dead letters',
    sql: `
-- Messages the ingest refused for good, with their raw payload for inspection (bounded: the ingest
-- keeps the newest rows only). A rejection is also counted in ingest_rejections by reason.
CREATE TABLE ingest_dead_letters (
  id bigserial PRIMARY KEY,
  received timestamptz NOT NULL DEFAULT now(),
  topic text NOT NULL,
  device_id text,                       -- from the topic (the authenticated device); NULL when unreadable
  reason text NOT NULL,
  detail text NOT NULL,
  payload bytea NOT NULL
);
CREATE INDEX ingest_dead_letters_device ON ingest_dead_letters (device_id, id);
`,
  },
  {
    version: 7,
    name: 'token expiry and revocation, audit log',
    sql: `
-- A token works until expires_at (NULL: never) and not after revoked_at.
ALTER TABLE tokens ADD COLUMN expires_at timestamptz;
ALTER TABLE tokens ADD COLUMN revoked_at timestamptz;

-- Every changing request (not GET or HEAD) made with a bearer token, whatever its outcome.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  token_id text NOT NULL,               -- tokens.id (kept when the token is revoked)
  role text NOT NULL,
  method text NOT NULL,
  route text NOT NULL,                  -- the route pattern, e.g. /api/v1/channels/:channel/rollback
  target text NOT NULL,                 -- the path actually called
  status integer NOT NULL,
  created timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created ON audit_log (created DESC, id DESC);
`,
  },
  // Versions 6–8 are other changes'; 9 only adds a column and works with or without them.
  {
    version: 9,
    name: 'evidence devices of channel events',
    sql: `
-- The devices counted as evidence for an automatic rollback (a quorum of the channel), sorted ids;
-- empty for operator rollouts and rollbacks.
ALTER TABLE channel_events ADD COLUMN devices jsonb NOT NULL DEFAULT '[]'::jsonb;
`,
  },
  {
    version: 10,
    name: 'vectors in pgvector type where installed',
    sql: `
-- Version 1 makes shared vectors real[] (any PostgreSQL). Where pgvector is installed they become its
-- vector type, which it stores and receives in binary faster (PGlite's insert: ~50 vs ~70 ms per 1,000
-- rows). A database the old version 1 made has vector columns already and keeps them.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_name = 'embeddings' AND column_name = 'z' AND udt_name = '_float4') THEN
      EXECUTE 'ALTER TABLE embeddings ALTER COLUMN z TYPE vector USING z::vector';
    END IF;
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_name = 'record_vectors' AND column_name = 'z' AND udt_name = '_float4') THEN
      EXECUTE 'ALTER TABLE record_vectors ALTER COLUMN z TYPE vector USING z::vector';
    END IF;
  END IF;
END $$;
`,
  },
  {
    version: 11,
    name: 'embedding transaction ids for following many writers',
    sql: `
-- The transaction that wrote the row: the in-process vector index follows the table by it, because
-- with several writers ids commit out of order (a row with a smaller id can appear after a larger one),
-- while every row of a transaction older than the oldest one still running is final (see
-- vector-index/table-follower.ts). Rows stored before this migration share its transaction id.
ALTER TABLE embeddings ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX embeddings_xid ON embeddings (xid, id);
`,
  },
  {
    version: 12,
    name: 'training jobs as a shared queue with leases',
    sql: `
-- The jobs table is the queue every cloud instance takes jobs from (jobs/job-queue.ts): an instance
-- claims the oldest queued job (FOR UPDATE SKIP LOCKED) and holds a lease it renews while the job runs;
-- a job whose lease expired (its instance died) is queued again, and failed after its last attempt.
ALTER TABLE jobs ADD COLUMN claimed_by text;                 -- the instance running (or that last ran) it
ALTER TABLE jobs ADD COLUMN lease_until timestamptz;         -- database time; the claim is void after it
ALTER TABLE jobs ADD COLUMN attempts integer NOT NULL DEFAULT 0;  -- claims so far (also the lease's fence)
ALTER TABLE jobs ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;  -- asked on another instance
ALTER TABLE jobs ADD COLUMN idempotency_key text UNIQUE;     -- the submission's Idempotency-Key, if any
ALTER TABLE jobs ADD COLUMN request_hash text;               -- sha256 of the request the key came with
CREATE INDEX jobs_open ON jobs (status, created) WHERE status IN ('queued', 'running');
`,
  },
  {
    version: 13,
    name: 'shared manifest-signing key',
    sql: `
-- The Ed25519 key every cloud instance signs device manifests with (releases/signing-key.ts): one row,
-- made by the first instance to start, or imported from its data directory's signing-key.pem.
CREATE TABLE signing_key (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),  -- one row only
  private_key_pem text NOT NULL,        -- PKCS#8 PEM; never logged nor returned by the API
  public_key_pem text NOT NULL,
  key_id text NOT NULL,                 -- first 16 hex of the public PEM's sha256
  origin text NOT NULL CHECK (origin IN ('generated', 'imported')),
  created timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 14,
    name: 'release files shared through the database',
    sql: `
-- Every file of a release (release.json, weights, tokenizer, metrics, the ONNX encoders a rollout
-- exported and their device manifests), so any cloud instance can load a release or serve its files
-- whichever instance registered it (releases/release-files.ts). releases.dir stays where it came from.
CREATE TABLE release_files (
  release text NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
  name text NOT NULL,                   -- a plain file name inside the release directory
  sha256 text NOT NULL,                 -- hex, of bytes as stored; checked on every read
  size integer NOT NULL,                -- bytes' length
  bytes bytea NOT NULL,
  stored timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (release, name)
);
-- Weights and ONNX models do not compress: keep them out of line without trying.
ALTER TABLE release_files ALTER COLUMN bytes SET STORAGE EXTERNAL;
`,
  },
  {
    version: 15,
    name: 'job submission order',
    sql: `
-- The queue's order: \`created\` is the submitting transaction's now(), which two submissions can share
-- (PGlite's clock is coarse), and the ids are random, so a later job could be claimed first.
ALTER TABLE jobs ADD COLUMN submitted bigserial;
CREATE INDEX jobs_queued ON jobs (submitted) WHERE status = 'queued';
`,
  },
  {
    version: 16,
    name: 'clinician role and signed reports',
    sql: `
-- A clinician signs reports (between viewer and operator); version 1's CHECK named only three roles.
ALTER TABLE tokens DROP CONSTRAINT IF EXISTS tokens_role_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_check
  CHECK (role IN ('viewer', 'clinician', 'operator', 'admin'));
-- A signed report is a clinical record of one case: linked to it by (device, seq) as well as by the
-- case's study/patient, so a case without either still has its record (and align jobs find the pair).
ALTER TABLE clinical_records ADD COLUMN case_device_id text;
ALTER TABLE clinical_records ADD COLUMN case_seq bigint;
CREATE INDEX clinical_records_case ON clinical_records (case_device_id, case_seq)
  WHERE case_device_id IS NOT NULL;
-- One sign-off per case (records/sign-off.ts): the decision on the draft, who made it and when, which
-- release drafted it, the draft as shown, and the signed record (none when the draft was rejected).
CREATE TABLE sign_offs (
  id bigserial PRIMARY KEY,
  device_id text NOT NULL,
  seq bigint NOT NULL,
  decision text NOT NULL CHECK (decision IN ('accept', 'edit', 'reject')),
  record_id text REFERENCES clinical_records (id),
  token_id text NOT NULL,               -- the signing token's id (never the token)
  role text NOT NULL,
  signed_by text NOT NULL,              -- the token's label when signed, else its id
  draft_release text NOT NULL,
  language text NOT NULL,
  draft jsonb NOT NULL,                 -- the draft the clinician was shown, as drafted again at sign-off
  statements text[] NOT NULL,
  codes text[] NOT NULL,
  edit_distance integer NOT NULL,
  signed timestamptz NOT NULL DEFAULT now(),
  UNIQUE (device_id, seq)
);
`,
  },
];
