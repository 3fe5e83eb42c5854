/**
 * `simulateJourney`: runs a journey over a population before it goes live — with the real caps and consent —
 * and reports per-step counts, the funnel, contact pressure per person per week and what caps and consent
 * blocked. Pure: a seeded generator draws the responses.
 */
import { CrossChannelError, underPath } from '../core/errors.js';
import { createRng, type Rng } from '../core/random.js';
import type { ResponseKind } from '../core/records.js';
import { DAY, MAX_EPOCH_MS, WEEK, type EpochMs } from '../core/time.js';
import type { CountedContact } from '../capping/evaluate.js';
import type { CompiledCapRules } from '../capping/rules.js';
import type { ConsentState } from '../consent/ledger.js';
import type { Profile } from '../segments/conditions.js';
import type { JourneyAction } from './actions.js';
import { advance } from './advance.js';
import { parseJourney, type Journey } from './compile.js';
import type { JourneyDefinitionInput } from './definition.js';
import type { JourneyErrorCode } from './errors.js';
import type { AdvanceInputs, JourneyResponse } from './inputs.js';
import { startInstance, type JourneyInstance } from './instance.js';

/**
 * One simulated person.
 *
 * @example
 * ```ts
 * declare const consent: ConsentState;
 * const p: SimulatedPerson = { subjectId: 'p1', profile: { timeZone: 'Europe/Paris' }, consent, enterAt: 0 };
 * ```
 */
export interface SimulatedPerson {
  readonly subjectId: string;
  readonly profile?: Profile;
  readonly consent?: ConsentState;
  /** Offset from the simulation start at which the person enters (default 0). */
  readonly enterAt?: number;
}

/**
 * What a person does after a send: reactions (with delays) and behaviour events (e.g. `demo_booked`).
 *
 * @example
 * ```ts
 * const model: ResponseModel = (send, rng) => (rng.next() < 0.3 ? { responses: [{ kind: 'opened', afterMs: 3_600_000 }] } : {});
 * ```
 */
export type ResponseModel = (
  send: Extract<JourneyAction, { kind: 'send' }>,
  rng: Rng,
) => { responses?: ReadonlyArray<{ kind: ResponseKind; afterMs: number }>; events?: ReadonlyArray<{ type: string; afterMs: number }> };

/**
 * Rates per channel: `opened`, then `clicked` among openers, `unsubscribed` among all, and `goal` (a behaviour
 * event of type `goalEvent`) among clickers.
 *
 * @example
 * ```ts
 * const rates: ResponseRates = { email: { opened: 0.35, clicked: 0.2, unsubscribed: 0.005, goal: 0.1 }, goalEvent: 'demo_booked' };
 * ```
 */
export type ResponseRates = { readonly goalEvent?: string } & { readonly [channel: string]: { readonly opened?: number; readonly clicked?: number; readonly unsubscribed?: number; readonly goal?: number } | string | undefined };

/**
 * Options of {@link simulateJourney}.
 *
 * @example
 * ```ts
 * const o: SimulationOptions = { days: 60, seed: 7, start: Date.parse('2026-03-02T08:00:00Z'), responseModel: { email: { opened: 0.3 } } };
 * ```
 */
export interface SimulationOptions {
  readonly days: number;
  readonly seed: number | string;
  readonly start: EpochMs;
  readonly responseModel?: ResponseModel | ResponseRates;
  readonly caps?: CompiledCapRules;
}

/**
 * The forecast.
 *
 * @example
 * ```ts
 * declare const r: SimulationReport;
 * console.log(r.funnel, r.blocked.caps, r.contactsPerPersonWeek.email);
 * ```
 */
export interface SimulationReport {
  readonly population: number;
  /** People who reached each step (definition order). */
  readonly funnel: ReadonlyArray<{ readonly step: string; readonly reached: number }>;
  /** Per step: people reached, sends, tasks, sends blocked by caps and by consent (a send held, then sent, skipped or held again, counts once). */
  readonly steps: Readonly<Record<string, { reached: number; sent: number; tasks: number; blockedByCaps: number; blockedByConsent: number }>>;
  /** Average contacts per person per week, by channel. */
  readonly contactsPerPersonWeek: Readonly<Record<string, number>>;
  /** Sends that caps and consent blocked, each once however often it was held (what `steps` adds up). */
  readonly blocked: { readonly caps: number; readonly consent: number };
  /** How instances stood at the end: `active`, `completed`, `goal:<id>`, `exited:<id>`. */
  readonly outcomes: Readonly<Record<string, number>>;
}

