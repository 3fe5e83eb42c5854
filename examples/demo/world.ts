/**
 * A seeded synthetic retailer: customers with hidden truths (who they really are, what they would accept, how
 * often they visit) and the noisy identifiers the channels actually see. Everything is derived from the seed,
 * so two runs with the same options produce the same world and the same days.
 *
 * The demo only ever shows the library what a real business would see (identifiers, consent events, behaviour
 * events, responses); the hidden fields (`trueId`, `traits`) are used to simulate behaviour and to grade the
 * result (e.g. how many true people the stitched profiles represent).
 */
import { createRng, type Rng } from 'crosschannel';
import { DAY, HOUR, MINUTE } from 'crosschannel';

/** Identifier types the retailer's systems emit. */
export type IdentifierType = 'cookie' | 'device' | 'email' | 'phone' | 'loyalty';

/** One identifier as a channel sees it (raw: not normalised). */
export interface SeenIdentifier {
  readonly type: IdentifierType;
  readonly value: string;
}

/** Product categories; offers and purchases are about these. */
export const CATEGORIES = ['shoes', 'apparel', 'home', 'beauty', 'electronics'] as const;
/** A product category. */
export type Category = (typeof CATEGORIES)[number];

/** First-party ledger state the customer starts the month in, per channel. */
export type LedgerStart = 'granted' | 'pending' | 'denied' | 'none';

/** A customer's hidden behaviour parameters. */
export interface Traits {
  /** Expected web visits per day. */
  readonly visitRate: number;
  /** Expected app sessions per day (0 when no app). */
  readonly appRate: number;
  /** Expected store visits per day. */
  readonly storeRate: number;
  /** Expected inbound calls per day. */
  readonly callRate: number;
  /** Probability that a cart is bought rather than abandoned. */
  readonly buyPropensity: number;
  /** Mean basket value in EUR. */
  readonly basket: number;
  /** Affinity per category, summing to 1. */
  readonly categoryAffinity: Readonly<Record<Category, number>>;
  /** How receptive the person is per channel (multiplies acceptance). */
  readonly channelAffinity: Readonly<Record<string, number>>;
  /** 0..1: how much a discount moves this person. */
  readonly priceSensitivity: number;
  /** Probability of opening a marketing email. */
  readonly openRate: number;
  /** Tolerance to pressure: contacts per week above which they start unsubscribing. */
  readonly pressureTolerance: number;
}

/** One synthetic customer: hidden truth plus what the channels can see. */
export interface Customer {
  /** Hidden true person id (never given to the library). */
  readonly trueId: string;
  readonly index: number;
  readonly household: number;
  readonly timeZone: string;
  readonly traits: Traits;
  /** Identifiers this person uses. Cookies rotate; devices may be shared within a household. */
  readonly cookies: string[];
  readonly devices: ReadonlyArray<string>;
  readonly email: string | null;
  /** A mistyped variant of the email this person sometimes enters (or null). */
  readonly emailTypo: string | null;
  readonly phone: string | null;
  readonly loyalty: string | null;
  /** Consent the person gives: web CMP choice, and first-party ledger state per channel. */
  readonly consent: {
    readonly web: 'accept_all' | 'reject_all' | 'measurement_only';
    readonly email: LedgerStart;
    readonly sms: LedgerStart;
    readonly push: LedgerStart;
    readonly call_center: LedgerStart;
  };
  /** Signed-up date (epoch ms), some before the month starts, some during it. */
  readonly signedUpAt: number;
}

/** Options of {@link createWorld}. */
export interface WorldOptions {
  readonly seed: number;
  readonly customers: number;
  readonly days: number;
  /** First simulated day, 00:00 UTC. */
  readonly start: number;
}

/** The synthetic business. */
export interface World {
  readonly options: WorldOptions;
  readonly customers: ReadonlyArray<Customer>;
  /** Number of households (shared devices / cards happen inside one). */
  readonly households: number;
}

