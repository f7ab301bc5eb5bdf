/**
 * Mutual TLS on the embedded broker: the cloud's TLS listener asks for client certificates; a device
 * certificate issued by the cloud's CA (CN = device id) is the device's credential (no secret), bound to
 * that id; certificates from another CA or for another id are not; secrets keep working beside it.
 * Keys and certificates are made for the test in a temporary folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addDevice,
  type ClientCertificate,
  type Cloud,
  ensureLocalCa,
  issueClientCertificate,
  type LocalCa,
  startCloud,
} from '@heartline/cloud';
import { TOPICS } from '@heartline/contract';
import { MqttLink } from '@heartline/device';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let root: string;
let ca: LocalCa;
let otherCa: LocalCa;
let cloud: Cloud;
let certM: ClientCertificate;
let foreignCertM: ClientCertificate;
let secretX: string;
const refusals: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-cloud-mtls-'));
  [ca, otherCa] = await Promise.all([ensureLocalCa(join(root, 'ca')), ensureLocalCa(join(root, 'other'))]);
  [certM, foreignCertM] = await Promise.all([
    issueClientCertificate(ca, 'dev-m', join(root, 'certs')),
    issueClientCertificate(otherCa, 'dev-m', join(root, 'foreign-certs')),
  ]);
  cloud = await startCloud({
    mqttPort: 0,
    tls: { cert: ca.cert, key: ca.key, ca: ca.ca, requestClientCert: true },
    log: (line) => refusals.push(line),
  });
  await addDevice(cloud.db, 'dev-m', 'stable');
  secretX = await addDevice(cloud.db, 'dev-x', 'stable');
});

afterAll(async () => {
  await cloud?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** Connects once (no reconnect); resolves 'connected' or the error message. */
async function attempt(options: mqtt.IClientOptions): Promise<string> {
  const client = mqtt.connect(`mqtts://localhost:${cloud.mqttPort}`, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ca: ca.ca,
    rejectUnauthorized: true,
    ...options,
  });
  const outcome = await new Promise<string>((resolve) => {
    client.once('connect', () => resolve('connected'));
    client.once('error', (error) => resolve(error.message));
    client.once('close', () => resolve('closed'));
  });
  await client.endAsync(true);
  return outcome;
}

describe('mutual TLS on the embedded broker', () => {
  it('a device with a certificate from the cloud’s CA logs in without a secret and publishes under its id', async () => {
    let connected!: () => void;
    const up = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const link = MqttLink.connect({
      brokerUrl: `mqtts://localhost:${cloud.mqttPort}`,
      deviceId: 'dev-m',
      secret: '',
      tls: { ca: ca.ca, cert: certM.cert, key: certM.key },
      will: { topic: TOPICS.state('dev-m'), payload: '{"online":false}' },
      subscriptions: [TOPICS.command('dev-m')],
      onConnect: () => connected(),
    });
    try {
      await up;
      // QoS 1: resolves on the broker's PUBACK, which the ACL gives only for the device's own topics.
      await link.publish(TOPICS.state('dev-m'), '{"online":true}', true);
    } finally {
      await link.end();
    }
  });

  it('binds the certificate to its id: another user name with it is refused', async () => {
    expect(
      await attempt({ clientId: 'hl-dev-dev-x', username: 'dev-x', cert: certM.cert, key: certM.key }),
    ).toMatch(/bad user ?name or password/i);
    // Even with dev-x's own secret: the verified certificate says dev-m.
    expect(
      await attempt({
        clientId: 'hl-dev-dev-x',
        username: 'dev-x',
        password: secretX,
        cert: certM.cert,
        key: certM.key,
      }),
    ).not.toBe('connected');
  });

  it('a certificate of another CA is no credential; a secret still is', async () => {
    expect(
      await attempt({
        clientId: 'hl-dev-dev-m',
        username: 'dev-m',
        cert: foreignCertM.cert,
        key: foreignCertM.key,
      }),
    ).not.toBe('connected');
    expect(await attempt({ clientId: 'hl-dev-dev-x', username: 'dev-x', password: secretX })).toBe(
      'connected',
    );
    expect(await attempt({ clientId: 'hl-dev-dev-m', username: 'dev-m' })).not.toBe('connected');
  });
});
