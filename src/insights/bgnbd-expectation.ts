import { lnBeta } from '../core/special.js';

/**
 * The BG/NBD expectation of purchases in the next `t` time units for a customer who is still alive, evaluated
 * so that it stays finite and accurate for frequent buyers, long horizons and a = 1.
 *
 * Given alive after x purchases in T, the posterior is λ ~ Gamma(r + x, α + T) and p ~ Beta(a, b + x), and a
 * customer with (λ, p) buys (1 − e^(−λ p t)) / p in expectation over t. So, with s = t / (α + T) and k = r + x,
 *
 *   J = E_p[(1 − (1 + p s)^−k) / p]
 *     = (a+b+x−1)/(a−1) · [1 − (1−z)^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)]      z = s / (1 + s)
 *
 * the second line being Fader, Hardie & Lee's eq. 10 without its P(alive) factor. That form overflows: ₂F₁ of
 * parameters near x grows like (1−z)^(−(r+x)) while its prefactor underflows. Euler's transformation
 * ₂F₁(A, B; C; z) = (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z) cancels the two exactly:
 *
 *   J = C (1 − (1−z)^(a−1)) / (a−1) − (1−z)^(a−1) Σₙ≥₁ C (A)ₙ (a)ₙ₋₁ zⁿ / ((C)ₙ n!)    A = a+b−1−r, C = a+b+x−1
 *
 * where the (a − 1) of (a − 1)ₙ is divided out, so a = 1 is the limit C·ln(1 + s) − Σ…, not 0/0. The series
 * converges fast unless z is close to 1 with few purchases (its terms then fall like n^(a−r−x−2) zⁿ); when it
 * has not converged within MAX_TERMS terms, or cancellation between its parts leaves fewer than 13 digits, J is
 * the integral over p itself, by the trapezoidal rule in v = logit p (exponentially convergent: the integrand is
 * analytic in a strip and decays exponentially at both ends, where its geometric tails are summed in closed form).
 */

/** Series terms before switching to the integral (each costs a few flops; the integral a few hundred exp/log). */
const MAX_TERMS = 5000;
/** The most quadrature nodes: far more than any finite input needs (≈ 3,000 for t / (α + T) = 1e300). */
const MAX_NODES = 200_000;

/**
 * J = E[purchases in the next t | alive] for parameters (r, a, b), x repeat purchases and s = t / (α + T) > 0,
 * given also as ln s (s itself may overflow to Infinity). Not finite only when the true value is beyond the
 * double range (J ≤ (r + x) s).
 */
export function expectedPurchasesIfAlive(r: number, a: number, b: number, x: number, s: number, lnS: number): number {
  const series = eulerSeries(r, a, b, x, s);
  return Number.isNaN(series) ? logitTrapezoid(r + x, a, b + x, lnS) : series;
}

/** J by the Euler-transformed series, or NaN when it has not converged within {@link MAX_TERMS} terms. */
function eulerSeries(r: number, a: number, b: number, x: number, s: number): number {
  const z = s / (1 + s);
  if (!(z < 1)) return Number.NaN;
  const L = -Math.log1p(s); // ln(1 − z), exact where 1 − z would round
  const A = a + b - 1 - r;
  const C = a + b + x - 1;
  // m = C − A − (a − 1): the terms fall like n^(−m−1) zⁿ once n is past the parameters.
  const m = x + r + 1 - a;
  let term = A * z; // C·(A)₁(a)₀ z / ((C)₁ 1!): C cancels, so C ≤ 0 (x = 0, a + b ≤ 1) is no division by zero
  let sum = term;
  let absSum = Math.abs(term);
  let converged = term === 0;
  for (let n = 1; n < MAX_TERMS && !converged; n++) {
    const ratio = ((A + n) * (a + n - 1) * z) / ((C + n) * (n + 1));
    term *= ratio;
    sum += term;
    absSum += Math.abs(term);
    const rho = Math.abs(ratio);
    if (rho >= 1) continue;
    // The rest of the series: geometric while the ratios fall (rho ≥ z), else ratios climb towards z, a tail of
    // at most |term|·z/(1 − z), and about |term|·n/m where the power law dominates.
    const tail = rho >= z ? rho / (1 - rho) : m > 0 ? Math.min(z / (1 - z), n / m) : z / (1 - z);
    converged = Math.abs(term) * tail <= 1e-17 * Math.abs(sum) || term === 0;
  }
  if (!converged) return Number.NaN;
  const e = Math.exp((a - 1) * L); // (1 − z)^(a − 1)
  const head = a === 1 ? -L : -Math.expm1((a - 1) * L) / (a - 1);
  const J = C * head - e * sum;
  // Cancellation (terms of alternating sign far larger than the sum when r ≫ a + b, or C·head and the sum nearly
  // equal when x = 0 and a + b < 1): rounding of the parts, not the result, then decides the digits. Leave it to
  // the integral, whose integrand is positive, unless 1e−13 of J is still guaranteed.
  if (!(1e-15 * (Math.abs(C * head) + e * absSum) <= 1e-13 * Math.abs(J))) return Number.NaN;
  return J;
}

