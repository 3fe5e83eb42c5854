/**
 * `crosschannel/insights` — the numbers of an omnichannel programme from the one shared history: KPIs per
 * channel, campaign, offer, segment and local period (one pass, mergeable), marketing pressure against the caps
 * in force, funnels and path friction, acquisition cohorts, customer value (historical; BG/NBD and Gamma-Gamma
 * fitted by maximum likelihood), personas exported as segment rules, an offline HTML dashboard, and the same
 * KPIs, funnels and cohorts as PostgreSQL SQL. Guide: [docs/insights.md](../../docs/insights.md).
 *
 * @example
 * ```ts
 * import { accumulateKpis, kpiTable, renderDashboard, type SubjectHistory } from 'crosschannel/insights';
 * declare const histories: SubjectHistory[];
 * const acc = accumulateKpis(histories, { by: ['period'], period: 'week', timeZone: 'Europe/Paris' });
 * const html = renderDashboard({ generatedAt: Date.now(), kpis: kpiTable(acc, ['contacts', 'conversionRate', 'revenue']) });
 * ```
 * @packageDocumentation
 *
 * @document ../../docs/insights.md
 */
export type { InsightsErrorCode, InsightsReasonCode } from './errors.js';
export { KPI_NAMES, KPI_REGISTRY, resolveKpis, type KpiName, type KpiDefinition, type KpiValue, type KpiUnit, type KpiInputs } from './kpis.js';
export { GROUP_DIMENSIONS, kpiOptionsSchema, parseKpiOptions, type GroupDimension, type KpiOptions, type KpiOptionsInput } from './options.js';
export { KpiAccumulator, accumulateKpis, NONE, type SubjectHistory, type GroupKey, type KpiStateJSON } from './accumulate.js';
export { kpiTable, labelOf, spendTableSchema, type KpiTable, type KpiRow, type KpiTableOptions, type SpendTableInput } from './table.js';
export { pressureReport, weeklyCap, type ChannelPressure, type WeeklyCap } from './pressure.js';
export { FunnelAccumulator, funnelReport, funnelSchema, type Funnel, type FunnelInput, type FunnelReport, type FunnelStep, type FunnelStateJSON } from './funnels.js';
export {
  CohortAccumulator,
  cohortReport,
  cohortOptionsSchema,
  type CohortOptions,
  type CohortOptionsInput,
  type CohortReport,
  type CohortRow,
  type CohortStateJSON,
} from './cohorts.js';
export {
  fitBgNbd,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  bgNbdExpectedPurchases,
  type BgNbdParams,
  type BgNbdFit,
  type CustomerSummary,
} from './bgnbd.js';
export { fitGammaGamma, gammaGammaLogLikelihood, gammaGammaExpectedValue, type GammaGammaParams, type GammaGammaFit, type SpendSummary } from './gamma-gamma.js';
export { summariseCustomers, predictCustomerValue, clvOptionsSchema, type ClvOptionsInput, type CustomerValueSummary, type PredictOptions, type PredictedValue } from './clv.js';
export { simulateBgNbd, simulateGammaGamma } from './simulate.js';
export { findPersonas, personaOptionsSchema, type Persona, type PersonaInput, type PersonaOptionsInput, type PersonaTrait } from './personas.js';
export { renderDashboard, type DashboardInput } from './dashboard.js';
export { insightsSqlSourceSchema, kpiSql, kpiStateFromSql, funnelStateFromSql, cohortStateFromSql, type InsightsSqlSourceInput } from './sql.js';
