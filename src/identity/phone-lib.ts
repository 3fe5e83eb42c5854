/**
 * The optional peer `libphonenumber-js` (its `min` metadata), loaded once when the module is evaluated: the
 * package is needed only to normalise phone numbers, so users of the other modules do not install its 10 MB.
 * `null` when it is not installed; {@link requirePhoneLib} then throws a typed `DEPENDENCY_MISSING`.
 *
 * This is the ES module variant (a top-level `await import()`, resolved before any importer runs); the CommonJS
 * build swaps in `phone-lib.cjs.ts` (a guarded `require`), see tsup.config.ts.
 */
import type { PhoneLib } from './phone-lib-type.js';

export const phoneLib: PhoneLib | null = await import('./phone-peer.js').then(
  (m) => m,
  () => null,
);