/** ln(1 + eᵛ) without overflow. */
function softplus(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

/**
 * J = ∫ p^(a−1) (1−p)^(bx−1) g(p) dp / B(a, bx), g(p) = (1 − (1 + p s)^−k) / p, as ∫ F(v) dv over v = logit p by
 * the trapezoidal rule. ln F is unimodal in v (its slope goes from a through a − 1 to −bx), so the nodes start at
 * its peak (golden-section search) and go outwards until F is 45 e-folds below the peak, or until F is a pure
 * exponential (p < e^−40 and p s k < e^−40 on the left: F ∝ e^(a v); p > 1 − e^−40 on the right: F ∝ e^(−bx v)),
 * whose remaining nodes are a geometric series. The step is ≤ 0.25 (the integrand is analytic for |Im v| < π/2:
 * error ~ e^(−π²/h)) and ≤ half the width of the Beta factor for large a, bx.
 */
function logitTrapezoid(k: number, a: number, bx: number, lnS: number): number {
  const lnB = lnBeta(a, bx);
  const lnF = (v: number): number => {
    const lp = -softplus(-v); // ln p
    const lq = -softplus(v); // ln(1 − p)
    // 1 − (1 + p s)^−k, with p s from logs: p itself is subnormal far left when s is 1e300.
    const g = -Math.expm1(-k * Math.log1p(Math.exp(lp + lnS)));
    return (a - 1) * lp + bx * lq - lnB + Math.log(g);
  };
  const lnKs = Math.log(k) + lnS;
  const mode = Math.log(a) - Math.log(bx);
  // Golden-section search for the peak.
  let lo = Math.min(mode, -lnKs, 0) - 60;
  let hi = Math.max(mode, 0) + 60;
  for (let i = 0; i < 60; i++) {
    const v1 = hi - 0.618 * (hi - lo);
    const v2 = lo + 0.618 * (hi - lo);
    if (lnF(v1) < lnF(v2)) lo = v1;
    else hi = v2;
  }
  const peak = (lo + hi) / 2;
  const top = lnF(peak);
  const h = Math.min(0.25, 0.5 / Math.sqrt((a * bx) / (a + bx)));
  // Outwards from the peak: to the right until p > 1 − e^−40 (then F ∝ e^(−bx v)), to the left until p and p s k
  // are below e^−40 (then F ∝ e^(a v)); either way stopping early where F is 45 e-folds below its peak.
  let sum = 1;
  for (const [dir, end, slope] of [
    [1, 40, bx],
    [-1, Math.min(-lnKs, 0) - 40, a],
  ] as const) {
    for (let j = 1; j < MAX_NODES; j++) {
      const v = peak + dir * j * h;
      const f = Math.exp(lnF(v) - top);
      if (!(f > 1e-20)) break;
      sum += f;
      if (dir * v > dir * end) {
        sum += f / Math.expm1(slope * h); // the remaining nodes: f·q/(1 − q), q = e^(−slope·h)
        break;
      }
    }
  }
  return Math.exp(top + Math.log(h * sum));
}
