import { describe, expect, it } from 'vitest';
import { type CloudOptions, startCloud } from './cloud.js';
import { validateCloudOptions } from './cloud-options-schema.js';
import { InvalidOptionsError } from './errors.js';

/** The error `validateCloudOptions` throws for `options` (fails the test when it throws none). */
function refusal(options: unknown): InvalidOptionsError {
  try {
    validateCloudOptions(options as CloudOptions);
  } catch (error) {
    if (error instanceof InvalidOptionsError) return error;
    throw error;
  }
  throw new Error('expected an InvalidOptionsError');
}

describe('validateCloudOptions', () => {
  it('accepts no options, and a full set of valid ones', () => {
    expect(() => validateCloudOptions({})).not.toThrow();
    expect(() =>
      validateCloudOptions({
        dataDir: '/var/lib/heartline',
        databaseUrl: 'postgres://heartline:pw@db:5432/heartline',
        mqttUrl: 'mqtts://broker:8883',
        mqttPassword: 'secret',
        instanceId: 'cloud-a.1',
        httpPort: 0,
        mqttPort: 1883,
        wsPort: 65_535,
        host: '0.0.0.0',
        tls: { cert: 'CERT', key: 'KEY', ca: 'CA', requestClientCert: true },
        releaseDirs: ['/releases/r1'],
        batchSize: 500,
        flushMs: 0,
        publicUrl: 'https://cloud.example:8443',
        onStored: () => {},
        loadRelease: async () => {
          throw new Error('not called');
        },
        releaseGuard: {
          minDevices: 2,
          minFraction: 0.3,
          minSamples: 20,
          maxQualityDrop: 0.15,
          qualityCheckMs: 10,
        },
        importRoots: ['/data'],
        maxBodyBytes: 1024,
        log: () => {},
      } as CloudOptions),
    ).not.toThrow();
  });

  it('accepts undefined for every optional field', () => {
    expect(() =>
      validateCloudOptions({ httpPort: undefined, databaseUrl: undefined, tls: undefined }),
    ).not.toThrow();
  });

  it.each([
    ['httpPort', { httpPort: 70_000 }, /httpPort: must be 0 to 65535/],
    ['mqttPort', { mqttPort: -1 }, /mqttPort: must be 0 to 65535/],
    ['wsPort', { wsPort: 80.5 }, /wsPort: must be an integer/],
    ['httpPort', { httpPort: '8080' }, /httpPort: .*number/],
    [
      'databaseUrl',
      { databaseUrl: 'mysql://db/x' },
      /databaseUrl: must be a URL starting postgres:\/\/ or postgresql:\/\//,
    ],
    ['databaseUrl', { databaseUrl: 'not a url' }, /databaseUrl: must be a URL/],
    ['mqttUrl', { mqttUrl: 'http://broker' }, /mqttUrl: must be a URL starting mqtt:\/\//],
    ['publicUrl', { publicUrl: 'ftp://x' }, /publicUrl: must be a URL starting http:\/\/ or https:\/\//],
    ['instanceId', { instanceId: 'a b' }, /instanceId: must be 1–64 characters/],
    ['host', { host: '' }, /host: must not be empty/],
    ['tls.key', { tls: { cert: 'CERT' } }, /tls\.key: /],
    ['tls.cert', { tls: { cert: '', key: 'KEY' } }, /tls\.cert: must hold a PEM certificate/],
    ['releaseDirs.1', { releaseDirs: ['/a', ''] }, /releaseDirs\.1: must not be empty/],
    ['importRoots', { importRoots: '/data' }, /importRoots: .*array/],
    ['batchSize', { batchSize: 0 }, /batchSize: must be ≥ 1/],
    ['flushMs', { flushMs: -5 }, /flushMs: must be ≥ 0/],
    ['maxBodyBytes', { maxBodyBytes: 1.5 }, /maxBodyBytes: must be an integer/],
    [
      'releaseGuard.minFraction',
      { releaseGuard: { minFraction: 2 } },
      /releaseGuard\.minFraction: must be 0 to 1/,
    ],
    ['releaseGuard.minDevices', { releaseGuard: { minDevices: 0 } }, /releaseGuard\.minDevices: must be ≥ 1/],
    ['log', { log: 'stderr' }, /log: must be a function/],
    ['loadRelease', { loadRelease: {} }, /loadRelease: must be a function/],
  ])('names %s when it is wrong', (field, options, message) => {
    const error = refusal(options);
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('lists every wrong field, the first as `field`', () => {
    const error = refusal({ httpPort: -1, databaseUrl: 'x' });
    expect(error.field).toBe('databaseUrl');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toMatch(/httpPort/);
  });

  it('refuses options that are not an object', () => {
    expect(refusal(42).field).toBe('(options)');
  });

  it('is what startCloud checks first: wrong options are refused before anything is opened', async () => {
    const dataDir = '/nonexistent/heartline-never-created';
    await expect(startCloud({ dataDir, httpPort: 99_999 })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      field: 'httpPort',
    });
  });
});