function rateModel(rates: ResponseRates): ResponseModel {
  return (send, rng) => {
    const r = rates[send.channel];
    if (typeof r !== 'object' || r === undefined) return {};
    const responses: Array<{ kind: ResponseKind; afterMs: number }> = [];
    const events: Array<{ type: string; afterMs: number }> = [];
    if (rng.next() < (r.unsubscribed ?? 0)) return { responses: [{ kind: 'unsubscribed', afterMs: 2 * 3_600_000 }] };
    if (rng.next() < (r.opened ?? 0)) {
      responses.push({ kind: 'opened', afterMs: 3_600_000 + rng.int(12 * 3_600_000) });
      if (rng.next() < (r.clicked ?? 0)) {
        responses.push({ kind: 'clicked', afterMs: 13 * 3_600_000 });
        if (rates.goalEvent !== undefined && rng.next() < (r.goal ?? 0)) events.push({ type: rates.goalEvent, afterMs: DAY });
      }
    }
    return { responses, events };
  };
}

/**
 * Simulates `journey` for `population` over `days` from `start`, with the real consent (per person) and caps.
 * Deterministic for a seed.
 *
 * @example
 * ```ts
 * declare const definition: JourneyDefinitionInput; declare const people: SimulatedPerson[];
 * const report = simulateJourney(definition, people, { days: 60, seed: 1, start: Date.parse('2026-03-02T08:00:00Z'), responseModel: { email: { opened: 0.35, clicked: 0.15 } } });
 * console.log(report.funnel);
 * ```
 */
