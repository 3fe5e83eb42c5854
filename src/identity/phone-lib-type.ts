/**
 * What identity uses of the optional peer `libphonenumber-js`, as a structural type of our own: the published
 * declarations must compile for users who do not install the peer, so they never name its module.
 */
import { CrossChannelError } from '../core/errors.js';
import { expectFunction, expectObject } from '../core/guards.js';

/**
 * The two functions of `libphonenumber-js` that phone normalisation calls. The peer's own module has this shape:
 * pass it (`import * as phone from 'libphonenumber-js/min'`) where it cannot be found on its own — in a bundle
 * or a browser — through `parseIdentityRules(rules, { phone })` or the last argument of `normalizePhone`.
 *
 * @example
 * ```ts
 * import * as phone from 'libphonenumber-js/min';
 * const lib: PhoneNumberLibrary = phone;
 * const rules = parseIdentityRules({ normalization: { defaultCountry: 'FR' } }, { phone: lib });
 * ```
 */
export interface PhoneNumberLibrary {
  /**
   * Parses a number, national ones in `defaultCountry`; `undefined` when the text is not a number. The country is
   * typed `never` so that the peer's own signature (a union of country codes) is assignable: identity passes only
   * a code that `isSupportedCountry` accepted.
   */
  parsePhoneNumberFromString(text: string, defaultCountry?: never): { isValid(): boolean; readonly number: string } | undefined;
  /** True for an ISO 3166-1 alpha-2 code the metadata knows. */
  isSupportedCountry(country: string): boolean;
}

/** `value` checked as a {@link PhoneNumberLibrary} (plain JavaScript may pass anything). */
export function expectPhoneLibrary(value: unknown, path: ReadonlyArray<string | number>): PhoneNumberLibrary {
  expectObject(value, path);
  const lib = value as Record<string, unknown>;
  expectFunction(lib['parsePhoneNumberFromString'], [...path, 'parsePhoneNumberFromString']);
  expectFunction(lib['isSupportedCountry'], [...path, 'isSupportedCountry']);
  return value as PhoneNumberLibrary;
}

/** The library to use (the one passed in, else the installed peer), or a `DEPENDENCY_MISSING` error naming it. */
export function requirePhoneLib(lib: PhoneNumberLibrary | null | undefined, path: ReadonlyArray<string | number> = []): PhoneNumberLibrary {
  if (lib !== null && lib !== undefined) return lib;
  throw new CrossChannelError(
    'DEPENDENCY_MISSING',
    "Normalising phone numbers needs the optional peer dependency libphonenumber-js: npm install libphonenumber-js (in a bundle or a browser, and in an ES module on Node before 20.16, also pass its module libphonenumber-js/min as parseIdentityRules(rules, { phone }))",
    { path, detail: { package: 'libphonenumber-js' } },
  );
}
