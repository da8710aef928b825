/**
 * Does a page fit the task pane? Three facts measured in the browser:
 * - the document does not scroll sideways (`scrollingElement.scrollWidth <= clientWidth`);
 * - no text is wider than its own box (cut, or spilling out of a badge) or crosses the frame of the
 *   card around it, unless it ends in "…" with the full text in a title; a dropdown's chosen option
 *   likewise (measured in the control's font);
 * - no two visible text boxes overlap. A text box is a line of a text node (its client rects) or a
 *   form control (input, select, textarea: an error under a dropdown counts). Boxes are clipped by
 *   their scrolling and clipping ancestors (text scrolled away inside a list is not there); a sticky
 *   layer (a grid's header) passing over the rows beneath it is by design, and a box such a layer
 *   covers is left out, found by a hit test, so the page is walked a screen at a time.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { RESULTS } from './harness';

export interface LayoutReport {
  scrollWidth: number;
  clientWidth: number;
  overlaps: string[];
  /** Texts cut or spilling out of their box without an ellipsis and a title. */
  clipped: string[];
  /** Visible boxes seen, so a check that measured nothing cannot pass. */
  boxes: number;
}

export async function measureLayout(page: Page): Promise<LayoutReport> {
  return page.evaluate(async () => {
    const se = document.scrollingElement as HTMLElement;
    const startY = window.scrollY;
    type Box = { left: number; top: number; right: number; bottom: number; text: string; owner: Element; node: Node };

    const clipBy = (el: Element | null, r: Box): Box | null => {
      let box: Box | null = r;
      for (let a = el; a && a !== document.documentElement && box; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
        const c = a.getBoundingClientRect();
        const left = Math.max(box.left, c.left + a.clientLeft);
        const top = Math.max(box.top, c.top + a.clientTop);
        const right = Math.min(box.right, c.left + a.clientLeft + a.clientWidth);
        const bottom = Math.min(box.bottom, c.top + a.clientTop + a.clientHeight);
        box = right - left > 1 && bottom - top > 1 ? { ...box, left, top, right, bottom } : null;
      }
      return box;
    };

    const pinned = (el: Element | null): Element | null => {
      for (let a = el; a; a = a.parentElement) if (/sticky|fixed/.test(getComputedStyle(a).position)) return a;
      return null;
    };
    // In this screen, and not under a pinned layer (a grid's sticky header over the rows scrolled
    // beneath it). Covered by anything else, it still counts: that cover is the overlap sought.
    const shownAt = (owner: Element, b: Box): boolean => {
      const x = (b.left + b.right) / 2;
      const y = (b.top + b.bottom) / 2;
      if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight) return false;
      const hit = document.elementFromPoint(x, y);
      if (!hit || hit === owner || owner.contains(hit) || hit.contains(owner)) return true;
      const layer = pinned(hit);
      return !layer || layer === pinned(owner) || layer.contains(owner);
    };

    const collect = (): Box[] => {
      const out: Box[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = (n.textContent ?? '').trim();
        const owner = n.parentElement;
        if (!text || !owner || owner.closest('style,script,option,datalist,noscript')) continue;
        const cs = getComputedStyle(owner);
        if (cs.visibility === 'hidden' || Number(cs.opacity) === 0) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of Array.from(range.getClientRects())) {
          if (r.width < 1 || r.height < 1) continue;
          const b = clipBy(owner, { left: r.left, top: r.top, right: r.right, bottom: r.bottom, text, owner, node: n });
          if (b && shownAt(owner, b)) out.push(b);
        }
      }
      for (const el of Array.from(document.querySelectorAll('input:not([type=radio]):not([type=checkbox]):not([type=file]),select,textarea'))) {
        const r = el.getBoundingClientRect();
        if (r.width < 1 || r.height < 1) continue;
        const b = clipBy(el.parentElement, { left: r.left, top: r.top, right: r.right, bottom: r.bottom, text: `<${el.tagName.toLowerCase()} ${el.getAttribute('aria-label') ?? el.getAttribute('data-testid') ?? ''}>`, owner: el, node: el });
        if (b && shownAt(el, b)) out.push(b);
      }
      return out;
    };

    // A text is measured against its own box, the nearest ancestor that is not inline (a span in a
    // label is the label's text): a line reaching past the box's border is cut or spills out (a
    // badge's text over the header). Cut with "…" it must have its full text in a title. Scrolling
    // boxes are left out (their text is reached by scrolling), and so is SVG (a chart's labels).
    const clippedTexts = (): string[] => {
      const out = new Set<string>();
      const titled = (el: Element, cs: CSSStyleDeclaration, full: string) => cs.textOverflow === 'ellipsis' && !!el.closest('[title]')?.getAttribute('title')?.includes(full);
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        let box = n.parentElement;
        if (!(n.textContent ?? '').trim() || !box || box.closest('style,script,option,datalist,noscript,textarea,svg')) continue;
        while (box && /^(inline|contents)$/.test(getComputedStyle(box).display)) box = box.parentElement;
        if (!box) continue;
        const cs = getComputedStyle(box);
        if (box.getClientRects().length === 0 || cs.visibility === 'hidden' || /auto|scroll/.test(cs.overflowX)) continue;
        const full = (box.textContent ?? '').trim();
        const b = box.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(n);
        // Its own box, and the nearest framed box around it (a card's border): a word too long for the
        // card crosses its frame. Not past a scrolling box: what it holds is reached by scrolling.
        const framed = (el: Element) => {
          const c = getComputedStyle(el);
          return parseFloat(c.borderLeftWidth) > 0 && parseFloat(c.borderRightWidth) > 0;
        };
        const scrolls = (el: Element) => /auto|scroll/.test(getComputedStyle(el).overflowX);
        let frame: Element | null = box.parentElement;
        while (frame && frame !== document.body && !framed(frame) && !scrolls(frame)) frame = frame.parentElement;
        const f = frame && frame !== document.body && framed(frame) && !scrolls(frame) ? frame.getBoundingClientRect() : b;
        const rects = Array.from(range.getClientRects()).filter((r) => r.width >= 1);
        const past = Math.max(0, ...rects.map((r) => Math.max(b.left - r.left, r.right - b.right, f.left - r.left, r.right - f.right)));
        const hidden = cs.textOverflow === 'ellipsis' && box.scrollWidth > box.clientWidth + 1;
        if ((past > 1 || hidden) && !titled(box, cs, full)) out.add(`${JSON.stringify(full.slice(0, 60))} reaches ${Math.ceil(past)} px past its ${Math.round(b.width)} px box${hidden ? ', cut with "…" and no title' : ''}`);
      }
      const canvas = document.createElement('canvas').getContext('2d')!;
      for (const sel of Array.from(document.querySelectorAll('select'))) {
        const label = sel.selectedOptions[0]?.text.trim() ?? '';
        const cs = getComputedStyle(sel);
        if (!label || sel.getClientRects().length === 0 || cs.visibility === 'hidden') continue;
        canvas.font = cs.font;
        const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        const needs = canvas.measureText(label).width;
        if (needs > room + 1 && !titled(sel, cs, label)) out.add(`the chosen option ${JSON.stringify(label.slice(0, 60))} is ${Math.ceil(needs)} px in a ${room} px dropdown`);
      }
      return [...out];
    };
    const clipped = clippedTexts();

    const overlaps = new Set<string>();
    let boxes = 0;
    const step = Math.max(200, window.innerHeight - 100);
    for (let y = 0; ; y += step) {
      window.scrollTo(0, y);
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const list = collect();
      boxes += list.length;
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i]!;
          const b = list[j]!;
          // One text's own pieces (its lines, a cut text and its "…") are not two boxes.
          if (a.node === b.node) continue;
          if (a.owner !== b.owner && (a.owner.contains(b.owner) || b.owner.contains(a.owner))) continue;
          // A sticky header or column passes over what scrolls beneath it by design.
          if (pinned(a.owner) !== pinned(b.owner)) continue;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          // Line boxes of one paragraph may touch by a pixel or two; an overlap is more than that.
          if (w > 3 && h > Math.max(3, 0.3 * Math.min(a.bottom - a.top, b.bottom - b.top))) overlaps.add(`${JSON.stringify(a.text.slice(0, 60))} × ${JSON.stringify(b.text.slice(0, 60))}`);
        }
      }
      if (y + window.innerHeight >= se.scrollHeight) break;
    }
    window.scrollTo(0, startY);
    return { scrollWidth: se.scrollWidth, clientWidth: se.clientWidth, overlaps: [...overlaps], clipped, boxes };
  });
}

