/**
 * The `crosschannel` command line, run in process through `main(argv, io)` with files in a temporary directory,
 * and once as a real process (the bin file) for the exit code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { idRanges, inferKind, main, type CliIo } from '../../src/cli/index.js';
import { parseCsv, parseCsvRows } from '../../src/cli/csv.js';
import { encodeTcString } from '../../src/consent/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function run(argv: string[], options: { isTTY?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    readFile: (p) => readFile(p, 'utf8'),
    writeFile: (p, t) => writeFile(p, t, 'utf8'),
    now: () => Date.UTC(2026, 5, 1),
    isTTY: options.isTTY ?? false,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

const TC = encodeTcString({
  created: Date.UTC(2026, 0, 1), lastUpdated: Date.UTC(2026, 0, 2), cmpId: 7, cmpVersion: 1, consentScreen: 1, consentLanguage: 'FR',
  vendorListVersion: 42, policyVersion: 4, isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [],
  purposeConsents: [1, 2, 3, 4, 7], purposeLegitimateInterests: [], purposeOneTreatment: false, publisherCountryCode: 'FR',
  vendorConsents: [1, 2, 3, 10, 11], vendorLegitimateInterests: [],
});
/** A GPP string holding that TC string in its tcfeuv2 section (header: version 1, section 2). */
const GPP_HEADER = 'DBABMA';

