/** Task pane entry: find out where we run (Excel or a plain browser), then mount the app. */
import { createRoot } from 'react-dom/client';
import { FluentProvider, Spinner, webLightTheme } from '@fluentui/react-components';
import { App } from './app';
import { createWorkbook, detectHost } from './host';

function rootElement(): HTMLElement {
  let el = document.getElementById('root') ?? document.getElementById('container');
  if (!el) {
    el = document.createElement('div');
    el.id = 'root';
    document.body.appendChild(el);
  }
  return el;
}

const root = createRoot(rootElement());
root.render(
  <FluentProvider theme={webLightTheme}>
    <Spinner label="Starting CloseDesk…" style={{ marginTop: 48 }} />
  </FluentProvider>,
);

void detectHost().then((host) => {
  console.info(`CloseDesk: ${host.reason}`);
  root.render(
    <FluentProvider theme={webLightTheme}>
      <App host={host} workbook={createWorkbook(host.kind)} />
    </FluentProvider>,
  );
});
