/**
 * The demo's experiments section: the retailer runs a 5 % global holdout (no marketing contact at all) and an A/B
 * test of two email subject lines on everyone else, for `days` days. The simulation knows each customer's hidden
 * open rate, buying propensity and basket, so it knows the *true* average effects; the report shows what the
 * library measured from the shared history (exposure and purchase events) against that truth.
 */
import { createHistory, createRng, DAY, type BehaviourEvent, type History } from 'crosschannel';
import {
  analyzeExperiment,
  assign,
  createHoldoutCheck,
  experimentReport,
  experimentReportHtml,
  exposureEvent,
  parseExperiment,
  parseHoldout,
  parseMetrics,
  statsFromHistories,
  wouldHaveSentEvent,
  type ExperimentReport,
} from 'crosschannel/experiments';
import { createWorld, type Customer } from './world.js';

/** What the section measured and the truth it is compared with. */
export interface ExperimentsSection {
  readonly report: ExperimentReport;
  readonly text: string;
  readonly html: string;
}

// Hidden truth of the simulation (per email sent): an emoji subject line lifts opens by 15 % relative; an opened
// campaign email leads to a purchase with probability 0.25 × the customer's buying propensity.
const EMOJI_OPEN_LIFT = 1.15;
const PURCHASE_AFTER_OPEN = 0.25;
const EMAILS_PER_WEEK = 2;

/**
 * Runs the section on the demo world (same seed and customers as the main simulation).
 *
 * @example
 * ```ts
 * const section = runExperimentsSection({ seed: 42, customers: 10_000, days: 30 });
 * console.log(section.text);
 * ```
 */
