/**
 * Insights on a small synthetic retailer: 3,000 people contacted by email, sms and push over eight weeks, who
 * open, click, convert or unsubscribe, browse, fill carts, abandon or buy. Prints KPIs per channel, the funnel,
 * cohorts, pressure against a weekly cap, a BG/NBD + Gamma-Gamma fit and personas, and writes the dashboard.
 * Run: npx tsx examples/insights.ts [insights.html]   (the dashboard is written only when a file is named)
 */
import { writeFileSync } from 'node:fs';
import { createRng, DAY, type BehaviourEvent, type ContactRecord, type ResponseRecord } from 'crosschannel';
import {
  CohortAccumulator,
  FunnelAccumulator,
  accumulateKpis,
  cohortReport,
  findPersonas,
  fitBgNbd,
  fitGammaGamma,
  funnelReport,
  kpiTable,
  predictCustomerValue,
  pressureReport,
  renderDashboard,
  summariseCustomers,
  type SubjectHistory,
} from 'crosschannel/insights';

const rng = createRng(2026);
const start = Date.UTC(2026, 2, 2); // a Monday
const now = start + 8 * 7 * DAY;
const histories: SubjectHistory[] = [];
for (let p = 0; p < 3000; p++) {
  const subjectId = `cust-${p}`;
  const keen = rng.next();
  const contacts: ContactRecord[] = [];
  const responses: ResponseRecord[] = [];
  const events: BehaviourEvent[] = [];
  for (let i = 0; i < rng.int(10); i++) {
    const channel = ['email', 'sms', 'push'][rng.int(3)]!;
    const at = start + rng.int(56 * 24) * 3_600_000;
    const id = `${subjectId}-${i}`;
    const bounced = rng.next() < 0.03;
    contacts.push({ id, subjectId, channel, campaignId: rng.next() < 0.5 ? 'spring' : 'loyalty', tags: bounced ? ['bounced'] : ['marketing'], at, transactional: false });
    if (!bounced && rng.next() < 0.2 + 0.5 * keen) {
      responses.push({ id: `${id}-o`, subjectId, contactId: id, kind: 'opened', channel, tags: [], at: at + 60_000 });
      if (rng.next() < 0.3 * keen) responses.push({ id: `${id}-c`, subjectId, contactId: id, kind: 'clicked', channel, tags: [], at: at + 120_000 });
    } else if (rng.next() < 0.02) responses.push({ id: `${id}-u`, subjectId, contactId: id, kind: 'unsubscribed', channel, tags: [], at: at + 60_000 });
  }
  const visits = rng.int(1 + Math.floor(24 * keen ** 3)); // a few keen customers buy far more often than most
  for (let v = 0; v < visits; v++) {
    let at = start + rng.int(56) * DAY + rng.int(DAY);
    const channel = rng.next() < 0.6 ? 'web' : 'app';
    events.push({ subjectId, type: 'page_view', at, channel, properties: {} });
    if (rng.next() < 0.4) {
      events.push({ subjectId, type: 'cart_add', at: (at += 300_000), channel, properties: {} });
      if (rng.next() < 0.55) events.push({ subjectId, type: 'purchase', at: at + 300_000, channel, properties: { amount: 15 + rng.int(120) } });
      else events.push({ subjectId, type: 'cart_abandon', at: at + 1_800_000, channel, properties: {} });
    }
  }
  const byAt = (a: { at: number }, b: { at: number }) => a.at - b.at;
  const seen = (r: { at: number }) => r.at < now; // the history as of now
  histories.push({ subjectId, contacts: contacts.filter(seen).sort(byAt), responses: responses.filter(seen).sort(byAt), events: events.filter(seen).sort(byAt) });
}

// KPIs per channel over the whole range, and per week for the dashboard tiles.
const byChannel = kpiTable(accumulateKpis(histories, { by: ['channel'] }), ['contacts', 'deliveryRate', 'openRate', 'clickThroughRate', 'optOutRate', 'purchases', 'revenue']);
const show = (v: { value: number | null } | undefined): string => (v === undefined || v.value === null ? '—' : Number.isInteger(v.value) ? String(v.value) : v.value.toFixed(3));
console.log(`| group | ${byChannel.kpis.join(' | ')} |\n|---|${byChannel.kpis.map(() => '---').join('|')}|`);
for (const r of byChannel.rows) console.log(`| ${r.label} | ${byChannel.kpis.map((k) => show(r.values[k])).join(' | ')} |`);

const weekly = accumulateKpis(histories, { by: ['period'], period: 'week', timeZone: 'UTC' });
const caps = { timeZone: 'UTC', rules: [{ id: 'marketing-week', kind: 'limit' as const, limit: 3, window: 'week' as const, scope: { tags: 'marketing' } }] };
const pressure = pressureReport(weekly, caps);
for (const p of pressure) console.log(`pressure ${p.channel}: mean ${p.mean.toFixed(2)} per person-week, p90 ${p.p90}, ${p.overCap} person-weeks over the cap`);

const funnel = new FunnelAccumulator({ steps: ['page_view', 'cart_add', 'purchase'], window: '1h' });
const cohorts = new CohortAccumulator({ period: 'week', timeZone: 'UTC', activeEvents: ['page_view', 'purchase'] });
for (const h of histories) {
  funnel.add(h);
  cohorts.add(h);
}
const f = funnelReport(funnel);
console.log(`funnel: ${f.steps.map((s) => `${s.step} ${s.reached}`).join(' → ')}; after cart_add, ${f.steps[1]?.topDropPaths[0]?.path ?? '—'} is the most common path of those who stopped`);

const customers = summariseCustomers(histories, now, { unit: 'week' });
const bg = fitBgNbd(customers);
const gg = fitGammaGamma(customers);
// Read the fits through what they mean: this synthetic population never churns (mean dropout a/(a+b) ≈ 0) and
// its order values do not depend on the customer (q, γ → ∞ with p·γ/(q−1) the mean order value).
console.log(`BG/NBD: mean purchase rate ${(bg.r / bg.alpha).toFixed(3)} a week, mean dropout after a purchase ${(bg.a / (bg.a + bg.b)).toFixed(4)}`);
console.log(`Gamma-Gamma: mean order value ${((gg.p * gg.gamma) / (gg.q - 1)).toFixed(2)}`);
const values = customers.map((c) => predictCustomerValue(bg, gg, c, { horizon: 52, discountRate: 0.002 }).value);

const personas = findPersonas(
  customers.map((c) => ({ subjectId: c.subjectId, features: { orders: c.orders, revenue: c.revenue, weeksAsCustomer: c.age } })),
  { k: 3, seed: 7 },
);
for (const p of personas) console.log(p.description);

const out = process.argv[2];
const html = renderDashboard({
  title: 'Synthetic retailer — insights',
  generatedAt: now,
  kpis: kpiTable(weekly, ['contacts', 'deliveryRate', 'openRate', 'optOutRate', 'purchases', 'revenue', 'cartAbandonmentRate', 'retentionRate']),
  funnel: f,
  cohorts: cohortReport(cohorts, now),
  pressure,
  customerValues: values,
  personas,
});
if (out) {
  writeFileSync(out, html);
  console.log(`dashboard: ${out}`);
} else console.log(`dashboard: ${html.length} characters (pass a file name to save it)`);
