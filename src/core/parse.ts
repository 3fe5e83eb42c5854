/**
 * The public `parseWith`: any zod schema, with zod's complete English locale (the package's own parsers use
 * core/errors.ts's `parseWith`, whose messages cover only the issues their schemas raise, so that the locale's
 * table of string-format names stays out of the module entries).
 */
import type * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { parseIn, type CrossChannelError } from './errors.js';

// zod's English locale as parse options.
const ENGLISH_LOCALE: z.core.ParseContext<z.core.$ZodIssue> = /* @__PURE__ */ (() => ({ error: en().localeError }))();

/**
 * Validates `input` with `schema` and returns the parsed value, or throws a {@link CrossChannelError} with the
 * given code and the path of the first bad field. The building block of every `parseX(unknown)`. Issues the
 * schema does not word itself get zod's English messages, without touching zod's global configuration.
 *
 * @example
 * ```ts
 * import { capRuleSetSchema } from 'crosschannel/capping';
 *
 * declare const json: unknown;
 *
 * const rules = parseWith(capRuleSetSchema, json, 'CONFIG_INVALID');
 * ```
 */
export function parseWith<S extends z.core.$ZodType, C extends string>(
  schema: S,
  input: unknown,
  code: C,
  basePath: ReadonlyArray<string | number> = [],
): z.output<S> {
  return parseIn(ENGLISH_LOCALE, schema, input, code, basePath);
}
