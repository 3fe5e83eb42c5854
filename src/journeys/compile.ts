/**
 * `parseJourney`: validates a definition (schema, then the step graph) and compiles it once — segment rules
 * and event filters become predicates, steps get their outgoing edges — so `advance` only runs loops.
 */
import { CrossChannelError, attempt, parseWith, type Result, quoted } from '../core/errors.js';
import type { BehaviourEvent, ResponseKind } from '../core/records.js';
import type { EpochMs } from '../core/time.js';
import { compileSegment, type SegmentPredicate } from '../segments/compile.js';
import { SEGMENT_LIMITS } from '../segments/dsl.js';
import { compileEventFilter, type EventTest } from '../segments/conditions.js';
import type { Profile } from '../segments/conditions.js';
import { journeySchema, type ConditionInput, type JourneyDefinition, type JourneyDefinitionInput, type Signal, type Step } from './definition.js';
import type { JourneyErrorCode } from './errors.js';
import { ownValue } from '../core/own.js';

type Path = ReadonlyArray<string | number>;

/** What a compiled condition sees. */
export interface ConditionContext {
  readonly subjectId: string;
  readonly profile: Profile;
  readonly events: ReadonlyArray<BehaviourEvent>;
  readonly now: EpochMs;
  /** Reactions per step id (`opened`, `clicked`, …) of the instance. */
  readonly reactions: Readonly<Record<string, ReadonlyArray<string>>>;
}

/** A compiled split condition. */
export type CompiledCondition = (ctx: ConditionContext) => boolean;

/** A compiled signal: matches a response (with the step whose message it answers) or a behaviour event. */
export interface CompiledSignal {
  readonly response: ((kind: ResponseKind, step: string | undefined) => boolean) | null;
  readonly event: EventTest | null;
}

const COMPILED = Symbol.for('crosschannel.journeys.journey');

/**
 * A parsed, checked and compiled journey: what `advance`, the runner and the stores take. Build once per
 * version with {@link parseJourney}.
 */
export interface Journey {
  /** @internal Brand of a compiled journey. */
  readonly [COMPILED]: true;
  readonly definition: JourneyDefinition;
  readonly id: string;
  readonly version: number;
  readonly campaignId: string;
  readonly steps: ReadonlyMap<string, Step>;
  /** Compiled conditions by `stepId/branchIndex`. */
  readonly conditions: ReadonlyMap<string, CompiledCondition>;
  /** Compiled `waitFor` signals by step id. */
  readonly waitSignals: ReadonlyMap<string, CompiledSignal>;
  readonly goals: ReadonlyArray<{ readonly id: string; readonly signal: CompiledSignal }>;
  readonly exits: ReadonlyArray<{ readonly id: string; readonly signal: CompiledSignal | null; readonly inSegment: SegmentPredicate | null }>;
  /** Entry trigger: an event test, a segment predicate, or manual only. */
  readonly entryEvent: EventTest | null;
  readonly entrySegment: SegmentPredicate | null;
}

/**
 * True when `value` came out of {@link parseJourney}.
 *
 * @example
 * ```ts
 * declare const json: unknown;
 * isJourney(json); // false until parsed
 * ```
 */
export function isJourney(value: unknown): value is Journey {
  return typeof value === 'object' && value !== null && (value as { [COMPILED]?: unknown })[COMPILED] === true;
}

/**
 * Validates and compiles a journey definition. Refused with `JOURNEY_INVALID` and the path of the bad field:
 * a schema error, a step that refers to an unknown step, a step unreachable from `start`, a cycle that can
 * run without passing a step that lets time pass (a `wait` with a positive `duration` and no `date`, a `waitFor` or
 * `reply` with a positive `timeout`: it could loop forever within one advance), a reaction signal naming a step that
 * is not a send, two goals, exits, branches, arms or choices with one id, a duration over 100,000,000 days, or a
 * split condition nested deeper than 32 levels, with more than 2,000 parts, or containing itself.
 *
 * @example
 * ```ts
 * const welcome = parseJourney({
 *   id: 'welcome', version: 1, entry: { on: { event: 'signup' } }, start: 'hello',
 *   steps: {
 *     hello: { type: 'send', channel: 'email', message: 'welcome-1', next: 'pause' },
 *     pause: { type: 'wait', duration: '3d', next: 'tips' },
 *     tips: { type: 'send', channel: 'email', message: 'welcome-2' },
 *   },
 * });
 * ```
 */
