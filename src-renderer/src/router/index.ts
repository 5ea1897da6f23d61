import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import CompareView from '../views/CompareView.vue';
import DataView from '../views/DataView.vue';
import LaunchView from '../views/LaunchView.vue';
import LiveView from '../views/LiveView.vue';
import PlansView from '../views/PlansView.vue';
import ReplayView from '../views/ReplayView.vue';
import ResultsView from '../views/ResultsView.vue';
import RunsView from '../views/RunsView.vue';
import SweepView from '../views/SweepView.vue';

/**
 * Every view and its subject in the address, so a reload, back and forward,
 * a bookmark and Electron's window restore land where the person was:
 * `#/live/RUN`, `#/runs`, `#/compare?runs=A,B`, `#/replay/RUN`, `#/results/RUN`.
 *
 * Hash history: the page is a file:// index.html in Electron and a relative-asset
 * build in browser mode, and only the hash survives a reload in both unchanged.
 */
const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'launch' } },
  { path: '/launch', name: 'launch', component: LaunchView },
  { path: '/live/:run?', name: 'live', component: LiveView },
  { path: '/runs', name: 'runs', component: RunsView },
  { path: '/plans/:plan?', name: 'plans', component: PlansView },
  { path: '/compare', name: 'compare', component: CompareView },
  { path: '/sweep', name: 'sweep', component: SweepView },
  { path: '/replay/:run?', name: 'replay', component: ReplayView },
  { path: '/results/:run?', name: 'results', component: ResultsView },
  { path: '/data', name: 'data', component: DataView },
  { path: '/:unknown(.*)*', redirect: { name: 'launch' } },
];

export const router = createRouter({ history: createWebHashHistory(), routes });
