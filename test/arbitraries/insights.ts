/**
 * A seeded synthetic population for the insights suites, benchmark and demo: people contacted on several
 * channels over `weeks` weeks, who open, click, convert or unsubscribe, browse, fill carts, abandon or buy.
 * Records are built already parsed (epoch ms, defaults filled), as stores return them.
 */
import type { BehaviourEvent, ContactRecord, ResponseRecord } from '../../src/core/records.js';
import { createRng } from '../../src/core/random.js';
import type { SubjectHistory } from '../../src/insights/accumulate.js';

const CHANNELS = ['email', 'sms', 'push'] as const;
const CAMPAIGNS = ['spring', 'loyalty', 'winback'] as const;
const SEGMENTS = ['vip', 'new', 'lapsed'] as const;
const DAY = 86_400_000;

/** Options of {@link syntheticHistories}. */
export interface SyntheticOptions {
  readonly people: number;
  readonly seed: number;
  /** First instant of the simulated range. */
  readonly start: number;
  readonly weeks?: number;
}

/** Generates one history per person (a generator, so 10M records need not be in memory at once). */
export function* syntheticHistories(o: SyntheticOptions): Generator<SubjectHistory> {
  const rng = createRng(o.seed);
  const days = (o.weeks ?? 8) * 7;
  for (let p = 0; p < o.people; p++) {
    const subjectId = `p${p}`;
    const engagement = rng.next();
    const contacts: ContactRecord[] = [];
    const responses: ResponseRecord[] = [];
    const events: BehaviourEvent[] = [];
    const nContacts = rng.int(8);
    for (let i = 0; i < nContacts; i++) {
      const channel = CHANNELS[rng.int(3)]!;
      const at = o.start + rng.int(days * 24) * 3_600_000 + rng.int(3_600_000);
      const bounced = rng.next() < 0.04;
      const id = `${subjectId}-c${i}`;
      const campaignId = CAMPAIGNS[rng.int(3)]!;
      contacts.push({ id, subjectId, channel, campaignId, tags: bounced ? ['bounced'] : ['marketing'], at, transactional: rng.next() < 0.1 });
      if (bounced) continue;
      if (rng.next() < 0.3 + 0.4 * engagement) {
        responses.push({ id: `${id}-o`, subjectId, contactId: id, kind: 'opened', channel, campaignId, tags: [], at: at + 60_000 });
        if (rng.next() < 0.3 * engagement + 0.05) {
          responses.push({ id: `${id}-k`, subjectId, contactId: id, kind: 'clicked', channel, campaignId, tags: [], at: at + 120_000 });
          if (rng.next() < 0.3) responses.push({ id: `${id}-v`, subjectId, contactId: id, kind: 'converted', channel, campaignId, tags: [], at: at + 180_000, value: 20 + rng.int(80) });
        }
      } else if (rng.next() < 0.02) responses.push({ id: `${id}-u`, subjectId, contactId: id, kind: 'unsubscribed', channel, campaignId, tags: [], at: at + 90_000 });
    }
    const visits = rng.int(1 + Math.floor(6 * engagement));
    for (let v = 0; v < visits; v++) {
      const channel = rng.next() < 0.5 ? 'web' : 'app';
      let at = o.start + rng.int(days) * DAY + rng.int(DAY);
      events.push({ subjectId, type: 'page_view', at, channel, properties: {} });
      if (rng.next() < 0.5) {
        at += rng.int(3_600_000);
        events.push({ subjectId, type: 'cart_add', at, channel, properties: {} });
        if (rng.next() < 0.6) {
          at += rng.int(3_600_000);
          events.push({ subjectId, type: 'checkout', at, channel, properties: {} });
          if (rng.next() < 0.7) {
            at += rng.int(600_000);
            events.push({ subjectId, type: 'purchase', at, channel, properties: { amount: 10 + rng.int(190) } });
            continue;
          }
        }
        events.push({ subjectId, type: 'cart_abandon', at: at + 1_800_000, channel, properties: {} });
      }
    }
    const byAt = <T extends { at: number }>(a: T, b: T) => a.at - b.at;
    contacts.sort(byAt);
    responses.sort(byAt);
    events.sort(byAt);
    const segments = SEGMENTS.filter(() => rng.next() < 0.4);
    yield { subjectId, contacts, responses, events, segments };
  }
}
