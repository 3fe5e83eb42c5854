/** What identity uses of the optional peer `libphonenumber-js/min` (types only: erased from the build). */
import type { CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { CrossChannelError } from '../core/errors.js';

export type { CountryCode };

/** The two functions of `libphonenumber-js/min` that phone normalisation calls. */
export interface PhoneLib {
  readonly parsePhoneNumberFromString: typeof parsePhoneNumberFromString;
  readonly isSupportedCountry: typeof isSupportedCountry;
}

/** The loaded peer, or a `DEPENDENCY_MISSING` error naming it and how to install it. */
export function requirePhoneLib(lib: PhoneLib | null, path: ReadonlyArray<string | number> = []): PhoneLib {
  if (lib !== null) return lib;
  throw new CrossChannelError('DEPENDENCY_MISSING', 'Normalising phone numbers needs the optional peer dependency libphonenumber-js: npm install libphonenumber-js', {
    path,
    detail: { package: 'libphonenumber-js' },
  });
}
