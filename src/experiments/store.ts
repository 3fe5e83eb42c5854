import * as z from 'zod/mini';
import { asStoreError, CrossChannelError, parseWith } from '../core/errors.js';
import { expectString } from '../core/guards.js';
import { epochMsSchema, idSchema } from '../core/schema.js';

import { assign } from './assign.js';
import { HOLDOUT_VARIANT_ID, isCompiledExperiment, type AssignContext, type Assignment, type CompiledExperiment } from './config.js';
import { invalidInput } from './check.js';

/**
 * Schema of a sticky assignment: the variant a unit got the first time it was enrolled. Changing weights later
 * does not move people already exposed.
 *
 * @example
 * ```ts
 * stickyAssignmentSchema.parse({ experimentId: 'subject-line', unitId: 'p1', variantId: 'emoji', assignedAt: 0 });
 * ```
 */
export const stickyAssignmentSchema = /* @__PURE__ */ (() => z.strictObject({
    experimentId: idSchema,
    unitId: idSchema,
    variantId: idSchema,
    assignedAt: epochMsSchema,
    /** The anonymous id the assignment was first made under, when it was carried over to a person id. */
    anonymousId: z.optional(idSchema),
  }))();

/** A sticky assignment (see {@link stickyAssignmentSchema}). */
export type StickyAssignment = z.output<typeof stickyAssignmentSchema>;

/**
 * Parses a sticky assignment, throwing `INPUT_INVALID` with the bad field's path.
 *
 * @example
 * ```ts
 * parseStickyAssignment({ experimentId: 'e', unitId: 'p1', variantId: 'b', assignedAt: 0 });
 * ```
 */
export function parseStickyAssignment(input: unknown): StickyAssignment {
  return parseWith(stickyAssignmentSchema, input, 'INPUT_INVALID');
}

/**
 * Where sticky assignments live. Implementations: `MemoryAssignmentStore`, `RedisAssignmentStore`,
 * `PostgresAssignmentStore`; `runAssignmentStoreConformance` (`crosschannel/testing`) is the contract.
 *
 * @example
 * ```ts
 * declare const store: AssignmentStore;
 *
 * const a = await store.get('subject-line', 'person-42'); // read without enrolling
 * ```
 */
export interface AssignmentStore {
  /** The unit's sticky assignment in the experiment, or null. Never enrolls. */
  get(experimentId: string, unitId: string): Promise<StickyAssignment | null>;
  /**
   * Stores the assignment unless the unit already has one in that experiment (first writer wins, atomically across
   * racing callers). Returns the assignment that is stored now and whether this call created it.
   * Throws `INPUT_INVALID` on a malformed record, writing nothing.
   */
  putIfAbsent(assignment: StickyAssignment): Promise<{ stored: StickyAssignment; created: boolean }>;
  /** Every sticky assignment of a unit, by experiment id. */
  list(unitId: string): Promise<StickyAssignment[]>;
  /** Deletes every assignment of a unit (right to erasure); returns how many went. */
  erase(unitId: string): Promise<number>;
}

/** Who is being enrolled: the stitched person id, and the anonymous id the visitor had before, if any. */
export interface EnrollUnit {
  /** The stitched person id (or, while anonymous, the anonymous id). */
  readonly subjectId: string;
  /** The anonymous id seen before identification. */
  readonly anonymousId?: string | undefined;
}

/** The outcome of {@link enroll}. */
export interface Enrollment {
  readonly assignment: Assignment;
  /** The stored sticky record, when the unit is in the experiment. */
  readonly sticky: StickyAssignment | null;
  /** True when this call wrote a new sticky record. */
  readonly created: boolean;
}

/** @internal The outcomes that enroll no one (a stored variant does not apply). */
export const RUN_STATE_CODES = new Set(['EXPERIMENT_INACTIVE', 'EXPERIMENT_NOT_STARTED', 'EXPERIMENT_STOPPED', 'EXPERIMENT_NO_UNIT', 'EXPERIMENT_GLOBAL_HOLDOUT']);

