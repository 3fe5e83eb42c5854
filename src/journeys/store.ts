/**
 * The `JourneyStore` contract: instances, due timers with leased claims, a per-instance inbox of inbound
 * inputs deduplicated by id, and the entry policy applied atomically from a plan the module computes.
 */
import { CrossChannelError, inputError } from '../core/errors.js';
import type { BehaviourEvent } from '../core/records.js';
import { isIdString } from '../core/schema.js';
import { MAX_EPOCH_MS, type EpochMs } from '../core/time.js';
import { parseJourney, type Journey } from './compile.js';
import type { JourneyErrorCode } from './errors.js';
import type { AdvanceInputs, InboundReply, JourneyInput, JourneyResponse } from './inputs.js';

export type { JourneyInput } from './inputs.js';
import type { JourneyInstance } from './instance.js';
import { checkTime, clampTime } from './schedule.js';

/**
 * The entry policy as a plan a store applies atomically (it never re-derives the rules): refuse when an
 * instance is active; refuse when the person entered before and `reentry` is `never`, or entered after
 * `enteredBefore`; refuse when at least `cap.max` entries happened at or after `cap.since` (null: ever). With a
 * `per` window, `since` is `now − per + 1`: the window is (now − per, now], as capping's rolling windows.
 *
 * @example
 * ```ts
 * declare const journey: Journey;
 * const plan: EntryPlan = entryPlan(journey, Date.now());
 * ```
 */
export interface EntryPlan {
  readonly journeyId: string;
  readonly reentry: 'never' | 'always' | 'cooldown';
  /** With `cooldown`: the previous entry must be at or before this instant. */
  readonly enteredBefore: EpochMs | null;
  readonly cap: { readonly max: number; readonly since: EpochMs | null } | null;
  /** Entry times older than this may be forgotten by the store (0: keep). */
  readonly forgetBefore: EpochMs;
}

/**
 * Computes the {@link EntryPlan} of `journey` at `now`.
 *
 * @example
 * ```ts
 * declare const journey: Journey;
 * entryPlan(journey, Date.parse('2026-03-02T09:00:00Z')).reentry; // 'never' | 'always' | 'cooldown'
 * ```
 */
export function entryPlan(journey: Journey, now: EpochMs): EntryPlan {
  const j = parseJourney(journey);
  checkTime(now, 'now');
  const { reentry, cap } = j.definition.entry;
  return {
    journeyId: j.id,
    reentry: typeof reentry === 'object' ? 'cooldown' : reentry,
    enteredBefore: typeof reentry === 'object' ? clampTime(now - reentry.cooldown) : null,
    // The rolling window (now − per, now] of capping's rolling windows, in whole ms: an entry exactly `per` ago is out.
    cap: cap ? { max: cap.max, since: cap.per === undefined ? null : clampTime(now - cap.per + 1) } : null,
    forgetBefore: 0,
  };
}

/**
 * What {@link JourneyStore.enrol} answers.
 *
 * @example
 * ```ts
 * const r: EnrolResult = { enrolled: false, reason: 'active', activeId: 'welcome:p1:1767225600000' };
 * ```
 */
export type EnrolResult = { readonly enrolled: true } | { readonly enrolled: false; readonly reason: 'active' | 'no_reentry' | 'cooldown' | 'cap'; readonly activeId?: string };

/**
 * A leased claim on an instance: until `leaseUntil` nobody else may advance it; `complete` with the same
 * token saves the new state.
 *
 * @example
 * ```ts
 * declare const claim: JourneyClaim;
 * console.log(claim.instance.step, claim.inbox.length, claim.leaseUntil);
 * ```
 */
export interface JourneyClaim {
  readonly instance: JourneyInstance;
  /** Inbound inputs delivered and not yet consumed, in delivery order (the order `advance` replays inputs of one instant in). */
  readonly inbox: ReadonlyArray<JourneyInput>;
  readonly token: string;
  readonly leaseUntil: EpochMs;
}

