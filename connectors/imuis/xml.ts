import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { imuisWireTexts } from '../../lib/messages.js';

/**
 * The connector's XML, through fast-xml-parser (docs/providers/imuis.md, "XML"): every value stays text
 * (`parseTagValue: false`, so article code `0001` keeps its zeros), SOAP prefixes are dropped, record rows are
 * always arrays, a DOCTYPE is refused before anything is parsed (no entity expansion beyond the five XML entities
 * and character references), and the text is validated first because `parse` is lenient.
 */

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

/** Elements that are rows and may repeat: always arrays, also when there is one. */
const ROWS = new Set(['DATA', 'ORDKOP', 'ORDRG', 'OFFKOP', 'OFFRG']);
/** Only XML's own entities (and numeric character references); named HTML entities stay as they are. */
const XML_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // CHAR columns come back space-padded, and whitespace between elements must not become text nodes.
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  // The parser takes an entity table here (named entities plus numeric references, e.g. `&#xD;` from .NET); the
  // typings only know `boolean`.
  htmlEntities: XML_ENTITIES as unknown as boolean,
  isArray: (name) => ROWS.has(name),
});

const builder = new XMLBuilder({ processEntities: true, suppressEmptyNode: true });

export class XmlError extends Error {
  override name = 'XmlError';
}

/** The single root element of an answer: its name and its content. Throws XmlError on anything else. */
export function parseXml(text: string): { name: string; content: XmlValue } {
  const xml = text.replace(/^\uFEFF/, '');
  if (/<!DOCTYPE/i.test(xml)) throw new XmlError(imuisWireTexts.doctypeRefused);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new XmlError(valid.err.msg);
  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch (err) {
    throw new XmlError(err instanceof Error ? err.message : String(err));
  }
  const roots = tree && typeof tree === 'object' ? Object.entries(tree as XmlObject) : [];
  if (roots.length !== 1) throw new XmlError(imuisWireTexts.notOneRoot);
  const [name, content] = roots[0];
  return { name, content };
}

export type XmlBuildValue = string | number | null | undefined | XmlBuildObject | XmlBuildObject[];
export interface XmlBuildObject {
  [name: string]: XmlBuildValue;
}

/** Characters XML 1.0 cannot carry (C0 controls except tab, LF, CR; lone surrogates; U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Leaves out null/undefined fields and characters XML cannot carry; the builder escapes the rest. */
function clean(value: XmlBuildValue): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.replace(INVALID_CHARS, '');
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(imuisWireTexts.notANumber(value));
    return String(value);
  }
  if (Array.isArray(value)) return value.map(clean);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const c = clean(v);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/** `{ NewDataSet: { Table1: { TABLE: 'DEB', … } } }` as XML text, fields in the object's order. */
export function toXml(root: XmlBuildObject): string {
  return builder.build(clean(root));
}
