import type { EpochMs } from '../core/time.js';
import { isCompiledExperiment, isCompiledHoldout, type AssignContext, type Assignment, type CompiledExperiment, type CompiledHoldout } from './config.js';
import { hashV1, hashV2From } from './hash.js';
import { chooseVariant } from './ranges.js';
import { checkNow, checkString, invalidInput } from './check.js';

/**
 * Assigns a unit (the stitched person id, or an anonymous id before identification) to a variant of an
 * experiment. Deterministic and pure: the same id, experiment and instant give the same answer in a browser, an
 * edge worker or a server, and the same variant as GrowthBook's SDK for the same `seed`, `hashVersion`, weights,
 * coverage and namespace. The checks run in GrowthBook's order (active, unit, namespace, targeting, coverage),
 * with crosschannel's own before them: start/stop, the global holdout, then the experiment's own holdout.
 *
 * The returned object is one of the experiment's precomputed (frozen) outcomes: nothing is allocated.
 *
 * @example
 * ```ts
 * declare const now: number;
 *
 * const exp = parseExperiment({ id: 'subject-line', variants: [{ id: 'control' }, { id: 'emoji' }] });
 * const a = assign(exp, 'person-42', { now });
 * if (a.variantId === 'emoji') console.log('send the emoji subject line');
 * ```
 */
export function assign(experiment: CompiledExperiment, unitId: string, context: AssignContext): Assignment {
  if (!isCompiledExperiment(experiment)) throw invalidInput('assign takes an experiment from parseExperiment', 'experiment');
  if (!Number.isFinite(context?.now)) {
    throw invalidInput('context.now must be a finite epoch ms', 'context', 'now');
  }
  const o = experiment.outcomes;
  if (!experiment.definition.active) return o.out.EXPERIMENT_INACTIVE;
  const now = context.now;
  if (now < experiment.start) return o.out.EXPERIMENT_NOT_STARTED;
  if (now >= experiment.stop) return o.out.EXPERIMENT_STOPPED;
  checkString(unitId, 'unitId');
  if (unitId.length === 0) return o.out.EXPERIMENT_NO_UNIT;
  const holdout = context.holdout;
  if (holdout !== undefined && isHeldOut(holdout, unitId, now)) return o.out.EXPERIMENT_GLOBAL_HOLDOUT;
  if (experiment.namespaceSuffix !== null) {
    const n = hashV1(unitId, experiment.namespaceSuffix);
    if (n < experiment.namespaceStart || n >= experiment.namespaceEnd) return o.out.EXPERIMENT_NOT_IN_NAMESPACE;
  }
  if (experiment.targeting !== null && !targeted(experiment.targeting, context.segments)) return o.out.EXPERIMENT_NOT_TARGETED;
  if (experiment.predicate !== null && !experiment.predicate(unitId, context)) return o.out.EXPERIMENT_NOT_TARGETED;
  if (experiment.holdoutShare > 0 && hashV2From(experiment.holdoutState, unitId) < experiment.holdoutShare) return o.holdout;
  const bucket = experiment.hashVersion === 2 ? hashV2From(experiment.seedState, unitId) : hashV1(unitId, experiment.seed);
  const v = chooseVariant(bucket, experiment.ranges);
  return v < 0 ? o.out.EXPERIMENT_NOT_IN_COVERAGE : o.variants[v]!;
}

/**
 * The bucket in [0, 1) of a unit in an experiment (GrowthBook's `hash(seed, id, hashVersion)`), e.g. to audit an
 * assignment.
 *
 * @example
 * ```ts
 * declare const exp: CompiledExperiment;
 * experimentBucket(exp, 'person-42'); // 0.4817
 * ```
 */
export function experimentBucket(experiment: CompiledExperiment, unitId: string): number {
  if (!isCompiledExperiment(experiment)) throw invalidInput('experimentBucket takes an experiment from parseExperiment', 'experiment');
  checkString(unitId, 'unitId');
  return experiment.hashVersion === 2 ? hashV2From(experiment.seedState, unitId) : hashV1(unitId, experiment.seed);
}

/**
 * True when the person is in the global holdout at `now` (and, when given, for `channel`). The share is hashed
 * on the person id with the holdout's own seed, so it is independent of every experiment's buckets.
 *
 * @example
 * ```ts
 * declare const now: number;
 *
 * const holdout = parseHoldout({ id: 'global-2026', share: 0.05 });
 * isHeldOut(holdout, 'person-42', now); // true for about 5 % of people, always the same ones
 * ```
 */
export function isHeldOut(holdout: CompiledHoldout, unitId: string, now: EpochMs, channel?: string): boolean {
  if (!isCompiledHoldout(holdout)) throw invalidInput('isHeldOut takes a holdout from parseHoldout', 'holdout');
  checkString(unitId, 'unitId');
  checkNow(now);
  if (unitId.length === 0 || now < holdout.start || now >= holdout.stop || holdout.share === 0) return false;
  if (channel !== undefined && holdout.channels !== null && !holdout.channels.includes(channel)) return false;
  const n = holdout.hashVersion === 2 ? hashV2From(holdout.seedState, unitId) : hashV1(unitId, holdout.seed);
  return n < holdout.share;
}

function targeted(
  t: { readonly all: ReadonlyArray<string>; readonly any: ReadonlyArray<string>; readonly none: ReadonlyArray<string> },
  segments: ReadonlySet<string> | ReadonlyArray<string> | undefined,
): boolean {
  if (segments === undefined) return t.all.length === 0 && t.any.length === 0;
  const has = segments instanceof Set ? (s: string) => segments.has(s) : (s: string) => (segments as ReadonlyArray<string>).includes(s);
  for (const s of t.all) if (!has(s)) return false;
  for (const s of t.none) if (has(s)) return false;
  if (t.any.length === 0) return true;
  for (const s of t.any) if (has(s)) return true;
  return false;
}