const PLACEHOLDER_EMAILS = ['test@test.com', 'noemail@noemail.com', 'none@none.fr', 'a@a.com'];
const DOMAINS = ['gmail.com', 'orange.fr', 'free.fr', 'yahoo.fr', 'hotmail.com', 'outlook.fr', 'laposte.net'];
const FIRST = ['marie', 'jean', 'lea', 'lucas', 'chloe', 'hugo', 'emma', 'louis', 'ines', 'jules', 'camille', 'adam', 'sarah', 'noah', 'zoe'];
const LAST = ['martin', 'bernard', 'dubois', 'thomas', 'robert', 'richard', 'petit', 'durand', 'leroy', 'moreau', 'simon', 'laurent'];

function pick<T>(rng: Rng, list: ReadonlyArray<T>): T {
  return list[rng.int(list.length)]!;
}

function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * rng.normal());
}

function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(16)];
  return s;
}

/** A realistic typo: swapped letters, a dropped letter, or a misspelt domain. */
function typo(rng: Rng, email: string): string {
  const at = email.indexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const r = rng.next();
  if (r < 0.35 && local.length > 3) {
    const i = 1 + rng.int(local.length - 2);
    return `${local.slice(0, i)}${local[i + 1]}${local[i]}${local.slice(i + 2)}@${domain}`;
  }
  if (r < 0.7 && local.length > 3) {
    const i = 1 + rng.int(local.length - 2);
    return `${local.slice(0, i)}${local.slice(i + 1)}@${domain}`;
  }
  const misspelt: Record<string, string> = { 'gmail.com': 'gmial.com', 'orange.fr': 'ornage.fr', 'hotmail.com': 'hotmial.com' };
  return `${local}@${misspelt[domain] ?? `${domain}.`}`.replace(/\.$/, 'x');
}

/** A French mobile number in one of the formats people actually type. */
function formatPhone(rng: Rng, e164: string): string {
  const digits = e164.slice(3);
  const pairs = `0${digits}`.match(/.{2}/g)!;
  const f = rng.int(4);
  if (f === 0) return e164;
  if (f === 1) return pairs.join(' ');
  if (f === 2) return `+33 ${digits[0]} ${digits.slice(1).match(/.{2}/g)!.join(' ')}`;
  return `0${digits}`;
}

function ledgerStart(rng: Rng, granted: number, pending: number, denied: number): LedgerStart {
  const r = rng.next();
  if (r < granted) return 'granted';
  if (r < granted + pending) return 'pending';
  if (r < granted + pending + denied) return 'denied';
  return 'none';
}

/**
 * Builds the seeded world: households of 1–4 people; 70% have an email, 60% a phone, 55% a loyalty card,
 * 45% the app; 8% of households share a tablet, 3% share a loyalty card; 4% of people sometimes type their
 * email with a typo; store cashiers enter placeholder emails (see {@link simulateDay}).
 */
