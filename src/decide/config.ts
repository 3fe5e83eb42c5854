import type { DecideTelemetry } from './telemetry.js';
import * as z from 'zod/mini';
import { CrossChannelError, attempt, namingUnder, parseWith, type Result, quoted } from '../core/errors.js';
import { channelSchema, durationSchema, timeZoneSchema } from '../core/schema.js';
import { parseCatalogue, type Catalogue, type CatalogueInput, type ParseCatalogueOptions } from '../arbitration/offers.js';
import type { PropensityTable } from '../arbitration/propensity.js';
import { parseCapRules, type CapRuleSetInput, type CompiledCapRules } from '../capping/rules.js';
import { compileSegments, type CompiledSegments } from '../segments/compile.js';
import type { SegmentDefinitionInput } from '../segments/dsl.js';
import { parseConsentPolicy, type ConsentPolicy, type ConsentPolicyInput } from '../consent/ledger.js';
import type { Gvl } from '../consent/tcf/gvl.js';
import type { TcString } from '../consent/tcf/model.js';
import type { TraceClock } from './trace.js';
import type { DecideHoldoutCheck } from './holdout.js';
import { customSchema, intSchema, enumSchema, booleanSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';

const anyConfig = /* @__PURE__ */ (() => customSchema<unknown>(() => true, 'Invalid input'))();

/**
 * The decision configuration, JSON-able: the offer catalogue (arbitration), the frequency caps (capping), the
 * segments the catalogue refers to, the consent policy and which purposes each channel needs, identity rules,
 * and the pipeline's own settings. Each module's part is validated by that module's parser, so errors carry
 * the module's codes and a path prefixed with the part (`caps.rules[2].limit`).
 *
 * @example
 * ```ts
 * const config = parseDecideConfig({
 *   catalogue: { offers: [{ id: 'welcome', channels: ['email', 'web'], value: 10, tags: ['marketing'] }] },
 *   caps: { rules: [{ id: 'week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } }] },
 *   consent: { purpose: 'marketing', ledgerChannels: ['email', 'sms'] },
 *   timeZone: 'Europe/Paris',
 * });
 * ```
 */
export const decideConfigSchema = /* @__PURE__ */ (() => z.strictObject({
    /** Offer catalogue (`crosschannel/arbitration` `CatalogueInput`, or an already parsed `Catalogue`). */
    catalogue: anyConfig,
    /** Frequency caps (`crosschannel/capping` rule set, or compiled rules). */
    caps: anyConfig,
    /** Segment definitions the catalogue's eligibility refers to (`crosschannel/segments`), or compiled ones. */
    segments: z.optional(anyConfig),
    consent: z._default(z.strictObject({
        /** Ledger policy (`crosschannel/consent` `ConsentPolicyInput`). */
        policy: z.optional(anyConfig),
        /** The purpose a marketing contact needs on the ledger. */
        purpose: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(64)), 'marketing'),
        /**
         * Channels that need a ledger grant (opt-in) for `purpose`. Other channels are "owned" (web, app, store,
         * an inbound call): presenting an offer there needs no opt-in, but the TC string / GPC still apply to
         * personalisation where configured.
         */
        ledgerChannels: z._default(z.array(channelSchema).check(maxLengthCheck(64)), ['email', 'sms', 'push', 'call_center', 'direct_mail']),
        /** TCF settings for channels where a CMP runs (web, app): our vendor id and the purposes personalised offers need. */
        tcf: z.optional(z.strictObject({
            vendorId: intSchema().check(gteCheck(1), lteCheck(65_535)),
            /** TCF purposes needed (e.g. 1 store/access, 4 personalised ads… 3/4 profiles). */
            purposes: z._default(z.array(intSchema().check(gteCheck(1), lteCheck(24))).check(minLengthCheck(1), maxLengthCheck(24)), [1, 3, 4]),
            channels: z._default(z.array(channelSchema).check(maxLengthCheck(64)), ['web', 'app']),
            /** When a TCF channel asks without a TC string: `deny` (fail closed, default) or `allow`. */
            missing: z._default(enumSchema(['deny', 'allow']), 'deny'),
          })),
        /** When the request carries GPC, channels that stop (opt-out of sale/share ⇒ no personalised offer). */
        gpcChannels: z._default(z.array(channelSchema).check(maxLengthCheck(64)), []),
      }), { purpose: 'marketing', ledgerChannels: ['email', 'sms', 'push', 'call_center', 'direct_mail'], gpcChannels: [] }),
    identity: z._default(z.strictObject({
        /**
         * Record the request's identifiers as an observation before resolving (links a cookie to a login
         * email, say). Off: decide only looks identifiers up and treats unknown ones as a new anonymous person.
         */
        observe: z._default(booleanSchema(), true),
      }), { observe: true }),
    /**
     * Default IANA zone of people whose zone the request does not give (caps' local days, quiet hours). Absent:
     * the caps' own `timeZone` (which itself defaults to UTC), as `evaluateCaps` reads a subject without a zone.
     */
    timeZone: z.optional(timeZoneSchema),
    /**
     * How far back events and contact history are loaded at least. `parseDecideConfig` raises it to the longest
     * window the decision reads: the caps' (`lookbackMs`), the windows of the segments the catalogue refers to,
     * and the offers' contact policies and guards. A window without a bound (a `forever` cooldown or
     * suppression, a segment condition without window or with a `since`/absolute window, `withoutResponse`)
     * makes it `Infinity`: the whole history the stores keep is loaded.
     */
    lookback: z._default(durationSchema, 90 * 86_400_000),
    /** Deadline of each store call, in ms; a slower store fails the decision closed with `STORE_TIMEOUT`. */
    storeTimeoutMs: z._default(intSchema().check(gteCheck(1), lteCheck(600_000)), 250),
    /** How many ranked offers (beyond the slots) capping may try before giving up. */
    fallbackOffers: z._default(intSchema().check(gteCheck(0), lteCheck(100)), 4),
    /** Channels considered for the "best alternative channel allowed now" when the asked one is blocked. */
    alternatives: z._default(z.array(channelSchema).check(maxLengthCheck(32)), []),
    /**
     * Thompson-sampling exploration of the learned `model` (pass one to `parseDecideConfig`), seeded by the
     * request id (reproducible). Off, or without a model: posterior means.
     */
    explore: z._default(booleanSchema(), false),
    /** Priority of decided contacts for cap rules that reserve slots for higher priorities. */
    priority: z._default(intSchema(), 0),
    /** Tags added to every decided contact (e.g. `marketing`), besides the offer's own tags. */
    contactTags: z._default(z.array(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))).check(maxLengthCheck(16)), ['marketing']),
  }))();

