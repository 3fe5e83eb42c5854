/**
 * The package's public entries, derived from tsup's entry map (which mirrors package.json "exports"), with
 * what each may depend on. Shared by the size report, the browser-portability tests and the docs checks.
 */
import { entries } from '../tsup.config.js';

export interface PackageEntry {
  /** tsup entry key, e.g. `consent/index`. */
  readonly key: string;
  /** Import specifier a user writes, e.g. `crosschannel/consent`. */
  readonly specifier: string;
  /** Source file, relative to the repository root. */
  readonly source: string;
  /**
   * Pure entries run unchanged in browsers and edge workers: no `node:` import, no Node-only global.
   * Only the Redis and PostgreSQL adapters (and the vitest-based testing kit) may depend on Node.
   */
  readonly pure: boolean;
  /** Packages left out of a bundle of this entry: peers the host brings (drivers, vitest). */
  readonly external: readonly string[];
  /** Published for `require` too (package.json `exports` has a `require` condition and `typesVersions` a line). */
  readonly commonjs: boolean;
}

const NODE_ONLY: Record<string, readonly string[]> = {
  'adapters/redis/index': ['ioredis'],
  'adapters/postgres/index': ['pg'],
  'testing/index': ['vitest'],
};

// Entries published as ES modules only: the vitest conformance kit (vitest cannot be required).
const ESM_ONLY: ReadonlySet<string> = new Set(['testing/index']);

function specifierOf(key: string): string {
  return key === 'index' ? 'crosschannel' : `crosschannel/${key.replace(/\/index$/, '')}`;
}

/** Every public entry, in package.json order. */
export const packageEntries: readonly PackageEntry[] = Object.entries(entries).map(([key, source]) => ({
  key,
  specifier: specifierOf(key),
  source,
  pure: !(key in NODE_ONLY),
  external: NODE_ONLY[key] ?? [],
  commonjs: !ESM_ONLY.has(key),
}));

/** The entries that must run outside Node. */
export const pureEntries: readonly PackageEntry[] = packageEntries.filter((e) => e.pure);

/** `crosschannel/consent` → `consent`, `crosschannel` → `index` (a file-name-safe label). */
export function entryLabel(entry: PackageEntry): string {
  return entry.key.replace(/\/index$/, '');
}
