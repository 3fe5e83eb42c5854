import { describe, expect, it } from 'vitest';
import { evaluateCaps, type CapHistory } from './evaluate.js';
import { planContacts } from './plan.js';
import { explainRefusal, planReservation, reservationAllows } from './reservation.js';
import { parseCapRules } from './rules.js';
import { createHistory, parseContactRecord, parseResponseRecord, type ContactRecordInput } from '../core/records.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import { isCrossChannelError } from '../core/errors.js';

const at = (iso: string) => Date.parse(iso);
const hist = (contacts: Array<Partial<ContactRecordInput> & { at: string | number }>, responses: Array<Record<string, unknown>> = []): CapHistory =>
  createHistory('p', {
    contacts: contacts.map((c, i) => parseContactRecord({ id: `c${i}`, subjectId: 'p', channel: 'email', ...c })),
    responses: responses.map((r, i) => parseResponseRecord({ id: `r${i}`, subjectId: 'p', channel: 'email', ...r } as never)),
  });

// The recipe of the issue: 3 marketing a week across channels, 1 SMS a day, nothing 21:00–08:00, 30 days
// after an unsubscribe, service messages always allowed.
const recipe = parseCapRules({
  timeZone: 'Europe/Paris',
  rules: [
    { id: 'marketing-week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } },
    { id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
    { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] },
    { id: 'unsubscribed', kind: 'cooldown', duration: '30d', after: ['unsubscribed'] },
  ],
});

describe('evaluateCaps — the docs recipe', () => {
  it('counts marketing across channels in the local week and names the rule with counts', () => {
    const h = hist([
      { at: '2026-06-01T09:00:00+02:00', tags: ['marketing'] },
      { at: '2026-06-02T10:00:00+02:00', channel: 'push', tags: ['marketing'] },
      { at: '2026-06-03T10:00:00+02:00', channel: 'sms', tags: ['marketing'] },
    ]);
    const d = evaluateCaps(h, recipe, { channel: 'email', tags: ['marketing'] }, { now: at('2026-06-04T10:00:00+02:00') });
    expect(d.allowed).toBe(false);
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toMatchObject({ code: 'CAP_LIMIT_REACHED', rule: 'marketing-week', detail: { count: 3, limit: 3 } });
    // Next Monday 00:00 Paris is inside quiet hours: 08:00 Monday.
    expect(d.nextAllowedAt).toBe(at('2026-06-08T08:00:00+02:00'));
    // A service message goes through (no marketing tag, not transactional-gated).
    expect(evaluateCaps(h, recipe, { channel: 'email', tags: ['service'] }, { now: at('2026-06-04T10:00:00+02:00') }).allowed).toBe(true);
  });

  it('one SMS per local day, whatever the tags', () => {
    const h = hist([{ at: '2026-06-01T09:00:00+02:00', channel: 'sms' }]);
    const d = evaluateCaps(h, recipe, { channel: 'sms' }, { now: at('2026-06-01T12:00:00+02:00') });
    expect(d.reasons.map((r) => r.rule)).toEqual(['sms-day']);
    expect(d.nextAllowedAt).toBe(at('2026-06-02T08:00:00+02:00'));
  });

  it('quiet hours cross midnight in the subject zone; transactional messages ignore them', () => {
    const late = at('2026-06-01T22:30:00+02:00');
    const d = evaluateCaps(hist([]), recipe, { channel: 'push' }, { now: late });
    expect(d.reasons).toMatchObject([{ code: 'CAP_QUIET_HOURS', rule: 'night', detail: { until: at('2026-06-02T08:00:00+02:00') } }]);
    expect(evaluateCaps(hist([]), recipe, { channel: 'push', transactional: true }, { now: late }).allowed).toBe(true);
    // Same instant, a subject in New York (16:30 there) is not in quiet hours.
    expect(evaluateCaps(hist([]), recipe, { channel: 'push' }, { now: late, timeZone: 'America/New_York' }).allowed).toBe(true);
  });

  it('cooldown: nothing for 30 days after an unsubscribe', () => {
    const h = hist([], [{ kind: 'unsubscribed', at: '2026-06-01T10:00:00Z' }]);
    const d = evaluateCaps(h, recipe, { channel: 'sms' }, { now: at('2026-06-10T10:00:00Z') });
    expect(d.reasons.map((r) => r.code)).toEqual(['CAP_COOLDOWN']);
    expect(d.nextAllowedAt).toBe(at('2026-07-01T10:00:00Z'));
    // Other responses do not trigger it.
    expect(evaluateCaps(hist([], [{ kind: 'opened', at: '2026-06-01T10:00:00Z' }]), recipe, { channel: 'sms' }, { now: at('2026-06-10T10:00:00Z') }).allowed).toBe(true);
  });
});

describe('evaluateCaps — rule features', () => {
  const now = at('2026-01-14T12:00:00Z');
  it('reserved slots: 1 of 3 weekly slots kept for priority ≥ 10', () => {
    const caps = parseCapRules({ rules: [{ id: 'week', kind: 'limit', limit: 3, window: 'week', reserve: { slots: 1, minPriority: 10 } }] });
    const h = hist([{ at: now - DAY }, { at: now - HOUR }]);
    const low = evaluateCaps(h, caps, { channel: 'email', priority: 1 }, { now });
    expect(low.reasons[0]).toMatchObject({ detail: { count: 2, limit: 2, reservedSlots: 1 } });
    expect(evaluateCaps(h, caps, { channel: 'email', priority: 10 }, { now }).allowed).toBe(true);
  });

  it('transactional: exempt (default) / counted / capped', () => {
    const mk = (transactional: 'exempt' | 'counted' | 'capped') => parseCapRules({ rules: [{ id: 'r', kind: 'limit', limit: 1, window: 'day', transactional }] });
    const h = hist([{ at: now - HOUR, transactional: true }]);
    expect(evaluateCaps(h, mk('exempt'), { channel: 'email' }, { now }).allowed).toBe(true);
    expect(evaluateCaps(h, mk('counted'), { channel: 'email' }, { now }).allowed).toBe(false);
    expect(evaluateCaps(h, mk('counted'), { channel: 'email', transactional: true }, { now }).allowed).toBe(true);
    expect(evaluateCaps(h, mk('capped'), { channel: 'email', transactional: true }, { now }).allowed).toBe(false);
  });

  it('per campaign counts only the candidate campaign; combined scope needs channel AND tag', () => {
    const caps = parseCapRules({
      rules: [
        { id: 'per-campaign', kind: 'limit', limit: 1, window: { rolling: '7d' }, per: 'campaign' },
        { id: 'sms-promo', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms', tags: 'promotion' } },
      ],
    });
    const h = hist([{ at: now - DAY, campaignId: 'spring' }, { at: now - HOUR, channel: 'sms', tags: ['service'] }]);
    expect(evaluateCaps(h, caps, { channel: 'email', campaignId: 'spring' }, { now }).reasons.map((r) => r.rule)).toEqual(['per-campaign']);
    expect(evaluateCaps(h, caps, { channel: 'email', campaignId: 'summer' }, { now }).allowed).toBe(true);
    expect(evaluateCaps(h, caps, { channel: 'sms', tags: ['promotion'] }, { now }).allowed).toBe(true);
  });

  it('rolling windows release exactly when the oldest counted contact leaves them', () => {
    const caps = parseCapRules({ rules: [{ id: 'two', kind: 'limit', limit: 2, window: { rolling: '24h' } }] });
    const h = hist([{ at: now - 5 * HOUR }, { at: now - HOUR }]);
    const d = evaluateCaps(h, caps, { channel: 'email' }, { now });
    expect(d.nextAllowedAt).toBe(now - 5 * HOUR + DAY);
    expect(evaluateCaps(h, caps, { channel: 'email' }, { now: d.nextAllowedAt! - 1 }).allowed).toBe(false);
  });

  it('min gap looks both ways and weekday quiet variants apply on their days', () => {
    const caps = parseCapRules({
      timeZone: 'Asia/Kolkata',
      rules: [
        { id: 'gap', kind: 'gap', minGap: '30m' },
        { id: 'weekend', kind: 'quiet', ranges: [{ from: '19:00', to: '10:00', days: [5, 6] }] },
      ],
    });
    const h = hist([{ at: now + 10 * MINUTE }]);
    expect(evaluateCaps(h, caps, { channel: 'email' }, { now }).nextAllowedAt).toBe(now + 40 * MINUTE);
    // Saturday 2026-01-17 08:00 IST is inside Friday's night range; Wednesday 08:00 is not.
    expect(evaluateCaps(hist([]), caps, { channel: 'email' }, { now: at('2026-01-17T08:00:00+05:30') }).nextAllowedAt).toBe(at('2026-01-17T10:00:00+05:30'));
    expect(evaluateCaps(hist([]), caps, { channel: 'email' }, { now: at('2026-01-14T08:00:00+05:30') }).allowed).toBe(true);
  });

  it('forever cooldowns and zero limits are never allowed: nextAllowedAt is null', () => {
    const caps = parseCapRules({ rules: [{ id: 'complaint', kind: 'cooldown', duration: 'forever', after: ['complained'] }] });
    const d = evaluateCaps(hist([], [{ kind: 'complained', at: now - 400 * DAY }]), caps, { channel: 'email' }, { now });
    expect(d).toMatchObject({ allowed: false, nextAllowedAt: null });
    const zero = parseCapRules({ rules: [{ id: 'off', kind: 'limit', limit: 0, window: 'day', scope: { channels: 'call_center' } }] });
    expect(evaluateCaps(hist([]), zero, { channel: 'call_center' }, { now }).nextAllowedAt).toBeNull();
  });

  it('accepts raw JSON rules, and rejects a bad now or zone with typed errors', () => {
    expect(evaluateCaps(hist([]), { rules: [] }, { channel: 'email' }, { now })).toEqual({ allowed: true, reasons: [], nextAllowedAt: now });
    expect(() => evaluateCaps(hist([]), recipe, { channel: 'email' }, { now: Number.NaN })).toThrow(expect.objectContaining({ code: 'TIME_INVALID' }));
    try {
      evaluateCaps(hist([]), recipe, { channel: 'email' }, { now, timeZone: 'Nowhere/Land' });
      expect.unreachable();
    } catch (e) {
      expect(isCrossChannelError(e, 'TIMEZONE_INVALID')).toBe(true);
    }
  });
});

describe('bad input from plain JavaScript', () => {
  const caps = parseCapRules({ timeZone: 'Europe/Paris', rules: [{ id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } }, { id: 'mkt-week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } }, { id: 'unsub', kind: 'cooldown', after: ['unsubscribed'], duration: '30d' }] });
  const now = Date.parse('2026-06-01T10:00:00Z');
  const ok = { contacts: [{ id: 'c1', subjectId: 'p', channel: 'sms', at: now - HOUR }], responses: [] };
  const throwing = { toString: () => { throw new Error('boom'); } };
  it('a history, candidate or options of the wrong shape is INPUT_INVALID at its path (was a TypeError from inside)', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => evaluateCaps(null as never, caps, { channel: 'sms' }, { now }), 'history'],
      [() => evaluateCaps({ contacts: [] } as never, caps, { channel: 'sms' }, { now }), 'history.responses'],
      [() => evaluateCaps({ contacts: [{ ...ok.contacts[0], at: Symbol('t') }], responses: [] } as never, caps, { channel: 'sms' }, { now }), 'history.contacts[0].at'],
      // Every record is checked up front, in one pass (see the next test), not only the ones the evaluation meets.
      [() => evaluateCaps({ contacts: [{ ...ok.contacts[0], tags: null }], responses: [] } as never, caps, { channel: 'sms', tags: ['marketing'] }, { now }), 'history.contacts[0].tags'],
      [() => evaluateCaps({ contacts: [], responses: [{ id: 'r', subjectId: 'p', kind: 'unsubscribed', at: Symbol('t') }] } as never, caps, { channel: 'sms' }, { now }), 'history.responses[0].at'],
      [() => evaluateCaps(ok as never, caps, null as never, { now }), 'candidate'],
      [() => evaluateCaps(ok as never, caps, { channel: 'sms', priority: throwing } as never, { now }), 'candidate.priority'],
      [() => evaluateCaps(ok as never, caps, { channel: 'sms', tags: null } as never, { now }), 'candidate.tags'],
      [() => evaluateCaps(ok as never, caps, { channel: 'sms' }, null as never), 'options'],
      [() => planContacts(ok as never, caps, null as never, { now }), 'candidates'],
      [() => planContacts(ok as never, caps, [{ channel: 'sms' }, { channel: 'sms', priority: 10n }] as never, { now }), 'candidates[1].priority'],
      [() => planContacts(ok as never, caps, [{ channel: 'sms', id: 3 }] as never, { now }), 'candidates[0].id'],
      [() => planContacts({ contacts: [{ channel: 'sms', at: 'x' }], responses: [] } as never, caps, [], { now }), 'history.contacts[0].at'],
      [() => reservationAllows(planReservation(caps, { channel: 'sms' }, now), { contacts: [{ channel: 'sms', at: Symbol('t') }], responses: [] } as never), 'history.contacts[0].at'],
      [() => explainRefusal(planReservation(caps, { channel: 'sms' }, now), { contacts: [null], responses: [] } as never), 'snapshot.contacts[0]'],
    ];
    for (const [call, path] of cases) expect(call, path).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
    // A now that is no number is TIME_INVALID, worded without calling its toString.
    expect(() => evaluateCaps(ok as never, caps, { channel: 'sms' }, { now: throwing as never })).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'now' }));
  });
});

