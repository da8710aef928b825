/** Entry of the `commands` bundle: registers the ribbon handlers once Office is ready. */
import { whenOfficeReady } from './office-ready';
import { registerRibbonCommands } from './ribbon';

whenOfficeReady().then(
  (office) => registerRibbonCommands(office),
  (e: unknown) => console.error('Office did not start; the ribbon buttons are not registered', e),
);
