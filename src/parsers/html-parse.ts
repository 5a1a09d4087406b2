/**
 * The one way parsers build a DOM: htmlparser2 with a nesting limit. A page too deep to be an
 * article is refused while it is being parsed, so nothing downstream ever walks a tree deeper than
 * MAX_ELEMENT_DEPTH: htmlparser2's own open-tag stack costs O(depth) per tag (it grows at the front),
 * and the repair and markdown walks recurse once per level, so an unbounded page (300,000 nested
 * elements) would stall the event loop for seconds or overflow the stack.
 */
import { type Document, DomHandler } from "domhandler";
import { Parser } from "htmlparser2";
import { type ErrorCode, ParseError } from "../errors.ts";

/**
 * The deepest element nesting a parsed slice may have. Real pages stay far below: the deepest page
 * of the corpus nests 32 levels counting `<html>` (18-article-2017-browser-saved.html), and editor
 * templates stack sections a few dozen deep. 512 leaves 16× that headroom while keeping the
 * per-level recursion of the renderer (a handful of frames) far from Node's stack limit.
 */
export const MAX_ELEMENT_DEPTH = 512;

/** A DomHandler that stops the parse as soon as an element opens deeper than the limit. */
class DepthLimitedHandler extends DomHandler {
  constructor(
    private readonly code: ErrorCode,
    private readonly limit: number,
  ) {
    super();
  }

  override onopentag(name: string, attribs: Record<string, string>): void {
    super.onopentag(name, attribs);
    // tagStack holds the document itself below the open elements.
    if (this.tagStack.length - 1 > this.limit) {
      throw new ParseError(this.code, `parser: markup nested deeper than ${this.limit} elements`, {
        pageClass: "unparseable",
        maxDepth: this.limit,
      });
    }
  }
}

/**
 * Parses HTML into a document. Throws ParseError (`code`, default PARSE_ARTICLE, with
 * `details.pageClass` "unparseable") when elements nest deeper than `limit`.
 */
export function parseBoundedHtml(
  html: string,
  code: ErrorCode = "PARSE_ARTICLE",
  limit: number = MAX_ELEMENT_DEPTH,
): Document {
  const handler = new DepthLimitedHandler(code, limit);
  new Parser(handler).end(html);
  return handler.root;
}
