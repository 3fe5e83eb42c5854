/**
 * First-party consent ledger: an append-only list of consent events per subject, folded by a pure function into
 * the current state of each channel × purpose under a compiled {@link ConsentPolicy}.
 */
import { expectArray, expectFinite, expectObject, expectString } from '../core/guards.js';
import * as z from 'zod/mini';
import { regexCheck, enumSchema, literalSchema, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';
import { CrossChannelError, parseWith, inputError } from '../core/errors.js';
import { channelSchema, durationSchema, idSchema, timestampSchema } from '../core/schema.js';
import type { EpochMs } from '../core/time.js';

/**
 * Kinds of ledger events: `granted` (opt-in collected; on a double-opt-in channel it only starts the
 * confirmation), `confirmed` (double opt-in link clicked), `denied` (refused when asked), `withdrawn`
 * (unsubscribe / objection), `existing_customer` (a sale or negotiation for a sale, with the chance to opt out
 * given: the basis of a "soft opt-in" where the policy allows one).
 *
 * @example
 * ```ts
 * CONSENT_EVENT_KINDS.includes('withdrawn'); // true
 * ```
 */
export const CONSENT_EVENT_KINDS = ['granted', 'confirmed', 'denied', 'withdrawn', 'existing_customer'] as const;

/**
 * A ledger event kind.
 *
 * @example
 * ```ts
 * const k: ConsentEventKind = 'withdrawn';
 * ```
 */
export type ConsentEventKind = (typeof CONSENT_EVENT_KINDS)[number];

/**
 * A purpose token (`marketing`, `profiling`, `newsletter`…) or `*` (every purpose, for withdrawals).
 *
 * @example
 * ```ts
 * purposeSchema.parse('marketing');
 * ```
 */
export const purposeSchema = /* @__PURE__ */ (() => stringSchema().check(minLengthCheck(1), maxLengthCheck(64), regexCheck(/^(\*|[a-z][a-z0-9_.:-]*)$/, 'Purpose must be lowercase letters, digits, "_", ".", ":" or "-" starting with a letter, or "*"')))();

/**
 * Evidence kept with each event, so the consent can be proven (GDPR Art. 7(1)). Never the raw IP: its hash.
 *
 * @example
 * ```ts
 * declare const salt: string; declare const ip: string;
 * consentEvidenceSchema.parse({ source: 'web-signup', textVersion: 'v3', ipHash: await saltedSha256Hex(salt, ip) });
 * ```
 */
export const consentEvidenceSchema = /* @__PURE__ */ (() => z.strictObject({
  /** Where it was collected: `web-signup-form`, `call-center`, `pos-terminal`, `import:crm-2024`… */
  source: stringSchema().check(minLengthCheck(1), maxLengthCheck(256)),
  /** When the person acted, if different from the event's `at` (e.g. batch imports). */
  collectedAt: z.optional(timestampSchema),
  /** The wording shown, and/or its version identifier. */
  text: z.optional(stringSchema().check(maxLengthCheck(10_000))),
  textVersion: z.optional(stringSchema().check(maxLengthCheck(128))),
  /** Id of the stored proof (form submission, recording, signed document). */
  proofId: z.optional(stringSchema().check(maxLengthCheck(256))),
  /** Salted hash of the IP address, lowercase hex (a raw IP is personal data and is refused). */
  ipHash: z.optional(stringSchema().check(regexCheck(/^[0-9a-f]{32,128}$/, 'ipHash must be a lowercase hex hash, never a raw IP address'))),
}))();

/**
 * One consent event. `channel` and `purpose` may be `*` (all channels / all purposes): "unsubscribe from
 * everything" is one event.
 *
 * @example
 * ```ts
 * const e = parseConsentEvent({ id: 'ev-1', subjectId: 'cust-42', channel: 'email', purpose: 'marketing',
 *   kind: 'granted', at: '2026-01-10T09:00:00Z', evidence: { source: 'web-signup', textVersion: 'v3' } });
 * ```
 */
export const consentEventSchema = /* @__PURE__ */ (() => z.strictObject({
  id: idSchema,
  subjectId: idSchema,
  channel: z.union([literalSchema('*'), channelSchema]),
  purpose: purposeSchema,
  kind: enumSchema(CONSENT_EVENT_KINDS),
  at: timestampSchema,
  evidence: consentEvidenceSchema,
}))();

/**
 * A validated consent event (`at` in epoch ms).
 *
 * @example
 * ```ts
 * const e: ConsentEvent = parseConsentEvent({ id: 'e1', subjectId: 's1', channel: 'email', purpose: 'marketing', kind: 'granted', at: 0, evidence: { source: 'form' } });
 * ```
 */
export type ConsentEvent = z.output<typeof consentEventSchema>;
/**
 * A consent event as accepted by {@link parseConsentEvent} (`at` may be a Date or ISO string).
 *
 * @example
 * ```ts
 * const input: ConsentEventInput = { id: 'e1', subjectId: 's1', channel: 'sms', purpose: '*', kind: 'withdrawn', at: '2026-01-10T09:00:00Z', evidence: { source: 'STOP' } };
 * ```
 */
export type ConsentEventInput = z.input<typeof consentEventSchema>;

/**
 * Validates one consent event; throws `CrossChannelError` `INPUT_INVALID` with the bad field's path.
 *
 * @example
 * ```ts
 * parseConsentEvent({ id: 'e1', subjectId: 's1', channel: 'sms', purpose: '*', kind: 'withdrawn', at: 1767225600000, evidence: { source: 'STOP keyword' } });
 * ```
 */
export function parseConsentEvent(input: ConsentEventInput): ConsentEvent {
  return parseWith(consentEventSchema, input, 'INPUT_INVALID');
}

// The policy's defaults, shared by its schema and by DEFAULT_CONSENT_POLICY (built without the schema, so that
// `consentState` and `canContact` alone do not bring zod into a bundle).
const DOUBLE_OPT_IN_WINDOW_MS = 7 * 86_400_000;
const GPC_PURPOSES: string[] = ['sale', 'sharing', 'targeted_advertising', 'cross_context_advertising'];

/**
 * The ledger policy, a plain JSON-able object:
 * - `doubleOptIn`: channels where a grant stays `pending` until `confirmed` within `window` (default 7 days);
 * - `expiry`: re-ask after this long, per purpose (`{ marketing: { days: 395 } }`; `*` for any other purpose);
 * - `softOptIn`: channel × purpose pairs where an `existing_customer` event grants (e.g. email marketing of
 *   similar products under PECR reg. 22 / ePrivacy Art. 13(2));
 * - `optOutChannels`: channels run under an opt-out regime (e.g. postal mail): `unknown` counts as allowed;
 * - `gpcPurposes`: purposes a Global Privacy Control signal opts out of (sale / sharing / targeted ads).
 *
 * @example
 * ```ts
 * const jsonSchema = toJSONSchema(consentPolicySchema); // for docs and admin UIs
 * ```
 */
export const consentPolicySchema = /* @__PURE__ */ (() => z.strictObject({
  doubleOptIn: z._default(z
    .strictObject({
      channels: z._default(z.array(channelSchema).check(maxLengthCheck(64)), []),
      window: z._default(durationSchema, DOUBLE_OPT_IN_WINDOW_MS),
    }), { channels: [], window: DOUBLE_OPT_IN_WINDOW_MS }),
  expiry: z._default(z.record(purposeSchema, durationSchema), {}),
  softOptIn: z._default(z
    .array(z.strictObject({ channel: channelSchema, purposes: z.array(purposeSchema).check(minLengthCheck(1)) })).check(maxLengthCheck(64)), []),
  optOutChannels: z._default(z.array(channelSchema).check(maxLengthCheck(64)), []),
  gpcPurposes: z._default(z.array(purposeSchema).check(maxLengthCheck(64)), [...GPC_PURPOSES]),
}))();

/**
 * The policy as written (input of {@link parseConsentPolicy}).
 *
 * @example
 * ```ts
 * const input: ConsentPolicyInput = { doubleOptIn: { channels: ['email'] }, expiry: { marketing: '395d' } };
 * ```
 */
export type ConsentPolicyInput = z.input<typeof consentPolicySchema>;
/**
 * A compiled policy.
 *
 * @example
 * ```ts
 * const policy: ConsentPolicy = parseConsentPolicy({ optOutChannels: ['direct_mail'] });
 * policy.optOutChannels.has('direct_mail'); // true
 * ```
 */
export interface ConsentPolicy {
  readonly doubleOptInChannels: ReadonlySet<string>;
  readonly doubleOptInWindowMs: number;
  readonly expiryMs: ReadonlyMap<string, number>;
  readonly softOptIn: ReadonlySet<string>;
  readonly optOutChannels: ReadonlySet<string>;
  readonly gpcPurposes: ReadonlySet<string>;
}

const key = (channel: string, purpose: string): string => `${channel}\u0000${purpose}`;

/**
 * Validates and compiles a {@link ConsentPolicyInput}; throws `CrossChannelError` `CONFIG_INVALID` with the path.
 *
 * @example
 * ```ts
 * const policy = parseConsentPolicy({
 *   doubleOptIn: { channels: ['email'], window: { days: 3 } },
 *   expiry: { marketing: { days: 395 } },
 *   softOptIn: [{ channel: 'email', purposes: ['marketing'] }],
 * });
 * ```
 */
export function parseConsentPolicy(input: ConsentPolicyInput = {}): ConsentPolicy {
  return compilePolicy(parseWith(consentPolicySchema, input, 'CONFIG_INVALID'));
}

/** A parsed policy as the fold reads it (sets and maps); throws `CONFIG_INVALID` on a window or expiry that is not positive. */
function compilePolicy(p: z.output<typeof consentPolicySchema>): ConsentPolicy {
  const softOptIn = new Set<string>();
  for (const s of p.softOptIn) for (const purpose of s.purposes) softOptIn.add(key(s.channel, purpose));
  if (!(p.doubleOptIn.window > 0)) throw new CrossChannelError('CONFIG_INVALID', 'double opt-in window must be positive', { path: ['doubleOptIn', 'window'] });
  for (const [purpose, ms] of Object.entries(p.expiry)) {
    if (!(ms > 0)) throw new CrossChannelError('CONFIG_INVALID', 'expiry must be positive', { path: ['expiry', purpose] });
  }
  return {
    doubleOptInChannels: new Set(p.doubleOptIn.channels),
    doubleOptInWindowMs: p.doubleOptIn.window,
    expiryMs: new Map(Object.entries(p.expiry)),
    softOptIn,
    optOutChannels: new Set(p.optOutChannels),
    gpcPurposes: new Set(p.gpcPurposes),
  };
}

/**
 * The default policy: no double opt-in, no expiry, no soft opt-in, GPC opts out of sale/sharing/targeted ads.
 *
 * @example
 * ```ts
 * declare const events: ConsentEvent[];
 * const state = consentState(events, DEFAULT_CONSENT_POLICY);
 * ```
 */
export const DEFAULT_CONSENT_POLICY: ConsentPolicy = /* @__PURE__ */ compilePolicy({
  doubleOptIn: { channels: [], window: DOUBLE_OPT_IN_WINDOW_MS },
  expiry: {},
  softOptIn: [],
  optOutChannels: [],
  // Read into a set, never changed.
  gpcPurposes: GPC_PURPOSES,
});

/**
 * Current status of one channel × purpose.
 *
 * @example
 * ```ts
 * declare const state: ConsentState;
 * const s: ConsentStatus = foldConsent(state, 'email', 'marketing', Date.now()).status;
 * ```
 */
export type ConsentStatus = 'unknown' | 'pending' | 'granted' | 'denied' | 'withdrawn' | 'expired';

/**
 * How a `granted` status was reached.
 *
 * @example
 * ```ts
 * declare const state: ConsentState;
 * const b: ConsentBasis | null = foldConsent(state, 'sms', 'marketing', Date.now()).basis;
 * ```
 */
export type ConsentBasis = 'opt_in' | 'double_opt_in' | 'soft_opt_in';

/**
 * The folded state of one channel × purpose at `now`.
 *
 * @example
 * ```ts
 * declare const state: ConsentState;
 * const c: ChannelConsent = foldConsent(state, 'email', 'marketing', Date.now());
 * console.log(c.status, c.event?.evidence.source);
 * ```
 */
export interface ChannelConsent {
  readonly channel: string;
  readonly purpose: string;
  readonly status: ConsentStatus;
  /** Set when `status` is `granted` (or `expired` after a grant). */
  readonly basis: ConsentBasis | null;
  /** When the current status began (the deciding event's `at`, or the expiry instant), `null` when unknown. */
  readonly since: EpochMs | null;
  /** When a `granted` status lapses (policy expiry) or a `pending` one stops being confirmable. */
  readonly until: EpochMs | null;
  /** The event that decided the status (its evidence is the proof), `null` when unknown. */
  readonly event: ConsentEvent | null;
}

/**
 * A subject's ledger: events in fold order, with the policy used to read them.
 *
 * @example
 * ```ts
 * declare const events: ConsentEvent[];
 * const state: ConsentState = consentState(events, DEFAULT_CONSENT_POLICY);
 * ```
 */
export interface ConsentState {
  readonly subjectId: string | null;
  readonly events: ReadonlyArray<ConsentEvent>;
  readonly policy: ConsentPolicy;
}

// At equal instants a refusal sorts after a grant, so that withdrawal wins.
const KIND_RANK: Record<ConsentEventKind, number> = { existing_customer: 0, granted: 1, confirmed: 2, denied: 3, withdrawn: 4 };

/**
 * Builds a subject's {@link ConsentState} from its events (validated {@link ConsentEvent}s, any order): sorts
 * them by `at` (refusals after grants at the same instant) and binds the policy.
 *
 * @example
 * ```ts
 * declare const store: ConsentStore; declare const policy: ConsentPolicy; declare const now: number;
 * const state = consentState(await store.events('cust-42'), policy);
 * foldConsent(state, 'email', 'marketing', now).status; // 'granted'
 * ```
 */
export function consentState(events: ReadonlyArray<ConsentEvent>, policy: ConsentPolicy = DEFAULT_CONSENT_POLICY): ConsentState {
  checkEvents(events, ['events']);
  // A policy not from parseConsentPolicy (its JSON, say) would pass here and be refused later by canContact, at `state`.
  if (!isCompiledPolicy(policy)) throw inputError('policy must come from parseConsentPolicy()', ['policy']);
  // Stores hand their ledgers back in order, usually: then the stable sort would change nothing.
  let ordered = true;
  for (let i = 1; i < events.length && ordered; i++) {
    const a = events[i - 1]!;
    const b = events[i]!;
    ordered = a.at < b.at || (a.at === b.at && KIND_RANK[a.kind] <= KIND_RANK[b.kind]);
  }
  const sorted = ordered
    ? events.slice()
    : events
        .map((e, i) => ({ e, i }))
        .sort((a, b) => a.e.at - b.e.at || KIND_RANK[a.e.kind] - KIND_RANK[b.e.kind] || a.i - b.i)
        .map((x) => x.e);
  return { subjectId: sorted[0]?.subjectId ?? null, events: sorted, policy };
}

/**
 * Throws `INPUT_INVALID` at `state` unless it has the shape {@link consentState} returns: plain JavaScript may pass
 * any object, which would otherwise fail deep inside with a `TypeError`.
 */
function expectConsentState(state: unknown): asserts state is ConsentState {
  const s = state as Partial<ConsentState> | null;
  if (!isCompiledPolicy(s?.policy)) throw inputError('state must come from consentState()', ['state']);
  // Its events are read like consentState's (a state may have been rebuilt from JSON, or edited).
  checkEvents(s.events, ['state', 'events']);
}

/**
 * Events are trusted to be parsed, but plain JavaScript may hand over anything: the fields the fold reads are
 * checked, at `path`.
 */
function checkEvents(events: unknown, path: ReadonlyArray<string | number>): asserts events is ConsentEvent[] {
  expectArray(events, path);
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Partial<ConsentEvent> | null;
    // canContact runs this on every call: paths are built only for a bad event.
    if (typeof e?.at === 'number' && Number.isFinite(e.at) && typeof e.kind === 'string' && typeof e.channel === 'string' && typeof e.purpose === 'string') continue;
    expectObject(e, [...path, i]);
    expectFinite(e.at, [...path, i, 'at']);
    for (const k of ['kind', 'channel', 'purpose'] as const) expectString(e[k], [...path, i, k]);
  }
}

