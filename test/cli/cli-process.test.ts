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

  it('an input file that is not UTF-8 is refused at its line (it was read with U+FFFD in place of its letters)', () => {
    // A Windows-1252 export: "Réseaux" with é as the byte E9 became the channel "R\uFFFDseaux", silently.
    writeFileSync(join(dir, 'latin1.csv'), Buffer.from('subjectId,channel,at\np1,R\xe9seaux,2026-03-01T10:00:00Z\n', 'latin1'));
    writeFileSync(join(dir, 'c1.csv'), 'subjectId,at\np1,2026-03-04T10:00:00Z\n');
    const r = bash(`${bin} attribution --touchpoints latin1.csv --conversions c1.csv --json`);
    expect(r).toMatchObject({ status: 1, stdout: '', stderr: 'crosschannel: INPUT_INVALID at ["latin1.csv"][2]: latin1.csv line 2: not UTF-8 text, byte 0xE9 at offset 25; save the file as UTF-8\n' });
    writeFileSync(join(dir, 'u16.json'), Buffer.from('\ufeff{"rules":[]}', 'utf16le'));
    expect(bash(`${bin} check u16.json`)).toMatchObject({ status: 1, stdout: '', stderr: expect.stringContaining('u16.json line 1: not UTF-8 text, byte 0xFF at offset 0 (a UTF-16 file?)') });
    // check --json reports it as it reports a file that is not JSON: one error at the path "".
    expect(JSON.parse(bash(`${bin} check u16.json --json`).stdout)).toEqual({ file: 'u16.json', kind: null, valid: false, errors: [{ code: 'INPUT_INVALID', path: '', message: 'u16.json line 1: not UTF-8 text, byte 0xFF at offset 0 (a UTF-16 file?); save the file as UTF-8' }] });
    // A U+FFFD written in the file (EF BF BD) is UTF-8: read as it is, and through a pipe as from a file.
    writeFileSync(join(dir, 'fffd.json'), '[{"id":"a\ufffdb","rule":{"and":[]}}]');
    expect(bash(`${bin} check fffd.json && ${bin} check <(cat latin1.csv)`)).toMatchObject({ status: 1, stdout: 'fffd.json: valid segments configuration\n', stderr: expect.stringMatching(/^crosschannel: INPUT_INVALID at \["\/dev\/fd\/\d+"\]\[2\]: .* not UTF-8 text, byte 0xE9/) });
    // UTF-8 with a byte order mark is read as before.
    writeFileSync(join(dir, 'bom.json'), '\ufeff{"rules":[]}');
    expect(bash(`${bin} check bom.json`)).toMatchObject({ status: 0, stdout: 'bom.json: valid caps configuration\n' });
  });
});
