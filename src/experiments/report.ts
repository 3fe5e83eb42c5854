import { CrossChannelError } from '../core/errors.js';
import type { ExperimentAnalysis } from './analyze.js';
import { checkString, invalidInput } from './check.js';

/** One row of {@link ExperimentReport}: a treatment against its control, ready to print or plot. */
export interface ExperimentReportRow {
  readonly experimentId: string;
  readonly metric: string;
  readonly variantId: string;
  readonly control: string;
  readonly units: number;
  readonly controlUnits: number;
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly sequentialLower: number;
  readonly sequentialUpper: number;
  readonly relative: number | null;
  readonly chanceToBeatControl: number;
  readonly adjustedPValue: number;
  readonly significant: boolean;
  readonly srmMismatch: boolean;
  /** The true effect, when a simulation knows it. */
  readonly truth?: number | undefined;
}

/** The JSON report: one row per comparison. */
export interface ExperimentReport {
  readonly rows: ReadonlyArray<ExperimentReportRow>;
}

/**
 * Flattens analyses into report rows (JSON). `truth` (key `experimentId/metric/variantId`) adds a known true
 * effect, e.g. from a simulation, so a reader can see whether the interval covers it.
 *
 * @example
 * ```ts
 * declare const analysis: ExperimentAnalysis;
 * const report = experimentReport([analysis], { 'subject-line/opened/emoji': 0.02 });
 * ```
 */
export function experimentReport(analyses: ReadonlyArray<ExperimentAnalysis>, truth: Readonly<Record<string, number>> = {}): ExperimentReport {
  if (!Array.isArray(analyses)) throw invalidInput('experimentReport takes an array of analyses');
  const rows: ExperimentReportRow[] = [];
  analyses.forEach((a, i) => {
    // Anything of the wrong shape (not an object, no comparisons, a comparison without its difference) fails where
    // it is read: the error names the analysis, the TypeError is its cause.
    try {
      const units = new Map<string, number>(a.variants.map((v: ExperimentAnalysis['variants'][number]) => [v.variantId, v.units]));
      for (const c of a.comparisons) {
        const t = truth[`${a.experimentId}/${a.metric}/${c.variantId}`];
        rows.push({
          experimentId: a.experimentId,
          metric: a.metric,
          variantId: c.variantId,
          control: c.control,
          units: units.get(c.variantId) ?? 0,
          controlUnits: units.get(c.control) ?? 0,
          estimate: c.difference.estimate,
          lower: c.difference.lower,
          upper: c.difference.upper,
          sequentialLower: c.sequential.lower,
          sequentialUpper: c.sequential.upper,
          relative: c.relative?.estimate ?? null,
          chanceToBeatControl: c.bayesian.chanceToBeatControl,
          adjustedPValue: c.adjustedPValue,
          significant: c.significant,
          srmMismatch: a.srm.mismatch,
          ...(t === undefined ? {} : { truth: t }),
        });
      }
    } catch (cause) {
      throw new CrossChannelError('INPUT_INVALID', 'not an analysis from analyzeExperiment', { path: [i], cause });
    }
  });
  return { rows };
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));

/**
 * An offline HTML page (no script, no external asset) with one SVG forest plot per metric: each treatment's
 * difference to control as a dot, its fixed-horizon interval as a thick bar, its always-valid sequential interval
 * as a thin line, zero as a dashed line, and the true effect (when known) as a red tick.
 *
 * @example
 * ```ts
 * declare const report: ExperimentReport;
 * const html = experimentReportHtml(report, 'Spring campaign');
 * ```
 */
