/**
 * The pure engine: `advance(journey, instance, inputs, now)` moves one person through their journey — it
 * replays the new inputs in time order, runs every step that is due, checks each send against consent and
 * caps at send time, and returns the new instance, the actions to perform, the next wake-up and why.
 */
import { inputError } from '../core/errors.js';
import type { Reason } from '../core/explain.js';
import { uniformRng } from '../core/random.js';
import { MAX_EPOCH_MS, type EpochMs } from '../core/time.js';
import type { BehaviourEvent } from '../core/records.js';
import { evaluateCaps, type CapHistory, type CountedContact } from '../capping/evaluate.js';
import { canContact } from '../consent/contact.js';
import type { AdvanceResult, JourneyAction, TraceEntry } from './actions.js';
import { parseJourney, type CompiledSignal, type Journey } from './compile.js';
import type { Step } from './definition.js';
import type { JourneyReasonCode } from './errors.js';
import { checkInputs, collectSignals, type AdvanceInputs, type InboundReply, type Signal } from './inputs.js';
import { checkInstance, type JourneyInstance } from './instance.js';
import { matchReply } from './reply.js';
import { checkTime, clampTime, readAttr, waitEnd, zoneOf } from './schedule.js';
import { ownValue } from '../core/own.js';

// Safety net: the graph check forbids loops without a wait, so this is only reached by a pathological graph.
const MAX_STEPS_PER_ADVANCE = 1000;
const DEFAULT_STOP = ['stop', 'stopall', 'unsubscribe', 'arret'];

/** The step id named by one of this instance's idempotency keys (`<instance>:<step>:<seq>`), if it is one. */
export function stepOfKey(instanceId: string, key: string | undefined): string | undefined {
  if (key === undefined || !key.startsWith(`${instanceId}:`)) return undefined;
  const rest = key.slice(instanceId.length + 1);
  const colon = rest.indexOf(':');
  return colon > 0 ? rest.slice(0, colon) : undefined;
}

/**
 * Advances one instance to `now`. Pure and deterministic: the same journey, instance, inputs and `now` give the
 * same result; the instance passed in is never modified. Inputs are replayed in time order (one instant: the order
 * given), each after the steps due at or before it ran; then every step due by `now` runs, then `leftSegment` exits
 * are judged at `now`. Nothing happens after the end; an input dated after `now` is refused; one dated before the
 * current step began is recorded but answers no wait that began after it. A send is checked at its send time against
 * holdout, consent (`canContact`) and caps (`evaluateCaps`, whose exact `nextAllowedAt` is the hold time); a held
 * send is checked again at each new input (a consent change delivered as an event wakes it).
 * Advancing again with no new input emits nothing new. Bad input throws `CrossChannelError` before anything
 * changes.
 *
 * @example
 * ```ts
 * const journey = parseJourney({
 *   id: 'welcome', version: 1, entry: { on: 'manual' }, start: 'hello',
 *   steps: { hello: { type: 'send', channel: 'email', message: 'welcome-1', next: 'pause' }, pause: { type: 'wait', duration: '3d', next: 'tips' }, tips: { type: 'send', channel: 'email', message: 'welcome-2' } },
 * });
 * const now = Date.parse('2026-03-02T09:00:00Z');
 * const r = advance(journey, startInstance(journey, 'p-42', now), {}, now);
 * // r.actions: one send of welcome-1; r.wakeAt === now + 3 days
 * ```
 */
