/**
 * Checks device logins with the same work whatever the outcome, so the answer time does not tell which
 * device ids exist: an unknown or revoked id is verified against a dummy hash of the same scrypt
 * parameters, exactly like a known one. scrypt runs in libuv's threadpool (`crypto.scrypt`, async) and at
 * most `maxConcurrent` at once: the threadpool (4 threads by default) also serves the file system, so a
 * burst of logins must not take all of it, and each scrypt holds 16 MiB while it runs.
 */
import { hashSecret, newSecret, verifySecret } from './secrets.js';

/** What a login needs to know about a device. */
export interface DeviceCredentialRow {
  readonly secretHash: string;
  readonly channel: string;
  readonly revoked: boolean;
}

/** Options of {@link deviceAuthenticator}. */
export interface DeviceAuthenticatorOptions {
  /** The device's row, undefined when the id is unknown. */
  readonly lookup: (deviceId: string) => Promise<DeviceCredentialRow | undefined>;
  /** scrypt verifications at once. Default 2. */
  readonly maxConcurrent?: number;
  /** Logins waiting for a turn; more are refused at once. Default 64. */
  readonly maxWaiting?: number;
}

/** Resolves to the device's channel when `secret` is its current secret and it is not revoked. */
export type AuthenticateDevice = (
  deviceId: string,
  secret: string,
) => Promise<{ channel: string } | undefined>;

/** Builds the broker's `authenticateDevice` (see the module comment). */
export function deviceAuthenticator(options: DeviceAuthenticatorOptions): AuthenticateDevice {
  const maxConcurrent = options.maxConcurrent ?? 2;
  const maxWaiting = options.maxWaiting ?? 64;
  // A hash of a random secret nobody knows, made once with the parameters every device hash has.
  const dummy = hashSecret(newSecret());
  dummy.catch(() => undefined);
  let running = 0;
  const waiting: (() => void)[] = [];

  async function turn<T>(work: () => Promise<T>): Promise<T> {
    // A finishing login hands its slot straight to the next waiting one.
    if (running >= maxConcurrent) await new Promise<void>((go) => waiting.push(go));
    else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }

  return async (deviceId, secret) => {
    if (running >= maxConcurrent && waiting.length >= maxWaiting) return undefined;
    return turn(async () => {
      const device = await options.lookup(deviceId);
      const matches = await verifySecret(secret, device?.secretHash ?? (await dummy));
      return device && !device.revoked && matches ? { channel: device.channel } : undefined;
    });
  };
}
