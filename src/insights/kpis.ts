import { CrossChannelError, quoted, inputError } from '../core/errors.js';
import { reason, type Reason } from '../core/explain.js';
import type { InsightsErrorCode, InsightsReasonCode } from './errors.js';

/**
 * The KPI registry: every KPI is defined once here — its name, its formula in words, and how it reads the
 * group counters that the one-pass accumulator keeps. Counters are sums, so partial states merge by adding.
 */

/**
 * Slots of the per-group counter array (a `Float64Array`); sums only, so shards merge by addition. An enum: bundlers
 * write each `COUNTER.x` as its number, where an object's properties stay names to look up.
 */
export enum COUNTER {
  contacts = 0,
  marketingContacts = 1,
  delivered = 2,
  opened = 3,
  clicked = 4,
  converted = 5,
  unsubscribed = 6,
  complained = 7,
  cartAbandons = 8,
  purchases = 9,
  revenue = 10,
  people = 11,
  reached = 12,
  buyers = 13,
  repeatBuyers = 14,
  retained = 15,
  acquired = 16,
  conversionValue = 17,
}

/** Number of counter slots. */
export const COUNTER_SLOTS = 18;

/** What a KPI's value measures: a count, a rate (of two counts, shown as a percentage; see docs/insights.md for when it can exceed 1), an amount of money, or a plain ratio. */
export type KpiUnit = 'count' | 'rate' | 'amount' | 'ratio';

/** A KPI value: a finite number, or `null` with the reason (never NaN). */
export type KpiValue = { readonly value: number } | { readonly value: null; readonly reason: Reason<InsightsReasonCode> };

/** What a KPI formula reads: this group's counters, the previous period's (same other dimensions), its spend. */
export interface KpiInputs {
  readonly c: Float64Array;
  readonly previous: Float64Array | undefined;
  readonly spend: number | undefined;
}

/** One registry entry. */
export interface KpiDefinition {
  readonly name: KpiName;
  readonly label: string;
  readonly unit: KpiUnit;
  /** The formula, in the words docs/insights.md uses. */
  readonly formula: string;
  readonly compute: (inputs: KpiInputs) => KpiValue;
}

const count = (slot: number) => (i: KpiInputs): KpiValue => ({ value: i.c[slot]! });
const rate =
  (num: number, den: number, denName: string) =>
  (i: KpiInputs): KpiValue => {
    const d = i.c[den]!;
    if (d === 0) return { value: null, reason: reason('ZERO_DENOMINATOR', `No ${denName} in this group`, { detail: { denominator: denName } }) };
    return { value: i.c[num]! / d };
  };

/**
 * Every KPI name, in the order dashboards show them.
 *
 * @example
 * ```ts
 * KPI_NAMES.includes('conversionRate'); // true
 * ```
 */
export const KPI_NAMES = [
  'contacts',
  'marketingContacts',
  'delivered',
  'opened',
  'clicked',
  'converted',
  'deliveryRate',
  'openRate',
  'clickThroughRate',
  'clickToOpenRate',
  'conversionRate',
  'optOutRate',
  'complaintRate',
  'contactsPerPerson',
  'purchases',
  'revenue',
  'conversionValue',
  'revenuePerContact',
  'averageOrderValue',
  'cartAbandonmentRate',
  'activePeople',
  'buyers',
  'repeatPurchaseRate',
  'retentionRate',
  'newCustomers',
  'spend',
  'customerAcquisitionCost',
] as const;

/** A KPI name from the registry. */
export type KpiName = (typeof KPI_NAMES)[number];

