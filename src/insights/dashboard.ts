import { atPath, CrossChannelError, inputError } from '../core/errors.js';
import { isCalendarInstant, toIsoString, type EpochMs } from '../core/time.js';
import type { CohortReport } from './cohorts.js';
import type { InsightsErrorCode } from './errors.js';
import type { FunnelReport } from './funnels.js';
import { KPI_REGISTRY, type KpiName, type KpiValue } from './kpis.js';
import type { Persona } from './personas.js';
import { PeriodIndex, periodLabel } from './periods.js';
import type { ChannelPressure } from './pressure.js';
import { quantileOf } from './quantile.js';
import type { KpiTable } from './table.js';

/**
 * The insights dashboard: one self-contained HTML page, charts drawn as inline SVG by these few functions — no
 * charting library, no script, no font or network request, so the page opens offline and weighs a few kB.
 */

/** What the dashboard shows; every part is optional and left out when absent. */
export interface DashboardInput {
  readonly title?: string;
  /** When the numbers were computed (shown in the header). */
  readonly generatedAt: EpochMs;
  /**
   * KPI table grouped by period only (`by: ['period']`; another grouping is `INPUT_INVALID` at `kpis`): tiles show the
   * last period and the change against the period before it (by the calendar, not the row before: a period without a
   * record says so).
   */
  readonly kpis?: KpiTable;
  readonly funnel?: FunnelReport;
  readonly cohorts?: CohortReport;
  readonly pressure?: ReadonlyArray<ChannelPressure>;
  /** Customer values (historical or predicted) for the distribution chart. */
  readonly customerValues?: ReadonlyArray<number>;
  readonly personas?: ReadonlyArray<Persona>;
}

/**
 * Text for the page: markup escaped, and what HTML calls a parse error or drops — NUL and other controls (but tab,
 * line feed, form feed and carriage return), noncharacters, lone surrogates — replaced by U+FFFD.
 */
const esc = (s: string): string => s.replace(/(?![\t\n\f\r])[\p{Cc}\p{Cs}\p{NChar}]/gu, '\ufffd').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A share (0.25) as a percentage ("25.0%"); not a finite number, or too large to be one, is refused as `fin` does. */
const pct = (v: unknown, digits = 1): string => `${fin(fin(v) * 100).toFixed(digits)}%`;
const num = (v: number, unit: string): string => {
  fin(v);
  if (unit === 'rate') return pct(v, v < 0.1 ? 2 : 1);
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2);
};

/**
 * Renders the dashboard as one offline HTML page (inline SVG, no script). Values a KPI cannot have (a rate over
 * zero) show as "—" with the reason in a tooltip, never as NaN.
 *
 * @example
 * ```ts
 * declare const table: KpiTable;
 * declare const funnel: FunnelReport;
 *
 * const html = renderDashboard({ title: 'March', generatedAt: Date.parse('2026-04-01T00:00:00Z'), kpis: table, funnel });
 * ```
 */
