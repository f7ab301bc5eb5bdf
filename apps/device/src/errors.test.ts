import { HeartlineError } from '@heartline/model/errors';
import { describe, expect, it } from 'vitest';
import {
  CredentialsRefusedError,
  DownloadError,
  NoSubscribersError,
  NotTlsError,
  OutboxStorageError,
  RefusedRelease,
  SubscriptionRefusedError,
  UntrustedServerError,
} from './errors.js';
import { explainTlsError } from './tls/tls-options.js';

describe('device errors', () => {
  it.each([
    [new NoSubscribersError('hl/v1/dev/d1/emb'), 'NO_SUBSCRIBERS'],
    [new CredentialsRefusedError('d1', 'Not authorized'), 'CREDENTIALS_REFUSED'],
    [new SubscriptionRefusedError(['hl/v1/ch/stable/release']), 'SUBSCRIPTION_REFUSED'],
    [new RefusedRelease('hash', 'r2', 'sha256 differs'), 'RELEASE_REFUSED'],
    [new UntrustedServerError('mqtts://h:8883', 'CERT_HAS_EXPIRED', 'expired'), 'UNTRUSTED_SERVER'],
    [new NotTlsError('mqtts://h:1883', 'wrong version number'), 'NOT_TLS'],
    [new DownloadError('HTTP 404'), 'DOWNLOAD'],
    [new OutboxStorageError('IndexedDB transaction aborted'), 'OUTBOX_STORAGE'],
  ] as const)('%s carries its stable code', (error, code) => {
    expect(error).toBeInstanceOf(HeartlineError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });

  it('explains TLS failures with typed errors, keeping the messages', () => {
    const expired = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    const untrusted = explainTlsError(expired, 'mqtts://h:8883');
    expect(untrusted).toBeInstanceOf(UntrustedServerError);
    expect((untrusted as UntrustedServerError).tlsCode).toBe('CERT_HAS_EXPIRED');
    expect(untrusted.message).toMatch(/^TLS: mqtts:\/\/h:8883 is not trusted \(CERT_HAS_EXPIRED: /);
    const plain = explainTlsError(new Error('wrong version number'), 'mqtts://h:1883');
    expect(plain).toBeInstanceOf(NotTlsError);
    expect(plain.message).toBe('TLS: mqtts://h:1883 does not speak TLS on this port (wrong version number)');
  });

  it('keeps the refusal reason and message of a refused release', () => {
    const error = new RefusedRelease('self-test', 'r2', 'cosine 0.5');
    expect(error.reason).toBe('self-test');
    expect(error.message).toBe('release r2 refused (self-test): cosine 0.5');
  });
});