/** One definition per name of {@link KPI_NAMES}, in its order (the names are written once, there). */
type EachOf<T extends readonly unknown[], V> = { readonly [K in keyof T]: V };
const defs: EachOf<typeof KPI_NAMES, Omit<KpiDefinition, 'name'>> = [
  // contacts
  { label: 'Contacts sent', unit: 'count', formula: 'number of contacts (every ContactRecord in the group)', compute: count(COUNTER.contacts) },
  // marketingContacts
  { label: 'Marketing contacts', unit: 'count', formula: 'number of contacts with transactional = false', compute: count(COUNTER.marketingContacts) },
  // delivered
  { label: 'Delivered', unit: 'count', formula: 'contacts − contacts carrying an undelivered tag (default bounced, undelivered, failed)', compute: count(COUNTER.delivered) },
  // opened
  { label: 'Opened', unit: 'count', formula: 'responses of kind opened, once per contact', compute: count(COUNTER.opened) },
  // clicked
  { label: 'Clicked', unit: 'count', formula: 'responses of kind clicked, once per contact', compute: count(COUNTER.clicked) },
  // converted
  { label: 'Conversions', unit: 'count', formula: 'number of responses of kind converted', compute: count(COUNTER.converted) },
  // deliveryRate
  { label: 'Delivery rate', unit: 'rate', formula: 'delivered ÷ contacts', compute: rate(COUNTER.delivered, COUNTER.contacts, 'contacts') },
  // openRate
  { label: 'Open rate', unit: 'rate', formula: 'opened ÷ delivered', compute: rate(COUNTER.opened, COUNTER.delivered, 'delivered contacts') },
  // clickThroughRate
  { label: 'Click-through rate', unit: 'rate', formula: 'clicked ÷ delivered', compute: rate(COUNTER.clicked, COUNTER.delivered, 'delivered contacts') },
  // clickToOpenRate
  { label: 'Click-to-open rate', unit: 'rate', formula: 'clicked ÷ opened', compute: rate(COUNTER.clicked, COUNTER.opened, 'opens') },
  // conversionRate
  { label: 'Conversion rate', unit: 'rate', formula: 'converted ÷ delivered', compute: rate(COUNTER.converted, COUNTER.delivered, 'delivered contacts') },
  // optOutRate
  { label: 'Opt-out rate', unit: 'rate', formula: 'responses of kind unsubscribed ÷ delivered', compute: rate(COUNTER.unsubscribed, COUNTER.delivered, 'delivered contacts') },
  // complaintRate
  { label: 'Complaint rate', unit: 'rate', formula: 'responses of kind complained ÷ delivered', compute: rate(COUNTER.complained, COUNTER.delivered, 'delivered contacts') },
  // contactsPerPerson
  { label: 'Contacts per person reached', unit: 'ratio', formula: 'contacts ÷ distinct people contacted', compute: rate(COUNTER.contacts, COUNTER.reached, 'people contacted') },
  // purchases
  { label: 'Orders', unit: 'count', formula: 'number of purchase events', compute: count(COUNTER.purchases) },
  // revenue
  { label: 'Revenue', unit: 'amount', formula: 'sum of the amount property of purchase events', compute: count(COUNTER.revenue) },
  // conversionValue
  { label: 'Conversion value', unit: 'amount', formula: 'sum of value of responses of kind converted', compute: count(COUNTER.conversionValue) },
  // revenuePerContact
  { label: 'Revenue per contact', unit: 'amount', formula: 'revenue ÷ contacts', compute: rate(COUNTER.revenue, COUNTER.contacts, 'contacts') },
  // averageOrderValue
  { label: 'Average order value', unit: 'amount', formula: 'revenue ÷ purchases', compute: rate(COUNTER.revenue, COUNTER.purchases, 'purchases') },
  // cartAbandonmentRate
  {
    label: 'Cart abandonment rate',
    unit: 'rate',
    formula: 'cart_abandon events ÷ (cart_abandon events + purchase events): every started cart ends abandoned or bought',
    compute: (i) => {
      const d = i.c[COUNTER.cartAbandons]! + i.c[COUNTER.purchases]!;
      return d === 0 ? { value: null, reason: reason('ZERO_DENOMINATOR', 'No cart ended in this group', { detail: { denominator: 'carts' } }) } : { value: i.c[COUNTER.cartAbandons]! / d };
    },
  },
  // activePeople
  { label: 'Active people', unit: 'count', formula: 'distinct people with a behaviour event or a response in the group', compute: count(COUNTER.people) },
  // buyers
  { label: 'Buyers', unit: 'count', formula: 'distinct people with a purchase event in the group', compute: count(COUNTER.buyers) },
  // repeatPurchaseRate
  { label: 'Repeat-purchase rate', unit: 'rate', formula: 'buyers with ≥ 2 purchases in the group ÷ buyers', compute: rate(COUNTER.repeatBuyers, COUNTER.buyers, 'buyers') },
  // retentionRate
  {
    label: 'Retention rate',
    unit: 'rate',
    formula: 'people active in both this period and the previous one ÷ people active in the previous period (same channel/campaign/offer/segment)',
    compute: (i) => {
      if (i.previous === undefined) return { value: null, reason: reason('NO_PREVIOUS_PERIOD', 'No period before this one in the table') };
      const d = i.previous[COUNTER.people]!;
      return d === 0 ? { value: null, reason: reason('ZERO_DENOMINATOR', 'Nobody active in the previous period', { detail: { denominator: 'people' } }) } : { value: i.c[COUNTER.retained]! / d };
    },
  },
  // newCustomers
  { label: 'New customers', unit: 'count', formula: "people whose first purchase ever is in the group (the group of that purchase event)", compute: count(COUNTER.acquired) },
  // spend
  {
    label: 'Spend',
    unit: 'amount',
    formula: 'sum of the spend table rows matching the group (channel, and period when grouped by period)',
    compute: (i) => (i.spend === undefined ? { value: null, reason: reason('NO_SPEND', 'The spend table has no row for this group') } : { value: i.spend }),
  },
  // customerAcquisitionCost
  {
    label: 'Customer acquisition cost',
    unit: 'amount',
    formula: 'spend ÷ new customers',
    compute: (i) => {
      if (i.spend === undefined) return { value: null, reason: reason('NO_SPEND', 'The spend table has no row for this group') };
      const d = i.c[COUNTER.acquired]!;
      return d === 0 ? { value: null, reason: reason('ZERO_DENOMINATOR', 'No new customer in this group', { detail: { denominator: 'new customers' } }) } : { value: i.spend / d };
    },
  },
];