describe('records from plain JavaScript that would change the answer', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const day = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
  const forever = parseCapRules({ rules: [{ id: 'c', kind: 'cooldown', duration: 'forever' }] });
  const tagged = parseCapRules({ rules: [{ id: 'm', kind: 'cooldown', duration: '1d', scope: { tags: 'm' } }, { id: 'mkt', kind: 'limit', limit: 1, window: 'day', scope: { tags: 'marketing' } }] });
  const cases: Array<[string, typeof day, unknown, string]> = [
    // A NaN `at` matched no comparison: evaluateCaps refused with "0 of 1" and nextAllowedAt null, the plan allowed.
    ['contact at NaN', day, { contacts: [{ at: NaN, channel: 'email' }], responses: [] }, 'history.contacts[0].at'],
    ['contact at Infinity', day, { contacts: [{ at: Infinity, channel: 'email' }], responses: [] }, 'history.contacts[0].at'],
    ['contact at 1e20', day, { contacts: [{ at: 1e20, channel: 'email' }], responses: [] }, 'history.contacts[0].at'],
    ['contact at a fraction of a ms', day, { contacts: [{ at: now - 0.5, channel: 'email' }], responses: [] }, 'history.contacts[0].at'],
    ['contact without channel', day, { contacts: [{ at: now - 1000 }], responses: [] }, 'history.contacts[0].channel'],
    ['contact tags [1]', tagged, { contacts: [{ at: now - 1000, channel: 'email', tags: [1] }], responses: [] }, 'history.contacts[0].tags[0]'],
    ['contact campaignId 5', day, { contacts: [{ at: now - 1000, channel: 'email', campaignId: 5 }], responses: [] }, 'history.contacts[0].campaignId'],
    ['contact transactional "yes"', day, { contacts: [{ at: now - 1000, channel: 'email', transactional: 'yes' }], responses: [] }, 'history.contacts[0].transactional'],
    // A NaN response was a cooldown forever.
    ['response at NaN', forever, { contacts: [], responses: [{ at: NaN, kind: 'refused', channel: 'email' }] }, 'history.responses[0].at'],
    ['response kind 5', forever, { contacts: [], responses: [{ at: now, kind: 5, channel: 'email' }] }, 'history.responses[0].kind'],
    // A string was matched character by character.
    ["response tags 'm'", tagged, { contacts: [], responses: [{ at: now, kind: 'refused', channel: 'email', tags: 'm' }] }, 'history.responses[0].tags'],
    // Binary search over unsorted contacts allowed what the same contacts sorted refuse.
    ['contacts not sorted by at', day, { contacts: [{ at: now - 1000, channel: 'email' }, { at: now - 3 * DAY, channel: 'email' }], responses: [] }, 'history.contacts[1].at'],
    ['responses not sorted by at', forever, { contacts: [], responses: [{ at: now, kind: 'opened', channel: 'email' }, { at: now - 1, kind: 'opened', channel: 'email' }] }, 'history.responses[1].at'],
  ];
  it.each(cases)('%s is INPUT_INVALID at its path, for evaluateCaps, reservationAllows, explainRefusal and planContacts', (_, caps, h, path) => {
    const c = { channel: 'email', tags: ['m', 'marketing'] };
    const expected = expect.objectContaining({ name: 'CrossChannelError', code: 'INPUT_INVALID', path });
    expect(() => evaluateCaps(h as never, caps, c, { now })).toThrow(expected);
    expect(() => reservationAllows(planReservation(caps, c, now), h as never)).toThrow(expected);
    expect(() => planContacts(h as never, caps, [c], { now })).toThrow(expected);
    expect(() => explainRefusal(planReservation(caps, c, now), h as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: path.replace('history', 'snapshot') }));
  });

  it('the same records, well formed and sorted, are read as before', () => {
    const h = { contacts: [{ at: now - 3 * DAY, channel: 'email' }, { at: now - 1000, channel: 'email', tags: ['x'], campaignId: 'c', transactional: false }], responses: [{ at: now, kind: 'refused', channel: 'email' }] };
    expect(evaluateCaps(h as never, day, { channel: 'email' }, { now })).toMatchObject({ allowed: false, nextAllowedAt: Date.parse('2026-06-02T00:00:00Z') });
    expect(evaluateCaps(h as never, forever, { channel: 'email' }, { now })).toMatchObject({ allowed: false, nextAllowedAt: null });
  });
});

