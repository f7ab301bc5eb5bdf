import { describe, expect, it } from 'vitest';
import { addressKey, LoginLimiter, type LoginLimits } from './login-limiter.js';

const LIMITS: LoginLimits = {
  perAddress: { burst: 3, refillPerSecond: 1 },
  perDevice: { burst: 2, refillPerSecond: 0.5 },
  maxKeys: 100,
};

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('LoginLimiter', () => {
  it('admits a burst of failures per address, then refuses until tokens refill', () => {
    const c = clock();
    const limiter = new LoginLimiter(LIMITS, c.now);
    expect([1, 2, 3, 4].map((i) => limiter.tryAcquire('10.0.0.1', `d${i}`))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(limiter.refused).toBe(1);
    // Another address is unaffected.
    expect(limiter.tryAcquire('10.0.0.2', 'd9')).toBe(true);
    c.advance(999);
    expect(limiter.tryAcquire('10.0.0.1', 'd5')).toBe(false);
    c.advance(1);
    expect(limiter.tryAcquire('10.0.0.1', 'd5')).toBe(true);
  });

  it('limits failures per device id across addresses', () => {
    const c = clock();
    const limiter = new LoginLimiter(LIMITS, c.now);
    expect(limiter.tryAcquire('10.0.0.1', 'x')).toBe(true);
    expect(limiter.tryAcquire('10.0.0.2', 'x')).toBe(true);
    expect(limiter.tryAcquire('10.0.0.3', 'x')).toBe(false);
    // The refused attempt took no token from its address.
    expect(limiter.tryAcquire('10.0.0.3', 'y')).toBe(true);
    c.advance(2000);
    expect(limiter.tryAcquire('10.0.0.3', 'x')).toBe(true);
  });

  it('gives the tokens back on success, so good logins are never limited', () => {
    const limiter = new LoginLimiter(LIMITS, clock().now);
    for (let i = 0; i < 50; i++) {
      expect(limiter.tryAcquire('10.0.0.1', 'good')).toBe(true);
      limiter.succeeded('10.0.0.1', 'good');
    }
  });

  it('takes a token before the check, so parallel attempts cannot share one', () => {
    const limiter = new LoginLimiter(LIMITS, clock().now);
    const admitted = Array.from({ length: 20 }, (_, i) => limiter.tryAcquire('10.0.0.1', `p${i}`));
    expect(admitted.filter(Boolean)).toHaveLength(3);
  });

  it('keeps at most maxKeys buckets per kind', () => {
    const c = clock();
    const limiter = new LoginLimiter({ ...LIMITS, maxKeys: 10 }, c.now);
    for (let i = 0; i < 1000; i++) limiter.tryAcquire(`10.0.${i >> 8}.${i & 255}`, `dev-${i}`);
    expect(limiter.size.addresses).toBeLessThanOrEqual(10);
    expect(limiter.size.devices).toBeLessThanOrEqual(10);
  });

  it('keys IPv6 addresses by /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
