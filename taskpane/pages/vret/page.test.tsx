/** The VRET page renders its form (server-side render: no DOM needed, no effects run). */
import { renderToString } from 'react-dom/server';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { ShellContext, type Shell } from '../../shell';
import { ApiClient } from '../../api';
import { PreviewWorkbook } from '../../preview/preview-workbook';
import VretPage from './index';

test('renders inputs choice, ledger, geo, period and the Build button', () => {
  const preview = PreviewWorkbook.empty();
  const shell = {
    host: { kind: 'preview' },
    workbook: preview,
    preview,
    replacePreview: () => undefined,
    api: new ApiClient(),
    session: null,
    navigate: () => undefined,
    revealCell: async () => undefined,
    workbookVersion: 0,
    showSheet: () => undefined,
    ribbonCommand: null,
  } as unknown as Shell;
  const html = renderToString(
    <FluentProvider theme={webLightTheme}>
      <ShellContext.Provider value={shell}>
        <VretPage />
      </ShellContext.Provider>
    </FluentProvider>,
  );
  for (const text of ['Sheets in this workbook', 'Load on the server', 'Ledger', 'Geo', 'Period', 'Build VRET sheets', 'Amazon.eu']) expect(html).toContain(text);
  expect(html).toContain('value="DE"');
});
