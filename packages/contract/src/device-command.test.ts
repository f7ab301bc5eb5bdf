import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceCommandBody, encodeDeviceCommand, parseDeviceCommand } from './device-command.js';
import { InvalidCommandError } from './errors.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseDeviceCommand', () => {
  it('reads each command as JSON, with its id', () => {
    expect(parseDeviceCommand(bytes('{"type":"rollback","id":"c-1"}'))).toEqual({
      type: 'rollback',
      id: 'c-1',
    });
    expect(parseDeviceCommand('{"type":"assign-channel","channel":"canary"}')).toEqual({
      type: 'assign-channel',
      channel: 'canary',
    });
    expect(parseDeviceCommand('{"type":"resend","fromSeq":12}')).toEqual({ type: 'resend', fromSeq: 12 });
  });

  it('reads the first version’s rollback forms: the bare word, and the name under cmd or command', () => {
    for (const text of ['{"type":"rollback"}', '{"cmd":"rollback"}', '{"command":"rollback"}', ' rollback\n'])
      expect(parseDeviceCommand(bytes(text))).toEqual({ type: 'rollback' });
  });

  it('round-trips what the cloud encodes', () => {
    const command = { type: 'assign-channel', channel: 'beta.2', id: '0b6c7a4e' } as const;
    expect(parseDeviceCommand(encodeDeviceCommand(command))).toEqual(command);
  });

  it.each([
    ['an unknown command', '{"type":"reboot"}', /type/],
    ['a bare word that is not rollback', 'reboot', /neither JSON/],
    ['a JSON string', '"rollback"', /command/],
    ['null', 'null', /command/],
    ['an array', '[{"type":"rollback"}]', /command/],
    ['a channel outside the id alphabet', '{"type":"assign-channel","channel":"a/#"}', /channel/],
    ['a missing channel', '{"type":"assign-channel"}', /channel/],
    ['a negative seq', '{"type":"resend","fromSeq":-1}', /fromSeq/],
    ['a fractional seq', '{"type":"resend","fromSeq":1.5}', /fromSeq/],
    ['an id with a slash', '{"type":"rollback","id":"a/b"}', /id/],
  ])('refuses %s with InvalidCommandError', (_what, text, detail) => {
    expect(() => parseDeviceCommand(text)).toThrow(InvalidCommandError);
    expect(() => parseDeviceCommand(text)).toThrow(detail);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => parseDeviceCommand(Uint8Array.of(0xff, 0xfe))).toThrow(InvalidCommandError);
  });

  it('never throws anything but InvalidCommandError, whatever JSON or bytes arrive', () => {
    const parseOrTyped = (payload: string | Uint8Array) => {
      try {
        const command = parseDeviceCommand(payload);
        // What parses is a command the cloud could have sent.
        expect(DeviceCommandBody.safeParse(command).success).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidCommandError);
      }
    };
    fc.assert(fc.property(fc.json(), (json) => parseOrTyped(json)));
    fc.assert(
      fc.property(
        fc.record(
          {
            type: fc.constantFrom('rollback', 'assign-channel', 'resend', 'x'),
            channel: fc.oneof(fc.string(), fc.jsonValue()),
            fromSeq: fc.oneof(fc.double(), fc.integer(), fc.jsonValue()),
            id: fc.jsonValue(),
          },
          { requiredKeys: ['type'] },
        ),
        (command) => parseOrTyped(JSON.stringify(command)),
      ),
    );
    fc.assert(fc.property(fc.uint8Array(), (payload) => parseOrTyped(payload)));
  });
});