describe('whole milliseconds and the ends of the range', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const c = (at: number) => ({ at, channel: 'email', tags: [], transactional: false });
  it('a fractional duration is rounded to whole ms and read as the guide says (at > t − D); nextAllowedAt is a whole ms', () => {
    // { seconds: 1.0005 } is 1001 ms: a contact 1000 ms ago is in the window (it was counted from t − D + 1 = t − 999.5).
    const caps = parseCapRules({ rules: [{ id: 'r', kind: 'limit', limit: 1, window: { rolling: { seconds: 1.0005 } } }] });
    const d = evaluateCaps({ contacts: [c(now - 1000)], responses: [] }, caps, { channel: 'email' }, { now });
    expect(d).toMatchObject({ allowed: false, nextAllowedAt: now + 1 });
    expect(reservationAllows(planReservation(caps, { channel: 'email' }, now), { contacts: [c(now - 1000)], responses: [] })).toBe(false);
    const at = evaluateCaps({ contacts: [c(now)], responses: [] }, caps, { channel: 'email' }, { now }).nextAllowedAt!;
    expect(at).toBe(now + 1001);
    // It can be fed back as `now` (a fractional one was TIME_INVALID).
    expect(evaluateCaps({ contacts: [c(now)], responses: [] }, caps, { channel: 'email' }, { now: at }).allowed).toBe(true);
    const gap = parseCapRules({ rules: [{ id: 'g', kind: 'gap', minGap: 0.5 }] });
    expect(evaluateCaps({ contacts: [c(now)], responses: [] }, gap, { channel: 'email' }, { now })).toMatchObject({ allowed: false, nextAllowedAt: now + 1 });
    const cool = parseCapRules({ rules: [{ id: 'c', kind: 'cooldown', duration: 1000.5 }] });
    expect(evaluateCaps({ contacts: [], responses: [{ at: now - 1000, kind: 'refused', channel: 'email', tags: [] }] }, cool, { channel: 'email' }, { now })).toMatchObject({ allowed: false, nextAllowedAt: now + 1 });
  });

  it('a release past 8.64e15 is null in nextAllowedAt and in the reason (it was 8.64e29)', () => {
    const caps = parseCapRules({ rules: [{ id: 'r', kind: 'limit', limit: 1, window: { rolling: 8.64e15 } }] });
    const d = evaluateCaps({ contacts: [c(now)], responses: [] }, caps, { channel: 'email' }, { now });
    expect(d.nextAllowedAt).toBeNull();
    expect(d.reasons[0]!.detail).toMatchObject({ releasedAt: null });
    const gap = parseCapRules({ rules: [{ id: 'g', kind: 'gap', minGap: 8.64e15 }] });
    expect(evaluateCaps({ contacts: [c(now)], responses: [] }, gap, { channel: 'email' }, { now }).reasons[0]!.detail).toMatchObject({ lastContactAt: now, releasedAt: null });
    // Inside the range it is a number.
    expect(evaluateCaps({ contacts: [c(-now)], responses: [] }, caps, { channel: 'email' }, { now: -now }).nextAllowedAt).toBe(-now + 8.64e15);
  });

  it('a gap chain of 250,000 future contacts 59 s apart is released 1 min after the last (the search stopped at 100,000 steps: null)', () => {
    const n = 250_000;
    const contacts = Array.from({ length: n }, (_, i) => c(now + i * 59_000));
    const caps = parseCapRules({ rules: [{ id: 'g', kind: 'gap', minGap: '1m' }, { id: 'other', kind: 'gap', minGap: '1s', scope: { channels: 'sms' } }] });
    const d = evaluateCaps({ contacts, responses: [] }, caps, { channel: 'email' }, { now });
    expect(d.nextAllowedAt).toBe(contacts[n - 1]!.at + MINUTE);
    // The reason names the latest contact within the gap of now; the release is past the whole run.
    expect(d.reasons[0]!.detail).toMatchObject({ lastContactAt: now + 59_000, releasedAt: contacts[n - 1]!.at + MINUTE });
  });

  it('calendar days full for 1,000 days ahead: the search walks them all (no step limit)', () => {
    const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }, { id: 'g', kind: 'gap', minGap: '1h' }] });
    const contacts = Array.from({ length: 1000 }, (_, i) => c(now + i * DAY));
    expect(evaluateCaps({ contacts, responses: [] }, caps, { channel: 'email' }, { now }).nextAllowedAt).toBe(Date.parse('2026-06-01T00:00:00Z') + 1000 * DAY);
  });

  it('a rolling refusal reports windowEnd null: contacts dated after now count (it said now + 1 and counted one an hour ahead)', () => {
    const caps = parseCapRules({ rules: [{ id: 'r', kind: 'limit', limit: 1, window: { rolling: '1d' } }] });
    const d = evaluateCaps({ contacts: [c(now + HOUR)], responses: [] }, caps, { channel: 'email' }, { now });
    expect(d.reasons[0]!.detail).toEqual({ count: 1, limit: 1, windowStart: now - DAY + 1, windowEnd: null, releasedAt: now + HOUR + DAY });
    // A calendar window keeps its end: a contact after it is not counted.
    const day = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
    const dd = evaluateCaps({ contacts: [c(now + HOUR)], responses: [] }, day, { channel: 'email' }, { now });
    expect(dd.reasons[0]!.detail).toMatchObject({ count: 1, windowStart: Date.parse('2026-06-01T00:00:00Z'), windowEnd: Date.parse('2026-06-02T00:00:00Z') });
  });

  it('releasedAt of a calendar limit is when the rule alone frees a slot: past a next window already full (it said that window’s start)', () => {
    const day = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
    // Today's contact, and one another service stamped tomorrow: the rule frees a slot only the day after.
    const d = evaluateCaps({ contacts: [c(now - HOUR), c(now + DAY)], responses: [] }, day, { channel: 'email' }, { now });
    expect(d.reasons[0]!.detail).toMatchObject({ count: 1, releasedAt: Date.parse('2026-06-03T00:00:00Z') });
    expect(d.nextAllowedAt).toBe(Date.parse('2026-06-03T00:00:00Z'));
  });

  it('until of quiet hours is when the rule’s ranges all let go: a range running into another of the same rule (it said the first one’s end)', () => {
    const quiet = parseCapRules({ timeZone: 'Europe/Paris', rules: [{ id: 'q', kind: 'quiet', ranges: [{ from: '21:00', to: '23:00' }, { from: '22:30', to: '08:00' }] }] });
    const d = evaluateCaps({ contacts: [], responses: [] }, quiet, { channel: 'email' }, { now: Date.parse('2026-06-01T19:30:00Z') }); // 21:30 in Paris
    expect(d.reasons[0]!.detail).toEqual({ timeZone: 'Europe/Paris', until: Date.parse('2026-06-02T06:00:00Z') }); // 08:00 in Paris
    expect(d.nextAllowedAt).toBe(Date.parse('2026-06-02T06:00:00Z'));
  });
});