/**
 * A decide configuration as written.
 *
 * @example
 * ```ts
 * const input: DecideConfigInput = {
 *   catalogue: { offers: [{ id: 'welcome', channels: ['email', 'web'], value: 10, tags: ['marketing'] }] },
 *   caps: { rules: [{ id: 'week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } }] },
 * };
 * ```
 */
export type DecideConfigInput = Omit<DecideConfigSchemaInput, 'catalogue' | 'caps' | 'segments' | 'consent'> & {
  /** Offer catalogue, or an already parsed one. */
  catalogue: CatalogueInput | Catalogue;
  /** Frequency caps, or compiled rules. */
  caps: CapRuleSetInput | CompiledCapRules;
  /** Segment definitions the catalogue refers to, or compiled ones. */
  segments?: ReadonlyArray<SegmentDefinitionInput> | CompiledSegments;
  /** Consent: the ledger policy and which purposes each channel needs. */
  consent?: Omit<NonNullable<DecideConfigSchemaInput['consent']>, 'policy'> & { policy?: ConsentPolicyInput };
};

type DecideConfigSchemaInput = z.input<typeof decideConfigSchema>;

const COMPILED = Symbol.for('crosschannel.decide.config');

/**
 * A parsed, compiled decide configuration: what {@link decide} takes. Build once, reuse for every call.
 *
 * @example
 * ```ts
 * const config: DecideConfig = parseDecideConfig({ catalogue: { offers: [{ id: 'welcome', channels: ['email'] }] }, caps: { rules: [] } });
 * config.catalogue.offers.length; // 1
 * ```
 */
