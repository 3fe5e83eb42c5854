import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attribute, attributionTable, compareModels, formatAttributionTable, renderAttributionSvg, type Journey } from './index.js';

const j = (channels: string[], converted: boolean, value = 1): Journey => ({
  subjectId: 'p',
  channels,
  times: channels.map((_, i) => i * 1000),
  converted,
  value: converted ? value : 0,
  ...(converted ? { conversionAt: channels.length * 1000 } : {}),
});
const JOURNEYS = [j(['display', 'search', 'email'], true, 120), j(['search', 'email'], true, 60), j(['display'], false), j(['email'], true, 20)];

describe('attribution report', () => {
  const c = compareModels(JOURNEYS, { models: ['last_touch', 'first_touch', 'linear', 'markov'] });
  it('tabulates every model side by side with column totals', () => {
    const t = attributionTable(c);
    expect(t.models).toEqual(['last_touch', 'first_touch', 'linear', 'markov']);
    expect(t.rows.map((r) => r.channel)).toEqual(['display', 'email', 'search']);
    expect(t.rows[1]!.credits.slice(0, 2)).toEqual([3, 1]);
    for (const total of t.totals) expect(total).toBeCloseTo(3, 12);
    expect(attributionTable(c, 'value').totals[0]).toBeCloseTo(200, 9);
    // A list of results works too.
    expect(attributionTable([attribute(JOURNEYS, 'linear')]).models).toEqual(['linear']);
  });
  it('formats Markdown and text', () => {
    const md = formatAttributionTable(c);
    expect(md.split('\n')[0]).toBe('| channel | last_touch | first_touch | linear | markov |');
    expect(md).toContain('| email | 3.00 | 1.00 |');
    expect(md).toContain('| total | 3.00 | 3.00 | 3.00 | 3.00 |');
    expect(md).toContain('unattributed conversions: 0.00');
    const text = formatAttributionTable(c, { format: 'text', metric: 'value', digits: 1 });
    expect(text.split('\n')[0]).toMatch(/^channel\s+last_touch\s+first_touch\s+linear\s+markov$/);
    expect(text).toContain('200.0');
  });
  it('refuses results of the wrong shape with INPUT_INVALID at input (was a TypeError), and draws credits near the largest double (the gridline loop never ended)', () => {
    const junk: unknown[] = [5, { channels: null, models: [] }, [{ channels: [null] }], { ...c, models: [{ ...c.models[0], channels: [{ channel: 'email', conversions: {} }] }] }];
    expect(() => formatAttributionTable({ ...c, unattributed: null } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'input' }));
    for (const input of junk) {
      expect(() => formatAttributionTable(input as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'input' }));
      expect(() => renderAttributionSvg(input as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'input' }));
    }
    const huge = { ...c, models: c.models.map((m) => ({ ...m, channels: m.channels.map((x) => ({ ...x, conversions: 1.7e308 })) })) };
    const svg = renderAttributionSvg(huge);
    expect((svg.match(/<line /g) ?? []).length).toBeLessThanOrEqual(51);
  });

  it('takes colours as CSS writes them and refuses anything a viewer would fetch or resolve, at options.colors[i]', () => {
    const svg = renderAttributionSvg(c, { colors: ['#0af', '#00aaff80', 'rebeccapurple', 'rgb(0 128 255 / 50%)', 'hsl(120deg, 50%, 40%)', 'oklch(0.7 0.1 200)'] });
    for (const fill of ['#0af', '#00aaff80', 'rebeccapurple', 'rgb(0 128 255 / 50%)']) expect(svg).toContain(`fill="${fill}"`);
    const bad: unknown[] = ['url(https://example.com/x.svg#p)', 'url(#p)', 'var(--brand)', 'red;stroke:url(x)', '#12345', '', ' red', 'rgb(1,2,3) url(x)', 'image(x)', 5, null];
    bad.forEach((color) => {
      expect(() => renderAttributionSvg(c, { colors: ['#000', color as string] })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'options.colors[1]' }));
    });
    expect(() => renderAttributionSvg(c, { colors: 'red' as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'options.colors' }));
    expect(renderAttributionSvg(c, { colors: [] })).toContain('fill="#0072B2"');
  });

  it('renders a standalone SVG bar chart: one bar per channel × model, labels escaped', () => {
    const svg = renderAttributionSvg(c, { title: 'Q3 <spend> & "credit"' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    const bars = svg.match(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="[^"]+"><title>/g) ?? [];
    expect(bars).toHaveLength(3 * 4);
    expect(svg).toContain('Q3 &lt;spend&gt; &amp; &quot;credit&quot;');
    expect(svg).not.toContain('<spend>');
    expect(svg).toContain('<title>email · last_touch: 3</title>');
    // The tallest bar (email, last touch = 3) reaches the top of the axis range.
    const evil = compareModels([j(['<script>'], true)], { models: ['linear'] });
    expect(renderAttributionSvg(evil)).not.toContain('<script>');
  });
  it('draws negative value credits below the zero line and handles an empty comparison', () => {
    const neg = compareModels([j(['refund'], true, -50), j(['gift'], true, 20)], { models: ['linear'] });
    const svg = renderAttributionSvg(neg, { metric: 'value', width: 400, height: 300 });
    expect(svg).toContain('width="400" height="300"');
    expect(svg).toContain('refund · linear: -50');
    expect(renderAttributionSvg(compareModels([], { models: ['linear'] }))).toContain('</svg>');
  });
});

