/** renderDashboard given an input of the wrong shape: typed errors at the field, never a TypeError. */
import { describe, expect, it } from 'vitest';
import { renderDashboard } from './dashboard.js';

const generatedAt = Date.UTC(2026, 5, 1);

describe('renderDashboard', () => {
  it('refuses a title that is not a string at `title` (it was a TypeError from escaping it)', () => {
    for (const title of [5, [null], {}]) expect(() => renderDashboard({ generatedAt, title } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'title' }));
    expect(renderDashboard({ generatedAt, title: 'Shop <EU>' })).toContain('<title>Shop &#60;EU&#62;</title>');
  });

  it('names an instant it cannot print at `generatedAt` (it was TIME_INVALID at `ms`)', () => {
    for (const at of [1e308, 2 ** 53, -1e20]) expect(() => renderDashboard({ generatedAt: at })).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'generatedAt' }));
  });

  it('shows the median customer value as the mean of the two middle values for an even count (it showed the upper one)', () => {
    expect(renderDashboard({ generatedAt, customerValues: [4, 1, 3, 2] })).toMatch(/median 2\.50/);
    expect(renderDashboard({ generatedAt, customerValues: [1, 2, 30] })).toMatch(/median 2</);
  });
});
