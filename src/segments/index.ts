/**
 * `crosschannel/segments` — one audience rule language for every channel: JSON rules over profile attributes
 * and behaviour events, compiled once, evaluated per event or over whole populations, explained, and RFM.
 * See docs/segments.md.
 * @packageDocumentation
 */
export * from './dsl.js';
export { compileGlob, compileSafeRegex, type SafePattern } from './pattern.js';
export type { EvalContext, Profile } from './conditions.js';
export * from './compile.js';
export * from './explain.js';
export * from './batch.js';
export * from './rfm.js';
export * from './store.js';
export { segmentsSql, segmentsFromSql, segmentsSqlOptionsSchema, type SegmentsSqlOptionsInput, type SqlMemberships } from './sql.js';
