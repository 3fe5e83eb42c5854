/**
 * decide for an outbound campaign at the person's best moment: the real timing model and hook, the decide
 * pipeline on memory stores, the contact reserved at the chosen moment in the shared history.
 */
import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../src/core/time.js';
import { decideScheduled } from '../../src/decide/index.js';
import { bestMomentCheck, TimingModel } from '../../src/timing/index.js';
import { memoryStores } from './memory-stores.js';
import { ANN, CONFIG, scenarioConfig, seed, T0 } from './scenario.js';

describe('decideScheduled', () => {
  it('decides as of the person’s best legal moment and reserves the contact then', async () => {
    const stores = memoryStores();
    await seed(stores);
    const config = scenarioConfig();
    const ann = (await stores.identity.resolve([{ type: 'email', value: ANN.email }]))!;
    // Ann answers emails around 19:00 in Paris (18:00 UTC in March).
    const model = new TimingModel({ channels: ['email', 'push', 'web'], timeZone: 'Europe/Paris' });
    for (let d = 1; d <= 21; d++) {
      const at = T0 - d * DAY + 9 * HOUR;
      model.observeContact({ subjectId: ann, channel: 'email', at: at - HOUR }, T0);
      model.observeResponse({ subjectId: ann, channel: 'email', kind: 'opened', at, contactId: `old-${d}` }, T0);
    }
    const history = await stores.contacts.history(ann);
    const check = bestMomentCheck(model, { caps: config.caps, history: (id) => (id === ann ? history : undefined), candidate: { tags: ['marketing'] } });
    const s = await decideScheduled({ requestId: 'spring-ann', identifiers: [{ type: 'email', value: ANN.email }], channel: 'email', now: T0 }, stores, config, check, { subjectId: ann, horizonMs: DAY });
    expect(s.scheduledAt).toBe(Date.parse('2026-03-02T18:00:00Z'));
    expect(s.reasons[0]?.code).toBe('TIMING_BEST_MOMENT');
    expect(s.decision?.contact).toBe(true);
    const contacts = (await stores.contacts.history(ann)).contacts;
    expect(contacts.map((c) => c.at)).toContain(s.scheduledAt);
  });

  it('returns no decision when no moment is legal', async () => {
    const stores = memoryStores();
    await seed(stores);
    const config = scenarioConfig({ caps: { ...CONFIG.caps as object, rules: [{ id: 'none', kind: 'limit', limit: 0, window: 'day' }] } });
    const check = bestMomentCheck(new TimingModel(), { caps: config.caps, history: () => undefined });
    const s = await decideScheduled({ requestId: 'x', identifiers: [{ type: 'email', value: ANN.email }], channel: 'email', now: T0 }, stores, config, check, { subjectId: 'someone', horizonMs: DAY });
    expect(s).toMatchObject({ scheduledAt: null, decision: null, reasons: [{ code: 'DECIDE_NO_MOMENT' }] });
  });
});
