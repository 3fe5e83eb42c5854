/**
 * `npm run demo`: a seeded synthetic retailer (10,000 customers, 30 days) running every channel through
 * `crosschannel/decide`. Prints a readable report and writes `demo-output/report.html` (inline SVG charts,
 * works offline). Options: `--customers N`, `--days N`, `--seed N`, `--out DIR`.
 * Run: npx tsx examples/demo.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createProgress } from './demo/progress.js';
import { renderHtml, renderText } from './demo/report.js';
import { runSimulation } from './demo/simulate.js';
import { runExperimentsSection } from './demo/experiments-section.js';
import { renderTimingText, runTimingSection, withTimingSection } from './demo/timing-section.js';
import { insightsSection } from './demo/insights-section.js';
import { runJourneysSection } from './demo/journeys-section.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}
const outIndex = process.argv.indexOf('--out');
const outDir = resolve(outIndex >= 0 ? process.argv[outIndex + 1]! : 'demo-output');

const customers = option('customers', 10_000);
const days = option('days', 30);
const seed = option('seed', 42);
const progress = createProgress({ label: 'simulating' });
const summary = await runSimulation({ seed, customers, days, progress, inspect: insightsSection(outDir, Date.UTC(2026, 2, 2) + days * 86_400_000) });
progress.finish(`simulated ${days} days of ${customers.toLocaleString('en-US')} customers in ${(summary.elapsedMs / 1000).toFixed(1)} s`);

const timing = runTimingSection({ seed, people: Math.min(customers, 5_000) });
console.log(`\n${renderText(summary)}\n\n${renderTimingText(timing)}\n`);
mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'report.html');
const journeys = runJourneysSection({ seed, customers, days });
console.log(`${journeys.text}\n`);
writeFileSync(file, withTimingSection(renderHtml(summary), timing).replace('</body>', `${journeys.html}</body>`));
console.log(`HTML report: ${file}`);
const experiments = runExperimentsSection({ seed, customers, days });
writeFileSync(join(outDir, 'experiments.html'), experiments.html);
console.log(`\n${experiments.text}\nExperiments report: ${join(outDir, 'experiments.html')}`);
