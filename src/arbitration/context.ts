/**
 * What is known about the customer at decision time. Segment memberships are evaluated by the caller (the
 * `decide` pipeline runs `crosschannel/segments`) and passed in; arbitration never evaluates segments itself.
 *
 * @example
 * ```ts
 * const context: ArbitrationContext = { subjectId: 'p1', segments: ['gold'], attributes: { age: 34 }, weights: { card: 1.5 } };
 * ```
 */
export interface ArbitrationContext {
  readonly subjectId?: string;
  /** Ids of the segments the customer belongs to. */
  readonly segments?: ReadonlySet<string> | ReadonlyArray<string>;
  /** Free attributes for predicates (age, country, device…). */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Context weight per offer id (situational relevance); multiplies the offer's static weight. */
  readonly weights?: Readonly<Record<string, number>>;
  /** Propensity per offer id from a model (in [0, 1]); wins over the built-in model. */
  readonly propensities?: Readonly<Record<string, number>>;
  /** Segment whose learned acceptance rates the built-in propensity should use (see `PropensityTable`). */
  readonly propensitySegment?: string;
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * The context's segment memberships as a set (arrays are converted once per decision).
 */
export function membershipsOf(context: ArbitrationContext): ReadonlySet<string> {
  const s = context.segments;
  if (s === undefined) return EMPTY;
  return s instanceof Set ? s : new Set(s as ReadonlyArray<string>);
}
