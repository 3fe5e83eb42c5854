import { describe, expect, it } from 'vitest';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { DAY, HOUR } from '../../src/core/time.js';
import { parseJourney } from '../../src/journeys/compile.js';
import { createJourneyRunner } from '../../src/journeys/runner.js';
import type { BehaviourEvent } from '../../src/core/records.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const visit = { id: 'e1', event: { subjectId: 'p1', type: 'visit', at: T0, properties: {} } };

describe('journey runner — inputs (audit of 2026-12-07)', () => {
  it('nothing after the end: a reply after a reply step timed out gets no help message, whether or not the runner ticked at the timeout', async () => {
    const j = parseJourney({ id: 'survey', version: 1, entry: { on: { event: 'visit' } }, start: 'ask', steps: {
      ask: { type: 'reply', choices: [{ id: 'yes', keywords: ['yes'], next: 'thanks' }], help: 'help-msg', timeout: '1d' },
      thanks: { type: 'send', channel: 'sms', message: 'thanks' },
    } });
    for (const tick of [true, false]) {
      const store = new MemoryJourneyStore();
      const sent: string[] = [];
      const runner = createJourneyRunner({ store, journeys: [j], owner: 'w', handlers: { send: (a) => void sent.push(a.message) } });
      await runner.ingest(visit, T0);
      await runner.drain(T0);
      if (tick) await runner.drain(T0 + DAY);
      await runner.ingest({ id: 'r1', reply: { subjectId: 'p1', channel: 'sms', text: 'hmm?', at: T0 + 30 * HOUR } }, T0 + 30 * HOUR);
      await runner.drain(T0 + 30 * HOUR);
      expect(sent).toEqual([]);
      expect(await store.get('survey:p1:e1')).toMatchObject({ status: 'completed', endedAt: T0 + DAY });
    }
  });

  it('the instance an input starts has an id no other (journey, person, input) shares, even with \':\' in the ids', async () => {
    const journey = (id: string) => parseJourney({ id, version: 1, entry: { on: { event: 'visit' } }, start: 'w', steps: { w: { type: 'wait', duration: '3d' } } });
    const store = new MemoryJourneyStore();
    const runner = createJourneyRunner({ store, journeys: [journey('j:a'), journey('j')], owner: 'w', handlers: {} });
    // Journey "j:a" with person "1", and journey "j" with person "a:1": the plain ids would both be "j:a:1:e1".
    await runner.ingest({ id: 'e1', event: { subjectId: '1', type: 'visit', at: T0, properties: {} } }, T0);
    await runner.ingest({ id: 'e1', event: { subjectId: 'a:1', type: 'visit', at: T0, properties: {} } }, T0);
    const ids = [(await store.activeFor('j:a', '1'))?.id, (await store.activeFor('j', 'a:1'))?.id];
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(2);
    // Ids without ':' keep the plain form.
    await runner.ingest({ id: 'e2', event: { subjectId: 'p9', type: 'visit', at: T0, properties: {} } }, T0);
    expect((await store.activeFor('j', 'p9'))?.id).toBe('j:p9:e2');
  });

  it('inputs of one instant are replayed in delivery order, however the runner ticked', async () => {
    const j = parseJourney({ id: 'promo', version: 1, entry: { on: { event: 'visit' } }, start: 'w', steps: { w: { type: 'wait', duration: '3d' } }, goals: [{ id: 'clicked', when: { response: 'clicked' } }], exits: [{ id: 'opted-out', when: { event: 'optout' } }] });
    const T = T0 + 5 * HOUR;
    for (const tickBetween of [true, false]) {
      const store = new MemoryJourneyStore();
      const runner = createJourneyRunner({ store, journeys: [j], owner: 'w', handlers: {} });
      await runner.ingest(visit, T0);
      await runner.drain(T0);
      await runner.ingest({ id: 'c1', response: { subjectId: 'p1', kind: 'clicked', at: T } }, T);
      if (tickBetween) await runner.drain(T);
      await runner.ingest({ id: 'o1', event: { subjectId: 'p1', type: 'optout', at: T, properties: {} } }, T);
      await runner.drain(T);
      expect(await store.get('promo:p1:e1')).toMatchObject({ status: 'goal', outcome: 'clicked' });
    }
  });

  it('ingest refuses an input dated after now; a claim holding one (another runner’s clock ahead) waits for the lease, losing nothing', async () => {
    const j = parseJourney({ id: 'promo', version: 1, entry: { on: { event: 'visit' } }, start: 'w', steps: { w: { type: 'wait', duration: '3d' } }, goals: [{ id: 'clicked', when: { response: 'clicked' } }] });
    const store = new MemoryJourneyStore();
    const runner = createJourneyRunner({ store, journeys: [j], owner: 'w', handlers: {}, leaseMs: 1000 });
    await runner.ingest(visit, T0);
    await runner.drain(T0);
    const click = { id: 'c1', response: { subjectId: 'p1', kind: 'clicked' as const, at: T0 + HOUR } };
    await expect(runner.ingest(click, T0 + HOUR - 1)).rejects.toMatchObject({ code: 'JOURNEY_INPUT_INVALID', path: 'input.at' });
    expect(await store.get('promo:p1:e1')).toMatchObject({ status: 'active' });
    // Filed straight into the store (or by a runner whose clock is ahead), claimed before its time.
    await store.deliver('promo:p1:e1', click, T0 + HOUR - 1000);
    const behind = await runner.tick(T0 + HOUR - 500);
    expect(behind.failed).toBe(1);
    expect(behind.errors[0]!.error).toMatchObject({ code: 'JOURNEY_INPUT_INVALID', path: 'inbox[0].at' });
    await runner.drain(T0 + HOUR + 600);
    expect(await store.get('promo:p1:e1')).toMatchObject({ status: 'goal', outcome: 'clicked', endedAt: T0 + HOUR });
  });

  it('passes the person’s recentEvents to split conditions', async () => {
    const j = parseJourney({ id: 'x', version: 1, entry: { on: { event: 'visit' } }, start: 'pause', steps: {
      pause: { type: 'wait', duration: '3d', next: 'look' },
      look: { type: 'split', branches: [{ when: { segment: { count: { type: 'purchase' }, window: { last: '7d' }, op: 'gte', value: 1 } }, next: 'upsell' }], otherwise: 'discount' },
      upsell: { type: 'send', channel: 'email', message: 'upsell' },
      discount: { type: 'send', channel: 'email', message: 'discount' },
    } });
    const events: BehaviourEvent[] = [];
    const store = new MemoryJourneyStore();
    const sent: string[] = [];
    const runner = createJourneyRunner({ store, journeys: [j], owner: 'w', handlers: { send: (a) => void sent.push(a.message) }, person: () => ({ recentEvents: events }) });
    await runner.ingest(visit, T0);
    await runner.drain(T0);
    const purchase = { subjectId: 'p1', type: 'purchase', at: T0 + DAY, properties: {} };
    events.push(purchase);
    await runner.ingest({ id: 'b1', event: purchase }, T0 + DAY);
    await runner.drain(T0 + DAY);
    await runner.drain(T0 + 4 * DAY);
    expect(sent).toEqual(['upsell']);
  });
});
