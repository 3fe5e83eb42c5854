import { CrossChannelError } from '../core/errors.js';
import { NEGATIVE_RESPONSE_KINDS, type ContactRecord, type ResponseRecord } from '../core/records.js';
import { compiledDecideConfig, type DecideConfig, type DecideConfigInput } from './config.js';
import { expectAnswer, expectProfileId } from './answers.js';
import { isRecord } from '../core/guards.js';
import { withDeadline } from './deadline.js';
import { tagsWith } from './reserve.js';
import type { DecideErrorCode } from './errors.js';
import { conversionRequestSchema, readInput, responseRequestSchema, type ConversionRequestInput, type ResponseRequestInput } from './request.js';
import type { DecideStores } from './stores.js';
import { parseWith } from '../core/errors.js';

/**
 * What {@link recordResponse} wrote.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * const r: RecordedResponse = await recordResponse({ responseId: 'resp-1', contactId: 'req-1#1', kind: 'unsubscribed', identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'email', now: Date.now() }, stores, config);
 * r.consentWithdrawn; // true
 * ```
 */
export interface RecordedResponse {
  readonly subjectId: string;
  readonly response: ResponseRecord;
  /** True when the response withdrew consent on the channel (an unsubscribe or a complaint). */
  readonly consentWithdrawn: boolean;
}

async function subjectOf(stores: Pick<DecideStores, 'identity'>, config: DecideConfig, identifiers: ReadonlyArray<{ type: string; value: string }>): Promise<string> {
  const id = expectProfileId(await withDeadline('record', 'identity.resolve', config.storeTimeoutMs, () => stores.identity.resolve(identifiers)), 'record');
  if (id === null) {
    throw new CrossChannelError<DecideErrorCode>('DECIDE_UNKNOWN_PERSON', 'No profile has any of these identifiers; nothing was recorded', { path: ['identifiers'] });
  }
  return id;
}

/**
 * The contact a response answers: `contactId` when given; else, when `offerId` is, the latest contact of that
 * offer on the response's channel at or before `now` (read from the contact history, as far back as the
 * configuration's `lookback`); else none (a spontaneous response).
 */
async function answeredContact(
  stores: Pick<DecideStores, 'contacts'>,
  config: DecideConfig,
  subjectId: string,
  req: { contactId?: string | undefined; offerId?: string | undefined; channel: string; now: number },
): Promise<string | undefined> {
  if (req.contactId !== undefined || req.offerId === undefined) return req.contactId;
  const since = req.now - config.lookbackMs;
  const history = await withDeadline('record', 'contacts.history', config.storeTimeoutMs, () =>
    since > Number.NEGATIVE_INFINITY ? stores.contacts.history(subjectId, since) : stores.contacts.history(subjectId),
  );
  const contacts = (history as { contacts?: unknown } | null)?.contacts;
  expectAnswer(isRecord(history) && Array.isArray(contacts), 'record', 'contacts.history', '{ contacts: [], responses: [] }', history);
  return latestOf(contacts as ReadonlyArray<ContactRecord>, req.offerId, req.channel, req.now);
}

/** Id of the latest contact of `offerId` on `channel` at or before `now` (the history is sorted by `at`). */
function latestOf(contacts: ReadonlyArray<ContactRecord>, offerId: string, channel: string, now: number): string | undefined {
  for (let i = contacts.length - 1; i >= 0; i--) {
    const c = contacts[i];
    if (isRecord(c) && c.offerId === offerId && c.channel === channel && typeof c.at === 'number' && c.at <= now && typeof c.id === 'string') return c.id;
  }
  return undefined;
}

function tagsFor(config: DecideConfig, offerId: string | undefined): string[] {
  return tagsWith(config, config.catalogue.byId.get(offerId!)?.tags);
}

/**
 * Records how a person responded on a channel (accepted, refused, ignored, unsubscribed, complained…) in the
 * shared contact history, where arbitration's suppression rules and capping's cooldowns read it, and feeds
 * the learned propensities (config `model`). An `unsubscribed` or `complained` response also appends a
 * `withdrawn` event for the channel and the configured purpose to the consent ledger — first, so that a
 * failure between the two writes errs on the side of not contacting. Both writes are idempotent on
 * `responseId`: retry a failed call with the same request. Without `contactId`, a response naming `offerId` is
 * attached to the latest contact of that offer on the channel at or before `now` (one read of the contact
 * history, back to the configuration's `lookback`); with neither, it is a spontaneous response.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * await recordResponse({ responseId: 'r-1', identifiers: [{ type: 'email', value: 'ann@example.com' }], kind: 'refused', channel: 'email', offerId: 'shoes-10', now: Date.now() }, stores, config);
 * ```
 */
