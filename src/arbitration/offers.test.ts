import { describe, expect, it } from 'vitest';
import { capacitySpecOf, catalogueSchema, parseCatalogue } from './index.js';
import { normaliseValue } from './offers.js';
import { isCrossChannelError } from '../core/errors.js';
import { toJSONSchema } from '../core/schema.js';

function errorOf(fn: () => unknown): { code: string; path: string | undefined; message: string } {
  try {
    fn();
  } catch (e) {
    if (isCrossChannelError(e)) return { code: e.code, path: e.path, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

describe('parseCatalogue', () => {
  it('reads a validity date alone as 00:00 UTC, whatever the catalogue\'s zone (documented: give an offset for a local day)', () => {
    const at = (iso: string): number => Date.parse(iso);
    const of = (validFrom: string, validUntil: string) => parseCatalogue({ timeZone: 'America/Los_Angeles', offers: [{ id: 'a', validFrom, validUntil }] }).offers[0]!;
    expect([of('2026-07-04', '2026-07-05').validFrom, of('2026-07-04', '2026-07-05').validUntil]).toEqual([at('2026-07-04T00:00:00Z'), at('2026-07-05T00:00:00Z')]);
    expect(of('2026-07-04T00:00:00-07:00', '2026-07-05T00:00:00-07:00').validFrom).toBe(at('2026-07-04T07:00:00Z'));
    expect(errorOf(() => of('2026-07-04T00:00:00', '2026-07-05'))).toMatchObject({ code: 'CONFIG_INVALID', path: 'offers[0].validFrom' });
  });

  it('parses durations, dates and defaults, and compiles the policy', () => {
    const c = parseCatalogue({
      timeZone: 'Europe/Paris',
      offers: [
        {
          id: 'card',
          channels: ['email'],
          validFrom: '2026-01-01T00:00:00+01:00',
          validUntil: new Date('2026-07-01T00:00:00Z'),
          value: 40,
          policy: { afterRefusals: { count: 3, window: '30d', suppressFor: { days: 60 } }, afterAcceptance: { suppressFor: 'forever' } },
        },
      ],
    });
    const o = c.offers[0]!;
    expect(o.validFrom).toBe(Date.UTC(2025, 11, 31, 23));
    expect(o.validUntil).toBe(Date.UTC(2026, 6, 1));
    expect(o.policy).toMatchObject({ refusalCount: 3, refusalWindow: 30 * 86_400_000, refusalFor: 60 * 86_400_000, acceptFor: Infinity, refusalKinds: ['refused'] });
    expect(o.source).toMatchObject({ weight: 1, lever: 1, priority: 0, tags: [], enabled: true });
    expect(c.valueScale).toBe('log');
    expect(c.timeZone).toBe('Europe/Paris');
  });

  it.each([
    ['duplicate ids', { offers: [{ id: 'a' }, { id: 'a' }] }, 'offers[1].id'],
    ['unknown prerequisite', { offers: [{ id: 'a', prerequisites: ['zz'] }] }, 'offers[0].prerequisites[0]'],
    ['self prerequisite', { offers: [{ id: 'a', prerequisites: ['a'] }] }, 'offers[0].prerequisites[0]'],
    ['empty validity', { offers: [{ id: 'a', validFrom: 10, validUntil: 10 }] }, 'offers[0].validUntil'],
    ['negative value', { offers: [{ id: 'a', value: -1 }] }, 'offers[0].value'],
    ['bad channel', { offers: [{ id: 'a', channels: ['E-Mail'] }] }, 'offers[0].channels[0]'],
    ['bad duration', { offers: [{ id: 'a', policy: { maxPresentations: { count: 2, window: 'soon' } } }] }, 'offers[0].policy.maxPresentations.window'],
    ['zero refusal count', { offers: [{ id: 'a', policy: { afterRefusals: { count: 0, window: '1d', suppressFor: '1d' } } }] }, 'offers[0].policy.afterRefusals.count'],
    ['unknown field', { offers: [{ id: 'a', colour: 'red' }] }, 'offers[0].colour'],
    ['bad zone', { offers: [], timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['unknown predicate', { offers: [{ id: 'a', eligibility: { predicate: 'nope' } }] }, 'offers[0].eligibility'],
    ['guard without tags', { offers: [], guards: [{ id: 'g', offerTags: [], window: '30d' }] }, 'guards[0].offerTags'],
  ])('rejects %s with CONFIG_INVALID at the path', (_name, input, path) => {
    const e = errorOf(() => parseCatalogue(input));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.path).toBe(path);
  });

  it('rejects a non-object', () => {
    expect(errorOf(() => parseCatalogue(null as never)).code).toBe('CONFIG_INVALID');
  });

  it('publishes a JSON Schema of the catalogue', () => {
    const js = toJSONSchema(catalogueSchema) as { type: string; properties: Record<string, unknown> };
    expect(js.type).toBe('object');
    expect(Object.keys(js.properties)).toEqual(expect.arrayContaining(['offers', 'guards', 'valueScale', 'timeZone']));
  });

  it('gives each offer the categories of the guards that apply to it', () => {
    const c = parseCatalogue({
      offers: [{ id: 'd', tags: ['discount', 'category:shoes', 'cat/bags'] }, { id: 'n', tags: ['category:shoes'] }],
      guards: [{ id: 'g1', offerTags: ['discount'], window: '30d' }, { id: 'g2', offerTags: ['discount'], window: '7d', categoryTagPrefix: 'cat/' }],
    });
    expect(c.offers[0]!.guards.map(({ index, categories }) => ({ index, categories }))).toEqual([{ index: 0, categories: ['shoes'] }, { index: 1, categories: ['bags'] }]);
    expect(c.offers[1]!.guards).toEqual([]);
  });

  it('exposes capacity specs for the store', () => {
    const c = parseCatalogue({ weekStartsOn: 0, offers: [{ id: 'x', capacity: { perDay: 5 }, budget: { total: 100, cost: 2 } }, { id: 'y' }] });
    expect(capacitySpecOf(c, 'x')).toEqual({ perDay: 5, budget: 100, cost: 2, timeZone: 'UTC', weekStartsOn: 0 });
    expect(capacitySpecOf(c, 'y')).toEqual({ timeZone: 'UTC', weekStartsOn: 0 });
    expect(errorOf(() => capacitySpecOf(c, 'zz')).code).toBe('INPUT_INVALID');
  });
});

describe('normaliseValue', () => {
  it('maps the catalogue maximum to 1 and preserves order on every scale', () => {
    for (const scale of ['linear', 'log', { power: 0.5 }] as const) {
      expect(normaliseValue(1000, 1000, scale)).toBeCloseTo(1, 12);
      expect(normaliseValue(0, 1000, scale)).toBe(0);
      expect(normaliseValue(10, 1000, scale)).toBeLessThan(normaliseValue(11, 1000, scale));
    }
    expect(normaliseValue(7, 1000, 'none')).toBe(7);
    expect(normaliseValue(0, 0, 'log')).toBe(0);
  });

  it('log compresses a 50× price gap to under 2×', () => {
    expect(normaliseValue(2000, 2000, 'log') / normaliseValue(40, 2000, 'log')).toBeLessThan(2.1);
  });
});
