import { expectArray, expectFinite, expectObject, expectObjects, expectOptions, expectString } from './guards.js';
import * as z from 'zod/mini';
import { enumSchema, booleanSchema, minLengthCheck, maxLengthCheck, numberSchema, stringSchema } from './zod.js';
import { channelSchema, idSchema, jsonObjectSchema, tagSchema, timestampSchema } from './schema.js';
import { parseWith, quoted, inputError } from './errors.js';
import type { EpochMs } from './time.js';

/**
 * The one shared history of interactions: every channel reads and writes these records, every module uses
 * these types. Input schemas accept timestamps as epoch ms, `Date` or ISO strings; parsed records hold epoch ms.
 */

/** Kinds of response to a contact. */
export const RESPONSE_KINDS = ['opened', 'clicked', 'accepted', 'refused', 'ignored', 'unsubscribed', 'complained', 'converted'] as const;

/** A response kind (`accepted`, `refused`, …). */
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

/** Responses that mean "stop": used by cooldowns and suppression. */
export const NEGATIVE_RESPONSE_KINDS: ReadonlyArray<ResponseKind> = ['refused', 'unsubscribed', 'complained'];

/**
 * Schema of {@link ContactRecord}: something was presented or sent to the person.
 *
 * @example
 * ```ts
 * contactRecordSchema.parse({ id: 'c1', subjectId: 'p1', channel: 'email', at: '2026-01-05T09:00:00Z', tags: ['marketing'] });
 * ```
 */
export const contactRecordSchema = /* @__PURE__ */ (() => z.strictObject({
    id: idSchema,
    subjectId: idSchema,
    channel: channelSchema,
    campaignId: z.optional(idSchema),
    offerId: z.optional(idSchema),
    tags: z._default(z.array(tagSchema).check(maxLengthCheck(64)), []),
    at: timestampSchema,
    transactional: z._default(booleanSchema(), false),
    idempotencyKey: z.optional(idSchema),
  }))();

/** A contact: something was presented or sent to the person (parsed form, `at` in epoch ms). */
export type ContactRecord = z.output<typeof contactRecordSchema>;
/** What a caller may pass for a {@link ContactRecord} before parsing. */
export type ContactRecordInput = z.input<typeof contactRecordSchema>;

/**
 * Schema of {@link ResponseRecord}: how the person responded (to a contact, or spontaneously).
 *
 * @example
 * ```ts
 * responseRecordSchema.parse({ id: 'r1', subjectId: 'p1', kind: 'refused', channel: 'email', offerId: 'o1', at: 1767603600000 });
 * ```
 */
export const responseRecordSchema = /* @__PURE__ */ (() => z.strictObject({
    id: idSchema,
    subjectId: idSchema,
    contactId: z.optional(idSchema),
    kind: enumSchema(RESPONSE_KINDS),
    channel: channelSchema,
    offerId: z.optional(idSchema),
    campaignId: z.optional(idSchema),
    tags: z._default(z.array(tagSchema).check(maxLengthCheck(64)), []),
    at: timestampSchema,
    value: z.optional(numberSchema()),
  }))();

/** A response (parsed form). */
export type ResponseRecord = z.output<typeof responseRecordSchema>;
/** What a caller may pass for a {@link ResponseRecord} before parsing. */
export type ResponseRecordInput = z.input<typeof responseRecordSchema>;

/**
 * Schema of {@link BehaviourEvent}: something the person did (page view, cart add, purchase, …).
 *
 * @example
 * ```ts
 * behaviourEventSchema.parse({ subjectId: 'p1', type: 'purchase', at: '2026-01-05T10:00:00Z', channel: 'store', properties: { amount: 80 } });
 * ```
 */
export const behaviourEventSchema = /* @__PURE__ */ (() => z.strictObject({
    id: z.optional(idSchema),
    subjectId: idSchema,
    type: stringSchema().check(minLengthCheck(1), maxLengthCheck(128)),
    at: timestampSchema,
    channel: z.optional(channelSchema),
    properties: z._default(jsonObjectSchema, {}),
  }))();

/** A behaviour event (parsed form). `type` is an open set: `page_view`, `cart_add`, `cart_abandon`, `purchase`, … */
export type BehaviourEvent = z.output<typeof behaviourEventSchema>;
/** What a caller may pass for a {@link BehaviourEvent} before parsing. */
export type BehaviourEventInput = z.input<typeof behaviourEventSchema>;

/**
 * Everything known about one subject's interactions, each list sorted by `at` ascending (stable for equal
 * times). Pure functions take this; stores produce it.
 */
