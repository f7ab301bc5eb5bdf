/**
 * Broker logins under attack: a wrong secret for a known id must take as long as any secret for an
 * unknown id (no id enumeration), a burst of bad logins from one address is refused quickly without a
 * secret check, and a good device elsewhere still gets in; a device may not take another's client id.
 */
import { connect } from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeviceCredentialRow, deviceAuthenticator } from '../security/device-authenticator.js';
import { hashSecret } from '../security/secrets.js';
import { type EmbeddedBroker, type EmbeddedBrokerOptions, startEmbeddedBroker } from './embedded-broker.js';

let broker: EmbeddedBroker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

/** Connects from `localAddress`; resolves to the CONNACK return code (0: accepted) and the client. */
function login(
  port: number,
  options: { username: string; password: string; clientId?: string; localAddress?: string },
): Promise<{ code: number; client: mqtt.MqttClient }> {
  return new Promise((resolve) => {
    const client = new mqtt.MqttClient(
      () => connect({ port, host: '127.0.0.1', localAddress: options.localAddress ?? '127.0.0.1' }),
      {
        clientId: options.clientId ?? `hl-dev-${options.username}`,
        username: options.username,
        password: options.password,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        protocolVersion: 4,
      },
    );
    client.once('connect', () => resolve({ code: 0, client }));
    client.once('error', (error) => {
      client.end(true);
      resolve({ code: (error as { code?: number }).code ?? -1, client });
    });
  });
}

async function start(rows: Map<string, DeviceCredentialRow>, extra: Partial<EmbeddedBrokerOptions> = {}) {
  const refusals: string[] = [];
  let lookups = 0;
  broker = await startEmbeddedBroker({
    port: 0,
    authenticateDevice: deviceAuthenticator({
      lookup: async (id) => {
        lookups++;
        return rows.get(id);
      },
    }),
    onRefusal: (reason) => refusals.push(reason),
    ...extra,
  });
  return { broker, refusals, lookups: () => lookups };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('embedded broker logins', () => {
  it('answers a bad secret for a known id as slowly as one for an unknown id', async () => {
    const rows = new Map([
      ['known', { secretHash: await hashSecret('right'), channel: 'stable', revoked: false }],
    ]);
    const { broker } = await start(rows, { loginLimits: false });
    const time = async (username: string) => {
      const started = performance.now();
      const { code } = await login(broker.port, { username, password: 'wrong' });
      expect(code).toBe(4);
      return performance.now() - started;
    };
    await time('warm-up');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(await time('known'));
      unknown.push(await time(`unknown-${i}`));
    }
    const ratio = median(unknown) / median(known);
    const detail = `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`;
    expect(ratio, detail).toBeGreaterThan(0.5);
    expect(ratio, detail).toBeLessThan(2);
  });

  it('rate-limits a burst of bad logins from one address while a good device elsewhere connects', async () => {
    const rows = new Map([
      ['good', { secretHash: await hashSecret('s3cret'), channel: 'stable', revoked: false }],
    ]);
    const { broker, refusals, lookups } = await start(rows, {
      loginLimits: {
        perAddress: { burst: 5, refillPerSecond: 0.01 },
        perDevice: { burst: 5, refillPerSecond: 0.01 },
        maxKeys: 1000,
      },
    });
    const attempts = 30;
    const codes = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        login(broker.port, { username: `guess-${i}`, password: 'nope' }).then((r) => r.code),
      ),
    );
    // 5 were checked (bad user name or password), the rest refused at once (not authorized) unchecked.
    expect(codes.filter((c) => c === 4)).toHaveLength(5);
    expect(codes.filter((c) => c === 5)).toHaveLength(attempts - 5);
    expect(refusals.filter((r) => r === 'auth-rate-limited')).toHaveLength(attempts - 5);
    expect(lookups()).toBe(5);
    // The attacker's address stays refused, even with the right secret…
    expect((await login(broker.port, { username: 'good', password: 's3cret' })).code).toBe(5);
    // …while the device on another address gets in.
    const good = await login(broker.port, {
      username: 'good',
      password: 's3cret',
      localAddress: '127.0.0.2',
    });
    expect(good.code).toBe(0);
    await good.client.endAsync();
  });

  it('refuses a device registered as hl-dev-<other> that takes the client id of device <other>', async () => {
    const rows = new Map([
      ['x', { secretHash: await hashSecret('sx'), channel: 'stable', revoked: false }],
      ['hl-dev-x', { secretHash: await hashSecret('sa'), channel: 'stable', revoked: false }],
    ]);
    const { broker } = await start(rows, { loginLimits: false });
    const victim = await login(broker.port, { username: 'x', password: 'sx' });
    expect(victim.code).toBe(0);
    const victimClosed = new Promise<void>((r) => victim.client.once('close', () => r()));
    // The attacker's own credentials are right; only the client id is the victim's.
    const attacker = await login(broker.port, { username: 'hl-dev-x', password: 'sa', clientId: 'hl-dev-x' });
    expect(attacker.code).toBe(4);
    // Positive evidence the victim was not kicked: it still round-trips a QoS 1 publish afterwards.
    await victim.client.publishAsync('hl/v1/dev/x/state', 'ok', { qos: 1 });
    expect(victim.client.connected).toBe(true);
    // And the attacker under its own unambiguous client id is fine.
    const own = await login(broker.port, {
      username: 'hl-dev-x',
      password: 'sa',
      clientId: 'hl-dev-hl-dev-x',
    });
    expect(own.code).toBe(0);
    await own.client.endAsync();
    await victim.client.endAsync();
    await victimClosed;
  });
});
