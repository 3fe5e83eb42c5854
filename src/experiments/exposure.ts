import { parseBehaviourEvent, type BehaviourEvent } from '../core/records.js';
import type { EpochMs } from '../core/time.js';
import type { Assignment } from './config.js';
import { invalidInput } from './check.js';
import { fnv1a32 } from './hash.js';
import type { CrossChannelError } from '../core/errors.js';

/** Event type of an exposure in the shared history. */
export const EXPOSURE_EVENT_TYPE = 'experiment_exposure';
/** Event type of a contact a holdout suppressed ("would have been sent"). */
export const WOULD_HAVE_SENT_EVENT_TYPE = 'holdout_would_have_sent';

/** Who was exposed, when, where. */
export interface ExposureInput {
  /** The stitched person id (the subject of the shared history). */
  readonly subjectId: string;
  /** The anonymous id the person had when first exposed, if any: kept so both ids stay joined. */
  readonly anonymousId?: string | undefined;
  readonly at: EpochMs;
  readonly channel?: string | undefined;
}

/**
 * The exposure of a person to an experiment as a {@link BehaviourEvent} of the shared history (type
 * `experiment_exposure`), so analysis reads the same history as everything else. The event id is stable per
 * experiment and person, so appending it on every exposure keeps one (the first) in an idempotent event store.
 * Returns null when the assignment is not in the experiment (nothing to log).
 *
 * @example
 * ```ts
 * declare const exp: CompiledExperiment;
 * declare const now: number;
 *
 * const a = assign(exp, 'person-42', { now });
 * const event = exposureEvent(a, { subjectId: 'person-42', anonymousId: 'anon-7', at: now, channel: 'email' });
 * ```
 */
export function exposureEvent(assignment: Assignment, exposure: ExposureInput): BehaviourEvent | null {
  if (typeof assignment?.experimentId != 'string') throw invalidInput('exposureEvent takes an assignment from assign', 'assignment');
  if (!assignment.inExperiment) return null;
  const properties: Record<string, string | number | boolean> = {
    experimentId: assignment.experimentId,
    variantId: assignment.variantId!,
    variantIndex: assignment.variantIndex,
    held: assignment.held,
  };
  if (exposure?.anonymousId !== undefined) properties.anonymousId = exposure.anonymousId;
  const input: Record<string, unknown> = {
    id: exposureId(assignment.experimentId),
    subjectId: exposure?.subjectId,
    type: EXPOSURE_EVENT_TYPE,
    at: exposure?.at,
    properties,
  };
  if (exposure?.channel !== undefined) input.channel = exposure.channel;
  try {
    return parseBehaviourEvent(input as Parameters<typeof parseBehaviourEvent>[0]);
  } catch (e) {
    // Named in the argument the field came from: the event's id and properties are the assignment's, but anonymousId.
    const [k, p] = (e as CrossChannelError).pathSegments;
    throw invalidInput((e as Error).message, ...(k == 'id' || (p && p != 'anonymousId') ? ['assignment'] : ['exposure', p ?? k!]));
  }
}

// One id per experiment (the event store keeps the first); an id of 248–256 characters would not fit an event id
// after the prefix: its first 238 characters and its hash instead.
const exposureId = (id: string): string => 'exposure:' + (id.length < 248 ? id : id.slice(0, 238) + '~' + fnv1a32(id).toString(36));

/**
 * The record a caller writes instead of a contact a holdout suppressed (type `holdout_would_have_sent`): the
 * counterfactual the holdout's analysis compares against.
 *
 * @example
 * ```ts
 * declare const now: number;
 *
 * wouldHaveSentEvent({ held: true, experimentId: 'global-2026', variantId: 'holdout' }, { subjectId: 'p1', at: now, channel: 'email', campaignId: 'spring' });
 * ```
 */
export function wouldHaveSentEvent(
  held: { readonly held: true; readonly experimentId: string; readonly variantId: string },
  contact: { readonly subjectId: string; readonly at: EpochMs; readonly channel: string; readonly campaignId?: string | undefined; readonly offerId?: string | undefined },
): BehaviourEvent {
  if (held?.held !== true) throw invalidInput('wouldHaveSentEvent takes a held answer', 'held');
  const properties: Record<string, string> = { experimentId: held.experimentId, variantId: held.variantId };
  if (contact?.campaignId !== undefined) properties.campaignId = contact.campaignId;
  if (contact?.offerId !== undefined) properties.offerId = contact.offerId;
  return parseBehaviourEvent({ subjectId: contact?.subjectId, type: WOULD_HAVE_SENT_EVENT_TYPE, at: contact?.at, channel: contact?.channel, properties });
}
