/**
 * CommonJS variant of `phone-lib.ts` (a CommonJS file has `require` but no `import.meta.url`): a guarded
 * synchronous `require` of the optional peer `libphonenumber-js/min`; `null` when it is not installed. A bundler
 * that meets this `require` inside its `try` bundles the peer when installed and only warns when it is not.
 */
import type { PhoneNumberLibrary } from './phone-lib-type.js';

declare const require: (id: string) => unknown;

function load(): PhoneNumberLibrary | null {
  try {
    return require('libphonenumber-js/min') as PhoneNumberLibrary;
  } catch {
    return null;
  }
}

export const phoneLib: PhoneNumberLibrary | null = load();
