/**
 * The demo's insights section: after the simulation, reads every profile's history from the demo's stores and
 * writes `demo-output/insights.html` — KPIs per week, funnel, cohorts, pressure against the retailer's caps,
 * customer value and personas — with `crosschannel/insights`. Hooked into `examples/demo.ts` through the
 * simulation's `inspect` callback.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecideStores } from 'crosschannel/decide';
import {
  CohortAccumulator,
  FunnelAccumulator,
  KpiAccumulator,
  cohortReport,
  findPersonas,
  funnelReport,
  kpiTable,
  pressureReport,
  renderDashboard,
  summariseCustomers,
  type SubjectHistory,
} from 'crosschannel/insights';
import type { CapRuleSetInput } from 'crosschannel/capping';
import { RETAILER_CONFIG } from './retailer.js';

/** Returns the `inspect` callback that writes the dashboard to `<outDir>/insights.html` as of `now`. */
export function insightsSection(outDir: string, now: number): (stores: DecideStores, profileIds: ReadonlyArray<string>) => Promise<void> {
  return async (stores, profileIds) => {
    const histories: SubjectHistory[] = [];
    for (const id of profileIds) {
      const [h, events] = await Promise.all([stores.contacts.history(id), stores.events.read(id)]);
      histories.push({ ...h, events });
    }
    const kpis = new KpiAccumulator({ by: ['period'], period: 'week', timeZone: 'Europe/Paris' });
    const funnel = new FunnelAccumulator({ steps: ['page_view', 'cart_add', 'purchase'], window: '1h' });
    const cohorts = new CohortAccumulator({ period: 'week', timeZone: 'Europe/Paris', activeEvents: ['page_view', 'app_open', 'purchase'] });
    for (const h of histories) {
      kpis.add(h);
      funnel.add(h);
      cohorts.add(h);
    }
    const customers = summariseCustomers(histories, now, { unit: 'day' });
    const personas =
      customers.length >= 3
        ? findPersonas(
            customers.map((c) => ({ subjectId: c.subjectId, features: { orders: c.orders, revenue: c.revenue, daysSinceFirstOrder: c.age } })),
            { k: 3, seed: 1 },
          )
        : [];
    const html = renderDashboard({
      title: 'crosschannel demo — insights',
      generatedAt: now,
      kpis: kpiTable(kpis, ['contacts', 'deliveryRate', 'openRate', 'conversionRate', 'optOutRate', 'purchases', 'revenue', 'averageOrderValue', 'cartAbandonmentRate', 'activePeople', 'retentionRate']),
      funnel: funnelReport(funnel),
      cohorts: cohortReport(cohorts, now),
      pressure: pressureReport(kpis, RETAILER_CONFIG.caps as CapRuleSetInput),
      customerValues: customers.map((c) => c.revenue),
      personas,
    });
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'insights.html'), html);
  };
}