export function createWorld(options: WorldOptions): World {
  const rng = createRng(options.seed);
  const customers: Customer[] = [];
  let household = 0;
  while (customers.length < options.customers) {
    const size = Math.min(options.customers - customers.length, 1 + (rng.next() < 0.45 ? rng.int(4) : 0));
    const sharedTablet = size > 1 && rng.next() < 0.08 ? `dev-${hex(rng, 12)}` : null;
    const sharedCard = size > 1 && rng.next() < 0.03 ? `LC${String(1_000_000 + rng.int(8_999_999))}` : null;
    const last = pick(rng, LAST);
    const zone = rng.next() < 0.9 ? 'Europe/Paris' : rng.next() < 0.6 ? 'Europe/London' : 'America/New_York';
    for (let m = 0; m < size; m++) {
      const index = customers.length;
      const first = pick(rng, FIRST);
      const hasEmail = rng.next() < 0.7;
      const email = hasEmail ? `${first}.${last}${rng.int(1000)}@${pick(rng, DOMAINS)}` : null;
      const hasPhone = rng.next() < 0.6;
      const phone = hasPhone ? `+336${String(10_000_000 + rng.int(89_999_999))}` : null;
      const hasApp = rng.next() < 0.45;
      const devices: string[] = [];
      if (hasApp) devices.push(`dev-${hex(rng, 12)}`);
      if (sharedTablet) devices.push(sharedTablet);
      const loyalty = sharedCard ?? (rng.next() < 0.55 ? `LC${String(1_000_000 + rng.int(8_999_999))}` : null);
      const aff = CATEGORIES.map(() => rng.next() ** 2 + 0.02);
      const sum = aff.reduce((a, b) => a + b, 0);
      const categoryAffinity = Object.fromEntries(CATEGORIES.map((c, i) => [c, aff[i]! / sum])) as Record<Category, number>;
      const storeLover = rng.next() < 0.35;
      const traits: Traits = {
        visitRate: Math.min(2, logNormal(rng, storeLover ? 0.05 : 0.14, 0.9)),
        appRate: hasApp ? Math.min(2, logNormal(rng, 0.12, 0.9)) : 0,
        storeRate: Math.min(0.6, logNormal(rng, storeLover ? 0.09 : 0.025, 0.7)),
        callRate: Math.min(0.2, logNormal(rng, 0.006, 0.8)),
        buyPropensity: 0.15 + 0.5 * rng.next(),
        basket: Math.max(8, logNormal(rng, 55, 0.6)),
        categoryAffinity,
        channelAffinity: {
          email: 0.5 + rng.next(),
          sms: 0.3 + rng.next(),
          push: 0.4 + rng.next(),
          web: 0.6 + rng.next(),
          app: 0.6 + rng.next(),
          call_center: 0.8 + rng.next(),
          store: 0.8 + rng.next(),
        },
        priceSensitivity: rng.next(),
        openRate: 0.08 + 0.4 * rng.next(),
        pressureTolerance: 2 + rng.int(6),
      };
      customers.push({
        trueId: `person-${String(index).padStart(6, '0')}`,
        index,
        household,
        timeZone: zone,
        traits,
        cookies: [`ck-${hex(rng, 16)}`],
        devices,
        email,
        emailTypo: email && rng.next() < 0.04 ? typo(rng, email) : null,
        phone,
        loyalty,
        consent: {
          web: rng.next() < 0.65 ? 'accept_all' : rng.next() < 0.6 ? 'reject_all' : 'measurement_only',
          email: email ? ledgerStart(rng, 0.55, 0.1, 0.1) : 'none',
          sms: hasPhone ? ledgerStart(rng, 0.3, 0.05, 0.15) : 'none',
          push: hasApp ? ledgerStart(rng, 0.5, 0, 0.2) : 'none',
          call_center: hasPhone ? ledgerStart(rng, 0.6, 0, 0.1) : 'none',
        },
        signedUpAt: options.start - Math.floor(rng.next() * 900) * DAY + (rng.next() < 0.05 ? 40 * DAY : 0),
      });
    }
    household++;
  }
  return { options, customers, households: household };
}

/** What happened to one customer at one moment: the identifiers the channel saw, and the events it logged. */
export interface Moment {
  readonly at: number;
  readonly customer: Customer;
  /** Where it happened: `web`, `app`, `store` or `call_center`. */
  readonly channel: 'web' | 'app' | 'store' | 'call_center';
  readonly identifiers: ReadonlyArray<SeenIdentifier>;
  readonly events: ReadonlyArray<{ readonly type: string; readonly at: number; readonly properties: Record<string, string | number | boolean> }>;
  /** Value of a purchase made in this moment (0 when none). */
  readonly revenue: number;
  /** Category the moment was about. */
  readonly category: Category;
}

function chooseCategory(rng: Rng, c: Customer): Category {
  let r = rng.next();
  for (const cat of CATEGORIES) {
    r -= c.traits.categoryAffinity[cat];
    if (r <= 0) return cat;
  }
  return CATEGORIES[CATEGORIES.length - 1]!;
}

function poisson(rng: Rng, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > l) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Local daytime hour (8–22) of a moment, returned as a UTC instant on the given day. */
function daytime(rng: Rng, dayStart: number, zone: string): number {
  const offset = zone === 'America/New_York' ? 5 * HOUR : zone === 'Europe/London' ? 0 : -1 * HOUR;
  return dayStart + offset + 8 * HOUR + Math.floor(rng.next() * 14 * HOUR) + rng.int(60) * MINUTE;
}

/**
 * The organic behaviour of day `day` (0-based): web and app visits with page views, cart adds and
 * abandonments, online and store purchases, inbound calls, with the identifiers each system records
 * (cookies rotate, cashiers type placeholder emails, phone numbers come in any format). Sorted by time.
 * `boost(customer, category)` lets accepted offers raise purchase odds (the demo passes the open offers).
 */
