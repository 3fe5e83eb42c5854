import { reason, type Decision, type Reason } from '../core/explain.js';
import { lowerBoundAt, type ContactRecord, type ResponseRecord } from '../core/records.js';
import { isCalendarInstant, MAX_EPOCH_MS, type EpochMs } from '../core/time.js';
import { parseCapRules, type CapRuleSetInput, type CompiledCapRule, type CompiledCapRules } from './rules.js';
import { coversWholeWeek, quietEnd, type CompiledQuietRange } from './quiet.js';
import { capWindowAt, checkNow, checkZone } from './windows.js';
import type { CapReasonCode } from './errors.js';
import { checkCandidate, checkCapHistory, checkCapOptions } from './check.js';

/**
 * The message a channel wants to send: a contact record (or just its counted fields) plus an optional
 * `priority` (default 0) used by limit rules that reserve slots.
 *
 * @example
 * ```ts
 * const candidate: CapCandidate = { channel: 'sms', campaignId: 'spring-sale', tags: ['marketing'], priority: 1 };
 * ```
 */
export interface CapCandidate {
  readonly channel: string;
  readonly campaignId?: string | undefined;
  readonly offerId?: string | undefined;
  readonly tags?: ReadonlyArray<string> | undefined;
  readonly transactional?: boolean | undefined;
  readonly priority?: number | undefined;
}

/**
 * The fields of a past contact that capping reads (a {@link ContactRecord} has them all).
 *
 * @example
 * ```ts
 * const c: CountedContact = { at: 1767603600000, channel: 'email', tags: ['marketing'], transactional: false };
 * ```
 */
export type CountedContact = Pick<ContactRecord, 'at' | 'channel' | 'tags' | 'transactional'> & {
  readonly campaignId?: string | undefined;
  readonly offerId?: string | undefined;
};

/**
 * The part of a {@link crosschannel!History | History} capping reads; both lists sorted by `at` ascending, every `at`
 * a whole epoch millisecond (the public functions check it: `INPUT_INVALID` at the first bad record). A `History` is one.
 *
 * @example
 * ```ts
 * declare const store: ContactHistoryStore;
 * declare const now: number;
 *
 * const h: CapHistory = await store.history('p-42', now - 31 * DAY);
 * ```
 */
export interface CapHistory {
  readonly contacts: ReadonlyArray<CountedContact>;
  readonly responses: ReadonlyArray<Pick<ResponseRecord, 'at' | 'kind' | 'channel' | 'tags'> & { readonly campaignId?: string | undefined; readonly offerId?: string | undefined }>;
}

/**
 * When to evaluate and in which zone the subject lives (default: the rule set's `timeZone`).
 *
 * @example
 * ```ts
 * const options: CapOptions = { now: Date.parse('2026-06-01T08:00:00Z'), timeZone: 'America/New_York' };
 * ```
 */
export interface CapOptions {
  readonly now: EpochMs;
  readonly timeZone?: string | undefined;
}

/**
 * The outcome: `allowed`, the blocking `reasons` (one per blocking rule, with counts), and `nextAllowedAt` — the
 * first instant ≥ `now` at which the candidate would be allowed if nothing else happened, always a whole epoch
 * millisecond (`now` when allowed; `null` when never, e.g. a `forever` cooldown, and also when not before the end
 * of the supported range: past ±8.64e15 ms, or past the year 9999 for rules that read the local calendar).
 *
 * @example
 * ```ts
 * const d: CapDecision = { allowed: false, reasons: [{ code: 'CAP_MIN_GAP', message: 'gap: …', rule: 'gap' }], nextAllowedAt: 1767618000000 };
 * ```
 */
export interface CapDecision extends Decision<CapReasonCode> {
  readonly nextAllowedAt: EpochMs | null;
}

const NO_REASONS: ReadonlyArray<Reason<CapReasonCode>> = Object.freeze([]);

