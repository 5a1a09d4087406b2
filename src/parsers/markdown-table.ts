/**
 * HTML tables → GFM pipe tables. The header row is the first `thead` row, else the first row (WeChat
 * editors rarely emit `thead`); every cell is flattened to one line by the caller and `|` is escaped.
 */
import { type Element, isTag } from "domhandler";

/** Renders `table` as a GFM pipe table, or returns null when it has no cell text at all. */
export function renderTable(table: Element, renderCell: (cell: Element) => string): string | null {
  const head: Element[] = [];
  const body: Element[] = [];
  collectRows(table, head, body, false);
  const rows = [...head, ...body];
  if (rows.length === 0) return null;
  const cells: string[][] = [];
  let width = 0;
  let anyText = false;
  for (const row of rows) {
    const line: string[] = [];
    for (const cell of row.children) {
      if (!isTag(cell) || (cell.name !== "td" && cell.name !== "th")) continue;
      const text = escapeCell(renderCell(cell));
      if (text !== "") anyText = true;
      line.push(text);
      const span = Math.min(Number.parseInt(cell.attribs.colspan ?? "1", 10) || 1, 50);
      for (let i = 1; i < span; i++) line.push("");
    }
    if (line.length > width) width = line.length;
    cells.push(line);
  }
  if (!anyText || width === 0) return null;
  const out: string[] = [];
  cells.forEach((line, i) => {
    while (line.length < width) line.push("");
    out.push(`| ${line.join(" | ")} |`);
    if (i === 0) out.push(`|${" --- |".repeat(width)}`);
  });
  return out.join("\n");
}

/** The only cell of a one-cell table (editors draw boxes around text that way), or null. */
export function soleCell(table: Element): Element | null {
  const head: Element[] = [];
  const body: Element[] = [];
  collectRows(table, head, body, false);
  const rows = [...head, ...body];
  if (rows.length !== 1 || rows[0] === undefined) return null;
  const cells = rows[0].children.filter((c) => isTag(c) && (c.name === "td" || c.name === "th"));
  return cells.length === 1 && cells[0] !== undefined && isTag(cells[0]) ? cells[0] : null;
}

/** Rows in document order, `thead` rows first; nested tables stay inside their cells. */
function collectRows(node: Element, head: Element[], body: Element[], inHead: boolean): void {
  for (const child of node.children) {
    if (!isTag(child)) continue;
    if (child.name === "tr") (inHead ? head : body).push(child);
    else if (child.name === "thead") collectRows(child, head, body, true);
    else if (child.name === "tbody" || child.name === "tfoot") collectRows(child, head, body, false);
  }
}

function escapeCell(text: string): string {
  return text.includes("|") ? text.replaceAll("|", "\\|") : text;
}
