/** A small element tree over fast-xml-parser's ordered output, for structural manifest checks. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

export function validateXml(xml: string): true | string {
  const r = XMLValidator.validate(xml);
  return r === true ? true : `${r.err.msg} (line ${r.err.line}, column ${r.err.col})`;
}

function convert(node: Ordered): XmlElement | null {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (!name || name === '#text' || name.startsWith('?') || name === '#comment') return null;
  const raw = (node[name] as Ordered[]) ?? [];
  const children: XmlElement[] = [];
  let text = '';
  for (const c of raw) {
    if ('#text' in c) text += String(c['#text']);
    else {
      const el = convert(c);
      if (el) children.push(el);
    }
  }
  return { name, attrs: { ...(node[':@'] ?? {}) }, children, text: text.trim() };
}

export function parseXml(xml: string): XmlElement {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
  });
  const roots = (parser.parse(xml) as Ordered[]).map(convert).filter((e): e is XmlElement => e !== null);
  if (roots.length !== 1) throw new Error(`Expected one root element, found ${roots.length}.`);
  return roots[0]!;
}

export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The single child with this name; throws naming the path when absent or repeated. */
export function child(el: XmlElement, name: string): XmlElement {
  const found = children(el, name);
  if (found.length !== 1) throw new Error(`<${el.name}> has ${found.length} <${name}> children, expected 1.`);
  return found[0]!;
}

/** Follows a path of single children: at(root, 'DefaultSettings', 'SourceLocation'). */
export function at(el: XmlElement, ...path: string[]): XmlElement {
  return path.reduce(child, el);
}

export function descendants(el: XmlElement, pred: (e: XmlElement) => boolean = () => true): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (pred(c)) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

/** True when `names` appear in the order given by `sequence` (repeats allowed, unknown names not). */
export function followsSequence(names: readonly string[], sequence: readonly string[]): boolean {
  let last = -1;
  for (const n of names) {
    const i = sequence.indexOf(n);
    if (i < 0 || i < last) return false;
    last = i;
  }
  return true;
}
