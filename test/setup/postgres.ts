/**
 * Vitest global setup: starts a real PostgreSQL server (Debian's `postgresql` package) in a throwaway data
 * directory on a free loopback port, and provides its URL to suites as `inject('postgresUrl')`. The PostgreSQL
 * stores and SQL generators run their suites on it as well as on PGlite (test/fixtures/pglite.ts `pgEngines`).
 *
 * When the server binaries are missing the server suites skip — except under CI (`CI` set), where a missing
 * server fails the run: `.ci/run` installs `postgresql`. PostgreSQL refuses to run as root, so under root the
 * server runs as the `postgres` system user that the Debian package creates.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

/** The directory holding `initdb` and `postgres`: `$PG_BINDIR`, Debian's newest `/usr/lib/postgresql/N/bin`, or PATH. */
export function findPostgresBinDir(): string | null {
  const fromEnv = process.env.PG_BINDIR;
  if (fromEnv && existsSync(join(fromEnv, 'postgres'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const r = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = r.stdout.trim();
  return r.status === 0 && initdb ? initdb.slice(0, initdb.lastIndexOf('/')) : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `cmd` as the server's user: the `postgres` system user when we are root, ourselves otherwise. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  // setpriv execs the command itself (no intermediate process), so signals reach the server directly.
  return userInfo().uid === 0 ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]] : [cmd, args];
}

async function accepting(bin: string, port: number, socketDir: string): Promise<boolean> {
  const r = spawnSync(join(bin, 'pg_isready'), ['-h', socketDir, '-p', String(port), '-q'], { encoding: 'utf8' });
  return r.status === 0;
}

/** A PostgreSQL server started by {@link startPostgresServer}: its URL, and how to stop it (the data directory goes too). */
export interface PostgresServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL server (Debian's binaries) on a free loopback port, durability off; null when the
 * binaries are missing. Used by the test suites' global setup and by the benchmarks.
 */
export async function startPostgresServer(): Promise<PostgresServer | null> {
  const bin = findPostgresBinDir();
  if (!bin) return null;
  const dir = mkdtempSync(join(tmpdir(), 'crosschannel-pg-'));
  const data = join(dir, 'data');
  if (userInfo().uid === 0) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('running as root but there is no `postgres` user to run the PostgreSQL server as');
    chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }
  const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);

  const port = await freePort();
  const [cmd, args] = asServerUser(join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir,
    '-c', 'listen_addresses=127.0.0.1',
    // A test server: durability off (the data directory is thrown away), enough connections for the forks.
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=200', '-c', 'shared_buffers=64MB',
  ]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const deadline = Date.now() + 30_000;
  while (!(await accepting(bin, port, dir))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`PostgreSQL did not start on port ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      // SIGINT = fast shutdown: disconnects the clients, no checkpoint wait beyond what is needed.
      child.kill('SIGINT');
      await new Promise((r) => {
        if (child.exitCode !== null) r(undefined);
        else {
          const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(t);
            r(undefined);
          });
        }
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresServer();
  if (!server) {
    if (process.env.CI) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql) and CI is set: the server suites must not be skipped in CI');
    console.warn('[crosschannel tests] PostgreSQL server not found: the Debian-postgresql suites are skipped (they run in CI; PGlite suites still run).');
    project.provide('postgresUrl', null);
    return async () => {};
  }
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
