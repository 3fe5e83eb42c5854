import { inputError, readingInput } from '../core/errors.js';
import { expectFinite, expectOptions, expectString } from '../core/guards.js';
import type { AttributionComparison, AttributionResult } from './attribute.js';

/** Which credit a report shows. */
export type AttributionMetric = 'conversions' | 'value';

/** A per-channel table of every model side by side. */
export interface AttributionTable {
  readonly metric: AttributionMetric;
  /** Model names, one column each. */
  readonly models: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<{ readonly channel: string; readonly credits: ReadonlyArray<number> }>;
  /** Column sums (each equals the attributed total). */
  readonly totals: ReadonlyArray<number>;
}

function asComparison(input: AttributionComparison | ReadonlyArray<AttributionResult>): AttributionComparison {
  if (!Array.isArray(input)) return input as AttributionComparison;
  const results = input as ReadonlyArray<AttributionResult>;
  const channels = [...new Set(results.flatMap((r) => r.channels.map((c) => c.channel)))].sort();
  const first = results[0];
  return {
    channels,
    models: results,
    totals: first?.totals ?? { journeys: 0, conversions: 0, value: 0 },
    unattributed: first?.unattributed ?? { conversions: 0, value: 0 },
  };
}

/**
 * The per-channel table of a comparison (or of a list of results): one row per channel, one column per model.
 *
 * @example
 * ```ts
 * declare const journeys: Journey[];
 * const table = attributionTable(compareModels(journeys), 'value');
 * table.rows[0]; // { channel: 'display', credits: [0, 0, 150, 75, …] }
 * ```
 */
export function attributionTable(input: AttributionComparison | ReadonlyArray<AttributionResult>, metric: AttributionMetric = 'conversions'): AttributionTable {
  if (metric !== 'conversions' && metric !== 'value') throw inputError('metric must be "conversions" or "value"', ['metric']);
  // Results of the wrong shape (plain JavaScript, a hand-edited JSON) are INPUT_INVALID at input, not a TypeError.
  return readingInput(['input'], 'Expected results from computeAttribution', () => {
    const c = asComparison(input);
    const rows = c.channels.map((channel) => ({
      channel,
      // A credit that is not a finite number (NaN from plain JavaScript) drew y="NaN" in the chart.
      credits: c.models.map((m) => {
        const v = m.channels.find((x) => x.channel === channel)?.[metric] ?? 0;
        expectFinite(v, ['input']);
        return v;
      }),
    }));
    const totals = c.models.map((_, i) => rows.reduce((s, r) => s + r.credits[i]!, 0));
    return { metric, models: c.models.map((m) => m.model), rows, totals };
  });
}

/** Options of {@link formatAttributionTable}. */
export interface FormatTableOptions {
  readonly metric?: AttributionMetric;
  /** `markdown` (default) or aligned plain `text`. */
  readonly format?: 'markdown' | 'text';
  /** Decimals shown (default 2). */
  readonly digits?: number;
}

/**
 * The table as Markdown or aligned text, with a totals row and the unattributed conversions below.
 *
 * @example
 * ```ts
 * declare const journeys: Journey[];
 * console.log(formatAttributionTable(compareModels(journeys), { format: 'text' }));
 * ```
 */
export function formatAttributionTable(input: AttributionComparison | ReadonlyArray<AttributionResult>, options: FormatTableOptions = {}): string {
  return readingInput(['input'], 'Expected results from computeAttribution', () => {
    expectOptions(options, ['options']);
    const c = asComparison(input);
    const t = attributionTable(c, options.metric ?? 'conversions');
    const digits = options.digits ?? 2;
    const num = (n: number): string => n.toFixed(digits);
    const header = ['channel', ...t.models];
    const body = [...t.rows.map((r) => [r.channel, ...r.credits.map(num)]), ['total', ...t.totals.map(num)]];
    const un = t.metric === 'conversions' ? c.unattributed.conversions : c.unattributed.value;
    const note = `unattributed ${t.metric}: ${num(un)}`;
    if ((options.format ?? 'markdown') === 'markdown') {
      // Every cell on one line: `|` as `\|`, a line break or other control character as its escape (`\n`, `\u001b`).
      const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const lines = [`| ${header.map(esc).join(' | ')} |`, `|---|${t.models.map(() => '---:').join('|')}|`, ...body.map((b) => `| ${b.map(esc).join(' | ')} |`)];
      return `${lines.join('\n')}\n\n${note}\n`;
    }
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
    return `${[line(header), ...body.map(line)].join('\n')}\n${note}\n`;
  });
}

