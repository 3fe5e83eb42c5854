/**
 * `crosschannel` — cross-channel marketing primitives. The root entry exports the shared core (errors, time,
 * records, schemas) and each module as a namespace; import a subpath (`crosschannel/consent`, …) to load only
 * one module.
 *
 * @example
 * ```ts
 * import { toEpochMs, calendarWindow } from 'crosschannel';
 * const w = calendarWindow(toEpochMs('2026-10-25T12:00:00Z'), 'day', 'Europe/Paris'); // a 25-hour day
 * ```
 * @module crosschannel
 * @document ../docs/core.md
 * @packageDocumentation
 */
export * from './core/index.js';
export * as identity from './identity/index.js';
export * as consent from './consent/index.js';
export * as capping from './capping/index.js';
export * as segments from './segments/index.js';
export * as arbitration from './arbitration/index.js';
export * as attribution from './attribution/index.js';
export * as experiments from './experiments/index.js';
export * as timing from './timing/index.js';
export * as insights from './insights/index.js';
export * as decide from './decide/index.js';
export * as journeys from './journeys/index.js';