/**
 * Options of {@link JourneyStore.claimDue}.
 *
 * @example
 * ```ts
 * const o: ClaimOptions = { limit: 100, leaseMs: 30_000, owner: 'runner-1' };
 * ```
 */
export interface ClaimOptions {
  readonly limit: number;
  readonly leaseMs: number;
  readonly owner: string;
}

/** True for what every store can hold as a time: whole epoch milliseconds within ±8.64e15 (PostgreSQL's `bigint` columns, Redis scores kept exact). */
function isStoreTime(t: unknown): t is number {
  return typeof t === 'number' && Number.isInteger(t) && Math.abs(t) <= MAX_EPOCH_MS;
}

/** `INPUT_INVALID` at `now` unless it is whole epoch milliseconds within ±8.64e15: the `now` every store call checks alike. */
function checkStoreNow(now: unknown): asserts now is number {
  if (!isStoreTime(now)) throw inputError('now must be whole epoch milliseconds within ±8.64e15', ['now']);
}

/**
 * Checks a `claimDue` call: `now` whole epoch ms, a positive integer `limit`, a positive integer `leaseMs` whose lease
 * end stays within ±8.64e15, a string `owner`; otherwise `INPUT_INVALID` at the field's path. Shared by every store
 * so they refuse the same calls.
 */
export function validateClaim(now: unknown, options: unknown): asserts options is ClaimOptions {
  checkStoreNow(now);
  const o = options as Partial<Record<keyof ClaimOptions, unknown>> | null;
  if (typeof o !== 'object' || o === null || typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 1 || typeof o.leaseMs !== 'number' || !Number.isInteger(o.leaseMs) || o.leaseMs < 1 || !isStoreTime(now + o.leaseMs)) {
    throw inputError('claimDue needs a positive integer limit and a positive integer leaseMs (the lease end within ±8.64e15)', ['options']);
  }
  if (typeof o.owner !== 'string') throw inputError('claimDue needs an owner (a string naming the claimer)', ['options', 'owner']);
}

/** @internal Throws `INPUT_INVALID` (at `plan…`) unless `plan` has the shape {@link entryPlan} gives: checked before anything is written. */
export function validateEntryPlan(plan: unknown): asserts plan is EntryPlan {
  const p = plan as Partial<Record<keyof EntryPlan, unknown>> | null;
  if (typeof p !== 'object' || p === null) throw inputError('enrol needs the plan entryPlan returned', ['plan']);
  if (p.reentry !== 'never' && p.reentry !== 'always' && p.reentry !== 'cooldown') throw inputError("reentry must be 'never', 'always' or 'cooldown'", ['plan', 'reentry']);
  if (p.enteredBefore !== null && !(typeof p.enteredBefore === 'number' && Number.isFinite(p.enteredBefore))) throw inputError('enteredBefore must be epoch milliseconds or null', ['plan', 'enteredBefore']);
  const cap = p.cap as { max?: unknown; since?: unknown } | null;
  if (cap !== null && (typeof cap !== 'object' || typeof cap.max !== 'number' || !Number.isInteger(cap.max) || cap.max < 0 || (cap.since !== null && !(typeof cap.since === 'number' && Number.isFinite(cap.since))))) {
    throw inputError('cap must be null or { max: a non-negative integer, since: epoch milliseconds or null }', ['plan', 'cap']);
  }
}

/**
 * @internal Throws `INPUT_INVALID` unless `complete`'s claim (as `claimDue` returned it), consumed count and `now`
 * can be used: checked before anything is sent, so that one bad call cannot fail a batch it would have joined.
 */
export function validateCompletion(claim: unknown, consumed: unknown, now: unknown): asserts claim is JourneyClaim {
  const c = claim as { token?: unknown; instance?: { id?: unknown; subjectId?: unknown; journeyId?: unknown } | null } | null;
  const i = typeof c === 'object' && c !== null ? c.instance : null;
  if (typeof c?.token !== 'string' || typeof i !== 'object' || i === null || typeof i.id !== 'string' || typeof i.subjectId !== 'string' || typeof i.journeyId !== 'string') {
    throw inputError('complete needs a claim as claimDue returned it ({ instance, inbox, token, leaseUntil })', ['claim']);
  }
  if (typeof consumed !== 'number' || !Number.isInteger(consumed) || consumed < 0) throw inputError('consumed must be the number of inbox items read (a non-negative integer)', ['consumed']);
  checkStoreNow(now);
}