/** Options of {@link renderAttributionSvg}. */
export interface AttributionSvgOptions {
  readonly metric?: AttributionMetric;
  /** Chart width in px (default 760). */
  readonly width?: number;
  /** Chart height in px (default 360). */
  readonly height?: number;
  /** Title (default "Attribution by channel (conversions)"). */
  readonly title?: string;
  /** Bar colours, one per model, cycled (default: a colour-blind-safe palette): `#hex`, a CSS colour name, or `rgb(…)`, `hsl(…)`, `hwb(…)`, `lab(…)`, `lch(…)`, `oklab(…)`, `oklch(…)`; anything else is `INPUT_INVALID`. */
  readonly colors?: ReadonlyArray<string>;
}

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#999999'];

/** Text for XML: markup escaped, and the characters XML 1.0 forbids (C0 controls but tab and line breaks, lone surrogates, U+FFFE/FFFF) or discourages (DEL, C1 controls, the other noncharacters — parse errors in an HTML page the SVG is put in) replaced by U+FFFD, so the SVG stays a well-formed document. */
function esc(s: string): string {
  return s.replace(/(?![\t\n\r])[\p{Cc}\p{Cs}\p{NChar}]/gu, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function niceStep(max: number): number {
  if (!(max > 0)) return 1;
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  // 1 when max / 5 underflows (a credit of 5e-324): a step of 0 made every y NaN.
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag || 1;
}

function fmt(n: number): string {
  return Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : String(Number(n.toPrecision(4)));
}

/**
 * A grouped bar chart (channels × models) as a standalone SVG string: no charting dependency, safe to embed
 * (every label is escaped), one `<title>` tooltip per bar. Negative credits (negative values) grow downward.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * declare const journeys: Journey[];
 * writeFileSync('attribution.svg', renderAttributionSvg(compareModels(journeys), { metric: 'value' }));
 * ```
 */
export function renderAttributionSvg(input: AttributionComparison | ReadonlyArray<AttributionResult>, options: AttributionSvgOptions = {}): string {
  return readingInput(['input'], 'Expected results from computeAttribution', () => {
    expectOptions(options, ['options']);
    const metric = options.metric ?? 'conversions';
    const t = attributionTable(asComparison(input), metric);
    for (const k of ['width', 'height'] as const) {
      const v = options[k];
      if (v !== undefined) expectFinite(v, ['options', k]);
    }
    const width = Math.max(240, options.width ?? 760);
    const colors = options.colors?.length ? options.colors : PALETTE;
    // Colours as CSS writes them — hex, a name, or a colour function of numbers — never `url(…)`, `var(…)` or
    // anything else a viewer would fetch or resolve.
    if (!Array.isArray(colors)) throw inputError('colors must be an array of CSS colours', ['options', 'colors']);
    colors.forEach((c: unknown, i) => {
      if (!(typeof c == 'string' && /^(#([\da-f]{3,4}|[\da-f]{6}|[\da-f]{8})|[a-z]+|(rgb|hsl|hwb|lab|lch|oklab|oklch)a?\([\w\s.,%/+-]*\))$/i.test(c))) {
        throw inputError('Expected a CSS colour (#hex, a name, rgb(…)…)', ['options', 'colors', i]);
      }
    });
    const title = options.title ?? `Attribution by channel (${metric})`;
    expectString(title, ['options', 'title']);
    const right = 16;
    const groups = Math.max(1, t.rows.length);
    // Narrow groups: slant the channel labels (≈7 px per character) and make room for them below the axis and,
    // for the first one, on the left.
    const longest = t.rows.reduce((m, r) => Math.max(m, r.channel.length), 0);
    const slant = longest * 7 > (width - 56 - right) / groups;
    const left = slant ? Math.max(56, Math.min(160, longest * 5.8 - (width - 56 - right) / groups / 2 + 4)) : 56;
    const plotW = width - left - right;
    const groupW = plotW / groups;
    const labelRoom = slant ? Math.min(110, 12 + longest * 4.2) : 22;
    const margin = { top: 40, right, bottom: labelRoom + 14 + 18 * Math.ceil(t.models.length / 4), left };
    // At least 80 px of plot above the labels and legend (a smaller height drew the axis upside down).
    const height = Math.max(160, options.height ?? 360, margin.top + margin.bottom + 80);
    const plotH = height - margin.top - margin.bottom;
    let max = 0;
    let min = 0;
    for (const r of t.rows) for (const v of r.credits) (max = Math.max(max, v)), (min = Math.min(min, v));
    const step = Math.min(niceStep(Math.max(max, -min)), Number.MAX_VALUE);
    // Rounded out to a step, unless that passes the largest double (credits near 1.8e308).
    const up = Math.ceil(max / step) * step;
    const down = Math.floor(min / step) * step;
    const top = Math.max(step, up < Infinity ? up : max);
    const bottom = down > -Infinity ? down : min;
    // In halves: top − bottom of credits near ±1.8e308 overflows, and y was NaN.
    const y = (v: number): number => margin.top + ((top / 2 - v / 2) / (top / 2 - bottom / 2)) * plotH;
    const out: string[] = [];
    out.push(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" font-family="system-ui, sans-serif" font-size="12">`,
      `<title>${esc(title)}</title>`,
      `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
      `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`,
    );
    // At most 50 gridlines: credits near the largest double overflow `top` to Infinity, and the loop never ended.
    for (let v = bottom, i = 0; v - step / 2 <= top && i <= 50; v += step, i++) {
      const yy = y(v).toFixed(1);
      out.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${yy}" y2="${yy}" stroke="${v === 0 ? '#333' : '#e5e5e5'}"/>`);
      out.push(`<text x="${margin.left - 6}" y="${yy}" dy="0.32em" text-anchor="end" fill="#555">${esc(fmt(v))}</text>`);
    }
    const barW = (groupW * 0.8) / Math.max(1, t.models.length);
    t.rows.forEach((row, g) => {
      const gx = margin.left + g * groupW + groupW * 0.1;
      row.credits.forEach((v, m) => {
        const y0 = y(Math.max(0, v));
        const h = Math.abs(y(v) - y(0));
        const label = `${row.channel} · ${t.models[m]!}: ${fmt(v)}`;
        out.push(
          `<rect x="${(gx + m * barW).toFixed(1)}" y="${y0.toFixed(1)}" width="${Math.max(0.5, barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${esc(colors[m % colors.length]!)}"><title>${esc(label)}</title></rect>`,
        );
      });
      const lx = (margin.left + (g + 0.5) * groupW).toFixed(1);
      const ly = margin.top + plotH + 16;
      out.push(
        slant
          ? `<text class="x-label" x="${lx}" y="${ly}" text-anchor="end" transform="rotate(-35 ${lx} ${ly})">${esc(row.channel)}</text>`
          : `<text class="x-label" x="${lx}" y="${ly}" text-anchor="middle">${esc(row.channel)}</text>`,
      );
    });
    const legendY = margin.top + plotH + labelRoom + 14;
    const colW = (width - margin.left - margin.right) / 4;
    t.models.forEach((name, m) => {
      const lx = margin.left + (m % 4) * colW;
      const ly = legendY + Math.floor(m / 4) * 18;
      out.push(`<rect x="${lx.toFixed(1)}" y="${ly - 9}" width="10" height="10" fill="${esc(colors[m % colors.length]!)}"/>`);
      out.push(`<text x="${(lx + 14).toFixed(1)}" y="${ly}">${esc(name)}</text>`);
    });
    out.push('</svg>');
    return out.join('\n');
  });
}

/** A comparison from {@link compareModels} or a list of results from {@link attribute}. */
