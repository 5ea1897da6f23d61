// Moved to core, which starts threads of its own (data-parallel replicas) and may not import from worker/.
export { startThread as startWorker } from '../core/thread/start-thread';