/**
 * @internal Throws `INPUT_INVALID` unless `deliver`'s instance id and `now` can be used: checked before anything
 * is sent, so that one bad call cannot fail a batch it would have joined.
 */
export function validateDelivery(instanceId: unknown, now: unknown): asserts instanceId is string {
  if (typeof instanceId !== 'string') throw inputError('instanceId must be a string', ['instanceId']);
  checkStoreNow(now);
}

/** @internal Checks `replace`'s instance ({@link checkStoredInstance}) and `now` (whole epoch ms), before anything is written. */
export function validateReplacement(instance: unknown, now: unknown): asserts instance is JourneyInstance {
  checkStoredInstance(instance);
  checkStoreNow(now);
}

/** The person an input is about. */
export function inputSubject(input: JourneyInput): string {
  return 'event' in input ? input.event.subjectId : 'response' in input ? input.response.subjectId : input.reply.subjectId;
}

/**
 * @internal `JOURNEY_INPUT_INVALID` at `input.subjectId`: the input is about another person than the instance it was
 * delivered to (`advance` refuses such an input with the same code, so filed it would fail every claim). Every store
 * throws it when the instance exists, whatever its status, and files nothing.
 */
export function deliverySubjectError(input: JourneyInput, instanceSubject: string): CrossChannelError {
  return journeyInputError(`input is about ${JSON.stringify(inputSubject(input))}, not the instance's subject ${JSON.stringify(instanceSubject)}`, ['input', 'subjectId']);
}

/**
 * @internal `STORE_CONFLICT` at `instance.subjectId` / `instance.journeyId` when `replace` would change the stored
 * instance's person or journey — its identity. Every store checks it before anything else (leased or not) and writes
 * nothing; `stored` absent (no such instance) passes.
 */
export function checkReplaceIdentity(stored: Pick<JourneyInstance, 'subjectId' | 'journeyId'> | null | undefined, instance: JourneyInstance): void {
  for (const f of ['subjectId', 'journeyId'] as const) {
    if (stored && stored[f] !== instance[f]) throw new CrossChannelError('STORE_CONFLICT', `replace cannot change an instance's ${f}`, { path: ['instance', f] });
  }
}

/** The `STORE_CONFLICT` of `replace`: the instance would become a second active instance of its journey for its person. */
export function replaceConflictError(instance: JourneyInstance, activeId: string): CrossChannelError {
  return new CrossChannelError('STORE_CONFLICT', `${JSON.stringify(instance.id)} cannot be made active: ${JSON.stringify(activeId)} is the active instance of ${JSON.stringify(instance.journeyId)} for this person`, {
    path: ['instance', 'status'],
  });
}

/**
 * Durable state of journeys. Implementations: `MemoryJourneyStore`, `RedisJourneyStore`,
 * `PostgresJourneyStore`; `runJourneyStoreConformance` (`crosschannel/testing`) is the contract.
 *
 * Guarantees: an instance is due when its `wakeAt` ≤ now or it has undelivered inbox items; `claimDue` hands
 * each due instance to one claimer at a time (a lease); a claim whose lease expired is handed out again, and its
 * late `complete` is refused; `deliver` accepts an input id once per instance, ever. Claims follow one total order:
 * due time, then instance id in UTF-16 code-unit order (JavaScript's `<`, not a database collation); `enrol` writes
 * everything of an enrolment or nothing (Redis without `batching`, whose steps go apart, undoes them when one fails,
 * and the next try of the same enrolment takes over what a crash left).
 *
 * @example
 * ```ts
 * declare const store: JourneyStore;
 * const claims = await store.claimDue(Date.now(), { limit: 100, leaseMs: 30_000, owner: 'runner-1' });
 * ```
 */