export function renderDashboard(insights: DashboardInput): string {
  if (typeof insights !== 'object' || insights === null || typeof insights.generatedAt !== 'number' || !Number.isFinite(insights.generatedAt)) {
    throw inputError('Expected { generatedAt, … }', ['generatedAt']);
  }
  if (insights.title !== undefined && typeof insights.title !== 'string') throw inputError('title must be a string', ['title']);
  let generated: string;
  try {
    generated = toIsoString(insights.generatedAt);
  } catch (e) {
    // An instant outside the years 1–9999, named here rather than as toIsoString's own argument.
    throw atPath(e, ['generatedAt']);
  }
  const sections: string[] = [];
  // Each part is a report this module produced; anything else (plain JSON of the wrong shape) is refused by name.
  const part = (name: keyof DashboardInput, render: () => string | undefined): void => {
    try {
      const html = render();
      if (html !== undefined) sections.push(html);
    } catch (e) {
      if (e instanceof CrossChannelError) throw e;
      throw new CrossChannelError<InsightsErrorCode>('INPUT_INVALID', `Malformed ${name}: expected the report this module returns`, { path: [name], cause: e });
    }
  };
  const i = insights;
  part('kpis', () => (i.kpis === undefined ? undefined : section('Key figures', tiles(i.kpis))));
  part('funnel', () => (i.funnel === undefined ? undefined : section('Funnel', funnelSvg(i.funnel))));
  part('cohorts', () => (i.cohorts === undefined || i.cohorts.cohorts.length === 0 ? undefined : section(`Retention by ${i.cohorts.period} of acquisition`, cohortHeatmap(i.cohorts))));
  part('pressure', () => (i.pressure === undefined || i.pressure.length === 0 ? undefined : section('Marketing pressure per person-week', i.pressure.map(pressureSvg).join(''))));
  part('customerValues', () => (i.customerValues === undefined || i.customerValues.length === 0 ? undefined : section('Customer value distribution', histogramSvg(i.customerValues))));
  part('personas', () => (i.personas === undefined || i.personas.length === 0 ? undefined : section('Personas', personaCards(i.personas))));
  const title = esc(insights.title ?? 'crosschannel insights');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2933;background:#f7f8fa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 12px}
section{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:16px;margin:16px 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}
.tile{border:1px solid #e1e4e8;border-radius:6px;padding:10px}.tile .v{font-size:22px;font-weight:600}
.up{color:#18794e}.down{color:#b42318}.muted{color:#6b7280;font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.card{border:1px solid #e1e4e8;border-radius:6px;padding:10px}code{font-size:11px;word-break:break-all}
svg{max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#1f2933}
</style></head><body>
<h1>${title}</h1><div class="muted">Computed at ${esc(generated)}</div>
${sections.join('\n')}
</body></html>`;
}

function section(title: string, body: string): string {
  return `<section><h2>${esc(title)}</h2>${body}</section>`;
}

function tiles(table: KpiTable): string {
  const rows = table.rows;
  if (rows.length === 0) return `<p class="muted">${esc(table.reasons[0]?.message ?? 'No data')}</p>`;
  const unit = table.period;
  if (unit === undefined || rows.some((r) => Object.keys(r.key).join() !== 'period')) {
    throw inputError("KPI tiles need a table grouped by period only (by: ['period'])", ['kpis']);
  }
  const current = rows[rows.length - 1]!;
  // The period before the last one, by the calendar: the row before may be weeks earlier.
  let before: EpochMs;
  let beforeLabel: string;
  try {
    before = isCalendarInstant(current.key.period! - 1) ? new PeriodIndex(unit.unit, unit.timeZone, unit.weekStartsOn).startOf(current.key.period! - 1) : NaN;
    beforeLabel = Number.isNaN(before) ? '' : periodLabel(before, unit.unit, unit.timeZone);
  } catch (e) {
    throw atPath(e, ['kpis', 'period']);
  }
  const previous = rows.find((r) => r.key.period === before);
  const vs = ` <span class="muted">vs ${esc(beforeLabel)}</span>`;
  const cells = table.kpis.map((name: KpiName) => {
    const def = KPI_REGISTRY[name];
    const v = current.values[name] as KpiValue;
    const p = previous?.values[name];
    const shown = v.value === null ? `<span title="${esc(v.reason.message)}">—</span>` : esc(num(v.value, def.unit));
    // The first period of the table has none before it; a period between rows had no record.
    let change = `<span class="muted">${rows.length === 1 ? 'no previous period' : p === undefined ? `no record in ${esc(beforeLabel)}` : ''}</span>`;
    if (p?.value === null) change = `<span class="muted" title="${esc(p.reason.message)}">no value in ${esc(beforeLabel)}</span>`;
    else if (v.value !== null && p !== undefined) {
      fin(p.value);
      const delta = def.unit === 'rate' ? (v.value - p.value) * 100 : p.value === 0 ? null : ((v.value - p.value) / Math.abs(p.value)) * 100;
      const sign = (delta ?? v.value) > 0 ? '▲' : (delta ?? v.value) < 0 ? '▼' : '=';
      // Against 0, a percentage means nothing: up (or down) from 0, or unchanged.
      const text = delta !== null ? `${sign} ${Math.abs(delta) < Infinity ? Math.abs(delta).toFixed(1) : '>1e308'}${def.unit === 'rate' ? ' pts' : '%'}` : v.value === 0 ? '= unchanged' : `${sign} from 0`;
      change = `<span class="${(delta ?? v.value) >= 0 ? 'up' : 'down'}">${text}</span>${vs}`;
    }
    return `<div class="tile" data-kpi="${esc(name)}"><div class="muted" title="${esc(def.formula)}">${esc(def.label)}</div><div class="v">${shown}</div><div>${change}</div></div>`;
  });
  return `<div class="muted">${esc(current.label)}</div><div class="tiles">${cells.join('')}</div>`;
}

/**
 * A number the page shows, which must be one: from plain JSON a string there would be markup in the page, and NaN
 * or ±Infinity broken coordinates. The TypeError becomes `INPUT_INVALID` at the part it is in (see `part`).
 */
function fin(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError('a shown number is not a finite number');
  return v;
}

function funnelSvg(f: FunnelReport): string {
  const W = 640;
  const rowH = 34;
  const H = f.steps.length * rowH + 10;
  const max = Math.max(1, fin(f.entered));
  const bars = f.steps
    .map((s, i) => {
      const reached = fin(s.reached);
      const w = Math.max(1, Math.min(1, reached / max) * (W - 260));
      const y = i * rowH + 5;
      const share = s.conversionFromStart === null ? '—' : pct(s.conversionFromStart);
      const path = s.topDropPaths[0] === undefined ? '' : ` · then ${s.topDropPaths[0].path}`;
      return `<text x="0" y="${y + 18}">${esc(s.step)}</text><rect x="110" y="${y}" width="${w.toFixed(1)}" height="24" fill="#4f7cac"><title>${esc(`${reached} reached, ${fin(s.dropOff)} stopped here${path}`)}</title></rect><text x="${(116 + w).toFixed(1)}" y="${y + 18}">${reached.toLocaleString('en-US')} (${share})</text>`;
    })
    .join('');
  const channels = f.byEntryChannel
    .slice(0, 8)
    .map((c) => `<tr><td>${esc(c.channel)}</td>${c.reached.map((r) => `<td>${fin(r)}</td>`).join('')}</tr>`)
    .join('');
  return `<svg role="img" aria-label="funnel" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${bars}</svg>
<table class="muted"><tr><th>entry channel</th>${f.steps.map((s) => `<th>${esc(s.step)}</th>`).join('')}</tr>${channels}</table>`;
}

function cohortHeatmap(c: CohortReport): string {
  const cols = Math.max(...c.cohorts.map((x) => x.retention.length));
  const cw = 44;
  const rh = 20;
  const left = 120;
  const W = left + cols * cw + 10;
  const H = (c.cohorts.length + 1) * rh + 10;
  const head = Array.from({ length: cols }, (_, k) => `<text x="${left + k * cw + 12}" y="14">+${k}</text>`).join('');
  const rows = c.cohorts
    .map((row, r) => {
      const y = (r + 1) * rh;
      const cells = row.retention
        .map((v, k) => {
          const light = Math.round(95 - 55 * Math.min(1, Math.max(0, fin(v))));
          return `<rect x="${left + k * cw}" y="${y}" width="${cw - 2}" height="${rh - 2}" fill="hsl(210,60%,${light}%)"><title>${esc(`${row.cohort} +${k}: ${pct(v)} active, ${fin(row.revenuePerPerson[k]).toFixed(2)} revenue per person so far`)}</title></rect><text x="${left + k * cw + 6}" y="${y + 13}" style="fill:${light < 60 ? '#fff' : '#1f2933'}">${pct(v, 0)}</text>`;
        })
        .join('');
      return `<text x="0" y="${y + 13}">${esc(row.cohort)} (${fin(row.size)})</text>${cells}`;
    })
    .join('');
  return `<svg role="img" aria-label="cohort retention heat map" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${head}${rows}</svg>`;
}

function bars(values: ReadonlyArray<number>, labels: ReadonlyArray<string>, aria: string, marker?: { at: number; label: string }): string {
  const W = 640;
  const H = 170;
  const bw = (W - 40) / Math.max(1, values.length);
  const max = Math.max(1, ...values.map(fin));
  const rects = values
    .map((v, i) => {
      const h = (v / max) * (H - 50);
      return `<rect x="${(30 + i * bw).toFixed(1)}" y="${(H - 30 - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="#4f7cac"><title>${esc(`${labels[i]}: ${v}`)}</title></rect>`;
    })
    .join('');
  const step = Math.max(1, Math.ceil(values.length / 12));
  // A cap beyond the last bar (its "n+") is drawn at the chart's right edge, not off it (or at x="Infinity").
  const at = marker === undefined ? 0 : Math.min(values.length, Math.max(0, fin(marker.at)));
  const ticks = labels.map((l, i) => (i % step === 0 ? `<text x="${(30 + i * bw).toFixed(1)}" y="${H - 14}">${esc(l)}</text>` : '')).join('');
  const mark =
    marker === undefined
      ? ''
      : `<line x1="${(30 + at * bw).toFixed(1)}" x2="${(30 + at * bw).toFixed(1)}" y1="10" y2="${H - 30}" stroke="#b42318" stroke-dasharray="4 3"/><text x="${(34 + at * bw).toFixed(1)}" y="18" style="fill:#b42318">${esc(marker.label)}</text>`;
  return `<svg role="img" aria-label="${esc(aria)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${rects}${ticks}${mark}</svg>`;
}

function pressureSvg(p: ChannelPressure): string {
  const h = p.histogram.slice(1);
  const labels = h.map((_, i) => (i + 1 === h.length ? `${i + 1}+` : String(i + 1)));
  const marker = p.cap === null ? undefined : { at: p.cap.limit, label: `cap ${p.cap.limit} (${p.cap.ruleId})` };
  const over = p.cap === null ? 'no weekly cap in force' : `${fin(p.atCap)} at the cap, ${fin(p.overCap)} above`;
  return `<div><strong>${esc(p.channel)}</strong> <span class="muted">${fin(p.personWeeks)} person-weeks, mean ${fin(p.mean).toFixed(2)}, p90 ${fin(p.p90)}; ${esc(over)}</span>${bars(h, labels, `pressure ${p.channel}`, marker)}</div>`;
}

function histogramSvg(values: ReadonlyArray<number>): string {
  const finite = values.filter((v) => Number.isFinite(v));
  const sorted = [...finite].sort((a, b) => a - b);
  const lo = sorted[0] ?? 0;
  // The top 1% is folded into the last bar so one whale does not flatten the chart.
  const hi = sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0;
  const n = 20;
  // In halves: hi − lo (and v − lo) of values near ±1.8e308 overflow, and every bar's label was NaN or InfinityM.
  const half = hi > lo ? (hi / 2 - lo / 2) / n : 0.5;
  const counts = new Array<number>(n).fill(0);
  for (const v of finite) counts[Math.min(n - 1, Math.max(0, Math.floor((v / 2 - lo / 2) / half)))]!++;
  const labels = counts.map((_, i) => num(2 * (lo / 2 + i * half), 'amount'));
  // Each value divided first: a sum of values near 1.8e308 would overflow.
  const mean = finite.reduce((s, v) => s + v / finite.length, 0);
  // The median as the reports define it (type 7): of an even count, the mean of the two middle values.
  const median = quantileOf(sorted, new Array<number>(sorted.length).fill(1), 0.5);
  return `<div class="muted">${finite.length} customers, mean ${num(mean, 'amount')}, median ${num(median, 'amount')}</div>${bars(counts, labels, 'customer value distribution')}`;
}

function personaCards(personas: ReadonlyArray<Persona>): string {
  return `<div class="cards">${personas
    .map(
      (p) =>
        `<div class="card"><strong>${esc(p.name)}</strong><div class="muted">${fin(p.size)} people (${pct(p.share, 0)})</div><ul>${p.traits
          .slice(0, 4)
          .map((t) => `<li>${esc(t.text)}</li>`)
          .join('')}</ul><div class="muted">segment rule (precision ${pct(p.rulePrecision, 0)}, recall ${pct(p.ruleRecall, 0)})</div><code>${esc(JSON.stringify(p.rule))}</code></div>`,
    )
    .join('')}</div>`;
}
