/**
 * A person's state in a journey, as plain JSON a store can keep: where they are, since when, when the engine
 * must look again, and what they reacted to. Plus entry: may this person enter now?
 */
import { isIdString } from '../core/schema.js';
import { CrossChannelError, quoted, underPath } from '../core/errors.js';
import { reason, type Reason } from '../core/explain.js';
import type { BehaviourEvent } from '../core/records.js';
import { MAX_EPOCH_MS, type EpochMs } from '../core/time.js';
import type { Profile } from '../segments/conditions.js';
import { parseJourney, type Journey } from './compile.js';
import type { JourneyErrorCode } from './errors.js';
import { checkTime, clampTime } from './schedule.js';

/** Where an instance is: still running, or how it ended. */
export type JourneyStatus = 'active' | 'completed' | 'goal' | 'exited';

/**
 * One person's run through one version of a journey. Plain JSON; the engine never mutates it (each advance
 * returns a new one).
 *
 * @example
 * ```ts
 * declare const journey: Journey;
 * const instance: JourneyInstance = startInstance(journey, 'p-42', Date.parse('2026-03-02T09:00:00Z'));
 * ```
 */
export interface JourneyInstance {
  /** Unique id (default `<journey>:<subject>:<entered at>`). */
  readonly id: string;
  readonly journeyId: string;
  readonly version: number;
  readonly subjectId: string;
  readonly status: JourneyStatus;
  /** Current step (the last one when ended). */
  readonly step: string;
  /** Number of steps entered so far: the "attempt" part of idempotency keys. */
  readonly seq: number;
  readonly enteredAt: EpochMs;
  /** When the current step was entered (its logical time, not when the engine happened to run). */
  readonly stepAt: EpochMs;
  /** When the engine must look again without new input; `null` once ended. */
  readonly wakeAt: EpochMs | null;
  /** A held send: since when it has been held. */
  readonly heldSince?: EpochMs;
  /** A send waiting for its best moment: the moment chosen. */
  readonly slotAt?: EpochMs;
  /** A reply step already sent its help message. */
  readonly helpSent?: boolean;
  /** Reactions per send step id (`opened`, `clicked`, …), to the step's latest send. */
  readonly reactions?: Readonly<Record<string, ReadonlyArray<string>>>;
  /** Each send step's latest attempt (`seq`): a reaction to an earlier send of a step that loops is not counted. */
  readonly sent?: Readonly<Record<string, number>>;
  /** How it ended: goal id, exit id, `completed`. */
  readonly outcome?: string;
  readonly endedAt?: EpochMs;
}

/**
 * Creates the instance of a person entering `journey` at `now`, on its start step and due at once. The entry
 * policy is checked separately ({@link canEnter}); stores enforce it atomically.
 *
 * Its id (unless `instanceId` is given) is `<journey id>:<subject id>:<now>`, and `<journey id>:<subject id>:<now>:<length
 * of the journey id>` when either id contains `:` — so that two (journey, person, instant) never share an id
 * (journey `j:a` with person `1`, and journey `j` with person `a:1`).
 *
 * @example
 * ```ts
 * declare const journey: Journey;
 * const i = startInstance(journey, 'p-42', Date.parse('2026-03-02T09:00:00Z')); // i.wakeAt === i.enteredAt
 * ```
 */
export function startInstance(journey: Journey, subjectId: string, now: EpochMs, instanceId?: string): JourneyInstance {
  const j = parseJourney(journey);
  if (!isIdString(subjectId)) {
    throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'subjectId must be 1–256 characters without control characters or lone surrogates', { path: ['subjectId'] });
  }
  checkTime(now, 'now');
  if (instanceId !== undefined && !isIdString(instanceId, 512)) {
    throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'instanceId must be 1–512 characters without control characters or lone surrogates', { path: ['instanceId'] });
  }
  // Ids without ':' keep the plain form (3 parts, 2 colons); with one, the journey id's length is appended (4 colons
  // or more, so never a plain id), which tells where the journey id ends: no two (journey, person, instant) share an id.
  const parts = j.id.includes(':') || subjectId.includes(':') ? [j.id, subjectId, now, j.id.length] : [j.id, subjectId, now];
  return {
    // join builds one flat string; a template literal leaves a rope of parts (≈ 130 more bytes per waiting instance).
    id: instanceId ?? parts.join(':'),
    journeyId: j.id,
    version: j.version,
    subjectId,
    status: 'active',
    step: j.definition.start,
    seq: 1,
    enteredAt: now,
    stepAt: now,
    wakeAt: now,
  };
}

