/**
 * The small XML subset iMuis needs (no XML library is installed): a builder that escapes every text and
 * attribute value, and a strict parser for elements, attributes, text, CDATA, comments, processing
 * instructions and namespaces. DOCTYPEs are refused, so no entity expansion can ever happen (XXE, billion laughs).
 * Used by the connector and the fake alike, so both read and write the same shapes.
 */

export interface XmlElement {
  /** The qualified name as written, e.g. `soap:Envelope`. */
  name: string;
  /** The name without prefix, e.g. `Envelope`. */
  local: string;
  /** The namespace URI the prefix (or the default namespace) is bound to; null when none. */
  ns: string | null;
  attrs: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

export class XmlParseError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} (positie ${position})`);
    this.name = 'XmlParseError';
  }
}

// ------------------------------------------------------------------ building

/** Characters XML 1.0 does not allow at all (C0 controls except tab, LF, CR; lone surrogates; U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for element content or a quoted attribute value; characters XML cannot carry are dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // A CR would be normalised away by the reader; as a reference it survives.
    .replace(/\r/g, '&#13;');
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?$/;

/** A value for `el`: text (numbers and booleans as text), nested elements, or nothing (null/undefined are left out). */
export type XmlContent = string | number | boolean | null | undefined | XmlBuild | readonly XmlContent[];

export interface XmlBuild {
  readonly kind: 'element';
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly content: readonly XmlContent[];
}

function assertName(name: string): void {
  if (!NAME.test(name)) throw new Error(`Ongeldige XML-naam '${name}'`);
}

/** An element to serialise: `el('ORDKOP', el('DEB', 1001), el('KENM', ref))`. Names are checked, values escaped. */
export function el(name: string, ...content: XmlContent[]): XmlBuild {
  assertName(name);
  return { kind: 'element', name, attrs: {}, content };
}

/** An element with attributes, e.g. `elAttrs('Envelope', { xmlns: '…' }, body)`. */
export function elAttrs(name: string, attrs: Record<string, string>, ...content: XmlContent[]): XmlBuild {
  assertName(name);
  for (const key of Object.keys(attrs)) assertName(key);
  return { kind: 'element', name, attrs, content };
}

/** One child element per field, in the object's order; null/undefined fields are left out. */
export function fields(record: Record<string, string | number | boolean | null | undefined>): XmlBuild[] {
  return Object.entries(record)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => el(k, v));
}

function isBuild(value: unknown): value is XmlBuild {
  return typeof value === 'object' && value !== null && (value as XmlBuild).kind === 'element';
}

function renderContent(content: XmlContent, out: string[]): void {
  if (content === null || content === undefined) return;
  if (Array.isArray(content)) {
    for (const c of content as XmlContent[]) renderContent(c, out);
    return;
  }
  if (isBuild(content)) {
    renderElement(content, out);
    return;
  }
  if (typeof content === 'number' && !Number.isFinite(content)) throw new Error(`Geen getal: ${content}`);
  out.push(escapeXml(typeof content === 'string' ? content : JSON.stringify(content)));
}

function renderElement(node: XmlBuild, out: string[]): void {
  out.push('<', node.name);
  for (const [k, v] of Object.entries(node.attrs)) out.push(' ', k, '="', escapeXml(v), '"');
  const start = out.length;
  out.push('>');
  for (const c of node.content) renderContent(c, out);
  if (out.length === start + 1) {
    out[start] = '/>';
    return;
  }
  out.push('</', node.name, '>');
}

/** Serialises an element (no declaration unless asked). */
export function toXml(node: XmlBuild, opts: { declaration?: boolean } = {}): string {
  const out: string[] = opts.declaration ? ['<?xml version="1.0" encoding="utf-8"?>'] : [];
  renderElement(node, out);
  return out.join('');
}

// ------------------------------------------------------------------ parsing

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** An XML name (the common subset: ASCII letters, digits, `_ : . -`, and everything from U+00C0 up). */
const NAME_AT = /[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]*/y;

function decodeEntities(raw: string, position: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (match, body: string, offset: number) => {
    if (!match.endsWith(';')) throw new XmlParseError(`Losse '&' in tekst`, position + offset);
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      const valid = /^#(x[0-9a-fA-F]+|[0-9]+)$/i.test(body) && Number.isFinite(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      if (!valid) throw new XmlParseError(`Ongeldige tekenverwijzing '&${body};'`, position + offset);
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[body];
    if (value === undefined) throw new XmlParseError(`Onbekende entiteit '&${body};'`, position + offset);
    return value;
  });
}

interface OpenElement {
  element: XmlElement;
  scope: Map<string, string>;
  start: number;
}

/**
 * Parses one XML document into its root element. Throws XmlParseError for anything that is not well-formed:
 * mismatched or unclosed tags, text outside the root, duplicate attributes, unbound prefixes, DOCTYPEs.
 */
export function parseXml(input: string): XmlElement {
  const src = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const stack: OpenElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;

  const fail = (message: string, at = i): never => {
    throw new XmlParseError(message, at);
  };
  const readName = (): string => {
    NAME_AT.lastIndex = i;
    const m = NAME_AT.exec(src);
    if (!m) fail('Naam verwacht');
    i += m![0].length;
    return m![0];
  };
  const skipSpace = () => {
    while (i < src.length && (src[i] === ' ' || src[i] === '\n' || src[i] === '\t')) i++;
  };
  const addText = (text: string, at: number) => {
    if (text === '') return;
    const top = stack[stack.length - 1];
    if (!top) {
      if (text.trim() !== '') fail('Tekst buiten het hoofdelement', at);
      return;
    }
    const children = top.element.children;
    const last = children[children.length - 1];
    if (typeof last === 'string') children[children.length - 1] = last + text;
    else children.push(text);
  };
  const resolve = (qname: string, scope: Map<string, string>, isAttribute: boolean, at: number): { local: string; ns: string | null } => {
    const colon = qname.indexOf(':');
    if (colon < 0) return { local: qname, ns: isAttribute ? null : scope.get('') ?? null };
    const prefix = qname.slice(0, colon);
    const local = qname.slice(colon + 1);
    if (!local || local.includes(':')) fail(`Ongeldige naam '${qname}'`, at);
    if (prefix === 'xml') return { local, ns: XML_NS };
    const ns = scope.get(prefix);
    if (ns === undefined) fail(`Prefix '${prefix}' is niet gedeclareerd`, at);
    return { local, ns: ns! };
  };

  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt < 0) {
      addText(decodeEntities(src.slice(i), i), i);
      i = src.length;
      break;
    }
    if (lt > i) addText(decodeEntities(src.slice(i, lt), i), i);
    i = lt;

    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i + 2);
      if (end < 0) fail('Onafgesloten verwerkingsinstructie');
      i = end + 2;
      continue;
    }
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) fail('Onafgesloten commentaar');
      i = end + 3;
      continue;
    }
    if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i + 9);
      if (end < 0) fail('Onafgesloten CDATA');
      if (stack.length === 0) fail('CDATA buiten het hoofdelement');
      addText(src.slice(i + 9, end), i);
      i = end + 3;
      continue;
    }
    if (src.startsWith('<!', i)) fail('DOCTYPE en andere declaraties worden niet ondersteund');

    if (src[i + 1] === '/') {
      const at = i;
      i += 2;
      const name = readName();
      skipSpace();
      if (src[i] !== '>') fail(`'>' verwacht na </${name}`);
      i++;
      const open = stack.pop();
      if (!open) fail(`Sluittag </${name}> zonder openingstag`, at);
      if (open!.element.name !== name) fail(`Sluittag </${name}> past niet bij <${open!.element.name}>`, at);
      continue;
    }

    // Start tag.
    const at = i;
    i++;
    const name = readName();
    const rawAttrs: [string, string][] = [];
    for (;;) {
      const before = i;
      skipSpace();
      if (src[i] === '>' || src.startsWith('/>', i)) break;
      if (i === before) fail(`Spatie verwacht in <${name}>`);
      const attrName = readName();
      skipSpace();
      if (src[i] !== '=') fail(`'=' verwacht na attribuut ${attrName}`);
      i++;
      skipSpace();
      const quote = src[i];
      if (quote !== '"' && quote !== "'") fail(`Aanhalingsteken verwacht bij attribuut ${attrName}`);
      const end = src.indexOf(quote, i + 1);
      if (end < 0) fail(`Onafgesloten attribuut ${attrName}`);
      const raw = src.slice(i + 1, end);
      if (raw.includes('<')) fail(`'<' in attribuut ${attrName}`, i + 1);
      if (rawAttrs.some(([n]) => n === attrName)) fail(`Attribuut ${attrName} komt twee keer voor`);
      // Attribute-value normalisation: whitespace characters become spaces.
      rawAttrs.push([attrName, decodeEntities(raw.replace(/[\n\t]/g, ' '), i + 1)]);
      i = end + 1;
    }
    const selfClosing = src.startsWith('/>', i);
    i += selfClosing ? 2 : 1;
    if (i > src.length) fail(`Onafgesloten starttag <${name}>`, at);

    const parentScope = stack[stack.length - 1]?.scope ?? new Map<string, string>();
    let scope = parentScope;
    for (const [attrName, value] of rawAttrs) {
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) {
        if (scope === parentScope) scope = new Map(parentScope);
        const prefix = attrName === 'xmlns' ? '' : attrName.slice(6);
        if (prefix !== '' && value === '') fail(`Prefix ${prefix} mag niet aan een lege namespace worden gekoppeld`, at);
        scope.set(prefix, value);
      }
    }
    const attrs: Record<string, string> = {};
    for (const [attrName, value] of rawAttrs) {
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) continue;
      resolve(attrName, scope, true, at); // checks the prefix is bound
      attrs[attrName] = value;
    }
    const { local, ns } = resolve(name, scope, false, at);
    const element: XmlElement = { name, local, ns: ns === '' ? null : ns, attrs, children: [] };

    const parent = stack[stack.length - 1];
    if (parent) parent.element.children.push(element);
    else if (root) fail('Meer dan één hoofdelement', at);
    else root = element;
    if (!selfClosing) stack.push({ element, scope, start: at });
  }

  if (stack.length > 0) fail(`Element <${stack[stack.length - 1].element.name}> is niet afgesloten`, stack[stack.length - 1].start);
  if (!root) fail('Geen XML-element gevonden', 0);
  return root!;
}

// ------------------------------------------------------------------ reading helpers

export function isElement(node: XmlNode): node is XmlElement {
  return typeof node !== 'string';
}

/** The child elements, in order. */
export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter(isElement);
}

/** The first child element with this local name (namespace ignored). */
export function child(element: XmlElement, local: string): XmlElement | undefined {
  return element.children.find((c): c is XmlElement => isElement(c) && c.local === local);
}

/** All child elements with this local name. */
export function childrenNamed(element: XmlElement, local: string): XmlElement[] {
  return element.children.filter((c): c is XmlElement => isElement(c) && c.local === local);
}

/** All text inside the element, descendants included, as written (not trimmed). */
export function textOf(element: XmlElement | undefined): string {
  if (!element) return '';
  let out = '';
  for (const c of element.children) out += typeof c === 'string' ? c : textOf(c);
  return out;
}

/** Depth-first search (the element itself included) for the first element the predicate accepts. */
export function findElement(element: XmlElement, predicate: (e: XmlElement) => boolean): XmlElement | undefined {
  if (predicate(element)) return element;
  for (const c of element.children) {
    if (!isElement(c)) continue;
    const hit = findElement(c, predicate);
    if (hit) return hit;
  }
  return undefined;
}

/** Local name, case-insensitively: iMuis writes `Foutmelding` in SOAP and `FOUTMELDING`-style names in its datasets. */
export function named(local: string): (e: XmlElement) => boolean {
  const wanted = local.toLowerCase();
  return (e) => e.local.toLowerCase() === wanted;
}

/** A flat record (one child element per field) as a map of field name → text. Repeated fields keep the first. */
export function recordOf(element: XmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of childElements(element)) if (!(c.local in out)) out[c.local] = textOf(c);
  return out;
}
