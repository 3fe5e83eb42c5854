/**
 * An A/B/n test of email subject lines with a 5 % global holdout: assignment (GrowthBook-compatible), sticky
 * enrolment with an anonymous visitor identified later, exposures logged as events of the shared history,
 * purchases simulated, then the analysis (CUPED, always-valid intervals, chance to beat control, SRM, Holm) and
 * the offline HTML report.
 * Run: npx tsx examples/experiments.ts [report.html]
 */
import { writeFileSync } from 'node:fs';
import { MemoryAssignmentStore } from 'crosschannel/adapters/memory';
import { createHistory, createRng, DAY, type BehaviourEvent } from 'crosschannel';
import {
  analyzeExperiment,
  createHoldoutCheck,
  enroll,
  experimentReport,
  experimentReportHtml,
  exposureEvent,
  parseExperimentSet,
  parseMetrics,
  statsFromHistories,
} from 'crosschannel/experiments';

const start = Date.parse('2026-04-01T08:00:00Z');
const set = parseExperimentSet({
  holdout: { id: 'global-2026', share: 0.05 },
  experiments: [{ id: 'subject-line', variants: [{ id: 'control' }, { id: 'emoji' }, { id: 'question' }], hashVersion: 2 }],
});
const exp = set.byId.get('subject-line')!;
const isHeld = createHoldoutCheck({ holdout: set.holdout });
const store = new MemoryAssignmentStore();

// An anonymous visitor sees the test on the web, then signs up: the person keeps the visitor's variant.
const anon = await enroll(store, exp, { subjectId: 'anon-cookie-7' }, { now: start, holdout: set.holdout });
const known = await enroll(store, exp, { subjectId: 'person-7', anonymousId: 'anon-cookie-7' }, { now: start + DAY, holdout: set.holdout });
console.log(`anonymous visitor: ${anon.assignment.variantId}; after sign-up: ${known.assignment.variantId} (${known.assignment.reason.code})`);

// 30,000 people; the hidden truth: emoji +0.6 pp purchase probability, question −0.2 pp; contact itself +1 pp.
const rng = createRng(2026);
const lift: Record<string, number> = { control: 0, emoji: 0.006, question: -0.002 };
const histories = [];
for (let i = 0; i < 30_000; i++) {
  const id = `person-${i}`;
  const base = 0.02 + 0.03 * rng.next();
  const events: BehaviourEvent[] = [];
  for (let d = 1; d <= 28; d++) if (rng.next() < base / 7) events.push({ subjectId: id, type: 'purchase', at: start - d * DAY, properties: { amount: 40 } });
  const held = isHeld(id, { channel: 'email', now: start });
  let p = base;
  if (!held.held) {
    const { assignment } = await enroll(store, exp, { subjectId: id }, { now: start });
    events.push(exposureEvent(assignment, { subjectId: id, at: start, channel: 'email' })!);
    p += 0.01 + lift[assignment.variantId!]!;
  }
  if (rng.next() < p) events.push({ subjectId: id, type: 'purchase', at: start + rng.int(7 * DAY), properties: { amount: 40 } });
  histories.push(createHistory(id, { events }));
}

const metrics = parseMetrics([{ id: 'converted', type: 'purchase', window: '7d', covariateWindow: '28d' }]);
const stats = statsFromHistories('subject-line', ['control', 'emoji', 'question'], metrics, histories, start + 8 * DAY);
const analysis = analyzeExperiment(stats, { metric: 'converted', kind: 'proportion', sequential: { tau: 0.01 } });
for (const v of analysis.variants) console.log(`${v.variantId.padEnd(9)} ${String(v.units).padStart(6)} units, conversion ${(v.mean * 100).toFixed(2)} %`);
for (const c of analysis.comparisons) {
  const d = c.difference;
  console.log(
    `${c.variantId} vs ${c.control}: ${(d.estimate * 100).toFixed(2)} pp [${(d.lower * 100).toFixed(2)}, ${(d.upper * 100).toFixed(2)}], always-valid [${(c.sequential.lower * 100).toFixed(2)}, ${(c.sequential.upper * 100).toFixed(2)}], ` +
      `P(beat control) ${(c.bayesian.chanceToBeatControl * 100).toFixed(1)} %, Holm p ${c.adjustedPValue.toPrecision(2)}${c.significant ? ' — significant' : ''}`,
  );
}
console.log(`SRM p = ${analysis.srm.pValue.toPrecision(2)}${analysis.srm.mismatch ? ' — MISMATCH, do not trust the effects' : ''}; CUPED variance −${((analysis.cuped?.varianceReduction ?? 0) * 100).toFixed(1)} %`);

const out = process.argv[2];
if (out) {
  writeFileSync(out, experimentReportHtml(experimentReport([analysis], { 'subject-line/converted/emoji': 0.006, 'subject-line/converted/question': -0.002 })));
  console.log(`report: ${out}`);
}
