/**
 * What `advance` reads besides the instance, and its validation: everything is checked before anything runs,
 * so a bad input leaves nothing half-done.
 */
import { CrossChannelError, formatPath, quoted } from '../core/errors.js';
import type { BehaviourEvent, ResponseKind } from '../core/records.js';
import { RESPONSE_KINDS } from '../core/records.js';
import { isValidTimeZone, MAX_EPOCH_MS, type EpochMs } from '../core/time.js';
import type { CapHistory } from '../capping/evaluate.js';
import { isCompiledCapRules, type CompiledCapRules } from '../capping/rules.js';
import type { ConsentState } from '../consent/ledger.js';
import type { Profile } from '../segments/conditions.js';
import type { JourneyErrorCode } from './errors.js';
import type { BestMomentCheck, HoldoutCheck } from './hooks.js';

/**
 * A reaction to a message: a response record's fields the engine reads. `contactId` is the idempotency key of
 * the send action it answers (it names the step); without it the reaction counts for the journey only.
 *
 * @example
 * ```ts
 * const r: JourneyResponse = { subjectId: 'p1', kind: 'opened', at: Date.parse('2026-03-10T08:00:00Z'), contactId: 'wp:p1:1:newsletter:6' };
 * ```
 */
export interface JourneyResponse {
  readonly id?: string;
  readonly subjectId: string;
  readonly kind: ResponseKind;
  readonly at: EpochMs;
  readonly contactId?: string;
  readonly channel?: string;
}

/**
 * An inbound free-text message (an SMS reply).
 *
 * @example
 * ```ts
 * const r: InboundReply = { subjectId: 'p1', channel: 'sms', text: 'oui Paul', at: Date.parse('2026-05-02T18:00:00Z') };
 * ```
 */
export interface InboundReply {
  readonly id?: string;
  readonly subjectId: string;
  readonly channel: string;
  readonly text: string;
  readonly at: EpochMs;
}

/**
 * One inbound input for an instance, with the id that makes its delivery idempotent.
 *
 * @example
 * ```ts
 * const input: JourneyInput = { id: 'evt-981', event: { subjectId: 'p1', type: 'purchase', at: 0, properties: {} } };
 * ```
 */
export type JourneyInput =
  | { readonly id: string; readonly event: BehaviourEvent }
  | { readonly id: string; readonly response: JourneyResponse }
  | { readonly id: string; readonly reply: InboundReply };

/**
 * Everything `advance` may read besides the instance: what is new since the last advance (events, responses,
 * replies) and what sends are checked against (consent state, caps with the contact history). Consent and caps
 * absent = not checked (the trace says so); the runner always passes them.
 *
 * @example
 * ```ts
 * declare const consent: ConsentState; declare const caps: CompiledCapRules; declare const history: CapHistory;
 * const inputs: AdvanceInputs = { profile: { timeZone: 'Europe/Paris' }, consent, caps, history };
 * ```
 */
export interface AdvanceInputs {
  readonly profile?: Profile;
  /** New behaviour events of this person (e.g. `purchase`), any order; each dated at or before `now`. */
  readonly events?: ReadonlyArray<BehaviourEvent>;
  /** New reactions to messages. */
  readonly responses?: ReadonlyArray<JourneyResponse>;
  /** New inbound replies. */
  readonly replies?: ReadonlyArray<InboundReply>;
  /**
   * New inputs in delivery order (a claim's inbox, as the runner passes it): at one instant they are replayed in
   * this order, before `events`, `responses` and `replies` of the same instant.
   */
  readonly inbox?: ReadonlyArray<JourneyInput>;
  /**
   * The person's events as your event store has them (up to `now`): when given, split conditions and
   * `leftSegment` exits read these (those dated at or before the moment they are evaluated) instead of the new
   * `events`. Without it they see only this advance's new events.
   */
  readonly recentEvents?: ReadonlyArray<BehaviourEvent>;
  readonly consent?: ConsentState;
  readonly caps?: CompiledCapRules;
  /** The person's contact history (all campaigns), for the caps. */
  readonly history?: CapHistory;
  readonly holdout?: HoldoutCheck;
  readonly bestMoment?: BestMomentCheck;
  /** The person's zone (default: the profile's `timeZoneAttr`, then the journey's `timeZone`). */
  readonly timeZone?: string;
}


const KINDS = new Set<string>(RESPONSE_KINDS);

/** One inbound input, tagged. */
export type Signal =
  | { kind: 'event'; at: EpochMs; event: BehaviourEvent }
  | { kind: 'response'; at: EpochMs; response: JourneyResponse }
  | { kind: 'reply'; at: EpochMs; reply: InboundReply };


function inputError(message: string, path: ReadonlyArray<string | number>): CrossChannelError<JourneyErrorCode> {
  return new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', message, { path });
}

/** One input list, or none. */
function listOf(inputs: AdvanceInputs, name: 'inbox' | 'events' | 'responses' | 'replies'): ReadonlyArray<unknown> {
  const v = inputs[name];
  if (v === undefined) return NONE;
  if (!Array.isArray(v)) throw inputError(`inputs.${name} must be an array`, ['inputs', name]);
  return v;
}

const NONE: ReadonlyArray<unknown> = Object.freeze([]);

/**
 * Validates the new inputs (before anything runs) and returns them as one list in time order; inputs at one instant
 * keep the order given (the inbox in delivery order, then events, responses, replies). An input dated after `now` is
 * refused: it must not act before its time.
 */
