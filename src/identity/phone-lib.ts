/**
 * The optional peer `libphonenumber-js` (its `min` metadata), found synchronously when the module is evaluated:
 * the package is needed only to normalise phone numbers, so users of the other modules do not install its 10 MB.
 * `null` when it is not installed or cannot be found this way; {@link requirePhoneLib} then throws a typed
 * `DEPENDENCY_MISSING` unless the caller passed the library in.
 *
 * This is the ES module variant: Node's `require`, reached through `process.getBuiltinModule` (Node ≥ 20.16) so
 * that nothing here imports a Node built-in and bundlers see no import of the peer. A top-level `await import()`
 * would make every importer's module graph asynchronous, which a CommonJS bundle cannot hold. In browsers and
 * bundles the lookup finds nothing, and the library is passed in (`parseIdentityRules(rules, { phone })`). The
 * CommonJS build swaps in `phone-lib.cjs.ts` (a guarded `require`), see tsup.config.ts.
 */
import type { PhoneNumberLibrary } from './phone-lib-type.js';

type Require = (id: string) => unknown;
interface NodeProcess {
  getBuiltinModule?(id: string): { createRequire?(from: string): Require } | undefined;
}

function load(): PhoneNumberLibrary | null {
  try {
    const proc = (globalThis as { process?: NodeProcess }).process;
    const from = import.meta.url;
    const createRequire = proc?.getBuiltinModule?.('node:module')?.createRequire;
    if (createRequire === undefined || typeof from !== 'string' || !from.startsWith('file:')) return null;
    return createRequire(from)('libphonenumber-js/min') as PhoneNumberLibrary;
  } catch {
    return null;
  }
}

export const phoneLib: PhoneNumberLibrary | null = load();
