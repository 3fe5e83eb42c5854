import fc from 'fast-check';
import * as libphonenumber from 'libphonenumber-js';
import * as phoneMin from 'libphonenumber-js/min';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CrossChannelError } from '../core/errors.js';
import { IdentityGraph } from './graph.js';
import { normalizeIdentifier, normalizePhone } from './normalize.js';
import { phoneLib } from './phone-lib.js';
import { requirePhoneLib, type PhoneNumberLibrary } from './phone-lib-type.js';
import { parseIdentityRules, safeParseIdentityRules } from './rules.js';

/** A library that answers one fixed number: shows which library a call used. */
const fixed = (number: string): PhoneNumberLibrary => ({
  parsePhoneNumberFromString: () => ({ isValid: () => true, number }),
  isSupportedCountry: () => true,
});

const COUNTRIES = ['FR', 'GB', 'US', 'DE', 'JP', 'BR', 'IN', 'ZZ', 'fr'];
const phoneText = fc.oneof(
  fc.stringMatching(/^(\+|00)?[0-9 ().-]{1,20}$/),
  fc.tuple(fc.constantFrom('+33 6', '06', '+1 415', '020 79', '+49 30', '0049'), fc.stringMatching(/^[0-9 ]{4,12}$/)).map(([a, b]) => a + b),
);

describe('the optional peer libphonenumber-js', () => {
  it('is found on its own in Node (ES modules, synchronously, without a top-level await)', () => {
    expect(phoneLib).not.toBeNull();
    expect(phoneLib!.parsePhoneNumberFromString('+33612345678')?.number).toBe('+33612345678');
  });

  it('normalises exactly as the peer passed in (its min metadata), for any text and default country', () => {
    fc.assert(
      fc.property(phoneText, fc.option(fc.constantFrom(...COUNTRIES), { nil: undefined }), (raw, country) => {
        expect(normalizePhone(raw, country)).toEqual(normalizePhone(raw, country, phoneMin));
      }),
      { numRuns: 400 },
    );
  });

  it('the library passed in wins over the installed one (normalizePhone, normalizeIdentifier, parsed rules, the graph)', () => {
    expect(normalizePhone('06 12 34 56 78', 'FR', fixed('+10000000001'))).toEqual({ ok: true, value: '+10000000001' });
    expect(normalizeIdentifier({ type: 'phone', value: '06 12 34 56 78' }, { defaultCountry: 'FR', phone: fixed('+10000000002') })).toEqual({
      ok: true,
      value: { type: 'phone', value: '+10000000002' },
    });
    const rules = parseIdentityRules({ normalization: { defaultCountry: 'FR' } }, { phone: fixed('+10000000003') });
    expect(rules.normalize.phone).toBeDefined();
    const graph = new IdentityGraph(rules);
    graph.add([{ identifiers: [{ type: 'email', value: 'ada@shop.test' }, { type: 'phone', value: '06 12 34 56 78' }], at: 1 }]);
    const pid = graph.profileIdOf({ type: 'email', value: 'ada@shop.test' });
    expect(graph.profile(pid!)?.identifiers).toContainEqual({ type: 'phone', value: '+10000000003' });
    // Without the option, the rules carry no library and the installed one is used.
    expect(parseIdentityRules({}).normalize.phone).toBeUndefined();
  });

  it('the peer module itself (min or default metadata) is a PhoneNumberLibrary', () => {
    const min: PhoneNumberLibrary = phoneMin;
    const full: PhoneNumberLibrary = libphonenumber;
    // A hand-written library (a wrapper, a test double) with a plain string country is one too.
    const own: PhoneNumberLibrary = { parsePhoneNumberFromString: (_text: string, _country?: string) => undefined, isSupportedCountry: (c: string) => c === 'FR' };
    expectTypeOf(min).toEqualTypeOf(full);
    expect(own.isSupportedCountry('FR')).toBe(true);
    expect(parseIdentityRules({}, { phone: libphonenumber }).normalize.phone).toBe(libphonenumber);
  });

  it('a library that is not one is refused with the path of the missing function', () => {
    const bad = safeParseIdentityRules({}, { phone: { parsePhoneNumberFromString: () => undefined } as unknown as PhoneNumberLibrary });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID', path: 'options.phone.isSupportedCountry' } });
    expect(() => normalizePhone('0612345678', 'FR', 42 as unknown as PhoneNumberLibrary)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });

  it('without a library, a typed DEPENDENCY_MISSING names the package, how to install it and the path', () => {
    let caught: unknown;
    try {
      requirePhoneLib(null, [0, 'identifiers', 1, 'value']);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CrossChannelError);
    const e = caught as CrossChannelError;
    expect(e.code).toBe('DEPENDENCY_MISSING');
    expect(e.path).toBe('[0].identifiers[1].value');
    expect(e.detail).toEqual({ package: 'libphonenumber-js' });
    expect(e.message).toContain('npm install libphonenumber-js');
    expect(e.message).toContain('parseIdentityRules(rules, { phone })');
    expect(requirePhoneLib(phoneMin)).toBe(phoneMin);
  });
});