/**
 * The registry: each KPI once, by name, with its label, unit and formula.
 *
 * @example
 * ```ts
 * KPI_REGISTRY.conversionRate.formula; // 'converted ÷ delivered'
 * ```
 */
export const KPI_REGISTRY: Readonly<Record<KpiName, KpiDefinition>> = Object.freeze(Object.fromEntries(defs.map((d, i) => [KPI_NAMES[i], Object.freeze({ name: KPI_NAMES[i]!, ...d })]))) as Readonly<
  Record<KpiName, KpiDefinition>
>;

/**
 * Checks a list of KPI names against the registry; an unknown name throws `INSIGHTS_KPI_UNKNOWN` with its path.
 *
 * @example
 * ```ts
 * resolveKpis(['revenue', 'conversionRate']); // the two definitions
 * ```
 */
export function resolveKpis(names: unknown, path: ReadonlyArray<string | number> = ['kpis']): KpiDefinition[] {
  if (!Array.isArray(path) || path.some((p) => typeof p !== 'string' && typeof p !== 'number')) path = ['kpis'];
  if (!Array.isArray(names)) throw inputError('Expected an array of KPI names', path);
  // Every index, holes included (map skips a hole and leaves one in its answer).
  return Array.from(names as unknown[], (n, i) => {
    if (typeof n !== 'string' || !Object.prototype.hasOwnProperty.call(KPI_REGISTRY, n)) {
      throw new CrossChannelError<InsightsErrorCode>('INSIGHTS_KPI_UNKNOWN', `Unknown KPI ${quoted(n)}`, {
        path: [...path, i],
        detail: { known: KPI_NAMES },
      });
    }
    return KPI_REGISTRY[n as KpiName];
  });
}