/** Asserts the page fits the pane, and keeps a full-page screenshot under test-results/ either way. */
export async function expectFitsPane(page: Page, name: string): Promise<void> {
  mkdirSync(join(RESULTS, 'pane-width'), { recursive: true });
  await page.screenshot({ path: join(RESULTS, 'pane-width', `${name}.png`), fullPage: true });
  const report = await measureLayout(page);
  expect({ page: name, overlaps: report.overlaps, clipped: report.clipped }).toEqual({ page: name, overlaps: [], clipped: [] });
  expect(report.scrollWidth).toBeLessThanOrEqual(report.clientWidth);
  expect(report.boxes).toBeGreaterThan(10);
}

/** An element whose text must read in full (a badge): not wider than its box, and the box inside the pane. */
export async function expectShownInFull(locator: Locator): Promise<void> {
  const m = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { text: (el.textContent ?? '').trim(), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, left: r.left, right: r.right, pane: document.documentElement.clientWidth };
  });
  expect({ text: m.text, cut: m.scrollWidth > m.clientWidth }).toEqual({ text: m.text, cut: false });
  expect(m.left).toBeGreaterThanOrEqual(0);
  expect(m.right).toBeLessThanOrEqual(m.pane);
}

/**
 * A dropdown's chosen option reads in full, or ends in "…" with the full text in the title: its
 * width in the control's font against the room left of the chevron.
 */
