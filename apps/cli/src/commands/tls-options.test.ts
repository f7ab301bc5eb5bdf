import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { checkListenSecurity, isLoopbackHost, tlsHostNames } from './tls-options.js';

describe('checkListenSecurity', () => {
  it('start: TLS unless --insecure; any host is fine then', () => {
    expect(checkListenSecurity({ host: '127.0.0.1', insecure: false })).toEqual({ tls: true });
    expect(checkListenSecurity({ host: '0.0.0.0', insecure: false })).toEqual({ tls: true });
    expect(checkListenSecurity({ host: '127.0.0.1', insecure: true })).toEqual({ tls: false });
    expect(checkListenSecurity({ host: '0.0.0.0', insecure: true })).toEqual({ tls: false });
  });

  it('cloud: plaintext on loopback, TLS when asked; 0.0.0.0 without TLS refused unless --insecure', () => {
    expect(checkListenSecurity({ host: '127.0.0.1', insecure: false }, false)).toEqual({ tls: false });
    expect(() => checkListenSecurity({ host: '0.0.0.0', insecure: false }, false)).toThrow(
      /--host 0\.0\.0\.0 without TLS/,
    );
    expect(() => checkListenSecurity({ host: '192.168.1.5', insecure: false }, false)).toThrow(UsageError);
    expect(checkListenSecurity({ host: '0.0.0.0', insecure: true }, false)).toEqual({ tls: false });
    expect(checkListenSecurity({ host: '0.0.0.0', insecure: false, tls: true }, false)).toEqual({
      tls: true,
    });
    expect(
      checkListenSecurity({ host: '0.0.0.0', insecure: false, 'tls-cert': 'c', 'tls-key': 'k' }, false),
    ).toEqual({ tls: true });
  });

  it('refuses contradictions', () => {
    expect(() => checkListenSecurity({ host: '127.0.0.1', insecure: true, tls: true })).toThrow(/exclude/);
    expect(() => checkListenSecurity({ host: '127.0.0.1', insecure: true, 'tls-cert': 'c' })).toThrow(
      /exclude/,
    );
    expect(() => checkListenSecurity({ host: '127.0.0.1', insecure: false, 'tls-cert': 'c' })).toThrow(
      /together/,
    );
    expect(() => checkListenSecurity({ host: '127.0.0.1', insecure: false, 'tls-ca': 'a' })).toThrow(
      /--tls-ca goes with/,
    );
  });
});

describe('tlsHostNames', () => {
  it('is the host itself, or this machine’s names and addresses on every interface', () => {
    expect(tlsHostNames('ecg.example')).toEqual(['ecg.example']);
    const all = tlsHostNames('0.0.0.0');
    expect(all.every((name) => !isLoopbackHost(name) && !name.startsWith('fe80'))).toBe(true);
  });

  it('knows loopback', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});
