import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitrate, parseCatalogue, prepareArbitration, PropensityTable, type CatalogueInput } from './index.js';
import { CHANNELS, NOW, catalogueArb, historyArb, naiveArbitrate, segmentsArb, usageArb } from '../../test/arbitraries/arbitration.js';

const scenarioArb = catalogueArb.chain((input) => {
  const ids = (input.offers ?? []).map((o) => o.id);
  return fc.record({
    input: fc.constant(input),
    history: historyArb(ids),
    segments: segmentsArb,
    channel: fc.constantFrom(...CHANNELS),
    slots: fc.integer({ min: 0, max: 4 }),
    usage: usageArb(ids),
    seed: fc.integer(),
  });
});

describe('arbitrate — properties', () => {
  it('agrees with the straightforward reference implementation on every offer (selected, order, exclusion codes)', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const catalogue = parseCatalogue(s.input);
        const ours = arbitrate({ segments: s.segments }, catalogue, s.history, { now: NOW, channel: s.channel, slots: s.slots, usage: s.usage });
        const ref = naiveArbitrate(catalogue, s.history, { segments: s.segments }, { now: NOW, channel: s.channel, slots: s.slots, usage: s.usage });
        expect(ours.selected.map((o) => o.offerId)).toEqual(ref.selected);
        expect(ours.excluded.map((e) => [e.offerId, e.reason.code])).toEqual(ref.excluded);
      }),
      { numRuns: 800 },
    );
  });

  it('never returns an ineligible, wrong-channel, expired, not-yet-valid or capacity-exhausted offer; every offer is accounted for once', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const catalogue = parseCatalogue(s.input);
        const r = arbitrate({ segments: s.segments }, catalogue, s.history, { now: NOW, channel: s.channel, slots: s.slots, usage: s.usage });
        expect(r.selected.length).toBeLessThanOrEqual(s.slots);
        const seen = [...r.selected.map((x) => x.offerId), ...r.excluded.map((x) => x.offerId)].sort();
        expect(seen).toEqual(catalogue.offers.map((o) => o.id).sort());
        const groups = new Set<string>();
        for (const sel of r.selected) {
          const o = sel.offer;
          if (o.channels) expect(o.channels).toContain(s.channel);
          if (o.validFrom !== undefined) expect(NOW).toBeGreaterThanOrEqual(o.validFrom);
          if (o.validUntil !== undefined) expect(NOW).toBeLessThan(o.validUntil);
          if (typeof o.eligibility === 'string') expect(s.segments).toContain(o.eligibility);
          const u = s.usage[o.id];
          if (o.capacity?.perDay !== undefined) expect((u?.day ?? 0) + 1).toBeLessThanOrEqual(o.capacity.perDay);
          if (o.capacity?.total !== undefined) expect((u?.total ?? 0) + 1).toBeLessThanOrEqual(o.capacity.total);
          if (o.budget) expect((u?.spent ?? 0) + o.budget.cost).toBeLessThanOrEqual(o.budget.total);
          for (const g of o.exclusionGroups) {
            expect(groups.has(g)).toBe(false);
            groups.add(g);
          }
          expect(sel.score).toBeCloseTo(sel.factors.propensity * sel.factors.contextWeight * sel.factors.value * sel.factors.lever, 12);
        }
        for (let i = 1; i < r.selected.length; i++) expect(r.selected[i - 1]!.score).toBeGreaterThanOrEqual(r.selected[i]!.score);
      }),
      { numRuns: 500 },
    );
  });

  it('same inputs and Thompson seed → same decision; the learned model is only read', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const catalogue = parseCatalogue(s.input);
        const model = new PropensityTable().observeHistory(s.history, s.segments);
        const before = JSON.stringify(model.toJSON());
        const run = () => arbitrate({ segments: s.segments }, catalogue, s.history, { now: NOW, channel: s.channel, slots: s.slots, usage: s.usage, model, thompson: { seed: s.seed } });
        expect(run()).toEqual(run());
        expect(JSON.stringify(model.toJSON())).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('adding an offer that is excluded before ranking does not change the ranking of the others', () => {
    const extraArb = fc.constantFrom<CatalogueInput['offers'][number]>(
      { id: 'zz-wrong-channel', channels: ['direct_mail'], value: 1e6, propensity: 1 },
      { id: 'zz-ineligible', eligibility: 'nobody-is-in-this', value: 1e6, propensity: 1 },
      { id: 'aa-expired', validUntil: NOW - 1, value: 1e6, propensity: 1 },
      { id: 'aa-disabled', enabled: false, value: 1e6, propensity: 1, exclusionGroups: ['g1', 'g2'] },
    );
    fc.assert(
      fc.property(scenarioArb, extraArb, fc.boolean(), (s, extra, thompson) => {
        const base = parseCatalogue(s.input);
        const more = parseCatalogue({ ...s.input, offers: [...s.input.offers, extra] });
        const model = new PropensityTable().observeHistory(s.history);
        const opts = { now: NOW, channel: s.channel, slots: s.slots, usage: s.usage, model, ...(thompson ? { thompson: { seed: s.seed } } : {}) };
        const a = arbitrate({ segments: s.segments }, base, s.history, opts);
        const b = arbitrate({ segments: s.segments }, more, s.history, opts);
        expect(b.selected.map((x) => x.offerId)).toEqual(a.selected.map((x) => x.offerId));
        expect(b.excluded.filter((x) => x.offerId !== extra.id).map((x) => [x.offerId, x.reason.code])).toEqual(a.excluded.map((x) => [x.offerId, x.reason.code]));
      }),
      { numRuns: 200 },
    );
  });

  it('a prepared history answers exactly as arbitrate without it, call after call (any channel, slots, usage, segments)', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.tuple(fc.constantFrom(...CHANNELS), fc.integer({ min: 0, max: 4 }), fc.boolean()), { minLength: 1, maxLength: 4 }), (s, calls) => {
        const catalogue = parseCatalogue(s.input);
        const prepared = prepareArbitration(catalogue, s.history, NOW);
        for (const [channel, slots, used] of calls) {
          const opts = { now: NOW, channel, slots, usage: used ? s.usage : {} };
          const context = { segments: used ? s.segments : [] };
          expect(arbitrate(context, catalogue, s.history, opts, prepared)).toEqual(arbitrate(context, catalogue, s.history, opts));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a prepared history that grows between calls (records appended, lists replaced) still answers as without it', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.tuple(fc.constantFrom(...CHANNELS), fc.integer({ min: 0, max: 1 }), fc.boolean()), { minLength: 2, maxLength: 4 }), (s, calls) => {
        const catalogue = parseCatalogue(s.input);
        // The lists are filled in time order, a slice per call, as a store appending new records would.
        const h = { ...s.history, contacts: [] as typeof s.history.contacts, responses: [] as typeof s.history.responses, events: [] as typeof s.history.events };
        const prepared = prepareArbitration(catalogue, h, NOW);
        calls.forEach(([channel, k, replace], i) => {
          for (const l of ['contacts', 'responses', 'events'] as const) {
            const all = s.history[l] as Array<never>;
            const upTo = Math.ceil(((i + k) * all.length) / calls.length);
            if (replace) (h[l] as Array<never>) = all.slice(0, upTo);
            else (h[l] as Array<never>).push(...all.slice(h[l].length, upTo));
          }
          const opts = { now: NOW, channel, slots: 2, usage: s.usage };
          expect(arbitrate({ segments: s.segments }, catalogue, h, opts, prepared)).toEqual(arbitrate({ segments: s.segments }, catalogue, h, opts));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('records after `now` never change the decision', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const catalogue = parseCatalogue(s.input);
        const past = {
          ...s.history,
          contacts: s.history.contacts.filter((c) => c.at <= NOW),
          responses: s.history.responses.filter((r) => r.at <= NOW),
          events: s.history.events.filter((e) => e.at <= NOW),
        };
        const opts = { now: NOW, channel: s.channel, slots: s.slots, usage: s.usage };
        expect(arbitrate({ segments: s.segments }, catalogue, s.history, opts)).toEqual(arbitrate({ segments: s.segments }, catalogue, past, opts));
      }),
      { numRuns: 150 },
    );
  });
});
