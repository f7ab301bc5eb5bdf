import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker entry `name` (no extension) that sits beside the module at `moduleUrl` (pass
 * `import.meta.url`). Compiled code starts `name.js` directly. From TypeScript sources (development:
 * tsx, vitest) it starts `name.ts` through the repository's development loader, with workspace packages
 * resolved to their sources as in the parent; `options.execArgv` is then extended by that condition.
 */
export function startModuleWorker(moduleUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, moduleUrl), options);
  // Only a source checkout has .ts modules, so the loader's place in the repository is known.
  const loader = new URL('../../../scripts/dev/register-tsx.mjs', import.meta.url).href;
  const entry = new URL(`./${name}.ts`, moduleUrl).href;
  const code = `import(${JSON.stringify(loader)}).then(() => import(${JSON.stringify(entry)}));`;
  const execArgv = [...(options.execArgv ?? []), '--conditions=source'];
  return new Worker(code, { ...options, eval: true, execArgv });
}