describe('renderAttributionSvg: a well-formed document whatever the names and options', () => {
  it('replaces the characters XML forbids in names (an ESC in a channel made the SVG unreadable), refuses junk sizes and metrics, keeps a plot at small heights', () => {
    const c = compareModels([j(['esc\u001b[31mred', 'lone\ud800', 'a-very-long-channel-name-for-paid-social-retargeting'], true, 10)], { models: ['last_touch', 'first_touch', 'linear', 'markov', 'shapley'] });
    const svg = renderAttributionSvg(c, { height: 160 });
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(svg).toContain('esc\ufffd[31mred');
    expect(svg).not.toMatch(/NaN|Infinity|height="-/);
    // The plot keeps at least 80 px above the labels and legend: the zero line is below the top gridline.
    const lines = [...svg.matchAll(/<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.max(...lines) - Math.min(...lines)).toBeGreaterThanOrEqual(80);
    for (const options of [{ width: Number.NaN }, { height: Number.POSITIVE_INFINITY }, { width: '800' }]) {
      expect(() => renderAttributionSvg(c, options as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    }
    expect(() => renderAttributionSvg(c, { metric: 'bogus' as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'metric' }));
    expect(() => attributionTable(c, 'bogus' as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'metric' }));
    // A title that is not text, from plain JavaScript, is named where it is (it was blamed on `input`).
    for (const title of [42, { toString: () => 'x' }]) {
      expect(() => renderAttributionSvg(c, { title } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'options.title' }));
    }
  });

  it('replaces DEL, C1 controls and noncharacters too (parse errors in an HTML page the SVG is put in; a NEL in a channel was kept)', () => {
    const names = ['nel\u0085x', 'del\u007f', 'nc\ufdd0', 'nc\u{1fffe}', 'tab\tok'];
    const svg = renderAttributionSvg(compareModels([j(names, true, 10)], { models: ['linear'] }));
    expect(svg).not.toMatch(/[\u007f-\u009f\ufdd0-\ufdef]|\u{1fffe}/u);
    for (const name of ['nel\ufffdx', 'del\ufffd', 'nc\ufffd', 'tab\tok']) expect(svg).toContain(`>${name}</text>`);
  });

  it('property: any title reads back as itself, but what XML 1.0 forbids or discourages (and HTML calls a parse error) as U+FFFD', () => {
    // XML 1.0 Char (§2.2) less its discouraged controls and noncharacters; line ends as XML normalises them.
    const allowed = (cp: number) => (cp >= 0x20 || [0x09, 0x0a, 0x0d].includes(cp)) && !(cp >= 0x7f && cp <= 0x9f) && !(cp >= 0xd800 && cp <= 0xdfff) && !(cp >= 0xfdd0 && cp <= 0xfdef) && (cp & 0xfffe) !== 0xfffe;
    const unit = fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.constantFrom('<', '>', '&', '"', "'", '\u0000', '\u0085', '\ufdd0', '\u{10fffe}'), fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)));
    const c = compareModels(JOURNEYS, { models: ['linear'] });
    const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (title) => {
        const svg = renderAttributionSvg(c, { title });
        const shown = svg.match(/<title>([^<]*)<\/title>/)![1]!.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => entities[e]!);
        expect(shown).toBe(Array.from(title, (ch) => (allowed(ch.codePointAt(0)!) ? ch : '\ufffd')).join(''));
        expect(Array.from(svg).every((ch) => allowed(ch.codePointAt(0)!))).toBe(true);
      }),
    );
  });

  it('draws credits near ±1.8e308 and below the smallest normal double with finite coordinates (y was NaN), and refuses a credit that is not a finite number', () => {
    const c = compareModels(JOURNEYS, { models: ['last_touch', 'linear', 'markov'] });
    const withCredits = (credits: number[]) => ({ ...c, models: c.models.map((m, i) => ({ ...m, channels: m.channels.map((x) => ({ ...x, conversions: credits[i % credits.length]! })) })) });
    for (const credits of [[1.7976931348623157e308, -1.7976931348623157e308], [1e308, -1e308, 1], [5e-324], [5e-324, 0, -5e-324]]) {
      const svg = renderAttributionSvg(withCredits(credits));
      expect(svg, String(credits)).not.toMatch(/NaN|Infinity/);
      for (const m of svg.matchAll(/ (?:x|y|y1|y2|width|height)="([^"]*)"/g)) expect(Number.isFinite(Number(m[1])), `${credits}: ${m[0]}`).toBe(true);
    }
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => renderAttributionSvg(withCredits([bad]))).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'input' }));
      expect(() => formatAttributionTable(withCredits([1, bad]))).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'input' }));
    }
  });
});