export function simulateJourney(definition: Journey | JourneyDefinitionInput, population: ReadonlyArray<SimulatedPerson>, options: SimulationOptions): SimulationReport {
  const journey = parseJourney(definition);
  if (!Array.isArray(population)) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'population must be an array', { path: ['population'] });
  if (typeof options !== 'object' || options === null || !(options.days > 0) || !Number.isInteger(options.start) || !(Math.abs(options.start) <= MAX_EPOCH_MS)) {
    throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', 'options need days > 0 and a start instant (epoch milliseconds)', { path: ['options'] });
  }
  const model = typeof options.responseModel === 'function' ? options.responseModel : rateModel(options.responseModel ?? {});
  const end = options.start + options.days * DAY;
  const steps: Record<string, { reached: number; sent: number; tasks: number; blockedByCaps: number; blockedByConsent: number }> = {};
  for (const id of journey.steps.keys()) steps[id] = { reached: 0, sent: 0, tasks: 0, blockedByCaps: 0, blockedByConsent: 0 };
  // A Map, not an object: a channel may be named `constructor`, which an object would read as Object's function.
  const perChannel = new Map<string, number>();
  const outcomes: Record<string, number> = {};
  let capsBlocked = 0;
  let consentBlocked = 0;
  population.forEach((person, n) => {
    if (typeof person !== 'object' || person === null) throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', `population[${n}] needs a subjectId`, { path: ['population', n] });
    // Checked here, where the person is: the journey would report them at its own argument (`subjectId`, `inputs.profile`).
    if (typeof person.subjectId !== 'string' || person.subjectId === '') {
      throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', `population[${n}] needs a subjectId`, { path: ['population', n, 'subjectId'] });
    }
    for (const k of ['profile', 'consent'] as const) {
      if (person[k] !== undefined && (typeof person[k] !== 'object' || person[k] === null)) {
        throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', `population[${n}].${k} must be an object`, { path: ['population', n, k] });
      }
    }
    const offset = person.enterAt ?? 0;
    // The entry instant must be epoch milliseconds; a bad offset is named as itself, not as the instant it gave.
    const enterAt = typeof offset === 'number' ? options.start + offset : Number.NaN;
    if (!Number.isInteger(offset) || !(Math.abs(enterAt) <= MAX_EPOCH_MS)) {
      throw new CrossChannelError<JourneyErrorCode>('JOURNEY_INPUT_INVALID', `population[${n}].enterAt must be a whole number of ms that keeps start + enterAt within epoch milliseconds`, { path: ['population', n, 'enterAt'] });
    }
    const rng = createRng(`${options.seed}:${person.subjectId}`);
    let inst: JourneyInstance;
    try {
      inst = startInstance(journey, person.subjectId, enterAt);
    } catch (e) {
      // Named where the person is (`population[3].subjectId`), not as startInstance's own argument.
      throw underPath(e, ['population', n]);
    }
    const contacts: CountedContact[] = [];
    const pending: Array<{ at: number; response?: JourneyResponse; event?: { type: string } }> = [];
    const reached = new Set<string>([inst.step]);
    // The step whose send is blocked right now (held), so that holding it again does not count it again.
    let blockedStep: string | null = null;
    const base: AdvanceInputs = {
      ...(person.profile ? { profile: person.profile } : {}),
      ...(person.consent ? { consent: person.consent } : {}),
      ...(options.caps ? { caps: options.caps } : {}),
    };
    for (let guard = 0; guard < 10_000 && inst.status === 'active'; guard++) {
      pending.sort((a, b) => a.at - b.at);
      const t = Math.min(inst.wakeAt ?? Infinity, pending[0]?.at ?? Infinity);
      if (t > end) break;
      const due = [];
      while (pending.length > 0 && pending[0]!.at <= t) due.push(pending.shift()!);
      const responses = due.flatMap((d) => (d.response ? [d.response] : []));
      const events = due.flatMap((d) => (d.event ? [{ subjectId: person.subjectId, type: d.event.type, at: d.at, properties: {} }] : []));
      const r = advance(journey, inst, { ...base, history: { contacts, responses: [] }, ...(responses.length ? { responses } : {}), ...(events.length ? { events } : {}) }, t);
      for (const tr of r.trace) {
        reached.add(tr.step);
        const codes = tr.code === 'JOURNEY_SEND_HELD' || tr.code === 'JOURNEY_SEND_SKIPPED' || tr.code === 'JOURNEY_SEND_BRANCHED' ? ((tr.detail?.reasons as Array<{ code: string }> | undefined) ?? []).map((x) => x.code) : [];
        const by = codes.some((c) => c.startsWith('CAP_')) ? 'caps' : codes.some((c) => c.startsWith('CONSENT_')) ? 'consent' : null;
        // One blocked send, however often it is held again before it is sent, skipped or branched away.
        if (by !== null && blockedStep !== tr.step) {
          if (by === 'caps') {
            capsBlocked++;
            steps[tr.step]!.blockedByCaps++;
          } else {
            consentBlocked++;
            steps[tr.step]!.blockedByConsent++;
          }
        }
        // Another step, or a send that goes, closes it (each attempt logs JOURNEY_SEND before its outcome).
        if (by !== null) blockedStep = tr.step;
        else if (tr.step !== blockedStep) blockedStep = null;
      }
      for (const a of r.actions) {
        if (a.kind === 'task') steps[a.stepId]!.tasks++;
        if (a.kind !== 'send') continue;
        if (a.stepId === blockedStep) blockedStep = null;
        steps[a.stepId]!.sent++;
        perChannel.set(a.channel, (perChannel.get(a.channel) ?? 0) + 1);
        contacts.push({ at: a.at, channel: a.channel, tags: [...a.tags], transactional: a.transactional, campaignId: a.campaignId });
        const m = model(a, rng);
        for (const x of m.responses ?? []) pending.push({ at: a.at + x.afterMs, response: { subjectId: person.subjectId, kind: x.kind, at: a.at + x.afterMs, contactId: a.key } });
        for (const x of m.events ?? []) pending.push({ at: a.at + x.afterMs, event: { type: x.type } });
      }
      inst = r.instance;
      reached.add(inst.step);
    }
    for (const s of reached) steps[s]!.reached++;
    const k = inst.status === 'goal' || inst.status === 'exited' ? `${inst.status}:${inst.outcome}` : inst.status;
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  });
  const weeks = (options.days * DAY) / WEEK;
  const contactsPerPersonWeek: Record<string, number> = Object.fromEntries([...perChannel].map(([c, n]) => [c, population.length === 0 ? 0 : n / population.length / weeks]));
  return {
    population: population.length,
    funnel: [...journey.steps.keys()].map((step) => ({ step, reached: steps[step]!.reached })),
    steps,
    contactsPerPersonWeek,
    blocked: { caps: capsBlocked, consent: consentBlocked },
    outcomes,
  };
}
