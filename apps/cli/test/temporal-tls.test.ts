// A secured Temporal (mTLS, as a self-hosted production server or Temporal Cloud's certificate auth): the dev server
// has no TLS, so the test puts a TLS-terminating proxy in front of it that demands a client certificate signed by the
// test's own CA (openssl). Every process then reaches Temporal through it from Temporal's own environment
// variables: the CLI, the orchestrator and the GPU worker; a missing client certificate or a half-set pair fails
// with a message naming the variables, not a stack trace.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { randomUUID } from 'node:crypto';
import { TASK_QUEUES } from '@mirage/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoCodeVersion } from '../src/experiments/code-version-of-repo';
import { ROOT, runMirage } from './support/mirage';
import { requireStackEnv } from './support/release-trees';

requireStackEnv();
const work = mkdtempSync(join(tmpdir(), 'mirage-tls-'));
const file = (name: string) => join(work, name);
let proxy: Server;
let proxyAddress: string;
let refused = 0;
const children: ChildProcess[] = [];

/** A CA, a server certificate for localhost and a client certificate, made with openssl. */
function makeCertificates(): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=mirage-test-ca',
  );
  // Extensions make them X.509 v3 certificates, which rustls (the Python SDK's core) requires.
  writeFileSync(
    file('server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  writeFileSync(file('client.ext'), 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  for (const [name, ext] of [
    ['server', ['-extfile', 'server.ext']],
    ['client', ['-extfile', 'client.ext']],
  ] as const) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name === 'server' ? 'localhost' : 'mirage-worker'}`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      ...ext,
    );
  }
}

const secured = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  TEMPORAL_ADDRESS: proxyAddress,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem'),
  TEMPORAL_TLS_SERVER_NAME: 'localhost',
  TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem'),
  TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key'),
  ...extra,
});

async function waitFor(what: string, done: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen:\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv): { log: () => string; child: ChildProcess } {
  const chunks: string[] = [];
  const child = spawn(command, args, { cwd: ROOT, env });
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()));
  children.push(child);
  return { log: () => chunks.join(''), child };
}

beforeAll(async () => {
  makeCertificates();
  const [host, port] = (process.env['TEMPORAL_ADDRESS'] as string).split(':');
  proxy = createServer(
    {
      key: readFileSync(file('server.key')),
      cert: readFileSync(file('server.pem')),
      ca: readFileSync(file('ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      const upstream = connect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      const close = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', close);
      upstream.on('error', close);
    },
  );
  proxy.on('tlsClientError', () => refused++);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyAddress = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 60_000);

afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  proxy?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a Temporal server behind mutual TLS', () => {
  it('the CLI connects with the client certificate, and is refused without one with a clear message', async () => {
    const ok = await runMirage(['cancel', `sweep-${randomUUID()}`], secured());
    expect(ok.stderr).toMatch(/^mirage: no sweep sweep-/);
    const before = refused;
    const noCert = await runMirage(
      ['cancel', 'sweep-x'],
      secured({ TEMPORAL_TLS_CLIENT_CERT_PATH: '', TEMPORAL_TLS_CLIENT_KEY_PATH: '' }),
    );
    expect(noCert.code).toBe(2);
    expect(noCert.stderr).toContain(`mirage: cannot reach Temporal at ${proxyAddress}`);
    expect(refused).toBeGreaterThan(before);
    const half = await runMirage(['cancel', 'sweep-x'], secured({ TEMPORAL_TLS_CLIENT_KEY_PATH: '' }));
    expect(half.code).toBe(2);
    expect(half.stderr).toBe(
      'mirage: TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH must be set together (a client certificate and its key)\n',
    );
    const unreadable = await runMirage(
      ['cancel', 'sweep-x'],
      secured({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('nowhere.pem') }),
    );
    expect(unreadable.stderr).toMatch(
      /TEMPORAL_TLS_SERVER_CA_CERT_PATH=.*nowhere\.pem: cannot read the file \(ENOENT\)/,
    );
  }, 120_000);

  it('the GPU worker and the orchestrator serve their queues through it', async () => {
    const queue = `gpu-tls-${randomUUID().slice(0, 8)}`;
    const gpu = start(
      join(ROOT, '.venv/bin/python'),
      ['-m', 'mirage_gpu_worker'],
      secured({ MIRAGE_GPU_TASK_QUEUE: queue }),
    );
    await waitFor('GPU worker ready', () => gpu.log().includes('worker ready'), gpu.log);
    // `node --import tsx`, one process: its pid is the worker identity's.
    const orchestrator = start(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'apps/orchestrator/src/main.ts')],
      secured(),
    );
    await waitFor('orchestrator serving', () => orchestrator.log().includes('serving workflows'), orchestrator.log);
    // Seen by the server itself (the CLI asks it directly here): both pollers came in over TLS.
    const status = await runMirage(['status', '--queue', queue, '--json'], process.env);
    const queues = (JSON.parse(status.stdout) as { queues: { queue: string; pollers: string[] }[] }).queues;
    const pollers = (name: string) => queues.filter((q) => q.queue === name).flatMap((q) => q.pollers);
    expect(pollers(`${queue}@${repoCodeVersion()}`).some((p) => p.startsWith(`${gpu.child.pid}@`))).toBe(true);
    expect(pollers(TASK_QUEUES.control).some((p) => p.startsWith(`${orchestrator.child.pid}@`))).toBe(true);

    const broken = start(
      join(ROOT, '.venv/bin/python'),
      ['-m', 'mirage_gpu_worker'],
      secured({ TEMPORAL_TLS_CLIENT_KEY_PATH: '' }),
    );
    const code = await new Promise<number | null>((resolve) => broken.child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(broken.log()).toContain(
      'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH must be set together',
    );
    expect(broken.log()).not.toContain('Traceback');
  }, 180_000);
});
