/**
 * XML text safety for everything publishing writes (RSS, OPML, the digest page): removing the
 * characters XML 1.0 forbids, escaping text and attribute values, and wrapping text in CDATA so a
 * `]]>` inside it can never end the section early. Article text comes from arbitrary web pages, so
 * every string is treated as hostile. Pure functions.
 */

// XML 1.0 `Char` excludes C0 controls other than tab/LF/CR, U+FFFE/U+FFFF and unpaired surrogates
// (a lone surrogate is not a Unicode scalar value, so it has no UTF-8 encoding either). Without the
// `u` flag the class matches UTF-16 code units, which is what makes the lookarounds work.
const XML_ILLEGAL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes the characters XML 1.0 does not allow: C0 controls except \t \n \r, U+FFFE, U+FFFF, lone surrogates. */
export function stripXmlIllegal(text: string): string {
  return text.replace(XML_ILLEGAL, "");
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Escapes `& < > " '` (safe in text and in either attribute quote style) after stripping illegal characters. */
export function escapeXml(text: string): string {
  return stripXmlIllegal(text).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/**
 * Wraps text in a CDATA section after stripping illegal characters. A `]]>` inside is split across two
 * sections (`]]]]><![CDATA[>`), so a parser reads back exactly the original text.
 */
export function cdata(text: string): string {
  return `<![CDATA[${stripXmlIllegal(text).replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;
}
