import { z } from 'zod';
import { queueStateSchema } from './entities';
import { apiErrorBodySchema } from './api-error';
import { wireTrainingEventSchema } from './training-event-wire';

/**
 * Everything the service announces, to every subscriber (each window, each
 * browser tab). `topic` says what it is about; `seq` counts up by one per event
 * from the service's start, so a client can tell it missed some (a dropped
 * socket) and reload what it shows.
 */
const seq = z.number().int().min(0);

/** A live run's trainer event, recorded before it is announced. */
export const runTopicSchema = z.object({
  topic: z.literal('run'),
  seq,
  runId: z.string(),
  event: wireTrainingEventSchema,
});

/** The queue after every change (a run added, started, finished, cancelled). */
export const queueTopicSchema = z.object({ topic: z.literal('queue'), seq, queue: queueStateSchema });

/** Run records changed outside a live run's events: reload them in lists. */
export const runsTopicSchema = z.object({
  topic: z.literal('runs'),
  seq,
  change: z.enum(['created', 'updated', 'deleted']),
  runIds: z.array(z.string()),
});

export const datasetTopicSchema = z.object({
  topic: z.literal('dataset'),
  seq,
  progress: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('progress'),
      file: z.string(),
      receivedBytes: z.number().int().min(0),
      /** Unknown when the server does not say. */
      totalBytes: z.number().int().min(0).optional(),
    }),
    z.object({ kind: z.literal('done'), dir: z.string() }),
    z.object({ kind: z.literal('failed'), message: z.string() }),
    z.object({ kind: z.literal('cancelled') }),
  ]),
});

/**
 * A replay's stream: the recorded events in order; `reset` before a backward
 * seek re-sends from the start (clear the charts); `end` when the last event
 * is out; `closed` when the replay is gone.
 */
export const replayTopicSchema = z.object({
  topic: z.literal('replay'),
  seq,
  replayId: z.string(),
  runId: z.string(),
  signal: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('event'), event: wireTrainingEventSchema }),
    z.object({ kind: z.literal('reset') }),
    z.object({ kind: z.literal('end') }),
    z.object({ kind: z.literal('closed') }),
  ]),
});

export type ReplaySignal = z.infer<typeof replayTopicSchema>['signal'];

export const workbenchEventSchema = z.discriminatedUnion('topic', [
  runTopicSchema,
  queueTopicSchema,
  runsTopicSchema,
  datasetTopicSchema,
  replayTopicSchema,
]);
export type WorkbenchEvent = z.infer<typeof workbenchEventSchema>;
export type WorkbenchTopic = WorkbenchEvent['topic'];
/** An event as the service builds it, before it is numbered. */
export type UnnumberedEvent = WithoutSeq<WorkbenchEvent>;
type WithoutSeq<E> = E extends unknown ? Omit<E, 'seq'> : never;

/**
 * What the browser-mode event socket sends: an event, or an error reply to a
 * message the client should not have sent (the socket only carries events out).
 */
export const socketFrameSchema = z.discriminatedUnion('frame', [
  z.object({ frame: z.literal('event'), event: workbenchEventSchema }),
  z.object({ frame: z.literal('error'), error: apiErrorBodySchema }),
]);
export type SocketFrame = z.infer<typeof socketFrameSchema>;
