/**
 * What `advance` reads besides the instance, and its validation: everything is checked before anything runs,
 * so a bad input leaves nothing half-done.
 */
import { CrossChannelError, quoted } from '../core/errors.js';
import type { BehaviourEvent, ResponseKind } from '../core/records.js';
import { RESPONSE_KINDS } from '../core/records.js';
import { isValidTimeZone, type EpochMs } from '../core/time.js';
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
  /** New behaviour events of this person (e.g. `purchase`), any order. */
  readonly events?: ReadonlyArray<BehaviourEvent>;
  /** New reactions to messages. */
  readonly responses?: ReadonlyArray<JourneyResponse>;
  /** New inbound replies. */
  readonly replies?: ReadonlyArray<InboundReply>;
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
function listOf(inputs: AdvanceInputs, name: 'events' | 'responses' | 'replies'): ReadonlyArray<unknown> {
  const v = inputs[name];
  if (v === undefined) return NONE;
  if (!Array.isArray(v)) throw inputError(`inputs.${name} must be an array`, ['inputs', name]);
  return v;
}

function checkItem(x: unknown, name: string, i: number, subjectId: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null) throw inputError(`${name}[${i}] must be an object`, ['inputs', name, i]);
  const r = x as Record<string, unknown>;
  if (r.subjectId !== subjectId) throw inputError(`${name}[${i}] is about ${quoted(r.subjectId)}, not ${quoted(subjectId)}`, ['inputs', name, i, 'subjectId']);
  if (typeof r.at !== 'number' || !Number.isFinite(r.at)) throw inputError(`${name}[${i}].at must be epoch ms`, ['inputs', name, i, 'at']);
  return r;
}

const NONE: ReadonlyArray<unknown> = Object.freeze([]);

/** Validates the new inputs (before anything runs) and returns them as one list in time order. */
export function collectSignals(inputs: AdvanceInputs, subjectId: string): Signal[] {
  const events = listOf(inputs, 'events');
  const responses = listOf(inputs, 'responses');
  const replies = listOf(inputs, 'replies');
  // The common case (a timer, no input) allocates nothing.
  if (events.length === 0 && responses.length === 0 && replies.length === 0) return [];
  const out: Signal[] = [];
  const list = (name: 'events' | 'responses' | 'replies'): ReadonlyArray<unknown> => (name === 'events' ? events : name === 'responses' ? responses : replies);
  const check = (x: unknown, name: string, i: number): Record<string, unknown> => checkItem(x, name, i, subjectId);
  list('events').forEach((x, i) => {
    const r = check(x, 'events', i);
    if (typeof r.type !== 'string') throw inputError(`events[${i}].type must be a string`, ['inputs', 'events', i, 'type']);
    if (r.properties !== undefined && (typeof r.properties !== 'object' || r.properties === null)) throw inputError(`events[${i}].properties must be an object`, ['inputs', 'events', i, 'properties']);
    out.push({ kind: 'event', at: r.at as number, event: (r.properties === undefined ? { ...r, properties: {} } : r) as unknown as BehaviourEvent });
  });
  list('responses').forEach((x, i) => {
    const r = check(x, 'responses', i);
    if (typeof r.kind !== 'string' || !KINDS.has(r.kind)) throw inputError(`responses[${i}].kind is not a response kind`, ['inputs', 'responses', i, 'kind']);
    if (r.contactId !== undefined && typeof r.contactId !== 'string') throw inputError(`responses[${i}].contactId must be a string`, ['inputs', 'responses', i, 'contactId']);
    out.push({ kind: 'response', at: r.at as number, response: r as unknown as JourneyResponse });
  });
  list('replies').forEach((x, i) => {
    const r = check(x, 'replies', i);
    if (typeof r.text !== 'string' || r.text.length > 2000) throw inputError(`replies[${i}].text must be a string of at most 2000 characters`, ['inputs', 'replies', i, 'text']);
    if (typeof r.channel !== 'string') throw inputError(`replies[${i}].channel must be a string`, ['inputs', 'replies', i, 'channel']);
    out.push({ kind: 'reply', at: r.at as number, reply: r as unknown as InboundReply });
  });
  // Stable sort by time: same inputs, same order, same outcome.
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
  for (const hook of ['holdout', 'bestMoment'] as const) {
    if (inputs[hook] !== undefined && typeof inputs[hook] !== 'function') throw inputError(`inputs.${hook} must be a function`, ['inputs', hook]);
  }
}
