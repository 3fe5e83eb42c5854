import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLOCKED_PATTERNS, identityRulesSchema, parseIdentityRules, safeParseIdentityRules } from './rules.js';
import { preferredIdentifier } from './store.js';
import { toJSONSchema } from '../core/schema.js';

describe('parseIdentityRules', () => {
  it('fills in defaults', () => {
    const r = parseIdentityRules();
    expect(r.limitOf('user_id')).toBe(1);
    expect(r.limitOf('email')).toBe(5);
    expect(r.limitOf('anonymous_id')).toBe(Infinity);
    expect(r.ttlOf('anonymous_id')).toBe(Infinity);
    expect(r.rankOf('user_id')).toBe(0);
    expect(r.rankOf('cookie_id')).toBe(9);
    expect(r.rankOf('unlisted_type')).toBe(10);
    expect(r.maxIdentifiers).toBe(1000);
    expect(r.blockedBy('email', 'test@test.com')).toMatch(/^blocked:pattern:/);
    expect(r.blockedBy('email', 'ada@shop.test')).toBeUndefined();
    expect(r.blockedBy('device_id', '00000000-0000-0000-0000-000000000000')).toBe('blocked:pattern:^[0-]+$');
  });
  it('takes a limits object as a whole, in place of the defaults (as the guide states)', () => {
    const r = parseIdentityRules({ limits: { email: 3 } });
    expect(r.limitOf('email')).toBe(3);
    expect(r.limitOf('user_id')).toBe(Infinity);
    expect(r.limitOf('phone')).toBe(Infinity);
  });
  it('reads durations and custom priorities', () => {
    const r = parseIdentityRules({ priority: ['email', 'user_id'], ttl: { anonymous_id: '30d', cookie_id: { days: 7 } } });
    expect(r.rankOf('email')).toBe(0);
    expect(r.ttlOf('anonymous_id')).toBe(30 * 86_400_000);
    expect(r.ttlOf('cookie_id')).toBe(7 * 86_400_000);
  });
  it('rejects bad rules with the path of the bad field', () => {
    const path = (input: unknown) => {
      const r = safeParseIdentityRules(input);
      return r.ok ? 'ok' : [r.error.code, r.error.path];
    };
    expect(path({ limits: { email: 0 } })).toEqual(['CONFIG_INVALID', 'limits.email']);
    expect(path({ limits: { 'Bad Type': 1 } })).toEqual(['CONFIG_INVALID', 'limits["Bad Type"]']);
    expect(path({ ttl: { anonymous_id: 'soon' } })).toEqual(['CONFIG_INVALID', 'ttl.anonymous_id']);
    expect(path({ ttl: { anonymous_id: 0 } })).toEqual(['CONFIG_INVALID', 'ttl.anonymous_id']);
    expect(path({ blocked: { patterns: ['ok', { pattern: '(' }] } })).toEqual(['CONFIG_INVALID', 'blocked.patterns[1].pattern']);
    expect(path({ normalization: { defaultCountry: 'fr' } })).toEqual(['CONFIG_INVALID', 'normalization.defaultCountry']);
    // Well formed, but not a region of the phone metadata (the United Kingdom is GB): every national number would be refused.
    expect(path({ normalization: { defaultCountry: 'UK' } })).toEqual(['CONFIG_INVALID', 'normalization.defaultCountry']);
    expect(path({ normalization: { defaultCountry: 'GB' } })).toBe('ok');
    expect(path({ surprise: true })).toEqual(['CONFIG_INVALID', 'surprise']);
  });
  it('has a JSON Schema for the docs', () => {
    expect(toJSONSchema(identityRulesSchema)).toMatchObject({ type: 'object', properties: { limits: expect.any(Object), ttl: expect.any(Object) } });
  });
});

describe('blocked values', () => {
  it('the combined pattern check names the same first matching pattern as testing each in order', () => {
    const user = [{ pattern: '^(a)\\1$' }, { type: 'email', pattern: '^x+@' }, '^demo'];
    const rules = parseIdentityRules({ blocked: { patterns: user } });
    const all = [...DEFAULT_BLOCKED_PATTERNS, ...user.map((p) => (typeof p === 'string' ? { pattern: p } : p))];
    const naive = (type: string, value: string) => {
      for (const p of all) if ((p.type === undefined || p.type === type) && new RegExp(p.pattern, 'i').test(value)) return `blocked:pattern:${p.pattern}`;
      return undefined;
    };
    const valueArb = fc.oneof(
      fc.constantFrom('null', 'N/A', 'aa', 'AA', '0000', '7777777', '--', 'demo-1', 'test@test.com', 'xx@shop.test', '+33600000000', '+15551234567', '123456789', 'ada@shop.test', 'u-1'),
      fc.stringMatching(/^[0-9a-z@.+-]{0,12}$/),
    );
    fc.assert(
      fc.property(fc.constantFrom('email', 'phone', 'user_id', 'device_id'), valueArb, (type, value) => {
        expect(rules.blockedBy(type, value)).toBe(naive(type, value));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the default blocked phone pattern', () => {
  const phone = new RegExp(DEFAULT_BLOCKED_PATTERNS.at(-1)!.pattern, 'i');
  it('refuses numbers whose national part is the run 123456789 or 987654321, not real numbers that contain it', () => {
    for (const fake of ['+33123456789', '+441234567890', '+491234567890', '+79876543210', '+11234567890', '+19876543210', '+390123456789']) expect(phone.test(fake), fake).toBe(true);
    // Chicago's 312-345-6789, a German mobile: the run inside a real number (both were refused).
    for (const real of ['+13123456789', '+4915123456789', '+33612345678', '+12123456789']) expect(phone.test(real), real).toBe(false);
  });
});

describe('preferredIdentifier', () => {
  it('refuses an identifier of the wrong shape at its argument (was a TypeError reading its type)', () => {
    const rules = parseIdentityRules({ nonLinking: ['device_id'] });
    const ada = { type: 'email', value: 'ada@example.com' };
    expect(preferredIdentifier(rules, ada, { type: 'device_id', value: 'ipad' })).toBe(true);
    expect(() => preferredIdentifier(rules, null as never, ada)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'a' }));
    expect(() => preferredIdentifier(rules, ada, undefined as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'b' }));
  });
});