export function collectSignals(inputs: AdvanceInputs, subjectId: string, now: EpochMs): Signal[] {
  const inbox = listOf(inputs, 'inbox');
  const lists = [listOf(inputs, 'events'), listOf(inputs, 'responses'), listOf(inputs, 'replies')] as const;
  // The common case (a timer, no input) allocates nothing.
  if (inbox.length === 0 && lists[0].length === 0 && lists[1].length === 0 && lists[2].length === 0) return [];
  const out: Signal[] = [];
  const add = (kind: Signal['kind'], x: unknown, path: Array<string | number>): void => {
    const name = formatPath(path.slice(1));
    if (typeof x !== 'object' || x === null) throw inputError(`${name} must be an object`, path);
    const r = x as Record<string, unknown>;
    if (r.subjectId !== subjectId) throw inputError(`${name} is about ${quoted(r.subjectId)}, not ${quoted(subjectId)}`, [...path, 'subjectId']);
    if (typeof r.at !== 'number' || !(Math.abs(r.at) <= MAX_EPOCH_MS)) throw inputError(`${name}.at must be epoch ms`, [...path, 'at']);
    if (r.at > now) throw inputError(`${name}.at is after now: an input is applied at its time, not before`, [...path, 'at']);
    const at = r.at;
    if (kind === 'event') {
      if (typeof r.type !== 'string') throw inputError(`${name}.type must be a string`, [...path, 'type']);
      if (r.properties !== undefined && (typeof r.properties !== 'object' || r.properties === null)) throw inputError(`${name}.properties must be an object`, [...path, 'properties']);
      out.push({ kind, at, event: (r.properties === undefined ? { ...r, properties: {} } : r) as unknown as BehaviourEvent });
    } else if (kind === 'response') {
      if (typeof r.kind !== 'string' || !KINDS.has(r.kind)) throw inputError(`${name}.kind is not a response kind`, [...path, 'kind']);
      if (r.contactId !== undefined && typeof r.contactId !== 'string') throw inputError(`${name}.contactId must be a string`, [...path, 'contactId']);
      out.push({ kind, at, response: r as unknown as JourneyResponse });
    } else {
      if (typeof r.text !== 'string' || r.text.length > 2000) throw inputError(`${name}.text must be a string of at most 2000 characters`, [...path, 'text']);
      if (typeof r.channel !== 'string') throw inputError(`${name}.channel must be a string`, [...path, 'channel']);
      out.push({ kind, at, reply: r as unknown as InboundReply });
    }
  };
  // Spread: forEach would skip a sparse array's holes (an input silently dropped); spread reads them as undefined, refused.
  [...inbox].forEach((x, i) => {
    const kind = typeof x === 'object' && x !== null ? (['event', 'response', 'reply'] as const).find((k) => k in x) : undefined;
    if (kind === undefined) throw inputError(`inbox[${i}] needs an event, a response or a reply`, ['inputs', 'inbox', i]);
    add(kind, (x as Record<string, unknown>)[kind], ['inputs', 'inbox', i, kind]);
  });
  lists.forEach((list, n) => [...list].forEach((x, i) => add((['event', 'response', 'reply'] as const)[n]!, x, ['inputs', (['events', 'responses', 'replies'] as const)[n]!, i])));
  // Stable sort by time only: at one instant, the order given (delivery order) decides, whatever the kinds.
  return out.length > 1 ? out.map((s, i) => [s, i] as const).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map((p) => p[0]) : out;
}

export function checkInputs(inputs: AdvanceInputs): void {
  if (typeof inputs !== 'object' || inputs === null) throw inputError('inputs must be an object', ['inputs']);
  if (inputs.caps !== undefined && !isCompiledCapRules(inputs.caps)) throw inputError('inputs.caps must come from parseCapRules', ['inputs', 'caps']);
  if (inputs.consent !== undefined && (typeof inputs.consent !== 'object' || inputs.consent === null || !('policy' in inputs.consent))) {
    throw inputError('inputs.consent must come from consentState', ['inputs', 'consent']);
  }
  if (inputs.history !== undefined && (typeof inputs.history !== 'object' || inputs.history === null || !Array.isArray(inputs.history.contacts) || !Array.isArray(inputs.history.responses))) {
    throw inputError('inputs.history must be { contacts: [], responses: [] }', ['inputs', 'history']);
  }
  if (inputs.profile !== undefined && (typeof inputs.profile !== 'object' || inputs.profile === null)) throw inputError('inputs.profile must be an object', ['inputs', 'profile']);
  if (inputs.timeZone !== undefined && (typeof inputs.timeZone !== 'string' || !isValidTimeZone(inputs.timeZone))) {
    throw new CrossChannelError<JourneyErrorCode>('TIMEZONE_INVALID', 'inputs.timeZone is not a known IANA zone', { path: ['inputs', 'timeZone'] });
  }
  const recent = inputs.recentEvents;
  if (recent !== undefined && !(Array.isArray(recent) && [...recent].every((e) => typeof e === 'object' && e !== null && typeof e.type === 'string' && typeof e.at === 'number'))) {
    throw inputError('inputs.recentEvents must be a list of behaviour events', ['inputs', 'recentEvents']);
  }
  for (const hook of ['holdout', 'bestMoment'] as const) {
    if (inputs[hook] !== undefined && typeof inputs[hook] !== 'function') throw inputError(`inputs.${hook} must be a function`, ['inputs', hook]);
  }
}
