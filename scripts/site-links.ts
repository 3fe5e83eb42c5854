/**
 * Static link check of a built docs site: every `href`/`src` in every HTML page and every entry of
 * typedoc's compressed navigation tree must name a file of the site, and every `#fragment` into an HTML page
 * must name an element id there. External links (`https:`, `mailto:`) are not followed.
 *
 *   npx tsx scripts/site-links.ts [docs/site]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { inflateSync } from 'node:zlib';

export interface BrokenLink {
  /** Page (relative to the site root) holding the link. */
  readonly page: string;
  readonly href: string;
  /** `html copied as media`: the guide linked a generated page by file path (typedoc copied whatever stale file
   * sat there); link API pages with `{@link module!Name}` instead. */
  readonly why: 'missing file' | 'missing anchor' | 'outside the site' | 'html copied as media';
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const ATTR = /\s(?:href|src)\s*=\s*"([^"]*)"/g;
const ID = /\s(?:id|name)\s*=\s*"([^"]*)"/g;

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** Ids in a page, read once per page. */
function idsOf(file: string, cache: Map<string, Set<string>>): Set<string> {
  let ids = cache.get(file);
  if (!ids) {
    ids = new Set([...readFileSync(file, 'utf8').matchAll(ID)].map((m) => decodeEntities(m[1]!)));
    cache.set(file, ids);
  }
  return ids;
}

/** Paths (relative to the root) listed in typedoc's navigation data, if the site has it. */
export function navigationPaths(root: string): string[] {
  const nav = join(root, 'assets', 'navigation.js');
  if (!existsSync(nav)) return [];
  const data = /"([A-Za-z0-9+/=]+)"/.exec(readFileSync(nav, 'utf8'))?.[1];
  if (!data) return [];
  const tree = JSON.parse(inflateSync(Buffer.from(data, 'base64')).toString('utf8')) as Array<{ path?: string; children?: unknown[] }>;
  const paths: string[] = [];
  const visit = (nodes: Array<{ path?: string; children?: unknown[] }>): void => {
    for (const n of nodes) {
      if (n.path) paths.push(n.path);
      if (Array.isArray(n.children)) visit(n.children as Array<{ path?: string; children?: unknown[] }>);
    }
  };
  visit(tree);
  return paths;
}

/** Checks one link written in `fromFile`; returns why it is broken, or undefined. */
function check(root: string, fromFile: string, href: string, idCache: Map<string, Set<string>>): BrokenLink['why'] | undefined {
  const [pathPart = '', fragment] = href.split('#', 2) as [string, string | undefined];
  const target = pathPart === '' ? fromFile : resolve(dirname(fromFile), decodeURIComponent(pathPart.split('?')[0]!));
  if (target !== root && !target.startsWith(root + sep)) return 'outside the site';
  let file = target;
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) return 'missing file';
  if (/\.html?$/.test(file) && relative(root, file).split(sep)[0] === 'media') return 'html copied as media';
  if (fragment && /\.(html|svg)$/.test(file)) {
    const id = decodeURIComponent(fragment);
    if (!idsOf(file, idCache).has(id)) return 'missing anchor';
  }
  return undefined;
}

/** Every broken internal link of the site under `root`. */
export function brokenLinks(siteRoot: string): { pages: number; links: number; broken: BrokenLink[] } {
  const root = resolve(siteRoot);
  const idCache = new Map<string, Set<string>>();
  const broken: BrokenLink[] = [];
  let links = 0;
  const pages = walk(root).filter((f) => f.endsWith('.html'));
  for (const page of pages) {
    const html = readFileSync(page, 'utf8');
    for (const m of html.matchAll(ATTR)) {
      const href = decodeEntities(m[1]!);
      if (href === '' || href === '#' || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) continue;
      links++;
      const why = check(root, page, href, idCache);
      if (why) broken.push({ page: relative(root, page).split(sep).join('/'), href, why });
    }
  }
  for (const path of navigationPaths(root)) {
    links++;
    const why = check(root, join(root, 'index.html'), path, idCache);
    if (why) broken.push({ page: 'assets/navigation.js', href: path, why });
  }
  return { pages: pages.length, links, broken };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const root = process.argv[2] ?? 'docs/site';
  const { pages, links, broken } = brokenLinks(root);
  for (const b of broken) console.log(`${b.page}: ${b.href} (${b.why})`);
  console.log(`${pages} pages, ${links} internal links, ${broken.length} broken`);
  process.exitCode = broken.length > 0 ? 1 : 0;
}
