import { describe, expect, it } from 'vitest';
import { parseCommand } from './commands.js';

describe('parseCommand', () => {
  it('reads the rollback command as JSON (type, cmd or command) and as a bare word', () => {
    for (const text of ['{"type":"rollback"}', '{"cmd":"rollback"}', '{"command":"rollback"}', ' rollback\n'])
      expect(parseCommand(new TextEncoder().encode(text))).toEqual({ type: 'rollback' });
  });

  it('keeps the text of what it does not know', () => {
    expect(parseCommand('{"type":"reboot"}')).toEqual({ type: 'unknown', text: '{"type":"reboot"}' });
    expect(parseCommand('"rollback"')).toEqual({ type: 'unknown', text: '"rollback"' });
    expect(parseCommand('null')).toEqual({ type: 'unknown', text: 'null' });
  });
});
