import { detectHost, OFFICE_JS_URL } from './host';

const office = (host: unknown) => ({ onReady: () => Promise.resolve({ host, platform: null }) });

describe('detectHost', () => {
  it('runs on Excel when Office reports host Excel', async () => {
    const loadScript = jest.fn();
    const info = await detectHost({ win: { Office: office('Excel') }, loadScript });
    expect(info.kind).toBe('excel');
    expect(loadScript).not.toHaveBeenCalled();
  });

  it('uses the preview workbook when Office reports no host (a stubbed Office in a browser)', async () => {
    expect((await detectHost({ win: { Office: office(null) } })).kind).toBe('preview');
    expect((await detectHost({ win: { Office: office('Word') } })).kind).toBe('preview');
  });

  it('loads office.js when Office is absent and falls back to preview when it cannot', async () => {
    const urls: string[] = [];
    const info = await detectHost({
      win: {},
      loadScript: async (url) => {
        urls.push(url);
        throw new Error('office.js could not be loaded.');
      },
    });
    expect(urls).toEqual([OFFICE_JS_URL]);
    expect(info).toEqual({ kind: 'preview', reason: 'Preview mode: office.js could not be loaded.' });
  });

  it('picks Excel after office.js was loaded by the script tag', async () => {
    const win: { Office?: unknown } = {};
    const info = await detectHost({ win, loadScript: async () => void (win.Office = office('Excel')) });
    expect(info.kind).toBe('excel');
  });

  it('does not wait forever for an Office.onReady that never answers', async () => {
    const win = { Office: { onReady: () => new Promise<never>(() => undefined) } };
    const info = await detectHost({ win, readyTimeoutMs: 20 });
    expect(info).toEqual({ kind: 'preview', reason: 'Preview mode: Office did not report ready in time.' });
  });
});
