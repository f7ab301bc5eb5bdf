/**
 * Text the cloud can store and encode: no NUL (PostgreSQL text and jsonb cannot hold it) and no lone
 * UTF-16 surrogate (no UTF-8 form). JSON lets callers send both as `\u0000` and `\ud800`.
 */
import { z } from '@hono/zod-openapi';

/** NUL, or a UTF-16 surrogate that is not half of a pair. */
const UNSAFE_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What a refused string is told. */
export const UNSAFE_TEXT_MESSAGE = 'text must not contain NUL (\\u0000) or unpaired UTF-16 surrogates';

/** Whether a string holds no NUL and no lone surrogate. */
export function isSafeText(text: string): boolean {
  return !UNSAFE_TEXT.test(text);
}

/** A zod string that refuses NUL and lone surrogates (other checks chain after it). */
export function safeString() {
  return z.string().refine(isSafeText, { message: UNSAFE_TEXT_MESSAGE });
}

/** The JSON path of the first string (value or key) that is not {@link isSafeText}, if any. */
export function findUnsafeText(value: unknown, path = '(body)'): string | undefined {
  // Iterative: a deeply nested body must not overflow the stack.
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length) {
    const [v, p] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isSafeText(v)) return p;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${p}[${i}]`]);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        if (!isSafeText(k)) return `${p} (a key)`;
        stack.push([item, `${p}.${k}`]);
      }
    }
  }
  return undefined;
}
