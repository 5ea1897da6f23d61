import { defineStore } from 'pinia';
import { computed, ref, watchEffect } from 'vue';

export type ThemePreference = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'vgg-workbench.theme';

function storedPreference(): ThemePreference {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/**
 * Light or dark: the system's choice (prefers-color-scheme) unless the person
 * picked one, which is remembered. The effective theme is set on <html> for
 * the CSS and read by the charts.
 */
export const useThemeStore = defineStore('theme', () => {
  const preference = ref<ThemePreference>(storedPreference());
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const systemDark = ref(media.matches);
  media.addEventListener('change', (event) => (systemDark.value = event.matches));

  const effective = computed<'light' | 'dark'>(() =>
    preference.value === 'system' ? (systemDark.value ? 'dark' : 'light') : preference.value,
  );

  watchEffect(() => {
    document.documentElement.dataset.theme = effective.value;
    if (preference.value === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, preference.value);
  });

  function setPreference(next: ThemePreference): void {
    preference.value = next;
  }

  return { preference, effective, setPreference };
});