export async function expectChosenOptionReadable(select: Locator): Promise<{ label: string; fits: boolean }> {
  const m = await select.evaluate((el) => {
    const sel = el as HTMLSelectElement;
    const cs = getComputedStyle(sel);
    const ctx = document.createElement('canvas').getContext('2d')!;
    ctx.font = cs.font;
    const label = sel.selectedOptions[0]?.text.trim() ?? '';
    const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const r = sel.getBoundingClientRect();
    return { label, title: sel.title, fits: ctx.measureText(label).width <= room + 1, textOverflow: cs.textOverflow, right: r.right, pane: document.documentElement.clientWidth };
  });
  expect(m.label).not.toBe('');
  expect(m.title).toBe(m.label);
  if (!m.fits) expect(m.textOverflow).toBe('ellipsis');
  expect(m.right).toBeLessThanOrEqual(m.pane);
  return { label: m.label, fits: m.fits };
}

/**
 * The posting bar fills to the count written beside it ("N of M posted"), read in one go, and does
 * not ease its width (Fluent's 0.3 s transition left the bar behind the count).
 */
export async function expectBarShowsCount(bar: Locator, around: Locator): Promise<void> {
  const m = await around.evaluate((el, testId) => {
    const root = el.querySelector(`[data-testid="${testId}"]`)!;
    const fill = root.querySelector('.fui-ProgressBar__bar')!;
    const count = /(\d[\d,]*) of (\d[\d,]*) (posted|sent)/.exec(el.textContent ?? '');
    return { count: count ? [Number(count[1]!.replace(/,/g, '')), Number(count[2]!.replace(/,/g, ''))] : null, now: Number(root.getAttribute('aria-valuenow')), filled: fill.getBoundingClientRect().width / root.getBoundingClientRect().width, transition: getComputedStyle(fill).transitionProperty };
  }, (await bar.getAttribute('data-testid'))!);
  expect(m.count).not.toBeNull();
  const [n, of] = m.count!;
  expect(m.now).toBeCloseTo(n! / of!, 6);
  expect(m.filled).toBeCloseTo(n! / of!, 2);
  expect(m.transition).toBe('none');
}
