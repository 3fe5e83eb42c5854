import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizeIdentifier, normalizePhone } from './normalize.js';

const localArb = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._+-]{0,10}[A-Za-z0-9])?$/).filter((s) => !s.includes('..'));
const emailArb = fc.tuple(localArb, fc.constantFrom('gmail.com', 'GoogleMail.com', 'Outlook.com', 'shop.test', 'yahoo.com', 'sub.example.org')).map(([l, d]) => `${l}@${d}`);

describe('normalisation properties', () => {
  it('email normalisation is idempotent, case- and whitespace-insensitive (with and without provider rules)', () => {
    fc.assert(
      fc.property(emailArb, fc.boolean(), fc.constantFrom('', ' ', '\t'), (email, providerRules, pad) => {
        const a = normalizeEmail(email, { providerRules });
        const b = normalizeEmail(`${pad}${email.toUpperCase()}${pad}`, { providerRules });
        expect(b).toEqual(a);
        if (a.ok) expect(normalizeEmail(a.value, { providerRules })).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('phone normalisation is idempotent and ignores formatting', () => {
    const frMobile = fc.tuple(fc.constantFrom('6', '7'), fc.stringMatching(/^[0-9]{8}$/)).map(([p, r]) => `0${p}${r}`);
    fc.assert(
      fc.property(frMobile, fc.constantFrom(' ', '.', '-', ''), (digits, sep) => {
        const formatted = digits.replace(/(\d\d)(?=\d)/g, `$1${sep}`);
        const a = normalizePhone(digits, 'FR');
        expect(normalizePhone(formatted, 'FR')).toEqual(a);
        if (a.ok) {
          expect(a.value).toMatch(/^\+33[67]\d{8}$/);
          expect(normalizePhone(a.value, 'US')).toEqual(a);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('verbatim identifiers are kept exactly or refused, never altered', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (value) => {
        const r = normalizeIdentifier({ type: 'device_id', value });
        if (r.ok) expect(r.value.value).toBe(value);
      }),
    );
  });
});
