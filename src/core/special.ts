/**
 * Special functions and the distributions built on them, for the modules that compute intervals and p-values
 * (experiments) or fit models (insights). Internal: the public wrappers validate their arguments.
 *
 * Each function is a published method chosen for relative precision in the tails, where p-values live, for speed
 * (an analysis asks for few values, but a dashboard or a sequential test may ask for many) and for size (this file
 * and its wrappers are ≈ 2 kB of a browser bundle; jStat, which it replaced, was 18 kB):
 * - ln Γ: Stirling's series from x + n ≥ 15, less ln(x (x + 1) … (x + n − 1)); reflection below ½;
 * - ln B(a, b): ln Γ(p) (p the smaller; ln √π for Student's t's ½) with ln Γ(q) − ln Γ(p + q) from Stirling's
 *   series arranged so that it does not cancel (subtracted directly, it loses 8 digits at q = 10⁶), q and p + q
 *   shifted up together to 15 first (one logarithm of the product);
 * - Φ: W. J. Cody's rational Chebyshev approximations (Cody 1969, "Rational Chebyshev approximations for the error
 *   function", Math. Comp. 23; the coefficients of his ANORM, ACM TOMS Algorithm 715, 1993), with e^(−x²/2) taken
 *   in two factors so that the far tail keeps its digits;
 * - Φ⁻¹: two Halley steps on Φ from Abramowitz and Stegun's 26.2.23;
 * - I_x(a, b): the continued fraction (modified Lentz), on the side where it converges fast, with x and 1 − x
 *   given separately so that neither is rounded through the other;
 * - Q(a, x): for the chi-square tails of up to 100 degrees of freedom (a a multiple of ½ up to 50), the finite
 *   sums of Abramowitz and Stegun 6.5.13 and 26.4.4–26.4.5 (every term positive); otherwise the series or the
 *   continued fraction of the incomplete gamma function (Numerical Recipes, 6.2), with the prefactor from
 *   Stirling's series for large a;
 * - Student's t: I_x(v/2, ½) for its CDF; its quantile by Halley's method on the log-CDF, from the Cornish–Fisher
 *   expansion or the tail's power law, closed forms for 1 and 2 degrees.
 * Largest relative error against mpmath on test/fixtures/distributions.json (321 values, tails to 1e-310, 0.2 to
 * 2·10⁶ degrees): 3.3e-16 for Φ, 2.2e-16 for Φ⁻¹, 6.7e-12 for the t CDF (at 10⁶ degrees), 1.3e-13 for its quantile,
 * 1.9e-13 for the chi-square tail (5.9e-14 below 10⁵ degrees). The tests hold each function to those reference
 * values, to closed forms, round trips, stdlib and (the finite sums) the series.
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LN_SQRT_PI = 0.5 * Math.log(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const INV_SQRT_2PI = 1 / SQRT_2PI;
/** Relative tolerance of the series and continued fractions. */
const EPS = 1e-16;
const TINY = 1e-300;
const MAX_TERMS = 100_000;

/**
 * ln Γ(x) for x > 0 (and by reflection for non-integer x < 0.5): Stirling's series from x + n ≥ 15, less
 * ln(x (x + 1) … (x + n − 1)); ≈ 2e-16 absolute error in the series.
 *
 * For instance:
 *   lgamma(5); // ln 24 ≈ 3.1780538
 */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  let shift = 1;
  while (x < 15) shift *= x++;
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + stirlingDelta(x) - Math.log(shift);
}