/**
 * Decides whether `candidate` may be sent at `options.now` given the subject's contact and response history.
 * Pure: the same inputs always give the same decision.
 *
 * Semantics (records dated after `now` count as already happened): a `limit` rule blocks when the counted
 * contacts in its window (rolling: `at > t − D`, no end; calendar: the local day/week/month containing `t`) reach
 * the limit (minus reserved slots for lower-priority candidates); `gap` blocks when a counted contact lies within
 * `minGap` of `t`; `quiet` blocks inside the local ranges; `cooldown` blocks until `response.at + duration`.
 * Every record is checked first, in one pass (`INPUT_INVALID` at e.g. `history.contacts[2].at`: a `NaN` or
 * fractional `at`, an unsorted list, a missing `channel`, tags that are not an array of strings).
 *
 * @example
 * ```ts
 * const caps = parseCapRules({ rules: [{ id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } }] });
 * const history = createHistory('p1', { contacts: [parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'sms', at: '2026-01-05T09:00:00Z' })] });
 * const d = evaluateCaps(history, caps, { channel: 'sms' }, { now: Date.parse('2026-01-05T12:00:00Z'), timeZone: 'Europe/Paris' });
 * // d.allowed === false; d.reasons[0].code === 'CAP_LIMIT_REACHED'; d.nextAllowedAt === Date.parse('2026-01-05T23:00:00Z')
 * ```
 */
export function evaluateCaps(history: CapHistory, rules: CompiledCapRules | CapRuleSetInput, candidate: CapCandidate, options: CapOptions): CapDecision {
  checkCapHistory(history);
  checkCandidate(candidate);
  checkCapOptions(options);
  return capDecision(history, rules, candidate, options);
}

/**
 * {@link evaluateCaps} without the checks of the history, candidate and options (the rules are still parsed): for
 * callers whose data is already parsed — the stores, `decide`, the planner's own loop. Internal.
 */
export function capDecision(history: CapHistory, rules: CompiledCapRules | CapRuleSetInput, candidate: CapCandidate, options: CapOptions): CapDecision {
  const caps = parseCapRules(rules);
  const now = options.now;
  checkNow(caps, now);
  const zone = checkZone(caps, options.timeZone ?? caps.timeZone);
  let reasons: Reason<CapReasonCode>[] | null = null;
  // No instant before the latest single-rule release can be allowed: the search starts there.
  let from: EpochMs | null = now;
  const list = caps.rules;
  for (let i = 0; i < list.length; i++) {
    const rule = list[i]!;
    if (!appliesTo(rule, candidate)) continue;
    let free = earliestFrom(caps, rule, history, candidate, now, zone);
    if (free === now) continue;
    // A release past the supported range is no release the rules can read: null in the reason as in nextAllowedAt.
    if (free !== null && !reachable(caps, free)) free = null;
    (reasons ??= []).push(explain(caps, rule, history, candidate, now, zone, free));
    if (free === null) from = null;
    else if (from !== null && free > from) from = free;
  }
  if (reasons === null) return { allowed: true, reasons: NO_REASONS, nextAllowedAt: now };
  return { allowed: false, reasons, nextAllowedAt: from === null ? null : nextAllowedAt(caps, history, candidate, from, zone) };
}

/**
 * True when `rule` constrains `candidate`: the candidate is in the rule's scope, has the `per` field, and is not a
 * transactional message the rule exempts.
 */
export function appliesTo(rule: CompiledCapRule, candidate: CapCandidate): boolean {
  if (candidate.transactional === true && rule.transactionalBypass) return false;
  if (rule.per === 'campaign' && candidate.campaignId === undefined) return false;
  if (rule.per === 'offer' && candidate.offerId === undefined) return false;
  return inScope(rule, candidate.channel, candidate.campaignId, candidate.offerId, candidate.tags);
}

/** True when a record with these fields is in the rule's scope (channels, campaigns, offers, tags). Internal: shared with timing. */
export function inScope(rule: CompiledCapRule, channel: string, campaignId: string | undefined, offerId: string | undefined, tags: ReadonlyArray<string> | undefined): boolean {
  if (rule.channels !== null && !rule.channels.includes(channel)) return false;
  if (rule.campaigns !== null && (campaignId === undefined || !rule.campaigns.includes(campaignId))) return false;
  if (rule.offers !== null && (offerId === undefined || !rule.offers.includes(offerId))) return false;
  if (rule.tags !== null) {
    if (tags === undefined) return false;
    let any = false;
    for (let i = 0; i < tags.length && !any; i++) any = rule.tags.includes(tags[i]!);
    if (!any) return false;
  }
  return true;
}