/** True for what {@link parseConsentPolicy} returns (its sets and maps), not for the policy's JSON. */
function isCompiledPolicy(policy: unknown): policy is ConsentPolicy {
  const p = policy as Partial<ConsentPolicy> | null;
  return (
    p !== null &&
    typeof p === 'object' &&
    p.doubleOptInChannels instanceof Set &&
    p.softOptIn instanceof Set &&
    p.optOutChannels instanceof Set &&
    p.expiryMs instanceof Map &&
    typeof p.doubleOptInWindowMs === 'number'
  );
}

/**
 * Folds the ledger into the status of `channel` × `purpose` at `now` (events after `now` are ignored). Events
 * for channel or purpose `*` apply too. Later events win; `denied`/`withdrawn` end any earlier grant; a grant on
 * a double-opt-in channel is `pending` until `confirmed` within the window (then `expired` if never
 * confirmed), and a later grant keeps a confirmed (or soft opt-in) consent still in force as it is; a grant lapses to `expired` after the purpose's expiry; `existing_customer` grants by soft
 * opt-in only where the policy allows and only when the person has not refused.
 *
 * @example
 * ```ts
 * declare const state: ConsentState;
 * const s = foldConsent(state, 'email', 'marketing', Date.parse('2026-03-01T00:00:00Z'));
 * s.status; // 'granted' | 'pending' | 'withdrawn' | …
 * ```
 */