export interface DecideConfig {
  /** @internal Brand of a parsed configuration. */
  readonly [COMPILED]: true;
  readonly catalogue: Catalogue;
  readonly caps: CompiledCapRules;
  readonly segments: CompiledSegments | null;
  /** Segment ids the catalogue refers to (only these are evaluated). */
  readonly neededSegments: ReadonlyArray<string>;
  readonly consentPolicy: ConsentPolicy;
  readonly purpose: string;
  readonly ledgerChannels: ReadonlySet<string>;
  readonly tcf: { readonly vendorId: number; readonly purposes: ReadonlyArray<number>; readonly channels: ReadonlySet<string>; readonly missing: 'deny' | 'allow' } | null;
  readonly gpcChannels: ReadonlySet<string>;
  readonly observe: boolean;
  /** The zone of people whose request gives none: the configured `timeZone`, else the caps' `timeZone`. */
  readonly timeZone: string;
  /**
   * How far back the load stage reads events and contact history, in ms: `lookback` raised to the longest window
   * of the caps, the needed segments and the offers' contact policies; `Infinity` means the whole history.
   */
  readonly lookbackMs: number;
  readonly storeTimeoutMs: number;
  readonly fallbackOffers: number;
  readonly alternatives: ReadonlyArray<string>;
  readonly explore: boolean;
  readonly priority: number;
  readonly contactTags: ReadonlyArray<string>;
  /** Learned propensities (Beta-Binomial), updated by presentations and responses; optional. */
  readonly model: PropensityTable | undefined;
  /** Clock for stage timings only. */
  readonly clock: TraceClock | undefined;
  /** Telemetry sink (spans, metrics), or undefined: off. */
  readonly telemetry: DecideTelemetry | undefined;
  /** Global Vendor List for the TCF check (vendor declarations, deleted vendors); null checks the string alone. */
  readonly gvl: Gvl | null;
  /** @internal Memo of recently decoded TC strings (bounded): a visitor's CMP sends the same string on every page. */
  readonly tcMemo: Map<string, Result<TcString>>;
  /** The holdout hook (see `holdout.ts`), or null. */
  readonly holdout: DecideHoldoutCheck | null;
}

/**
 * Options of {@link parseDecideConfig} that are not JSON: predicates, a learned model, a clock for timings.
 *
 * @example
 * ```ts
 * declare const gvlJson: unknown; // the IAB Global Vendor List
 * const options: ParseDecideConfigOptions = { model: new PropensityTable(), gvl: parseGvl(gvlJson) };
 * const config = parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] } }, options);
 * ```
 */
export interface ParseDecideConfigOptions extends ParseCatalogueOptions {
  /** A shared, learning propensity table (see `PropensityTable`); `recordResponse` and reservations feed it. */
  readonly model?: PropensityTable;
  /** Monotonic ms clock for stage timings (default `performance.now`). */
  readonly clock?: TraceClock;
  /** Telemetry sink called once per decision (see `crosschannel/adapters/otel`); absent = off. */
  readonly telemetry?: DecideTelemetry;
  /** Compiled Global Vendor List (`parseGvl`) used by the TCF check. */
  readonly gvl?: Gvl;
  /** A global / campaign holdout (`createHoldoutCheck` of `crosschannel/experiments`): held people get no contact. */
  readonly holdout?: DecideHoldoutCheck;
}

function isCatalogue(v: unknown): v is Catalogue {
  return typeof v === 'object' && v !== null && (v as Catalogue).byId instanceof Map && Array.isArray((v as Catalogue).offers);
}


