/**
 * Hash routes of the dashboard (`#/fleet`, `#/cases?q=…`, `#/cases/{device}/{seq}`, `#/worklist`,
 * `#/models`).
 */

/** One page of the dashboard and its parameters. */
export type Route =
  | { readonly page: 'fleet' }
  | { readonly page: 'cases'; readonly query: string }
  | { readonly page: 'case'; readonly deviceId: string; readonly seq: number }
  | { readonly page: 'worklist' }
  | { readonly page: 'models' }
  | { readonly page: 'not-found'; readonly hash: string };

/** The route a location hash names; an empty hash is the fleet. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', search = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  const [first, second, third] = parts;
  if (parts.length === 0 || (first === 'fleet' && parts.length === 1)) return { page: 'fleet' };
  if (first === 'models' && parts.length === 1) return { page: 'models' };
  if (first === 'worklist' && parts.length === 1) return { page: 'worklist' };
  if (first === 'cases' && parts.length === 1)
    return { page: 'cases', query: new URLSearchParams(search).get('q') ?? '' };
  if (first === 'cases' && parts.length === 3 && second && third && /^\d+$/.test(third))
    return { page: 'case', deviceId: second, seq: Number(third) };
  return { page: 'not-found', hash: raw };
}

/** The hash of a route (inverse of `parseRoute`). */
export function routeHash(route: Route): string {
  switch (route.page) {
    case 'fleet':
      return '#/fleet';
    case 'models':
      return '#/models';
    case 'worklist':
      return '#/worklist';
    case 'cases':
      return route.query ? `#/cases?${new URLSearchParams({ q: route.query })}` : '#/cases';
    case 'case':
      return `#/cases/${encodeURIComponent(route.deviceId)}/${route.seq}`;
    case 'not-found':
      return `#${route.hash}`;
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
