/**
 * Strict XML checks for publishing tests. fast-xml-parser's XMLValidator checks structure but lets
 * XML-illegal characters and a stray `]]>` through, so every document is also parsed by jsdom's XML
 * parser (saxes, a conforming XML 1.0 parser) and scanned for characters outside the XML `Char`
 * production, written here independently of src/publish/xml.ts.
 */
import assert from "node:assert/strict";
import { XMLValidator } from "fast-xml-parser";
import { JSDOM } from "jsdom";

const { window } = new JSDOM("");

/** True when the code point is an XML 1.0 `Char`. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** The first character of `text` that XML forbids, as `U+XXXX`, or null. */
export function firstIllegalChar(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i) ?? 0;
    if (!isXmlChar(cp)) return `U+${cp.toString(16).toUpperCase().padStart(4, "0")} at ${i}`;
    if (cp > 0xffff) i++;
  }
  return null;
}

/** Parses `xml` strictly; fails the test with the parser's message when it is not well-formed XML. */
export function parseStrictXml(xml: string): Document {
  assert.equal(firstIllegalChar(xml), null, "XML contains an illegal character");
  const validation = XMLValidator.validate(xml);
  assert.equal(validation, true, `XMLValidator: ${JSON.stringify(validation)}`);
  const doc = new window.DOMParser().parseFromString(xml, "application/xml");
  const error = doc.getElementsByTagName("parsererror")[0];
  assert.equal(error, undefined, `DOMParser: ${error?.textContent ?? ""}`);
  return doc;
}
