/** A send held by consent wakes when the host delivers the consent change as an input — on every journey store. */
import { describe, expect, it } from 'vitest';
import { MemoryContactHistoryStore } from '../../src/adapters/memory/contact-history.js';
import { DAY, HOUR } from '../../src/core/time.js';
import { consentState, parseConsentEvent, type ConsentEvent } from '../../src/consent/ledger.js';
import { parseCapRules } from '../../src/capping/rules.js';
import { parseJourney } from '../../src/journeys/compile.js';
import { createJourneyRunner } from '../../src/journeys/runner.js';
import { journeyStores } from './stores.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const journey = parseJourney({
  id: 'promo', version: 1, entry: { on: { event: 'signup' } }, start: 'sms',
  steps: { sms: { type: 'send', channel: 'sms', message: 'offer', next: 'after' }, after: { type: 'wait', duration: '30d' } },
});
const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 3, window: 'day' }] });

for (const impl of journeyStores) {
  describe.skipIf(impl.skip === true)(`consent wake-up on ${impl.name}`, () => {
    it('the opt-in, ingested as an event, sends the held SMS at once and once; nothing is due before', async () => {
      const store = await impl.create();
      try {
        const ledger: ConsentEvent[] = [];
        const sent: Array<[string, number]> = [];
        const runner = createJourneyRunner({
          store, journeys: [journey], owner: 'w', caps, contacts: new MemoryContactHistoryStore(),
          person: () => ({ consent: consentState(ledger) }),
          handlers: { send: (a) => void sent.push([a.key, a.at]) },
        });
        const { enrolled } = await runner.ingest({ id: 's1', event: { subjectId: 'p1', type: 'signup', at: T0, properties: {} } }, T0);
        await runner.drain(T0);
        expect(sent).toEqual([]);
        expect(await store.get(enrolled[0]!)).toMatchObject({ step: 'sms', heldSince: T0, wakeAt: T0 + 7 * DAY });
        // No busy polling: nothing is due until the input or holdAtMost.
        expect((await runner.drain(T0 + HOUR)).claimed).toBe(0);
        const t = T0 + 2 * HOUR;
        ledger.push(parseConsentEvent({ id: 'g', subjectId: 'p1', channel: 'sms', purpose: 'marketing', kind: 'granted', at: t, evidence: { source: 'form' } }));
        const change = { id: 'consent-g', event: { subjectId: 'p1', type: 'consent_changed', at: t, properties: {} } };
        expect((await runner.ingest(change, t)).delivered).toEqual([enrolled[0]]);
        await runner.drain(t);
        expect(sent).toEqual([[`${enrolled[0]}:sms:1`, t]]);
        // The same change delivered again, and the old holdAtMost, send nothing more.
        await runner.ingest(change, t + 1);
        await runner.drain(T0 + 8 * DAY);
        expect(sent).toHaveLength(1);
        expect(await store.get(enrolled[0]!)).toMatchObject({ step: 'after', wakeAt: t + 30 * DAY });
      } finally {
        await impl.destroy?.(store);
      }
    });
  });
}
