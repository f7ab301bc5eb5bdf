/**
 * The HTTP API's credentials and server-side safety, through `app.request` against an in-memory cloud:
 * token expiry and revocation, the admin token routes, the body limit, NUL and lone surrogates, security
 * headers, import roots and the audit log.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, startCloud } from '../cloud.js';
import type { ReleaseModel } from '../releases/release-models.js';
import { registerRelease } from '../storage/releases.js';
import { issueToken } from '../storage/tokens.js';

const DIM = 4;

/** A stand-in release whose text encoder maps every text to one unit vector. */
function fakeModel(): ReleaseModel {
  return {
    id: 'r-test',
    ecgDim: DIM,
    sharedDim: DIM,
    projectEcg: (_h, n) => new Float32Array(n * DIM).fill(0.5),
    encodeText: (texts) => new Float32Array(texts.length * DIM).fill(0.5),
  };
}

let work: string;
let root: string;
let outside: string;
let cloud: Cloud;
const tokens: Record<'viewer' | 'operator' | 'admin', { token: string; id: string }> = {} as never;

interface CallInit {
  method?: string;
  body?: unknown;
  raw?: string;
  token?: string;
}

function call(path: string, init: CallInit = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  const body = init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined);
  return cloud.api.request(path.startsWith('/api') ? path : `/api/v1${path}`, {
    method: init.method ?? (body !== undefined ? 'POST' : 'GET'),
    headers,
    ...(body !== undefined ? { body } : {}),
  });
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-api-security-'));
  root = join(work, 'imports');
  outside = join(work, 'outside');
  await mkdir(join(root, 'inside'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await symlink(outside, join(root, 'escape'));
  cloud = await startCloud({
    mqttPort: 0,
    importRoots: [root],
    maxBodyBytes: 64 * 1024,
    loadRelease: async () => fakeModel(),
    log: () => undefined,
  });
  await registerRelease(cloud.db, {
    id: 'r-test',
    ecgDim: DIM,
    sharedDim: DIM,
    dir: join(work, 'release'),
    manifest: { id: 'r-test' },
  });
  await cloud.releases.refresh();
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const { token, info } = await issueToken(cloud.db, role, { label: `test ${role}` });
    tokens[role] = { token, id: info.id };
  }
}, 60_000);

afterAll(async () => {
  await cloud?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('bearer tokens', () => {
  it('refuses an expired token with the same 401 as an unknown one', async () => {
    const { token, info } = await issueToken(cloud.db, 'viewer', { ttlMs: 3_600_000 });
    expect((await call('/whoami', { token })).status).toBe(200);
    expect(Date.parse(info.expiresAt!)).toBeGreaterThan(Date.now());
    await cloud.db.query("UPDATE tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [
      info.id,
    ]);
    const expired = await call('/whoami', { token });
    const unknown = await call('/whoami', { token: `${token}x` });
    expect(expired.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await errorOf(expired)).toEqual(await errorOf(unknown));
  });

  it('refuses a revoked token at once, also as an SSE query token', async () => {
    const minted = await call('/tokens', { token: tokens.admin.token, body: { role: 'operator' } });
    expect(minted.status).toBe(201);
    const { id, token } = (await minted.json()) as { id: string; token: string };
    expect((await call('/whoami', { token })).status).toBe(200);
    const revoked = await call(`/tokens/${id}`, { method: 'DELETE', token: tokens.admin.token });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    const refused = await call('/whoami', { token });
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).message).toBe('unknown, expired or revoked bearer token');
    expect((await call(`/jobs/job-x/events?token=${token}`, {})).status).toBe(401);
  });

  it('lets only admins mint, list and revoke tokens', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const { token } = tokens[role];
      expect((await call('/tokens', { token, body: { role: 'admin' } })).status).toBe(403);
      expect((await call('/tokens', { token })).status).toBe(403);
      expect((await call(`/tokens/${tokens.admin.id}`, { method: 'DELETE', token })).status).toBe(403);
    }
    expect((await call('/tokens', { body: { role: 'admin' } })).status).toBe(401);
    expect((await call('/whoami', { token: tokens.admin.token })).status).toBe(200);
  });

  it('answers the plain token once and lists tokens without secrets', async () => {
    const minted = await call('/tokens', {
      token: tokens.admin.token,
      body: { role: 'viewer', label: 'dashboard', ttlSeconds: 3600 },
    });
    const body = (await minted.json()) as { id: string; token: string; expiresAt: string; label: string };
    expect(body.token).toMatch(/^hlt_/);
    expect(body.label).toBe('dashboard');
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    const listed = await (await call('/tokens', { token: tokens.admin.token })).text();
    expect(listed).toContain(body.id);
    expect(listed).not.toContain(body.token);
    expect(listed).not.toMatch(/hash|[0-9a-f]{64}/);
    expect((await call('/tokens/nope', { method: 'DELETE', token: tokens.admin.token })).status).toBe(404);
    for (const bad of [{ role: 'root' }, { role: 'viewer', ttlSeconds: 0 }, { role: 'viewer', x: 1 }]) {
      expect((await call('/tokens', { token: tokens.admin.token, body: bad })).status).toBe(400);
    }
  });
});

