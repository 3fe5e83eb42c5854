import { CrossChannelError } from '../../core/errors.js';
import { expectFunction, expectObject, expectOptions, expectString } from '../../core/guards.js';

/**
 * Key of a subject-scoped Redis structure: `{prefix}:{<subjectId>}:<name>`. The braces make the subject id the
 * Redis Cluster hash tag, so every key of one subject lands in one slot and a Lua script may touch them all.
 *
 * @example
 * ```ts
 * subjectKey('cc', 'p-42', 'contacts'); // 'cc:{p-42}:contacts'
 * ```
 */
export function subjectKey(prefix: string, subjectId: string, name: string): string {
  keyParts(prefix, subjectId, name, 'subjectId');
  return `${prefix}:{${hashTag(subjectId)}}:${name}`;
}

/**
 * Key of an offer-scoped Redis structure: `{prefix}:{offer:<offerId>}:<name>`. Offer structures are named
 * `cap:…`, a name no subject structure uses, so an offer never shares a key with a subject whose id is
 * `offer:<offerId>` even under one prefix.
 *
 * @example
 * ```ts
 * offerKey('cc', 'o-1', 'cap:total'); // 'cc:{offer:o-1}:cap:total'
 * ```
 */
export function offerKey(prefix: string, offerId: string, name: string): string {
  keyParts(prefix, offerId, name, 'offerId');
  return `${prefix}:{offer:${hashTag(offerId)}}:${name}`;
}

/**
 * The id as a hash tag, percent-escaping `%`, `{` and `}`. A brace inside the id would end the tag early; `%`
 * must be escaped too, or `a{b` and `a%7Bb` would both become `a%7Bb` and share every key (caps, erasure). With
 * all three escaped the tag contains no brace and decodes to exactly one id, so distinct ids give distinct keys.
 */
function hashTag(id: string): string {
  return /[%{}]/.test(id) ? id.replace(/[%{}]/g, (c) => (c === '%' ? '%25' : c === '{' ? '%7B' : '%7D')) : id;
}

/** Plain JavaScript may pass anything as a key's parts: each must be a string (`INPUT_INVALID` naming it). */
function keyParts(prefix: unknown, id: unknown, name: unknown, idName: string): void {
  expectString(prefix, ['prefix']);
  expectString(id, [idName]);
  expectString(name, ['name']);
}

/**
 * The client a Redis store is given, checked before it is used: an object (an ioredis `Redis` or `Cluster`), with
 * `defineCommand` when the store runs Lua scripts. `INPUT_INVALID` at `redis` otherwise, instead of a `TypeError`
 * when the store is made or at its first call.
 */
export function expectRedisClient(redis: unknown, scripts: boolean): void {
  expectObject(redis, ['redis']);
  if (scripts) expectFunction((redis as { defineCommand?: unknown }).defineCommand, ['redis', 'defineCommand']);
}

/**
 * The key prefix from a Redis store's options, `fallback` when none is given; `INPUT_INVALID` when the options
 * are not an object, `CONFIG_INVALID` when the prefix is not a string (plain JavaScript may pass anything).
 */
export function prefixOption(options: unknown, fallback: string): string {
  expectOptions(options, ['options']);
  const prefix = (options as { prefix?: unknown } | undefined)?.prefix ?? fallback;
  if (typeof prefix !== 'string') throw new CrossChannelError('CONFIG_INVALID', 'prefix must be a string', { path: ['prefix'] });
  return prefix;
}
