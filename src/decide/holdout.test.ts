import { describe, expect, it } from 'vitest';
import { holdoutReason } from './holdout.js';

describe('holdoutReason', () => {
  const held = () => ({ held: true as const, experimentId: 'h', variantId: 'holdout' });
  const ctx = { channel: 'email', now: Date.parse('2026-03-10T10:00:00Z') };

  it('reports the offers that would have been sent', () => {
    expect(holdoutReason(held, 'p1', ctx, [{ offerId: 'spring', rank: 1, score: 3 }])?.detail).toMatchObject({ experimentId: 'h', wouldHaveSent: [{ offerId: 'spring', rank: 1, score: 3 }] });
  });

  it('names an offer that is not an object (a TypeError before; mutation fuzz, 2026-12-05)', () => {
    expect(() => holdoutReason(held, 'p1', ctx, [null as never])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'offers[0]' }));
  });
});
