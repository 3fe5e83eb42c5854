/**
 * How the command line reads its inputs: the CSV reader against an RFC 4180 writer (property: parse(write(t)) = t,
 * with each record's physical line), byte order marks, the `value` and epoch-ms `at` cells, errors at the file and
 * physical line, `check`'s top-level kind and every segment's errors, table cells on one line, usage on stderr.
 * Files live in memory: `main` runs with an injected {@link CliIo}.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CLI_VERSION, main, type CliIo } from '../../src/cli/index.js';
import { parseCsvRecords, parseCsvRows, readCsvTable } from '../../src/cli/csv.js';

async function cli(argv: string[], files: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    readFile: (p) => (Object.hasOwn(files, p) ? Promise.resolve(files[p]!) : Promise.reject(Object.assign(new Error(p), { code: 'ENOENT' }))),
    writeFile: () => Promise.resolve(),
    now: () => Date.UTC(2026, 5, 1),
    isTTY: false,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

const TP = 'subjectId,channel,at\np1,email,2026-03-01T10:00:00Z\n';
const CV = 'subjectId,at,value\np1,2026-03-04T10:00:00Z,1\n';
/** Runs attribution over the given CSV texts (files t.csv and c.csv). */
const attribution = (t: string, c: string, ...more: string[]): ReturnType<typeof cli> =>
  cli(['attribution', '--touchpoints', 't.csv', '--conversions', 'c.csv', '--model', 'linear', ...more], { 't.csv': t, 'c.csv': c });

// ---------------------------------------------------------------------------------------------------------
// The CSV reader against a writer

/** The characters of the audit's Python differential fuzz: quotes, commas, every line end, a BOM, non-ASCII. */
const PIECES = ['a', 'b', ' ', '"', ',', '\n', '\r', '\r\n', 'é', '🎉', '\t', 'x', '', '\uFEFF'];
const cellArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 5 }).map((p) => p.join(''));
const rowArb = fc.oneof({ weight: 1, arbitrary: fc.constant<string[]>(['']) }, { weight: 4, arbitrary: fc.array(cellArb, { minLength: 1, maxLength: 4 }) });

/**
 * An RFC 4180 writer (as Python's csv.writer): a field is quoted, its quotes doubled, when it holds a quote, a
 * comma or a line break, when quoting is asked for every field, and when it is a row's only field and empty
 * (else the row would be an empty line). A BOM at the very start of the text is quoted too: unquoted, it is a
 * byte order mark, not data. Returns the text and the physical line (1-based) where each row starts.
 */
