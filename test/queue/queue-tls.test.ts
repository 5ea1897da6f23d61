import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunStore } from '../../src-main/core/store/run-store';
import { freePort, spawnCli, spawnWorker, stopAll, type Spawned } from './redis-harness';

/** A private CA and a server certificate for 127.0.0.1 (an IP SAN only), made with openssl. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.pem');
  const cert = join(dir, 'server.pem');
  const key = join(dir, 'server.key');
  const openssl = (...args: string[]): void => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    assert.equal(result.status, 0, `openssl ${args.join(' ')}: ${result.stderr}`);
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=vgg-test-ca', '-keyout', 'ca.key', '-out', ca);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=vgg-test-redis', '-keyout', key, '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', ca, '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', cert);
  return { ca, cert, key };
}

async function startTlsRedis(dir: string, files: { ca: string; cert: string; key: string }): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--tls-cert-file', files.cert, '--tls-key-file', files.key, '--tls-ca-cert-file', files.ca, '--tls-auth-clients', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server (TLS) did not start in 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`redis-server (TLS) exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/Ready to accept connections/.test(line)) (clearTimeout(timer), resolve());
    });
  });
  return { port, child };
}

test('rediss:// to an IP with a private CA: a worker and train --queue complete with --queue-ca, a clear refusal without, and no DEP0123', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vgg-tls-'));
  const files = makeCertificates(dir);
  const redis = await startTlsRedis(dir, files);
  const url = `rediss://127.0.0.1:${redis.port}`;
  const children: Spawned[] = [];
  try {
    // Without the CA: one clear error naming the URL and the certificate problem.
    const refused = spawnCli(['workers', '--queue', url]);
    children.push(refused);
    assert.notEqual(await refused.exited, 0);
    assert.match(refused.stderr.join('\n'), new RegExp(`cannot use the queue at rediss://127\\.0\\.0\\.1:${redis.port}: .*(self[- ]signed|unable to (get|verify))`, 'i'));

    const worker = spawnWorker(url, 'tls-1', { VGG_WORKBENCH_QUEUE_CA: files.ca });
    children.push(worker);
    await worker.waitFor(/waiting for runs/);
    const db = join(dir, 'hub.sqlite');
    const trainer = spawnCli(['train', '--model', 'lenet', '--batch', '64', '--train-limit', '256', '--test-limit', '64', '--epochs', '1', '--queue', url, '--queue-ca', files.ca, '--db', db, '--json']);
    children.push(trainer);
    assert.equal(await trainer.exited, 0, trainer.stderr.join('\n'));
    for (const p of [trainer, worker, refused]) assert.ok(!p.stderr.some((l) => /DEP0123/.test(l)), p.stderr.join('\n'));
    const store = RunStore.open(db);
    try {
      const [run] = store.listRuns();
      assert.equal(run!.status, 'completed');
      assert.deepEqual(store.metrics(run!.id, ['batch.loss']).map((p) => p.step), [0, 1, 2, 3]);
    } finally {
      store.close();
    }

    const missing = spawnCli(['workers', '--queue', url, '--queue-ca', join(dir, 'nope.pem')]);
    children.push(missing);
    assert.equal(await missing.exited, 2);
    assert.match(missing.stderr.join('\n'), /--queue-ca .*nope\.pem: cannot read the CA certificate \(ENOENT\)/);
  } finally {
    await stopAll(children);
    redis.child.kill('SIGTERM');
  }
});
