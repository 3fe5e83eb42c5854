/**
 * Multi-touch attribution on a small synthetic retailer: contacts (email, sms), ad clicks and site visits as
 * touchpoints, purchases as conversions. Prints every model side by side and writes the SVG chart.
 * Run: npx tsx examples/attribution.ts [chart.svg]
 */
import { writeFileSync } from 'node:fs';
import {
  buildJourneys,
  collectStatistics,
  compareModels,
  computeAttribution,
  createStatistics,
  formatAttributionTable,
  renderAttributionSvg,
  type ConversionInput,
  type TouchpointInput,
} from 'crosschannel/attribution';
import { createRng, parseBehaviourEvent, parseContactRecord, DAY } from 'crosschannel';

const rng = createRng(2026);
const start = Date.UTC(2026, 8, 1);
const touchpoints: TouchpointInput[] = [];
const conversions: ConversionInput[] = [];
for (let p = 0; p < 5000; p++) {
  const subjectId = `cust-${p}`;
  let at = start + rng.int(30) * DAY;
  let interest = 0;
  const touches = 1 + rng.int(6);
  for (let i = 0; i < touches; i++) {
    at += rng.int(4 * DAY);
    const r = rng.next();
    if (r < 0.3) {
      // An ad impression or click: a behaviour event with a channel.
      touchpoints.push(parseBehaviourEvent({ subjectId, type: 'ad_click', at, channel: r < 0.15 ? 'display' : 'social' }));
      interest += 0.02;
    } else if (r < 0.55) {
      touchpoints.push(parseContactRecord({ id: `c-${p}-${i}`, subjectId, channel: 'email', at, tags: ['marketing'] }));
      interest += 0.03;
    } else if (r < 0.65) {
      touchpoints.push(parseContactRecord({ id: `c-${p}-${i}`, subjectId, channel: 'sms', at }));
      interest += 0.04;
    } else if (r < 0.85) {
      touchpoints.push({ subjectId, channel: 'search', at }); // a warehouse row
      interest += 0.06;
    } else {
      touchpoints.push({ subjectId, channel: 'direct', at });
      interest += 0.01;
    }
  }
  if (rng.next() < interest) {
    conversions.push(parseBehaviourEvent({ subjectId, type: 'purchase', at: at + rng.int(DAY), channel: 'web', properties: { amount: 20 + rng.int(180) } }));
  }
}

// Purchases are conversions (their `amount` is the value); no event of that type is a touchpoint.
const journeys = buildJourneys(touchpoints, conversions, { lookback: '30d', conversionEventTypes: ['purchase'], valueProperty: 'amount' });
const comparison = compareModels(journeys, {
  models: ['last_touch', 'last_non_direct', 'first_touch', 'linear', 'time_decay', 'position_based', 'markov', { model: 'markov', name: 'markov_2', order: 2 }, 'shapley'],
});

console.log(`${journeys.length} journeys, ${comparison.totals.conversions} attributed conversions worth ${comparison.totals.value}\n`);
console.log('Conversions credited per channel:\n');
console.log(formatAttributionTable(comparison));
console.log('Value credited per channel:\n');
console.log(formatAttributionTable(comparison, { metric: 'value', digits: 0 }));

const markov = comparison.models.find((m) => m.model === 'markov')!;
console.log('Markov removal effects:', Object.fromEntries(Object.entries(markov.markov!.removalEffects).map(([c, e]) => [c, Number(e.toFixed(3))])));

// Sharded: two workers build statistics, ship JSON, the reducer merges — same answer as one pass.
const config = { models: ['linear', 'markov', 'shapley'] as const };
const worker1 = createStatistics({ models: [...config.models] }).addAll(journeys.slice(0, 2000)).toJSON();
const worker2 = createStatistics({ models: [...config.models] }).addAll(journeys.slice(2000)).toJSON();
const merged = computeAttribution(createStatistics({ models: [...config.models] }).merge(worker1).merge(worker2));
const single = computeAttribution(collectStatistics(journeys, { models: [...config.models] }));
const diff = Math.max(...merged.models.flatMap((m, i) => m.channels.map((c, k) => Math.abs(c.conversions - single.models[i]!.channels[k]!.conversions))));
console.log(`\nsharded merge vs one pass: largest difference ${diff.toExponential(1)}`);

const svg = renderAttributionSvg(comparison, { title: 'Conversions credited by model' });
const out = process.argv[2];
if (out) {
  writeFileSync(out, svg);
  console.log(`chart written to ${out}`);
} else {
  console.log(`SVG chart: ${svg.length} characters (pass a file name to save it)`);
}