export function simulateDay(world: World, day: number, boost: (c: Customer, category: Category) => number = () => 1): Moment[] {
  const rng = createRng([world.options.seed ^ 0x5bd1e995, day + 1, 0x2545f491, 0x9e3779b9]);
  const dayStart = world.options.start + day * DAY;
  const out: Moment[] = [];
  for (const c of world.customers) {
    if (c.signedUpAt > dayStart + DAY) continue;
    const t = c.traits;
    // Web visits
    for (let v = poisson(rng, t.visitRate); v > 0; v--) {
      if (rng.next() < 0.03) c.cookies.push(`ck-${hex(rng, 16)}`);
      const at = daytime(rng, dayStart, c.timeZone);
      const cookie = c.cookies[c.cookies.length - 1]!;
      const category = chooseCategory(rng, c);
      const ids: SeenIdentifier[] = [{ type: 'cookie', value: cookie }];
      const loggedIn = c.email !== null && rng.next() < 0.35;
      if (loggedIn) ids.push({ type: 'email', value: c.emailTypo && rng.next() < 0.3 ? c.emailTypo : c.email! });
      const events: Moment['events'][number][] = [];
      const views = 1 + poisson(rng, 2);
      for (let i = 0; i < views; i++) events.push({ type: 'page_view', at: at + i * MINUTE, properties: { category } });
      let revenue = 0;
      if (rng.next() < 0.25 * boost(c, category)) {
        events.push({ type: 'cart_add', at: at + views * MINUTE, properties: { category } });
        if (rng.next() < t.buyPropensity * boost(c, category)) {
          revenue = Math.round(t.basket * (0.6 + 0.8 * rng.next()) * 100) / 100;
          events.push({ type: 'purchase', at: at + (views + 2) * MINUTE, properties: { category, amount: revenue, value: revenue, channel: 'web' } });
        } else events.push({ type: 'cart_abandon', at: at + (views + 5) * MINUTE, properties: { category } });
      }
      out.push({ at, customer: c, channel: 'web', identifiers: ids, events, revenue, category });
    }
    // App sessions (a shared tablet reports the same device id for every household member)
    for (let v = poisson(rng, t.appRate); v > 0 && c.devices.length > 0; v--) {
      const at = daytime(rng, dayStart, c.timeZone);
      const category = chooseCategory(rng, c);
      const device = c.devices[rng.int(c.devices.length)]!;
      const ids: SeenIdentifier[] = [{ type: 'device', value: device }];
      if (c.email && rng.next() < 0.5) ids.push({ type: 'email', value: c.email });
      const events: Moment['events'][number][] = [{ type: 'app_open', at, properties: { category } }];
      let revenue = 0;
      if (rng.next() < 0.2 * boost(c, category)) {
        if (rng.next() < t.buyPropensity * boost(c, category)) {
          revenue = Math.round(t.basket * (0.6 + 0.8 * rng.next()) * 100) / 100;
          events.push({ type: 'purchase', at: at + 3 * MINUTE, properties: { category, amount: revenue, value: revenue, channel: 'app' } });
        } else events.push({ type: 'cart_abandon', at: at + 6 * MINUTE, properties: { category } });
      }
      out.push({ at, customer: c, channel: 'app', identifiers: ids, events, revenue, category });
    }
    // Store visits: loyalty card, sometimes a phone, sometimes an email typed by the cashier
    if (rng.next() < t.storeRate) {
      const at = daytime(rng, dayStart, c.timeZone);
      const category = chooseCategory(rng, c);
      const ids: SeenIdentifier[] = [];
      if (c.loyalty) ids.push({ type: 'loyalty', value: c.loyalty });
      if (c.phone && rng.next() < 0.3) ids.push({ type: 'phone', value: formatPhone(rng, c.phone) });
      const r = rng.next();
      if (r < 0.06) ids.push({ type: 'email', value: pick(rng, PLACEHOLDER_EMAILS) });
      else if (c.email && r < 0.3) ids.push({ type: 'email', value: c.emailTypo && rng.next() < 0.5 ? c.emailTypo : c.email });
      const bought = rng.next() < 0.5 + 0.4 * t.buyPropensity;
      const revenue = bought ? Math.round(t.basket * (0.7 + rng.next()) * 100) / 100 : 0;
      const events: Moment['events'][number][] = [{ type: 'store_visit', at, properties: { category } }];
      if (bought) events.push({ type: 'purchase', at: at + 10 * MINUTE, properties: { category, amount: revenue, value: revenue, channel: 'store', fullPrice: rng.next() < 0.7 } });
      if (ids.length > 0) out.push({ at, customer: c, channel: 'store', identifiers: ids, events, revenue, category });
    }
    // Inbound calls: the agent finds the customer by phone or loyalty card
    if (rng.next() < t.callRate && (c.phone || c.loyalty)) {
      const at = daytime(rng, dayStart, c.timeZone);
      const ids: SeenIdentifier[] = [];
      if (c.phone) ids.push({ type: 'phone', value: formatPhone(rng, c.phone) });
      if (c.loyalty && (!c.phone || rng.next() < 0.5)) ids.push({ type: 'loyalty', value: c.loyalty });
      const category = chooseCategory(rng, c);
      out.push({ at, customer: c, channel: 'call_center', identifiers: ids, events: [{ type: 'call', at, properties: { reason: rng.next() < 0.6 ? 'order_status' : 'product_question', category } }], revenue: 0, category });
    }
  }
  out.sort((a, b) => a.at - b.at || a.customer.index - b.customer.index);
  return out;
}

