import { describe, expect, it } from 'vitest';
import { identityRulesSchema, parseIdentityRules, safeParseIdentityRules } from '../../src/identity/rules.js';
import { toJSONSchema } from '../../src/core/schema.js';

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
    expect(path({ surprise: true })).toEqual(['CONFIG_INVALID', undefined]);
  });
  it('has a JSON Schema for the docs', () => {
    expect(toJSONSchema(identityRulesSchema)).toMatchObject({ type: 'object', properties: { limits: expect.any(Object), ttl: expect.any(Object) } });
  });
});
