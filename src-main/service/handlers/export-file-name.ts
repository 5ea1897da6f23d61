/** An export's file name: the run's id for one run, the time for several (`runs-2026-12-03T10-30-00`). */
export function exportFileName(runIds: readonly string[], format: 'json' | 'csv', now: Date = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replaceAll(':', '-');
  const stem = runIds.length === 1 ? `run-${runIds[0]}` : `runs-${stamp}`;
  return format === 'json' ? `${stem}.json` : `${stem}-metrics.csv`;
}
