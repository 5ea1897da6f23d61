import { hostname } from 'node:os';
import type { RunOwner } from '../../shared/runs/run-entities';

/**
 * How long a run on another host may go without a heartbeat before it counts
 * as dead. The recorder beats every 15 s (DEFAULT_HEARTBEAT_MS), so this is
 * eight missed beats: a slow batch is not mistaken for a crash.
 */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 120_000;

/** Signal 0 checks that a process exists without touching it. EPERM: it exists, owned by someone else. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LivenessContext {
  hostname: string;
  now: number;
  heartbeatTimeoutMs: number;
}

export const currentLivenessContext = (
  heartbeatTimeoutMs = DEFAULT_HEARTBEAT_TIMEOUT_MS,
): LivenessContext => ({ hostname: hostname(), now: Date.now(), heartbeatTimeoutMs });

/**
 * Whether the process recording a run may still be alive. On this host the
 * pid answers exactly; on another host only the heartbeat can tell. A run with
 * no owner at all was never claimed by a recorder and has no one to finish it.
 * Limit: a reused pid on this host keeps a dead run "alive" until that pid ends.
 */
export function isOwnerAlive(owner: RunOwner | null, context: LivenessContext): boolean {
  if (owner === null) return false;
  if (owner.hostname === context.hostname) return isProcessAlive(owner.pid);
  return owner.heartbeatAt !== null && context.now - owner.heartbeatAt <= context.heartbeatTimeoutMs;
}

/**
 * The live process whose queue a queued run waits in, if any: the process that
 * queued it, on this host, still running (the rule reapOrphanedQueue uses to
 * cancel the others). A process never waits on its own queue here, so `self`
 * (this process) is not one. On another host no pid can be asked: undefined.
 */
export function liveQueueOwner(
  run: { status: string; owner: RunOwner | null },
  context: LivenessContext,
  self: number = process.pid,
): RunOwner | undefined {
  const { owner } = run;
  if (run.status !== 'queued' || owner === null || owner.pid === self || owner.hostname !== context.hostname) return undefined;
  return isProcessAlive(owner.pid) ? owner : undefined;
}
