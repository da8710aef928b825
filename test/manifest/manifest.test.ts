/**
 * Offline structural test of manifest.xml (office-addin-manifest validate needs the internet):
 * well-formed, elements in the Office schema's order, shared runtime wiring, CLOSEDESK custom
 * functions, ribbon buttons matching the commands code, every resid resolved, one origin, and
 * every URL served by the webpack build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RIBBON_COMMANDS } from '../../commands/bus';
import { DEFAULT_ORIGIN, manifestForOrigin } from '../../build/manifest';
import { at, child, children, descendants, followsSequence, parseXml, validateXml, type XmlElement } from './xml-tree';

const ROOT = path.join(__dirname, '..', '..');
const MANIFEST_XML = fs.readFileSync(path.join(ROOT, 'manifest.xml'), 'utf8');
const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { OUTPUTS, isServerOutput } = require('../../webpack.config.js') as {
  OUTPUTS: { dist: string; files: string[]; assetsDir: string };
  isServerOutput: (asset: string) => boolean;
};

/** Sequences from the Office add-in manifest schema (TaskPaneApp, VersionOverrides V1_0). */
const OFFICE_APP_SEQUENCE = [
  'Id', 'AlternateId', 'Version', 'ProviderName', 'DefaultLocale', 'DisplayName', 'Description', 'IconUrl',
  'HighResolutionIconUrl', 'SupportUrl', 'AppDomains', 'Hosts', 'Requirements', 'DefaultSettings', 'Permissions',
  'Dictionary', 'VersionOverrides',
];
const HOST_SEQUENCE = ['Runtimes', 'AllFormFactors', 'DesktopFormFactor'];
const CUSTOM_FUNCTIONS_SEQUENCE = ['Script', 'Page', 'Metadata', 'Namespace'];
const DESKTOP_SEQUENCE = ['GetStarted', 'FunctionFile', 'ExtensionPoint'];
const GROUP_SEQUENCE = ['Label', 'Icon', 'Control'];
const CONTROL_SEQUENCE = ['Label', 'Supertip', 'Icon', 'Action'];
const RESOURCES_SEQUENCE = ['bt:Images', 'bt:Urls', 'bt:ShortStrings', 'bt:LongStrings'];

type ResourceKind = 'bt:Images' | 'bt:Urls' | 'bt:ShortStrings' | 'bt:LongStrings';

function load(xml: string) {
  const root = parseXml(xml);
  const overrides = child(root, 'VersionOverrides');
  const host = at(overrides, 'Hosts', 'Host');
  const resources = child(overrides, 'Resources');
  const resourceMap = (kind: ResourceKind) =>
    new Map(child(resources, kind).children.map((e) => [e.attrs.id ?? '', e.attrs.DefaultValue ?? '']));
  const extensionPoint = (parent: XmlElement, type: string) =>
    children(parent, 'ExtensionPoint').find((e) => e.attrs['xsi:type'] === type);
  return { root, overrides, host, resources, resourceMap, extensionPoint };
}

const m = load(MANIFEST_XML);
const urls = m.resourceMap('bt:Urls');
const images = m.resourceMap('bt:Images');
const shortStrings = m.resourceMap('bt:ShortStrings');
const longStrings = m.resourceMap('bt:LongStrings');
const desktop = child(m.host, 'DesktopFormFactor');
const ribbon = m.extensionPoint(desktop, 'PrimaryCommandSurface');
const group = ribbon ? at(ribbon, 'OfficeTab', 'Group') : null;
const controls = group ? children(group, 'Control') : [];
const runtimeResid = at(m.host, 'Runtimes', 'Runtime').attrs.resid ?? '';

