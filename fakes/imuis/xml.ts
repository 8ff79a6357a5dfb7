import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * The fake's XML, through fast-xml-parser directly (the fake never uses connector code: it is an independent check
 * of what the connector sends). Values stay text; every element may repeat, so a second ORDKOP or a field given twice
 * is seen and refused; a DOCTYPE is refused as the real service would never need one.
 */

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  // Every element as a list: the fake checks that each field and record appears as often as iMuis allows.
  isArray: () => true,
});

const builder = new XMLBuilder({ processEntities: true, suppressEmptyNode: true });

/** The root element's name and content, or the reason the text is no XML the service would read. */
export function parseRequestXml(text: string): { name: string; content: XmlObject } | { error: string } {
  if (/<!DOCTYPE/i.test(text)) return { error: 'DOCTYPE is niet toegestaan' };
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { error: valid.err.msg };
  let tree: unknown;
  try {
    tree = parser.parse(text);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  const roots = Object.entries((tree ?? {}) as XmlObject);
  if (roots.length !== 1 || !Array.isArray(roots[0][1]) || roots[0][1].length !== 1) return { error: 'Meer dan één hoofdelement' };
  const content = roots[0][1][0];
  return { name: roots[0][0], content: typeof content === 'object' && !Array.isArray(content) ? content : {} };
}

/** The records named `name` directly under `parent` (each an object of field → list of values). */
export function recordsOf(parent: XmlObject, name: string): XmlObject[] {
  const list = parent[name];
  if (!Array.isArray(list)) return [];
  return list.map((r) => (typeof r === 'object' && !Array.isArray(r) ? r : {}));
}

/** A record's fields as text; `error` names a field that has children or appears more than once. */
export function fieldsOf(record: XmlObject): { fields: Record<string, string>; error?: string } {
  const fields: Record<string, string> = {};
  for (const [name, values] of Object.entries(record)) {
    const list = Array.isArray(values) ? values : [values];
    if (list.length !== 1) return { fields, error: `Veld '${name}' komt meer dan één keer voor` };
    if (typeof list[0] !== 'string') return { fields, error: `Veld '${name}' bevat geen waarde maar elementen` };
    fields[name] = list[0];
  }
  return { fields };
}

export type XmlOut = string | number | null | undefined | XmlOutObject | XmlOutObject[];
export interface XmlOutObject {
  [name: string]: XmlOut;
}

function clean(value: XmlOut): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(clean);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const c = clean(v);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

export function buildXml(root: XmlOutObject): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build(clean(root))}`;
}