describe('request bodies', () => {
  it('answers 413 with a typed error for a body over the limit', async () => {
    const text = 'x'.repeat(100 * 1024);
    const res = await call('/records', { token: tokens.operator.token, body: { text } });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('stores an ordinary record', async () => {
    const res = await call('/records', { token: tokens.operator.token, body: { text: 'sinus rhythm' } });
    expect(res.status).toBe(201);
  });

  it('answers 400, never 500, for NUL or a lone surrogate in a record or any body', async () => {
    const raws = [
      '{"text":"a\\u0000b"}',
      '{"text":"ok","patientId":"p\\u0000"}',
      '{"text":"ok","codes":["NORM","\\ud800"]}',
      '[{"text":"ok"},{"text":"\\udc00 low"}]',
      '{"resourceType":"DiagnosticReport","conclusion":"a\\u0000"}',
      '{"te\\u0000xt":"ok"}',
    ];
    for (const raw of raws) {
      const res = await call('/records', { token: tokens.operator.token, raw });
      expect(res.status, raw).toBe(400);
      expect((await errorOf(res)).message, raw).toMatch(/NUL/);
    }
    const job = await call('/jobs', {
      token: tokens.operator.token,
      raw: '{"kind":"pretrain","dataDir":"a\\u0000"}',
    });
    expect(job.status).toBe(400);
  });

  it('never answers 5xx to arbitrary JSON bodies on POST /records', async () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\udc00\ud800y', '😀'),
    );
    const record = fc.record(
      {
        text,
        patientId: text,
        studyId: text,
        language: text,
        effective: fc.oneof(
          text,
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        codes: fc.array(text, { maxLength: 3 }),
        id: text,
      },
      { requiredKeys: ['text'] },
    );
    const body = fc.oneof(
      fc.jsonValue(),
      record,
      fc.array(record, { maxLength: 3 }),
      fc.record({ resourceType: fc.constant('DiagnosticReport'), conclusion: text }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const res = await call('/records', { token: tokens.operator.token, raw: JSON.stringify(value) });
        await res.body?.cancel();
        return res.status < 500;
      }),
      { numRuns: 150 },
    );
  });
});

describe('other bodies', () => {
  it('never answers 5xx to arbitrary JSON or folder names on the token, import and release routes', async () => {
    const dir = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '..',
        '../..',
        '/',
        '/etc',
        'inside',
        'escape',
        'inside/../../outside',
        'a\u0000b',
        '\ud800',
      ),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ dir }, { requiredKeys: [] }),
      fc.record({ dir, limit: fc.integer(), ecgs: fc.boolean() }, { requiredKeys: ['dir'] }),
      fc.record({ role: fc.string(), label: fc.string({ unit: 'binary' }), ttlSeconds: fc.double() }),
    );
    const route = fc.constantFrom('/records/import', '/releases', '/tokens');
    await fc.assert(
      fc.asyncProperty(route, body, async (path, value) => {
        const token = path === '/tokens' ? tokens.admin.token : tokens.operator.token;
        const res = await call(path, { token, raw: JSON.stringify(value) });
        await res.body?.cancel();
        return res.status < 500;
      }),
      { numRuns: 150 },
    );
  });
});