/** Stirling's correction δ(x) = ln Γ(x) − ((x − ½) ln x − x + ½ ln 2π), for x ≥ 10 (error < 2e-14; < 3e-16 from 15). */
function stirlingDelta(x: number): number {
  const f = 1 / (x * x);
  return (1 / 12 - f * (1 / 360 - f * (1 / 1260 - f * (1 / 1680 - f / 1188)))) / x;
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b > 0, without the cancellation of large arguments.
 *
 * For instance:
 *   lnBeta(0.5, 0.5); // ln π
 */
export function lnBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  let q = Math.max(a, b);
  // ln Γ(p): Student's t asks for p = ½ at every call, ln √π.
  const lnGammaP = p === 0.5 ? LN_SQRT_PI : lgamma(p);
  // Below 15, q and p + q are shifted up together: ln Γ(q) − ln Γ(p + q) = ln Γ(q + n) − ln Γ(p + q + n) +
  // ln ∏ (p + q + k)/(q + k), one logarithm of the product instead of one per ln Γ.
  let ratio = 1;
  for (; q < 15; q++) ratio *= (p + q) / q;
  // ln Γ(q) − ln Γ(p + q) = −(q − ½) ln(1 + p/q) − p ln(p + q) + p + δ(q) − δ(p + q)
  return lnGammaP + Math.log(ratio) + stirlingDelta(q) - stirlingDelta(p + q) - (q - 0.5) * Math.log1p(p / q) - p * Math.log(p + q) + p;
}

/**
 * Standard normal density φ(x).
 *
 * For instance:
 *   normalDensity(0); // 0.3989422804014327
 */
