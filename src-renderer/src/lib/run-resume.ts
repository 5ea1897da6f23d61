import type { ApiRequest } from '../../../src-main/api/methods';
import { epochsRecorded } from '../../../src-main/shared/runs/run-figures';
import type { RunRecord, RunStatus } from '../../../src-main/shared/runs/run-entities';
import { RUN_FIELD_LIMITS, type EngineChoice, type Precision, type TorchDevice } from '../../../src-main/shared/train/run-config';

/** Runs nothing trains any more: the ones `runs.resume` takes. */
const STOPPED: ReadonlySet<RunStatus> = new Set<RunStatus>(['interrupted', 'cancelled', 'failed', 'completed']);
/** "Train longer" offers as many epochs again, at most this many more: a run of 30 is not offered 30 more by default. */
const MORE_EPOCHS_MAX = 10;

/** The Resume action of a run: what it is called, why it cannot be taken (if so), and the epochs it starts from. */
export interface ResumeOffer {
  /** "Resume" for a run stopped before its last epoch, "Train longer" for one that trained them all. */
  label: 'Resume' | 'Train longer';
  /** Why the run cannot be resumed, said as the disabled action's title; null when it can. */
  blocked: string | null;
  /** The epochs field's first value, the whole run's: its own for a stopped run, more for one that trained them all. */
  epochs: number;
}


/**
 * The action for a stopped or completed run; null for a queued or running
 * one. A checkpoint is written at the end of an epoch, so a run that recorded
 * none has nothing to resume from (the Launch form's warm-start list draws
 * the same line); one that recorded epochs may still lack a checkpoint
 * (checkpoints off, imported without weights), which the form asks about.
 */
export function resumeOffer(run: Pick<RunRecord, 'status' | 'config' | 'summary' | 'epochsCompleted'>): ResumeOffer | null {
  if (!STOPPED.has(run.status)) return null;
  const trained = epochsRecorded(run);
  const own = run.config.epochs;
  const finished = run.status === 'completed' || trained >= own;
  return {
    label: finished ? 'Train longer' : 'Resume',
    blocked: trained === 0 ? 'It finished no epoch, so it has no checkpoint to resume from.' : null,
    epochs: finished ? Math.min(RUN_FIELD_LIMITS.epochs.max, Math.max(own, trained) + Math.min(own, MORE_EPOCHS_MAX)) : own,
  };
}

/** The Resume form: how long the run trains in all, and where. */
export interface ResumeForm {
  epochs: number;
  engine: EngineChoice;
  /** Read by the pytorch engine only, as in the Launch form. */
  device: TorchDevice;
  precision: Precision;
}

/** The form as it opens: the offer's epochs, and where the run trained. */
export function resumeForm(run: Pick<RunRecord, 'status' | 'config' | 'summary' | 'epochsCompleted'>): ResumeForm {
  return {
    epochs: resumeOffer(run)?.epochs ?? run.config.epochs,
    engine: run.config.engine,
    device: run.config.device ?? 'auto',
    precision: run.config.precision ?? 'fp32',
  };
}

/**
 * The `runs.resume` request of the form: the epochs, and of where it trains
 * only what changed, so what is left as it was stays the run's own. Device and
 * precision go only with the pytorch engine, which reads them (as the Launch
 * form sends them); moved elsewhere, the service drops the run's own.
 */
export function toResumeRequest(run: Pick<RunRecord, 'id' | 'config'>, form: ResumeForm): ApiRequest<'runs.resume'> {
  const torch = form.engine === 'pytorch';
  return {
    runId: run.id,
    epochs: form.epochs,
    ...(form.engine !== run.config.engine ? { engine: form.engine } : {}),
    ...(torch && form.device !== (run.config.device ?? 'auto') ? { device: form.device } : {}),
    ...(torch && form.precision !== (run.config.precision ?? 'fp32') ? { precision: form.precision } : {}),
  };
}
