/**
 * Global Privacy Control (W3C GPC specification): a browser or extension sends `Sec-GPC: 1` with each request and
 * exposes `navigator.globalPrivacyControl === true`. California (CCPA/CPRA), Colorado and, from 2025–26, most later
 * state laws make it a valid opt-out of the sale and sharing of personal data (and targeted advertising); Virginia,
 * Utah, Iowa, Tennessee and Florida do not require honouring it.
 */

import { expectObject } from '../core/guards.js';

/**
 * Headers as any server framework hands them over.
 *
 * @example
 * ```ts
 * const h: HeadersLike = new Headers({ 'sec-gpc': '1' });
 * readGpc({ headers: h });
 * ```
 */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;

/**
 * Where a GPC signal can be read from.
 *
 * @example
 * ```ts
 * const source: GpcSource = { headers: { 'sec-gpc': '1' } };
 * ```
 */
export interface GpcSource {
  /** Request headers (Fetch `Headers`, Node `IncomingHttpHeaders` or a plain object). */
  readonly headers?: HeadersLike;
  /** The value of `navigator.globalPrivacyControl` reported by the page. */
  readonly globalPrivacyControl?: unknown;
}

/**
 * The GPC signal as read.
 *
 * @example
 * ```ts
 * const s: GpcSignal = readGpc({ headers: { 'sec-gpc': '1' } }); // { optOut: true, source: 'header' }
 * ```
 */
export interface GpcSignal {
  /** True when the person opted out of sale/sharing through GPC. */
  readonly optOut: boolean;
  /** Where it came from, `null` when absent. */
  readonly source: 'header' | 'navigator' | null;
}

const NO_SIGNAL: GpcSignal = Object.freeze({ optOut: false, source: null });

function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const rec = headers as Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;
  for (const k of Object.keys(rec)) {
    if (k.toLowerCase() !== name) continue;
    const v = rec[k];
    return typeof v === 'string' ? v : v?.[0];
  }
  return undefined;
}

/**
 * Reads a GPC opt-out from a `Sec-GPC` header (the only defined value is `1`; anything else means no signal) or
 * a `globalPrivacyControl` flag (`true` only).
 *
 * @example
 * ```ts
 * import { readGpc } from 'crosschannel/consent';
 * readGpc({ headers: { 'sec-gpc': '1' } }); // { optOut: true, source: 'header' }
 * readGpc({ globalPrivacyControl: true }); // { optOut: true, source: 'navigator' }
 * readGpc({}); // { optOut: false, source: null }
 * ```
 */
export function readGpc(source: GpcSource): GpcSignal {
  expectObject(source, ['source']);
  if (source.headers) {
    const v = headerValue(source.headers, 'sec-gpc');
    if (v !== undefined && v.trim() === '1') return { optOut: true, source: 'header' };
  }
  if (source.globalPrivacyControl === true) return { optOut: true, source: 'navigator' };
  return NO_SIGNAL;
}
