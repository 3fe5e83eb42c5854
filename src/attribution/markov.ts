import { CrossChannelError } from '../core/errors.js';
import { expectFinite, expectOptions } from '../core/guards.js';
import { TO_CONVERSION, TO_NULL, transitionCounts, type MarkovCounts } from './stats.js';
import { expectMarkovCounts } from './transitions.js';

/**
 * Markov-chain attribution. States: start, one state per observed sequence of the last `order` channels,
 * and the absorbing conversion and null states. With transition probabilities estimated from counts, the
 * probability of absorbing in conversion from state s solves the linear system
 * `x_s = Σ_t P(s,t)·x_t + P(s, conversion)`; P(conversion) = x_start. Removing channel c sends every
 * transition into a state containing c to null, i.e. fixes x = 0 on those states; the removal effect is
 * `1 − x_start(without c) / x_start`. The value chain replaces P(s, conversion) by the expected conversion
 * value reached from s, giving removal effects on value.
 */
export interface MarkovSolution {
  /** P(conversion) from the start state. */
  readonly conversionProbability: number;
  /** Expected conversion value per journey from the start state. */
  readonly expectedValue: number;
  /** Removal effect per channel index (0 when the channel is not in the chain). */
  readonly removalEffects: Float64Array;
  /** Removal effect on expected value per channel index. */
  readonly valueRemovalEffects: Float64Array;
  /** Number of transient states (start included). */
  readonly states: number;
}

/** Systems up to this many states are solved by dense Gaussian elimination; larger ones by Gauss–Seidel. */
const DENSE_LIMIT = 400;

interface Chain {
  readonly n: number;
  /** CSR rows of transient transitions with probabilities. */
  readonly rowStart: Int32Array;
  readonly col: Int32Array;
  readonly p: Float64Array;
  /** P(s, conversion) and expected value reached in one step. */
  readonly rConv: Float64Array;
  readonly rValue: Float64Array;
}

function buildChain(mc: MarkovCounts): Chain {
  const n = mc.states.length;
  const out = new Float64Array(n);
  const rows: Array<Array<[number, number]>> = Array.from({ length: n }, () => []);
  const conv = new Float64Array(n);
  for (const [key, count] of transitionCounts(mc)) {
    const from = Math.floor(key / 2 ** 24);
    const to = (key % 2 ** 24) - 2;
    // A transition between states the counts do not hold (a row of another shape).
    if (!(from < n && to >= -2 && to < n && typeof count === 'number')) expectMarkovCounts(null);
    out[from]! += count;
    if (to === TO_CONVERSION) conv[from]! += count;
    else if (to !== TO_NULL) rows[from]!.push([to, count]);
  }
  const rowStart = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) rowStart[s + 1] = rowStart[s]! + rows[s]!.length;
  const col = new Int32Array(rowStart[n]!);
  const p = new Float64Array(rowStart[n]!);
  const rConv = new Float64Array(n);
  const rValue = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    const o = out[s]!;
    if (o === 0) continue;
    let k = rowStart[s]!;
    for (const [t, count] of rows[s]!) {
      col[k] = t;
      p[k++] = count / o;
    }
    rConv[s] = conv[s]! / o;
    rValue[s] = (mc.conversionValue.get(s) ?? 0) / o;
  }
  return { n, rowStart, col, p, rConv, rValue };
}

/**
 * Solves the chain for P(conversion) and expected value with the states flagged in `removed` fixed at 0.
 * Returns `[x_start, y_start]`.
 */
function solve(chain: Chain, removed: Uint8Array, denseLimit: number): [number, number] {
  const active: number[] = [];
  for (let s = 0; s < chain.n; s++) if (removed[s] === 0) active.push(s);
  return active.length <= denseLimit ? solveDense(chain, removed, active) : solveIterative(chain, removed);
}

function solveDense(chain: Chain, removed: Uint8Array, active: number[]): [number, number] {
  const m = active.length;
  const pos = new Int32Array(chain.n).fill(-1);
  active.forEach((s, i) => (pos[s] = i));
  const w = m + 2;
  // Augmented matrix [I − Q | r_conv | r_value], row-major.
  const a = new Float64Array(m * w);
  for (let i = 0; i < m; i++) {
    const s = active[i]!;
    a[i * w + i] = 1;
    for (let k = chain.rowStart[s]!; k < chain.rowStart[s + 1]!; k++) {
      const t = chain.col[k]!;
      if (removed[t] === 1) continue;
      a[i * w + pos[t]!]! -= chain.p[k]!;
    }
    a[i * w + m] = chain.rConv[s]!;
    a[i * w + m + 1] = chain.rValue[s]!;
  }
  for (let c = 0; c < m; c++) {
    let piv = c;
    let best = Math.abs(a[c * w + c]!);
    for (let r = c + 1; r < m; r++) {
      const v = Math.abs(a[r * w + c]!);
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    if (best < 1e-300) throw new CrossChannelError('ATTRIBUTION_SOLVER_FAILED', 'Singular Markov system', { detail: { state: active[c] } });
    if (piv !== c) {
      for (let k = c; k < w; k++) {
        const tmp = a[c * w + k]!;
        a[c * w + k] = a[piv * w + k]!;
        a[piv * w + k] = tmp;
      }
    }
    const d = a[c * w + c]!;
    for (let r = c + 1; r < m; r++) {
      const f = a[r * w + c]! / d;
      if (f === 0) continue;
      for (let k = c; k < w; k++) a[r * w + k]! -= f * a[c * w + k]!;
    }
  }
  const x = new Float64Array(m);
  const y = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let sx = a[r * w + m]!;
    let sy = a[r * w + m + 1]!;
    for (let k = r + 1; k < m; k++) {
      sx -= a[r * w + k]! * x[k]!;
      sy -= a[r * w + k]! * y[k]!;
    }
    x[r] = sx / a[r * w + r]!;
    y[r] = sy / a[r * w + r]!;
  }
  const start = pos[0]!;
  return start < 0 ? [0, 0] : [x[start]!, y[start]!];
}

