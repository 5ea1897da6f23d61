/** The views in navigation order: a route name each, and the label its link and heading show. */
export const VIEWS = [
  { id: 'launch', label: 'Launch' },
  { id: 'live', label: 'Live run' },
  { id: 'runs', label: 'Runs' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'plans', label: 'Experiment plans' },
  { id: 'compare', label: 'Compare' },
  { id: 'replay', label: 'Replay' },
  { id: 'results', label: 'Results' },
  { id: 'data', label: 'Data & engine' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];
/** Views about one run: its id is the route's `:run`. */
export type RunViewId = Extract<ViewId, 'live' | 'replay' | 'results'>;

export function isViewId(name: unknown): name is ViewId {
  return VIEWS.some((view) => view.id === name);
}
