/**
 * The public API of every package entry, read from the sources with the TypeScript compiler: each exported
 * name with what it is (`value`, `type`, or `value+type` for a class, an enum or a name that is both), and for
 * a namespace re-export of the root entry (`capping`, …) just `namespace`. Used by api.test.ts to hold the API
 * to the checked-in snapshot test/package/api.snapshot.json.
 */
import ts from 'typescript';
import { join } from 'node:path';
import { packageEntries } from '../../scripts/entries.js';

export type ApiSnapshot = Record<string, string[]>;

function kindOf(checker: ts.TypeChecker, sym: ts.Symbol): string {
  const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
  const f = target.flags;
  if (f & ts.SymbolFlags.ValueModule && !(f & ts.SymbolFlags.Function)) return 'namespace';
  const value = (f & ts.SymbolFlags.Value) !== 0;
  const type = (f & ts.SymbolFlags.Type) !== 0;
  return value && type ? 'value+type' : value ? 'value' : 'type';
}

/** `{ 'crosschannel/capping': ['CapRule: type', 'evaluateCaps: value', …], … }`, names sorted. */
export function publicApi(root = process.cwd()): ApiSnapshot {
  const files = packageEntries.map((e) => join(root, e.source));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const out: ApiSnapshot = {};
  for (const entry of packageEntries) {
    const sf = program.getSourceFile(join(root, entry.source));
    const mod = sf && checker.getSymbolAtLocation(sf);
    if (!mod) throw new Error(`cannot read ${entry.source}`);
    out[entry.specifier] = checker
      .getExportsOfModule(mod)
      .map((s) => `${s.getName()}: ${kindOf(checker, s)}`)
      .sort();
  }
  return out;
}

/** Public exports of each entry whose declaration carries no `@example` in its TSDoc (namespaces excluded). */
export function exportsWithoutExample(root = process.cwd()): Record<string, string[]> {
  const files = packageEntries.map((e) => join(root, e.source));
  const program = ts.createProgram(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const out: Record<string, string[]> = {};
  for (const entry of packageEntries) {
    const sf = program.getSourceFile(join(root, entry.source));
    const mod = sf && checker.getSymbolAtLocation(sf);
    if (!mod) throw new Error(`cannot read ${entry.source}`);
    out[entry.specifier] = checker
      .getExportsOfModule(mod)
      .filter((s) => {
        if (kindOf(checker, s) === 'namespace') return false;
        const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
        return !(target.declarations ?? []).some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === 'example'));
      })
      .map((s) => s.getName())
      .sort();
  }
  return out;
}

/**
 * Public instance methods of every exported class, by class name: methods neither `private`/`protected` nor
 * tagged `@internal` (their TSDoc hides them from the API reference), inherited ones included.
 */
export function publicMethods(root = process.cwd()): Map<string, Set<string>> {
  const files = packageEntries.map((e) => join(root, e.source));
  const program = ts.createProgram(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const out = new Map<string, Set<string>>();
  for (const entry of packageEntries) {
    const sf = program.getSourceFile(join(root, entry.source));
    const mod = sf && checker.getSymbolAtLocation(sf);
    if (!mod) throw new Error(`cannot read ${entry.source}`);
    for (const s of checker.getExportsOfModule(mod)) {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      if (!(target.flags & ts.SymbolFlags.Class) || out.has(s.getName())) continue;
      const instance = checker.getDeclaredTypeOfSymbol(target);
      const names = new Set<string>();
      for (const p of checker.getPropertiesOfType(instance)) {
        if (!(p.flags & ts.SymbolFlags.Method)) continue;
        const decls = p.declarations ?? [];
        const hidden = decls.some(
          (d) => (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || ts.getJSDocTags(d).some((t) => t.tagName.text === 'internal') || /@internal/.test(d.getFullText().slice(0, d.getFullText().indexOf(p.getName()))),
        );
        if (!hidden) names.add(p.getName());
      }
      out.set(s.getName(), names);
    }
  }
  return out;
}
