/** The retained state message a device publishes on `hl/v1/dev/{id}/state` (JSON). */
import type { UpdateEvent } from './updates/index.js';

/** The last command of the `cmd` topic and what came of it. */
export interface CommandReport {
  /** The id the cloud gave the command, when it had one. */
  readonly id?: string | undefined;
  /** `rollback`, `assign-channel`, `resend`, or `invalid` for a payload that is no command. */
  readonly type: string;
  /** `done`, `failed` (obeyed but it did not work: no previous model, subscription refused), `refused` (invalid). */
  readonly outcome: 'done' | 'failed' | 'refused';
  readonly detail?: string | undefined;
  /** resend: messages from `fromSeq` on the device still held (they are sent; the others are gone). */
  readonly held?: number | undefined;
  /** resend: seqs from `fromSeq` to the next seq no longer held (acknowledged, hence deleted, or dropped). */
  readonly gone?: number | undefined;
}

/** The device's counters and model, as published and printed on the status line. */
export interface DeviceStatus {
  readonly deviceId: string;
  /** The release channel followed (changed by an `assign-channel` command). */
  readonly channel: string;
  readonly online: boolean;
  /** Broker connection up. */
  readonly connected: boolean;
  /** Release in use (undefined while waiting for the first model). */
  readonly release: string | undefined;
  /** The release a rollback would return to. */
  readonly previousRelease: string | undefined;
  /** Windows encoded and queued since start. */
  readonly encoded: number;
  /** Windows not encoded (every lead off, too short). */
  readonly skipped: number;
  /** Messages acknowledged by the broker since start. */
  readonly sent: number;
  /** Messages waiting in the disk queue. */
  readonly queued: number;
  /** Messages dropped for the disk bound, over the device's lifetime. */
  readonly dropped: number;
  /** The seq the next message gets. */
  readonly nextSeq: number;
  /** t0 of the last window encoded. */
  readonly lastWindowT0: number | undefined;
  /** Quality (0–1) of the last window. */
  readonly quality: number | undefined;
  /** The last model update event. */
  readonly update: UpdateEvent | undefined;
  /** Commands taken from the `cmd` topic since start (obeyed or failed), and payloads refused as invalid. */
  readonly commands: number;
  readonly commandsRefused: number;
  /** The last command and its outcome. */
  readonly lastCommand: CommandReport | undefined;
}

/** The JSON payload of a state message. */
export function stateMessage(status: DeviceStatus): string {
  return JSON.stringify({ ...status, status: status.online ? 'online' : 'offline', time: Date.now() });
}

/** The retained last will: the device went away without saying goodbye. */
export function offlineWill(deviceId: string): string {
  return JSON.stringify({ deviceId, online: false, status: 'offline', reason: 'connection lost' });
}

/** One status line: windows encoded, sent, queued, dropped, release. */
export function statusLine(s: DeviceStatus): string {
  const link = s.connected ? 'online' : 'offline';
  return (
    `device ${s.deviceId} [${link}] encoded ${s.encoded} · sent ${s.sent} · queued ${s.queued} · dropped ${s.dropped}` +
    ` · skipped ${s.skipped} · release ${s.release ?? '(waiting for a model)'}`
  );
}
