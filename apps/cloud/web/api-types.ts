/** Shapes of the `/api/v1` answers the dashboard reads (the cloud's API contract). */

/** A bearer token's role, least privileged first. */
export type Role = 'viewer' | 'operator' | 'admin';

/** One device of `GET /fleet`, from its retained state message. */
export interface FleetDevice {
  readonly id: string;
  readonly channel: string;
  readonly revoked: boolean;
  readonly online: boolean;
  readonly release: string | null;
  readonly previousRelease: string | null;
  readonly encoded: number | null;
  readonly sent: number | null;
  readonly queued: number | null;
  readonly dropped: number | null;
  readonly lastWindowT0: string | null;
  readonly quality: number | null;
  readonly update: Readonly<Record<string, unknown>> | null;
  readonly lastSeen: string | null;
}

/** One registered device of `GET /devices` (no live state). */
export interface RegisteredDevice {
  readonly id: string;
  readonly channel: string;
  readonly revoked: boolean;
}

/** A stored ECG embedding (a case); `score` on search hits. */
export interface EcgHit {
  readonly deviceId: string;
  readonly seq: number;
  readonly t0: string;
  readonly release: string;
  readonly patientId: string | null;
  readonly studyId: string | null;
  readonly score?: number;
}

/** A clinical record linked to a case. */
export interface LinkedRecord {
  readonly id: string;
  readonly text: string;
  readonly codes: readonly string[];
  readonly effective: string | null;
}

/** `GET /cases/{deviceId}/{seq}`. */
export interface CaseDetail extends EcgHit {
  readonly leadMask: number | null;
  readonly quality: number | null;
  readonly records: readonly LinkedRecord[];
}

/** `GET /cases/{deviceId}/{seq}/diagnosis`. */
export interface Diagnosis {
  readonly release: string;
  readonly set: string;
  readonly classes: readonly { code: string; similarity: number; probability: number }[];
}

/** `GET /cases/{deviceId}/{seq}/waveform`: the raw ECG of an imported case. */
export interface Waveform {
  readonly fs: number;
  readonly leads: readonly string[];
  readonly units: string;
  readonly signals: readonly (readonly number[])[];
}

/** One release of `GET /releases`. */
export interface ReleaseSummary {
  readonly id: string;
  readonly ecgDim: number;
  readonly sharedDim: number;
  readonly live: boolean;
}

/** One channel of `GET /releases`. */
export interface ChannelState {
  readonly channel: string;
  readonly release: string;
}

/** Recall at 1, 5 and 10. */
export interface Recall {
  readonly r1: number;
  readonly r5: number;
  readonly r10: number;
}

/** One ROC curve: false- and true-positive rates at each threshold, and its area (null when undefined). */
export interface RocPoints {
  readonly fpr: readonly number[];
  readonly tpr: readonly number[];
  readonly auroc: number | null;
}

/** One epoch of a training log. */
export interface TrainingLogRecord {
  readonly epoch?: number;
  readonly step?: number;
  readonly train?: Readonly<Record<string, number>>;
  readonly validation?: Readonly<Record<string, number>>;
}

/** `GET /releases/{id}`: a release with its evaluation. */
export interface ReleaseDetail extends ReleaseSummary {
  readonly created?: string | null;
  readonly mode?: string | null;
  readonly preset?: string | null;
  /** Per zero-shot class (top level; older clouds nest it in `metrics`). */
  readonly rocCurves?: Readonly<Record<string, RocPoints>>;
  /** The release's training-log records (top level; older clouds nest it in `metrics`). */
  readonly trainingLog?: readonly TrainingLogRecord[];
  readonly metrics?: {
    readonly zeroShot?: {
      readonly macroAuroc: number;
      readonly macroF1: number;
      readonly perClass?: Readonly<Record<string, { auroc: number; f1: number }>>;
    };
    readonly linearProbe?: { p1: number; p10: number; p100: number } | null;
    readonly retrieval?: { reportToEcg: Recall; ecgToReport: Recall } | null;
    readonly rocCurves?: Readonly<Record<string, RocPoints>>;
    readonly trainingLog?: readonly TrainingLogRecord[];
  };
}

/** Where a job stands. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A job's progress through its stages. */
export interface JobProgress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

/** One training job of `GET /jobs`. */
export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly status: JobStatus;
  readonly created: string;
  readonly progress: JobProgress | null;
  readonly release: string | null;
  readonly error: string | null;
}

/** One automatic or manual channel action of `GET /channels/{channel}/events`. */
export interface ChannelEvent {
  readonly time: string;
  readonly action: string;
  readonly release: string;
  readonly reason: string;
  /** The devices counted as an automatic rollback's evidence; empty for operator events. */
  readonly devices: readonly string[];
}
