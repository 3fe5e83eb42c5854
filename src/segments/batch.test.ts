import { describe, expect, it } from 'vitest';
import { applyEvents, compileSegments, diffMemberships, evaluateBatch, mergeBatchResults, mergeEvents, refreshBatch, type SegmentSubject } from './index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 15);
const segments = compileSegments([
  { id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } },
  { id: 'buyers-7d', rule: { count: { type: 'purchase' }, window: { last: '7d' }, op: 'gte', value: 1 } },
]);
const subjects: SegmentSubject[] = [
  { id: 'p1', profile: { country: 'FR' }, events: [{ subjectId: 'p1', type: 'purchase', at: NOW - DAY, properties: {} }] },
  { id: 'p2', profile: { country: 'DE' }, events: [] },
  // unsorted events are sorted by the batch helpers
  { id: 'p3', profile: { country: 'FR' }, events: [{ subjectId: 'p3', type: 'purchase', at: NOW - DAY, properties: {} }, { subjectId: 'p3', type: 'view', at: NOW - 9 * DAY, properties: {} }] },
];

async function* stream<T>(xs: T[]): AsyncIterable<T> {
  for (const x of xs) yield x;
}

describe('evaluateBatch', () => {
  it('counts and lists members from arrays and async iterables, reporting progress', async () => {
    const progress: number[] = [];
    const r = await evaluateBatch(segments, stream(subjects), NOW, { onProgress: (n) => progress.push(n), progressEvery: 2 });
    expect(r).toEqual({ processed: 3, counts: { fr: 2, 'buyers-7d': 2 }, members: { fr: ['p1', 'p3'], 'buyers-7d': ['p1', 'p3'] } });
    expect(progress).toEqual([2, 3]);
    const countsOnly = await evaluateBatch(segments, subjects, NOW, { collectMembers: false });
    expect(countsOnly.members).toEqual({ fr: [], 'buyers-7d': [] });
    expect(countsOnly.counts).toEqual(r.counts);
  });
  it('merges shard results', async () => {
    const a = await evaluateBatch(segments, subjects.slice(0, 1), NOW);
    const b = await evaluateBatch(segments, subjects.slice(1), NOW);
    const all = await evaluateBatch(segments, subjects, NOW);
    const merged = mergeBatchResults([a, b]);
    expect({ ...merged, counts: { ...merged.counts }, members: { ...merged.members } }).toEqual({ ...all, counts: { ...all.counts }, members: { ...all.members } });
  });
  it('rejects a malformed subject with its index', async () => {
    await expect(evaluateBatch(segments, [subjects[0]!, { id: 'x' } as unknown as SegmentSubject], NOW)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'subjects[1]' });
  });
});

describe('incremental', () => {
  it('a purchase moves a subject out of cart abandoners and into buyers', () => {
    const set = compileSegments([
      { id: 'abandoners', rule: { did: { type: 'cart_abandon' }, notSince: { type: 'purchase' } } },
      { id: 'buyers', rule: { count: { type: 'purchase' }, op: 'gte', value: 1 } },
    ]);
    const history = [{ id: 'e1', subjectId: 'p', type: 'cart_abandon', at: NOW - DAY, properties: {} }];
    const previous = set.evaluate({}, history, NOW);
    expect(previous).toEqual(['abandoners']);
    const r = applyEvents(set, { profile: {}, events: history, newEvents: [{ id: 'e2', subjectId: 'p', type: 'purchase', at: NOW, properties: {} }], previous }, NOW);
    expect(r).toMatchObject({ memberships: ['buyers'], entered: ['buyers'], exited: ['abandoners'] });
    expect(r.events.map((e) => e.id)).toEqual(['e1', 'e2']);
    // replaying the same event changes nothing
    const again = applyEvents(set, { profile: {}, events: r.events, newEvents: [{ id: 'e2', subjectId: 'p', type: 'purchase', at: NOW, properties: {} }], previous: r.memberships }, NOW);
    expect(again).toMatchObject({ entered: [], exited: [] });
    expect(again.events).toHaveLength(2);
  });
  it('refreshBatch lists entered and exited subjects per segment (time alone can move people out)', async () => {
    const later = NOW + 7 * DAY;
    const r = await refreshBatch(
      segments,
      subjects.map((s) => ({ ...s, previous: segments.evaluate(s.profile, [...s.events].sort((a, b) => a.at - b.at), NOW) })),
      later,
    );
    expect(r.processed).toBe(3);
    expect(r.exited['buyers-7d']).toEqual(['p1', 'p3']);
    expect(r.entered.fr).toEqual([]);
  });
});

// Found by test/package/fuzz-mutations-analytics.test.ts: a valid input with one bad field.
describe('bad fields are named at their place', () => {
  const event = (at: unknown) => ({ subjectId: 'p', type: 'view', at, properties: {} }) as never;
  it('a batch names the subject, its events and its previous memberships under subjects[i]', async () => {
    await expect(evaluateBatch(segments, [subjects[0]!, { ...subjects[1]!, events: [event('x')] }], NOW)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'subjects[1].events[0].at' });
    await expect(refreshBatch(segments, [{ ...subjects[0]!, previous: 5 as never }], NOW)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'subjects[0].previous' });
    // a segment id that is an object threw the Error of its toString when it became a key
    const boom = { toString: () => { throw new Error('boom'); } };
    await expect(refreshBatch(segments, [{ ...subjects[1]!, previous: ['fr', boom as never] }], NOW)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'subjects[0].previous[1]' });
  });
  it('mergeBatchResults refuses a member list that is not an array (a TypeError of the spread before) and counts that are not numbers', async () => {
    const r = await evaluateBatch(segments, subjects, NOW);
    expect(() => mergeBatchResults([r, { ...r, members: { ...r.members, fr: 7 as never } }])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'results[1].members.fr' }));
    expect(() => mergeBatchResults([r, { ...r, counts: { fr: 10n as never } }])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'results[1].counts.fr' }));
    expect(() => mergeBatchResults([{ ...r, processed: {} as never }])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'results[0].processed' }));
  });
  it('mergeEvents names its own arguments; applyEvents names the fields of its input', () => {
    expect(() => mergeEvents([event(1), event(null)], [])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'history[1].at' }));
    expect(() => mergeEvents([], [event('soon')])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'incoming[0].at' }));
    const input = { profile: {}, events: [event(NOW - DAY)], newEvents: [event(NOW)], previous: ['fr'] };
    expect(() => applyEvents(segments, { ...input, events: 'x' as never }, NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'input.events' }));
    expect(() => applyEvents(segments, { ...input, newEvents: [event({})] }, NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'input.newEvents[0].at' }));
    expect(() => applyEvents(segments, { ...input, previous: [3 as never] }, NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'input.previous[0]' }));
    expect(() => diffMemberships(['a'], null as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'current' }));
  });
});
