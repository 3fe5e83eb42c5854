/**
 * The zod schemas every SQL generator's options share (segments, identity, attribution, insights, experiments).
 * Internal: not exported from the package's entries; each module's options schema is.
 */
import * as z from 'zod/mini';
import { regexCheck, minLengthCheck, maxLengthCheck, stringSchema } from './zod.js';

/** A plain SQL identifier, optionally schema-qualified (`mart.orders`): the generators quote it, never splice it. */
export const sqlNameSchema = /* @__PURE__ */ (() => stringSchema().check(regexCheck(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'Must be a plain SQL identifier (schema.table allowed)')))();

/** A table name, or `{ from: '<SQL>' }` for any relation the engine reads (`read_parquet('exports/*.parquet')`). */
export const sqlRelationSchema = /* @__PURE__ */ (() => z.union([sqlNameSchema, z.strictObject({ from: stringSchema().check(minLengthCheck(1), maxLengthCheck(4096)) })]))();