export interface History {
  readonly subjectId: string;
  readonly contacts: ReadonlyArray<ContactRecord>;
  readonly responses: ReadonlyArray<ResponseRecord>;
  readonly events: ReadonlyArray<BehaviourEvent>;
}

/**
 * Parses a contact record, throwing `CrossChannelError` `INPUT_INVALID` with the bad field's path.
 *
 * @example
 * ```ts
 * const c = parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'sms', at: 0 }); // c.tags = [], c.transactional = false
 * ```
 */
export function parseContactRecord(input: ContactRecordInput): ContactRecord {
  return parseWith(contactRecordSchema, input, 'INPUT_INVALID');
}

/**
 * Parses a response record, throwing `CrossChannelError` `INPUT_INVALID` with the bad field's path.
 *
 * @example
 * ```ts
 * parseResponseRecord({ id: 'r1', subjectId: 'p1', kind: 'accepted', channel: 'web', at: 0 });
 * ```
 */
export function parseResponseRecord(input: ResponseRecordInput): ResponseRecord {
  return parseWith(responseRecordSchema, input, 'INPUT_INVALID');
}

/**
 * Parses a behaviour event, throwing `CrossChannelError` `INPUT_INVALID` with the bad field's path.
 *
 * @example
 * ```ts
 * parseBehaviourEvent({ subjectId: 'p1', type: 'page_view', at: 0, properties: { path: '/shoes' } });
 * ```
 */
export function parseBehaviourEvent(input: BehaviourEventInput): BehaviourEvent {
  return parseWith(behaviourEventSchema, input, 'INPUT_INVALID');
}

/**
 * Builds a {@link History} from already-parsed records, sorting each list by `at` (stable). Records of other
 * subjects are rejected: a history is one person's.
 *
 * @example
 * ```ts
 * declare const c1: ContactRecord, c2: ContactRecord; // contacts of p1, c2 the later one
 *
 * const h = createHistory('p1', { contacts: [c2, c1] }); // h.contacts sorted by at
 * ```
 */
export function createHistory(
  subjectId: string,
  parts: {
    contacts?: ReadonlyArray<ContactRecord>;
    responses?: ReadonlyArray<ResponseRecord>;
    events?: ReadonlyArray<BehaviourEvent>;
  } = {},
): History {
  expectString(subjectId, ['subjectId']);
  expectOptions(parts, ['parts']);
  for (const name of ['contacts', 'responses', 'events'] as const) {
    const list = parts[name] ?? [];
    expectArray(list, [name]);
    expectObjects(list, [name]);
    for (let i = 0; i < list.length; i++) {
      const got = list[i]!.subjectId;
      if (got !== subjectId) {
        throw inputError(`Record of subject ${quoted(got)} in the history of ${quoted(subjectId)}`, [name, i, 'subjectId'], { expected: subjectId });
      }
    }
  }
  const contacts = sortByAt(parts.contacts ?? []);
  const responses = sortByAt(parts.responses ?? []);
  const events = sortByAt(parts.events ?? []);
  return { subjectId, contacts, responses, events };
}

/**
 * Returns a copy of `records` sorted by `at` ascending; equal times keep their input order.
 *
 * @example
 * ```ts
 * sortByAt([{ at: 2 }, { at: 1 }]); // [{ at: 1 }, { at: 2 }]
 * ```
 */
export function sortByAt<T extends { readonly at: EpochMs }>(records: ReadonlyArray<T>): T[] {
  expectArray(records, ['records']);
  expectObjects(records, ['records']);
  return [...records].sort((a, b) => a.at - b.at);
}

/**
 * Index of the first record with `at >= t` in a list sorted by `at` (binary search); `records.length` if none.
 * Windows `[from, to)` are then `records.slice(lowerBoundAt(r, from), lowerBoundAt(r, to))`.
 *
 * @example
 * ```ts
 * lowerBoundAt([{ at: 1 }, { at: 5 }, { at: 9 }], 5); // 1
 * ```
 */
export function lowerBoundAt(records: ReadonlyArray<{ readonly at: EpochMs }>, t: EpochMs): number {
  expectArray(records, ['records']);
  if (typeof t !== 'number' || Number.isNaN(t)) expectFinite(t, ['t']);
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = records[mid];
    if (r === null || typeof r !== 'object') expectObject(r, ['records', mid]);
    // A symbol or an object there would throw a TypeError from the comparison.
    if (typeof r!.at !== 'number') expectFinite(r!.at, ['records', mid, 'at']);
    if (r!.at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
