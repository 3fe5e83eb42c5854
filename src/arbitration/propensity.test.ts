import { describe, expect, it } from 'vitest';
import { PropensityTable } from './index.js';
import { isCrossChannelError } from '../core/errors.js';
import { DAY, NOW, buildHistory } from '../../test/arbitraries/arbitration.js';

describe('PropensityTable', () => {
  it('is a Beta-Binomial posterior per offer', () => {
    const t = new PropensityTable({ alpha: 2, beta: 8 }).observe('a', { presented: 40, accepted: 10 });
    expect(t.posterior('a')).toEqual({ alpha: 12, beta: 38, mean: 12 / 50 });
    expect(t.posterior('never')).toEqual({ alpha: 2, beta: 8, mean: 0.2 });
  });

  it('learns presentations and acceptances from the shared history, once per contact', () => {
    const h = buildHistory(
      'p1',
      [
        { offerId: 'a', channel: 'email', at: NOW - 3 * DAY },
        { offerId: 'a', channel: 'sms', at: NOW - 2 * DAY },
        { offerId: 'b', channel: 'web', at: NOW - DAY },
      ],
      [
        { offerId: 'a', channel: 'web', at: NOW - DAY, kind: 'accepted' },
        { offerId: 'b', channel: 'web', at: NOW - DAY + 1, kind: 'refused' },
        { offerId: 'b', channel: 'web', at: NOW + DAY, kind: 'accepted' },
      ],
      [],
    );
    const t = new PropensityTable().observeHistory(h, ['gold'], NOW);
    expect(t.counts('a')).toEqual({ presented: 2, accepted: 1 });
    expect(t.counts('b')).toEqual({ presented: 1, accepted: 0 });
    expect(t.counts('a', 'gold')).toEqual({ presented: 2, accepted: 1 });
    expect(t.counts('a', 'silver')).toEqual({ presented: 0, accepted: 0 });
  });

  it('counts a contact accepted and then converted as one acceptance (was two: 2 of 2 presentations)', () => {
    const contact = (id: string, at: number) => ({ id, subjectId: 's', channel: 'email', tags: [], offerId: 'a', at });
    const response = (id: string, kind: string, at: number) => ({ id, subjectId: 's', channel: 'email', tags: [], contactId: 'c1', kind, at });
    const h = { subjectId: 's', contacts: [contact('c1', NOW - 3 * DAY), contact('c2', NOW - 2 * DAY)], responses: [response('r1', 'accepted', NOW - DAY), response('r2', 'converted', NOW - DAY + 1)], events: [] } as never;
    expect(new PropensityTable().observeHistory(h, ['gold'], NOW).counts('a', 'gold')).toEqual({ presented: 2, accepted: 1 });
    expect(new PropensityTable().observeHistory(h, [], NOW).counts('a')).toEqual({ presented: 2, accepted: 1 });
  });

  it('a response to a contact without offerId is no acceptance, even naming an offer (it made another presentation look accepted)', () => {
    const base = { subjectId: 'p1', channel: 'email', tags: [], transactional: false };
    const history = {
      subjectId: 'p1',
      contacts: [
        { ...base, id: 'news', at: NOW - 3 * DAY },
        { ...base, id: 'call', offerId: 'x', channel: 'call_center', at: NOW - 2 * DAY },
      ],
      responses: [
        { id: 'r1', subjectId: 'p1', channel: 'web', tags: [], kind: 'accepted' as const, contactId: 'news', offerId: 'x', at: NOW - 3 * DAY + 1 },
        // A contact the history does not hold (pruned): counted by its offerId, as before.
        { id: 'r2', subjectId: 'p1', channel: 'web', tags: [], kind: 'accepted' as const, contactId: 'gone', offerId: 'y', at: NOW - DAY },
      ],
      events: [],
    };
    const t = new PropensityTable().observeHistory(history);
    expect(t.counts('x')).toEqual({ presented: 1, accepted: 0 });
    expect(t.counts('y')).toEqual({ presented: 0, accepted: 0 });
    const withOffer = { ...history, contacts: [{ ...history.contacts[0]!, offerId: 'x' }, history.contacts[1]!] };
    expect(new PropensityTable().observeHistory(withOffer).counts('x')).toEqual({ presented: 2, accepted: 1 });
  });

  it('pools a segment with the offer-wide rate: an empty segment falls back to the offer mean', () => {
    const t = new PropensityTable().observe('a', { presented: 98, accepted: 9 });
    expect(t.posterior('a', 'empty-segment').mean).toBeCloseTo(t.posterior('a').mean, 12);
    t.observe('a', { presented: 100, accepted: 90 }, 'fans');
    expect(t.posterior('a', 'fans').mean).toBeGreaterThan(0.85);
  });

  it('merges shards exactly and round-trips through JSON', () => {
    const a = new PropensityTable().observe('x', { presented: 10, accepted: 2 }, 's');
    const b = new PropensityTable().observe('x', { presented: 5, accepted: 1 }).observe('y', { presented: 3, accepted: 3 }, 's');
    a.merge(b);
    expect(a.counts('x')).toEqual({ presented: 15, accepted: 3 });
    expect(a.counts('y', 's')).toEqual({ presented: 3, accepted: 3 });
    const back = PropensityTable.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(back.toJSON()).toEqual(a.toJSON());
    expect(() => a.merge(new PropensityTable({ alpha: 2, beta: 2 }))).toThrow(/different priors/);
  });

  it('keeps segments and offers named __proto__ or constructor as keys of its JSON, and back', () => {
    // Ids are any 1–256 characters; `{}` plus `json[seg] = …` would set the prototype and lose the segment.
    const t = new PropensityTable()
      .observe('__proto__', { presented: 4, accepted: 1 }, '__proto__')
      .observe('constructor', { presented: 2, accepted: 2 }, 'constructor')
      .observe('x', { presented: 1, accepted: 0 }, 's');
    const json = t.toJSON();
    expect(Object.getPrototypeOf(json.segments)).toBe(Object.prototype);
    expect(Object.keys(json.segments)).toEqual(['__proto__', 'constructor', 's']);
    const text = JSON.stringify(json);
    expect(text).toBe(
      '{"prior":{"alpha":1,"beta":1},"offers":{"__proto__":{"presented":4,"accepted":1},"constructor":{"presented":2,"accepted":2},"x":{"presented":1,"accepted":0}},' +
        '"segments":{"__proto__":{"__proto__":{"presented":4,"accepted":1}},"constructor":{"constructor":{"presented":2,"accepted":2}},"s":{"x":{"presented":1,"accepted":0}}}}',
    );
    const back = PropensityTable.fromJSON(JSON.parse(text));
    expect(back.counts('__proto__', '__proto__')).toEqual({ presented: 4, accepted: 1 });
    expect(JSON.stringify(back.toJSON())).toBe(text);
  });

  it('rejects a bad prior and bad counts', () => {
    // An object whose valueOf throws was compared before it was checked: a TypeError, now CONFIG_INVALID.
    expect(() => PropensityTable.fromJSON({ prior: { alpha: { valueOf: () => { throw new Error('boom'); } }, beta: 1 }, offers: {}, segments: {} } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'prior' }));
    expect(() => new PropensityTable({ alpha: 0, beta: 1 })).toThrow();
    let err: unknown;
    try {
      new PropensityTable().observe('a', { presented: -1, accepted: 0 });
    } catch (e) {
      err = e;
    }
    expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
  });

  it('observeHistory names a record or segment of the wrong shape, before counting anything (was a TypeError, or an error at offerId)', () => {
    const bad = (path: string) => expect.objectContaining({ code: 'INPUT_INVALID', path });
    const contact = { id: 'c1', subjectId: 's', channel: 'email', tags: [], offerId: 'a', at: NOW - DAY };
    const history = (contacts: unknown[]) => ({ subjectId: 's', contacts, responses: [], events: [] }) as never;
    const t = new PropensityTable();
    expect(() => t.observeHistory(history([null]))).toThrow(bad('history.contacts[0]'));
    expect(() => t.observeHistory(history([{ ...contact, at: { valueOf: () => { throw new Error('boom'); } } }]))).toThrow(bad('history.contacts[0].at'));
    expect(() => t.observeHistory(history([contact, { ...contact, id: 'c2', offerId: 7 }]))).toThrow(bad('history.contacts[1].offerId'));
    expect(() => t.observeHistory(history([contact]), ['vip', { toString: () => 'x' }] as never)).toThrow(bad('segments[1]'));
    expect(t.toJSON().offers).toEqual({});
  });
});