export function advance(journey: Journey, instance: JourneyInstance, inputs: AdvanceInputs, now: EpochMs): AdvanceResult {
  const j = parseJourney(journey);
  checkInstance(j, instance);
  checkTime(now, 'now');
  checkInputs(inputs);
  const signals = collectSignals(inputs, instance.subjectId, now);
  const run = new Run(j, instance, inputs);
  for (const sig of signals) {
    run.runUntil(sig.at);
    // Nothing happens after the end: an input after it (in this advance or a later one) is ignored.
    if (run.s.status !== 'active') break;
    run.signal(sig);
  }
  run.runUntil(now);
  // The segment exit is judged at `now`, once every earlier input has been replayed (a goal before it wins).
  run.checkLeftSegment(now);
  const out = run.s as JourneyInstance;
  return { instance: out, actions: run.actions, wakeAt: out.status === 'active' ? out.wakeAt : null, trace: run.trace };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One advance's working state. */
class Run {
  readonly s: Mutable<JourneyInstance>;
  readonly actions: JourneyAction[] = [];
  readonly trace: TraceEntry[] = [];
  #zone: string | undefined;
  private contacts: CountedContact[] | null = null;
  private steps = 0;

  constructor(
    private readonly j: Journey,
    instance: JourneyInstance,
    private readonly inputs: AdvanceInputs,
  ) {
    this.s = { ...instance };
  }

  /** The person's zone, read only when a step needs it (most advances never do). */
  private get zone(): string {
    return (this.#zone ??= this.inputs.timeZone ?? zoneOf(this.inputs.profile, this.j.definition.timeZoneAttr, this.j.definition.timeZone));
  }

  private note(code: JourneyReasonCode, message: string, at: EpochMs, detail?: Record<string, unknown>, step = this.s.step): void {
    this.trace.push(detail === undefined ? { code, message, step, at } : { code, message, step, at, detail });
  }

  private end(status: 'completed' | 'goal' | 'exited', outcome: string, at: EpochMs): void {
    this.s.status = status;
    this.s.outcome = outcome;
    this.s.endedAt = at;
    this.s.wakeAt = null;
    this.clearStepState();
  }

  // Deleting a property that is not there would still cost a shape change; most instances never have these.
  private clearStepState(): void {
    const s = this.s;
    if (s.heldSince !== undefined) delete s.heldSince;
    if (s.slotAt !== undefined) delete s.slotAt;
    if (s.helpSent !== undefined) delete s.helpSent;
  }

  private enter(next: string | undefined, at: EpochMs): void {
    if (next === undefined) {
      this.note('JOURNEY_COMPLETED', 'end of the journey', at);
      this.end('completed', 'completed', at);
      return;
    }
    const s = this.s;
    s.step = next;
    s.seq += 1;
    s.stepAt = at;
    s.wakeAt = at;
    this.clearStepState();
    // A send step entered again (a journey that loops): its reactions so far were to an earlier send.
    if (this.j.steps.get(next)?.type === 'send') {
      this.pass();
      if (ownValue(s.reactions, next)) {
        const { [next]: _, ...rest } = s.reactions!;
        s.reactions = rest;
      }
    }
  }

  /** Marks the current step's attempt as its latest send: reactions count for the send they answer. */
  private pass(): void {
    const s = this.s;
    s.sent = { ...s.sent, [s.step]: s.seq };
  }

  private key(suffix = ''): string {
    return `${this.s.id}:${this.s.step}:${this.s.seq}${suffix}`;
  }

  /** What segment conditions see at `t`: the person's recent events when given, else this advance's; none after `t`. */
  private events(t: EpochMs): ReadonlyArray<BehaviourEvent> {
    const all = this.inputs.recentEvents ?? this.inputs.events ?? [];
    return all.every((e) => e.at <= t) ? all : all.filter((e) => e.at <= t);
  }

  checkLeftSegment(now: EpochMs): void {
    if (this.inputs.profile === undefined || this.s.status !== 'active') return;
    for (const x of this.j.exits) {
      if (x.inSegment && !x.inSegment(this.inputs.profile, this.events(now), now)) {
        this.note('JOURNEY_EXIT', `left the segment of exit ${x.id}`, now, { exit: x.id });
        this.end('exited', x.id, now);
        return;
      }
    }
  }

  /** Runs every step due at or before `t`. */
  runUntil(t: EpochMs): void {
    while (this.s.status === 'active' && this.s.wakeAt !== null && this.s.wakeAt <= t) {
      if (++this.steps > MAX_STEPS_PER_ADVANCE) {
        this.note('JOURNEY_STEP_LIMIT', `more than ${MAX_STEPS_PER_ADVANCE} steps in one advance; resuming next time`, t);
        return;
      }
      this.execute(this.j.steps.get(this.s.step)!, this.s.wakeAt, t);
    }
  }

  private execute(step: Step, due: EpochMs, t: EpochMs): void {
    const at = due;
    switch (step.type) {
      case 'wait': {
        const end = waitEnd(step, this.s.stepAt, this.inputs.profile, this.zone);
        if (end === null) {
          this.note('JOURNEY_WAIT_DONE', `no usable date in ${step.date!.attr}`, at, { attr: step.date!.attr });
          return this.enter(step.date!.ifMissing ?? step.next, at);
        }
        if (end <= t) {
          this.note('JOURNEY_WAIT_DONE', 'wait over', Math.max(end, at));
          return this.enter(step.next, Math.max(end, at));
        }
        // The exact instant is in `detail.until`; the message stays cheap (every wait of every instance writes one).
        if (this.s.wakeAt !== end) this.note('JOURNEY_WAITING', `waiting ${Math.round((end - at) / 60_000)} min`, at, { until: end });
        this.s.wakeAt = end;
        return;
      }
      case 'waitFor':
      case 'reply': {
        const timeoutAt = clampTime(this.s.stepAt + step.timeout);
        if (timeoutAt <= t) {
          this.note('JOURNEY_TIMEOUT', 'no matching reaction before the timeout', timeoutAt);
          return this.enter(step.onTimeout, timeoutAt);
        }
        this.s.wakeAt = timeoutAt;
        return;
      }
      case 'split': {
        const ctx = { subjectId: this.s.subjectId, profile: this.inputs.profile ?? {}, events: this.events(at), now: at, reactions: this.s.reactions ?? {} };
        for (let i = 0; i < step.branches.length; i++) {
          if (this.j.conditions.get(`${this.s.step}/${i}`)!(ctx)) {
            this.note('JOURNEY_SPLIT', `branch ${step.branches[i]!.id ?? i} matched`, at, { branch: step.branches[i]!.id ?? i, next: step.branches[i]!.next });
            return this.enter(step.branches[i]!.next, at);
          }
        }
        this.note('JOURNEY_SPLIT', 'no branch matched: otherwise', at, { branch: 'otherwise' });
        return this.enter(step.otherwise, at);
      }
      case 'randomSplit': {
        let total = 0;
        for (const a of step.arms) total += a.weight;
        // The person's first draw of the seeded generator (FNV-1a, then splitmix32 and xoshiro128**): FNV-1a alone
        // taken modulo the weights gave two splits with other salts related arms (its low bits depend only on the
        // characters' low bits; its last bit is their parity).
        let pick = uniformRng(`${step.salt ?? `${this.j.id}:${this.s.step}`}:${this.s.subjectId}`).int(total);
        let arm = step.arms[0]!;
        for (const a of step.arms) {
          if (pick < a.weight) {
            arm = a;
            break;
          }
          pick -= a.weight;
        }
        this.note('JOURNEY_SPLIT', `random arm ${arm.id}`, at, { arm: arm.id });
        return this.enter(arm.next, at);
      }
      case 'task':
        this.actions.push({ kind: 'task', key: this.key(), subjectId: this.s.subjectId, journeyId: this.j.id, version: this.j.version, stepId: this.s.step, at, task: step.task, payload: step.payload });
        this.note('JOURNEY_TASK', `task ${step.task}`, at, { task: step.task });
        return this.enter(step.next, at);
      case 'goal':
        this.note('JOURNEY_GOAL', `goal ${step.goal ?? this.s.step} reached`, at);
        return this.end('goal', step.goal ?? this.s.step, at);
      case 'end':
        this.note('JOURNEY_COMPLETED', 'end step', at);
        return this.end('completed', 'completed', at);
      case 'send':
        return this.send(step, at);
    }
  }

  private history(): CapHistory {
    const h = this.inputs.history ?? { contacts: [], responses: [] };
    return this.contacts === null ? h : { contacts: this.contacts, responses: h.responses };
  }

  private send(step: Extract<Step, { type: 'send' }>, at: EpochMs): void {
    const { s, j, inputs } = this;
    const channels = typeof step.channel === 'string' ? [step.channel] : step.channel.best;
    // Best moment: choose the slot once, then come back at it.
    if (step.at === 'bestMoment' && inputs.bestMoment && s.slotAt === undefined) {
      const slot = inputs.bestMoment(s.subjectId, { channel: channels[0]!, from: at, horizonMs: step.within, now: at, timeZone: this.zone });
      // A hook answering anything else would send now, or wait forever (an infinite `at`).
      if (slot !== null && (typeof slot !== 'object' || !(Math.abs(slot.at) <= MAX_EPOCH_MS) || !Array.isArray(slot.reasons))) {
        throw inputError('bestMoment must answer { at: epoch ms, reasons: [] } or null', ['inputs', 'bestMoment']);
      }
      if (slot !== null && slot.at > at) {
        s.slotAt = slot.at;
        s.wakeAt = slot.at;
        this.note('JOURNEY_SEND_SCHEDULED', `best moment ${new Date(slot.at).toISOString()}`, at, { until: slot.at, reasons: slot.reasons });
        return;
      }
      if (slot === null) {
        this.note('JOURNEY_SEND_SKIPPED', 'no legal best moment within the horizon', at);
        return this.blocked(step, at, null, [{ code: 'JOURNEY_NO_BEST_MOMENT', message: 'no legal moment in the horizon' }]);
      }
    }
    const campaignId = step.campaignId ?? j.campaignId;
    const held = inputs.holdout?.(s.subjectId, { channel: channels[0]!, now: at, campaignId });
    if (inputs.holdout && (typeof held !== 'object' || held === null || typeof held.held !== 'boolean' || (held.held && (typeof held.experimentId !== 'string' || typeof held.variantId !== 'string')))) {
      throw inputError('holdout must answer { held: false } or { held: true, experimentId, variantId }', ['inputs', 'holdout']);
    }
    if (held?.held === true && !step.transactional) {
      this.actions.push(this.sendAction(step, channels[0]!, campaignId, at, held));
      this.note('JOURNEY_SEND_WOULD_HAVE', `held out by ${held.experimentId}/${held.variantId}: recorded, not sent`, at, { experimentId: held.experimentId, variantId: held.variantId });
      return this.enter(step.next, at);
    }
    let earliest: EpochMs | null = null;
    let consentBlocked = false;
    const why: Reason[] = [];
    for (const channel of channels) {
      if (inputs.consent) {
        const d = canContact(inputs.consent, { channel, purpose: step.purpose, now: at });
        if (!d.allowed) {
          consentBlocked = true;
          why.push(...d.reasons.filter((r) => r.code !== 'CONSENT_GRANTED'));
          continue;
        }
      }
      if (inputs.caps) {
        const d = evaluateCaps(this.history(), inputs.caps, { channel, campaignId, offerId: step.offerId, tags: step.tags, transactional: step.transactional, priority: step.priority }, { now: at, timeZone: this.zone });
        if (!d.allowed) {
          why.push(...d.reasons);
          if (d.nextAllowedAt !== null && (earliest === null || d.nextAllowedAt < earliest)) earliest = d.nextAllowedAt;
          continue;
        }
      }
      const action = this.sendAction(step, channel, campaignId, at, null);
      this.actions.push(action);
      const base = this.contacts ?? [...(inputs.history?.contacts ?? [])];
      base.push({ at, channel, tags: step.tags, transactional: step.transactional, campaignId, ...(step.offerId ? { offerId: step.offerId } : {}) });
      this.contacts = base;
      this.note('JOURNEY_SEND', `${channel}: ${step.message}`, at, { channel, message: step.message, key: action.key, ...(why.length > 0 ? { skippedChannels: why.map((r) => r.code) } : {}) });
      return this.enter(step.next, at);
    }
    if (!inputs.consent) this.note('JOURNEY_SEND', 'consent not supplied: not checked', at);
    // Consent can change at any time (no exact next time); caps know theirs exactly.
    this.blocked(step, at, consentBlocked && earliest === null ? null : earliest, why);
  }

  private blocked(step: Extract<Step, { type: 'send' }>, at: EpochMs, nextAllowedAt: EpochMs | null, why: ReadonlyArray<Reason>): void {
    const codes = why.map((r) => r.code);
    const policy = step.onBlocked;
    if (policy === 'skip') {
      this.note('JOURNEY_SEND_SKIPPED', `blocked (${codes.join(', ')}): skipped`, at, { reasons: why });
      return this.enter(step.next, at);
    }
    if (typeof policy === 'object') {
      this.note('JOURNEY_SEND_BRANCHED', `blocked (${codes.join(', ')}): to ${policy.goto}`, at, { reasons: why, next: policy.goto });
      return this.enter(policy.goto, at);
    }
    const since = this.s.heldSince ?? at;
    const limit = clampTime(since + step.holdAtMost);
    const until = nextAllowedAt === null ? limit : Math.min(nextAllowedAt, limit);
    if (until <= at || at >= limit) {
      this.note('JOURNEY_SEND_SKIPPED', `held since ${new Date(since).toISOString()} and still blocked (${codes.join(', ')}): skipped`, at, { reasons: why });
      return this.enter(step.next, at);
    }
    this.s.heldSince = since;
    this.s.wakeAt = until;
    this.note('JOURNEY_SEND_HELD', `blocked (${codes.join(', ')}): held until ${new Date(until).toISOString()}`, at, { until, nextAllowedAt, reasons: why });
  }

  private sendAction(step: Extract<Step, { type: 'send' }>, channel: string, campaignId: string, at: EpochMs, held: { experimentId: string; variantId: string } | null): JourneyAction {
    this.pass();
    const base = {
      key: this.key(),
      subjectId: this.s.subjectId,
      journeyId: this.j.id,
      version: this.j.version,
      stepId: this.s.step,
      at,
      channel,
      message: step.message,
      ...(step.offerId === undefined ? {} : { offerId: step.offerId }),
      campaignId,
      tags: step.tags,
      transactional: step.transactional,
    };
    return held === null ? { kind: 'send', ...base } : { kind: 'wouldSend', ...base, experimentId: held.experimentId, variantId: held.variantId };
  }

  private matches(sig: CompiledSignal, x: Signal, step: string | undefined): boolean {
    if (x.kind === 'response') return sig.response !== null && sig.response(x.response.kind, step);
    if (x.kind === 'event') return sig.event !== null && sig.event(x.event);
    return false;
  }

  /**
   * Handles one inbound signal (after the steps due at or before it ran). One dated before the current step began
   * happened before it: it is recorded and may end the journey (at the step's start), but answers no wait or reply
   * that began after it, as if it had been delivered on time.
   */
  signal(x: Signal): void {
    const s = this.s;
    const early = x.at < s.stepAt;
    const at = early ? s.stepAt : x.at;
    let from: string | undefined;
    if (x.kind === 'response') {
      from = stepOfKey(s.id, x.response.contactId);
      // A reaction to an earlier send of a step sent again since (a loop) is not one to its latest send.
      const n = ownValue(s.sent, from ?? '');
      if (n !== undefined && x.response.contactId !== `${s.id}:${from}:${n}`) from = undefined;
      if (from !== undefined && this.j.steps.has(from)) {
        const had = ownValue(s.reactions, from) ?? [];
        if (!had.includes(x.response.kind)) {
          s.reactions = { ...s.reactions, [from]: [...had, x.response.kind] };
          this.note('JOURNEY_REACTION', `${x.response.kind} on ${from}`, at, { kind: x.response.kind, step: from });
        }
      }
    }
    for (const g of this.j.goals) {
      if (this.matches(g.signal, x, from)) {
        this.note('JOURNEY_GOAL', `goal ${g.id} reached`, at, { goal: g.id });
        return this.end('goal', g.id, at);
      }
    }
    for (const e of this.j.exits) {
      if (e.signal && this.matches(e.signal, x, from)) {
        this.note('JOURNEY_EXIT', `exit ${e.id}`, at, { exit: e.id });
        return this.end('exited', e.id, at);
      }
    }
    const step = this.j.steps.get(s.step)!;
    if (x.kind === 'reply') this.reply(early ? null : step, x.reply, at);
    else if (!early && step.type === 'waitFor' && this.matches(this.j.waitSignals.get(s.step)!, x, from)) {
      this.note('JOURNEY_MATCHED', `${x.kind === 'event' ? x.event.type : x.kind === 'response' ? x.response.kind : 'reply'} while waiting`, at);
      this.enter(step.next, at);
    }
    // A held send is checked again at each new input (a consent change is one): consent has no next legal time.
    if (s.status === 'active' && step.type === 'send' && s.heldSince !== undefined && at > s.heldSince) {
      this.note('JOURNEY_SEND_RECHECKED', `held send checked again on a new ${x.kind}`, at, { input: x.kind });
      this.send(step, at);
    }
  }

  private reply(step: Step | null, r: InboundReply, at: EpochMs): void {
    const s = this.s;
    const inReply = step?.type === 'reply' && step.channel === r.channel;
    const m = matchReply(r.text, inReply ? { choices: step.choices, names: namesOf(readAttr(this.inputs.profile, step.names ?? '')), stopKeywords: step.stopKeywords } : { choices: [], stopKeywords: DEFAULT_STOP });
    const base = { subjectId: s.subjectId, journeyId: this.j.id, version: this.j.version, stepId: s.step, at };
    if (m.kind === 'stop') {
      this.actions.push({ ...base, kind: 'optOut', key: this.key(':stop'), channel: r.channel });
      this.note('JOURNEY_REPLY_STOP', `STOP on ${r.channel}: opted out`, at, { channel: r.channel });
      return this.end('exited', 'stop', at);
    }
    if (!inReply) return;
    if (m.kind === 'choice') {
      this.actions.push({ ...base, kind: 'answer', key: this.key(':answer'), choice: m.choice, ...(m.name === undefined ? {} : { name: m.name }), text: r.text });
      this.note('JOURNEY_REPLY_MATCHED', `reply "${r.text}" read as ${m.choice}${m.name ? ` for ${m.name}` : ''}`, at, { choice: m.choice, typos: m.typos });
      const choice = step.choices.find((c) => c.id === m.choice)!;
      return this.enter(choice.next, at);
    }
    this.note('JOURNEY_REPLY_UNRECOGNISED', `reply "${r.text}" not understood (${m.why})`, at, { why: m.why });
    if (step.help !== undefined && s.helpSent !== true) {
      s.helpSent = true;
      this.actions.push({ ...base, kind: 'send', key: this.key(':help'), channel: r.channel, message: step.help, campaignId: this.j.campaignId, tags: [], transactional: true });
    }
  }
}

function namesOf(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap((x) => (typeof x === 'string' ? [x] : typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string' ? [(x as { name: string }).name] : []));
  return undefined;
}