export interface JourneyStore {
  /**
   * Creates `instance` if the plan allows (atomically: one active instance per journey and person): the instance, its
   * timer, its id's registration and its entry-cap entry are written together or not at all.
   */
  enrol(instance: JourneyInstance, plan: EntryPlan): Promise<EnrolResult>;
  get(instanceId: string): Promise<JourneyInstance | null>;
  /** The active instance of a journey for a person, if any. */
  activeFor(journeyId: string, subjectId: string): Promise<JourneyInstance | null>;
  /**
   * Appends an input to an active instance's inbox and makes it due; false when the id was seen before or the instance
   * is not active or missing. An input about another person than the instance's is refused (`JOURNEY_INPUT_INVALID` at
   * `input.subjectId`), whatever the instance's status.
   */
  deliver(instanceId: string, input: JourneyInput, now: EpochMs): Promise<boolean>;
  /**
   * Claims up to `limit` due instances, each leased for `leaseMs`: the first `limit` in claim order — due time, then
   * instance id in UTF-16 code-unit order (`'B'` before `'a'`, `'\u{1F600}'` before `'\uFF01'`) — returned in that order.
   */
  claimDue(now: EpochMs, options: ClaimOptions): Promise<JourneyClaim[]>;
  /** Saves the advanced instance and drops the first `consumed` inbox items, if the claim's lease still holds; false (and nothing written) otherwise. */
  complete(claim: JourneyClaim, instance: JourneyInstance, consumed: number, now: EpochMs): Promise<boolean>;
  /**
   * Replaces an instance outright (version migration); not while leased (false), nor when missing (false). Making it
   * `active` while another instance of its journey is active for its person is refused with `STORE_CONFLICT`; made
   * active otherwise, it is the person's active instance (`activeFor`, `enrol` answers `active`). Changing the
   * instance's `journeyId` or `subjectId` is `STORE_CONFLICT` at that field: they are its identity.
   */
  replace(instance: JourneyInstance, now: EpochMs): Promise<boolean>;
  /** Instances of a journey (all versions, or one). */
  list(journeyId: string, version?: number): AsyncIterable<JourneyInstance>;
  /** The earliest due time, for a runner to sleep until (null: nothing scheduled). */
  nextDueAt(): Promise<EpochMs | null>;
  /** Deletes everything about a subject, including their entries in the journeys' entry caps (they no longer count). */
  erase(subjectId: string): Promise<void>;
}

/**
 * Turns a claim's inbox into advance inputs by kind (the order across kinds is lost: pass `{ inbox }` to keep it).
 *
 * @example
 * ```ts
 * declare const claim: JourneyClaim;
 * const { events, responses, replies } = inboxInputs(claim.inbox);
 * ```
 */
export function inboxInputs(inbox: ReadonlyArray<JourneyInput>): Pick<AdvanceInputs, 'events' | 'responses' | 'replies'> {
  if (!Array.isArray(inbox)) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'inbox must be an array', { path: ['inbox'] });
  [...inbox].forEach((x, i) => {
    if (typeof x !== 'object' || x === null) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', `inbox[${i}] must be an object`, { path: ['inbox', i] });
  });
  const events: BehaviourEvent[] = [];
  const responses: JourneyResponse[] = [];
  const replies: InboundReply[] = [];
  for (const x of inbox) {
    if ('event' in x) events.push(x.event);
    else if ('response' in x) responses.push(x.response);
    else replies.push(x.reply);
  }
  return { ...(events.length ? { events } : {}), ...(responses.length ? { responses } : {}), ...(replies.length ? { replies } : {}) };
}

function journeyInputError(msg: string, path: Array<string | number>): CrossChannelError<JourneyErrorCode> {
  return new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', msg, { path });
}