export function parseJourney(input: JourneyDefinitionInput | Journey): Journey {
  if (isJourney(input)) return input;
  checkRaw(input);
  const def = parseWith(journeySchema, input, 'JOURNEY_INVALID' as JourneyErrorCode);
  checkGraph(def);
  return compile(def);
}

/**
 * {@link parseJourney} without throwing: `{ ok: true, value }` or `{ ok: false, error }`.
 *
 * @example
 * ```ts
 * const r = safeParseJourney({ id: 'j', version: 1, entry: { on: 'manual' }, start: 'a', steps: { a: { type: 'wait', duration: '1d', next: 'nowhere' } } });
 * if (!r.ok) console.log(r.error.code, r.error.path); // 'JOURNEY_INVALID' 'steps.a.next'
 * ```
 */
export function safeParseJourney(input: unknown): Result<Journey> {
  return attempt(() => parseJourney(input as JourneyDefinitionInput));
}

function invalid(message: string, path: Path, detail?: Record<string, unknown>): CrossChannelError<JourneyErrorCode> {
  return new CrossChannelError<JourneyErrorCode>('JOURNEY_INVALID', message, { path, ...(detail ? { detail } : {}) });
}

/** Outgoing edges of a step with the field each comes from. */
export function edgesOf(step: Step): Array<{ to: string; field: Path }> {
  const out: Array<{ to: string; field: Path }> = [];
  const add = (to: string | undefined, field: Path): void => {
    if (to !== undefined) out.push({ to, field });
  };
  switch (step.type) {
    case 'send':
      add(step.next, ['next']);
      if (typeof step.onBlocked === 'object') add(step.onBlocked.goto, ['onBlocked', 'goto']);
      break;
    case 'wait':
      add(step.next, ['next']);
      add(step.date?.ifMissing, ['date', 'ifMissing']);
      break;
    case 'waitFor':
      add(step.next, ['next']);
      add(step.onTimeout, ['onTimeout']);
      break;
    case 'reply':
      step.choices.forEach((c, i) => add(c.next, ['choices', i, 'next']));
      add(step.onTimeout, ['onTimeout']);
      break;
    case 'split':
      step.branches.forEach((b, i) => add(b.next, ['branches', i, 'next']));
      add(step.otherwise, ['otherwise']);
      break;
    case 'randomSplit':
      step.arms.forEach((a, i) => add(a.next, ['arms', i, 'next']));
      break;
    case 'task':
      add(step.next, ['next']);
      break;
    case 'goal':
    case 'end':
      break;
  }
  return out;
}

/**
 * Steps that always let time pass before leaving: a cycle through one of them cannot spin within one advance. A
 * `wait` on a profile date ends at the same instant on every pass, and one of no duration can end where it began.
 */
function waits(step: Step): boolean {
  return step.type === 'wait' ? step.date === undefined && (step.duration ?? 0) > 0 : (step.type === 'waitFor' || step.type === 'reply') && step.timeout > 0;
}

/** Throws at the second of two items of `list` with one id (`key`), at `path.<i>.<key>`. */
function unique<T>(list: ReadonlyArray<T>, id: (x: T) => string | undefined, path: Path): void {
  const seen = new Set<string>();
  list.forEach((x, i) => {
    const v = id(x);
    if (v === undefined) return;
    if (seen.has(v)) throw invalid(`Duplicate id ${quoted(v)}`, [...path, i, 'id']);
    seen.add(v);
  });
}

/**
 * What is checked before the schema: split conditions (zod's recursion ends in a RangeError): nested at most
 * as deep and with at most as many parts as a segment rule (32 levels, 2,000 parts), and never containing themselves;
 * no step named `__proto__`.
 */
