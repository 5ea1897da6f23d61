import type { Worker } from 'node:worker_threads';
import {
  predictionReplySchema,
  type InsideView,
  type InsideWorkerRequest,
  type PredictionReply,
  type PredictionRequest,
  type PredictionSource,
} from './prediction-protocol';
import { startThread } from '../core/thread/start-thread';

/** A worker idle this long is stopped: a model and the test set are 100+ MB it need not keep. */
const IDLE_MS = 60_000;

const defaultWorkerUrl = (): URL => new URL('./prediction-worker.entry.ts', import.meta.url);

/** Runs predictions in prediction-worker.entry.ts, started on demand and stopped when idle. */
export class PredictionWorkerSource implements PredictionSource {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(reply: Extract<PredictionReply, { ok: true }>): void; reject(e: Error): void }>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly workerPath: string | URL = defaultWorkerUrl()) {}

  async predict(request: Omit<PredictionRequest, 'id'>): Promise<Uint8Array> {
    const reply = await this.ask(request);
    if (!('predicted' in reply)) throw new Error('the prediction worker answered without predictions');
    return reply.predicted;
  }

  async inside(request: Omit<InsideWorkerRequest, 'id' | 'kind'>): Promise<InsideView> {
    const reply = await this.ask({ ...request, kind: 'inside' });
    if (!('inside' in reply)) throw new Error('the prediction worker answered without the inside view');
    return reply.inside;
  }

  private ask(request: object): Promise<Extract<PredictionReply, { ok: true }>> {
    const id = this.nextId++;
    const worker = this.start();
    clearTimeout(this.idleTimer);
    return new Promise<Extract<PredictionReply, { ok: true }>>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    }).finally(() => this.armIdleTimer());
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the prediction worker was closed'));
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startThread(this.workerPath);
    worker.on('message', (raw: unknown) => {
      const reply = predictionReplySchema.safeParse(raw);
      if (!reply.success) return this.failAll(new Error(`invalid reply from the prediction worker: ${reply.error.message}`));
      const waiter = this.pending.get(reply.data.id);
      this.pending.delete(reply.data.id);
      if (reply.data.ok) waiter?.resolve(reply.data);
      else waiter?.reject(new Error(reply.data.message));
    });
    const gone = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(error);
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the prediction worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private armIdleTimer(): void {
    if (this.pending.size > 0 || !this.worker) return;
    this.idleTimer = setTimeout(() => void this.close(), IDLE_MS);
    this.idleTimer.unref();
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
