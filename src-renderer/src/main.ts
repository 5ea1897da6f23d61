import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import './components/charts/echarts-setup';
import { chartInspector } from './components/charts/chart-inspector';
import { router } from './router';
import { TOKEN_PARAM } from '../../src-main/api/websocket-api';
import './styles/app.css';

// Read-only access to the charts' series for the end-to-end tests (see chart-inspector.ts).
Object.defineProperty(window, 'vggWorkbenchCharts', { value: chartInspector });

// The first load set the token's cookie: the address bar, history and copied links need not show it.
const address = new URL(window.location.href);
if (address.searchParams.has(TOKEN_PARAM)) {
  address.searchParams.delete(TOKEN_PARAM);
  window.history.replaceState(window.history.state, '', address);
}

createApp(App).use(createPinia()).use(router).mount('#app');
