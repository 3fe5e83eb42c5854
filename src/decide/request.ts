import * as z from 'zod/mini';
import { intSchema, regexCheck, enumSchema, booleanSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, numberSchema, stringSchema, transformSchema } from '../core/zod.js';
import { parseWith, type Result, attempt, readingInput, quietly } from '../core/errors.js';
import { NO_CONTROL_CHARACTERS, channelSchema, idSchema, isChannelName, isIdString, jsonObjectSchema, timestampSchema } from '../core/schema.js';
import { RESPONSE_KINDS } from '../core/records.js';
import { MAX_EPOCH_MS } from '../core/time.js';
import type { Reason } from '../core/explain.js';
import { fnv1a } from '../core/random.js';
import type { DecisionTrace } from './trace.js';
import type { CrossChannelError } from '../core/errors.js';
import type { DecideErrorCode } from './errors.js';

const IDENTIFIER_TYPE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * An id of at most 240 characters (so that `${requestId}#${slot}.${attempt}` stays a valid id of 256), with its
 * own messages: `idSchema`'s limit of 256 would otherwise be reported for a longer one.
 */
const requestIdSchema = /* @__PURE__ */ (() =>
  stringSchema().check(minLengthCheck(1, 'Must not be empty'), maxLengthCheck(240, 'Must be at most 240 characters'), regexCheck(NO_CONTROL_CHARACTERS, 'Must not contain control or surrogate characters')))();

/**
 * An identifier as a channel saw it (raw: identity normalises it). `type` is an identity type such as
 * `email`, `phone`, `anonymous_id`, `device_id`, `loyalty_id`, `user_id` (as identity names types: a lowercase
 * letter, then lowercase letters, digits and `_`, at most 64 characters).
 *
 * @example
 * ```ts
 * seenIdentifierSchema.parse({ type: 'email', value: 'ann@example.com' });
 * ```
 */
export const seenIdentifierSchema = /* @__PURE__ */ (() =>
  z.strictObject({ type: stringSchema().check(regexCheck(IDENTIFIER_TYPE, 'Identifier type must match [a-z][a-z0-9_]* (at most 64 characters)')), value: stringSchema().check(minLengthCheck(1), maxLengthCheck(512)) }))();

/**
 * What a channel asks: who is here (the identifiers seen now), where (`channel`, optional `placement`), how
 * many offers it can show (`slots`), the privacy signals it holds (`tcString`, `gpc`), and `now`.
 * `requestId` is the idempotency key: the same request retried reserves its contacts once.
 *
 * @example
 * ```ts
 * decideRequestSchema.parse({ requestId: 'req-1', identifiers: [{ type: 'email', value: 'Ann@Example.com' }], channel: 'email', now: '2026-03-02T09:00:00Z' });
 * ```
 */
export const decideRequestSchema = /* @__PURE__ */ (() => z.pipe(z.strictObject({
    /**
     * The idempotency key (at most 240 characters: contact ids are `${requestId}#${slot}`, and
     * `${requestId}#${slot}.${attempt}` for a fallback offer). Optional: `idempotencyKey` is accepted as an
     * alias, and without either the key is derived from the request's content (identifiers, channel, placement,
     * slots, now), so an identical retry is still recognised. A key already used for a decision on another
     * channel is refused (`INPUT_INVALID` at `requestId`).
     */
    requestId: z.optional(requestIdSchema),
    idempotencyKey: z.optional(requestIdSchema),
    identifiers: z.array(seenIdentifierSchema).check(minLengthCheck(1), maxLengthCheck(32)),
    channel: channelSchema,
    placement: z.optional(idSchema),
    slots: z._default(intSchema().check(gteCheck(1), lteCheck(20)), 1),
    /** IAB TCF v2 TC string from the page's CMP (web/app), checked for the configured vendor and purposes. */
    tcString: z.optional(stringSchema().check(minLengthCheck(1), maxLengthCheck(65_536))),
    /** Global Privacy Control (`Sec-GPC: 1`): opt-out of sale/share. */
    gpc: z.optional(booleanSchema()),
    now: timestampSchema,
    /**
     * The person's IANA time zone when the channel knows it; else the configured default. Checked against the
     * IANA database by `decide` (with a per-config memo, so hot paths do not pay `Intl` for every request).
     */
    timeZone: z.optional(stringSchema().check(minLengthCheck(1), maxLengthCheck(64))),
    /** Attributes the channel knows now (page category, basket value…), merged into the profile for segments. */
    context: z.optional(jsonObjectSchema),
    /** Offers the channel would rather not show now (already on screen), excluded with a reason. */
    excludeOffers: z.optional(z.array(idSchema).check(maxLengthCheck(256))),
  }), transformSchema(({ idempotencyKey, ...r }) => ({ ...r, requestId: r.requestId ?? idempotencyKey ?? derivedRequestId(r) }))))();

