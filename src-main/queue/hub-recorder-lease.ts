import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { isProcessAlive } from '../core/store/owner-liveness';

/**
 * Several processes of one hub (a CLI `train --queue` and the app on the same
 * database) may follow the same run. Exactly one of them records it: the
 * holder of this lease, a Redis key set with NX and a time to live that the
 * holder renews. The others watch the stream without the consumer group, so
 * each process sees every event and none steals entries from the recorder.
 *
 * A holder that dies stops renewing and its lease expires within LEASE_MS;
 * on the holder's own host the pid answers at once, so `runs sync` right
 * after a SIGKILL takes over without waiting.
 */
export const LEASE_MS = 10_000;
const RENEW_EVERY_MS = LEASE_MS / 4;

/** Renews only our own lease: a holder that lost it (a long pause) never extends another's. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Takes the lease from a holder known to be dead, unless it changed hands meanwhile. */
const STEAL = `if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end`;

interface Holder {
  host: string;
  pid: number;
}

function holderOf(token: string): Holder | undefined {
  const [host, pid] = token.split('|');
  const n = Number(pid);
  return host && Number.isInteger(n) && n > 0 ? { host, pid: n } : undefined;
}

export class RecorderLease {
  private readonly token = `${hostname()}|${process.pid}|${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private holding = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  /** Whether this process records the run now. */
  get held(): boolean {
    return this.holding;
  }

  /** The holder's pid and host when another process holds the lease; for messages. */
  async holder(): Promise<string | undefined> {
    const token = await this.redis.get(this.key);
    const holder = token ? holderOf(token) : undefined;
    return holder ? `pid ${holder.pid} on ${holder.host}` : undefined;
  }

  /** Takes the lease if it is free or its holder is a dead process on this host; true while held. */
  async tryAcquire(): Promise<boolean> {
    if (this.holding) return true;
    if ((await this.redis.set(this.key, this.token, 'PX', LEASE_MS, 'NX')) === 'OK') return this.start();
    const current = await this.redis.get(this.key);
    const holder = current ? holderOf(current) : undefined;
    if (current && holder && holder.host === hostname() && holder.pid !== process.pid && !isProcessAlive(holder.pid)) {
      if (Number(await this.redis.eval(STEAL, 1, this.key, current, this.token, LEASE_MS)) === 1) return this.start();
    }
    return false;
  }

  /** Lets the next process take over at once. */
  async release(): Promise<void> {
    this.stop();
    await this.redis.eval(RELEASE, 1, this.key, this.token).catch(() => undefined);
  }

  private start(): boolean {
    this.holding = true;
    this.timer = setInterval(() => {
      this.redis
        .eval(RENEW, 1, this.key, this.token, LEASE_MS)
        .then((renewed) => {
          if (Number(renewed) !== 1) this.stop();
        })
        // Redis unreachable: keep the lease until it is known lost; the reads fail meanwhile anyway.
        .catch(() => undefined);
    }, RENEW_EVERY_MS);
    this.timer.unref();
    return true;
  }

  private stop(): void {
    this.holding = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