function checkRaw(input: unknown): void {
  const steps = (input as { steps?: unknown } | null)?.steps;
  if (typeof steps !== 'object' || steps === null) return;
  // The schema's record skips an own `__proto__` key (JSON.parse makes one): name it, not a wrong step count.
  if (Object.hasOwn(steps, '__proto__')) throw invalid('__proto__ cannot be a step id', ['steps', '__proto__']);
  for (const id of Object.keys(steps)) {
    const branches = (steps as Record<string, { branches?: unknown } | null>)[id]?.branches;
    if (!Array.isArray(branches)) continue;
    branches.forEach((b: { when?: unknown } | null, i) => {
      let parts = 0;
      const walk = (c: unknown, path: Path, trail: unknown[]): void => {
        if (typeof c !== 'object' || c === null) return;
        if (trail.includes(c)) throw invalid('A condition contains itself', path);
        if (trail.length >= SEGMENT_LIMITS.maxDepth) throw invalid(`Condition nested deeper than ${SEGMENT_LIMITS.maxDepth} levels`, path);
        if (++parts > SEGMENT_LIMITS.maxNodes) throw invalid(`Condition with more than ${SEGMENT_LIMITS.maxNodes} parts`, path);
        for (const k of ['all', 'any'] as const) {
          const list = (c as Record<string, unknown>)[k];
          if (Array.isArray(list)) list.forEach((x, n) => walk(x, [...path, k, n], [...trail, c]));
        }
      };
      walk(b?.when, ['steps', id, 'branches', i, 'when'], []);
    });
  }
}

function checkGraph(def: JourneyDefinition): void {
  const steps = def.steps;
  const sendStep = (r: { step: string; path: Path }, who: string, at: Path): void => {
    if (ownValue(steps, r.step)?.type !== 'send') throw invalid(`${who} looks at reactions to ${quoted(r.step)}, which is not a send step`, [...at, ...r.path]);
  };
  if (!Object.hasOwn(steps, def.start)) throw invalid(`Unknown start step ${quoted(def.start)}`, ['start']);
  for (const [id, step] of Object.entries(steps)) {
    for (const e of edgesOf(step)) {
      if (!Object.hasOwn(steps, e.to)) throw invalid(`Step ${quoted(id)} refers to unknown step ${quoted(e.to)}`, ['steps', id, ...e.field], { step: e.to });
    }
    // Reactions name the step whose message they answer; it must exist and be a send.
    const refs = step.type === 'split' ? step.branches.flatMap((b, i) => reactedSteps(b.when, ['branches', i, 'when'])) : step.type === 'waitFor' ? signalStep(step.signal, ['signal']) : [];
    for (const r of refs) sendStep(r, `Step ${quoted(id)}`, ['steps', id]);
    if (step.type === 'split') unique(step.branches, (b) => b.id, ['steps', id, 'branches']);
    if (step.type === 'randomSplit') unique(step.arms, (a) => a.id, ['steps', id, 'arms']);
    if (step.type === 'reply') unique(step.choices, (c) => c.id, ['steps', id, 'choices']);
  }
  for (const list of ['goals', 'exits'] as const) {
    unique<{ id: string }>(def[list], (x) => x.id, [list]);
    def[list].forEach((x, i) => {
      if ('response' in x.when) for (const r of signalStep(x.when, ['when'])) sendStep(r, `${list}[${i}]`, [list, i]);
    });
  }
  // Reachability from start.
  const seen = new Set<string>([def.start]);
  const stack = [def.start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const e of edgesOf(steps[id]!)) {
      if (!seen.has(e.to)) {
        seen.add(e.to);
        stack.push(e.to);
      }
    }
  }
  for (const id of Object.keys(steps)) if (!seen.has(id)) throw invalid(`Step ${quoted(id)} is unreachable from ${quoted(def.start)}`, ['steps', id]);
  // A cycle over instantaneous edges only (edges leaving a waiting step are removed) can spin forever.
  const state = new Map<string, 1 | 2>();
  const visit = (id: string, trail: string[]): void => {
    state.set(id, 1);
    const step = steps[id]!;
    if (!waits(step)) {
      for (const e of edgesOf(step)) {
        const s = state.get(e.to);
        if (s === 1) throw invalid(`Steps ${[...trail, id, e.to].join(' → ')} loop without a step that lets time pass`, ['steps', id, ...e.field], { cycle: [...trail.slice(trail.indexOf(e.to)), id, e.to] });
        if (s === undefined) visit(e.to, [...trail, id]);
      }
    }
    state.set(id, 2);
  };
  for (const id of Object.keys(steps)) if (!state.has(id)) visit(id, []);
}

