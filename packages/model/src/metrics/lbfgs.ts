/** Options of {@link minimiseLbfgs}. */
export interface LbfgsOptions {
  /** Iteration cap. Default 500. */
  readonly maxIterations?: number;
  /** Correction pairs kept. Default 10 (range 3–50 is sensible). */
  readonly memory?: number;
  /** Stop when the largest gradient component falls below this. Default 1e-6. */
  readonly gradientTolerance?: number;
}

/** Where {@link minimiseLbfgs} stopped. */
export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  /** True when the gradient tolerance was met (or the objective stopped changing). */
  readonly converged: boolean;
}

/** An objective: returns f(x) and writes ∇f(x) into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/**
 * Limited-memory BFGS with a backtracking (Armijo) line search: deterministic, allocation-free inside
 * the loop, meant for small smooth convex problems such as the linear probe's logistic regressions.
 */
export function minimiseLbfgs(
  objective: Objective,
  x0: ArrayLike<number>,
  options: LbfgsOptions = {},
): LbfgsResult {
  const maxIterations = options.maxIterations ?? 500;
  const memory = options.memory ?? 10;
  const tolerance = options.gradientTolerance ?? 1e-6;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let fx = objective(x, g);
  const s = Array.from({ length: memory }, () => new Float64Array(n));
  const y = Array.from({ length: memory }, () => new Float64Array(n));
  const rho = new Float64Array(memory);
  const alpha = new Float64Array(memory);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let stored = 0;
  let head = 0; // index of the next slot to write
  let iterations = 0;
  let converged = maxAbs(g) <= tolerance;
  while (!converged && iterations < maxIterations) {
    iterations++;
    // Two-loop recursion: d = -H·g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let j = 0; j < stored; j++) {
      const k = (head - 1 - j + memory) % memory;
      alpha[k] = rho[k]! * dot(s[k]!, d);
      const yk = y[k]!;
      for (let i = 0; i < n; i++) d[i] = d[i]! - alpha[k]! * yk[i]!;
    }
    if (stored > 0) {
      const last = (head - 1 + memory) % memory;
      const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!);
      for (let i = 0; i < n; i++) d[i] = d[i]! * gamma;
    }
    for (let j = stored - 1; j >= 0; j--) {
      const k = (head - 1 - j + memory) % memory;
      const beta = rho[k]! * dot(y[k]!, d);
      const sk = s[k]!;
      for (let i = 0; i < n; i++) d[i] = d[i]! + (alpha[k]! - beta) * sk[i]!;
    }
    let slope = dot(d, g);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      stored = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = dot(d, g);
    }
    // Without curvature information the first step is scaled to unit length.
    let step = stored === 0 ? 1 / Math.max(1, Math.sqrt(-slope)) : 1;
    let fNew = Number.NaN;
    let accepted = false;
    for (let tries = 0; tries < 50; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      fNew = objective(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    let sy = 0;
    for (let i = 0; i < n; i++) sy += (xNew[i]! - x[i]!) * (gNew[i]! - g[i]!);
    // A pair without positive curvature would break the inverse-Hessian estimate: skip it.
    if (sy > 1e-12) {
      const slot = s[head]!;
      const yslot = y[head]!;
      for (let i = 0; i < n; i++) {
        slot[i] = xNew[i]! - x[i]!;
        yslot[i] = gNew[i]! - g[i]!;
      }
      rho[head] = 1 / sy;
      head = (head + 1) % memory;
      stored = Math.min(stored + 1, memory);
    }
    const change = Math.abs(fx - fNew);
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    converged = maxAbs(g) <= tolerance || change <= 1e-15 * Math.max(1, Math.abs(fx));
  }
  return { x, value: fx, iterations, converged };
}
