/**
 * CommonJS variant of `phone-lib.ts` (the CJS build cannot hold a top-level await): a guarded synchronous
 * `require` of the optional peer `libphonenumber-js/min`; `null` when it is not installed.
 */
import type { PhoneLib } from './phone-lib-type.js';

declare const require: (id: string) => unknown;

function load(): PhoneLib | null {
  try {
    return require('libphonenumber-js/min') as PhoneLib;
  } catch {
    return null;
  }
}

export const phoneLib: PhoneLib | null = load();