function reactedSteps(c: ConditionInput, path: Path): Array<{ step: string; path: Path }> {
  if ('reacted' in c) return [{ step: c.reacted.step, path: [...path, 'reacted', 'step'] }];
  if ('notReacted' in c) return [{ step: c.notReacted.step, path: [...path, 'notReacted', 'step'] }];
  if ('all' in c) return c.all.flatMap((x, i) => reactedSteps(x, [...path, 'all', i]));
  if ('any' in c) return c.any.flatMap((x, i) => reactedSteps(x, [...path, 'any', i]));
  return [];
}

function signalStep(s: Signal, path: Path): Array<{ step: string; path: Path }> {
  return 'response' in s && s.step !== undefined ? [{ step: s.step, path: [...path, 'step'] }] : [];
}

/** Segment errors carry the segments module's codes and paths relative to the rule; re-home them. */
function segmentAt(rule: unknown, path: Path, def: JourneyDefinition): SegmentPredicate {
  try {
    return compileSegment(rule, { timeZone: def.timeZone, timeZoneAttr: def.timeZoneAttr });
  } catch (e) {
    if (e instanceof CrossChannelError) throw invalid(e.message, [...path, ...e.pathSegments], { cause: e.code });
    throw e;
  }
}

function compileSignal(s: Signal): CompiledSignal {
  if ('response' in s) {
    const kinds = new Set<string>(s.response);
    const step = s.step;
    return { response: (kind, from) => kinds.has(kind) && (step === undefined || step === from), event: null };
  }
  return { response: null, event: compileEventFilter({ type: s.event, ...(s.where ? { where: s.where } : {}) }, []) };
}

/** Whether the instance reacted with `kind` to `step`: own keys only (a step may be named `constructor`). */
function reactedTo(reactions: ConditionContext['reactions'], step: string, kind: string): boolean {
  return ownValue(reactions, step)?.includes(kind) === true;
}

function compileCondition(c: ConditionInput, path: Path, def: JourneyDefinition): CompiledCondition {
  if ('segment' in c) {
    const p = segmentAt(c.segment, [...path, 'segment'], def);
    return (ctx) => p(ctx.profile, ctx.events, ctx.now);
  }
  if ('reacted' in c) {
    const { step, kind } = c.reacted;
    return (ctx) => reactedTo(ctx.reactions, step, kind);
  }
  if ('notReacted' in c) {
    const { step, kind } = c.notReacted;
    return (ctx) => !reactedTo(ctx.reactions, step, kind);
  }
  if ('all' in c) {
    const parts = c.all.map((x, i) => compileCondition(x, [...path, 'all', i], def));
    return (ctx) => parts.every((p) => p(ctx));
  }
  const parts = c.any.map((x, i) => compileCondition(x, [...path, 'any', i], def));
  return (ctx) => parts.some((p) => p(ctx));
}

function compile(def: JourneyDefinition): Journey {
  const steps = new Map<string, Step>(Object.entries(def.steps));
  const conditions = new Map<string, CompiledCondition>();
  const waitSignals = new Map<string, CompiledSignal>();
  for (const [id, step] of steps) {
    if (step.type === 'split') step.branches.forEach((b, i) => conditions.set(`${id}/${i}`, compileCondition(b.when, ['steps', id, 'branches', i, 'when'], def)));
    if (step.type === 'waitFor') waitSignals.set(id, compileSignal(step.signal));
  }
  const on = def.entry.on;
  return Object.freeze({
    [COMPILED]: true as const,
    definition: def,
    id: def.id,
    version: def.version,
    campaignId: def.campaignId ?? def.id,
    steps,
    conditions,
    waitSignals,
    goals: def.goals.map((g) => ({ id: g.id, signal: compileSignal(g.when) })),
    exits: def.exits.map((x, i) =>
      'leftSegment' in x.when
        ? { id: x.id, signal: null, inSegment: segmentAt(x.when.leftSegment, ['exits', i, 'when', 'leftSegment'], def) }
        : { id: x.id, signal: compileSignal(x.when), inSegment: null },
    ),
    entryEvent: typeof on === 'object' && 'event' in on ? compileEventFilter({ type: on.event, ...(on.where ? { where: on.where } : {}) }, []) : null,
    entrySegment: typeof on === 'object' && 'segment' in on ? segmentAt(on.segment, ['entry', 'on', 'segment'], def) : null,
  });
}