/**
 * A stable id for a request that carries none: 64 bits of FNV-1a over its identifying content, so the same
 * request retried maps to the same key (and different requests, in practice, to different ones).
 */
function derivedRequestId(r: { identifiers: ReadonlyArray<{ type: string; value: string }>; channel: string; placement?: string | undefined; slots: number; now: number }): string {
  const text = JSON.stringify([r.channel, r.placement ?? null, r.slots, r.now, r.identifiers.map((i) => [i.type, i.value])]);
  let reversed = '';
  for (let i = text.length - 1; i >= 0; i--) reversed += text[i];
  return `auto-${fnv1a(text).toString(16).padStart(8, '0')}${fnv1a(reversed).toString(16).padStart(8, '0')}`;
}

/**
 * A decide request as a caller writes it.
 *
 * @example
 * ```ts
 * const ask: DecideRequestInput = { requestId: 'req-1', identifiers: [{ type: 'email', value: 'Ann@Example.com' }], channel: 'email', slots: 1, now: '2026-03-02T09:00:00Z' };
 * ```
 */
export type DecideRequestInput = z.input<typeof decideRequestSchema>;
/**
 * A parsed decide request (timestamps in epoch ms, defaults applied).
 *
 * @example
 * ```ts
 * const req: DecideRequest = parseDecideRequest({ requestId: 'req-1', identifiers: [{ type: 'anonymous_id', value: 'ck-1' }], channel: 'web', now: 0 });
 * req.slots; // 1 (default)
 * ```
 */
export type DecideRequest = z.output<typeof decideRequestSchema>;

/**
 * Parses a decide request, throwing `INPUT_INVALID` with the path of the bad field.
 *
 * @example
 * ```ts
 * const req = parseDecideRequest({ requestId: 'r1', identifiers: [{ type: 'anonymous_id', value: 'ck-1' }], channel: 'web', now: 0 });
 * ```
 */
export function parseDecideRequest(input: DecideRequestInput): DecideRequest {
  return readInput(() => plainRequest(input) ?? parseWith(decideRequestSchema, input, 'INPUT_INVALID'));
}

/**
 * Runs a parse of the caller's input: what it throws that is not a `CrossChannelError` (a getter that throws, a
 * proxy's trap) is the caller's input too, `INPUT_INVALID` with the thrown value as its cause (core's
 * `readingInput`). Internal.
 */
export function readInput<T>(read: () => T): T {
  return readingInput([], 'The request could not be read (a getter or proxy trap threw; see the cause)', read);
}

/** A thrown value as text, whatever it is (its `toString` may throw too). Internal. */
export function describe(e: unknown): string {
  return quietly(() => (e instanceof Error ? e.message : String(e))) ?? 'an unprintable value';
}

const REQUEST_KEYS = new Set(['requestId', 'identifiers', 'channel', 'placement', 'slots', 'tcString', 'gpc', 'now', 'timeZone', 'excludeOffers']);
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length >= 1 && v.length <= max;

/**
 * The request as {@link decideRequestSchema} would parse it, checked by hand, when it is the common shape: an
 * explicit `requestId`, identifiers, channel, epoch-ms `now`, and only plain optional fields (no `context`, no
 * `idempotencyKey`, no ISO `now`). Anything else, valid or not, returns `null` and goes through the schema, which
 * names the bad field. A property test holds the two equal. @internal (not exported by the package)
 */
