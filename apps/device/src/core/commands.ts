/**
 * The commands a device takes on its `cmd` topic (QoS 1, from the cloud or an operator): JSON with the
 * command's name in `type` (also read from `cmd` or `command`), or the bare word.
 */

/** A parsed command; `unknown` keeps the text for the log. */
export type DeviceCommand =
  | { readonly type: 'rollback' }
  | { readonly type: 'unknown'; readonly text: string };

const KNOWN = new Set(['rollback']);

/** Reads a `cmd` payload: `{"type":"rollback"}` and `rollback` are both the rollback command. */
export function parseCommand(payload: Uint8Array | string): DeviceCommand {
  const text = (typeof payload === 'string' ? payload : new TextDecoder().decode(payload)).trim();
  let name: string | undefined = text;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown> | null;
    const value = parsed?.['type'] ?? parsed?.['cmd'] ?? parsed?.['command'];
    name = typeof value === 'string' ? value : undefined;
  } catch {
    // A bare word is a command too.
  }
  return name !== undefined && KNOWN.has(name) ? { type: name as 'rollback' } : { type: 'unknown', text };
}
