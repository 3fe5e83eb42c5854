/**
 * `crosschannel` — cross-channel marketing primitives. The root entry exports the shared core: errors, time and
 * calendar windows, shared records and their schemas (≈ 24 kB min+gzip). Each module has its own subpath
 * (`crosschannel/consent`, `crosschannel/capping`, …), so an app bundles only the modules it imports.
 *
 * In 0.1.0 the root also re-exported every module as a namespace (`import { consent } from 'crosschannel'`),
 * which put the whole library (≈ 180 kB min+gzip) in any bundle that touched the root. Write
 * `import * as consent from 'crosschannel/consent'` instead.
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