/**
 * Validates and compiles a decide configuration once. Throws `CrossChannelError` (`CONFIG_INVALID` or the
 * module's own code) with the path of the bad field, prefixed by its part (`catalogue.offers[3].value`).
 * Fails when an offer refers to a segment that is not defined.
 *
 * @example
 * ```ts
 * const config = parseDecideConfig({ catalogue: { offers: [{ id: 'a' }] }, caps: { rules: [] } });
 * config.catalogue.offers.length; // 1
 * ```
 */
export function parseDecideConfig(input: DecideConfigInput, options: ParseDecideConfigOptions = {}): DecideConfig {
  const raw = parseWith(decideConfigSchema, input, 'CONFIG_INVALID');
  const catalogue = isCatalogue(raw.catalogue) ? raw.catalogue : namingUnder(['catalogue'], () => parseCatalogue(raw.catalogue as CatalogueInput, options), 'catalogue');
  const caps = namingUnder(['caps'], () => parseCapRules(raw.caps as Parameters<typeof parseCapRules>[0]), 'caps');
  const segments = raw.segments === undefined ? null : namingUnder(['segments'], () => compileSegments(raw.segments), 'segments');
  const needed = new Set<string>();
  catalogue.offers.forEach((o, i) => {
    for (const s of [...o.segmentsAll, ...o.segmentsAny, ...o.segmentsNot]) {
      // Reported where the reference is: the offer's eligibility.
      if (!segments || !segments.has(s)) {
        throw new CrossChannelError('CONFIG_INVALID', `Offer ${quoted(o.id)} refers to segment ${quoted(s)}, which is not defined in segments`, {
          path: ['catalogue', 'offers', i, 'eligibility'],
          detail: { segment: s, offer: o.id },
        });
      }
      needed.add(s);
    }
  });
  const consentPolicy = namingUnder(['consent', 'policy'], () => parseConsentPolicy(raw.consent.policy ?? {}), 'consent.policy');
  const tcf = raw.consent.tcf;
  return {
    [COMPILED]: true,
    catalogue,
    caps,
    segments,
    neededSegments: [...needed].sort(),
    consentPolicy,
    purpose: raw.consent.purpose,
    ledgerChannels: new Set(raw.consent.ledgerChannels),
    tcf: tcf ? { vendorId: tcf.vendorId, purposes: tcf.purposes, channels: new Set(tcf.channels), missing: tcf.missing } : null,
    gpcChannels: new Set(raw.consent.gpcChannels),
    observe: raw.identity.observe,
    timeZone: raw.timeZone ?? caps.timeZone,
    lookbackMs: neededLookback(raw.lookback, caps, catalogue, segments, needed),
    storeTimeoutMs: raw.storeTimeoutMs,
    fallbackOffers: raw.fallbackOffers,
    alternatives: raw.alternatives,
    explore: raw.explore,
    priority: raw.priority,
    contactTags: raw.contactTags,
    model: options.model,
    clock: options.clock,
    telemetry: options.telemetry,
    gvl: options.gvl ?? null,
    tcMemo: new Map(),
    holdout: typeof options.holdout === 'function' ? options.holdout : null,
  };
}

/**
 * Non-throwing {@link parseDecideConfig}.
 *
 * @example
 * ```ts
 * const r = safeParseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [{ kind: 'nope' }] } });
 * if (!r.ok) console.log(r.error.path); // 'caps.rules[0].kind'
 * ```
 */
export function safeParseDecideConfig(input: unknown, options: ParseDecideConfigOptions = {}): Result<DecideConfig> {
  return attempt(() => parseDecideConfig(input as DecideConfigInput, options));
}

/**
 * True when `value` came out of {@link parseDecideConfig}.
 *
 * @example
 * ```ts
 * isDecideConfig(parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] } })); // true
 * isDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] } }); // false
 * ```
 */
export function isDecideConfig(value: unknown): value is DecideConfig {
  return typeof value === 'object' && value !== null && (value as { [COMPILED]?: unknown })[COMPILED] === true;
}

