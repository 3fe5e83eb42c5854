/**
 * Versions while people are in flight: instances stay on their version unless an explicit step mapping moves
 * them. `diffJourney` is the dry run; `migrateInstance` the move.
 */
import { CrossChannelError, quoted } from '../core/errors.js';
import type { EpochMs } from '../core/time.js';
import { parseJourney, type Journey } from './compile.js';
import type { JourneyDefinitionInput } from './definition.js';
import type { JourneyErrorCode } from './errors.js';
import { checkInstance, type JourneyInstance } from './instance.js';
import { ownValue } from '../core/own.js';

/**
 * Old step id → new step id. Instances on an unmapped step stay on the old version.
 *
 * @example
 * ```ts
 * const mapping: StepMapping = { newsletter: 'newsletter-v2', j9: 'j9' };
 * ```
 */
export type StepMapping = Readonly<Record<string, string>>;

/**
 * Where one instance would go.
 *
 * @example
 * ```ts
 * const m: PlannedMove = { instanceId: 'wp:p1:0', subjectId: 'p1', from: 'j7', to: 'j7', action: 'move' };
 * ```
 */
export interface PlannedMove {
  readonly instanceId: string;
  readonly subjectId: string;
  readonly from: string;
  readonly to: string | null;
  /** `move`: mapped; `stay`: no mapping for its step, stays on the old version; `ended`: not active. */
  readonly action: 'move' | 'stay' | 'ended';
}

/**
 * The dry run of a new version: which steps were added, removed or changed, and who would move where.
 *
 * @example
 * ```ts
 * declare const d: JourneyDiff;
 * console.log(d.added, d.removed, d.changed, d.counts); // counts: { 'j7→j7': 120, 'newsletter→(stay)': 3 }
 * ```
 */
export interface JourneyDiff {
  readonly added: ReadonlyArray<string>;
  readonly removed: ReadonlyArray<string>;
  readonly changed: ReadonlyArray<string>;
  readonly moves: ReadonlyArray<PlannedMove>;
  readonly counts: Readonly<Record<string, number>>;
}

function checkMapping(from: Journey, to: Journey, mapping: StepMapping): void {
  if (from.id !== to.id) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_MIGRATION_INVALID', `Cannot migrate ${from.id} to another journey (${to.id})`, { path: ['to', 'id'] });
  if (typeof mapping !== 'object' || mapping === null) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_MIGRATION_INVALID', 'mapping must be an object', { path: ['mapping'] });
  for (const [a, b] of Object.entries(mapping)) {
    if (!from.steps.has(a)) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_MIGRATION_INVALID', `Version ${from.version} has no step ${quoted(a)}`, { path: ['mapping', a] });
    if (typeof b !== 'string' || !to.steps.has(b)) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_MIGRATION_INVALID', `Version ${to.version} has no step ${quoted(b)}`, { path: ['mapping', a] });
  }
}

/**
 * Compares two versions and plans the move of `instances` (those on `from`'s version) under `mapping`.
 *
 * @example
 * ```ts
 * declare const v1: Journey; declare const v2: Journey; declare const inFlight: JourneyInstance[];
 * const d = diffJourney(v1, v2, inFlight, { j7: 'j7', newsletter: 'newsletter' });
 * ```
 */
export function diffJourney(from: Journey | JourneyDefinitionInput, to: Journey | JourneyDefinitionInput, instances: ReadonlyArray<JourneyInstance>, mapping: StepMapping = {}): JourneyDiff {
  const a = parseJourney(from);
  const b = parseJourney(to);
  checkMapping(a, b, mapping);
  if (!Array.isArray(instances)) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'instances must be an array', { path: ['instances'] });
  const added = [...b.steps.keys()].filter((s) => !a.steps.has(s));
  const removed = [...a.steps.keys()].filter((s) => !b.steps.has(s));
  const changed = [...a.steps.keys()].filter((s) => b.steps.has(s) && JSON.stringify(a.steps.get(s)) !== JSON.stringify(b.steps.get(s)));
  const moves: PlannedMove[] = [];
  const counts: Record<string, number> = {};
  instances.forEach((i, n) => {
    if (typeof i !== 'object' || i === null || i.journeyId !== a.id || i.version !== a.version) {
      throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INSTANCE_INVALID', `instances[${n}] is not on ${a.id} version ${a.version}`, { path: ['instances', n] });
    }
    for (const f of ['id', 'subjectId', 'step', 'status'] as const) {
      if (typeof i[f] !== 'string') throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INSTANCE_INVALID', `instances[${n}].${f} must be a string`, { path: ['instances', n, f] });
    }
    // Own keys only: a step named `constructor` or `toString` must not read Object.prototype's function as a target.
    const to = ownValue(mapping, i.step);
    const action = i.status !== 'active' ? 'ended' : to === undefined ? 'stay' : 'move';
    moves.push({ instanceId: i.id, subjectId: i.subjectId, from: i.step, to: action === 'move' ? to! : null, action });
    const k = `${i.step}→${action === 'move' ? to : `(${action})`}`;
    counts[k] = (counts[k] ?? 0) + 1;
  });
  return { added, removed, changed, moves, counts };
}

/**
 * Moves one active instance to the new version along `mapping` (returns it unchanged when its step is not
 * mapped or it has ended). The step keeps its entry time (a wait continues from when it began) and is
 * re-evaluated at `now`; reactions to steps the new version lacks are dropped.
 *
 * @example
 * ```ts
 * declare const v1: Journey; declare const v2: Journey; declare const i: JourneyInstance;
 * const moved = migrateInstance(v1, v2, i, { j7: 'j7' }, Date.now());
 * ```
 */
export function migrateInstance(from: Journey | JourneyDefinitionInput, to: Journey | JourneyDefinitionInput, instance: JourneyInstance, mapping: StepMapping, now: EpochMs): JourneyInstance {
  const a = parseJourney(from);
  const b = parseJourney(to);
  checkMapping(a, b, mapping);
  if (typeof instance !== 'object' || instance === null || instance.journeyId !== a.id || instance.version !== a.version) {
    throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INSTANCE_INVALID', `instance is not on ${a.id} version ${a.version}`, { path: ['instance'] });
  }
  // The rest of the instance as advance would check it (plain JavaScript may hand over any object).
  checkInstance(a, instance);
  const target = ownValue(mapping, instance.step);
  if (instance.status !== 'active' || target === undefined) return instance;
  const reactions = Object.fromEntries(Object.entries(instance.reactions ?? {}).filter(([s]) => b.steps.has(s)));
  const { heldSince: _h, slotAt: _s, helpSent: _p, reactions: _r, ...rest } = instance;
  return {
    ...rest,
    version: b.version,
    step: target,
    // A new attempt number: idempotency keys of the new step never collide with the old one's.
    seq: instance.seq + 1,
    wakeAt: now,
    ...(Object.keys(reactions).length > 0 ? { reactions } : {}),
  };
}
