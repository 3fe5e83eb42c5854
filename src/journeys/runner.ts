/**
 * `createJourneyRunner`: the imperative shell around `advance`. It claims due instances from a
 * `JourneyStore` with a lease, loads what a send is checked against (profile, consent, the shared contact
 * history), advances, records the contacts and hands every action to the host's handlers, then saves.
 *
 * Delivery is at-least-once with idempotency keys: a runner that dies mid-step loses its lease, another runner
 * replays the step, and the handler sees the same keys again (the contact history records a key once).
 */
import { CrossChannelError, isCrossChannelError, quoted } from '../core/errors.js';
import { expectStoreAnswer, isRecord } from '../core/guards.js';
import type { EpochMs } from '../core/time.js';
import type { BehaviourEvent } from '../core/records.js';
import type { CapHistory } from '../capping/evaluate.js';
import { isCompiledCapRules, type CompiledCapRules } from '../capping/rules.js';
import type { ContactHistoryStore } from '../capping/store.js';
import type { ConsentState } from '../consent/ledger.js';
import type { Profile } from '../segments/conditions.js';
import type { AdvanceResult, JourneyAction } from './actions.js';
import { advance } from './advance.js';
import { parseJourney, type Journey } from './compile.js';
import type { JourneyDefinitionInput } from './definition.js';
import type { JourneyErrorCode } from './errors.js';
import type { BestMomentCheck, HoldoutCheck } from './hooks.js';
import type { AdvanceInputs } from './inputs.js';
import { emitStep, startStep, type JourneyStepTelemetry, type JourneyTelemetry } from './telemetry.js';
import { checkInstance, startInstance, triggersEntry, type JourneyInstance } from './instance.js';
import { checkJourneyInput, entryPlan, type EnrolResult, type JourneyClaim, type JourneyInput, type JourneyStore } from './store.js';

/**
 * What the host does with each action kind. A handler must treat a key it has seen as done (a replay after a
 * crash repeats keys). A throwing handler leaves the instance claimed; it is retried when the lease expires.
 *
 * @example
 * ```ts
 * declare function sendEmail(to: string, template: string, key: string): Promise<void>;
 * const handlers: JourneyHandlers = { send: (a) => sendEmail(a.subjectId, a.message, a.key) };
 * ```
 */
export interface JourneyHandlers {
  send?(action: Extract<JourneyAction, { kind: 'send' }>): Promise<void> | void;
  wouldSend?(action: Extract<JourneyAction, { kind: 'wouldSend' }>): Promise<void> | void;
  task?(action: Extract<JourneyAction, { kind: 'task' }>): Promise<void> | void;
  answer?(action: Extract<JourneyAction, { kind: 'answer' }>): Promise<void> | void;
  optOut?(action: Extract<JourneyAction, { kind: 'optOut' }>): Promise<void> | void;
}

/**
 * What the runner loads about a person before advancing them.
 *
 * @example
 * ```ts
 * declare const consent: ConsentState;
 * const ctx: PersonContext = { profile: { timeZone: 'Europe/Paris', children: ['Paul'] }, consent };
 * ```
 */
export interface PersonContext {
  readonly profile?: Profile;
  readonly consent?: ConsentState;
  readonly timeZone?: string;
  /** The person's recent events (from your event store), for split conditions and `leftSegment` exits: `AdvanceInputs.recentEvents`. */
  readonly recentEvents?: ReadonlyArray<BehaviourEvent>;
}

/**
 * Options of {@link createJourneyRunner}.
 *
 * @example
 * ```ts
 * declare const store: JourneyStore; declare const contacts: ContactHistoryStore; declare const journey: Journey;
 * const options: JourneyRunnerOptions = { store, contacts, journeys: [journey], handlers: {}, owner: 'worker-1' };
 * ```
 */
export interface JourneyRunnerOptions {
  readonly store: JourneyStore;
  /** Every live version of every journey (instances stay on their version). */
  readonly journeys: ReadonlyArray<Journey | JourneyDefinitionInput>;
  readonly handlers: JourneyHandlers;
  /** The shared contact history: sends are recorded there (idempotency key = action key), caps read it. */
  readonly contacts?: ContactHistoryStore;
  readonly caps?: CompiledCapRules;
  /** Loads a person's profile and consent (default: nothing, so consent is not checked). */
  readonly person?: (subjectId: string, now: EpochMs) => Promise<PersonContext> | PersonContext;
  readonly holdout?: HoldoutCheck;
  readonly bestMoment?: BestMomentCheck;
  /** Name of this runner in leases (default `runner`). */
  readonly owner?: string;
  /** Lease of a claim (default 30 s): longer than one step's handlers take. */
  readonly leaseMs?: number;
  /** Instances claimed per tick (default 100). */
  readonly batchSize?: number;
  /** Where each processed step is reported (see `crosschannel/adapters/otel`); off by default. */
  readonly telemetry?: JourneyTelemetry;
  /** Clock of the step durations telemetry reports, in ms (default `performance.now`); never used by the journey logic. */
  readonly traceClock?: () => number;
}