/**
 * The parsed form of a configuration: `config` itself when already parsed, else `parseDecideConfig(config)`.
 * Parsing on every call is correct but slow: services should parse once and pass the result.
 *
 * @example
 * ```ts
 * const config = compiledDecideConfig({ catalogue: { offers: [{ id: 'a' }] }, caps: { rules: [] } });
 * ```
 */
export function compiledDecideConfig(config: DecideConfig | DecideConfigInput): DecideConfig {
  return isDecideConfig(config) ? config : parseDecideConfig(config);
}

const DAY_MS = 86_400_000;
/** One calendar unit at its longest, for windows that count whole local days, weeks or months. */
const UNIT_MS = { day: DAY_MS, week: 7 * DAY_MS, month: 31 * DAY_MS } as const;

/**
 * The history a decision must load: the configured `lookback`, raised to the longest window each stage reads as
 * its module exposes it — the caps' `lookbackMs`, the windows written in the needed segments' rules (and the
 * segments they refer to), the offers' compiled contact policies and the catalogue's guards. Unbounded windows
 * give `Infinity` (load everything). Only window lengths are read here; no rule is evaluated.
 */
function neededLookback(configured: number, caps: CompiledCapRules, catalogue: Catalogue, segments: CompiledSegments | null, needed: ReadonlySet<string>): number {
  let ms = Math.max(configured, caps.lookbackMs);
  for (const o of catalogue.offers) {
    const p = o.policy;
    if (p === null) continue;
    if (p.acceptFor >= 0) ms = Math.max(ms, p.acceptFor);
    if (p.refusalCount > 0) ms = Math.max(ms, p.refusalWindow + p.refusalFor);
    if (p.maxCount > 0) ms = Math.max(ms, p.maxWindow);
    // Presentations without response are counted back to the last response, however old it is.
    if (p.silentCount > 0) ms = Number.POSITIVE_INFINITY;
  }
  for (const g of catalogue.guards) ms = Math.max(ms, g.window);
  if (segments !== null && ms !== Number.POSITIVE_INFINITY) {
    const byId = new Map(segments.definitions.map((d) => [d.id, d] as const));
    const seen = new Set<string>();
    const pending = [...needed];
    while (pending.length > 0) {
      const id = pending.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const def = byId.get(id);
      if (def !== undefined) ms = Math.max(ms, ruleLookback(def.rule as unknown, pending));
    }
  }
  return ms;
}

/** Longest event window of one segment rule tree (`Infinity` when unbounded); queues the segments it refers to. */
function ruleLookback(rule: unknown, refs: string[]): number {
  if (typeof rule !== 'object' || rule === null) return 0;
  const r = rule as Record<string, unknown>;
  if (Array.isArray(r.and) || Array.isArray(r.or)) return Math.max(0, ...((r.and ?? r.or) as unknown[]).map((x) => ruleLookback(x, refs)));
  if ('not' in r) return ruleLookback(r.not, refs);
  if (typeof r.segment === 'string') {
    refs.push(r.segment);
    return 0;
  }
  // The conditions that read behaviour events; the others (attributes, ages, anniversaries, times, RFM) read the profile.
  if ('count' in r || 'aggregate' in r || 'occurrence' in r || 'did' in r) return windowLookback(r.window);
  return 0;
}

/** How far back a parsed segment window reaches from `now` (`Infinity`: no bound, or one fixed in absolute time). */
function windowLookback(window: unknown): number {
  if (typeof window !== 'object' || window === null) return Number.POSITIVE_INFINITY;
  const w = window as { last?: unknown; calendar?: unknown; offset?: unknown };
  if (typeof w.last === 'number') return w.last;
  if (typeof w.calendar === 'string' && w.calendar in UNIT_MS) {
    // The unit `offset` units back, plus two days for the person's zone offset.
    return (Math.abs(typeof w.offset === 'number' ? w.offset : 0) + 1) * UNIT_MS[w.calendar as keyof typeof UNIT_MS] + 2 * DAY_MS;
  }
  return Number.POSITIVE_INFINITY;
}
