/** Keys and clients from plain JavaScript: a wrong type is an INPUT_INVALID naming the argument, never a TypeError. */
import { describe, expect, it } from 'vitest';
import { failureOf as failure } from '../../../test/arbitraries/junk.js';
import { offerKey, RedisAssignmentStore, RedisContactHistoryStore, RedisJourneyStore, RedisOfferCapacityStore, subjectKey } from './index.js';

describe('Redis keys and clients', () => {
  it('key builders take strings only, and name the part that is not one', () => {
    expect(subjectKey('cc', 'p{1}', 'contacts')).toBe('cc:{p%7B1%7D}:contacts');
    expect(offerKey('cc', 'o-1', 'cap:d')).toBe('cc:{offer:o-1}:cap:d');
    for (const bad of [Symbol('s'), 1, null, undefined, {}]) {
      expect(failure(() => subjectKey(bad as never, 'p', 'n'))).toEqual({ code: 'INPUT_INVALID', path: ['prefix'] });
      expect(failure(() => subjectKey('cc', bad as never, 'n'))).toEqual({ code: 'INPUT_INVALID', path: ['subjectId'] });
      expect(failure(() => offerKey('cc', bad as never, 'n'))).toEqual({ code: 'INPUT_INVALID', path: ['offerId'] });
      expect(failure(() => offerKey('cc', 'o', bad as never))).toEqual({ code: 'INPUT_INVALID', path: ['name'] });
    }
  });

  it('a store given something other than an ioredis client says so when it is made', () => {
    const scripted: Array<[string, (c: unknown) => unknown]> = [
      ['RedisContactHistoryStore', (c) => new RedisContactHistoryStore(c as never)],
      ['RedisOfferCapacityStore', (c) => new RedisOfferCapacityStore(c as never)],
      ['RedisJourneyStore', (c) => new RedisJourneyStore(c as never)],
    ];
    for (const [name, make] of scripted) {
      expect(failure(() => make(undefined)), name).toEqual({ code: 'INPUT_INVALID', path: ['redis'] });
      expect(failure(() => make('redis://localhost')), name).toEqual({ code: 'INPUT_INVALID', path: ['redis'] });
      expect(failure(() => make({})), name).toEqual({ code: 'INPUT_INVALID', path: ['redis', 'defineCommand'] });
    }
    expect(failure(() => new RedisAssignmentStore(null as never))).toEqual({ code: 'INPUT_INVALID', path: ['redis'] });
  });
});