export async function recordResponse(request: ResponseRequestInput | unknown, stores: DecideStores, configInput: DecideConfig | DecideConfigInput): Promise<RecordedResponse> {
  const config = compiledDecideConfig(configInput);
  const req = readInput(() => parseWith(responseRequestSchema, request, 'INPUT_INVALID'));
  const t = config.storeTimeoutMs;
  const subjectId = await subjectOf(stores, config, req.identifiers);
  const contactId = await answeredContact(stores, config, subjectId, req);
  const withdraws = req.kind === 'unsubscribed' || req.kind === 'complained';
  if (withdraws) {
    await withDeadline('record', 'consent.append', t, () =>
      stores.consent.append({
        id: `${req.responseId}:withdrawn`,
        subjectId,
        channel: req.channel,
        purpose: config.purpose,
        kind: 'withdrawn',
        at: req.now,
        evidence: { source: `response:${req.kind}`, ...(contactId ? { proofId: contactId } : {}) },
      }),
    );
  }
  const response: ResponseRecord = {
    id: req.responseId,
    subjectId,
    kind: req.kind,
    channel: req.channel,
    tags: tagsFor(config, req.offerId),
    at: req.now,
    ...(contactId === undefined ? {} : { contactId }),
    ...(req.offerId === undefined ? {} : { offerId: req.offerId }),
    ...(req.campaignId === undefined ? {} : { campaignId: req.campaignId }),
    ...(req.value === undefined ? {} : { value: req.value }),
  };
  await withDeadline('record', 'contacts.recordResponse', t, () => stores.contacts.recordResponse(response));
  if (config.model && req.offerId !== undefined && (req.kind === 'accepted' || req.kind === 'converted')) {
    config.model.observe(req.offerId, { presented: 0, accepted: 1 });
  }
  return { subjectId, response, consentWithdrawn: withdraws && NEGATIVE_RESPONSE_KINDS.includes(req.kind) };
}

/**
 * What {@link recordConversion} wrote.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * const r: RecordedConversion = await recordConversion({ conversionId: 'order-77', identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'web', value: 80, eventType: 'purchase', now: Date.now() }, stores, config);
 * r.event; // true
 * ```
 */
export interface RecordedConversion {
  readonly subjectId: string;
  readonly response: ResponseRecord;
  /** True when a behaviour event was appended too (`eventType` given). */
  readonly event: boolean;
}

/**
 * Records a conversion (an order, a sign-up) for attribution: a `converted` response with its value in the
 * contact history (attribution reads contacts as touchpoints and these as conversions) and, when `eventType`
 * is given, a behaviour event for segments. Idempotent on `conversionId`.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * await recordConversion({ conversionId: 'order-77', identifiers: [{ type: 'loyalty_id', value: 'LC1' }], channel: 'store', value: 80, now: Date.now() }, stores, config);
 * ```
 */
export async function recordConversion(request: ConversionRequestInput | unknown, stores: DecideStores, configInput: DecideConfig | DecideConfigInput): Promise<RecordedConversion> {
  const config = compiledDecideConfig(configInput);
  const req = readInput(() => parseWith(conversionRequestSchema, request, 'INPUT_INVALID'));
  const t = config.storeTimeoutMs;
  const subjectId = await subjectOf(stores, config, req.identifiers);
  const eventType = req.eventType;
  if (eventType !== undefined) {
    await withDeadline('record', 'events.append', t, () =>
      stores.events.append([
        { id: req.conversionId, subjectId, type: eventType, at: req.now, channel: req.channel, properties: { ...(req.properties ?? {}), value: req.value } },
      ]),
    );
  }
  const response: ResponseRecord = {
    id: req.conversionId,
    subjectId,
    kind: 'converted',
    channel: req.channel,
    tags: tagsFor(config, req.offerId),
    at: req.now,
    value: req.value,
    ...(req.contactId === undefined ? {} : { contactId: req.contactId }),
    ...(req.offerId === undefined ? {} : { offerId: req.offerId }),
  };
  await withDeadline('record', 'contacts.recordResponse', t, () => stores.contacts.recordResponse(response));
  // The learned model counts acceptances (recordResponse); a purchase that follows one is not a second one.
  return { subjectId, response, event: eventType !== undefined };
}
