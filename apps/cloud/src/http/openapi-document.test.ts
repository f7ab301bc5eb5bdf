/**
 * The served OpenAPI document (`GET /api/v1/openapi.json`) through a standard validator, and the error
 * responses every operation documents, against an in-memory cloud.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, startCloud } from '../cloud.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  readonly responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

let cloud: Cloud;
let document: { paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>> };

beforeAll(async () => {
  cloud = await startCloud({ mqttPort: 0, log: () => undefined });
  const res = await cloud.api.request('/api/v1/openapi.json');
  expect(res.status).toBe(200);
  document = (await res.json()) as typeof document;
}, 120_000);
afterAll(() => cloud?.close(), 60_000);

/** Every operation of the document as `METHOD /path`. */
function operations(): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((m) => (item[m] ? [[`${m.toUpperCase()} ${path}`, item[m]] as [string, Operation]] : [])),
  );
}

describe('the OpenAPI document', () => {
  it('passes a standard OpenAPI validator', async () => {
    // validate() dereferences in place: hand it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('documents at least one 4xx answer for every operation that takes input or a token', () => {
    // Open routes without parameters or body have nothing a caller can get wrong.
    const open = new Set(['GET /health', 'GET /ready', 'GET /signing-key']);
    const missing = operations()
      .filter(([name]) => !open.has(name))
      .filter(([, op]) => !Object.keys(op.responses ?? {}).some((s) => /^4\d\d$/.test(s)))
      .map(([name]) => name);
    expect(operations().length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('derives the error answers from the route: input, token, role, body', () => {
    const statuses = (path: string, method: (typeof METHODS)[number]) =>
      Object.keys(document.paths[path]?.[method]?.responses ?? {}).filter((s) => /^[45]/.test(s));
    expect(statuses('/health', 'get')).toEqual(['500']);
    expect(statuses('/ready', 'get')).toEqual(['500', '503']);
    expect(statuses('/metrics', 'get')).toEqual(['401', '500']);
    expect(statuses('/fleet', 'get')).toEqual(['401', '500']);
    expect(statuses('/tokens', 'post')).toEqual(['400', '401', '403', '413', '500']);
    expect(statuses('/cases/{deviceId}/{seq}', 'get')).toEqual(['400', '401', '404', '500']);
  });

  it('gives every error answer the one shared error schema', () => {
    // Not an error: "not ready yet" answers with the readiness checks, as the 200 does.
    const ownBody = new Set(['GET /ready 503']);
    const wrong: string[] = [];
    for (const [name, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!/^[45]\d\d$/.test(status) || ownBody.has(`${name} ${status}`)) continue;
        const ref = response.content?.['application/json']?.schema?.$ref;
        if (ref !== '#/components/schemas/Error') wrong.push(`${name} ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
