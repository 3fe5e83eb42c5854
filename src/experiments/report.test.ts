import { describe, expect, it } from 'vitest';
import { experimentReportHtml, type ExperimentReportRow } from './report.js';

const row: ExperimentReportRow = {
  experimentId: 'subject-line',
  metric: 'opened',
  variantId: 'emoji',
  control: 'plain',
  units: 1000,
  controlUnits: 1000,
  estimate: 0.02,
  lower: 0.005,
  upper: 0.035,
  sequentialLower: -0.01,
  sequentialUpper: 0.05,
  relative: 0.1,
  chanceToBeatControl: 0.99,
  adjustedPValue: 0.01,
  significant: true,
  srmMismatch: false,
  truth: 0.02,
};

describe('experimentReportHtml', () => {
  it('escapes every name and draws only finite coordinates', () => {
    const html = experimentReportHtml({ rows: [{ ...row, variantId: '<img src=x onerror=alert(1)>', control: '"&' }] }, '<b>t</b>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toMatch(/NaN|Infinity/);
  });

  it('refuses a row whose shown numbers are not numbers (a string units was written into the page as markup), not finite, or past ±1e300, and a row without its control', () => {
    const bad: Array<Partial<Record<keyof ExperimentReportRow, unknown>>> = [
      { units: '<img src=x onerror=alert(1)>' },
      { adjustedPValue: '0.1' },
      { truth: Number.NaN },
      { truth: Number.POSITIVE_INFINITY },
      { lower: -1e308, upper: 1e308 },
      { control: undefined },
      { estimate: Number.NaN },
    ];
    for (const change of bad) {
      expect(() => experimentReportHtml({ rows: [row, { ...row, ...change } as ExperimentReportRow] }), JSON.stringify(change)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'rows[1]' }));
    }
    expect(() => experimentReportHtml({} as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});
