/**
 * Defect 3 soak: 1,000,000 decisions for 1,000 people with the default identity config leave the heap (after a
 * full GC) flat within 10 %, and the identity graph holds one observation per person. Runs in a child process
 * started with --expose-gc (about 45 s of CPU on an idle 2-core box). SOAK_DECISIONS shortens it locally.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const DECISIONS = Number(process.env.SOAK_DECISIONS ?? 1_000_000);

it(`heap stays flat over ${DECISIONS.toLocaleString('en-US')} decisions for 1,000 people`, { timeout: 900_000 }, async () => {
  const child = fileURLToPath(new URL('./identity-soak.child.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', child, String(DECISIONS)], { maxBuffer: 1 << 20, timeout: 890_000 });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    contacts: number;
    checkpoints: Array<{ decisions: number; heapBytes: number }>;
    identity: { profiles: number; identifiers: number; observations: number };
  };
  // One contact per person (the run is one day long, capped at one a day); the identity graph never grew.
  expect(result.contacts).toBe(1000);
  expect(result.identity).toEqual({ profiles: 1000, identifiers: 2000, observations: 1000 });
  const [warm, , end] = result.checkpoints;
  expect(end!.heapBytes).toBeLessThanOrEqual(warm!.heapBytes * 1.1);
});