describe('crosschannel CLI', () => {
  it('--help, --version, unknown commands and options (exit 0 / 2)', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('crosschannel tcf decode') });
    expect((await run(['--version'])).out).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(await run([])).toMatchObject({ code: 2 });
    expect(await run(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('Unknown command "frobnicate"') });
    expect(await run(['tcf', 'decode', TC, '--colour'])).toMatchObject({ code: 2, err: expect.stringContaining('--colour') });
    expect(await run(['check', '--help'])).toMatchObject({ code: 0, out: expect.stringContaining('--kind') });
  });

  it('check --help names every shape the kind is told from (docs/cli.md), attribution included', async () => {
    const { out } = await run(['check', '--help']);
    for (const shape of ['{ rules } caps', '[ … ] segments', '{ offers } catalogue', '{ catalogue, caps } decide', '{ steps, start } journey', '{ variants } experiment', '{ models } attribution']) {
      expect(out.replace(/\s+/g, ' ')).toContain(shape);
    }
  });

  it('names of Object.prototype members are unknown commands, with or without --help (exit 2)', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      for (const argv of [[name], [name, '--help']]) {
        expect(await run(argv)).toEqual({ code: 2, out: '', err: expect.stringContaining(`Unknown command ${JSON.stringify(name)}`) });
      }
    }
  });

  it('tcf decode: aligned fields with id ranges, --json, exit 1 on a bad string', async () => {
    const human = await run(['tcf', 'decode', TC]);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/purposeConsents\s+1-4,7/);
    expect(human.out).toMatch(/vendorConsents\s+1-3,10-11/);
    const json = await run(['tcf', 'decode', TC, '--json']);
    const parsed = JSON.parse(json.out) as Record<string, unknown>;
    expect(parsed.cmpId).toBe(7);
    expect(parsed.purposeConsents).toEqual([1, 2, 3, 4, 7]);
    expect(parsed.created).toBe('2026-01-01T00:00:00.000Z');
    expect(await run(['tcf', 'decode', 'not-a-tc-string!'])).toMatchObject({ code: 1, err: expect.stringContaining('CONSENT_TCF_MALFORMED') });
  });

  it('gpp decode: sections, --json, exit 1 on a bad string', async () => {
    const gpp = `${GPP_HEADER}~${TC}`;
    const r = await run(['gpp', 'decode', gpp, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.stringify(JSON.parse(r.out))).toContain('tcfeuv2');
    expect((await run(['gpp', 'decode', gpp])).out).toContain('sections');
    expect((await run(['gpp', 'decode', '###'])).code).toBe(1);
  });

  it('check: valid configs of each inferred kind; every error with its path; --json; unknown kind is a usage error', async () => {
    const caps = file('caps.json', JSON.stringify({ rules: [{ id: 'w', kind: 'limit', limit: 3, window: 'week' }] }));
    expect(await run(['check', caps])).toMatchObject({ code: 0, out: expect.stringContaining('valid caps configuration') });
    const bad = file('bad.json', JSON.stringify({ rules: [{ id: 'w', kind: 'limit', limit: -3, window: 'week' }, { id: 'q', kind: 'quota' }] }));
    const r = await run(['check', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rules\[0\]\.limit/);
    expect(r.err).toMatch(/rules\[1\]/);
    const json = JSON.parse((await run(['check', bad, '--json'])).out) as { valid: boolean; kind: string; errors: Array<{ path: string }> };
    expect(json).toMatchObject({ valid: false, kind: 'caps' });
    expect(json.errors.length).toBeGreaterThanOrEqual(2);
    const segments = file('segments.json', JSON.stringify([{ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } }]));
    expect((await run(['check', segments])).out).toContain('valid segments');
    const decide = file('decide.json', JSON.stringify({ catalogue: { offers: [{ id: 'a', channels: ['email'] }] }, caps: { rules: [] } }));
    expect((await run(['check', decide])).out).toContain('valid decide');
    const tagged = file('policy.json', JSON.stringify({ kind: 'consent-policy', doubleOptIn: { channels: ['email'] } }));
    expect((await run(['check', tagged])).code).toBe(0);
    expect((await run(['check', file('what.json', '{"x":1}')])).code).toBe(2);
    expect((await run(['check', caps, '--kind', 'nonsense'])).code).toBe(2);
    expect((await run(['check', file('broken.json', '{')])).code).toBe(1);
    expect((await run(['check', join(dir, 'missing.json')])).code).toBe(1);
    expect(inferKind({ steps: {}, start: 'a' })).toBe('journey');
    expect(inferKind({ variants: [] })).toBe('experiment');
  });

  it('segments eval: counts per segment, --json memberships per person, events from a JSON-lines file', async () => {
    const rules = file('seg.json', JSON.stringify([
      { id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } },
      { id: 'buyers', rule: { count: { type: 'purchase' }, op: 'gte', value: 1 } },
    ]));
    const profiles = file('profiles.jsonl', ['{"id":"p1","country":"FR"}', '{"id":"p2","country":"DE"}', '', '{"id":"p3","country":"FR"}'].join('\n'));
    const events = file('events.jsonl', '{"id":"e1","subjectId":"p2","type":"purchase","at":"2026-05-20T10:00:00Z","properties":{}}\n');
    const r = await run(['segments', 'eval', '--rules', rules, '--profiles', profiles, '--events', events]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/fr\s+2/);
    expect(r.out).toMatch(/buyers\s+1/);
    const json = await run(['segments', 'eval', '--rules', rules, '--profiles', profiles, '--events', events, '--json']);
    expect(json.out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { id: 'p1', segments: ['fr'] },
      { id: 'p2', segments: ['buyers'] },
      { id: 'p3', segments: ['fr'] },
    ]);
    expect((await run(['segments', 'eval', '--rules', rules])).code).toBe(2);
    expect((await run(['segments', 'eval', '--rules', rules, '--profiles', file('badp.jsonl', 'not json')])).code).toBe(1);
  });

  it('attribution: a table, --json, --html with the chart, progress only on a terminal', async () => {
    const t = file('t.csv', 'subjectId,channel,at\r\np1,email,2026-05-01T10:00:00Z\np1,"search",2026-05-02T10:00:00Z\np2,social,1777000000000\n');
    const c = file('c.csv', 'subjectId,at,value\np1,2026-05-03T10:00:00Z,120\np2,1777100000000,\n');
    const table = await run(['attribution', '--touchpoints', t, '--conversions', c, '--model', 'linear', '--model', 'last_touch']);
    expect(table.code).toBe(0);
    expect(table.out).toContain('email');
    expect(table.err).toBe('');
    const json = JSON.parse((await run(['attribution', '--touchpoints', t, '--conversions', c, '--json'])).out) as { models: unknown[]; channels: string[] };
    expect(json.channels).toEqual(['email', 'search', 'social']);
    expect(json.models.length).toBeGreaterThan(3);
    const html = join(dir, 'report.html');
    expect((await run(['attribution', '--touchpoints', t, '--conversions', c, '--html', html])).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/<svg[\s\S]*<\/svg>/);
    expect((await run(['attribution', '--touchpoints', t, '--conversions', c], { isTTY: true })).err).toMatch(/journeys: \d/);
    expect((await run(['attribution', '--touchpoints', t])).code).toBe(2);
    // --html naming an input file (as given, ./ or not) is refused before anything is read or written.
    const before = readFileSync(t, 'utf8');
    for (const out of [t, `${dir}/./t.csv`, `${dir}//t.csv`]) {
      const clash = await run(['attribution', '--touchpoints', t, '--conversions', c, '--html', out]);
      expect([clash.code, clash.out]).toEqual([2, '']);
      expect(clash.err).toContain('would overwrite an input file');
    }
    expect(readFileSync(t, 'utf8')).toBe(before);
    expect((await run(['attribution', '--touchpoints', file('bad.csv', 'subjectId,channel,at\np1,,2026-05-01T10:00:00Z\n'), '--conversions', c])).err).toContain('column "channel"');
  });

  it('attribution --html: a channel of markup, C1 controls and noncharacters is text in the page, which has no HTML parse-error characters (a NEL and U+FDD0 were written as they were)', async () => {
    const channel = '</pre><script>alert(1)</script>\u0085\u009f\ufdd0\u{10ffff}&amp;';
    const t = file('hostile.csv', `subjectId,channel,at\np1,"${channel}",2026-05-01T10:00:00Z\np1,email,2026-05-02T10:00:00Z\n`);
    const c = file('hostile-c.csv', 'subjectId,at,value\np1,2026-05-03T10:00:00Z,120\n');
    const out = join(dir, 'hostile.html');
    expect((await run(['attribution', '--touchpoints', t, '--conversions', c, '--model', 'linear', '--html', out])).code).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page).not.toMatch(/[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]|\u{10ffff}|<script/u);
    expect(page.match(/<(\w+)/g)!.filter((tag) => !['<html', '<head', '<meta', '<title', '<style', '<body', '<h1', '<svg', '<rect', '<line', '<text', '<pre'].includes(tag))).toEqual([]);
    expect(page).toContain('&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('demo: three decisions, the third refused by the weekly cap', async () => {
    const r = await run(['demo']);
    expect(r.code).toBe(0);
    expect(r.out.match(/^#\d: send/gm)).toHaveLength(2);
    expect(r.out).toMatch(/#3: no contact \(.*CAP_LIMIT_REACHED/);
  });

  it('the bin file runs as a process: exit codes reach the shell', () => {
    const tsx = join(process.cwd(), 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const ok = spawnSync(process.execPath, [tsx, 'src/cli/bin.ts', '--version'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bad = spawnSync(process.execPath, [tsx, 'src/cli/bin.ts', 'tcf', 'decode', 'nope!'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('CONSENT_TCF_MALFORMED');
  });

  it('CSV: RFC 4180 quoting round-trips (property), and malformed CSV is a typed error', () => {
    const cell = fc.string({ maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const text = rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n');
        // A row of one quoted empty field (`""`) is a record, not a blank line.
        expect(parseCsvRows(text)).toEqual(rows);
      }),
    );
    expect(parseCsv('a,b\n1,"x\ny"\n')).toEqual([{ a: '1', b: 'x\ny' }]);
    expect(() => parseCsv('a,b\n1\n')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => parseCsvRows('"open')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(idRanges([1, 2, 3, 5, 7, 8])).toBe('1-3,5,7-8');
  });
});
