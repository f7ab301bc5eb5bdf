/**
 * Adam (optionally AdamW-style decoupled weight decay) over named variables, with its whole state
 * readable and writable as plain arrays so a checkpoint resumes bit-exactly.
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
  private readonly m = new Map<string, tf.Tensor>();
  private readonly v = new Map<string, tf.Tensor>();
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
      this.m.set(name, tf.zerosLike(variable));
      this.v.set(name, tf.zerosLike(variable));
    }
  }

  /** Applies one update from `grads` (by variable id, as `tf.variableGrads` returns them) at learning rate `lr`. */
  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    this.step += 1;
    const t = this.step;
    const correction = (lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    for (const [name, variable] of this.variables) {
      const g = grads[variable.name];
      if (!g) continue;
      const m0 = this.m.get(name) as tf.Tensor;
      const v0 = this.v.get(name) as tf.Tensor;
      const [m1, v1] = tf.tidy(() => {
        const m = tf.add(tf.mul(m0, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(v0, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        let next = tf.sub(variable, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), correction));
        if (this.weightDecay > 0 && variable.rank >= 2)
          next = tf.sub(next, tf.mul(variable, lr * this.weightDecay));
        variable.assign(next);
        return [m, v];
      });
      m0.dispose();
      v0.dispose();
      this.m.set(name, m1);
      this.v.set(name, v1);
    }
  }

  /** Copies the state out (steps and moments). */
  getState(): AdamState {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const [name] of this.variables) {
      m[name] = (this.m.get(name) as tf.Tensor).dataSync() as Float32Array;
      v[name] = (this.v.get(name) as tf.Tensor).dataSync() as Float32Array;
    }
    return { step: this.step, m, v };
  }

  /** Restores a state from `getState` (the same variable names). */
  setState(state: AdamState): void {
    for (const [name, variable] of this.variables) {
      const m = state.m[name];
      const v = state.v[name];
      if (!m || !v) throw new RangeError(`Adam.setState: state has no moments for weight "${name}"`);
      (this.m.get(name) as tf.Tensor).dispose();
      (this.v.get(name) as tf.Tensor).dispose();
      this.m.set(name, tf.tensor(m, variable.shape));
      this.v.set(name, tf.tensor(v, variable.shape));
    }
    this.step = state.step;
  }

  /** Releases the moment tensors. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