export function plainRequest(input: unknown): DecideRequest | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || Object.getPrototypeOf(input) !== Object.prototype) return null;
  const r = input as Record<string, unknown>;
  for (const k in r) if (!REQUEST_KEYS.has(k) || r[k] === undefined) return null;
  const { requestId, identifiers, channel, now } = r;
  if (!isIdString(requestId, 240) || !isChannelName(channel)) return null;
  if (typeof now !== 'number' || !Number.isInteger(now) || Math.abs(now) > MAX_EPOCH_MS) return null;
  if (!Array.isArray(identifiers) || identifiers.length < 1 || identifiers.length > 32) return null;
  const ids: Array<{ type: string; value: string }> = [];
  for (const i of identifiers as unknown[]) {
    if (typeof i !== 'object' || i === null || Array.isArray(i) || Object.getPrototypeOf(i) !== Object.prototype) return null;
    const { type, value } = i as Record<string, unknown>;
    let n = 0;
    for (const _ in i) n++;
    if (n !== 2 || typeof type !== 'string' || !IDENTIFIER_TYPE.test(type) || !isText(value, 512)) return null;
    ids.push({ type, value });
  }
  const out: Record<string, unknown> = { requestId, identifiers: ids, channel };
  if ('placement' in r) {
    if (!isIdString(r.placement)) return null;
    out.placement = r.placement;
  }
  if ('slots' in r) {
    const slots = r.slots;
    if (typeof slots !== 'number' || !Number.isInteger(slots) || slots < 1 || slots > 20) return null;
    out.slots = slots;
  } else out.slots = 1;
  if ('tcString' in r) {
    if (!isText(r.tcString, 65_536)) return null;
    out.tcString = r.tcString;
  }
  if ('gpc' in r) {
    if (typeof r.gpc !== 'boolean') return null;
    out.gpc = r.gpc;
  }
  out.now = now;
  if ('timeZone' in r) {
    if (!isText(r.timeZone, 64)) return null;
    out.timeZone = r.timeZone;
  }
  if ('excludeOffers' in r) {
    const x = r.excludeOffers;
    if (!Array.isArray(x) || x.length > 256 || !x.every((v) => isIdString(v))) return null;
    out.excludeOffers = [...(x as string[])];
  }
  return out as DecideRequest;
}

/**
 * Non-throwing {@link parseDecideRequest} for untrusted bodies (HTTP).
 *
 * @example
 * ```ts
 * declare const body: string;
 * const r = safeParseDecideRequest(JSON.parse(body));
 * if (!r.ok) console.log(r.error.path);
 * ```
 */
export function safeParseDecideRequest(input: unknown): Result<DecideRequest> {
  return attempt(() => parseDecideRequest(input as DecideRequestInput));
}

/**
 * A response to a contact (or spontaneous), as reported by a channel. When `contactId` is absent,
 * `recordResponse` attaches the response to the latest contact of `offerId` on `channel` at or before `now`, if
 * the contact history holds one (back to the configuration's `lookback`).
 *
 * @example
 * ```ts
 * responseRequestSchema.parse({ responseId: 'resp-1', identifiers: [{ type: 'email', value: 'ann@example.com' }], kind: 'refused', channel: 'email', offerId: 'shoes-10', now: 0 });
 * ```
 */
export const responseRequestSchema = /* @__PURE__ */ (() => z.strictObject({
    responseId: idSchema,
    identifiers: z.array(seenIdentifierSchema).check(minLengthCheck(1), maxLengthCheck(32)),
    kind: enumSchema(RESPONSE_KINDS),
    channel: channelSchema,
    contactId: z.optional(idSchema),
    offerId: z.optional(idSchema),
    campaignId: z.optional(idSchema),
    value: z.optional(numberSchema()),
    now: timestampSchema,
  }))();

/**
 * A response request as a caller writes it.
 *
 * @example
 * ```ts
 * const click: ResponseRequestInput = { responseId: 'resp-9', contactId: 'req-1#1', kind: 'clicked', identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'email', now: '2026-03-02T09:05:00Z' };
 * ```
 */
export type ResponseRequestInput = z.input<typeof responseRequestSchema>;
/**
 * A parsed response request.
 *
 * @example
 * ```ts
 * declare const body: unknown; // a JSON request body
 * const parsed: ResponseRequest = responseRequestSchema.parse(body);
 * ```
 */
export type ResponseRequest = z.output<typeof responseRequestSchema>;

