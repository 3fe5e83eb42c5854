/**
 * zod's tree-shakable API (`zod/mini`) is what every schema of the package is built with: the classic `zod`
 * import attaches every method to every schema, so one `z.string()` pulled ≈ 92 kB min+gzip into each entry.
 * `zod/mini` ships no messages of its own ("Invalid input"), so every parse passes {@link ENGLISH}: zod's
 * English locale as the parse's error map. Messages a schema sets itself still win, and zod's global
 * configuration is never touched (a user's own locale stays theirs). Internal: not exported from the entries.
 */
import type * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/** Parse options giving zod's English messages to the issues a schema does not word itself. */
export const ENGLISH: z.core.ParseContext<z.core.$ZodIssue> = /* @__PURE__ */ english();

function english(): z.core.ParseContext<z.core.$ZodIssue> {
  return { error: en().localeError };
}