/**
 * Gauss–Seidel to machine precision for large higher-order chains. It converges because every observed state
 * reaches absorption (each was seen on a journey that ended); self-loops are solved for exactly per state.
 */
function solveIterative(chain: Chain, removed: Uint8Array): [number, number] {
  const { n, rowStart, col, p, rConv, rValue } = chain;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let iter = 0; iter < 100_000; iter++) {
    // Every state must settle relative to its own size: one scale for all (the largest x or y) let a large
    // order value, or a state that always converts, stop the sweeps while small probabilities still moved
    // (5e-7 relative error at an order value of 1e6; a rarely converting loop's credit off by up to 100%).
    let moved = false;
    for (let s = n - 1; s >= 0; s--) {
      if (removed[s] === 1) continue;
      let nx = rConv[s]!;
      let ny = rValue[s]!;
      let self = 0;
      for (let k = rowStart[s]!; k < rowStart[s + 1]!; k++) {
        const t = col[k]!;
        if (t === s) self += p[k]!;
        else if (removed[t] === 0) {
          nx += p[k]! * x[t]!;
          ny += p[k]! * y[t]!;
        }
      }
      nx /= 1 - self;
      ny /= 1 - self;
      // Written so that a NaN (a state that never leaves itself) keeps the sweeps going, to the cap's error.
      if (!(Math.abs(nx - x[s]!) <= 1e-15 * nx && Math.abs(ny - y[s]!) <= 1e-15 * Math.abs(ny))) moved = true;
      x[s] = nx;
      y[s] = ny;
    }
    if (!moved) return [x[0]!, y[0]!];
  }
  throw new CrossChannelError('ATTRIBUTION_SOLVER_FAILED', 'Markov system did not converge', { detail: { states: n } });
}

/**
 * Solves the chain and every channel's removal. `channelCount` sizes the result arrays. `denseLimit`: systems
 * with at most this many states use Gaussian elimination, larger ones Gauss–Seidel (default 400).
 *
 * @example
 * ```ts
 * declare const journeys: Journey[];
 * const stats = collectStatistics(journeys, { models: ['markov'] });
 * const s = solveMarkov(stats.markov[0]!, stats.channels.length);
 * s.removalEffects[stats.channelIndex.get('email')!];
 * ```
 */
export function solveMarkov(mc: MarkovCounts, channelCount: number, options: { readonly denseLimit?: number } = {}): MarkovSolution {
  expectMarkovCounts(mc);
  if (!Number.isSafeInteger(channelCount) || channelCount < 0) expectFinite(Number.NaN, ['channelCount']);
  expectOptions(options, ['options']);
  const denseLimit = options.denseLimit ?? DENSE_LIMIT;
  if (typeof denseLimit !== 'number') expectFinite(denseLimit, ['options', 'denseLimit']);
  const chain = buildChain(mc);
  const removalEffects = new Float64Array(channelCount);
  const valueRemovalEffects = new Float64Array(channelCount);
  const none = new Uint8Array(chain.n);
  const [px, py] = solve(chain, none, denseLimit);
  if (px > 0) {
    const inChain = new Uint8Array(channelCount);
    for (const st of mc.states) for (const c of st) inChain[c] = 1;
    const removed = new Uint8Array(chain.n);
    for (let c = 0; c < channelCount; c++) {
      if (inChain[c] === 0) continue;
      for (let s = 0; s < chain.n; s++) removed[s] = mc.states[s]!.includes(c) ? 1 : 0;
      const [rx, ry] = solve(chain, removed, denseLimit);
      removalEffects[c] = Math.max(0, 1 - rx / px);
      valueRemovalEffects[c] = py > 0 ? Math.max(0, 1 - ry / py) : 0;
    }
  }
  return { conversionProbability: px, expectedValue: py, removalEffects, valueRemovalEffects, states: chain.n };
}
