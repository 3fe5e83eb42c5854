/** Every configuration error names its path, an unknown key included (zod reports it at the enclosing object). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromZodError, isCrossChannelError } from './errors.js';
import { parseDecideConfig } from '../decide/config.js';
import { parseCapRules } from '../capping/rules.js';
import { parseCatalogue } from '../arbitration/offers.js';
import { parseIdentityRules } from '../identity/rules.js';
import { parseConsentPolicy } from '../consent/ledger.js';
import { parseAttributionConfig } from '../attribution/models.js';

const DECIDE = { catalogue: { offers: [{ id: 'o', value: 1 }] }, caps: { rules: [{ id: 'r', kind: 'limit', limit: 1, window: 'day' }] }, consent: { purpose: 'marketing' } };
const KNOWN = new Set(['catalogue', 'caps', 'consent', 'offers', 'rules', 'id', 'value', 'kind', 'limit', 'window', 'purpose', '__proto__', 'constructor', 'toString']);
const keyArb = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !KNOWN.has(k) && !(k in Object.prototype));

function errorOf(f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (isCrossChannelError(e)) return e;
    throw e;
  }
  throw new Error('accepted');
}
const pathOf = (f: () => unknown): string | undefined => errorOf(f).path;

describe('error paths', () => {
  it('fromZodError points at the unknown key itself', () => {
    const r = z.object({ a: z.object({ b: z.number() }).strict() }).strict().safeParse({ a: { b: 1, c: 2 } });
    expect(r.success).toBe(false);
    if (!r.success) expect(fromZodError(r.error, 'CONFIG_INVALID').path).toBe('a.c');
  });

  it('property: an unknown key anywhere in a decide config is named by its full path', () => {
    fc.assert(
      fc.property(keyArb, fc.constantFrom('root', 'catalogue', 'offer', 'caps', 'rule', 'consent'), (key, where) => {
        const c = structuredClone(DECIDE) as Record<string, any>;
        const target = { root: c, catalogue: c.catalogue, offer: c.catalogue.offers[0], caps: c.caps, rule: c.caps.rules[0], consent: c.consent }[where];
        target[key] = 1;
        const prefix = { root: [], catalogue: ['catalogue'], offer: ['catalogue', 'offers', 0], caps: ['caps'], rule: ['caps', 'rules', 0], consent: ['consent'] }[where];
        expect(errorOf(() => parseDecideConfig(c as never)).pathSegments).toEqual([...prefix, key]);
      }),
      { numRuns: 200 },
    );
  });

  it('every config parser names an unknown top-level key', () => {
    expect(pathOf(() => parseCapRules({ rules: [], bogus: 1 } as never))).toBe('bogus');
    expect(pathOf(() => parseCatalogue({ offers: [], bogus: 1 } as never))).toBe('bogus');
    expect(pathOf(() => parseIdentityRules({ bogus: 1 } as never))).toBe('bogus');
    expect(pathOf(() => parseConsentPolicy({ bogus: 1 } as never))).toBe('bogus');
    expect(pathOf(() => parseAttributionConfig({ bogus: 1 } as never))).toBe('bogus');
    expect(pathOf(() => parseDecideConfig({ ...DECIDE, bogus: 1 } as never))).toBe('bogus');
  });
});

