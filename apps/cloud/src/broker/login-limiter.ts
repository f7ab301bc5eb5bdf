/**
 * Rate limits on broker logins, per client address and per device id: token buckets, one token per login
 * attempt, refunded when the login succeeds (so only failures are limited: a fleet behind one NAT address
 * logs in freely). An attempt is admitted only when both of its buckets hold a token, and the token is
 * taken before the secret is checked, so many parallel attempts cannot all slip through on the same
 * token. A refused attempt costs no scrypt: the broker answers CONNACK 'not authorized' at once.
 *
 * Pure: the clock is injected; memory is bounded by `maxKeys` per kind.
 */

/** One bucket kind: `burst` failed attempts at once, then `refillPerSecond` a second. */
export interface BucketLimits {
  readonly burst: number;
  readonly refillPerSecond: number;
}

/** Limits of {@link LoginLimiter}. */
export interface LoginLimits {
  /** Per client address (IPv6 per /64). */
  readonly perAddress: BucketLimits;
  /** Per device id (the MQTT user name), whatever the address. */
  readonly perDevice: BucketLimits;
  /** Buckets kept per kind; beyond, refilled buckets and then the oldest are forgotten. */
  readonly maxKeys: number;
}

/** 10 failures per address then one every 2 s; 5 per device id then one every 10 s. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAddress: { burst: 10, refillPerSecond: 0.5 },
  perDevice: { burst: 5, refillPerSecond: 0.1 },
  maxKeys: 50_000,
};

interface Bucket {
  tokens: number;
  at: number;
}

class Buckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: BucketLimits,
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {}

  /** The bucket of `key`, refilled up to now. */
  private current(key: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.limits.burst, at: now };
      this.buckets.set(key, bucket);
      if (this.buckets.size > this.maxKeys) this.evict();
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + elapsed * this.limits.refillPerSecond);
    bucket.at = now;
    return bucket;
  }

  has(key: string): boolean {
    return this.current(key).tokens >= 1;
  }

  take(key: string): void {
    this.current(key).tokens -= 1;
  }

  give(key: string): void {
    const bucket = this.current(key);
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + 1);
  }

  get size(): number {
    return this.buckets.size;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      const tokens = bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.limits.refillPerSecond;
      if (tokens >= this.limits.burst) this.buckets.delete(key);
    }
    // Still full of throttled keys: forget the oldest (a forgotten key starts again with a full burst).
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/** The bucket key of a client address: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its /64 prefix. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...new Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Per-address and per-device-id login limits; see the module comment. */
export class LoginLimiter {
  private readonly addresses: Buckets;
  private readonly devices: Buckets;
  /** Attempts refused so far. */
  refused = 0;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS, now: () => number = Date.now) {
    this.addresses = new Buckets(limits.perAddress, limits.maxKeys, now);
    this.devices = new Buckets(limits.perDevice, limits.maxKeys, now);
  }

  /**
   * Admits a login attempt (taking a token from both buckets) or refuses it (taking nothing): false means
   * answer 'not authorized' without checking the secret.
   */
  tryAcquire(address: string, deviceId: string): boolean {
    const key = addressKey(address);
    if (!this.addresses.has(key) || !this.devices.has(deviceId)) {
      this.refused++;
      return false;
    }
    this.addresses.take(key);
    this.devices.take(deviceId);
    return true;
  }

  /** The admitted attempt succeeded: its tokens are given back. */
  succeeded(address: string, deviceId: string): void {
    this.addresses.give(addressKey(address));
    this.devices.give(deviceId);
  }

  /** Buckets held (for tests and metrics). */
  get size(): { addresses: number; devices: number } {
    return { addresses: this.addresses.size, devices: this.devices.size };
  }
}