export function normalDensity(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

// Cody's ANORM (TOMS 715): Φ(x) − ½ = x A(x²)/B(x²) for |x| ≤ 0.66291, then the tail 1 − Φ(y) = e^(−y²/2) R(y) with
// R = C(y)/D(y) up to √32 and (1/√(2π) − z P(z)/Q(z)) / y with z = 1/y² beyond. Coefficients from the highest
// degree down (Cody's own order puts the leading numerator coefficient last).
const CODY_A = [0.065682337918207449113, 2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249];
const CODY_B = [1, 47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const CODY_C = [1.0765576773720192317e-8, 0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218];
const CODY_D = [1, 22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727];
const CODY_P = [0.02307344176494017303, 0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5];
const CODY_Q = [1, 1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];

/** The end of Cody's first interval: |x| up to it, Φ(x) − ½ is rational in x²; past it, the tail's ratio R. */
const CODY_SPLIT = 0.66291;

/** A polynomial at x by Horner's rule, its coefficients from the highest degree down. */
function horner(k: ReadonlyArray<number>, x: number): number {
  let s = 0;
  for (let i = 0; i < k.length; i++) s = s * x + k[i]!;
  return s;
}

/** Φ(x) − ½ for |x| ≤ 0.66291 (Cody's first interval). */
function centralNormal(x: number): number {
  const z = x * x;
  return (x * horner(CODY_A, z)) / horner(CODY_B, z);
}

/** R(y) = (1 − Φ(y)) e^(y²/2) for y > 0.66291 (Cody's second and third intervals). */
function normalTailRatio(y: number): number {
  if (y <= 5.656854249492381) return horner(CODY_C, y) / horner(CODY_D, y);
  const z = 1 / (y * y);
  return (INV_SQRT_2PI - (z * horner(CODY_P, z)) / horner(CODY_Q, z)) / y;
}

/** 1 − Φ(y) for y > 0.66291, to ≈ 1e-16 relative down to the smallest double (0 beyond y ≈ 38.6). */
function upperNormalTail(y: number): number {
  if (y > 38.6) return 0;
  // e^(−y²/2) as e^(−h²/2) e^(−(y − h)(y + h)/2) with h = y to 1/16: h² is exact, so the large exponent has no rounding.
  const h = Math.trunc(y * 16) / 16;
  return Math.exp(-0.5 * h * h) * Math.exp(-0.5 * (y - h) * (y + h)) * normalTailRatio(y);
}

/**
 * Standard normal CDF Φ(x), accurate to ≈ 1e-16 relative in both tails (Φ(−38) keeps its digits).
 *
 * For instance:
 *   normalCdfOf(-10); // 7.6198530241605e-24
 */
export function normalCdfOf(x: number): number {
  const y = Math.abs(x);
  if (y <= CODY_SPLIT) return 0.5 + centralNormal(x);
  if (!(y < Infinity)) return Number.isNaN(x) ? NaN : x > 0 ? 1 : 0;
  const tail = upperNormalTail(y);
  return x > 0 ? 1 - tail : tail;
}

/**
 * Standard normal quantile Φ⁻¹(p) for p in [0, 1] (−∞ at 0, +∞ at 1, NaN outside), to ≈ 1e-16 relative down to
 * the smallest double: two Halley steps on Φ (Cody's, above) from Abramowitz and Stegun's 26.2.23
 * (|error| < 4.5e-4; Halley's error cubes at each step). The residual (Φ(x) − p) / φ(x) is taken without
 * cancellation next to ½, as Φ(x) − ½ less p − ½ (exact there), and with one exponential in the tail, as
 * √(2π) (R − p e^(x²/2)) with Φ(x) = e^(−x²/2) R, p e^(x²/2) from logarithms (it would overflow below 1e-308).
 *
 * For instance:
 *   normalQuantileOf(0.975); // 1.959963984540054
 */
export function normalQuantileOf(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  // 1 − p is exact for p ≥ ½, so the upper half is the mirror of the lower one with no loss.
  if (p >= 0.5) return p === 0.5 ? 0 : -normalQuantileOf(1 - p);
  const lnP = Math.log(p);
  const r = Math.sqrt(-2 * lnP);
  let x = ((0.010328 * r + 0.802853) * r + 2.515517) / (((0.001308 * r + 0.189269) * r + 1.432788) * r + 1) - r;
  for (let i = 0; i < 2; i++) {
    // u = (Φ(x) − p) / φ(x); in the tail Φ(x) = e^(−x²/2) R(−x), so u = √(2π) (R(−x) − e^(ln p + x²/2)).
    const u = SQRT_2PI * (x > -CODY_SPLIT ? (centralNormal(x) - (p - 0.5)) * Math.exp(0.5 * x * x) : normalTailRatio(-x) - Math.exp(lnP + 0.5 * x * x));
    x -= u / (1 + 0.5 * x * u);
  }
  return x;
}

/** A Lentz denominator kept away from 0. */
function nonZero(v: number): number {
  return Math.abs(v) < TINY ? TINY : v;
}

/** The continued fraction of I_x(a, b) (without its prefactor), by the modified Lentz method. */
function betaFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 / nonZero(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m < MAX_TERMS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 / nonZero(1 + aa * d);
    c = nonZero(1 + aa / c);
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 / nonZero(1 + aa * d);
    c = nonZero(1 + aa / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/**
 * The regularized incomplete beta function I_x(a, b), given x and y = 1 − x separately (each computed where it
 * is accurate), for a, b > 0.
 *
 * For instance:
 *   betaRegularized(0.5, 0.5, 2, 2); // 0.5
 */
export function betaRegularized(x: number, y: number, a: number, b: number, direct = x < (a + 1) / (a + b + 2)): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const lnFront = a * (x < 0.5 ? Math.log(x) : Math.log1p(-y)) + b * (y < 0.5 ? Math.log(y) : Math.log1p(-x)) - lnBeta(a, b);
  if (direct) return Math.exp(lnFront) * (betaFraction(x, a, b) / a);
  return 1 - Math.exp(lnFront) * (betaFraction(y, b, a) / b);
}

/**
 * P(T ≤ t) for Student's t with v > 0 degrees of freedom (beyond 1e7, the normal, which differs by less than 1e-7
 * absolute there but by about t⁴/(4v) relative in the tails: 5.6e-7 at t = −1.96, 4e-3 at −20, 2e-2 at −30), to
 * ≈ 1e-14 relative in the tails (1e-10 beyond 1e5 degrees; 2.9e-10 measured between 2e6 and 1e7 degrees).
 *
 * For instance:
 *   studentTCdfOf(2.228138851986274, 10); // 0.975
 */
export function studentTCdfOf(t: number, v: number): number {
  if (v > 1e7) return normalCdfOf(t);
  if (Number.isNaN(t)) return NaN;
  const t2 = t * t;
  // P(T ≤ −|t|) = ½ I_{v/(v+t²)}(v/2, ½), with 1 − v/(v+t²) computed as t²/(v+t²) where it is the small one.
  const a = v / 2;
  let tail: number;
  if (t2 === Infinity) {
    // |t| beyond ≈ 1.3e154 (t² overflows; with v < 1 the tail there is still far from 0): x = v/t² < 1e-300, where
    // the fraction is 1 and only the prefactor counts, taken in logarithms.
    tail = (0.5 * Math.exp(a * (Math.log(v) - 2 * Math.log(Math.abs(t))) - lnBeta(a, 0.5))) / a;
  } else {
    const x = v / (v + t2);
    const y = t2 < v ? t2 / (v + t2) : 1 - x;
    // With many degrees of freedom and |t| within ≈ 2.8 the fraction on x, though on its side of the mean, moves in
    // steps below rounding and stops early (1e-10 off at v = 1e6); the complement's converges in a few terms, and
    // its 1 − … loses nothing there (the tail is above 0.002).
    tail = 0.5 * betaRegularized(x, y, a, 0.5, a > 1000 && a * y < 4 ? false : x < (a + 1) / (a + 2.5));
  }
  return t > 0 ? 1 - tail : tail;
}

/**
 * Student's t quantile for p in [0, 1] and v > 0 degrees of freedom (beyond 1e7, the normal's), to ≈ 2e-13
 * relative: Halley's method on g(s) = ln P(T ≤ −e^s) − ln p over s = ln|t|, where the tail's power law is nearly a
 * line, kept inside a bracket of the root; closed forms for 1 and 2 degrees. −∞ when the quantile lies beyond the
 * largest double; NaN for p outside [0, 1]. Most arguments an analysis asks for take one evaluation of the CDF.
 *
 * For instance:
 *   studentTQuantileOf(0.975, 10); // 2.228138851986274
 */
export function studentTQuantileOf(p: number, v: number): number {
  // The normal's answers at 0 and 1 (±∞) and outside (NaN) are the t's too.
  if (v > 1e7 || !(p > 0 && p < 1)) return normalQuantileOf(p);
  if (p > 0.5) return -studentTQuantileOf(1 - p, v);
  if (p === 0.5) return 0;
  if (v === 1) return -1 / Math.tan(Math.PI * p);
  if (v === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const lnV = Math.log(v);
  const lnC = -0.5 * lnV - lnBeta(v / 2, 0.5); // ln of the density's constant
  const lnP = Math.log(p);
  // Two first guesses of s. The power law of the tail, P(T ≤ t) ≈ C v^((v+1)/2) |t|^(−v) / v, overestimates |t|
  // everywhere (the density is below its power law); the Cornish–Fisher expansion to 1/v³ (Abramowitz and Stegun
  // 26.7.5) is good from a few degrees of freedom on and underestimates |t| where it fails (small v, far tails).
  const sTail = (lnC + 0.5 * (v - 1) * lnV - lnP) / v;
  // Below the median the root is negative; with v < 1 and a tiny p it may lie beyond −1.8e308.
  if (sTail > 709 && studentTCdfOf(-Number.MAX_VALUE, v) > p) return -Infinity;
  const z = -normalQuantileOf(p);
  const z2 = z * z;
  const w = 1 / v;
  const cf = z + w * (((z2 + 1) * z) / 4 + w * (((5 * z2 + 16) * z2 + 3) * z / 96 + (w * ((((3 * z2 + 19) * z2 + 17) * z2 - 15) * z)) / 384));
  let s = cf > 0 ? Math.min(sTail, Math.log(cf)) : sTail;
  let below = -Infinity; // an s whose t has P(T ≤ t) > p
  let above = Infinity; // an s whose t has P(T ≤ t) < p
  for (let i = 0; i < 200; i++) {
    const t = -Math.exp(s);
    const f = studentTCdfOf(t, v);
    if (f === p) return t;
    if (f > p) below = s;
    else above = s;
    const lnF = Math.log(f);
    const g = lnF - lnP;
    // With r = t²/v: ln density = ln C − (v + 1)/2 · ln(1 + r); g′ = −h with h = density(t)·|t| / P(T ≤ t), and
    // g″ = −h (1 + h − (v + 1) r/(1 + r)). (t² may overflow: then 2s − ln v stands for ln(1 + r).)
    const r = (t * t) / v;
    const h = Math.exp(lnC - 0.5 * (v + 1) * (r === Infinity ? 2 * s - lnV : Math.log1p(r)) + s - lnF);
    const g2 = -h * (1 + h - (v + 1) * (r === Infinity ? 1 : r / (1 + r)));
    const step = g / h / (1 - (g * g2) / (2 * h * h));
    let next = s + step;
    // Halley's error cubes: after a step below 1e-6 in ln|t| the next would be at rounding level (a step that
    // rounds to nothing lands on the bracket's end s itself).
    if (Math.abs(step) <= 1e-6 && next >= below && next <= above) return -Math.exp(next);
    if (!(next > below && next < above)) {
      if (above - below <= 1e-15 * Math.abs(s)) return -Math.exp((below + above) / 2);
      next = above === Infinity ? s + 1 + Math.abs(s) : below === -Infinity ? s - 1 - Math.abs(s) : (below + above) / 2;
    }
    s = next;
  }
  return -Math.exp(s);
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) for a > 0, x ≥ 0, to ≈ 1e-14
 * relative (tiny upper tails keep their digits).
 *
 * For instance:
 *   gammaUpperRegularized(1, 2); // e^−2
 */
export function gammaUpperRegularized(a: number, x: number): number {
  if (!(x > 0)) return x === 0 ? 1 : NaN;
  if (x === Infinity) return 0;
  // A chi-square tail of up to 100 degrees of freedom (while e^−x has digits): a finite sum of positive terms.
  if (a <= 50 && x < 700 && 2 * a === Math.floor(2 * a)) return gammaUpperFinite(a, x);
  return gammaUpperSeries(a, x);
}

/**
 * Q(a, x) for a a multiple of ½ (Abramowitz and Stegun 6.5.13 and 26.4.4–26.4.5): e^−x Σ_{k<a} x^k / k! for an
 * integer a; erfc(√x) + e^−x Σ_{k<a−½} x^(k+½) / Γ(k + 3/2) for a half-integer one. Every term is positive, so
 * the sum keeps its relative precision; a − ½ + 1 terms at most. (Internal: exported for its tests.)
 */
export function gammaUpperFinite(a: number, x: number): number {
  const whole = a === Math.floor(a);
  // The first term: x⁰/0! = 1, or x^½ / Γ(3/2) = 2 √(x/π).
  let term = whole ? 1 : 2 * Math.sqrt(x / Math.PI);
  let sum = 0;
  for (let k = whole ? 1 : 1.5; k <= a; k++) {
    sum += term;
    term *= x / k;
  }
  if (whole) return Math.exp(-x) * sum;
  // erfc(√x) = 2 (1 − Φ(y)) with y = √(2x) = 2 e^−x R(y) past Cody's first interval: e^−x from x itself, which is
  // exact, not from y² / 2, which √ has rounded (a relative error of x ε, 1e-13 at x = 700).
  const y = Math.sqrt(2 * x);
  return y <= CODY_SPLIT ? 1 - 2 * centralNormal(y) + Math.exp(-x) * sum : Math.exp(-x) * (2 * normalTailRatio(y) + sum);
}

/**
 * Q(a, x) by the series of P(a, x) below a + 1 and the continued fraction above (Numerical Recipes 6.2), for any
 * a > 0 and 0 < x < ∞. (Internal: exported for its tests.)
 */
export function gammaUpperSeries(a: number, x: number): number {
  // ln(x^a e^−x / Γ(a)); for large a from Stirling's series, where a ln x − x − ln Γ(a) would cancel.
  const lnFront = a < 10 ? a * Math.log(x) - x - lgamma(a) : a * (Math.log1p((x - a) / a) - (x - a) / a) + 0.5 * Math.log(a) - HALF_LOG_2PI - stirlingDelta(a);
  if (x < a + 1) {
    // P(a, x) = x^a e^−x / Γ(a + 1) · Σ x^n / ((a + 1)…(a + n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_TERMS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return 1 - Math.exp(lnFront) * sum;
  }
  // Q(a, x) = x^a e^−x / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …))), modified Lentz.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = 1 / nonZero(an * d + b);
    c = nonZero(b + an / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(lnFront) * h;
}