/**
 * What one tick did.
 *
 * @example
 * ```ts
 * const r: TickResult = { claimed: 3, completed: 3, lost: 0, failed: 0, actions: 4, errors: [] };
 * ```
 */
export interface TickResult {
  readonly claimed: number;
  readonly completed: number;
  /** Claims whose lease expired before completion (another runner replays them). */
  readonly lost: number;
  /** Claims whose handlers or loaders threw (retried after the lease). */
  readonly failed: number;
  readonly actions: number;
  readonly errors: ReadonlyArray<{ readonly instanceId: string; readonly error: unknown }>;
}

/**
 * A journey runner: enrol, ingest inbound inputs, and tick (claim → advance → act → save).
 *
 * @example
 * ```ts
 * declare const runner: JourneyRunner;
 * await runner.tick(Date.now());
 * ```
 */
export interface JourneyRunner {
  /** Enrols a person in a journey (its newest version) under the entry policy. */
  enrol(journeyId: string, subjectId: string, now: EpochMs, instanceId?: string): Promise<EnrolResult & { readonly instance?: JourneyInstance }>;
  /**
   * Routes an inbound input: delivered (once per id) to the person's active instances; an event may also enrol them.
   * Every journey is handled at once and each is tried even when another fails; the first failure (in journey order)
   * is thrown once all have settled. Retrying with the same input is safe: deliveries count once per input id, an
   * enrolment by an input is keyed by it, and the instance an input started never gets it as an input.
   */
  ingest(input: JourneyInput, now: EpochMs): Promise<{ readonly delivered: ReadonlyArray<string>; readonly enrolled: ReadonlyArray<string> }>;
  /** Claims one batch of due instances and processes it. */
  tick(now: EpochMs): Promise<TickResult>;
  /** Ticks until nothing is due at `now`. */
  drain(now: EpochMs): Promise<TickResult>;
  /** Ticks every `intervalMs` on `clock` until {@link JourneyRunner.stop}. */
  start(options: { readonly clock: () => EpochMs; readonly intervalMs?: number }): void;
  stop(): Promise<void>;
}

function configError(message: string, path: ReadonlyArray<string | number>): CrossChannelError<JourneyErrorCode> {
  return new CrossChannelError<JourneyErrorCode>('CONFIG_INVALID', message, { path });
}

/** When an input happened (NaN when it has no time: left to `advance` to refuse). */
function atOf(x: JourneyInput): number {
  const b = isRecord(x) ? ((x as { event?: unknown }).event ?? (x as { response?: unknown }).response ?? (x as { reply?: unknown }).reply) : null;
  return isRecord(b) && typeof b.at === 'number' ? b.at : NaN;
}

/** The seq of one of this instance's keys (`<instance>:<step>:<seq>[:…]`), or NaN. */
function seqOfKey(instanceId: string, key: string): number {
  if (!key.startsWith(`${instanceId}:`)) return NaN;
  const parts = key.slice(instanceId.length + 1).split(':');
  return Number(parts[1]);
}

/**
 * Creates a runner over a store. Several runners (processes) may share one store: claims are leased, so each
 * due step is advanced by one of them at a time.
 *
 * @example
 * ```ts
 * import { createJourneyRunner, parseJourney } from 'crosschannel/journeys';
 * import { MemoryJourneyStore, MemoryContactHistoryStore } from 'crosschannel/adapters/memory';
 *
 * declare const welcomeDefinition: JourneyDefinitionInput;
 * const runner = createJourneyRunner({
 *   store: new MemoryJourneyStore(),
 *   contacts: new MemoryContactHistoryStore(),
 *   journeys: [parseJourney(welcomeDefinition)],
 *   handlers: { send: (a) => console.log('send', a.channel, a.message, a.key) },
 * });
 * await runner.enrol('welcome', 'p-42', Date.now());
 * await runner.tick(Date.now());
 * ```
 */
