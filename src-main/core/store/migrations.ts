import type Database from 'better-sqlite3';
import { configHash } from './config-hash';

/**
 * The schema, as numbered steps from an empty file. `PRAGMA user_version` holds
 * the number of the last step applied. A released step is never edited: a
 * change to the schema is a new step at the end (MLflow's store works the same
 * way, with Alembic revisions).
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

const RUN_STATUS_CHECK = `status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, tags, metric points, checkpoints, confusion matrices',
    up(db) {
      db.exec(`
        CREATE TABLE runs (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          status TEXT NOT NULL CHECK (${RUN_STATUS_CHECK}),
          created_at REAL NOT NULL,
          started_at REAL,
          finished_at REAL,
          config_json TEXT NOT NULL CHECK (json_valid(config_json)),
          config_hash TEXT NOT NULL,
          model TEXT NOT NULL,
          architecture_json TEXT CHECK (architecture_json IS NULL OR json_valid(architecture_json)),
          input_size INTEGER NOT NULL,
          width_ratio INTEGER NOT NULL,
          epochs INTEGER NOT NULL,
          batch_size INTEGER NOT NULL,
          learning_rate REAL NOT NULL,
          momentum REAL NOT NULL,
          seed INTEGER NOT NULL,
          dataset TEXT NOT NULL,
          train_limit INTEGER,
          test_limit INTEGER,
          engine_choice TEXT NOT NULL,
          engine_id TEXT,
          engine_backend TEXT,
          engine_version TEXT,
          engine_detail TEXT,
          host_os TEXT,
          host_cpu TEXT,
          host_gpu TEXT,
          params INTEGER,
          macs REAL,
          train_size INTEGER,
          test_size INTEGER,
          steps_per_epoch INTEGER,
          first_epoch INTEGER,
          epochs_completed INTEGER,
          duration_seconds REAL,
          error TEXT,
          notes TEXT NOT NULL DEFAULT '',
          baseline INTEGER NOT NULL DEFAULT 0 CHECK (baseline IN (0, 1)),
          owner_pid INTEGER,
          owner_host TEXT,
          heartbeat_at REAL
        );
        CREATE TABLE run_tags (
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          tag TEXT NOT NULL CHECK (length(tag) > 0),
          PRIMARY KEY (run_id, tag)
        ) WITHOUT ROWID;
        -- One row per point. value is NULL where the run produced NaN (SQLite has no NaN).
        CREATE TABLE metrics (
          id INTEGER PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          key TEXT NOT NULL,
          step INTEGER NOT NULL,
          epoch INTEGER NOT NULL,
          batch INTEGER,
          value REAL,
          wall_time REAL NOT NULL
        );
        CREATE TABLE checkpoints (
          id INTEGER PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          epoch INTEGER NOT NULL,
          path TEXT NOT NULL,
          bytes INTEGER NOT NULL CHECK (bytes >= 0),
          sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
          created_at REAL NOT NULL
        );
        CREATE TABLE confusion_matrices (
          run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
          matrix_json TEXT NOT NULL CHECK (json_valid(matrix_json)),
          created_at REAL NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: 'metric summary (last and best per key), indexes for per-run reads',
    up(db) {
      db.exec(`
        CREATE INDEX metrics_run_key_step ON metrics (run_id, key, step);
        CREATE INDEX checkpoints_run_epoch ON checkpoints (run_id, epoch);
        CREATE INDEX runs_created_at ON runs (created_at);
        -- Kept current by every metric write, so a run list never scans metrics.
        CREATE TABLE metric_summary (
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          key TEXT NOT NULL,
          count INTEGER NOT NULL,
          lower_is_better INTEGER NOT NULL CHECK (lower_is_better IN (0, 1)),
          last_value REAL,
          last_step INTEGER NOT NULL,
          last_epoch INTEGER NOT NULL,
          last_wall_time REAL NOT NULL,
          best_value REAL,
          best_step INTEGER,
          best_epoch INTEGER,
          PRIMARY KEY (run_id, key)
        ) WITHOUT ROWID;
        -- Backfill from the points already there. "last" is the newest row written;
        -- "best" the lowest loss/seconds or highest anything else, earliest on ties.
        INSERT INTO metric_summary (run_id, key, count, lower_is_better,
          last_value, last_step, last_epoch, last_wall_time, best_value, best_step, best_epoch)
        SELECT g.run_id, g.key, g.n, g.lower,
          l.value, l.step, l.epoch, l.wall_time, b.value, b.step, b.epoch
        FROM (
          SELECT run_id, key, COUNT(*) AS n, MAX(id) AS last_id,
            (key LIKE '%loss' OR key LIKE '%seconds') AS lower
          FROM metrics GROUP BY run_id, key
        ) AS g
        JOIN metrics AS l ON l.id = g.last_id
        LEFT JOIN metrics AS b ON b.id = (
          SELECT m.id FROM metrics AS m
          WHERE m.run_id = g.run_id AND m.key = g.key AND m.value IS NOT NULL
          ORDER BY CASE WHEN g.lower THEN m.value ELSE -m.value END, m.id
          LIMIT 1
        );
      `);
    },
  },
  {
    version: 3,
    description: "the rest of a run's engine (GPU adapter, threads, replicas) as JSON",
    up(db) {
      // The fields past id, backend, version and detail grow with the engines; a JSON
      // column read back through engineInfoSchema keeps them without a migration each.
      db.exec('ALTER TABLE runs ADD COLUMN engine_extra TEXT;');
    },
  },
  {
    version: 4,
    description: "a run's config keeps no dataset folder of this machine (dataDir)",
    up(db) {
      // The folder is a parameter of queueing a run now, not part of what defines it:
      // equal configs trained from different folders get equal hashes, and no export carries a path.
      const rows = db
        .prepare<[], { id: string; config_json: string }>(
          `SELECT id, config_json FROM runs WHERE json_type(config_json, '$.dataDir') IS NOT NULL`,
        )
        .all();
      const update = db.prepare('UPDATE runs SET config_json = ?, config_hash = ? WHERE id = ?');
      for (const row of rows) {
        const { dataDir: _dropped, ...config } = JSON.parse(row.config_json) as Record<string, unknown>;
        update.run(JSON.stringify(config), configHash(config), row.id);
      }
    },
  },
  {
    version: 5,
    description: 'the host name of the machine a run trained on (a queued run trains on a worker)',
    up(db) {
      db.exec('ALTER TABLE runs ADD COLUMN host_name TEXT;');
    },
  },
  {
    version: 6,
    description: 'runs that belong to a Redis queue, not to the process that queued them',
    up(db) {
      // A row here keeps the reaper off the run: only the hub recording its end (or a user's cancel) ends it.
      db.exec(`
        CREATE TABLE queue_runs (
          run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
          hub_id TEXT NOT NULL,
          queue TEXT NOT NULL,
          queued_at REAL NOT NULL
        );
      `);
    },
  },
  {
    version: 7,
    description: 'per-layer statistics: gradient and weight norms every N batches, histograms and dead units per epoch',
    up(db) {
      // One row per layer event (layer-stats-store.ts); an epoch event's step is its epoch.
      db.exec(`
        CREATE TABLE layer_stats (
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('step', 'epoch')),
          step INTEGER NOT NULL,
          epoch INTEGER NOT NULL,
          wall_time REAL NOT NULL,
          stats_json TEXT NOT NULL CHECK (json_valid(stats_json)),
          PRIMARY KEY (run_id, kind, step)
        ) WITHOUT ROWID;
      `);
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export const schemaVersion = (db: Database.Database): number =>
  db.pragma('user_version', { simple: true }) as number;

/**
 * Applies the steps after the database's version, up to `target`, each in its
 * own IMMEDIATE transaction together with its version bump: a crash leaves the
 * file at a whole step, and a second process migrating at the same time waits
 * for the lock, then sees the step done and skips it.
 * `beforeFirst` runs inside step 1's transaction (it stamps the application id).
 */
export function migrate(
  db: Database.Database,
  target: number = LATEST_SCHEMA_VERSION,
  beforeFirst?: () => void,
): { from: number; to: number } {
  const from = schemaVersion(db);
  for (const migration of MIGRATIONS) {
    if (migration.version > target) break;
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      if (migration.version === 1) beforeFirst?.();
      migration.up(db);
      // PRAGMA takes no bound parameters; the version is our own integer.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: schemaVersion(db) };
}
