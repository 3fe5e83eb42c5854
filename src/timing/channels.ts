import { inputError } from '../core/errors.js';
import { reason, type Reason } from '../core/explain.js';
import type { TimingReasonCode } from './errors.js';
import { channelAffinity, checkModel, checkSubject, type ChannelAffinity } from './fit.js';
import { type TimingModel } from './model.js';
import { ownValue } from '../core/own.js';

/**
 * What a contact on a channel costs and earns: `cost` per message, `conversionValue` per conversion,
 * `responseValue` per response (default 0 each).
 *
 * @example
 * ```ts
 * const sms: ChannelEconomics = { cost: 0.05, conversionValue: 40 };
 * ```
 */
export interface ChannelEconomics {
  readonly cost?: number | undefined;
  readonly conversionValue?: number | undefined;
  readonly responseValue?: number | undefined;
}

/**
 * Options of {@link rankChannels}: the channels to compare with their economics, and the person's consent per
 * channel (`true`/`'granted'`, `false`/`'denied'`, `'unknown'`; a channel not listed is `'unknown'`).
 *
 * @example
 * ```ts
 * const options: RankChannelsOptions = { channels: { email: { cost: 0.001, conversionValue: 40 }, sms: { cost: 0.05, conversionValue: 40 } }, consent: { email: true, sms: 'denied' } };
 * ```
 */
export interface RankChannelsOptions {
  readonly channels: Readonly<Record<string, ChannelEconomics>>;
  readonly consent?: Readonly<Record<string, boolean | 'granted' | 'denied' | 'unknown'>> | undefined;
  /** Whether a channel with unknown consent may be used (default `'deny'`: fail closed). */
  readonly unknownConsent?: 'allow' | 'deny' | undefined;
}

/**
 * One channel's expected value for a person: `conversionRate × conversionValue + responseRate × responseValue −
 * cost`, with the affinity it came from; `allowed` false (and `expectedValue` null) without consent.
 *
 * @example
 * ```ts
 * declare const v: ChannelValue;
 * if (v.allowed) console.log(v.channel, v.expectedValue?.toFixed(2));
 * ```
 */
export interface ChannelValue extends ChannelAffinity {
  readonly allowed: boolean;
  readonly expectedValue: number | null;
  readonly reasons: ReadonlyArray<Reason<TimingReasonCode>>;
}

/**
 * Ranks channels for one person by expected value (best first; channels without consent last, with a
 * `TIMING_CHANNEL_NO_CONSENT` reason). Affinities are the model's shrunk response and conversion rates, so a
 * person with no history on a channel is ranked by their segment's or the population's rates (`priorOnly`).
 * Throws `TIMING_UNKNOWN_CHANNEL`, or `INPUT_INVALID` for a negative or non-finite cost or value, or an
 * `unknownConsent` other than `'allow'` or `'deny'`.
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * const [best] = rankChannels(model, 'p1', { channels: { email: { cost: 0.001, conversionValue: 40 }, sms: { cost: 0.05, conversionValue: 40 } }, consent: { email: true, sms: true } });
 * best?.channel; // the channel with the highest expected value
 * ```
 */
export function rankChannels(model: TimingModel, subjectId: string, options: RankChannelsOptions): ChannelValue[] {
  checkModel(model);
  checkSubject(subjectId);
  if (typeof options !== 'object' || options === null || typeof options.channels !== 'object' || options.channels === null) {
    throw inputError('options.channels must map channels to their economics', ['channels']);
  }
  const u = options.unknownConsent;
  if (u !== undefined && u !== 'allow' && u !== 'deny') throw inputError("unknownConsent must be 'allow' or 'deny'", ['unknownConsent']);
  const unknownAllowed = u === 'allow';
  const out: ChannelValue[] = [];
  for (const [channel, eco] of Object.entries(options.channels)) {
    const money = (field: 'cost' | 'conversionValue' | 'responseValue'): number => {
      const v = (eco as ChannelEconomics | null)?.[field] ?? 0;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw inputError(`${field} must be a non-negative finite number`, ['channels', channel, field]);
      return v;
    };
    model.channelOf(channel, ['channels', channel]);
    const cost = money('cost');
    const conversionValue = money('conversionValue');
    const responseValue = money('responseValue');
    const a = channelAffinity(model, subjectId, channel);
    // Own keys only: a channel named `constructor` that the consent map does not list is unknown, not a function.
    const c = ownValue(options.consent, channel) ?? 'unknown';
    if (typeof c !== 'boolean' && c !== 'granted' && c !== 'denied' && c !== 'unknown') throw inputError("consent must be true, false, 'granted', 'denied' or 'unknown'", ['consent', channel]);
    const consented = c === true || c === 'granted' || (c === 'unknown' && unknownAllowed);
    if (!consented) {
      out.push({ ...a, allowed: false, expectedValue: null, reasons: [reason('TIMING_CHANNEL_NO_CONSENT', `No consent to contact ${subjectId} on ${channel} (${String(c)})`, { detail: { channel, consent: c } })] });
    } else {
      out.push({ ...a, allowed: true, expectedValue: a.conversionRate * conversionValue + a.responseRate * responseValue - cost, reasons: [] });
    }
  }
  return out.sort((x, y) => (x.allowed !== y.allowed ? (x.allowed ? -1 : 1) : (y.expectedValue ?? 0) - (x.expectedValue ?? 0) || (x.channel < y.channel ? -1 : 1)));
}

/**
 * Channel affinity as arbitration context weights: for each offer id, the person's response rate on `channel`
 * (times any weight already given; every given weight must be a finite number ≥ 0, else `INPUT_INVALID` at
 * `weights.<id>`). Arbitration multiplies an offer's score by its context weight, so running
 * `arbitrate` once per channel with these weights ranks (offer, channel) pairs on one scale: propensity ×
 * P(response on that channel) × value. Arbitration never imports timing; this produces the data it accepts.
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * const context = { subjectId: 'p1', ...affinityWeights(model, 'p1', 'sms', ['card', 'loan']) };
 * // arbitrate(context, catalogue, history, { now, channel: 'sms' }) — compare selected scores across channels
 * ```
 */
export function affinityWeights(
  model: TimingModel,
  subjectId: string,
  channel: string,
  offerIds: ReadonlyArray<string>,
  weights: Readonly<Record<string, number>> = {},
): { readonly weights: Readonly<Record<string, number>> } {
  checkModel(model);
  if (!Array.isArray(offerIds)) throw inputError('offerIds must be an array of ids', ['offerIds']);
  if (typeof weights !== 'object' || weights === null) throw inputError('weights must be numbers', ['weights']);
  const rate = channelAffinity(model, subjectId, channel).responseRate;
  // Entries, then fromEntries: offer ids are any string, and `__proto__` must stay a key (assignment would set the prototype).
  const out = Object.entries(weights);
  for (const [id, w] of out) if (typeof w !== 'number' || !(w >= 0 && w < Infinity)) throw inputError('weights must be finite numbers ≥ 0', ['weights', id]);
  for (const id of offerIds) {
    if (typeof id !== 'string') throw inputError('offer ids must be strings', ['offerIds']);
    out.push([id, (ownValue(weights, id) ?? 1) * rate]);
  }
  return { weights: Object.fromEntries(out) };
}