/** Identifiers a scheduled (outbound) channel addresses the customer by, or null when it cannot reach them. */
export function outboundAddress(c: Customer, channel: string): SeenIdentifier | null {
  if (channel === 'email') return c.email ? { type: 'email', value: c.email } : null;
  if (channel === 'sms') return c.phone ? { type: 'phone', value: c.phone } : null;
  if (channel === 'push') return c.devices[0] ? { type: 'device', value: c.devices[0] } : null;
  return null;
}

/** What the customer does with an offer presented on a channel, drawn from the hidden truth. */
export interface SimulatedResponse {
  readonly opened: boolean;
  readonly kind: 'accepted' | 'refused' | 'ignored' | 'unsubscribed';
  /** Revenue of the purchase the acceptance leads to (0 if none). */
  readonly revenue: number;
}

/**
 * The hidden true probability that `c` accepts an offer about `category` with `discount` (0..1) on `channel`.
 * This is what arbitration's learned propensities try to approach.
 */
export function trueAcceptance(c: Customer, category: Category | null, discount: number, channel: string): number {
  const affinity = category ? c.traits.categoryAffinity[category] * CATEGORIES.length : 1;
  const base = 0.04 * affinity * (c.traits.channelAffinity[channel] ?? 0.5) * (1 + 2 * discount * c.traits.priceSensitivity);
  return Math.min(0.9, base);
}

/**
 * Draws the response to one presentation: opened (email/sms/push only), then accepted / refused / ignored, or
 * unsubscribed when the person has had more contacts this week than they tolerate.
 */
export function simulateResponse(
  rng: Rng,
  c: Customer,
  offer: { readonly category: Category | null; readonly discount: number },
  channel: string,
  contactsThisWeek: number,
): SimulatedResponse {
  const outbound = channel === 'email' || channel === 'sms' || channel === 'push';
  const opened = outbound ? rng.next() < c.traits.openRate * (channel === 'email' ? 1 : 1.6) : true;
  if (outbound && contactsThisWeek > c.traits.pressureTolerance && rng.next() < 0.08 * (contactsThisWeek - c.traits.pressureTolerance)) {
    return { opened, kind: 'unsubscribed', revenue: 0 };
  }
  if (!opened) return { opened, kind: 'ignored', revenue: 0 };
  const p = trueAcceptance(c, offer.category, offer.discount, channel) * (outbound ? 2.5 : 1);
  if (rng.next() < p) {
    const revenue = Math.round(c.traits.basket * (0.8 + 0.6 * rng.next()) * (1 - offer.discount) * 100) / 100;
    return { opened, kind: 'accepted', revenue };
  }
  return { opened, kind: rng.next() < 0.3 ? 'refused' : 'ignored', revenue: 0 };
}