export function createJourneyRunner(options: JourneyRunnerOptions): JourneyRunner {
  if (typeof options !== 'object' || options === null) throw configError('options must be an object', []);
  if (typeof options.store !== 'object' || options.store === null) throw configError('store is required', ['store']);
  if (!Array.isArray(options.journeys) || options.journeys.length === 0) throw configError('journeys must be a non-empty array', ['journeys']);
  if (typeof options.handlers !== 'object' || options.handlers === null) throw configError('handlers must be an object', ['handlers']);
  const leaseMs = options.leaseMs ?? 30_000;
  const batchSize = options.batchSize ?? 100;
  if (typeof leaseMs !== 'number' || !(leaseMs > 0)) throw configError('leaseMs must be positive', ['leaseMs']);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw configError('batchSize must be a positive integer', ['batchSize']);
  const owner = options.owner ?? 'runner';
  if (typeof owner !== 'string' || owner === '') throw configError('owner must be a non-empty string', ['owner']);
  // Every hook is checked here, where its option is named: used at tick, a bad one failed every claim, named as
  // advance's input (`inputs.caps`) or as a TypeError.
  for (const hook of ['person', 'holdout', 'bestMoment'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') throw configError(`${hook} must be a function`, [hook]);
  }
  for (const kind of ['send', 'wouldSend', 'task', 'answer', 'optOut'] as const) {
    if (options.handlers[kind] !== undefined && typeof options.handlers[kind] !== 'function') throw configError(`handlers.${kind} must be a function`, ['handlers', kind]);
  }
  if (options.caps !== undefined && !isCompiledCapRules(options.caps)) throw configError('caps must come from parseCapRules', ['caps']);
  const contacts = options.contacts as Partial<ContactHistoryStore> | undefined;
  if (contacts !== undefined && (typeof contacts?.history !== 'function' || typeof contacts.recordContact !== 'function')) {
    throw configError('contacts must be a ContactHistoryStore (history and recordContact)', ['contacts']);
  }
  const store = options.store;
  const byVersion = new Map<string, Journey>();
  const newest = new Map<string, Journey>();
  options.journeys.forEach((d, i) => {
    let j: Journey;
    try {
      j = parseJourney(d);
    } catch (e) {
      if (e instanceof CrossChannelError) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INVALID', e.message, { path: ['journeys', i, ...e.pathSegments] });
      throw e;
    }
    byVersion.set(`${j.id}@${j.version}`, j);
    if ((newest.get(j.id)?.version ?? 0) < j.version) newest.set(j.id, j);
  });

  async function loadInputs(inst: JourneyInstance, now: EpochMs): Promise<AdvanceInputs> {
    const person = options.person ? await options.person(inst.subjectId, now) : {};
    expectStoreAnswer(isRecord(person), 'options.person', 'a person context { profile?, consent?, timeZone? }', person);
    let history: CapHistory | undefined;
    if (options.contacts && options.caps) {
      const h = await options.contacts.history(inst.subjectId, now - options.caps.lookbackMs);
      expectStoreAnswer(isRecord(h) && Array.isArray(h.contacts) && h.contacts.every(isRecord) && Array.isArray(h.responses), 'contacts.history', '{ contacts: [records], responses: [] }', h);
      // A replayed step must not be capped by its own contact, recorded by a runner that died before saving.
      const own = h.contacts.filter((c) => typeof c.idempotencyKey === 'string' && seqOfKey(inst.id, c.idempotencyKey) >= inst.seq);
      history = own.length === 0 ? h : { contacts: h.contacts.filter((c) => !own.includes(c)), responses: h.responses };
    }
    return {
      ...(person.profile ? { profile: person.profile } : {}),
      ...(person.consent ? { consent: person.consent } : {}),
      ...(person.timeZone ? { timeZone: person.timeZone } : {}),
      ...(person.recentEvents ? { recentEvents: person.recentEvents } : {}),
      ...(options.caps ? { caps: options.caps } : {}),
      ...(history ? { history } : {}),
      ...(options.holdout ? { holdout: options.holdout } : {}),
      ...(options.bestMoment ? { bestMoment: options.bestMoment } : {}),
    };
  }

  async function perform(action: JourneyAction): Promise<void> {
    const h = options.handlers;
    switch (action.kind) {
      case 'send':
        if (options.contacts) {
          await options.contacts.recordContact({
            id: action.key,
            subjectId: action.subjectId,
            channel: action.channel,
            ...(action.campaignId ? { campaignId: action.campaignId } : {}),
            ...(action.offerId ? { offerId: action.offerId } : {}),
            tags: [...action.tags],
            at: action.at,
            transactional: action.transactional,
            idempotencyKey: action.key,
          });
        }
        return h.send?.(action);
      case 'wouldSend':
        return h.wouldSend?.(action);
      case 'task':
        return h.task?.(action);
      case 'answer':
        return h.answer?.(action);
      case 'optOut':
        return h.optOut?.(action);
    }
  }

  /** One claim: advance, act, save. Each action is pushed to `performed` once its handler returned (so a step that fails midway can say what it did). */
  async function processClaim(claim: JourneyClaim, now: EpochMs, onSaved?: (result: AdvanceResult) => void, performed: JourneyAction[] = []): Promise<{ outcome: 'completed' | 'lost'; actions: number }> {
    const inst = claim.instance;
    const journey = typeof inst.journeyId === 'string' && typeof inst.version === 'number' ? byVersion.get(`${inst.journeyId}@${inst.version}`) : undefined;
    if (!journey) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INSTANCE_INVALID', `No journey ${quoted(inst.journeyId)} version ${quoted(inst.version)} in this runner`, { path: ['instance', 'version'] });
    // What the store claimed is checked before anything reads it (the person, the history, the step).
    checkInstance(journey, inst);
    // An input dated after `now` (delivered by a runner whose clock is ahead) waits: the claim fails and is handed
    // out again once its lease expires.
    const early = claim.inbox.findIndex((x) => atOf(x) > now);
    if (early >= 0) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', `inbox[${early}] is dated after now: retried after the lease`, { path: ['inbox', early, 'at'] });
    const base = await loadInputs(inst, now);
    let r: AdvanceResult;
    try {
      r = advance(journey, inst, { ...base, inbox: claim.inbox }, now);
    } catch (e) {
      // A malformed inbound input must not block the instance forever: it is consumed without effect.
      if (!isCrossChannelError(e, 'JOURNEY_INPUT_INVALID')) throw e;
      r = advance(journey, inst, base, now);
    }
    for (const a of r.actions) {
      await perform(a);
      performed.push(a);
    }
    const saved = await store.complete(claim, r.instance, claim.inbox.length, now);
    expectStoreAnswer(typeof saved === 'boolean', 'journeys.complete', 'a boolean', saved);
    if (saved) onSaved?.(r);
    return { outcome: saved ? 'completed' : 'lost', actions: r.actions.length };
  }

  const telemetry = options.telemetry;
  if (telemetry !== undefined && (typeof telemetry !== 'object' || telemetry === null || typeof telemetry.step !== 'function')) throw configError('telemetry must be an object with a step function', ['telemetry']);
  const clock = options.traceClock ?? (() => globalThis.performance.now());
  if (typeof clock !== 'function') throw configError('traceClock must be a function', ['traceClock']);

  /** {@link processClaim}, reported to the telemetry sink when there is one. */
  async function observedClaim(claim: JourneyClaim, now: EpochMs): Promise<{ outcome: 'completed' | 'lost'; actions: number }> {
    if (telemetry === undefined) return processClaim(claim, now);
    const t0 = clock();
    const started = startStep(telemetry);
    const inst = claim.instance;
    const base = { journeyId: inst.journeyId, version: inst.version, instanceId: inst.id, subjectId: inst.subjectId, fromStep: inst.step };
    // What the step did before it ended, however it ended: a step that fails (or loses its lease) after a send has sent.
    const performed: JourneyAction[] = [];
    const report = (outcome: JourneyStepTelemetry['outcome'], more?: Pick<JourneyStepTelemetry, 'toStep' | 'status' | 'error'>): void =>
      emitStep(telemetry, { ...base, outcome, actions: performed.map((a) => ('channel' in a ? { kind: a.kind, channel: a.channel } : { kind: a.kind })), ms: clock() - t0, ...more }, started);
    try {
      const r = await processClaim(claim, now, (result) => report('completed', { toStep: result.instance.step, status: result.instance.status }), performed);
      if (r.outcome === 'lost') report('lost');
      return r;
    } catch (e) {
      report('failed', { error: isCrossChannelError(e) ? { code: e.code, message: e.message } : { code: 'ERROR', message: e instanceof Error ? e.message : String(e) } });
      throw e;
    }
  }

  async function tick(now: EpochMs): Promise<TickResult> {
    const claims = await store.claimDue(now, { limit: batchSize, leaseMs, owner });
    expectStoreAnswer(Array.isArray(claims) && claims.every((c) => isRecord(c) && isRecord(c.instance) && Array.isArray(c.inbox)), 'journeys.claimDue', 'a list of claims { instance, inbox, token, leaseUntil }', claims);
    const settled = await Promise.allSettled(claims.map((c) => observedClaim(c, now)));
    let completed = 0;
    let lost = 0;
    let actions = 0;
    const errors: Array<{ instanceId: string; error: unknown }> = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        if (s.value.outcome === 'completed') completed++;
        else lost++;
        actions += s.value.actions;
      } else errors.push({ instanceId: claims[i]!.instance.id, error: s.reason });
    });
    return { claimed: claims.length, completed, lost, failed: errors.length, actions, errors };
  }

  async function enrol(journeyId: string, subjectId: string, now: EpochMs, instanceId?: string): Promise<EnrolResult & { instance?: JourneyInstance }> {
    const j = newest.get(journeyId);
    if (!j) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', `Unknown journey ${quoted(journeyId)}`, { path: ['journeyId'] });
    const instance = startInstance(j, subjectId, now, instanceId);
    const r = await store.enrol(instance, entryPlan(j, now));
    expectStoreAnswer(isRecord(r) && typeof r.enrolled === 'boolean', 'journeys.enrol', 'an outcome { enrolled, … }', r);
    return r.enrolled ? { ...r, instance } : r;
  }

  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = true;

  return {
    enrol,
    async ingest(input, now) {
      checkJourneyInput(input);
      if (atOf(input) > now) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'input is dated after now: an input is applied at its time, not before', { path: ['input', 'at'] });
      const subjectId = 'event' in input ? input.event.subjectId : 'response' in input ? input.response.subjectId : input.reply.subjectId;
      // Every journey at once (a person's instances in different journeys are independent), so a store that batches
      // sends the journeys' reads, then their deliveries, together; each journey is tried even when another fails.
      const outcomes = await Promise.allSettled(
        [...newest.values()].map(async (j): Promise<{ delivered?: string; enrolled?: string }> => {
          // As startInstance's ids: with a ':' in a part, the lengths of the first two tell where each part ends.
          const startedBy = (j.id + subjectId + input.id).includes(':') ? [j.id, subjectId, input.id, j.id.length, subjectId.length].join(':') : `${j.id}:${subjectId}:${input.id}`;
          const active = await store.activeFor(j.id, subjectId);
          expectStoreAnswer(active === null || (isRecord(active) && typeof active.id === 'string'), 'journeys.activeFor', 'an instance or null', active);
          if (active) {
            // The instance this input started (an ingest retried after a failure) does not also get it as an input.
            if (active.id === startedBy) return {};
            const got = await store.deliver(active.id, input, now);
            expectStoreAnswer(typeof got === 'boolean', 'journeys.deliver', 'a boolean', got);
            return got ? { delivered: active.id } : {};
          }
          if ('event' in input && triggersEntry(j, { event: input.event })) {
            // The triggering event starts the journey; it is not also an input of it.
            const r = await enrol(j.id, subjectId, input.event.at, startedBy);
            return r.enrolled ? { enrolled: r.instance!.id } : {};
          }
          return {};
        }),
      );
      const failed = outcomes.find((o) => o.status === 'rejected');
      if (failed) throw failed.reason;
      const delivered: string[] = [];
      const enrolled: string[] = [];
      for (const o of outcomes) {
        const v = (o as PromiseFulfilledResult<{ delivered?: string; enrolled?: string }>).value;
        if (v.delivered !== undefined) delivered.push(v.delivered);
        if (v.enrolled !== undefined) enrolled.push(v.enrolled);
      }
      return { delivered, enrolled };
    },
    tick,
    async drain(now) {
      const total = { claimed: 0, completed: 0, lost: 0, failed: 0, actions: 0, errors: [] as Array<{ instanceId: string; error: unknown }> };
      for (;;) {
        const r = await tick(now);
        total.claimed += r.claimed;
        total.completed += r.completed;
        total.lost += r.lost;
        total.failed += r.failed;
        total.actions += r.actions;
        total.errors.push(...r.errors);
        if (r.claimed === 0) return total;
      }
    },
    start({ clock, intervalMs = 250 }) {
      if (!stopped) return;
      stopped = false;
      const loop = async (): Promise<void> => {
        if (stopped) return;
        running = tick(clock()).catch(() => undefined);
        const r = (await running) as TickResult | undefined;
        if (stopped) return;
        // A full batch means more is due: go again at once.
        timer = setTimeout(() => void loop(), r && r.claimed >= batchSize ? 0 : intervalMs);
      };
      void loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
  };
}
