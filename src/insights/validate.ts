import { CrossChannelError, quoted, inputError } from '../core/errors.js';
import type { ResponseKind } from '../core/records.js';
import type { InsightsErrorCode } from './errors.js';
import { ownValue } from '../core/own.js';
import { isCalendarInstant } from '../core/time.js';

// The kinds are interned literals: a switch compares pointers where a Set would hash. Every kind of
// RESPONSE_KINDS is a case (`Listed` fails to compile when one is missing).
const isKind = (k: string): boolean => {
  switch (k) {
    case 'opened':
    case 'clicked':
    case 'accepted':
    case 'refused':
    case 'ignored':
    case 'unsubscribed':
    case 'complained':
    case 'converted':
      return true;
    default:
      return false;
  }
};
type Listed<Missing extends never> = Missing;
type KindsListed = Listed<Exclude<ResponseKind, 'opened' | 'clicked' | 'accepted' | 'refused' | 'ignored' | 'unsubscribed' | 'complained' | 'converted'>>;
type Path = ReadonlyArray<string | number>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
// Years 1 to 9999, the instants local periods can be computed for (a finite but huger `at` failed inside, at `ms`).
const isAt = (v: unknown): boolean => typeof v === 'number' && isCalendarInstant(v);

/**
 * Cheap structural check of a parsed history (the hot paths read histories that stores produced, so a full zod
 * parse per record would dominate the cost): the fields the insights read must have the right types, amounts and
 * values must not be negative. Throws before anything is counted, so a bad history never half-counts.
 */
export function checkHistory(h: unknown, options: { readonly purchaseEvent: string; readonly amountProperty: string }, base: Path = []): void {
  if (!isObj(h)) throw inputError('Expected a history object', base);
  if (typeof h.subjectId !== 'string') throw inputError('Expected subjectId to be a string', [...base, 'subjectId']);
  if (!Array.isArray(h.contacts)) throw inputError('Expected contacts to be an array', [...base, 'contacts']);
  if (!Array.isArray(h.responses)) throw inputError('Expected responses to be an array', [...base, 'responses']);
  if (!Array.isArray(h.events)) throw inputError('Expected events to be an array', [...base, 'events']);
  const segs = h.segments;
  if (segs !== undefined) {
    if (!Array.isArray(segs)) throw inputError('Expected segments to be an array of strings', [...base, 'segments']);
    for (let i = 0; i < segs.length; i++) {
      if (typeof segs[i] !== 'string') throw inputError('Expected segments to be an array of strings', [...base, 'segments', i]);
      // A segment listed twice would count the person's records twice in it.
      if (segs.indexOf(segs[i]) !== i) throw inputError(`Segment ${quoted(segs[i])} listed twice`, [...base, 'segments', i]);
    }
  }
  const contacts = h.contacts as unknown[];
  for (let i = 0; i < contacts.length; i++) {
    const r = contacts[i];
    if (!isObj(r) || !isAt(r.at) || typeof r.channel !== 'string') throw inputError('Expected a parsed contact with at (epoch ms) and channel', [...base, 'contacts', i]);
    if (r.tags !== undefined && !Array.isArray(r.tags)) throw inputError('Expected tags to be an array', [...base, 'contacts', i, 'tags']);
    if ((r.campaignId !== undefined && typeof r.campaignId !== 'string') || (r.offerId !== undefined && typeof r.offerId !== 'string')) {
      throw inputError('Expected campaignId / offerId to be strings', [...base, 'contacts', i]);
    }
  }
  const responses = h.responses as unknown[];
  for (let i = 0; i < responses.length; i++) {
    const r = responses[i];
    if (!isObj(r) || !isAt(r.at) || typeof r.channel !== 'string' || typeof r.kind !== 'string' || !isKind(r.kind)) {
      throw inputError('Expected a parsed response with at (epoch ms), channel and a known kind', [...base, 'responses', i]);
    }
    if (r.value !== undefined && (typeof r.value !== 'number' || !Number.isFinite(r.value))) throw inputError('Expected value to be a finite number', [...base, 'responses', i, 'value']);
    if (typeof r.value === 'number' && r.value < 0) {
      throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_AMOUNT_NEGATIVE', 'A conversion value cannot be negative', { path: [...base, 'responses', i, 'value'] });
    }
  }
  const events = h.events as unknown[];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!isObj(e) || !isAt(e.at) || typeof e.type !== 'string' || (e.channel !== undefined && typeof e.channel !== 'string')) {
      throw inputError('Expected a parsed behaviour event with at (epoch ms) and type', [...base, 'events', i]);
    }
    // Funnels, cohorts, new customers and recency read events in the history's order: out of time order, they miscounted.
    if (i && (e.at as number) < (events[i - 1] as { at: number }).at) throw inputError('Events must be in time order', [...base, 'events', i, 'at']);
    if (e.type === options.purchaseEvent && isObj(e.properties)) {
      // Own key only: an amount property named `constructor` is absent from an event without it, not a function.
      const v = ownValue(e.properties, options.amountProperty);
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw inputError('Expected the purchase amount to be a finite number', [...base, 'events', i, 'properties', options.amountProperty]);
      if (typeof v === 'number' && v < 0) {
        throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_AMOUNT_NEGATIVE', 'A purchase amount cannot be negative', { path: [...base, 'events', i, 'properties', options.amountProperty] });
      }
    }
  }
}

/**
 * Feeds every history of an iterable or async iterable (a store scan, a file stream) to `add`; anything else is
 * `INPUT_INVALID`. Shared by the KPI, funnel and cohort accumulators.
 */
export async function forEachHistory<H>(histories: Iterable<H> | AsyncIterable<H>, add: (h: H) => void): Promise<void> {
  if (!isObj(histories) || (typeof (histories as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' && typeof (histories as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
    throw inputError('Expected an iterable or async iterable of histories', []);
  }
  for await (const h of histories) add(h);
}

/**
 * Refuses to merge a state (an accumulator's JSON) computed under another definition: `field` of the state must
 * equal `expected` as JSON values (key order aside: a state kept in a PostgreSQL jsonb column comes back with its
 * keys reordered), else `INSIGHTS_STATE_MISMATCH` naming the field. Not a state, or a state of another version, is
 * `INPUT_INVALID` (at `version`).
 */
export function checkMergeable(state: unknown, field: string, expected: unknown, message: string): void {
  // Not a state, or a state of another version, is the input's fault at its place, not a mismatch of options.
  if (!isObj(state)) throw inputError('Expected a state from toJSON()', []);
  if (state.version !== 1) throw inputError(`Unsupported state version ${quoted(state.version)} (expected 1)`, ['version']);
  if (!sameJson(state[field], expected)) throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_STATE_MISMATCH', message, { path: [field] });
}

/** Whether two JSON values are equal, objects compared key by key whatever their order (`undefined` members as absent). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

/**
 * Throws `INPUT_INVALID` ("Malformed `what` state") at the first entry of `list` that is not a finite number (a
 * hole included), at `path` when it is not an array: merges check every value they will add before adding any.
 */
export function finiteNumbers(list: unknown, path: Path, what: string): void {
  if (!Array.isArray(list)) throw inputError(`Malformed ${what} state`, path);
  for (let i = 0; i < list.length; i++) finiteNumber(list[i], [...path, i], what);
}

/** {@link finiteNumbers} for one value. */
export function finiteNumber(v: unknown, path: Path, what: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError(`Malformed ${what} state`, path);
}