/** True when `rec` has the candidate's value of the rule's `per` field (always, without `per`). Internal: shared with timing. */
export function samePer(rule: CompiledCapRule, rec: { channel: string; campaignId?: string | undefined; offerId?: string | undefined }, candidate: CapCandidate): boolean {
  switch (rule.per) {
    case null:
      return true;
    case 'channel':
      return rec.channel === candidate.channel;
    case 'campaign':
      return rec.campaignId === candidate.campaignId;
    case 'offer':
      return rec.offerId === candidate.offerId;
  }
}

/** True when a limit or gap rule that applies to `candidate` counts the contact `c`. Internal: shared with timing. */
export function counts(rule: CompiledCapRule, c: CountedContact, candidate: CapCandidate): boolean {
  if (c.transactional && !rule.transactionalCounts) return false;
  if (rule.per !== null && !samePer(rule, c, candidate)) return false;
  return inScope(rule, c.channel, c.campaignId, c.offerId, c.tags);
}

/**
 * The limit a candidate may use under a limit rule: reserved slots are only for priority ≥ `reserve.minPriority`.
 */
export function effectiveLimit(rule: CompiledCapRule, candidate: CapCandidate): number {
  return (candidate.priority ?? 0) >= rule.reserveMinPriority ? rule.limit : rule.limit - rule.reserveSlots;
}

/**
 * `t` when `rule` alone allows the candidate at `t`; otherwise the earliest instant after `t` at which it does — past
 * calendar windows already full of contacts dated ahead, past quiet ranges of the rule that run into each other;
 * `null` for never. Past the supported range it returns an instant {@link reachable} refuses.
 */
function earliestFrom(caps: CompiledCapRules, rule: CompiledCapRule, h: CapHistory, cand: CapCandidate, t: EpochMs, zone: string): EpochMs | null {
  const contacts = h.contacts;
  switch (rule.kind) {
    case 'limit': {
      const limit = effectiveLimit(rule, cand);
      if (limit <= 0) return null;
      const win = rule.window!;
      if (win.type === 'rolling') {
        // Allowed once the limit-th newest counted contact (those dated after `t` included) has left the window.
        let seen = 0;
        for (let i = contacts.length - 1; i >= 0; i--) {
          const c = contacts[i]!;
          if (c.at <= t - win.ms) break;
          if (counts(rule, c, cand) && ++seen === limit) return c.at + win.ms;
        }
        return t;
      }
      // Calendar: the first window from `t` on with a free slot (the next ones may be full of contacts dated ahead).
      for (;;) {
        if (!reachable(caps, t)) return t;
        const w = capWindowAt(caps, rule, t, zone);
        let n = 0;
        for (let i = lowerBoundAt(contacts, w.start); i < contacts.length && contacts[i]!.at < w.end && n < limit; i++) if (counts(rule, contacts[i]!, cand)) n++;
        if (n < limit) return t;
        t = w.end;
      }
    }
    case 'gap': {
      // A counted contact blocks less than minGap either side of it: walk the run of contacts each within minGap
      // of the release the one before it gives, in one pass (a chain of contacts 59 s apart under a 1-minute gap
      // is one step of the search, not one per contact).
      const g = rule.minGap;
      let free = t;
      for (let i = lowerBoundAt(contacts, t - g + 1); i < contacts.length; i++) {
        const c = contacts[i]!;
        if (c.at >= free + g) break;
        if (counts(rule, c, cand)) free = c.at + g;
      }
      return free;
    }
    case 'quiet':
      return quietEnd(rule, t, zone);
    case 'cooldown': {
      const responses = h.responses;
      const d = rule.cooldownMs;
      let until = t;
      for (let i = d === Number.POSITIVE_INFINITY ? 0 : lowerBoundAt(responses, t - d + 1); i < responses.length; i++) {
        const r = responses[i]!;
        if (!rule.cooldownKinds.includes(r.kind) || !samePer(rule, r, cand) || !inScope(rule, r.channel, r.campaignId, r.offerId, r.tags)) continue;
        if (d === Number.POSITIVE_INFINITY) return null;
        if (r.at + d > until) until = r.at + d;
      }
      return until;
    }
  }
}

/** True when the rules can be read at `t`: within ±8.64e15 ms, and within years 1–9999 for calendar rules. */
function reachable(caps: CompiledCapRules, t: EpochMs): boolean {
  return t <= MAX_EPOCH_MS && (!caps.calendar || isCalendarInstant(t));
}

