/**
 * Ribbon button handlers: each ExecuteFunction action in manifest.xml is associated by name.
 * A handler tells the task pane app what to do (commands/bus.ts), shows the task pane, and always
 * calls event.completed() so Excel stops waiting on the button.
 */
import { RIBBON_COMMANDS, publishRibbonCommand, ribbonCommand, type RibbonCommandName } from './bus';
import type { OfficeLike } from './office-ready';

export interface RibbonEvent {
  completed(): void;
}

export function ribbonHandler(office: OfficeLike, name: RibbonCommandName): (event: RibbonEvent) => Promise<void> {
  return async (event) => {
    try {
      publishRibbonCommand(ribbonCommand(name));
      await office.addin?.showAsTaskpane();
    } catch (e) {
      console.error(`The ribbon command ${name} could not open the task pane`, e);
    } finally {
      event.completed();
    }
  };
}

/** Associates every ribbon command; returns the names registered (none when the host has no actions API). */
export function registerRibbonCommands(office: OfficeLike): RibbonCommandName[] {
  const actions = office.actions;
  if (!actions) return [];
  return RIBBON_COMMANDS.map(({ name }) => {
    actions.associate(name, ribbonHandler(office, name));
    return name;
  });
}