function writeCsv(rows: string[][], eol: string, quoteAll: boolean, finalEol: boolean): { text: string; lines: number[] } {
  let line = 1;
  const lines: number[] = [];
  const written = rows.map((row, r) => {
    lines.push(line);
    const text = row
      .map((c, j) => (quoteAll || /[",\r\n]/.test(c) || (row.length === 1 && c === '') || (r === 0 && j === 0 && c.startsWith('\uFEFF')) ? `"${c.replace(/"/g, '""')}"` : c))
      .join(',');
    line += (text.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
    return text;
  });
  return { text: written.join(eol) + (finalEol ? eol : ''), lines };
}

describe('CSV reader (RFC 4180)', () => {
  it('parse(write(table)) = table, rows of one empty field included, each record at the physical line where it starts (property)', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 6 }), fc.constantFrom('\r\n', '\n'), fc.boolean(), fc.boolean(), (rows, eol, quoteAll, finalEol) => {
        const { text, lines } = writeCsv(rows, eol, quoteAll, finalEol);
        const records = parseCsvRecords(text);
        expect(records.map((r) => r.cells)).toEqual(rows);
        expect(records.map((r) => r.line)).toEqual(lines);
        // The same text behind a byte order mark reads the same.
        expect(parseCsvRows(`\uFEFF${text}`)).toEqual(rows);
      }),
      { numRuns: 2000 },
    );
  });

  it('only an empty line is blank: `""` alone on a line is a record of one empty field', () => {
    expect(parseCsvRows('a\n""\nb\n')).toEqual([['a'], [''], ['b']]);
    expect(parseCsvRows('a\n\nb\n')).toEqual([['a'], ['b']]);
    expect(parseCsvRows('a\r\n""')).toEqual([['a'], ['']]);
    // In a table of three columns that record is a field-count error at its line, not a skipped line.
    expect(() => readCsvTable('subjectId,channel,at\np1,email,1\n""\np2,sms,2\n', 't.csv')).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', path: '["t.csv"][3]', message: 't.csv line 3: 1 field, the header 3' }),
    );
  });

  it('a UTF-8 BOM before a quoted header is ignored', () => {
    expect(parseCsvRows('\uFEFF"subjectId","channel"\r\n"p1","email"\r\n')).toEqual([['subjectId', 'channel'], ['p1', 'email']]);
    expect(readCsvTable('\uFEFF"a"\n1\n')).toEqual([{ line: 2, values: { a: '1' } }]);
  });

  it('an unclosed quote is reported at the line where it opened; other syntax errors at the offending line', () => {
    expect(() => parseCsvRows('a,b\n1,"x\ny\nz\n')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'line[2]', message: 'CSV line 2: a quoted field is not closed' }));
    expect(() => parseCsvRows('a,b\n1,"x\ny" z\n', 'f.csv')).toThrow(expect.objectContaining({ path: '["f.csv"][3]', message: 'f.csv line 3: text after a closing quote' }));
    expect(() => parseCsvRows('a,b\r\n\r\n1,x"y\r\n', 'f.csv')).toThrow(expect.objectContaining({ path: '["f.csv"][3]', message: 'f.csv line 3: a quote inside an unquoted field' }));
  });

  it('header names are trimmed, cells are kept as written (RFC 4180 §2.4)', () => {
    expect(readCsvTable(' subjectId , channel \np1, email \n')).toEqual([{ line: 2, values: { subjectId: 'p1', channel: ' email ' } }]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// attribution's cells and errors

describe('crosschannel attribution: cells and errors', () => {
  it('the value column reads decimal numbers only; an empty cell is 1', async () => {
    const valueOf = async (cell: string): Promise<number> => {
      const r = await attribution(TP, `subjectId,at,value\np1,2026-03-04T10:00:00Z,${cell}\n`, '--json');
      expect(r, cell).toMatchObject({ code: 0 });
      return (JSON.parse(r.out) as { models: Array<{ channels: Array<{ value: number }> }> }).models[0]!.channels[0]!.value;
    };
    for (const [cell, value] of [['', 1], ['80', 80], ['-5', -5], ['+3', 3], ['12.5', 12.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['2E-1', 0.2]] as const) expect(await valueOf(cell)).toBe(value);
    for (const cell of [' ', ' 5', '5 ', '0x10', '0b101', '0o7', 'Infinity', '-Infinity', 'NaN', '1e400', '"1,5"', 'abc', '1_000', '.', 'e5']) {
      const r = await attribution(TP, `subjectId,at,value\n\np1,2026-03-04T10:00:00Z,${cell}\n`);
      expect(r.code, cell).toBe(1);
      expect(r.err, cell).toMatch(/^crosschannel: INPUT_INVALID at \["c\.csv"\]\[3\]\.value: value must be a finite decimal number \(or empty for 1\), got /);
    }
  });

  it('a value written as JavaScript writes a finite number reads back as that number (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ noNaN: true, noDefaultInfinity: true }), async (n) => {
        const r = await attribution(TP, `subjectId,at,value\np1,2026-03-04T10:00:00Z,${String(n)}\n`, '--json');
        expect(r.code).toBe(0);
        expect((JSON.parse(r.out) as { models: Array<{ channels: Array<{ value: number }> }> }).models[0]!.channels[0]!.value).toBe(n === 0 ? 0 : n);
      }),
      { numRuns: 100 },
    );
  });

  it('epoch-millisecond times are integers within ±8.64e15, else TIME_INVALID at the file, line and column', async () => {
    for (const at of ['8640000000000000', '-8640000000000000', '0', '1772359200000']) expect((await attribution(`subjectId,channel,at\np1,email,${at}\n`, CV)).code, at).toBe(0);
    for (const at of ['99999999999999999990', '8640000000000001', '-8640000000000001', '9007199254740993', '1'.repeat(400)]) {
      const r = await attribution(`subjectId,channel,at\np1,email,1\np1,email,${at}\n`, CV);
      expect(r.code, at).toBe(1);
      expect(r.err, at).toMatch(/^crosschannel: TIME_INVALID at \["t\.csv"\]\[3\]\.at: Epoch milliseconds out of range/);
    }
  });

  it('CSV syntax errors name the file and the physical line', async () => {
    expect((await attribution('subjectId,channel,at\np1,email,1\np2,so"cial,2\n', CV)).err).toBe('crosschannel: INPUT_INVALID at ["t.csv"][3]: t.csv line 3: a quote inside an unquoted field\n');
    // A record spanning two lines, then a blank line: the short record starts on line 5.
    expect((await attribution('subjectId,channel,at\np1,"dis\nplay",1\n\np2,social\n', CV)).err).toBe('crosschannel: INPUT_INVALID at ["t.csv"][5]: t.csv line 5: 2 fields, the header 3\n');
    expect((await attribution(TP, 'subjectId,at,value\np1,1,"2\n')).err).toBe('crosschannel: INPUT_INVALID at ["c.csv"][2]: c.csv line 2: a quoted field is not closed\n');
    // Cell checks of the CLI count lines the same way.
    expect((await attribution('subjectId,channel,at\np1,"dis\nplay",1\n\np2,social,yesterday\n', CV)).err).toMatch(/^crosschannel: TIME_INVALID at \["t\.csv"\]\[5\]\.at: /);
  });

  it('row checks done inside the library are reported at the file and line, with their code and message', async () => {
    const long = 'x'.repeat(257);
    const r = await attribution(`subjectId,channel,at\np1,email,1\n\np2,${long},2\n`, CV);
    expect(r).toMatchObject({ code: 1, err: 'crosschannel: INPUT_INVALID at ["t.csv"][4].channel: channel must be a non-empty string of at most 256 characters\n' });
  });

  it('line breaks and control characters in channel names stay inside their Markdown table cell', async () => {
    const t = 'subjectId,channel,at\np1,"multi\nline",1\np1,"a|b",2\np1,"cr\r\nlf",3\np1,"tab\tbell\u0007",4\n';
    const r = await attribution(t, 'subjectId,at,value\np1,5,1\n');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    // Header, rule, four channels, total: every row of the table is one line of the output, with 3 bars.
    expect(lines.slice(0, 7).map((l) => /^\|.*\|$/.test(l) && l.replace(/\\\|/g, '').split('|').length === 4)).toEqual(Array(7).fill(true));
    expect(lines[7]).toBe('');
    expect(r.out).toContain('| multi\\nline | 0.25 |');
    expect(r.out).toContain('| cr\\r\\nlf | 0.25 |');
    expect(r.out).toContain('| tab\\tbell\\u0007 | 0.25 |');
    expect(r.out).toContain('| a\\|b | 0.25 |');
    // --json keeps the names as they are.
    expect((JSON.parse((await attribution(t, 'subjectId,at,value\np1,5,1\n', '--json')).out) as { channels: string[] }).channels).toContain('multi\nline');
  });

  it('a BOM before a quoted CSV header is ignored', async () => {
    expect(await attribution('\uFEFF"subjectId","channel","at"\r\n"p1","email","2026-03-01T10:00:00Z"\r\n', CV)).toMatchObject({ code: 0, out: expect.stringContaining('| email | 1.00 |') });
  });
});

// ---------------------------------------------------------------------------------------------------------
// check, usage, byte order marks

const CAPS = { rules: [{ id: 'a', kind: 'limit', limit: 2, window: 'week' }] };

describe('crosschannel check: kind, every error, not JSON', () => {
  it('a top-level "kind" is removed with or without --kind; an unknown or contradicting one is an error at kind (exit 1)', async () => {
    const files = { 'k.json': JSON.stringify({ kind: 'caps', ...CAPS }), 'typo.json': JSON.stringify({ kind: 'cap', ...CAPS }), 'num.json': JSON.stringify({ kind: 3, ...CAPS }) };
    expect(await cli(['check', 'k.json', '--kind', 'caps'], files)).toMatchObject({ code: 0, out: 'k.json: valid caps configuration\n' });
    expect(await cli(['check', 'k.json'], files)).toMatchObject({ code: 0 });
    const typo = await cli(['check', 'typo.json'], files);
    expect(typo).toMatchObject({ code: 1, out: '' });
    expect(typo.err).toMatch(/^typo\.json: 1 error in the configuration\n {2}kind: unknown kind "cap" \(one of caps, /);
    expect(JSON.parse((await cli(['check', 'typo.json', '--json'], files)).out)).toMatchObject({ kind: null, valid: false, errors: [{ code: 'CONFIG_INVALID', path: 'kind' }] });
    expect((await cli(['check', 'typo.json', '--kind', 'caps'], files)).code).toBe(1);
    expect((await cli(['check', 'num.json'], files)).err).toContain('kind: unknown kind 3');
    expect(await cli(['check', 'k.json', '--kind', 'segments'], files)).toMatchObject({ code: 1, err: expect.stringContaining('kind: the file says kind "caps", --kind says "segments"') });
    // An unknown --kind stays a usage error.
    expect((await cli(['check', 'k.json', '--kind', 'cap'], files)).code).toBe(2);
  });

  it('a segment set lists the errors of every segment, set-wide ones included', async () => {
    const segments = [
      { id: 'fr', rule: { bogus: 1 } },
      { id: 'buyers', rule: { segment: 'vip' } },
      { id: 'x' },
      { id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } },
      { id: 'a', rule: { segment: 'b' } },
      { id: 'b', rule: { segment: 'a' } },
    ];
    const r = await cli(['check', 's.json', '--json'], { 's.json': JSON.stringify(segments) });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { kind: string; errors: Array<{ code: string; path: string }> };
    expect(json.kind).toBe('segments');
    expect(json.errors.map((e) => [e.path, e.code])).toEqual([
      ['[0].rule', 'SEGMENT_RULE_INVALID'],
      ['[1].rule.segment', 'SEGMENT_REFERENCE_UNKNOWN'],
      ['[2].rule', 'SEGMENT_RULE_INVALID'],
      ['[3].id', 'SEGMENT_DUPLICATE_ID'],
      ['[4].rule', 'SEGMENT_REFERENCE_CYCLE'],
    ]);
    expect((await cli(['check', 's.json'], { 's.json': JSON.stringify(segments) })).err).toMatch(/^s\.json: 5 errors in the segments configuration\n/);
    expect((await cli(['check', 's.json'], { 's.json': JSON.stringify(segments.slice(3, 4)) })).code).toBe(0);
  });

  it('check --json on a file that is not JSON has the kind key (null, or the --kind asked)', async () => {
    expect(JSON.parse((await cli(['check', 'b.json', '--json'], { 'b.json': '{' })).out)).toMatchObject({ file: 'b.json', kind: null, valid: false, errors: [{ code: 'CONFIG_INVALID', path: '' }] });
    expect(JSON.parse((await cli(['check', 'b.json', '--json', '--kind', 'caps'], { 'b.json': '{' })).out)).toMatchObject({ kind: 'caps', valid: false });
  });

  it('a UTF-8 BOM before JSON and JSON lines is ignored', async () => {
    expect(await cli(['check', 'c.json'], { 'c.json': `\uFEFF${JSON.stringify(CAPS)}` })).toMatchObject({ code: 0, out: 'c.json: valid caps configuration\n' });
    const files = { 'r.json': `\uFEFF${JSON.stringify([{ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } }])}`, 'p.jsonl': '\uFEFF{"id":"p1","country":"FR"}\n{"id":"p2","country":"DE"}\n', 'e.jsonl': '\uFEFF{"subjectId":"p1","type":"x","at":"2026-05-01T00:00:00Z"}\n' };
    expect(await cli(['segments', 'eval', '--rules', 'r.json', '--profiles', 'p.jsonl', '--events', 'e.jsonl'], files)).toMatchObject({ code: 0, out: expect.stringMatching(/fr\s+1\n2 people evaluated/) });
  });

  it('bare crosschannel is a usage error: usage on stderr, nothing on stdout (exit 2); --help on stdout (exit 0)', async () => {
    expect(await cli([])).toEqual({ code: 2, out: '', err: expect.stringContaining('Usage:') });
    expect(await cli(['--help'])).toEqual({ code: 0, out: expect.stringContaining('Usage:'), err: '' });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Second-round audit: arguments, the header, error lines

describe('crosschannel: arguments and the CSV header (second-round audit)', () => {
  it('a value option given twice is a usage error (it silently kept the last file); --model still repeats', async () => {
    const twice = await cli(['attribution', '--touchpoints', 't.csv', '--touchpoints=other.csv', '--conversions', 'c.csv'], { 't.csv': TP, 'c.csv': CV, 'other.csv': TP });
    expect(twice).toEqual({ code: 2, out: '', err: expect.stringContaining('--touchpoints is given more than once') });
    expect(await cli(['check', 'c.json', '--kind', 'caps', '--kind', 'segments'], { 'c.json': JSON.stringify(CAPS) })).toMatchObject({ code: 2, out: '' });
    expect(await attribution(TP, CV, '--model', 'markov')).toMatchObject({ code: 0, out: expect.stringContaining('| channel | linear | markov |') });
  });

  it('an argument after `--` named --help is a file, not a request for help', async () => {
    expect(await cli(['check', '--', '--help'], { '--help': JSON.stringify(CAPS) })).toEqual({ code: 0, out: '--help: valid caps configuration\n', err: '' });
    expect(await cli(['check', '--help', '--', 'x'])).toMatchObject({ code: 0, out: expect.stringContaining('--kind') });
  });

  it('a header naming a column twice is an error at the header line (a row kept only the last cell)', async () => {
    expect(() => readCsvTable('\n subjectId,channel,at, channel\np1,email,1,search\n', 'f.csv')).toThrow(expect.objectContaining({ path: '["f.csv"][2]', message: 'f.csv line 2: the header names the column "channel" twice' }));
    expect(readCsvTable('a,,\n1,2,3\n')).toEqual([{ line: 2, values: { a: '1', '': '3' } }]);
    expect(await attribution('subjectId,channel,at,channel\np1,email,2026-03-01T10:00:00Z,search\n', CV)).toMatchObject({ code: 1, out: '', err: expect.stringContaining('t.csv line 1: the header names the column "channel" twice') });
  });

  it('an error line names its path once, not again at the end of the message', async () => {
    const r = await attribution(TP, CV, '--lookback=-5d');
    expect(r).toMatchObject({ code: 1, out: '', err: 'crosschannel: CONFIG_INVALID at lookback: Invalid duration: "-5d"\n' });
  });
});

describe('crosschannel gpp decode: the aligned view (second-round audit)', () => {
  it('each section is listed field by field (it was one line of JSON); a list of values is written out, not as id ranges', async () => {
    // usnat with sensitiveDataProcessing 0, 1, 2, 0, …: values per category, so never "0-2".
    const r = await cli(['gpp', 'decode', 'DBABLA~BqqaGAAAAAJY']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^sections\[0\]\n {2}kind +us\n {2}id +7\n {2}name +usnat\n/m);
    expect(r.out).toMatch(/^ {4}sensitiveDataProcessing +0,1,2,0,0,0,0,0,0,0,0,0,0,0,0,0$/m);
    expect(r.out).not.toContain('{');
  });
});

describe('crosschannel gpp decode: the opt-outs (third-round audit)', () => {
  // Written by @iabgpp/cmpapi: uspv1 1YNN (notice, no opt-out) with usnat under MSPA Service Provider Mode (every
  // notice given, nothing opted out); usca with nothing opted out but its GPC flag set.
  const MSPA = 'DBABzw~1YNN~CVQqAAAAAABE.QA';
  const GPC = 'DBABBg~BUoAAACA.YA';

  it('prints what the applicable sections let a downstream party do (it printed only the fields)', async () => {
    const r = await cli(['gpp', 'decode', MSPA]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^optOuts\n {2}saleOptOut +true\n {2}sharingOptOut +true\n {2}targetedAdvertisingOptOut +true\n {2}gpc +false\n {2}unread +—\n$/m);
    const json = JSON.parse((await cli(['gpp', 'decode', GPC, '--json'])).out) as { optOuts: unknown; sections: unknown[] };
    expect(json.optOuts).toEqual({ saleOptOut: true, sharingOptOut: true, targetedAdvertisingOptOut: true, gpc: true, unread: [] });
    expect(json.sections).toHaveLength(1);
  });

  it('--sid names the applicable sections (gpp_sid): only those decide; one not in the string is exit 1', async () => {
    const uspv1 = JSON.parse((await cli(['gpp', 'decode', MSPA, '--sid', '6', '--json'])).out) as { applicableSections: number[]; optOuts: unknown };
    expect(uspv1).toMatchObject({ applicableSections: [6], optOuts: { saleOptOut: false, sharingOptOut: false, targetedAdvertisingOptOut: false, gpc: false, unread: [] } });
    expect(await cli(['gpp', 'decode', MSPA, '--sid=7'])).toMatchObject({ code: 0, out: expect.stringMatching(/^ {2}saleOptOut +true$/m) });
    expect(await cli(['gpp', 'decode', MSPA, '--sid', '8'])).toMatchObject({ code: 1, out: '', err: 'crosschannel: CONSENT_GPP_MALFORMED at applicableSections: applicable section 8 is not in the GPP string\n' });
  });
});

describe('crosschannel attribution: the header (third-round audit)', () => {
  it('a header without a required column is an error at the header line, rows or not (a header-only file was 0 journeys, silently)', async () => {
    expect(await attribution('subjectId,channel\n', CV)).toMatchObject({ code: 1, out: '', err: 'crosschannel: INPUT_INVALID at ["t.csv"][1]: t.csv line 1: the header has no column "at" (it names "subjectId", "channel")\n' });
    expect(await attribution(TP, '\n\nsubjectId,when\np1,2026-03-04T10:00:00Z\n')).toMatchObject({ code: 1, err: expect.stringContaining('c.csv line 3: the header has no column "at"') });
    // `value` is optional; an empty file (no header) has no rows.
    expect(await attribution(TP, 'subjectId,at\np1,2026-03-04T10:00:00Z\n')).toMatchObject({ code: 0, err: '' });
    expect(await attribution('', CV)).toMatchObject({ code: 0, err: '' });
  });
});

describe('crosschannel segments eval: JSON lines (third-round audit)', () => {
  const rules = JSON.stringify([{ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } }]);

  it('reads CRLF, a byte order mark and blank lines; a bad line says why it is not JSON, at its line', async () => {
    const profiles = '\ufeff{"id":"p1","country":"FR"}\r\n\r\n  \n{"id":"p2","country":"DE"}\r\n';
    expect(await cli(['segments', 'eval', '--rules', 'r.json', '--profiles', 'p.jsonl', '--json'], { 'r.json': rules, 'p.jsonl': profiles })).toEqual({
      code: 0,
      out: '{"id":"p1","segments":["fr"]}\n{"id":"p2","segments":[]}\n',
      err: '',
    });
    const r = await cli(['segments', 'eval', '--rules', 'r.json', '--profiles', 'p.jsonl'], { 'r.json': rules, 'p.jsonl': '{"id":"p1"}\n\n{"id":"p2",}\n' });
    expect(r).toMatchObject({ code: 1, out: '', err: expect.stringMatching(/^crosschannel: INPUT_INVALID at \["p.jsonl"\]\[3\]: p.jsonl line 3 is not JSON \(.+\)\n$/) });
  });
});

describe('crosschannel --version', () => {
  it('is the package version (a hand-written constant: this keeps it from going stale at a release)', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(CLI_VERSION).toBe(pkg.version);
    expect(await cli(['--version'])).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });
});

/**
 * A reference reader, a character at a time straight from RFC 4180 and the guide's rules (the shape of the
 * reader before it sliced fields): records with their start line, or the error's message.
 */
function referenceCsv(text: string): Array<{ line: number; cells: string[] }> | string {
  const out: Array<{ line: number; cells: string[] }> = [];
  let row: string[] = [];
  let field = '';
  let sawQuote = false;
  let quoted = false;
  let quoteLine = 0;
  let line = 1;
  let start = 1;
  const endRow = (): void => {
    row.push(field);
    if (sawQuote || !(row.length === 1 && row[0] === '')) out.push({ line: start, cells: row });
    [field, row, sawQuote] = ['', [], false];
  };
  for (let i = text.startsWith('\uFEFF') ? 1 : 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') [field, i] = [`${field}"`, i + 1];
      else if (c === '"') {
        quoted = false;
        if (i + 1 < text.length && !',\r\n'.includes(text[i + 1]!)) return `CSV line ${line}: text after a closing quote`;
      } else {
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        field += c;
      }
    } else if (c === '"') {
      if (field !== '') return `CSV line ${line}: a quote inside an unquoted field`;
      [quoted, sawQuote, quoteLine] = [true, true, line];
    } else if (c === ',') [row, field] = [[...row, field], ''];
    else if (c === '\r' || c === '\n') {
      endRow();
      if (c === '\r' && text[i + 1] === '\n') i++;
      start = ++line;
    } else field += c;
  }
  if (quoted) return `CSV line ${quoteLine}: a quoted field is not closed`;
  if (field !== '' || row.length > 0 || sawQuote) endRow();
  return out;
}

describe('CSV reader against a reference reader (second-round audit)', () => {
  it('any text of quotes, commas, line ends and BOMs reads as a character-at-a-time reader reads it: records, lines, errors (property)', () => {
    const text = fc.array(fc.constantFrom('a', 'b', ' ', '"', '""', ',', '\n', '\r', '\r\n', 'é', '\uFEFF', '🎉'), { maxLength: 30 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, (t) => {
        let got: unknown;
        try {
          got = parseCsvRecords(t);
        } catch (e) {
          got = (e as Error).message;
        }
        expect(got).toEqual(referenceCsv(t));
      }),
      { numRuns: 3000 },
    );
  });
});