/**
 * First instant ≥ `from` at which every applicable rule allows the candidate; `null` if none ever does, or none
 * before the end of the supported range. No step limit is needed: every step moves `t` strictly forward to a rule's
 * exact release (past a run of contacts, a response, a calendar window or a quiet range), so the steps are bounded
 * by the records and windows ahead, and `t` by the range.
 */
function nextAllowedAt(caps: CompiledCapRules, h: CapHistory, cand: CapCandidate, from: EpochMs, zone: string): EpochMs | null {
  if (quietForever(caps, cand)) return null;
  let t = from;
  for (;;) {
    // Past the year 9999 the local calendar ends (and every rule set ends at 8.64e15): nothing is allowed there.
    if (!reachable(caps, t)) return null;
    let moved = false;
    for (const rule of caps.rules) {
      if (!appliesTo(rule, cand)) continue;
      const free = earliestFrom(caps, rule, h, cand, t, zone);
      if (free === null) return null;
      if (free > t) {
        t = free;
        moved = true;
      }
    }
    if (!moved) return t;
  }
}

/** Quiet rules that each leave some time free may still cover the whole week together. */
function quietForever(caps: CompiledCapRules, cand: CapCandidate): boolean {
  let key = '';
  const ranges: CompiledQuietRange[] = [];
  caps.rules.forEach((rule, i) => {
    if (rule.kind !== 'quiet' || !appliesTo(rule, cand)) return;
    key += `${i},`;
    ranges.push(...rule.ranges);
  });
  if (key === '') return false;
  let covered = caps.quietCoverage.get(key);
  if (covered === undefined) {
    covered = coversWholeWeek(ranges);
    caps.quietCoverage.set(key, covered);
  }
  return covered;
}

function explain(caps: CompiledCapRules, rule: CompiledCapRule, h: CapHistory, cand: CapCandidate, now: EpochMs, zone: string, free: EpochMs | null): Reason<CapReasonCode> {
  const label = rule.source.description ?? rule.id;
  switch (rule.kind) {
    case 'limit': {
      const limit = effectiveLimit(rule, cand);
      const w = capWindowAt(caps, rule, now, zone);
      let count = 0;
      for (let i = lowerBoundAt(h.contacts, w.start); i < h.contacts.length && h.contacts[i]!.at < w.end; i++) if (counts(rule, h.contacts[i]!, cand)) count++;
      const win = rule.window!;
      const windowText = win.type === 'rolling' ? `the last ${win.ms} ms` : `this local ${win.unit}`;
      // A rolling window has no end (null): contacts dated after `now` count in it, as already happened.
      const detail: Record<string, unknown> = { count, limit, windowStart: w.start, windowEnd: win.type === 'rolling' ? null : w.end, releasedAt: free };
      if (limit !== rule.limit) detail.reservedSlots = rule.reserveSlots;
      return reason('CAP_LIMIT_REACHED', `${label}: ${count} of ${limit} contacts in ${windowText}`, { rule: rule.id, detail });
    }
    case 'gap': {
      // The latest counted contact less than minGap from `now` (the release may lie further on, past a run of them).
      let nearest: EpochMs | null = null;
      for (let i = lowerBoundAt(h.contacts, now - rule.minGap + 1); i < h.contacts.length && h.contacts[i]!.at < now + rule.minGap; i++) {
        if (counts(rule, h.contacts[i]!, cand)) nearest = h.contacts[i]!.at;
      }
      return reason('CAP_MIN_GAP', `${label}: less than ${rule.minGap} ms since the last contact in scope`, { rule: rule.id, detail: { minGap: rule.minGap, lastContactAt: nearest, releasedAt: free } });
    }
    case 'quiet':
      return reason('CAP_QUIET_HOURS', `${label}: quiet hours in ${zone}`, { rule: rule.id, detail: { timeZone: zone, until: free } });
    case 'cooldown':
      return reason('CAP_COOLDOWN', `${label}: cooling down after a ${rule.cooldownKinds.join('/')} response`, { rule: rule.id, detail: { until: free, durationMs: Number.isFinite(rule.cooldownMs) ? rule.cooldownMs : null } });
  }
}