/**
 * Assigns with stickiness. The stable rule for anonymous visitors later identified is **first exposure wins**:
 * 1. the experiment's run state and the global holdout are checked first (a stopped experiment enrolls no one);
 * 2. a sticky record under the person id is kept;
 * 3. else a sticky record under the anonymous id is carried over to the person id (with `anonymousId` kept);
 * 4. else the person id is hashed (GrowthBook-compatible) and the result stored.
 * Sticky people stay in their variant even when weights, coverage or targeting change later. Held units (the
 * experiment's holdout) are sticky too.
 *
 * @example
 * ```ts
 * declare const store: AssignmentStore;
 * declare const exp: CompiledExperiment;
 * declare const now: number;
 *
 * const { assignment } = await enroll(store, exp, { subjectId: 'person-42', anonymousId: 'anon-7' }, { now });
 * ```
 */
export async function enroll(store: AssignmentStore, experiment: CompiledExperiment, unit: EnrollUnit, context: AssignContext): Promise<Enrollment> {
  if (!isCompiledExperiment(experiment)) throw invalidInput('enroll takes an experiment from parseExperiment', 'experiment');
  expectString((unit as Partial<EnrollUnit> | null)?.subjectId, ['unit', 'subjectId']);
  if (unit.anonymousId !== undefined) expectString(unit.anonymousId, ['unit', 'anonymousId']);
  if (typeof store?.get !== 'function' || typeof store.putIfAbsent !== 'function') {
    throw invalidInput('store must be an AssignmentStore', 'store');
  }
  const fresh = assign(experiment, unit.subjectId, context);
  if (RUN_STATE_CODES.has(fresh.reason.code)) return { assignment: fresh, sticky: null, created: false };
  // A store that fails, or answers with the wrong shape, is STORE_ERROR, never a TypeError or a wrong enrollment.
  try {
    const own = await store.get(experiment.id, unit.subjectId);
    const kept = own && stickyOutcome(experiment, own.variantId);
    if (own && kept) return { assignment: kept, sticky: own, created: false };
    const anonymousId = unit.anonymousId;
    const anon = anonymousId !== undefined && anonymousId !== '' && anonymousId !== unit.subjectId ? await store.get(experiment.id, anonymousId) : null;
    // Carried over from the anonymous id while its variant exists (anonymousId kept), else hashed from the person id.
    const carried = anon ? stickyOutcome(experiment, anon.variantId) : null;
    if (!carried && !fresh.inExperiment) return { assignment: fresh, sticky: null, created: false };
    const r = await store.putIfAbsent(
      carried
        ? { experimentId: experiment.id, unitId: unit.subjectId, variantId: anon!.variantId, assignedAt: anon!.assignedAt, anonymousId: anonymousId! }
        : { experimentId: experiment.id, unitId: unit.subjectId, variantId: fresh.variantId!, assignedAt: context.now },
    );
    // Anything else would reach the caller as `sticky: undefined` or a wrong `created`.
    if (typeof r?.stored?.variantId !== 'string' || typeof r.created !== 'boolean') throw new CrossChannelError('STORE_ERROR', 'store.putIfAbsent answered with the wrong shape', { path: ['store', 'putIfAbsent'] });
    // A racing caller may have stored first: its record wins.
    const mine = carried ?? fresh;
    return { assignment: r.created ? mine : (stickyOutcome(experiment, r.stored.variantId) ?? mine), sticky: r.stored, created: r.created };
  } catch (e) {
    throw asStoreError(e);
  }
}

/** @internal The shared sticky outcome of a stored variant id, or null when the variant does not exist (or is undefined). */
export function stickyOutcome(experiment: CompiledExperiment, variantId: string | undefined): Assignment | null {
  if (variantId === HOLDOUT_VARIANT_ID) return experiment.outcomes.holdout;
  const i = experiment.variantIds.indexOf(variantId!);
  return i < 0 ? null : experiment.outcomes.sticky[i]!;
}

/** @internal Read-side id check shared by the stores. */
export function checkIds(experimentId: unknown, unitId: unknown): void {
  if (typeof experimentId !== 'string' || experimentId === '') throw invalidInput('experimentId must be a non-empty string', 'experimentId');
  if (typeof unitId !== 'string' || unitId === '') throw invalidInput('unitId must be a non-empty string', 'unitId');
}