describe('local clocks with seconds and folds across midnight', () => {
  it('a fall-back turning the clock back out of quiet hours frees the candidate at the jump (it waited for the range’s end an hour later)', () => {
    // New York, 2026-11-01: at 02:00 EDT (06:00Z) the clock goes back to 01:00 EST, before the 01:30–06:00 range.
    const quiet = parseCapRules({ timeZone: 'America/New_York', rules: [{ id: 'q', kind: 'quiet', ranges: [{ from: '01:30', to: '06:00' }] }] });
    const d = evaluateCaps(hist([]), quiet, { channel: 'email' }, { now: at('2026-11-01T05:45:00Z') }); // 01:45 EDT
    expect(d.nextAllowedAt).toBe(at('2026-11-01T06:00:00Z'));
    expect(d.reasons[0]!.detail).toEqual({ timeZone: 'America/New_York', until: at('2026-11-01T06:00:00Z') });
    expect(evaluateCaps(hist([]), quiet, { channel: 'email' }, { now: at('2026-11-01T05:59:59.999Z') }).allowed).toBe(false);
    // The range applies again from 01:30 EST (06:30Z) to 06:00 EST.
    expect(evaluateCaps(hist([]), quiet, { channel: 'email' }, { now: at('2026-11-01T06:30:00Z') }).nextAllowedAt).toBe(at('2026-11-01T11:00:00Z'));
  });

  it('Africa/Monrovia at −0:44:30 (until 1972): quiet hours end at local 08:00:00 = 08:44:30Z, and the local day starts at 00:44:30Z', () => {
    const quiet = parseCapRules({ timeZone: 'Africa/Monrovia', rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] });
    expect(evaluateCaps(hist([]), quiet, { channel: 'email' }, { now: at('1971-06-01T23:00:00Z') }).nextAllowedAt).toBe(at('1971-06-02T08:44:30Z'));
    expect(evaluateCaps(hist([]), quiet, { channel: 'email' }, { now: at('1971-06-02T08:44:29.999Z') }).allowed).toBe(false);
    const day = parseCapRules({ timeZone: 'Africa/Monrovia', rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
    // 00:44:15Z is 23:59:45 on June 1 there: a contact of the day before.
    expect(evaluateCaps(hist([{ at: at('1971-06-02T00:44:15Z') }]), day, { channel: 'email' }, { now: at('1971-06-02T12:00:00Z') }).allowed).toBe(true);
    expect(evaluateCaps(hist([{ at: at('1971-06-02T00:44:30Z') }]), day, { channel: 'email' }, { now: at('1971-06-02T12:00:00Z') }).allowed).toBe(false);
  });

  it('America/St_Johns 2010-11-07 fell back from 00:01 to 23:01 the day before: the day windows partition time (as core.calendarWindow)', () => {
    const day = parseCapRules({ timeZone: 'America/St_Johns', rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
    // 23:30 NDT on Nov 6, then — clocks back — 23:15 NST: the second reading of Nov 6 evening is in the window that
    // started with Nov 7 00:00 NDT, so the contact before the fold is not counted in it.
    expect(evaluateCaps(hist([{ at: at('2010-11-07T02:00:00Z') }]), day, { channel: 'email' }, { now: at('2010-11-07T02:45:00Z') }).allowed).toBe(true);
    const d = evaluateCaps(hist([{ at: at('2010-11-07T02:40:00Z') }]), day, { channel: 'email' }, { now: at('2010-11-07T02:50:00Z') });
    expect(d).toMatchObject({ allowed: false, nextAllowedAt: at('2010-11-08T03:30:00Z') });
  });
});

describe('instants at the ends of the calendar', () => {
  const YEAR_10000 = 253_402_300_800_000; // the first instant past the year 9999 (UTC)
  const YEAR_1 = -62_135_596_800_000; // the first instant of the year 1 (UTC)
  const calendarRules = [
    parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] }),
    parseCapRules({ rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] }),
  ];
  const rolling = parseCapRules({ rules: [{ id: 'week', kind: 'limit', limit: 1, window: { rolling: 7 * DAY } }, { id: 'gap', kind: 'gap', minGap: HOUR }] });

  it('a now outside the years 1–9999 is TIME_INVALID at now when a rule reads the calendar (it named the calendar’s ms)', () => {
    for (const caps of calendarRules) {
      for (const at of [YEAR_10000, 8.64e15, YEAR_1 - 1, -8.64e15]) {
        const expected = expect.objectContaining({ code: 'TIME_INVALID', path: 'now', message: expect.stringMatching(/^now must be between the years 1 and 9999/) });
        expect(() => evaluateCaps(hist([]), caps, { channel: 'email' }, { now: at }), String(at)).toThrow(expected);
        expect(() => planContacts(hist([]), caps, [{ channel: 'email' }], { now: at }), String(at)).toThrow(expected);
        expect(() => planReservation(caps, { channel: 'email' }, at), String(at)).toThrow(expected);
      }
      // The last and first instants of the calendar are still read.
      expect(evaluateCaps(hist([]), caps, { channel: 'email' }, { now: YEAR_10000 - 1 }).reasons.length).toBeLessThanOrEqual(1);
      expect(() => planReservation(caps, { channel: 'email' }, YEAR_1)).not.toThrow();
    }
  });

  it('rules without calendar windows or quiet hours take the whole epoch range', () => {
    for (const at of [-8.64e15, YEAR_1 - 1, YEAR_10000, 8.64e15 - DAY]) {
      expect(evaluateCaps(hist([]), rolling, { channel: 'email' }, { now: at })).toEqual({ allowed: true, reasons: [], nextAllowedAt: at });
      expect(planReservation(rolling, { channel: 'email' }, at).contacts.length).toBe(2);
    }
  });

  it('a calendar limit reached on the last day of the year 9999 is refused, with no next instant the calendar can name', () => {
    const caps = calendarRules[0]!;
    const now = YEAR_10000 - HOUR;
    const d = evaluateCaps(hist([{ id: 'c', channel: 'email', at: now - HOUR }]), caps, { channel: 'email' }, { now });
    expect(d.allowed).toBe(false);
    // The day's window ends at the first instant of the year 10000, which no calendar rule can be read at: the
    // reason agrees (its releasedAt was +010000-01-01).
    expect(d.nextAllowedAt).toBeNull();
    expect(d.reasons[0]!.detail).toMatchObject({ releasedAt: null });
  });

  it('quiet hours that end after the year 9999 (UTC or local) leave no next instant, and explain the refusal', () => {
    const night = calendarRules[1]!;
    for (const [zone, now] of [['UTC', YEAR_10000 - 1], ['Asia/Kolkata', YEAR_10000 - HOUR]] as const) {
      const d = evaluateCaps(hist([]), night, { channel: 'email' }, { now, timeZone: zone });
      expect(d, zone).toMatchObject({ allowed: false, nextAllowedAt: null });
      expect(d.reasons.map((r) => r.code)).toEqual(['CAP_QUIET_HOURS']);
      expect(planReservation(night, { channel: 'email' }, now, zone).refused).toBe(true);
    }
  });
});
