/**
 * What `advance` returns: the actions the host performs (each with its idempotency key) and the trace.
 */
import type { Reason } from '../core/explain.js';
import type { EpochMs } from '../core/time.js';
import type { JourneyReasonCode } from './errors.js';
import type { JourneyInstance } from './instance.js';

interface ActionBase {
  /** Idempotency key: instance id + step + attempt. Handlers must treat a repeated key as done. */
  readonly key: string;
  readonly subjectId: string;
  readonly journeyId: string;
  readonly version: number;
  readonly stepId: string;
  readonly at: EpochMs;
}

/** The contact fields of a `send` / `wouldSend` action. */
export interface SendFields {
  readonly channel: string;
  readonly message: string;
  readonly offerId?: string;
  readonly campaignId: string;
  readonly tags: ReadonlyArray<string>;
  readonly transactional: boolean;
}

/**
 * What the host must do. `send` and `wouldSend` carry the contact to record (`key` is its idempotency key and
 * contact id); `task` is a call-centre task, webhook or attribute update; `answer` records a parsed reply;
 * `optOut` withdraws consent for a channel.
 *
 * @example
 * ```ts
 * declare const a: JourneyAction;
 * if (a.kind === 'send') console.log(a.channel, a.message, a.key);
 * ```
 */
export type JourneyAction =
  | (ActionBase & SendFields & { readonly kind: 'send' })
  | (ActionBase & SendFields & { readonly kind: 'wouldSend'; readonly experimentId: string; readonly variantId: string })
  | (ActionBase & { readonly kind: 'task'; readonly task: string; readonly payload: Readonly<Record<string, unknown>> })
  | (ActionBase & { readonly kind: 'answer'; readonly choice: string; readonly name?: string; readonly text: string })
  | (ActionBase & { readonly kind: 'optOut'; readonly channel: string });

/**
 * One line of the trace: a reason with the step and the logical time it happened.
 *
 * @example
 * ```ts
 * const t: TraceEntry = { code: 'JOURNEY_SEND_HELD', message: 'caps: held until …', step: 'newsletter', at: 0 };
 * ```
 */
export type TraceEntry = Reason<JourneyReasonCode | string> & { readonly step: string; readonly at: EpochMs };

/**
 * The outcome of one advance.
 *
 * @example
 * ```ts
 * declare const r: AdvanceResult;
 * for (const a of r.actions) console.log(a.kind, a.key);
 * console.log(r.wakeAt); // when to call advance again without input (null: ended)
 * ```
 */
export interface AdvanceResult {
  readonly instance: JourneyInstance;
  readonly actions: ReadonlyArray<JourneyAction>;
  readonly wakeAt: EpochMs | null;
  readonly trace: ReadonlyArray<TraceEntry>;
}