export function experimentReportHtml(report: ExperimentReport, title = 'Experiment report'): string {
  checkString(title, 'title');
  if (!Array.isArray(report?.rows)) throw invalidInput('expected a report from experimentReport');
  const groups = new Map<string, ExperimentReportRow[]>();
  report.rows.forEach((r, i) => {
    // Every field the page shows, as experimentReport writes it (a string where a number belongs would be markup;
    // bounds past ±1e300 would overflow the axis).
    if ([r?.variantId, r?.control].some((v) => typeof v != 'string') || [r.estimate, r.lower, r.upper, r.sequentialLower, r.sequentialUpper, r.units, r.adjustedPValue, r.truth ?? 0].some((v) => !(typeof v == 'number' && Math.abs(v) < 1e300))) {
      throw invalidInput('a malformed report row', 'rows', i);
    }
  });
  for (const r of report.rows) {
    const k = `${r.experimentId} · ${r.metric}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const charts = [...groups].map(([name, rows]) => chart(name, rows)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0 2em}td,th{padding:2px 8px;border-bottom:1px solid #ccc;text-align:right}tr>:first-child{text-align:left}</style>
</head><body><h1>${esc(title)}</h1>
<p>Dot: difference to control; thick bar: confidence interval; thin: always-valid interval; dashed: no effect; red: true effect.</p>
${charts}
</body></html>`;
}

function chart(name: string, rows: ReadonlyArray<ExperimentReportRow>): string {
  const W = 640;
  const rowH = 34;
  const left = 140;
  const right = 20;
  const H = rows.length * rowH + 30;
  let lo = 0;
  let hi = 0;
  for (const r of rows) {
    lo = Math.min(lo, r.sequentialLower, r.lower, r.truth ?? 0);
    hi = Math.max(hi, r.sequentialUpper, r.upper, r.truth ?? 0);
  }
  const pad = (hi - lo) * 0.05 || 1;
  lo -= pad;
  hi += pad;
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (W - left - right);
  const parts: string[] = [`<line x1="${x(0)}" y1="5" x2="${x(0)}" y2="${H - 20}" stroke="#888" stroke-dasharray="4 3"/>`];
  rows.forEach((r, i) => {
    const y = 20 + i * rowH;
    const color = r.srmMismatch ? '#b58900' : r.significant ? (r.estimate > 0 ? '#2a7d2a' : '#b22222') : '#555';
    parts.push(
      `<text x="${left - 8}" y="${y + 4}" text-anchor="end">${esc(r.variantId)} vs ${esc(r.control)}</text>`,
      `<line x1="${x(r.sequentialLower)}" y1="${y}" x2="${x(r.sequentialUpper)}" y2="${y}" stroke="${color}" stroke-width="1"/>`,
      `<line x1="${x(r.lower)}" y1="${y}" x2="${x(r.upper)}" y2="${y}" stroke="${color}" stroke-width="5" stroke-opacity="0.6"/>`,
      `<circle cx="${x(r.estimate)}" cy="${y}" r="4" fill="${color}"/>`,
    );
    if (r.truth !== undefined) parts.push(`<line x1="${x(r.truth)}" y1="${y - 9}" x2="${x(r.truth)}" y2="${y + 9}" stroke="red" stroke-width="2"/>`);
  });
  parts.push(`<text x="${left}" y="${H - 4}">${fmt(lo)}</text><text x="${W - right}" y="${H - 4}" text-anchor="end">${fmt(hi)}</text>`);
  const table = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.variantId)}</td><td>${r.units}</td><td>${fmt(r.estimate)}</td><td>[${fmt(r.lower)}, ${fmt(r.upper)}]</td><td>[${fmt(r.sequentialLower)}, ${fmt(r.sequentialUpper)}]</td><td>${r.relative === null ? '–' : `${(r.relative * 100).toFixed(1)} %`}</td><td>${(r.chanceToBeatControl * 100).toFixed(1)} %</td><td>${r.adjustedPValue.toPrecision(2)}</td><td>${r.truth === undefined ? '–' : fmt(r.truth)}</td></tr>`,
    )
    .join('');
  return `<h2>${esc(name)}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-size="12" role="img" aria-label="${esc(name)}">${parts.join('')}</svg>
<table><tr><th>variant</th><th>units</th><th>difference</th><th>interval</th><th>always-valid</th><th>lift</th><th>P(beat control)</th><th>Holm p</th><th>truth</th></tr>${table}</table>`;
}
