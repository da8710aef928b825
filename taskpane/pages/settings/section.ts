/**
 * Which Settings section is open, kept outside the page so another page can open the right one
 * ("No Zoho organisation is connected" → Settings, Zoho connections) before navigating there.
 */
export const SETTINGS_SECTIONS = ['partners', 'targets', 'connections', 'mappings'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

let current: SettingsSection = 'partners';
const listeners = new Set<() => void>();

export function settingsSection(): SettingsSection {
  return current;
}

export function setSettingsSection(s: SettingsSection): void {
  current = s;
  for (const l of [...listeners]) l();
}

export function onSettingsSection(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Opens Settings on a section (the page id is 'settings'; only administrators have it). */
export function openSettings(navigate: (pageId: string) => void, s: SettingsSection): void {
  setSettingsSection(s);
  navigate('settings');
}
