/**
 * The docs-examples checker (scripts/check-doc-examples.ts): finds ```ts blocks in markdown and under TSDoc
 * `@example` tags, imports the names a snippet leaves undeclared from the entry it documents, and reports
 * every TypeScript error at its line in the documenting file.
 */
import { describe, expect, it } from 'vitest';
import { checkExamples, collectExamples, markdownExamples, tsdocExamples } from '../../scripts/check-doc-examples.js';

describe('docs examples checker', () => {
  it('extracts ts blocks from markdown, skipping no-check and non-ts blocks, with their lines', () => {
    const examples = markdownExamples(process.cwd(), ['test/docs/fixtures/guide.md']);
    expect(examples.map((e) => e.line)).toEqual([4, 11, 16]);
    expect(examples[0]!.code).toContain("durationToMs('1h30m')");
    expect(examples.every((e) => e.home === 'crosschannel')).toBe(true);
  });

  it('extracts @example blocks from TSDoc comments without the comment gutter', () => {
    const examples = tsdocExamples(process.cwd(), 'test/docs/fixtures/documented.ts');
    expect(examples.map((e) => e.line)).toEqual([6, 12]);
    expect(examples[0]!.code).toBe('declare const n: number;\nconst two: number = toEpochMs(n) + 1;');
  });

  it('passes correct examples and reports drifted ones at their documented line', () => {
    const examples = [...markdownExamples(process.cwd(), ['test/docs/fixtures/guide.md']), ...tsdocExamples(process.cwd(), 'test/docs/fixtures/documented.ts')];
    const failures = checkExamples(examples).map((f) => `${f.file}:${f.line} TS${f.code}`);
    expect(failures).toEqual([
      'test/docs/fixtures/guide.md:17 TS2345', // a number where a zone goes
      'test/docs/fixtures/documented.ts:12 TS2322', // a number into a string
      'test/docs/fixtures/documented.ts:13 TS2304', // an undeclared placeholder
    ]);
  }, 60_000);

  it('the landing page, the adapters guide, the README and the testing kit hold only compiling examples', () => {
    const files = ['README.md', 'docs/index.md', 'docs/adapters.md', 'src/testing/index.ts'];
    const examples = collectExamples().filter((e) => files.includes(e.file));
    expect(new Set(examples.map((e) => e.file))).toEqual(new Set(files));
    expect(checkExamples(examples)).toEqual([]);
  }, 60_000);

  it('every example in README, docs/ and TSDoc compiles against the API, declaring what it assumes', () => {
    // The same strict check as `npm run docs:examples`: real exports, signatures and types, valid syntax, and
    // no undeclared placeholder (`declare const history: History;` makes an assumption visible).
    const examples = collectExamples();
    expect(examples.length).toBeGreaterThan(100);
    expect(checkExamples(examples)).toEqual([]);
  }, 120_000);

  it('the drift check still catches drift when placeholders are allowed', () => {
    const examples = [...markdownExamples(process.cwd(), ['test/docs/fixtures/guide.md']), ...tsdocExamples(process.cwd(), 'test/docs/fixtures/documented.ts')];
    const failures = checkExamples(examples, process.cwd(), 'src', 'any').map((f) => `${f.file}:${f.line} TS${f.code}`);
    expect(failures).toEqual(['test/docs/fixtures/guide.md:17 TS2345', 'test/docs/fixtures/documented.ts:12 TS2322']);
  }, 60_000);
});
