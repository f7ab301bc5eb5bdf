import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientIdAllowed, devicePublishAllowed, deviceSubscribeAllowed } from './acl.js';

describe('devicePublishAllowed', () => {
  it('allows a device its own emb and state topics', () => {
    expect(devicePublishAllowed('d1', 'hl/v1/dev/d1/emb')).toBe(true);
    expect(devicePublishAllowed('d1', 'hl/v1/dev/d1/state')).toBe(true);
  });

  it('refuses another device topic, its own cmd topic, release topics and wildcards', () => {
    for (const topic of [
      'hl/v1/dev/d2/emb',
      'hl/v1/dev/d1/cmd',
      'hl/v1/rel/stable',
      'hl/v1/dev/+/emb',
      'hl/v1/dev/d1/emb/x',
    ]) {
      expect(devicePublishAllowed('d1', topic), topic).toBe(false);
    }
  });
});

describe('deviceSubscribeAllowed', () => {
  it('allows its channel release topic and its own command topic only', () => {
    expect(deviceSubscribeAllowed('d1', 'canary', 'hl/v1/rel/canary')).toBe(true);
    expect(deviceSubscribeAllowed('d1', 'canary', 'hl/v1/dev/d1/cmd')).toBe(true);
    for (const filter of ['hl/v1/rel/stable', 'hl/v1/dev/d2/cmd', 'hl/v1/dev/+/emb', '#', 'hl/v1/rel/+']) {
      expect(deviceSubscribeAllowed('d1', 'canary', filter), filter).toBe(false);
    }
  });
});

describe('clientIdAllowed', () => {
  it('accepts only hl-dev-<id>: not the bare id, nor a longer id sharing the prefix', () => {
    expect(clientIdAllowed('a', 'a')).toBe(false);
    expect(clientIdAllowed('a', 'hl-dev-a')).toBe(true);
    expect(clientIdAllowed('a', 'hl-dev-a-b')).toBe(false);
    expect(clientIdAllowed('a', 'hl-dev-b')).toBe(false);
  });

  it('attack: device hl-dev-x cannot take client id hl-dev-x, device x’s', () => {
    expect(clientIdAllowed('hl-dev-x', 'hl-dev-x')).toBe(false);
    expect(clientIdAllowed('x', 'hl-dev-x')).toBe(true);
  });

  it('property: a client id belongs to at most one device id', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
    try {
      fc.assert(
        fc.property(fc.string(), fc.string(), fc.string(), (a, b, other) => {
          for (const clientId of [`hl-dev-${a}`, `hl-dev-${b}`, other, a, b]) {
            if (a !== b) expect(clientIdAllowed(a, clientId) && clientIdAllowed(b, clientId)).toBe(false);
          }
        }),
        { seed },
      );
    } catch (error) {
      console.error(`fast-check seed ${seed} (rerun with FC_SEED=${seed})`);
      throw error;
    }
  });
});
