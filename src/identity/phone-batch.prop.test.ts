/**
 * Phones in the graph are parsed once: `add` takes a number the graph already holds in E.164 form as it is, and a
 * batch remembers what each phone text it parsed gave; a lookup in E.164 form of a held number skips parsing too.
 * These shortcuts must answer exactly as parsing every occurrence. The oracle: the same observations with every
 * phone normalised beforehand (invalid ones dropped), in a graph whose phone type is verbatim.
 */
import fc from 'fast-check';
import examples from 'libphonenumber-js/examples.mobile.json';
import { getCountries, getCountryCallingCode, type CountryCode } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { IdentityGraph, type ObservationInput } from './graph.js';
import { normalizePhone } from './normalize.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** Countries whose numbering differs the most: trunk zeros kept (IT), mobile infixes (AR, MX), NANP, long and short plans. */
const COUNTRIES: CountryCode[] = ['FR', 'GB', 'US', 'DE', 'IT', 'AR', 'MX', 'BR', 'IN', 'JP', 'CN', 'AU', 'RU', 'SG', 'NL', 'ES', 'SE', 'CH', 'SM', 'NZ', 'ZA', 'KR'];
const EXAMPLES = examples as Record<string, string>;

/** A mobile number of `country` (its example with the last digits changed), written one of the ways people do. */
const phoneTextArb = fc
  .record({
    country: fc.constantFrom(...COUNTRIES),
    tail: fc.stringMatching(/^[0-9]{1,3}$/),
    form: fc.constantFrom('national', 'spaced', 'e164', 'e164-spaced', '00'),
  })
  .map(({ country, tail, form }) => {
    const example = EXAMPLES[country]!;
    const national = example.slice(0, example.length - tail.length) + tail;
    const code = getCountryCallingCode(country);
    const spaced = (d: string): string => d.replace(/(\d\d)(?=\d)/g, '$1 ');
    const text = form === 'national' ? national : form === 'spaced' ? spaced(national) : form === 'e164' ? `+${code}${national}` : form === 'e164-spaced' ? `+${code} ${spaced(national)}` : `00${code}${national}`;
    return { country, text };
  });

/** Texts that are not numbers of any plan, some of them shaped like E.164. */
const invalidPhoneArb = fc.constantFrom('+10000000000', '+3300000', '+999123456789', '12', 'not a phone', '+44 20', '0000000000');