export function runExperimentsSection(options: { seed: number; customers: number; days: number }): ExperimentsSection {
  const start = Date.parse('2026-03-02T00:00:00Z');
  const world = createWorld({ seed: options.seed, customers: options.customers, days: options.days, start });
  const rng = createRng(options.seed + 17);
  const holdout = parseHoldout({ id: 'global-2026', share: 0.05 });
  const isHeld = createHoldoutCheck({ holdout });
  const subject = parseExperiment({ id: 'subject-line', variants: [{ id: 'plain' }, { id: 'emoji' }] });
  const end = start + options.days * DAY;
  const histories: History[] = [];
  // Expected purchases per person over the test, by arm, from the hidden parameters.
  const truth = { contacted: 0, held: 0, plain: 0, emoji: 0, nContacted: 0, nHeld: 0, nPlain: 0, nEmoji: 0 };
  const sends = Math.max(1, Math.round((options.days / 7) * EMAILS_PER_WEEK));

  for (const c of world.customers) {
    const id = c.trueId;
    const events: BehaviourEvent[] = [];
    const organicRate = organic(c);
    // Pre-period purchases (CUPED covariate): organic only.
    for (let t = start - 28 * DAY; t < start; t += DAY) if (rng.next() < organicRate) events.push(purchase(id, t + rng.int(DAY), c, rng));
    const first = start + rng.int(DAY);
    const h = isHeld(id, { channel: 'email', now: first });
    const arm = h.held ? null : assign(subject, id, { now: first });
    if (h.held) {
      events.push({ subjectId: id, type: 'experiment_exposure', at: first, channel: 'email', properties: { experimentId: 'global-2026', variantId: 'holdout', variantIndex: 0, held: true } });
      for (let k = 0; k < sends; k++) events.push(wouldHaveSentEvent(h, { subjectId: id, at: first + k * (DAY * 7) / EMAILS_PER_WEEK, channel: 'email', campaignId: 'spring' }));
    } else {
      events.push({ subjectId: id, type: 'experiment_exposure', at: first, channel: 'email', properties: { experimentId: 'global-2026', variantId: 'contacted', variantIndex: 1, held: false } });
      events.push(exposureEvent(arm!, { subjectId: id, at: first, channel: 'email' })!);
    }
    const openRate = Math.min(1, c.traits.openRate * (arm?.variantId === 'emoji' ? EMOJI_OPEN_LIFT : 1));
    const perSend = h.held ? 0 : openRate * PURCHASE_AFTER_OPEN * c.traits.buyPropensity;
    // Test period: organic purchases for everyone, plus the ones the emails cause.
    for (let t = first; t < end; t += DAY) if (rng.next() < organicRate) events.push(purchase(id, t + rng.int(DAY), c, rng));
    for (let k = 0; k < sends; k++) {
      const at = first + (k * DAY * 7) / EMAILS_PER_WEEK;
      if (at < end && rng.next() < perSend) events.push(purchase(id, at + rng.int(DAY), c, rng));
    }
    const caused = perSend * sends;
    if (h.held) (truth.held += 0, truth.nHeld++);
    else {
      truth.contacted += caused;
      truth.nContacted++;
      if (arm?.variantId === 'emoji') (truth.emoji += caused, truth.nEmoji++);
      else if (arm?.variantId === 'plain') (truth.plain += caused, truth.nPlain++);
    }
    histories.push(createHistory(id, { events: events.sort((a, b) => a.at - b.at) }));
  }

  const metrics = parseMetrics([{ id: 'purchases', type: 'purchase', aggregate: 'count', window: options.days * DAY, covariateWindow: 28 * DAY }]);
  const now = end + DAY;
  const holdoutStats = statsFromHistories('global-2026', ['holdout', 'contacted'], metrics, histories, now);
  const abStats = statsFromHistories('subject-line', ['plain', 'emoji'], metrics, histories, now);
  const holdoutAnalysis = analyzeExperiment(holdoutStats, { metric: 'purchases', expectedShares: [0.05, 0.95], sequential: { tau: 0.1 } });
  const abAnalysis = analyzeExperiment(abStats, { metric: 'purchases', sequential: { tau: 0.05 } });
  const trueProgramme = truth.contacted / truth.nContacted;
  const trueSubject = truth.emoji / truth.nEmoji - truth.plain / truth.nPlain;
  const report = experimentReport([holdoutAnalysis, abAnalysis], { 'global-2026/purchases/contacted': trueProgramme, 'subject-line/purchases/emoji': trueSubject });
  const line = (r: ExperimentReport['rows'][number]) =>
    `  ${r.experimentId.padEnd(13)} ${`${r.variantId} vs ${r.control}`.padEnd(22)} ${r.estimate.toFixed(4).padStart(8)} [${r.lower.toFixed(4)}, ${r.upper.toFixed(4)}]  always-valid [${r.sequentialLower.toFixed(4)}, ${r.sequentialUpper.toFixed(4)}]  P(beat) ${(r.chanceToBeatControl * 100).toFixed(1)} %  truth ${r.truth!.toFixed(4)} ${r.lower <= r.truth! && r.truth! <= r.upper ? '(covered)' : '(NOT covered)'}`;
  const text = [
    `Experiments — ${holdoutAnalysis.variants[0]!.units.toLocaleString('en-US')} people in the 5 % global holdout, a subject-line A/B test on the others`,
    `  extra purchases per person over ${options.days} days (CUPED on 28 days before, variance −${(abAnalysis.cuped!.varianceReduction * 100).toFixed(0)} %):`,
    ...report.rows.map(line),
    `  SRM: holdout p = ${holdoutAnalysis.srm.pValue.toPrecision(2)}, A/B p = ${abAnalysis.srm.pValue.toPrecision(2)}`,
  ].join('\n');
  return { report, text, html: experimentReportHtml(report, 'Demo retailer — holdout and subject-line test') };
}

function organic(c: Customer): number {
  // A visit a day turns into a purchase with the buying propensity, a tenth of the time.
  return Math.min(0.5, 0.1 * c.traits.visitRate * c.traits.buyPropensity);
}

function purchase(subjectId: string, at: number, c: Customer, rng: ReturnType<typeof createRng>): BehaviourEvent {
  return { subjectId, type: 'purchase', at, channel: 'web', properties: { amount: Math.round(c.traits.basket * (0.5 + rng.next()) * 100) / 100 } };
}
