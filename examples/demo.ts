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
const summary = await runSimulation({ seed, customers, days, progress });
progress.finish(`simulated ${days} days of ${customers.toLocaleString('en-US')} customers in ${(summary.elapsedMs / 1000).toFixed(1)} s`);

console.log(`\n${renderText(summary)}\n`);
mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'report.html');
const journeys = runJourneysSection({ seed, customers, days });
console.log(`${journeys.text}\n`);
writeFileSync(file, renderHtml(summary).replace('</body>', `${journeys.html}</body>`));
console.log(`HTML report: ${file}`);
