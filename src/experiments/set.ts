import * as z from 'zod/mini';
import { maxLengthCheck } from '../core/zod.js';
import { CrossChannelError, parseWith, quoted } from '../core/errors.js';
import { assign } from './assign.js';
import { experimentSchema, holdoutSchema, parseExperiment, parseHoldout, type AssignContext, type Assignment, type CompiledExperiment, type CompiledHoldout, type TargetingPredicate } from './config.js';
import type { ExperimentErrorCode } from './errors.js';
import { invalidInput } from './check.js';

/**
 * Schema of a set of experiments run together: a global holdout, and experiments whose namespaces (layers) make
 * them mutually exclusive.
 *
 * @example
 * ```ts
 * experimentSetSchema.parse({ holdout: { id: 'global', share: 0.05 }, experiments: [] });
 * ```
 */
export const experimentSetSchema = /* @__PURE__ */ (() => z.strictObject({
    holdout: z.optional(holdoutSchema),
    experiments: z.array(z.unknown()).check(maxLengthCheck(10_000)),
  }))();

/** A set of experiments as a caller writes it. */
export interface ExperimentSetInput {
  readonly holdout?: z.input<typeof holdoutSchema> | undefined;
  readonly experiments: ReadonlyArray<z.input<typeof experimentSchema>>;
}

/** A parsed set of experiments. */
export interface CompiledExperimentSet {
  readonly experiments: ReadonlyArray<CompiledExperiment>;
  readonly byId: ReadonlyMap<string, CompiledExperiment>;
  readonly holdout: CompiledHoldout | undefined;
}

/**
 * Validates a set of experiments: ids unique, and within one namespace (a layer) no two experiments whose run
 * times overlap may claim overlapping ranges (`EXPERIMENT_NAMESPACE_OVERLAP`, path of the later one).
 *
 * @example
 * ```ts
 * const set = parseExperimentSet({
 *   holdout: { id: 'global-2026', share: 0.05 },
 *   experiments: [
 *     { id: 'subject-line', variants: [{ id: 'a' }, { id: 'b' }], namespace: { id: 'email', range: [0, 0.5] } },
 *     { id: 'send-time', variants: [{ id: 'am' }, { id: 'pm' }], namespace: { id: 'email', range: [0.5, 1] } },
 *   ],
 * });
 * ```
 */
export function parseExperimentSet(input: ExperimentSetInput, predicates: Readonly<Record<string, TargetingPredicate>> = {}): CompiledExperimentSet {
  const raw = parseWith(experimentSetSchema, input, 'CONFIG_INVALID');
  if (typeof predicates !== 'object' || predicates === null) throw invalidInput('predicates must be an object', 'predicates');
  const experiments = raw.experiments.map((e, i) => {
    const id = (e as { id?: unknown } | null)?.id;
    const found = typeof id === 'string' && Object.hasOwn(predicates, id) ? predicates[id] : undefined;
    const predicate = typeof found === 'function' ? found : undefined;
    return parseExperiment(e as z.input<typeof experimentSchema>, predicate ? { predicate } : {}, ['experiments', i]);
  });
  const byId = new Map<string, CompiledExperiment>();
  experiments.forEach((e, i) => {
    if (byId.has(e.id)) throw new CrossChannelError('CONFIG_INVALID', `Duplicate experiment id ${quoted(e.id)}`, { path: ['experiments', i, 'id'] });
    byId.set(e.id, e);
    if (e.namespaceSuffix === null) return;
    for (let j = 0; j < i; j++) {
      const o = experiments[j]!;
      if (o.namespaceSuffix !== e.namespaceSuffix || !o.definition.active || !e.definition.active) continue;
      const timesOverlap = o.start < e.stop && e.start < o.stop;
      const rangesOverlap = o.namespaceStart < e.namespaceEnd && e.namespaceStart < o.namespaceEnd;
      if (timesOverlap && rangesOverlap) {
        throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_NAMESPACE_OVERLAP', `Experiments ${quoted(o.id)} and ${quoted(e.id)} overlap in namespace ${quoted(e.definition.namespace!.id)}`, {
          path: ['experiments', i, 'namespace', 'range'],
          detail: { other: o.id },
        });
      }
    }
  });
  return Object.freeze({ experiments, byId, holdout: raw.holdout ? parseHoldout(raw.holdout) : undefined });
}

/**
 * Assigns a unit in every experiment of the set (the set's global holdout applies). Returns one assignment per
 * experiment, in the set's order.
 *
 * @example
 * ```ts
 * declare const set: CompiledExperimentSet;
 * declare const now: number;
 *
 * const running = assignAll(set, 'person-42', { now }).filter((a) => a.inExperiment);
 * ```
 */
export function assignAll(set: CompiledExperimentSet, unitId: string, context: AssignContext): Assignment[] {
  if (!Array.isArray((set as { experiments?: unknown } | null)?.experiments)) {
    throw invalidInput('assignAll takes a set from parseExperimentSet', 'set');
  }
  const ctx = set.holdout !== undefined && context?.holdout === undefined ? { ...context, holdout: set.holdout } : context;
  return set.experiments.map((e) => assign(e, unitId, ctx));
}

/**
 * Looks an experiment of the set up by id, or throws `EXPERIMENT_UNKNOWN`.
 *
 * @example
 * ```ts
 * declare const set: CompiledExperimentSet;
 * const exp = experimentById(set, 'subject-line');
 * ```
 */
export function experimentById(set: CompiledExperimentSet, id: string): CompiledExperiment {
  const e = set?.byId instanceof Map ? set.byId.get(id) : undefined;
  if (!e) throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_UNKNOWN', `No experiment ${quoted(id)} in the set`, { path: ['id'] });
  return e;
}
