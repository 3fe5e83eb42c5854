/**
 * Most distinct channels one statistics object indexes: a channel set is an exact bit set in a double.
 *
 * @example
 * ```ts
 * if (new Set(channels).size > MAX_CHANNELS) throw new Error('group sources into channels first');
 * declare const channels: string[];
 * ```
 */
export const MAX_CHANNELS = 53;
