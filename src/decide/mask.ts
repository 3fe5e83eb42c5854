/** Identifier masking for traces (traces end up in logs, so they never hold a whole identifier). */

import { expectString } from '../core/guards.js';

/**
 * Masks an identifier value for traces: type and the first characters only (traces end up in logs).
 *
 * @example
 * ```ts
 * maskIdentifier('email', 'ann@example.com'); // 'email:ann********'
 * ```
 */
export function maskIdentifier(type: string, value: string): string {
  expectString(type, ['type']);
  expectString(value, ['value']);
  const keep = Math.min(3, Math.floor(value.length / 4));
  return `${type}:${value.slice(0, keep)}${'*'.repeat(Math.max(3, Math.min(8, value.length - keep)))}`;
}