/**
 * A conversion (purchase, sign-up) for attribution: recorded as a `converted` response and, optionally, a
 * behaviour event of `eventType`.
 *
 * @example
 * ```ts
 * conversionRequestSchema.parse({ conversionId: 'order-77', identifiers: [{ type: 'loyalty_id', value: 'LC1' }], channel: 'store', value: 80, now: 0 });
 * ```
 */
export const conversionRequestSchema = /* @__PURE__ */ (() => z.strictObject({
    conversionId: idSchema,
    identifiers: z.array(seenIdentifierSchema).check(minLengthCheck(1), maxLengthCheck(32)),
    channel: channelSchema,
    value: z._default(numberSchema().check(gteCheck(0)), 0),
    offerId: z.optional(idSchema),
    contactId: z.optional(idSchema),
    eventType: z.optional(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))),
    properties: z.optional(jsonObjectSchema),
    now: timestampSchema,
  }))();

/**
 * A conversion request as a caller writes it.
 *
 * @example
 * ```ts
 * const order: ConversionRequestInput = { conversionId: 'order-77', identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'web', value: 80, now: '2026-03-02T10:00:00Z' };
 * ```
 */
export type ConversionRequestInput = z.input<typeof conversionRequestSchema>;
/**
 * A parsed conversion request.
 *
 * @example
 * ```ts
 * const parsed: ConversionRequest = conversionRequestSchema.parse({ conversionId: 'order-77', identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'web', value: 80, now: 0 });
 * ```
 */
export type ConversionRequest = z.output<typeof conversionRequestSchema>;

/**
 * One offer chosen and reserved for the person.
 *
 * @example
 * ```ts
 * declare const result: DecideResult;
 * for (const o of result.offers) {
 *   const chosen: ChosenOffer = o;
 *   console.log(chosen.rank, chosen.offerId, chosen.contactId);
 * }
 * ```
 */
export interface ChosenOffer {
  readonly offerId: string;
  /** 1-based slot. */
  readonly rank: number;
  readonly score: number;
  /** Id of the contact record reserved in the contact history (respond with it). */
  readonly contactId: string;
  readonly tags: ReadonlyArray<string>;
}

/**
 * A channel that would be allowed now when the asked one is capped.
 *
 * @example
 * ```ts
 * declare const result: DecideResult;
 * const alt: AlternativeChannel | null = result.alternative;
 * if (!result.contact && alt) console.log(`try ${alt.channel} with ${alt.offerId ?? 'no offer'}`);
 * ```
 */
export interface AlternativeChannel {
  readonly channel: string;
  /** The best offer on that channel, if arbitration found one. */
  readonly offerId: string | null;
}

/**
 * The answer: `contact` says whether anything was reserved; `offers` are the reserved offers in slot order.
 * When nothing may go out now, `nextAllowedAt` is the earliest instant the best (highest-ranked) blocked offer
 * would pass the caps — an offer blocked for ever is passed over for the next one that will pass — (null when
 * none will, or not a capping matter) and `alternative` a channel that is allowed now.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * const result: DecideResult = await decide({ requestId: 'req-1', identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'email', now: Date.now() }, stores, config);
 * if (!result.contact) console.log(result.reasons.map((r) => r.code), result.nextAllowedAt);
 * ```
 */
export interface DecideResult {
  readonly requestId: string;
  readonly subjectId: string | null;
  readonly channel: string;
  readonly contact: boolean;
  readonly offers: ReadonlyArray<ChosenOffer>;
  readonly nextAllowedAt: number | null;
  readonly alternative: AlternativeChannel | null;
  /** Why (no) contact, as stable codes; module codes are kept as they are. */
  readonly reasons: ReadonlyArray<Reason>;
  readonly trace: DecisionTrace;
}

/**
 * What `safeDecide` returns on failure: the typed error and the trace up to the failing stage.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * declare const request: unknown;
 * const r = await safeDecide(request, stores, config);
 * if (!r.ok) { const failure: DecideFailure = r; console.error(failure.error.code, formatTrace(failure.trace)); }
 * ```
 */
export interface DecideFailure {
  readonly error: CrossChannelError<DecideErrorCode>;
  readonly trace: DecisionTrace;
}
