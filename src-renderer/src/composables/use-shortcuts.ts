import { onBeforeUnmount, onMounted } from 'vue';

/** A key the view answers, and what it does, as the "?" overlay lists it. */
export interface Shortcut {
  /** KeyboardEvent.key values ('ArrowLeft', ' ', 'Home'). */
  keys: string[];
  /** How the overlay writes it: "Space", "← →". */
  label: string;
  does: string;
  run(event: KeyboardEvent): void;
}

/** Where a key belongs to the control that has the focus (typing, a slider's own arrows, a button's Space). */
function typingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(target.tagName);
}

/**
 * Keyboard shortcuts of one view, on the window while it is shown (TensorBoard's
 * and video players' keys: Space plays and pauses, arrows seek). A key meant for
 * a focused control, or pressed with Ctrl, Alt or Meta, is left alone.
 */
export function useShortcuts(shortcuts: () => readonly Shortcut[]): void {
  function onKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented || typingTarget(event.target)) return;
    const shortcut = shortcuts().find((s) => s.keys.includes(event.key));
    if (!shortcut) return;
    event.preventDefault();
    shortcut.run(event);
  }
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