/** Every URL in the document outside namespace declarations. */
function allUrls(root: XmlElement): string[] {
  const found: string[] = [];
  for (const e of [root, ...descendants(root)]) {
    for (const [k, v] of Object.entries(e.attrs)) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
      if (/^[a-z]+:\/\//i.test(v)) found.push(v);
    }
    if (/^[a-z]+:\/\//i.test(e.text)) found.push(e.text);
  }
  return found;
}

function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('manifest.xml', () => {
  it('is well-formed XML', () => {
    expect(validateXml(MANIFEST_XML)).toBe(true);
    expect(validateXml(MANIFEST_XML.replace('</Permissions>', ''))).not.toBe(true);
  });

  it('is a task pane app whose top-level elements follow the schema order', () => {
    expect(m.root.name).toBe('OfficeApp');
    expect(m.root.attrs['xsi:type']).toBe('TaskPaneApp');
    expect(m.root.attrs.xmlns).toBe('http://schemas.microsoft.com/office/appforoffice/1.1');
    expect(followsSequence(m.root.children.map((c) => c.name), OFFICE_APP_SEQUENCE)).toBe(true);
    expect(followsSequence(['Version', 'Id'], OFFICE_APP_SEQUENCE)).toBe(false);
  });

  it('has the required identity elements', () => {
    expect(child(m.root, 'Id').text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    const version = child(m.root, 'Version').text;
    expect(version).toMatch(/^\d+(\.\d+){1,3}$/);
    expect(`${version}.`.startsWith(`${PACKAGE_VERSION}.`)).toBe(true);
    expect(child(m.root, 'ProviderName').text).not.toBe('');
    expect(child(m.root, 'DefaultLocale').text).toBe('en-US');
    expect(child(m.root, 'DisplayName').attrs.DefaultValue).toBe('CloseDesk');
    expect((child(m.root, 'Description').attrs.DefaultValue ?? '').length).toBeGreaterThan(20);
    expect(child(m.root, 'IconUrl').attrs.DefaultValue).toMatch(/^https:\/\//);
    expect(at(m.root, 'Hosts', 'Host').attrs.Name).toBe('Workbook');
    expect(child(m.root, 'Permissions').text).toBe('ReadWriteDocument');
  });

  it('requires the shared runtime and custom functions runtime 1.1', () => {
    const sets = children(at(m.root, 'Requirements', 'Sets'), 'Set').map((s) => `${s.attrs.Name} ${s.attrs.MinVersion}`);
    expect(sets).toEqual(expect.arrayContaining(['SharedRuntime 1.1', 'CustomFunctionsRuntime 1.1']));
  });

  it('runs everything in one long-lived runtime on the task pane page', () => {
    expect(m.overrides.attrs['xsi:type']).toBe('VersionOverridesV1_0');
    expect(m.host.attrs['xsi:type']).toBe('Workbook');
    expect(followsSequence(m.host.children.map((c) => c.name), HOST_SEQUENCE)).toBe(true);
    const runtimes = children(child(m.host, 'Runtimes'), 'Runtime');
    expect(runtimes).toHaveLength(1);
    expect(runtimes[0]!.attrs.lifetime).toBe('long');
    // Microsoft's shared-runtime guide: the same resid everywhere, pointing at the task pane page.
    expect(runtimeResid).toBe('Taskpane.Url');
    expect(urls.get(runtimeResid)).toBe(at(m.root, 'DefaultSettings', 'SourceLocation').attrs.DefaultValue);
    expect(child(desktop, 'FunctionFile').attrs.resid).toBe(runtimeResid);
    expect(followsSequence(desktop.children.map((c) => c.name), DESKTOP_SEQUENCE)).toBe(true);
  });

  it('declares the CLOSEDESK custom functions on the shared page', () => {
    const cf = m.extensionPoint(child(m.host, 'AllFormFactors'), 'CustomFunctions');
    expect(cf).toBeDefined();
    expect(followsSequence(cf!.children.map((c) => c.name), CUSTOM_FUNCTIONS_SEQUENCE)).toBe(true);
    expect(cf!.children.map((c) => c.name)).toEqual(CUSTOM_FUNCTIONS_SEQUENCE);
    expect(at(cf!, 'Page', 'SourceLocation').attrs.resid).toBe(runtimeResid);
    expect(urls.get(at(cf!, 'Script', 'SourceLocation').attrs.resid ?? '')).toMatch(/\/functions\.js$/);
    expect(urls.get(at(cf!, 'Metadata', 'SourceLocation').attrs.resid ?? '')).toMatch(/\/functions\.json$/);
    expect(shortStrings.get(child(cf!, 'Namespace').attrs.resid ?? '')).toBe('CLOSEDESK');
  });

  it('has a Home tab group whose ExecuteFunction buttons are exactly the commands the code associates', () => {
    expect(ribbon).toBeDefined();
    expect(at(ribbon!, 'OfficeTab').attrs.id).toBe('TabHome');
    expect(followsSequence(group!.children.map((c) => c.name), GROUP_SEQUENCE)).toBe(true);
    for (const c of controls) {
      expect(c.attrs['xsi:type']).toBe('Button');
      expect(c.children.map((e) => e.name)).toEqual(CONTROL_SEQUENCE);
      expect(at(c, 'Supertip').children.map((e) => e.name)).toEqual(['Title', 'Description']);
    }
    const execute = controls.filter((c) => child(c, 'Action').attrs['xsi:type'] === 'ExecuteFunction');
    expect(execute.map((c) => at(c, 'Action', 'FunctionName').text)).toEqual(RIBBON_COMMANDS.map((c) => c.name));
    expect(execute.map((c) => shortStrings.get(child(c, 'Label').attrs.resid ?? ''))).toEqual(RIBBON_COMMANDS.map((c) => c.label));
    const ids = [group!.attrs.id, ...controls.map((c) => c.attrs.id)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a CloseDesk button that shows the one task pane', () => {
    const show = controls.filter((c) => child(c, 'Action').attrs['xsi:type'] === 'ShowTaskpane');
    expect(show).toHaveLength(1);
    expect(shortStrings.get(child(show[0]!, 'Label').attrs.resid ?? '')).toBe('CloseDesk');
    // A task pane without a TaskpaneId counts as a second task pane, which a shared runtime cannot have.
    expect(at(show[0]!, 'Action', 'TaskpaneId').text).not.toBe('');
    expect(at(show[0]!, 'Action', 'SourceLocation').attrs.resid).toBe(runtimeResid);
  });

  it('resolves every resid to a resource of the right kind, and uses every resource', () => {
    expect(m.resources.children.map((c) => c.name)).toEqual(RESOURCES_SEQUENCE);
    const kindOf = (e: XmlElement): ResourceKind => {
      if (e.name === 'bt:Image') return 'bt:Images';
      if (['SourceLocation', 'Runtime', 'FunctionFile', 'LearnMoreUrl'].includes(e.name)) return 'bt:Urls';
      if (e.name === 'Description') return 'bt:LongStrings';
      return 'bt:ShortStrings';
    };
    const used = new Set<string>();
    const refs = descendants(m.overrides, (e) => e.attrs.resid !== undefined);
    expect(refs.length).toBeGreaterThan(20);
    for (const e of refs) {
      const kind = kindOf(e);
      const resid = e.attrs.resid!;
      expect({ element: e.name, resid, kind, resolved: m.resourceMap(kind).has(resid) }).toEqual({
        element: e.name,
        resid,
        kind,
        resolved: true,
      });
      used.add(`${kind} ${resid}`);
    }
    for (const kind of RESOURCES_SEQUENCE as ResourceKind[]) {
      for (const id of m.resourceMap(kind).keys()) expect(used.has(`${kind} ${id}`) ? id : `unused ${kind} ${id}`).toBe(id);
    }
  });

  it('keeps resource ids and strings within the schema limits', () => {
    for (const kind of RESOURCES_SEQUENCE as ResourceKind[]) {
      for (const [id, value] of m.resourceMap(kind)) {
        expect(id.length).toBeLessThanOrEqual(32);
        expect(value).not.toBe('');
      }
    }
    for (const v of shortStrings.values()) expect(v.length).toBeLessThanOrEqual(125);
    for (const v of longStrings.values()) expect(v.length).toBeLessThanOrEqual(250);
  });

  it('puts every URL on one origin', () => {
    const found = allUrls(m.root);
    expect(found.length).toBeGreaterThan(10);
    expect([...new Set(found.map((u) => new URL(u).origin))]).toEqual([DEFAULT_ORIGIN]);
  });

  it('points every URL at a file the webpack build emits', () => {
    const emitted = new Set(OUTPUTS.files);
    const assetFiles = fs.readdirSync(path.join(ROOT, OUTPUTS.assetsDir)).filter((f) => f.endsWith('.png'));
    for (const f of assetFiles) emitted.add(`${OUTPUTS.assetsDir}/${f}`);
    // dist/ is checked only when it was built from this manifest: a build older than manifest.xml is
    // stale, and `npm test` rebuilds it after the unit tests.
    const distManifest = path.join(OUTPUTS.dist, 'manifest.xml');
    const built =
      fs.existsSync(path.join(OUTPUTS.dist, 'taskpane.html')) &&
      fs.existsSync(distManifest) &&
      fs.statSync(distManifest).mtimeMs >= fs.statSync(path.join(ROOT, 'manifest.xml')).mtimeMs;
    for (const u of allUrls(m.root)) {
      const file = new URL(u).pathname.replace(/^\//, '');
      expect(emitted.has(file) ? file : `not emitted: ${file}`).toBe(file);
      if (built) expect(fs.existsSync(path.join(OUTPUTS.dist, file)) ? file : `missing in dist/: ${file}`).toBe(file);
    }
  });

  it('has icons of the sizes it declares', () => {
    const iconFile = (url: string) => path.join(ROOT, new URL(url).pathname);
    for (const img of descendants(m.overrides, (e) => e.name === 'bt:Image' && e.attrs.size !== undefined)) {
      const size = Number(img.attrs.size);
      expect(pngSize(iconFile(images.get(img.attrs.resid ?? '')!))).toEqual({ width: size, height: size });
    }
    expect(pngSize(iconFile(child(m.root, 'IconUrl').attrs.DefaultValue!))).toEqual({ width: 32, height: 32 });
    expect(pngSize(iconFile(child(m.root, 'HighResolutionIconUrl').attrs.DefaultValue!))).toEqual({ width: 64, height: 64 });
  });
});

describe('manifestForOrigin', () => {
  it('moves every URL to the given origin and keeps the manifest valid', () => {
    const moved = manifestForOrigin(MANIFEST_XML, 'https://closedesk.example.com:8443/');
    expect(validateXml(moved)).toBe(true);
    expect(moved).not.toContain('localhost:3000');
    const origins = new Set(allUrls(parseXml(moved)).map((u) => new URL(u).origin));
    expect([...origins]).toEqual(['https://closedesk.example.com:8443']);
    expect(moved.replace(/closedesk\.example\.com:8443/g, 'localhost:3000')).toBe(MANIFEST_XML);
  });

  it('supports a base path behind a reverse proxy', () => {
    const moved = manifestForOrigin(MANIFEST_XML, 'https://intranet.example.com/closedesk');
    expect(moved).toContain('"https://intranet.example.com/closedesk/taskpane.html"');
    expect(moved).toContain('"https://intranet.example.com/closedesk/assets/icon-32.png"');
  });

  it('refuses origins Office would not load or that would break the XML', () => {
    expect(() => manifestForOrigin(MANIFEST_XML, 'http://closedesk.example.com')).toThrow(/https/);
    expect(() => manifestForOrigin(MANIFEST_XML, 'not a url')).toThrow(/not a URL/);
    expect(() => manifestForOrigin(MANIFEST_XML, 'https://x.example.com/?a=1')).toThrow(/query/);
    expect(manifestForOrigin(MANIFEST_XML, 'http://127.0.0.1:4100')).toContain('"http://127.0.0.1:4100/taskpane.html"');
    const odd = manifestForOrigin(MANIFEST_XML, 'https://x.example.com/a"b<c');
    expect(validateXml(odd)).toBe(true);
  });
});

test("cleaning dist/, the add-in build keeps every folder the server's build writes there, and nothing it emits itself", () => {
  // (tsc writes dist/<folder>/… for each folder it compiles: a build run after it must not remove one)
  const include = (JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.server.json'), 'utf8')) as { include: string[] }).include;
  expect(include).toContain('platform');
  for (const folder of include) expect({ folder, kept: isServerOutput(`${folder}/any/module.js`) }).toEqual({ folder, kept: true });
  for (const own of [...OUTPUTS.files, `${path.basename(OUTPUTS.assetsDir)}/icon-32.png`]) expect({ own, kept: isServerOutput(own) }).toEqual({ own, kept: false });
});
