/**
 * Readiness: whether this instance can take traffic now (`GET /ready`), as against liveness (`GET
 * /health`: the process answers and its database does). A load balancer or an orchestrator sends work
 * only to a ready instance; one that is starting, or has lost its broker, is left alone until it is.
 */
import type { SqlDriver } from '../storage/driver.js';
import { MIGRATIONS } from '../storage/migrations.js';
import type { EcgVectorIndex } from '../vector-index/ecg-vector-index.js';

/** The instance's link to its broker, embedded or external, as it is now. */
export interface BrokerLink {
  readonly kind: 'embedded' | 'external';
  /** The embedded broker is listening, or the external link is up. */
  readonly connected: boolean;
  /** The embedding subscription is made (the ingest receives device messages). */
  readonly subscribed: boolean;
  /** MQTT clients logged in to the embedded broker; undefined on an external broker. */
  readonly clients: number | undefined;
}

/** What readiness is judged from. */
export interface ReadinessSources {
  readonly db: Pick<SqlDriver, 'query'>;
  readonly broker: () => BrokerLink;
  /** The in-process vector index (PGlite); undefined on a PostgreSQL server. */
  readonly ecgIndex?: Pick<EcgVectorIndex, 'ready'> | undefined;
}

/** Each check, true when it holds. */
export interface ReadinessChecks {
  /** The database answers and holds every migration this code knows. */
  readonly database: boolean;
  /** The embedding subscription is made and the broker link is up. */
  readonly broker: boolean;
  /** The in-process index has read the rows present at start (true when there is no such index). */
  readonly vectorIndex: boolean;
}

/** The answer of `GET /ready`. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: ReadinessChecks;
  /** The checks not yet true, in the order of `checks`. */
  readonly waitingFor: readonly (keyof ReadinessChecks)[];
}

/** Judges readiness now; never throws (a failing database is a false `database` check). */
export async function checkReadiness(sources: ReadinessSources): Promise<Readiness> {
  const link = sources.broker();
  const checks: ReadinessChecks = {
    database: await migrated(sources.db),
    broker: link.subscribed && link.connected,
    vectorIndex: sources.ecgIndex?.ready ?? true,
  };
  const waitingFor = (Object.keys(checks) as (keyof ReadinessChecks)[]).filter((name) => !checks[name]);
  return { ready: waitingFor.length === 0, checks, waitingFor };
}

/** Whether every migration of {@link MIGRATIONS} is recorded (a newer instance may have applied more). */
async function migrated(db: Pick<SqlDriver, 'query'>): Promise<boolean> {
  try {
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    return MIGRATIONS.every((m) => applied.has(m.version));
  } catch {
    return false;
  }
}