/**
 * What is known about a person's earlier runs of a journey, for the entry policy.
 *
 * @example
 * ```ts
 * const prior: EntryHistory = { active: false, lastEnteredAt: Date.parse('2026-01-10T00:00:00Z'), capCount: 1 };
 * ```
 */
export interface EntryHistory {
  /** An instance of this journey is active for the person. */
  readonly active: boolean;
  /** When the person last entered (any version), if ever. */
  readonly lastEnteredAt?: EpochMs | null;
  /** Entries of all people counted against the entry cap (in its window when it has one). */
  readonly capCount?: number;
}

/**
 * Why an entry was refused or accepted, as data.
 *
 * @example
 * ```ts
 * const d: EntryDecision = { allowed: false, reasons: [{ code: 'JOURNEY_ENTRY_ACTIVE', message: 'already in the journey' }] };
 * ```
 */
export interface EntryDecision {
  readonly allowed: boolean;
  readonly reasons: ReadonlyArray<Reason>;
}

/**
 * The entry policy: one active instance per person, re-entry (`never`, `always`, after a cooldown), entry cap.
 *
 * @example
 * ```ts
 * declare const journey: Journey;
 * canEnter(journey, { active: false, lastEnteredAt: null, capCount: 0 }, Date.now()).allowed; // true
 * ```
 */
export function canEnter(journey: Journey, prior: EntryHistory, now: EpochMs): EntryDecision {
  const j = parseJourney(journey);
  if (typeof prior !== 'object' || prior === null || typeof prior.active !== 'boolean') {
    throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'prior must be { active: boolean, lastEnteredAt?, capCount? }', { path: ['prior'] });
  }
  checkTime(now, 'now');
  if (prior.lastEnteredAt != null) checkTime(prior.lastEnteredAt, 'prior', 'lastEnteredAt');
  if (prior.capCount !== undefined && !(typeof prior.capCount === 'number' && prior.capCount >= 0)) {
    throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'prior.capCount must be a count', { path: ['prior', 'capCount'] });
  }
  const reasons: Reason[] = [];
  if (prior.active) reasons.push(reason('JOURNEY_ENTRY_ACTIVE', `already active in ${j.id}`));
  const last = prior.lastEnteredAt ?? null;
  const re = j.definition.entry.reentry;
  if (last !== null) {
    if (re === 'never') reasons.push(reason('JOURNEY_ENTRY_NO_REENTRY', `${j.id} allows no re-entry`, { detail: { lastEnteredAt: last } }));
    else if (typeof re === 'object' && now < last + re.cooldown) {
      const until = clampTime(last + re.cooldown);
      reasons.push(reason('JOURNEY_ENTRY_COOLDOWN', `re-entry cooldown until ${new Date(until).toISOString()}`, { detail: { until } }));
    }
  }
  const cap = j.definition.entry.cap;
  if (cap && (prior.capCount ?? 0) >= cap.max) reasons.push(reason('JOURNEY_ENTRY_CAP', `entry cap of ${cap.max} reached`, { detail: { max: cap.max, count: prior.capCount ?? 0 } }));
  return { allowed: reasons.length === 0, reasons };
}

/**
 * Does this event or profile trigger entry? Event triggers test the event (type + filters); segment triggers
 * test the profile and events; `manual` journeys never trigger by themselves.
 *
 * @example
 * ```ts
 * declare const journey: Journey;
 * triggersEntry(journey, { event: { subjectId: 'p1', type: 'white_paper_download', at: 0, properties: {} } }); // true when the entry is on that event
 * ```
 */
