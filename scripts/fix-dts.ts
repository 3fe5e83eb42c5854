/**
 * Post-build fix of the bundled declaration files (run by `npm run build` after tsup).
 *
 * tsup's declaration bundler turns each `export * as capping from './capping/index.js'` of the root entry into a
 * `declare namespace capping { export { capping_X as X, … } }` block, declaring every member first as
 * `declare const capping_X: typeof X;`. For a member that is only a type (an interface, a type alias) that line
 * is invalid (`TS2693: 'X' only refers to a type, but is being used as a value here`), and for a name that is both
 * a value and a type it keeps only the value. A consumer compiling without `skipLibCheck` saw over a hundred such
 * errors.
 *
 * The fix exports the original binding itself from the namespace (`export { X as X }` carries every meaning of
 * `X`: value, type, or both) and drops the `declare const` line. Nothing else in the files changes. The
 * consumer test (test/package/consumer.test.ts) compiles the packed package under strict settings without
 * `skipLibCheck`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Rewrites one declaration file's namespace blocks; returns the new text and how many members it fixed. */
export function fixDeclarations(text: string): { text: string; fixed: number } {
  // `declare const ns_X: typeof Y;` — the synthetic value declarations of namespace members.
  const synthetic = new Map<string, string>();
  for (const m of text.matchAll(/^declare const ([A-Za-z_$][\w$]*): typeof ([A-Za-z_$][\w$]*);$/gm)) synthetic.set(m[1]!, m[2]!);
  if (synthetic.size === 0) return { text, fixed: 0 };
  let fixed = 0;
  const used = new Set<string>();
  const out = text.replace(/^(declare namespace [A-Za-z_$][\w$]* \{\n {2}export \{ )([^}]*)( \};\n\})/gm, (_all, head: string, list: string, tail: string) => {
    const entries = list.split(', ').map((entry) => {
      const m = /^(type )?([A-Za-z_$][\w$]*) as ([A-Za-z_$][\w$]*)$/.exec(entry);
      if (!m || m[1]) return entry;
      const original = synthetic.get(m[2]!);
      if (original === undefined) return entry;
      used.add(m[2]!);
      fixed++;
      return `${original} as ${m[3]}`;
    });
    return `${head}${entries.join(', ')}${tail}`;
  });
  // Drop only the synthetic lines whose namespace entry was rewritten.
  const cleaned = out.replace(/^declare const ([A-Za-z_$][\w$]*): typeof ([A-Za-z_$][\w$]*);\n/gm, (line, local: string) => (used.has(local) ? '' : line));
  return { text: cleaned, fixed };
}

function walk(dir: string, files: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, files);
    else if (name.endsWith('.d.ts') || name.endsWith('.d.cts')) files.push(p);
  }
  return files;
}

const isMain = process.argv[1] !== undefined && /fix-dts\.[cm]?[jt]s$/.test(process.argv[1]);
if (isMain) {
  const dir = process.argv[2] ?? 'dist';
  let total = 0;
  let changedFiles = 0;
  for (const file of walk(dir)) {
    const before = readFileSync(file, 'utf8');
    const { text, fixed } = fixDeclarations(before);
    if (fixed > 0) {
      writeFileSync(file, text);
      total += fixed;
      changedFiles++;
    }
  }
  console.log(`fix-dts: ${total} namespace members exported by their own binding, in ${changedFiles} declaration files`);
}
