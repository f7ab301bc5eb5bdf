import { describe, expect, it } from 'vitest';
import { mosquittoAclFile, mosquittoConf } from './mosquitto-config.js';

const dir = '/etc/hl-mosquitto';
const tls = { cafile: '/tls/ca.pem', certfile: '/tls/server.pem', keyfile: '/tls/server-key.pem' };

describe('mosquittoConf', () => {
  it('without certificates: one plaintext listener, as before', () => {
    const conf = mosquittoConf({ port: 1883, host: '0.0.0.0', dir, user: 'hl' });
    expect(conf).toBe(
      [
        'user hl',
        'per_listener_settings false',
        'allow_anonymous false',
        'password_file /etc/hl-mosquitto/passwords',
        'acl_file /etc/hl-mosquitto/acl',
        'listener 1883 0.0.0.0',
        'max_packet_size 65536',
        'max_inflight_messages 5000',
        'max_queued_messages 10000000',
        'max_queued_bytes 1073741824',
        'persistence true',
        'persistence_location /etc/hl-mosquitto/data/',
        'autosave_interval 10',
        '',
      ].join('\n'),
    );
    expect(conf).not.toMatch(/cafile|certfile|keyfile|8883/);
  });

  it('with certificates: a TLS listener on the host, the plaintext one on loopback only', () => {
    const conf = mosquittoConf({ port: 1883, host: '0.0.0.0', dir, user: 'hl', tls });
    expect(conf).toBe(
      [
        'user hl',
        'per_listener_settings false',
        'allow_anonymous false',
        'password_file /etc/hl-mosquitto/passwords',
        'acl_file /etc/hl-mosquitto/acl',
        'listener 1883 127.0.0.1',
        'max_packet_size 65536',
        'listener 8883 0.0.0.0',
        'max_packet_size 65536',
        'cafile /tls/ca.pem',
        'certfile /tls/server.pem',
        'keyfile /tls/server-key.pem',
        'tls_version tlsv1.2',
        'max_inflight_messages 5000',
        'max_queued_messages 10000000',
        'max_queued_bytes 1073741824',
        'persistence true',
        'persistence_location /etc/hl-mosquitto/data/',
        'autosave_interval 10',
        '',
      ].join('\n'),
    );
    expect(conf).not.toContain('require_certificate');
    expect(mosquittoConf({ port: 1883, dir, user: 'hl', tls: { ...tls, port: 9883 } })).toContain(
      'listener 9883 127.0.0.1\n',
    );
  });

  it('mutual TLS: require_certificate and the certificate CN as user name, settings per listener', () => {
    const conf = mosquittoConf({ port: 1883, dir, user: 'hl', tls: { ...tls, requireCertificate: true } });
    const lines = conf.split('\n');
    expect(lines[1]).toBe('per_listener_settings true');
    const tlsAt = lines.indexOf('listener 8883 127.0.0.1');
    expect(tlsAt).toBeGreaterThan(lines.indexOf('listener 1883 127.0.0.1'));
    const tlsListener = lines.slice(tlsAt);
    expect(tlsListener).toContain('require_certificate true');
    expect(tlsListener).toContain('use_identity_as_username true');
    expect(tlsListener).toContain('acl_file /etc/hl-mosquitto/acl');
    expect(tlsListener).toContain('allow_anonymous false');
    // The plaintext (loopback) listener keeps passwords and ACLs of its own.
    const plain = lines.slice(lines.indexOf('listener 1883 127.0.0.1'), tlsAt);
    expect(plain).toContain('password_file /etc/hl-mosquitto/passwords');
    expect(plain).not.toContain('require_certificate true');
  });

  it('refuses a path with a line break (it would add a directive)', () => {
    expect(() =>
      mosquittoConf({ port: 1883, dir, user: 'hl', tls: { ...tls, keyfile: '/x\nallow_anonymous true' } }),
    ).toThrow(TypeError);
  });
});

describe('mosquittoAclFile', () => {
  it('lets a device read only its own cmd topic and write none, and only the cloud write commands', () => {
    const acl = mosquittoAclFile([
      { username: 'cloud', hash: 'x' },
      { username: 'dev-1', hash: 'y', channel: 'canary' },
    ]).split('\n');
    const cmd = acl.filter((l) => l.includes('/cmd'));
    // %u is the user name: each device its own topic, read only.
    expect(cmd).toEqual(['pattern read hl/v1/dev/%u/cmd']);
    expect(acl.filter((l) => /^pattern (write|readwrite)/.test(l))).toEqual([
      'pattern write hl/v1/dev/%u/emb',
      'pattern write hl/v1/dev/%u/state',
    ]);
    const device = acl.slice(acl.indexOf('user dev-1'));
    expect(device.filter((l) => l.startsWith('topic'))).toEqual(['topic read hl/v1/rel/canary']);
    const cloud = acl.slice(acl.indexOf('user cloud'), acl.indexOf('user dev-1'));
    expect(cloud).toContain('topic readwrite hl/#');
  });
});