export function triggersEntry(journey: Journey, input: { event?: BehaviourEvent; profile?: Profile; events?: ReadonlyArray<BehaviourEvent>; now?: EpochMs }): boolean {
  const j = parseJourney(journey);
  if (typeof input !== 'object' || input === null) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'input must be { event?, profile?, events?, now? }', { path: ['input'] });
  if (input.events !== undefined && !Array.isArray(input.events)) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'input.events must be an array', { path: ['input', 'events'] });
  if (j.entryEvent && input.event !== undefined && (typeof input.event !== 'object' || input.event === null || typeof input.event.type !== 'string')) {
    throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'input.event must be a behaviour event', { path: ['input', 'event'] });
  }
  if (j.entryEvent) return input.event !== undefined && typeof input.event === 'object' && input.event !== null && j.entryEvent(input.event);
  if (j.entrySegment) {
    try {
      return input.profile !== undefined && j.entrySegment(input.profile, input.events ?? [], input.now ?? input.event?.at ?? 0);
    } catch (e) {
      throw underPath(e, ['input']);
    }
  }
  return false;
}

const STATUSES = new Set<string>(['active', 'completed', 'goal', 'exited']);

function bad(field: string, message: string, key?: string): never {
  throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INSTANCE_INVALID', message, { path: key === undefined ? ['instance', field] : ['instance', field, key] });
}

/** Cheap structural check of an instance from plain JS (no zod on the hot path); throws before anything changes. */
export function checkInstance(journey: Journey, inst: unknown): asserts inst is JourneyInstance {
  if (typeof inst !== 'object' || inst === null) bad('', 'instance must be an object');
  const i = inst as Record<string, unknown>;
  if (typeof i.id !== 'string' || i.id.length === 0) bad('id', 'instance.id must be a non-empty string');
  if (i.journeyId !== journey.id) bad('journeyId', `instance belongs to journey ${quoted(i.journeyId)}, not ${quoted(journey.id)}`);
  if (i.version !== journey.version) bad('version', `instance is on version ${quoted(i.version)}, the journey is version ${journey.version} (migrate it first)`);
  if (typeof i.subjectId !== 'string' || i.subjectId.length === 0) bad('subjectId', 'instance.subjectId must be a non-empty string');
  if (typeof i.status !== 'string' || !STATUSES.has(i.status)) bad('status', 'instance.status is not a journey status');
  if (typeof i.step !== 'string' || !journey.steps.has(i.step)) bad('step', `instance is on unknown step ${quoted(i.step)}`);
  if (!Number.isInteger(i.seq) || (i.seq as number) < 0) bad('seq', 'instance.seq must be a non-negative integer');
  for (const f of ['enteredAt', 'stepAt', 'wakeAt', 'heldSince', 'slotAt'] as const) {
    const v = i[f];
    // Within the epoch range: a time past it cannot be shown or compared with a `Date`.
    const absent = f === 'wakeAt' ? v === null : (f === 'heldSince' || f === 'slotAt') && v === undefined;
    if (!absent && !(typeof v === 'number' && Math.abs(v) <= MAX_EPOCH_MS)) bad(f, `instance.${f} must be epoch ms${f === 'wakeAt' ? ' or null' : ''}`);
  }
  const r = i.reactions;
  if (r !== undefined) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) bad('reactions', 'instance.reactions must be an object');
    // Each step's reactions are a list of response kinds: a string would read as its letters, a number throw.
    for (const [step, kinds] of Object.entries(r)) {
      if (!Array.isArray(kinds) || !kinds.every((k) => typeof k === 'string')) bad('reactions', `instance.reactions of ${quoted(step)} must be a list of response kinds`, step);
    }
  }
  const p = i.sent;
  if (p !== undefined && (typeof p !== 'object' || p === null || Array.isArray(p) || !Object.values(p).every((n) => Number.isInteger(n) && n >= 0))) bad('sent', 'instance.sent must map send steps to attempt numbers');
}
