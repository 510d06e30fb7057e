/**
 * Whether an HTML element is invisible to the person reading the mail, so its text must not reach the model
 * (hidden text is how prompt injections ride along in mail): `<template>`, `<script>`, `<style>`, `<noscript>`,
 * `<head>`/`<title>`, the `hidden` attribute, and inline or stylesheet CSS that hides it — `display:none`,
 * `visibility:hidden`, `opacity:0`, a zero (or 1px) font size, `mso-hide:all`, zero width/height with overflow
 * hidden, transparent text, text moved off-screen. Stylesheet rules count when their selector is a plain `.class`
 * or `#id` at top level (rules inside `@media` only apply to some screens and are ignored).
 */
export interface HiddenRules {
  classes: Set<string>;
  ids: Set<string>;
}

export interface HtmlElementLike {
  name: string;
  attribs: Record<string, string | undefined>;
}

const INVISIBLE_TAGS = new Set(['template', 'script', 'style', 'noscript', 'head', 'title', 'meta', 'link', 'object', 'embed', 'iframe', 'frameset']);
const MAX_STYLESHEET_CHARS = 200_000;

function declarations(style: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const decl of style.slice(0, 4000).split(';')) {
    const colon = decl.indexOf(':');
    if (colon < 0) continue;
    const prop = decl.slice(0, colon).trim().toLowerCase();
    const value = decl.slice(colon + 1).replace(/!\s*important/giu, '').trim().toLowerCase().replace(/\s+/gu, ' ');
    if (prop) out.set(prop, value);
  }
  return out;
}

/** A CSS length at most `max` px (em/rem/% scaled; unit-less 0 allowed). */
function tinyLength(value: string | undefined, max: number): boolean {
  if (value === undefined) return false;
  const m = /^(-?\d*\.?\d+)\s*(px|pt|em|rem|%|vw|vh|)$/u.exec(value);
  if (!m) return false;
  const n = Number(m[1]);
  const scale = m[2] === 'em' || m[2] === 'rem' ? 16 : m[2] === '%' ? 0.16 : 1;
  return n * scale <= max;
}

function farOffscreen(value: string | undefined): boolean {
  const m = value === undefined ? null : /^-(\d+(?:\.\d+)?)\s*(px|pt|em|rem)?$/u.exec(value);
  return m !== null && Number(m[1]) * (m[2] === 'em' || m[2] === 'rem' ? 16 : 1) >= 500;
}

export function styleHides(style: string): boolean {
  const d = declarations(style);
  const overflowHidden = d.get('overflow') === 'hidden' || d.get('overflow-x') === 'hidden' || d.get('overflow-y') === 'hidden';
  const positioned = /^(?:absolute|fixed)$/u.test(d.get('position') ?? '');
  return (
    d.get('display') === 'none' ||
    /^(?:hidden|collapse)$/u.test(d.get('visibility') ?? '') ||
    tinyLength(d.get('opacity'), 0) ||
    tinyLength(d.get('font-size'), 1) ||
    d.get('mso-hide') === 'all' ||
    /^(?:transparent|rgba\(.*,\s?0(?:\.0+)?\))$/u.test(d.get('color') ?? '') ||
    farOffscreen(d.get('text-indent')) ||
    (positioned && (farOffscreen(d.get('left')) || farOffscreen(d.get('top')))) ||
    (overflowHidden && ['height', 'max-height', 'width', 'max-width'].some((p) => tinyLength(d.get(p), 1)))
  );
}

/** Top-level `.class { … }` / `#id { … }` rules of the mail's stylesheets that hide what they select. */
export function hiddenRules(html: string): HiddenRules {
  const rules: HiddenRules = { classes: new Set(), ids: new Set() };
  let css = '';
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style\s*>/giu)) {
    css += `${m[1] ?? ''}\n`;
    if (css.length > MAX_STYLESHEET_CHARS) break;
  }
  css = css.slice(0, MAX_STYLESHEET_CHARS).replace(/\/\*[\s\S]*?\*\//gu, '');
  let depth = 0;
  let selector = '';
  let body = '';
  for (const ch of css) {
    if (ch === '{') {
      depth++;
      continue;
    }
    if (ch === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0) {
        // Statements such as `@charset "utf-8";` may precede the selector.
        const sel = selector.slice(selector.lastIndexOf(';') + 1).trim();
        if (!sel.startsWith('@') && styleHides(body)) {
          for (const s of sel.split(',')) {
            const m = /^\s*[a-z0-9]*([.#])([\w-]+)\s*$/iu.exec(s);
            if (m?.[2]) (m[1] === '.' ? rules.classes : rules.ids).add(m[2].toLowerCase());
          }
        }
        selector = '';
        body = '';
      }
      continue;
    }
    if (depth === 0) selector += ch;
    else if (depth === 1) body += ch;
  }
  return rules;
}

export function isHidden(el: HtmlElementLike, rules: HiddenRules): boolean {
  if (INVISIBLE_TAGS.has(el.name)) return true;
  const a = el.attribs;
  if (a.hidden !== undefined) return true;
  if (a.type?.toLowerCase() === 'hidden') return true;
  if (a.style && styleHides(a.style)) return true;
  if (a.id && rules.ids.has(a.id.toLowerCase())) return true;
  if (a.class && rules.classes.size > 0 && a.class.toLowerCase().split(/\s+/u).some((c) => rules.classes.has(c))) return true;
  return false;
}
