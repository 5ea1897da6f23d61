import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import './components/charts/echarts-setup';
import { chartInspector } from './components/charts/chart-inspector';
import { router } from './router';
import './styles/app.css';

// Read-only access to the charts' series for the end-to-end tests (see chart-inspector.ts).
Object.defineProperty(window, 'vggWorkbenchCharts', { value: chartInspector });

createApp(App).use(createPinia()).use(router).mount('#app');
