import { describe, expect, it } from 'vitest';
import { parseRoute, type Route, routeHash } from './router.js';

describe('parseRoute', () => {
  it('opens on the fleet', () => {
    expect(parseRoute('')).toEqual({ page: 'fleet' });
    expect(parseRoute('#/')).toEqual({ page: 'fleet' });
    expect(parseRoute('#/fleet')).toEqual({ page: 'fleet' });
  });

  it('reads a search query and a case address', () => {
    expect(parseRoute('#/cases?q=atrial%20fibrillation')).toEqual({
      page: 'cases',
      query: 'atrial fibrillation',
    });
    expect(parseRoute('#/cases')).toEqual({ page: 'cases', query: '' });
    expect(parseRoute('#/cases/dataset-synthetic/17')).toEqual({
      page: 'case',
      deviceId: 'dataset-synthetic',
      seq: 17,
    });
  });

  it('reads the worklist', () => {
    expect(parseRoute('#/worklist')).toEqual({ page: 'worklist' });
  });

  it('calls anything else not found', () => {
    expect(parseRoute('#/cases/demo-1/x')).toEqual({ page: 'not-found', hash: '/cases/demo-1/x' });
    expect(parseRoute('#/nowhere')).toMatchObject({ page: 'not-found' });
  });
});

describe('routeHash', () => {
  it('is the inverse of parseRoute', () => {
    const routes: Route[] = [
      { page: 'fleet' },
      { page: 'models' },
      { page: 'worklist' },
      { page: 'cases', query: '' },
      { page: 'cases', query: 'inferior infarction & AFIB' },
      { page: 'case', deviceId: 'demo/odd id', seq: 3 },
    ];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });
});
