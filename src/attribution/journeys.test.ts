import { describe, expect, it } from 'vitest';
import {
  createStatistics,
  buildJourneys,
  buildJourneysAsync,
  collectStatistics,
  collectStatisticsAsync,
  computeAttribution,
  journeysFromHistory,
  parseJourneyOptions,
  safeBuildJourneys,
  streamJourneys,
} from './index.js';
import { createHistory, parseBehaviourEvent, parseContactRecord, parseResponseRecord } from '../core/records.js';
import { isCrossChannelError } from '../core/errors.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);

describe('buildJourneys', () => {
  it('sorts touches by time (stable) and splits at each conversion', () => {
    const j = buildJourneys(
      [
        { subjectId: 'p', channel: 'email', at: T0 + 2 * DAY },
        { subjectId: 'p', channel: 'display', at: T0 },
        { subjectId: 'p', channel: 'search', at: T0 + 2 * DAY },
        { subjectId: 'p', channel: 'sms', at: T0 + 5 * DAY },
        { subjectId: 'p', channel: 'push', at: T0 + 9 * DAY },
      ],
      [
        { subjectId: 'p', at: T0 + 3 * DAY, value: 40 },
        { subjectId: 'p', at: T0 + 6 * DAY },
      ],
    );
    expect(j.map((x) => [x.channels, x.converted, x.value])).toEqual([
      [['display', 'email', 'search'], true, 40],
      [['sms'], true, 1],
      [['push'], false, 0],
    ]);
    expect(j[0]!.conversionAt).toBe(T0 + 3 * DAY);
    expect(j[0]!.times).toEqual([T0, T0 + 2 * DAY, T0 + 2 * DAY]);
  });

  it('lookback is inclusive: a touch exactly 30 days before counts, one ms earlier does not', () => {
    const conv = [{ subjectId: 'p', at: T0 + 30 * DAY }];
    expect(buildJourneys([{ subjectId: 'p', channel: 'email', at: T0 }], conv)[0]!.channels).toEqual(['email']);
    const out = buildJourneys([{ subjectId: 'p', channel: 'email', at: T0 - 1 }], conv);
    expect(out).toEqual([{ subjectId: 'p', channels: [], times: [], converted: true, conversionAt: T0 + 30 * DAY, value: 1 }]);
  });

  it('reports a conversion without touches in its window as unattributed, never credited', () => {
    const j = buildJourneys([{ subjectId: 'p', channel: 'email', at: T0 }], [{ subjectId: 'p', at: T0 + 3 * DAY, value: 10 }, { subjectId: 'p', at: T0 + 4 * DAY, value: 7 }, { subjectId: 'q', at: T0, value: 5 }]);
    const c = computeAttribution(collectStatistics(j, { models: ['last_touch'] }));
    expect(c.totals.conversions).toBe(1);
    expect(c.unattributed).toEqual({ conversions: 2, value: 12 });
    expect(c.models[0]!.channels).toEqual([{ channel: 'email', conversions: 1, value: 10, conversionShare: 1, valueShare: 1 }]);
  });

  it('a touch at the same instant as a conversion counts for it; later touches start the next journey', () => {
    const j = buildJourneys(
      [
        { subjectId: 'p', channel: 'search', at: T0 + DAY },
        { subjectId: 'p', channel: 'email', at: T0 + DAY + 1 },
      ],
      [{ subjectId: 'p', at: T0 + DAY }],
    );
    expect(j.map((x) => x.channels)).toEqual([['search'], ['email']]);
  });

  it('collapses consecutive repeats only when asked, after applying the window', () => {
    const touches = [
      { subjectId: 'p', channel: 'email', at: T0 - 40 * DAY },
      { subjectId: 'p', channel: 'email', at: T0 - DAY },
      { subjectId: 'p', channel: 'email', at: T0 - DAY + 1 },
      { subjectId: 'p', channel: 'search', at: T0 - 10 },
      { subjectId: 'p', channel: 'email', at: T0 - 5 },
    ];
    const conv = [{ subjectId: 'p', at: T0 }];
    expect(buildJourneys(touches, conv)[0]!.channels).toEqual(['email', 'email', 'search', 'email']);
    expect(buildJourneys(touches, conv, { collapseRepeats: true })[0]!.channels).toEqual(['email', 'search', 'email']);
    expect(buildJourneys(touches, conv, { collapseRepeats: true })[0]!.times[0]).toBe(T0 - DAY);
  });

  it('reads contacts, behaviour events and responses from the shared records', () => {
    const contacts = [parseContactRecord({ id: 'c1', subjectId: 'p', channel: 'email', at: '2026-03-01T09:00:00Z' })];
    const events = [
      parseBehaviourEvent({ subjectId: 'p', type: 'page_view', at: '2026-03-01T10:00:00Z', channel: 'web' }),
      parseBehaviourEvent({ subjectId: 'p', type: 'page_view', at: '2026-03-01T10:30:00Z' }),
      parseBehaviourEvent({ subjectId: 'p', type: 'purchase', at: '2026-03-01T11:00:00Z', channel: 'web', properties: { amount: 80 } }),
    ];
    const responses = [
      parseResponseRecord({ id: 'r1', subjectId: 'p', kind: 'clicked', channel: 'email', at: '2026-03-01T09:05:00Z' }),
      parseResponseRecord({ id: 'r2', subjectId: 'p', kind: 'converted', channel: 'email', at: '2026-03-02T09:00:00Z', value: 30 }),
    ];
    const j = buildJourneys([...contacts, ...events], [...responses, ...events], { conversionEventTypes: ['purchase'], valueProperty: 'amount' });
    expect(j.map((x) => [x.channels, x.converted, x.value])).toEqual([
      [['email', 'web'], true, 80],
      [[], true, 30],
    ]);
    const h = createHistory('p', { contacts, events, responses });
    expect(journeysFromHistory(h, { conversionEventTypes: ['purchase'], valueProperty: 'amount' })).toEqual(j);
  });

  it('reads the value property by own key, even when it is named constructor', () => {
    // Property names are any 1–128 characters: an event without `constructor` converts with value 1, not a function.
    const touch = { subjectId: 'p', channel: 'email', at: T0 };
    const conv = [
      { subjectId: 'p', type: 'purchase', at: T0 + 1, properties: {} },
      { subjectId: 'p', type: 'purchase', at: T0 + 2, properties: JSON.parse('{"constructor":25}') as Record<string, number> },
    ];
    expect(buildJourneys([touch], conv, { valueProperty: 'constructor' }).map((j) => j.value)).toEqual([1, 25]);
  });

  it('accepts Date and ISO timestamps and rejects bad rows with the path of the field', () => {
    const j = buildJourneys([{ subjectId: 'p', channel: 'email', at: new Date(T0) }], [{ subjectId: 'p', at: new Date(T0 + DAY).toISOString() }]);
    expect(j[0]!.converted).toBe(true);
    const cases: Array<[() => unknown, string, string]> = [
      [() => buildJourneys([{ subjectId: 'p', channel: 'email', at: 'yesterday' }], []), 'TIME_INVALID', 'touchpoints[0].at'],
      [() => buildJourneys([{ subjectId: 'p', at: 0 } as never], []), 'INPUT_INVALID', 'touchpoints[0].channel'],
      [() => buildJourneys([], [{ subjectId: '', at: 0 }]), 'INPUT_INVALID', 'conversions[0].subjectId'],
      [() => buildJourneys([], [{ subjectId: 'p', at: 0 }, { subjectId: 'p', at: 0, value: Number.NaN }]), 'INPUT_INVALID', 'conversions[1].value'],
      [() => buildJourneys([], [], { lookback: '-3d' }), 'CONFIG_INVALID', 'lookback'],
      [() => buildJourneys([null as never], []), 'INPUT_INVALID', 'touchpoints[0]'],
    ];
    for (const [fn, code, path] of cases) {
      try {
        fn();
        expect.unreachable();
      } catch (e) {
        expect(isCrossChannelError(e, code), String(e)).toBe(true);
        expect((e as { path?: string }).path).toBe(path);
      }
    }
    expect(parseJourneyOptions({}).lookback).toBe(30 * DAY);
    const safe = safeBuildJourneys([{ subjectId: 'p', channel: 'email', at: 'nope' }], []);
    expect(safe.ok).toBe(false);
    if (!safe.ok) expect(safe.error.path).toBe('touchpoints[0].at');
    expect(safeBuildJourneys([{ subjectId: 'p', channel: 'email', at: 0 }], [])).toEqual({ ok: true, value: buildJourneys([{ subjectId: 'p', channel: 'email', at: 0 }], []) });
  });

  it('streams: async sources, per-person groups and streaming statistics agree with the array path', async () => {
    const touches = [
      { subjectId: 'a', channel: 'display', at: T0 },
      { subjectId: 'b', channel: 'search', at: T0 + 1 },
      { subjectId: 'a', channel: 'email', at: T0 + DAY },
    ];
    const conversions = [{ subjectId: 'a', at: T0 + 2 * DAY, value: 9 }];
    async function* gen<T>(rows: T[]): AsyncGenerator<T> {
      for (const r of rows) yield r;
    }
    const expected = buildJourneys(touches, conversions);
    expect(await buildJourneysAsync(gen(touches), gen(conversions))).toEqual(expected);
    const groups = ['a', 'b'].map((s) => ({ subjectId: s, touchpoints: touches.filter((t) => t.subjectId === s), conversions: conversions.filter((c) => c.subjectId === s) }));
    const streamed: unknown[] = [];
    for await (const j of streamJourneys(gen(groups))) streamed.push(j);
    expect(streamed).toEqual(expected);
    const stats = await collectStatisticsAsync(streamJourneys(gen(groups)), { models: ['linear', 'markov'] });
    expect(computeAttribution(stats).models[0]!.channels.map((c) => c.conversions)).toEqual([0.5, 0.5, 0]);
    await expect(async () => {
      for await (const _ of streamJourneys([{ subjectId: 'a', touchpoints: [{ subjectId: 'b', channel: 'x', at: 0 }], conversions: [] }])) void _;
    }).rejects.toThrow(/subject "b"/);
  });
});

describe('statistics.add on a journey of the wrong shape', () => {
  it('refuses it whole, counting nothing and adding none of its channels (an object as value failed halfway through the totals; a hole in the channels was skipped)', () => {
    const good = { subjectId: 'a', channels: ['email', 'search'], times: [1, 2], converted: true, conversionAt: 3, value: 30 };
    const stats = createStatistics({ models: ['linear', 'time_decay'] });
    stats.add(good);
    const before = JSON.stringify(stats.toJSON());
    for (const patch of [{ value: { valueOf: 3 } }, { value: 'x' }, { channels: ['email', 5] }, { times: [1] }, { times: [1, {}] }, { conversionAt: {} }, { channels: 'email' }, { channels: ['display', 'email', 5], times: [1, 2, 3] }, { channels: ['display', 'social'], times: [1, null] }, { channels: ['display', , 'email'], times: [1, 2, 3] }]) {
      expect(() => stats.add({ ...good, ...patch } as never), JSON.stringify(patch)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'journey' }));
      expect(JSON.stringify(stats.toJSON())).toBe(before);
    }
    // In a list, the journey is named by its place.
    expect(() => stats.addAll([good, { ...good, value: 'x' }] as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'journeys[1]' }));
  });
});
