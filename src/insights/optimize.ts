/**
 * Nelder–Mead simplex minimisation (Lagarias et al. 1998 coefficients: reflection 1, expansion 2, contraction
 * ½, shrink ½). No npm optimiser fits the runtime-dependency rules, and the models here have 3–4 smooth
 * parameters fitted in log space, where the simplex method is reliable; a restart from the best point guards
 * against a collapsed simplex.
 */

/** Options of {@link nelderMead}. */
export interface NelderMeadOptions {
  /** Initial step per coordinate (default 0.5). */
  readonly step?: number;
  /** Stop when the simplex's function values differ by less than this (default 1e-9, relative). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
  /** Restarts from the best point (default 2). */
  readonly restarts?: number;
}

/** A minimum found by {@link nelderMead}. */
export interface Minimum {
  readonly x: number[];
  readonly value: number;
  readonly iterations: number;
  readonly evaluations: number;
}

/**
 * Minimises `f` from `start`.
 *
 * For instance:
 *   nelderMead(([x = 0, y = 0]) => (x - 1) ** 2 + (y + 2) ** 2, [0, 0]).x; // ≈ [1, −2]
 */
export function nelderMead(f: (x: number[]) => number, start: ReadonlyArray<number>, options: NelderMeadOptions = {}): Minimum {
  const tol = options.tolerance ?? 1e-9;
  const maxIt = options.maxIterations ?? 2000;
  let best = [...start];
  let iterations = 0;
  let evaluations = 0;
  const fx = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let bestValue = fx(best);
  for (let round = 0; round <= (options.restarts ?? 2); round++) {
    const n = best.length;
    const step = (options.step ?? 0.5) / (round + 1);
    const pts: number[][] = [best];
    for (let i = 0; i < n; i++) {
      const p = [...best];
      p[i] = p[i]! + step;
      pts.push(p);
    }
    const vals = pts.map((p, i) => (i === 0 ? bestValue : fx(p)));
    for (let it = 0; it < maxIt; it++, iterations++) {
      const order = vals.map((_, i) => i).sort((a, b) => vals[a]! - vals[b]!);
      const sorted = order.map((i) => pts[i]!);
      const sv = order.map((i) => vals[i]!);
      for (let i = 0; i <= n; i++) {
        pts[i] = sorted[i]!;
        vals[i] = sv[i]!;
      }
      if (Math.abs(vals[n]! - vals[0]!) <= tol * (Math.abs(vals[0]!) + 1e-12)) break;
      const centroid = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += pts[i]![j]! / n;
      const along = (t: number): number[] => centroid.map((c, j) => c + t * (pts[n]![j]! - c));
      const xr = along(-1);
      const fr = fx(xr);
      if (fr < vals[0]!) {
        const xe = along(-2);
        const fe = fx(xe);
        if (fe < fr) [pts[n], vals[n]] = [xe, fe];
        else [pts[n], vals[n]] = [xr, fr];
      } else if (fr < vals[n - 1]!) {
        [pts[n], vals[n]] = [xr, fr];
      } else {
        const outside = fr < vals[n]!;
        const xc = along(outside ? -0.5 : 0.5);
        const fc = fx(xc);
        if (fc < (outside ? fr : vals[n]!)) [pts[n], vals[n]] = [xc, fc];
        else {
          for (let i = 1; i <= n; i++) {
            pts[i] = pts[i]!.map((v, j) => pts[0]![j]! + 0.5 * (v - pts[0]![j]!));
            vals[i] = fx(pts[i]!);
          }
        }
      }
    }
    let bi = 0;
    for (let i = 1; i <= n; i++) if (vals[i]! < vals[bi]!) bi = i;
    const improved = bestValue - vals[bi]!;
    best = pts[bi]!;
    bestValue = vals[bi]!;
    if (round > 0 && improved <= tol * (Math.abs(bestValue) + 1e-12)) break;
  }
  return { x: best, value: bestValue, iterations, evaluations };
}

/**
 * BFGS quasi-Newton minimisation with an Armijo backtracking line search, for smooth objectives whose gradient
 * is cheap to compute alongside the value (the BG/NBD likelihood): a few dozen evaluations where the simplex
 * method needs hundreds.
 *
 * For instance:
 *   bfgs(([x = 0, y = 0]) => ({ value: (x - 1) ** 2 + (y + 2) ** 2, gradient: [2 * (x - 1), 2 * (y + 2)] }), [0, 0]).x; // ≈ [1, −2]
 */
export function bfgs(f: (x: number[]) => { value: number; gradient: number[] }, start: ReadonlyArray<number>, options: { tolerance?: number; maxIterations?: number } = {}): Minimum {
  const n = start.length;
  const tol = options.tolerance ?? 1e-8;
  let x = [...start];
  let evaluations = 1;
  let cur = f(x);
  if (!Number.isFinite(cur.value)) return { x, value: cur.value, iterations: 0, evaluations };
  // Inverse Hessian approximation, starting from the identity (k times it: `eye(k)`).
  const eye = (k: number): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? k : 0)));
  let H = eye(1);
  const dot = (u: number[], v: number[]): number => u.reduce((acc, x, i) => acc + x * v[i]!, 0);
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 500); iterations++) {
    const g = cur.gradient;
    const gnorm = Math.sqrt(dot(g, g));
    if (gnorm <= tol * (1 + Math.abs(cur.value))) break;
    let d = H.map((row) => -dot(row, g));
    let slope = dot(d, g);
    if (slope >= 0) {
      // Not a descent direction: reset to steepest descent.
      H = eye(1);
      d = g.map((v) => -v);
      slope = -gnorm * gnorm;
    }
    let step = 1;
    let next = cur;
    let xn = x;
    for (let k = 0; k < 60; k++) {
      xn = x.map((v, i) => v + step * d[i]!);
      next = f(xn);
      evaluations++;
      if (Number.isFinite(next.value) && next.value <= cur.value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(next.value < cur.value)) break;
    const s = xn.map((v, i) => v - x[i]!);
    const y = next.gradient.map((v, i) => v - g[i]!);
    const sy = dot(s, y);
    const done = Math.abs(cur.value - next.value) <= 1e-14 * (1 + Math.abs(cur.value));
    x = xn;
    cur = next;
    if (done) break;
    if (sy > 1e-12) {
      // Before the first update, the identity scaled to the curvature just seen (Nocedal & Wright, eq. 6.20): unscaled,
      // a likelihood summed over thousands of customers has a gradient in the thousands, and the first steps jumped
      // out of its basin onto a ridge (no heterogeneity, no dropout), up to 219 log-likelihood units below the maximum.
      if (iterations === 0) H = eye(sy / dot(y, y));
      const Hy = H.map((row) => dot(row, y));
      const yHy = dot(y, Hy);
      H = H.map((row, i) => row.map((h, j) => h + ((sy + yHy) * s[i]! * s[j]!) / (sy * sy) - (Hy[i]! * s[j]! + s[i]! * Hy[j]!) / sy));
    }
  }
  return { x, value: cur.value, iterations, evaluations };
}