/** Validates a {@link JourneyInput} from plain JS (stores call it before writing anything). */
export function checkJourneyInput(input: unknown): asserts input is JourneyInput {
  if (typeof input !== 'object' || input === null) throw journeyInputError('input must be an object', ['input']);
  const x = input as Record<string, unknown>;
  if (typeof x.id !== 'string' || x.id.length === 0 || x.id.length > 256) throw journeyInputError('input.id must be a non-empty string', ['input', 'id']);
  const body = x.event ?? x.response ?? x.reply;
  if (typeof body !== 'object' || body === null) throw journeyInputError('input needs an event, a response or a reply', ['input']);
  const b = body as Record<string, unknown>;
  if (typeof b.subjectId !== 'string') throw journeyInputError('input subjectId must be a string', ['input', 'subjectId']);
  if (typeof b.at !== 'number' || !Number.isFinite(b.at)) throw journeyInputError('input at must be epoch ms', ['input', 'at']);
  if (hasNul(input)) throw journeyInputError('input must not contain U+0000 in a string (PostgreSQL’s jsonb cannot hold it; every store refuses it)', ['input']);
}

/** True when a string of `value` (a value or a key, at any depth) contains U+0000; iterative (deep JSON cannot overflow the stack), each object once (a cycle ends). */
function hasNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (typeof v === 'object' && v !== null && !seen.has(v)) {
      seen.add(v);
      if (Array.isArray(v)) {
        for (const x of v) stack.push(x);
      } else {
        for (const [k, x] of Object.entries(v)) {
          if (k.includes('\u0000')) return true;
          stack.push(x);
        }
      }
    }
  }
  return false;
}

function instanceFieldError(field: string): CrossChannelError<JourneyErrorCode> {
  return new CrossChannelError<JourneyErrorCode>('JOURNEY_INSTANCE_INVALID', `instance.${field} is missing or malformed`, { path: ['instance', field] });
}

/** Ids as the core id schema accepts them (no control character, no lone surrogate): what every store keeps apart. */
function checkStoredId(i: Record<string, unknown>, field: 'id' | 'journeyId' | 'subjectId', max: number): void {
  if (!isIdString(i[field], max)) throw inputError(`instance.${field} must be 1–${max} characters without control characters or lone surrogates`, ['instance', field]);
}

/**
 * Validates an instance's identity fields from plain JS before a store writes it: `JOURNEY_INSTANCE_INVALID` when a
 * field is missing or of the wrong type; `INPUT_INVALID` for what no store can hold alike — ids with control
 * characters or lone surrogates (PostgreSQL and Redis read those as U+FFFD; a newline splits Redis's due members),
 * times that are not whole epoch milliseconds within ±8.64e15, a version outside PostgreSQL's `int`.
 */
export function checkStoredInstance(instance: unknown): asserts instance is JourneyInstance {
  const i = instance as Record<string, unknown> | null;
  if (typeof i !== 'object' || i === null) throw instanceFieldError('');
  for (const f of ['id', 'journeyId', 'subjectId', 'step', 'status'] as const) if (typeof i[f] !== 'string' || (i[f] as string).length === 0) throw instanceFieldError(f);
  if (!Number.isInteger(i.version)) throw instanceFieldError('version');
  if (i.wakeAt !== null && !Number.isFinite(i.wakeAt)) throw instanceFieldError('wakeAt');
  if (!Number.isFinite(i.enteredAt)) throw instanceFieldError('enteredAt');
  checkStoredId(i, 'id', 1024);
  checkStoredId(i, 'journeyId', 256);
  checkStoredId(i, 'subjectId', 256);
  if (!((i.version as number) >= -(2 ** 31) && (i.version as number) < 2 ** 31)) throw inputError('version must be a 32-bit integer', ['instance', 'version']);
  if (i.wakeAt !== null && !isStoreTime(i.wakeAt)) throw inputError('wakeAt must be whole epoch milliseconds within ±8.64e15', ['instance', 'wakeAt']);
  if (!isStoreTime(i.enteredAt)) throw inputError('enteredAt must be whole epoch milliseconds within ±8.64e15', ['instance', 'enteredAt']);
}
