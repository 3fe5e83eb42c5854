import { describe, expect, it } from 'vitest';
import { parseDecideConfig, decide } from '../../src/decide/index.js';
import { createHoldoutCheck } from '../../src/experiments/holdout.js';
import { parseHoldout } from '../../src/experiments/config.js';
import { isHeldOut } from '../../src/experiments/assign.js';
import { wouldHaveSentEvent } from '../../src/experiments/exposure.js';
import { memoryStores } from '../decide/memory-stores.js';
import { ANN, CONFIG, seed, T0 } from '../decide/scenario.js';

const ask = { requestId: 'h1', identifiers: [{ type: 'email', value: ANN.email }], channel: 'email', now: T0 };

describe('decide honours a holdout hook', () => {
  it('a held person gets no contact, the reason says what would have been sent, nothing is reserved', async () => {
    const stores = memoryStores();
    await seed(stores);
    const config = parseDecideConfig(CONFIG, { holdout: () => ({ held: true, experimentId: 'global-2026', variantId: 'holdout' }) });
    const d = await decide(ask, stores, config);
    expect(d.contact).toBe(false);
    expect(d.reasons.map((r) => r.code)).toEqual(['DECIDE_HOLDOUT']);
    const detail = d.reasons[0]!.detail as { experimentId: string; wouldHaveSent: Array<{ offerId: string }> };
    expect(detail.experimentId).toBe('global-2026');
    expect(detail.wouldHaveSent.map((o) => o.offerId)).toEqual(['cart-reminder']);
    expect((await stores.contacts.history(d.subjectId!)).contacts.filter((c) => c.at === T0)).toEqual([]);
    const record = wouldHaveSentEvent({ held: true, experimentId: detail.experimentId, variantId: 'holdout' }, { subjectId: d.subjectId!, at: T0, channel: 'email' });
    expect(record.type).toBe('holdout_would_have_sent');
  });

  it('without a hook, or with a person outside the holdout, decide is unchanged', async () => {
    const stores = memoryStores();
    await seed(stores);
    const holdout = parseHoldout({ id: 'global-2026', share: 0.05 });
    const d0 = await decide(ask, stores, parseDecideConfig(CONFIG, { holdout: createHoldoutCheck({ holdout }) }));
    expect(d0.contact).toBe(!isHeldOut(holdout, d0.subjectId!, T0, 'email'));
  });

  it('a hook answering garbage fails the decision closed with a typed error', async () => {
    const stores = memoryStores();
    await seed(stores);
    const config = parseDecideConfig(CONFIG, { holdout: (() => ({ nope: 1 })) as never });
    await expect(decide(ask, stores, config)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});
