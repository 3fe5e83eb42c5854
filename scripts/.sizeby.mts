import { build } from 'esbuild';
const entry = process.argv[2]!;
const r = await build({ entryPoints: [entry], bundle: true, write: false, minify: true, treeShaking: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'silent', metafile: true });
const out = Object.values(r.metafile.outputs)[0]!;
const groups = new Map<string, number>();
for (const [k, v] of Object.entries(out.inputs)) {
  const g = k.includes('node_modules') ? k.replace(/.*node_modules\/((@[^/]+\/)?[^/]+)\/(.*)/, (_m, p, _s, rest) => p + (p==='zod' ? '/' + rest.split('/').slice(0,3).join('/') : '')) : k.split('/').slice(0, 3).join('/');
  groups.set(g, (groups.get(g) ?? 0) + v.bytesInOutput);
}
console.log('total', out.bytes);
for (const [k, v] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(v).padStart(8), k);
