// Development only: registers tsx's TypeScript loader in the current thread. A worker started from
// TypeScript sources imports this before its `.ts` entry (Node 20 runs neither `--import` preloads nor the
// parent's loader hooks in worker threads); compiled code never loads it. See startModuleWorker in
// packages/node-io/src/module-worker.ts.
import { register } from 'tsx/esm/api';

register();
