/**
 * Adam (optionally AdamW-style decoupled weight decay) over named variables, with its whole state
 * readable and writable as plain arrays so a checkpoint resumes bit-exactly. The update runs in plain
 * JavaScript over Float32Arrays: the ~300 k parameters are read once per step and written back with one
 * assign per variable, instead of ~7 backend kernels per variable (≈ 700 kernel calls a step).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Adam hyper-parameters (the learning rate comes per step from the schedule). */
export interface AdamOptions {
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-8. */
  readonly epsilon?: number;
  /** Decoupled weight decay per step, times the learning rate; applied to matrices only. Default 0.01. */
  readonly weightDecay?: number;
}

/** Serialisable optimizer state: steps taken and both moment estimates by weight name. */
export interface AdamState {
  readonly step: number;
  readonly m: Record<string, Float32Array>;
  readonly v: Record<string, Float32Array>;
}

/** Adam over a fixed list of named variables. */
export class Adam {
  private step = 0;
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;

  /** An optimizer for `variables` (name → variable); moments start at zero. */
  constructor(
    private readonly variables: readonly (readonly [string, tf.Variable])[],
    options: AdamOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    for (const [name, variable] of variables) {
      this.m.set(name, new Float32Array(variable.size));
      this.v.set(name, new Float32Array(variable.size));
    }
  }

  /** Applies one update from `grads` (by variable id, as `tf.variableGrads` returns them) at learning rate `lr`. */
  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    this.applyArrays(this.readGradients(grads), lr);
  }

  /** Reads `grads` (by variable id, as `tf.variableGrads` returns them) into arrays by weight name. */
  readGradients(grads: Readonly<Record<string, tf.Tensor>>): Map<string, Float32Array> {
    const arrays = new Map<string, Float32Array>();
    for (const [name, variable] of this.variables) {
      const g = grads[variable.name];
      if (g) arrays.set(name, g.dataSync() as Float32Array);
    }
    return arrays;
  }

  /**
   * Applies one update from gradients by weight name (weights without one are left alone), each scaled
   * by `gradScale` first (global-norm clipping). The math is Adam's in float64, stored as float32.
   */
  applyArrays(grads: ReadonlyMap<string, Float32Array>, lr: number, gradScale = 1): void {
    this.step += 1;
    const t = this.step;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const correction = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (const [name, variable] of this.variables) {
      const g = grads.get(name);
      if (!g) continue;
      const m = this.m.get(name) as Float32Array;
      const v = this.v.get(name) as Float32Array;
      const w = (variable.dataSync() as Float32Array).slice();
      const decay = this.weightDecay > 0 && variable.rank >= 2 ? lr * this.weightDecay : 0;
      for (let i = 0; i < w.length; i++) {
        const gi = (g[i] as number) * gradScale;
        const mi = (m[i] as number) * b1 + gi * (1 - b1);
        const vi = (v[i] as number) * b2 + gi * gi * (1 - b2);
        m[i] = mi;
        v[i] = vi;
        const wi = w[i] as number;
        w[i] = wi - (Math.fround(mi) / (Math.sqrt(Math.fround(vi)) + this.epsilon)) * correction - wi * decay;
      }
      const next = tf.tensor(w, variable.shape);
      variable.assign(next);
      next.dispose();
    }
  }

  /** Copies the state out (steps and moments). */
  getState(): AdamState {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const [name] of this.variables) {
      m[name] = (this.m.get(name) as Float32Array).slice();
      v[name] = (this.v.get(name) as Float32Array).slice();
    }
    return { step: this.step, m, v };
  }

  /** Restores a state from `getState` (the same variable names). */
  setState(state: AdamState): void {
    for (const [name, variable] of this.variables) {
      const m = state.m[name];
      const v = state.v[name];
      if (!m || !v) throw new RangeError(`Adam.setState: state has no moments for weight "${name}"`);
      if (m.length !== variable.size || v.length !== variable.size)
        throw new RangeError(
          `Adam.setState: moments of "${name}" have ${m.length} values, not ${variable.size}`,
        );
      this.m.set(name, Float32Array.from(m));
      this.v.set(name, Float32Array.from(v));
    }
    this.step = state.step;
  }

  /** Releases the moment buffers. */
  dispose(): void {
    this.m.clear();
    this.v.clear();
  }
}