describe('phone normalisation, parsed once per number', () => {
  it('is idempotent in every plan: an E.164 result parses to itself whatever the default country', () => {
    let valid = 0;
    fc.assert(
      fc.property(phoneTextArb, fc.constantFrom(...COUNTRIES), ({ country, text }, other) => {
        const a = normalizePhone(text, country);
        if (!a.ok) return;
        valid++;
        expect(a.value).toMatch(/^\+[1-9][0-9]{1,14}$/);
        expect(normalizePhone(a.value, other)).toEqual(a);
        expect(normalizePhone(a.value)).toEqual(a);
      }),
      { numRuns: 2000 },
    );
    // The generator makes mostly valid numbers: the property is not vacuous.
    expect(valid).toBeGreaterThan(1000);
  });

  it('is idempotent in every region of the metadata, for numbers far from its example (Jamaica accepted 875… that +1 875… is not)', () => {
    const regions = getCountries().filter((c) => EXAMPLES[c] !== undefined);
    let valid = 0;
    fc.assert(
      fc.property(fc.constantFrom(...regions), fc.stringMatching(/^[0-9]{1,8}$/), (country, tail) => {
        const example = EXAMPLES[country]!;
        const digits = tail.slice(0, Math.max(1, example.length - 1));
        const national = example.slice(0, example.length - digits.length) + digits;
        const a = normalizePhone(national, country);
        if (!a.ok) return;
        valid++;
        expect(normalizePhone(a.value), `${country} ${national}`).toEqual(a);
      }),
      { numRuns: 6000 },
    );
    expect(valid).toBeGreaterThan(1000);
    // The case the metadata disagrees on: refused in both forms, so arrival order cannot matter.
    expect(normalizePhone('8750191205', 'JM')).toMatchObject({ ok: false, error: { code: 'IDENTITY_PHONE_INVALID' } });
    expect(normalizePhone('+18750191205')).toMatchObject({ ok: false, error: { code: 'IDENTITY_PHONE_INVALID' } });
  });

  it('links the same way whichever form of a number arrives first (a held E.164 number is taken without parsing)', () => {
    const rules = { normalization: { defaultCountry: 'JM' } };
    const a = { source: 'crm', at: T0, identifiers: [{ type: 'phone', value: '8750191205' }, { type: 'email', value: 'a@example.org' }] };
    const b = { source: 'web', at: T0 + DAY, identifiers: [{ type: 'phone', value: '+18750191205' }, { type: 'email', value: 'b@example.org' }] };
    // Jamaica's metadata accepted the national 875… that it refuses as +1 875…: the first order merged a and b.
    const merged = [[a, b], [b, a]].map((batch) => {
      const g = new IdentityGraph(rules);
      for (const o of batch as ObservationInput[]) g.add([o]);
      g.add(batch as ObservationInput[]);
      return g.profileIdOf({ type: 'email', value: 'a@example.org' }) === g.profileIdOf({ type: 'email', value: 'b@example.org' });
    });
    expect(merged).toEqual([false, false]);
  });

  it('a graph parsing each phone once gives the graph of the numbers normalised beforehand, and finds each in any form', () => {
    const personArb = fc.record({ phone: phoneTextArb, email: fc.integer({ min: 0, max: 6 }) });
    const obsArb = fc.record({
      person: fc.nat(),
      form: fc.constantFrom('national', 'spaced', 'e164', 'e164-spaced', '00'),
      withEmail: fc.boolean(),
      invalid: fc.option(invalidPhoneArb, { freq: 5 }),
      day: fc.integer({ min: 0, max: 60 }),
    });
    fc.assert(
      fc.property(
        fc.array(personArb, { minLength: 1, maxLength: 6 }),
        fc.array(obsArb, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...COUNTRIES),
        fc.nat(),
        (people, draws, defaultCountry, cut) => {
          // Each observation writes its person's number in its own form (the number's own country's plan).
          const rewrite = (p: (typeof people)[number], form: string): string => {
            const n = normalizePhone(p.phone.text, p.phone.country);
            if (!n.ok) return p.phone.text;
            const e164 = n.value;
            return form === 'e164' ? e164 : form === 'e164-spaced' ? e164.replace(/(\d{3})(?=\d)/g, '$1 ') : form === '00' ? `00${e164.slice(1)}` : p.phone.text;
          };
          const raw: ObservationInput[] = draws.map((d) => {
            const p = people[d.person % people.length]!;
            const ids = [{ type: 'phone', value: d.invalid ?? rewrite(p, d.form) }];
            if (d.withEmail) ids.push({ type: 'email', value: `p${p.email}@shop.test` });
            return { identifiers: ids, at: T0 + d.day * DAY, source: 'crm' };
          });
          // The oracle's input: each phone as normalizePhone gives it under the graph's default country, or dropped.
          const invalidAt: Array<[number, number]> = [];
          const normalised: ObservationInput[] = raw.map((o, i) => ({
            ...o,
            identifiers: o.identifiers.flatMap((id, j) => {
              if (id.type !== 'phone') return [id];
              const n = normalizePhone(id.value, defaultCountry);
              if (!n.ok) invalidAt.push([i, j]);
              return n.ok ? [{ type: 'phone', value: n.value }] : [];
            }),
          }));
          const subject = new IdentityGraph({ normalization: { defaultCountry } });
          const oracle = new IdentityGraph({ normalization: { types: { phone: 'verbatim' } } });
          // Two batches: the second finds numbers of the first already held.
          const k = cut % (raw.length + 1);
          const invalid = [...subject.add(raw.slice(0, k)).invalid.map((x) => [x.observation, x.index]), ...subject.add(raw.slice(k)).invalid.map((x) => [x.observation + k, x.index])];
          oracle.add(normalised.slice(0, k).filter((o) => o.identifiers.length > 0));
          oracle.add(normalised.slice(k).filter((o) => o.identifiers.length > 0));
          expect(invalid).toEqual(invalidAt);
          const profiles = (g: IdentityGraph) => [...g.profiles()].map((p) => p.identifiers.map((x) => `${x.type}:${x.value}`).sort().join(' ')).sort();
          expect(profiles(subject)).toEqual(profiles(oracle));
          for (const o of raw) {
            for (const id of o.identifiers) {
              if (id.type !== 'phone') continue;
              const n = normalizePhone(id.value, defaultCountry);
              const expected = n.ok ? oracle.profileIdOf({ type: 'phone', value: n.value }) : undefined;
              expect(subject.profileIdOf(id) === undefined).toBe(expected === undefined);
              if (n.ok) expect(subject.profileIdOf({ type: 'phone', value: n.value })).toBe(subject.profileIdOf(id));
              // find: the number as the graph holds it, and the same profile.
              const found = subject.find(id);
              expect(found?.identifier).toEqual(expected === undefined ? undefined : { type: 'phone', value: n.ok ? n.value : '' });
              expect(found?.profileId).toBe(subject.profileIdOf(id));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
