import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downStack, PortInUseError, stackLayout, stackStatus, upStack } from '../src/index';
import { pidAlive, privateStackOptions as newStackOptions } from './helpers';

async function privateStackOptions(...args: Parameters<typeof newStackOptions>): ReturnType<typeof newStackOptions> {
  const options = await newStackOptions(...args);
  cleanups.push(() => rmSync(options.stateDir, { recursive: true, force: true }));
  return options;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('stack guards', () => {
  it('names the service, the port and the setting when a port is taken, and starts nothing', async () => {
    const options = await privateStackOptions({ portHints: { temporal: 'set MIRAGE_TEMPORAL_PORT to change it' } });
    const squatter = await occupy(options.ports.temporal);
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const attempt = upStack(options);
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(
      `cannot start temporal: port ${options.ports.temporal} is already in use by another process (set MIRAGE_TEMPORAL_PORT to change it)`,
    );
    expect((await stackStatus(options)).map((service) => service.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(existsSync(stackLayout(options.stateDir).stackEnv)).toBe(false);
  });

  it('uses an external DATABASE_URL as is: no postgres is started, status says external', async () => {
    const externalUrl = 'postgres://someone:hunter2@db.example.invalid:5432/lab';
    const options = await privateStackOptions({ externalDatabaseUrl: externalUrl });
    cleanups.push(async () => void (await downStack(options)));
    const up = await upStack(options);
    expect(up.services[0]).toMatchObject({ name: 'postgres', state: 'external', pid: null, action: 'external' });
    expect(up.services[0]?.address).toBe('postgres://someone:***@db.example.invalid:5432/lab');
    expect(up.env['DATABASE_URL']).toBe(externalUrl);
    expect(existsSync(join(options.stateDir, 'postgres'))).toBe(false);
    const status = await stackStatus(options);
    expect(status.map((service) => service.state)).toEqual(['external', 'running', 'running']);
    const down = await downStack(options);
    expect(down.services.map((service) => service.name)).toEqual(['s3', 'temporal']);
  });

  it('never signals a recorded pid that now runs another command', async () => {
    const options = await privateStackOptions();
    const bystander: ChildProcess = spawn('sleep', ['60'], { stdio: 'ignore' });
    cleanups.push(() => void bystander.kill('SIGKILL'));
    const { pidsDir } = stackLayout(options.stateDir);
    mkdirSync(pidsDir, { recursive: true });
    const record = {
      pid: bystander.pid,
      argv: ['/bin/temporal', 'server', 'start-dev'],
      startedAt: new Date().toISOString(),
    };
    writeFileSync(join(pidsDir, 'temporal.pid'), JSON.stringify(record));
    const down = await downStack(options);
    expect(down.services.find((service) => service.name === 'temporal')).toEqual({
      name: 'temporal',
      pid: bystander.pid,
      outcome: 'not running',
    });
    expect(pidAlive(bystander.pid as number)).toBe(true);
    expect(existsSync(join(pidsDir, 'temporal.pid'))).toBe(false);
  });
});
