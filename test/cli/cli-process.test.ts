/**
 * The bin file as a process, where the operating system's failures happen: a reader that closes the pipe early
 * (`| head`), and a write of the --html page that fails part way (a file size limit) — the old file is kept and
 * no partial page is left. Linux shells (bash's PIPESTATUS, ulimit -f); skipped on Windows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'cc-cli-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = `"${process.execPath}" "${join(process.cwd(), 'node_modules', 'tsx', 'dist', 'cli.mjs')}" "${join(process.cwd(), 'src', 'cli', 'bin.ts')}"`;
const bash = (script: string): { status: number | null; stdout: string; stderr: string } => spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8' });

// Each case starts the bin through tsx (seconds each on a loaded machine): a generous timeout, no timing asserted.
describe.skipIf(process.platform === 'win32')('crosschannel as a process: pipes and failed writes', { timeout: 120_000 }, () => {
  it('output piped to a reader that stops early ends quietly (exit 0), not with an EPIPE stack trace', () => {
    writeFileSync(join(dir, 'r.json'), JSON.stringify([{ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } }]));
    writeFileSync(join(dir, 'p.jsonl'), Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ id: `p${i}`, country: 'FR' })).join('\n'));
    const r = bash(`${bin} segments eval --rules r.json --profiles p.jsonl --json 2>err.txt | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`);
    expect(r.stdout.trim()).toBe('0');
    expect(readFileSync(join(dir, 'err.txt'), 'utf8')).toBe('');
  });

  it('an --html page that cannot be written whole leaves the existing file as it was, and no temporary file (exit 1)', () => {
    writeFileSync(join(dir, 't.csv'), 'subjectId,channel,at\np1,email,2026-03-01T10:00:00Z\np1,search,2026-03-02T10:00:00Z\n');
    writeFileSync(join(dir, 'c.csv'), 'subjectId,at,value\np1,2026-03-04T10:00:00Z,1\n');
    writeFileSync(join(dir, 'out.html'), 'old page\n');
    // The page is several kB; a 2 kB file size limit makes its write fail part way (EFBIG).
    const r = bash(`ulimit -f 2; ${bin} attribution --touchpoints t.csv --conversions c.csv --html out.html`);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('crosschannel: cannot write out.html (EFBIG)\n');
    expect(readFileSync(join(dir, 'out.html'), 'utf8')).toBe('old page\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Without the limit the page replaces the old file.
    expect(bash(`${bin} attribution --touchpoints t.csv --conversions c.csv --html out.html`)).toMatchObject({ status: 0, stderr: '' });
    expect(readFileSync(join(dir, 'out.html'), 'utf8')).toMatch(/^<!doctype html>[^]*<svg[^]*<\/html>\n$/);
  });
});
