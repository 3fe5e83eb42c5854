import type { BehaviourEvent } from '../core/records.js';
import { expectCompiledSegments, expectArray, expectFinite, expectObject, expectObjects, expectString } from '../core/guards.js';
import type { EpochMs } from '../core/time.js';
import { reason, type Reason } from '../core/explain.js';
import type { RuleKind, SegmentRule } from './dsl.js';
import type { CompiledNode, CompiledSegments, Profile } from './compile.js';
import type { EvalContext } from './conditions.js';
import type { SegmentReasonCode } from './errors.js';

/** One node of an explanation tree. */
export interface ConditionExplanation {
  /** Path of the node in the definition list (`[2].rule.and[0]`). */
  readonly path: string;
  readonly kind: RuleKind;
  /** Whether the condition held for this profile at `now`. */
  readonly held: boolean;
  /**
   * The value the condition looked at: the attribute value (`attr`), the count (`count`), the aggregate
   * (`aggregate`), an age in ms (`age`, `occurrence`), days to the anniversary (`anniversary`), the instant
   * read (`time`), `{ lastAt, interruptedAt }` (`did`), membership (`segment`). Absent for `and`/`or`/`not`
   * and when nothing was found.
   */
  readonly observed?: unknown;
  /** The leaf condition as parsed (durations in ms); absent on `and`/`or`/`not`. */
  readonly condition?: SegmentRule;
  readonly children?: ReadonlyArray<ConditionExplanation>;
}

/** Why a profile is or is not in a segment. */
export interface SegmentExplanation {
  readonly segmentId: string;
  readonly member: boolean;
  readonly tree: ConditionExplanation;
  /**
   * The leaves that decided: for a member, the leaf conditions that held; for a non-member, those that
   * failed (each with `detail.path` and `detail.observed`).
   */
  readonly reasons: ReadonlyArray<Reason<SegmentReasonCode>>;
}

function explainNode(n: CompiledNode, ctx: EvalContext): ConditionExplanation {
  // Every child is explained (no short-circuit) so the tree is complete; `held` is still the node's own test.
  const children = n.children.map((c) => explainNode(c, ctx));
  let held: boolean;
  if (n.kind === 'and') held = children.every((c) => c.held);
  else if (n.kind === 'or') held = children.some((c) => c.held);
  else if (n.kind === 'not') held = !children[0]!.held;
  else held = n.test(ctx);
  const out: { -readonly [K in keyof ConditionExplanation]: ConditionExplanation[K] } = { path: n.path, kind: n.kind, held };
  if (children.length > 0) out.children = children;
  else {
    out.condition = n.rule;
    const observed = n.observe(ctx);
    if (observed !== undefined) out.observed = observed;
  }
  return out;
}

function collect(e: ConditionExplanation, member: boolean, segmentId: string, out: Array<Reason<SegmentReasonCode>>): void {
  if (e.children) {
    // Only descend into the children that agree with the outcome wanted at this level (a `not` flips it).
    const want = e.kind === 'not' ? !member : member;
    for (const c of e.children) if (c.held === want) collect(c, want, segmentId, out);
    return;
  }
  out.push(
    reason<SegmentReasonCode>(e.held ? 'SEGMENT_CONDITION_HELD' : 'SEGMENT_CONDITION_FAILED', `${e.kind} condition at ${e.path} ${e.held ? 'held' : 'failed'}`, {
      rule: segmentId,
      detail: { path: e.path, observed: e.observed },
    }),
  );
}

/**
 * Explains one segment for one profile: the tree of conditions with the observed value and whether each
 * held, and the leaves that decided. Agrees with {@link CompiledSegments.matches} by construction (same
 * compiled tests).
 *
 * @example
 * ```ts
 * const segments = compileSegments([{ id: 'big', rule: { attr: 'ltv', op: 'gte', value: 1000 } }]);
 * const e = explainSegment(segments, 'big', { ltv: 250 }, [], 0);
 * // e.member === false; e.tree = { kind: 'attr', held: false, observed: 250, … }
 * ```
 */
export function explainSegment(
  segments: CompiledSegments,
  segmentId: string,
  profile: Profile,
  events: ReadonlyArray<BehaviourEvent>,
  now: EpochMs,
): SegmentExplanation {
  expectCompiledSegments(segments);
  expectString(segmentId, ['segmentId']);
  expectObject(profile, ['profile']);
  expectArray(events, ['events']);
  expectObjects(events, ['events']);
  expectFinite(now, ['now']);
  const root = segments.root(segmentId);
  const ctx = segments.context(segmentId, profile, events, now);
  const tree = explainNode(root, ctx);
  const reasons: Array<Reason<SegmentReasonCode>> = [];
  collect(tree, tree.held, segmentId, reasons);
  return { segmentId, member: tree.held, tree, reasons };
}