describe('security headers', () => {
  it('are set on API answers, errors and pages', async () => {
    for (const res of [
      await call('/health'),
      await call('/whoami'),
      await cloud.api.request('/no-such-page', { headers: { host: 'cloud.example:8080' } }),
    ]) {
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/connect-src 'self'/);
    }
    const page = await cloud.api.request('/no-such-page', { headers: { host: 'cloud.example:8080' } });
    expect(page.headers.get('content-security-policy')).toContain(
      "connect-src 'self' ws://cloud.example:8080 wss://cloud.example:8080",
    );
    const odd = await cloud.api.request('/no-such-page', { headers: { host: 'x; script-src *' } });
    expect(odd.headers.get('content-security-policy')).toContain("connect-src 'self';");
  });
});

describe('server-side folders', () => {
  it('refuses folders outside the import roots with one answer for outside, missing and escaping', async () => {
    const refusals = [
      join(root, '..', 'outside'),
      join(root, 'inside', '..', '..', 'outside'),
      join(root, 'escape'),
      join(root, 'missing'),
      outside,
      '/',
    ];
    const bodies = new Set<string>();
    for (const dir of refusals) {
      for (const [path, body] of [
        ['/records/import', { dir }],
        ['/releases', { dir }],
        ['/jobs', { kind: 'pretrain', dataDir: dir }],
      ] as const) {
        const res = await call(path, { token: tokens.operator.token, body });
        expect(res.status, `${path} ${dir}`).toBe(403);
        bodies.add(await res.text());
      }
    }
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).toContain('folder not allowed or not found');
  });

  it('reads a folder inside the roots', async () => {
    // An empty folder is no PTB-XL folder: the import itself fails, but after the root check (not 403).
    const res = await call('/records/import', {
      token: tokens.operator.token,
      body: { dir: join(root, 'inside') },
    });
    expect(res.status).not.toBe(403);
    expect(res.status).toBeLessThan(500);
  });
});

describe('audit log', () => {
  it("records an operator's rollback with who, what, outcome and when; only admins read it", async () => {
    const before = Date.now() - 1000;
    const rollback = await call('/channels/stable/rollback', { token: tokens.operator.token, body: {} });
    const res = await call('/audit?limit=5', { token: tokens.admin.token });
    expect(res.status).toBe(200);
    const { entries } = (await res.json()) as {
      entries: {
        tokenId: string;
        role: string;
        method: string;
        route: string;
        target: string;
        status: number;
        time: string;
      }[];
    };
    expect(entries[0]).toMatchObject({
      tokenId: tokens.operator.id,
      role: 'operator',
      method: 'POST',
      route: '/api/v1/channels/:channel/rollback',
      target: '/api/v1/channels/stable/rollback',
      status: rollback.status,
    });
    expect(Date.parse(entries[0]!.time)).toBeGreaterThanOrEqual(before);
    expect((await call('/audit', { token: tokens.viewer.token })).status).toBe(403);
    expect((await call('/audit', { token: tokens.operator.token })).status).toBe(403);
  });

  it('records refused attempts and pages newest first', async () => {
    await call('/tokens', { token: tokens.viewer.token, body: { role: 'admin' } });
    const first = (await (await call('/audit?limit=1', { token: tokens.admin.token })).json()) as {
      entries: { id: number; role: string; status: number; route: string }[];
      next?: number;
    };
    expect(first.entries).toHaveLength(1);
    expect(first.entries[0]).toMatchObject({ role: 'viewer', status: 403, route: '/api/v1/tokens' });
    expect(first.next).toBe(first.entries[0]!.id);
    const second = (await (
      await call(`/audit?limit=1&before=${first.next}`, { token: tokens.admin.token })
    ).json()) as { entries: { id: number }[] };
    expect(second.entries[0]!.id).toBeLessThan(first.entries[0]!.id);
  });

  it('keeps GET requests out of it', async () => {
    await call('/whoami', { token: tokens.operator.token });
    const { entries } = (await (await call('/audit?limit=500', { token: tokens.admin.token })).json()) as {
      entries: { method: string }[];
    };
    expect(entries.every((e) => e.method !== 'GET')).toBe(true);
  });
});

describe('OpenAPI document', () => {
  it('declares the new routes and their error responses', async () => {
    const doc = (await (await call('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths['/tokens']!)).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/tokens/{id}']!['delete']!.responses).toHaveProperty('404');
    expect(doc.paths['/audit']!['get']!.responses).toHaveProperty('403');
    expect(doc.paths['/records']!['post']!.responses).toHaveProperty('413');
  });
});
