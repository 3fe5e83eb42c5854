/**
 * What the built-site check (site.test.ts) cannot see: the README is not part of the site (it is read on GitHub
 * and npm), so its links and #anchors, and the guides', are checked here under GitHub's heading slugs; and a ```ts no-check block
 * that quotes a runnable example (`excerpt=examples/x.ts` in its info string) must still be that example's code,
 * line for line, or the guide drifts from what `npx tsx examples/x.ts` runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const MARKDOWN = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's heading anchor: lowercase, punctuation dropped (code spans kept as text), spaces to hyphens. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]|\[|\]\([^)]*\)/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

/** Anchors of a markdown file's headings (outside fenced code), with GitHub's `-1`, `-2` for repeats. */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (f) {
      if (fence === undefined) fence = f;
      else if (line.trim().startsWith(fence)) fence = undefined;
      continue;
    }
    const h = fence === undefined ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (!h) continue;
    const slug = githubSlug(h[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Relative links of a markdown file (outside fenced code) that point to a missing file or heading. */
export function brokenMarkdownLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/^\s*(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s*\1\s*$/gm, '');
  const broken: string[] = [];
  for (const m of text.matchAll(/\]\(\s*([^)\s]+)\s*\)/g)) {
    const href = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto:
    const [path = '', anchor] = href.split('#', 2) as [string, string | undefined];
    const target = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
    if (!existsSync(target)) {
      broken.push(`${href}: no file ${target}`);
      continue;
    }
    if (anchor && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(decodeURIComponent(anchor))) broken.push(`${href}: no heading #${anchor} in ${target}`);
  }
  return broken;
}

/** `ts no-check excerpt=<file>` blocks of a markdown text, with their first line. */
export function excerpts(text: string): Array<{ line: number; source: string; code: string[] }> {
  const lines = text.split('\n');
  const out: Array<{ line: number; source: string; code: string[] }> = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(`{3,})\s*\w+\b.*\bexcerpt=(\S+)/.exec(lines[i]!);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() !== open[1]) j++;
    out.push({ line: i + 2, source: open[2]!, code: lines.slice(i + 1, j) });
    i = j;
  }
  return out;
}

/** Lines of an excerpt that its source does not hold (trailing `// comments` and indentation ignored). */
export function driftedLines(code: readonly string[], source: string): string[] {
  const bare = (l: string): string => l.replace(/\s+\/\/ .*$/, '').trim();
  const held = new Set(source.split('\n').map(bare));
  return code.map(bare).filter((l) => l !== '' && !held.has(l));
}

describe('markdown links', () => {
  it('every relative link and #anchor of the README and the guides resolves as GitHub renders them', () => {
    // The site check (site.test.ts) holds the guides under TypeDoc's slugs; the README is only read on GitHub and npm,
    // and the guides are read there too, where a heading with a code span keeps its text in the anchor.
    expect(MARKDOWN.flatMap((f) => brokenMarkdownLinks(f).map((b) => `${f}: ${b}`))).toEqual([]);
  });

  it('the link check sees a missing file and a missing heading, and slugs headings as GitHub does', () => {
    expect(githubSlug('Phone numbers: the optional peer `libphonenumber-js`')).toBe('phone-numbers-the-optional-peer-libphonenumber-js');
    expect(githubSlug('Stores & adapters (v2)')).toBe('stores--adapters-v2');
    expect([...anchorsOf('# A\n```md\n# not a heading\n```\n## A\n')]).toEqual(['a', 'a-1']);
    const broken = brokenMarkdownLinks('test/docs/fixtures/links.md');
    expect(broken).toEqual([
      'guide.md#nowhere: no heading #nowhere in test/docs/fixtures/guide.md',
      'gone.md: no file test/docs/fixtures/gone.md',
    ]);
  });
});

describe('guide excerpts of runnable examples', () => {
  const all = MARKDOWN.flatMap((file) => excerpts(readFileSync(file, 'utf8')).map((e) => ({ file, ...e })));

  it('each quotes its example line for line', () => {
    expect(all.length).toBeGreaterThan(0);
    const drift = all.flatMap((e) =>
      existsSync(e.source) ? driftedLines(e.code, readFileSync(e.source, 'utf8')).map((l) => `${e.file}:${e.line} not in ${e.source}: ${l}`) : [`${e.file}:${e.line}: no file ${e.source}`],
    );
    expect(drift).toEqual([]);
  });

  it('the excerpt check sees a line the example no longer has', () => {
    const [e] = excerpts('text\n```ts no-check excerpt=examples/x.ts\nconst a = f(1); // why\n  return a;\n```\n');
    expect(e).toMatchObject({ line: 3, source: 'examples/x.ts' });
    expect(driftedLines(e!.code, 'function g() {\n  const a = f(1);\n  return a;\n}')).toEqual([]);
    expect(driftedLines(e!.code, 'const a = f(2);\nreturn a;')).toEqual(['const a = f(1);']);
  });
});

describe('sizes quoted in the guides', () => {
  it('the TC-string bundle size in the landing page and the consent guide is the README table\'s (which the budget test holds)', () => {
    // README row: | `{ decodeTcString, tcfCanProcess } from 'crosschannel/consent'` | 18.0 kB | 7.1 kB |
    const row = /\|\s*`\{ decodeTcString, tcfCanProcess \}[^|]*\|[^|]*\|\s*([\d.]+) kB/.exec(readFileSync('README.md', 'utf8'));
    expect(row, 'README size row for decodeTcString + tcfCanProcess').not.toBeNull();
    const measured = Number(row![1]);
    const landing = /`tcfCanProcess`\) ships about ([\d.]+) kB/.exec(readFileSync('docs/index.md', 'utf8'));
    const consent = /`decodeTcString` \+ `tcfCanProcess` ([\d.]+) kB/.exec(readFileSync('docs/consent.md', 'utf8'));
    expect(Math.abs(Number(landing?.[1]) - measured), 'docs/index.md ("about N kB")').toBeLessThanOrEqual(0.5);
    expect(Math.abs(Number(consent?.[1]) - measured), 'docs/consent.md').toBeLessThanOrEqual(0.15);
  });
});