export function foldConsent(state: ConsentState, channel: string, purpose: string, now: EpochMs): ChannelConsent {
  expectConsentState(state);
  expectString(channel, ['channel']);
  expectString(purpose, ['purpose']);
  expectFinite(now, ['now']);
  const policy = state.policy;
  const doi = policy.doubleOptInChannels.has(channel);
  // Read at the first existing-customer event only: most ledgers have none, and the key is a new string to hash.
  let soft: boolean | undefined;
  const ttl = policy.expiryMs.get(purpose) ?? policy.expiryMs.get('*');
  let status: ConsentStatus = 'unknown';
  let basis: ConsentBasis | null = null;
  let since: number | null = null;
  let until: number | null = null;
  let event: ConsentEvent | null = null;
  let refused = false;
  const events = state.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.at > now) break;
    if ((e.channel !== channel && e.channel !== '*') || (e.purpose !== purpose && e.purpose !== '*')) continue;
    // A grant past its expiry or a request past its window lapsed before this event, as it would at `now`: a soft
    // opt-in or a re-submitted form then starts afresh instead of meeting a consent no longer in force.
    if (until !== null && e.at > until && (status === 'granted' || status === 'pending')) {
      status = 'expired';
      since = until;
      until = null;
    }
    switch (e.kind) {
      case 'granted':
        // A re-submitted form keeps a confirmation (double or soft opt-in) still in force: it never revokes one.
        if (doi && status === 'granted') break;
        if (doi) {
          status = 'pending';
          basis = null;
          until = e.at + policy.doubleOptInWindowMs;
        } else {
          status = 'granted';
          basis = 'opt_in';
          until = ttl === undefined ? null : e.at + ttl;
        }
        since = e.at;
        event = e;
        refused = false;
        break;
      case 'confirmed':
        // A confirmation only counts for an open double-opt-in request (one past its window has lapsed above).
        if (status === 'pending') {
          status = 'granted';
          basis = 'double_opt_in';
          since = e.at;
          until = ttl === undefined ? null : e.at + ttl;
          event = e;
        }
        break;
      case 'denied':
      case 'withdrawn':
        status = e.kind;
        basis = null;
        since = e.at;
        until = null;
        event = e;
        refused = true;
        break;
      case 'existing_customer':
        // Also over an unconfirmed request: a purchase after the form gives what the form after a purchase keeps.
        soft ??= policy.softOptIn.has(key(channel, purpose));
        if (soft && !refused && status !== 'granted') {
          status = 'granted';
          basis = 'soft_opt_in';
          since = e.at;
          until = ttl === undefined ? null : e.at + ttl;
          event = e;
        }
        break;
    }
  }
  if ((status === 'granted' || status === 'pending') && until !== null && now > until) {
    // A lapsed grant or an unconfirmed double opt-in: ask again.
    status = 'expired';
    since = until;
    until = null;
  }
  return { channel, purpose, status, basis, since, until, event };
}

/**
 * The status of every channel × purpose pair named by the ledger's events (wildcards excluded), at `now`.
 *
 * @example
 * ```ts
 * declare const state: ConsentState; declare const now: number;
 * for (const c of consentSummary(state, now)) console.log(c.channel, c.purpose, c.status);
 * ```
 */
export function consentSummary(state: ConsentState, now: EpochMs): ChannelConsent[] {
  expectConsentState(state);
  expectFinite(now, ['now']);
  const seen = new Map<string, [string, string]>();
  for (const e of state.events) if (e.channel !== '*' && e.purpose !== '*') seen.set(key(e.channel, e.purpose), [e.channel, e.purpose]);
  return [...seen.values()].map(([c, p]) => foldConsent(state, c, p, now));
}
