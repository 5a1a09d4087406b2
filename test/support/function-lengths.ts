/**
 * Function lengths of TypeScript source, read from its layout rather than a compiler (TypeScript 7's
 * native compiler has no JavaScript API): the sources are Biome-formatted, so a function whose body
 * opens with `{` at the end of its header line closes with the first later line at the header's
 * indentation that starts with `}`. A header is a line ending in `{` that declares a function
 * (`function`, an arrow `=> {`, or a method `name(…) {`), or that closes a parameter list spread over
 * several lines (`) {`, `): T {`) whose opening line at the same indentation is one of those.
 * Expression-bodied arrows have no braces and are not counted: they are one expression long.
 */

/** One function: the 1-based line of its header, its name as written, and its length in lines. */
export interface FunctionSpan {
  readonly line: number;
  readonly name: string;
  readonly lines: number;
}

const CONTROL = /^(?:\}\s*)?(?:if|for|while|switch|catch|with|else|do|try|return|finally)\b/;
const METHOD =
  /^(?:(?:public|private|protected|static|async|get|set|override|readonly|export|default)\s+)*\*?\s*([\w$]+)\s*(?:<[^>]*>)?\s*\(.*\)\s*(?::\s*.+)?\{$/;
const OPENS_PARAMS =
  /^(?:(?:export|async|public|private|protected|static|override)\s+)*(?:function\b|[\w$]+\s*(?:<[^>]*>)?\s*\($|(?:const|let)\s+[\w$]+\s*=\s*(?:async\s*)?\($|[\w$]+:\s*(?:async\s*)?\($)/;

const indentOf = (line: string) => line.length - line.trimStart().length;

function nameOf(header: string): string {
  const named =
    /function\*?\s+([\w$]+)/.exec(header) ??
    /(?:const|let)\s+([\w$]+)\s*=/.exec(header) ??
    /^([\w$]+)\s*[:(<]/.exec(header.replace(/^(?:(?:export|async|public|private|protected|static)\s+)+/, ""));
  return named?.[1] ?? "(anonymous)";
}

/** The header line of a function whose body opens on line `index`, or null when it opens none. */
function functionHeader(lines: readonly string[], index: number): string | null {
  const text = (lines[index] ?? "").trim();
  if (!text.endsWith("{") || text.startsWith("//") || text.startsWith("*")) return null;
  if (/=>\s*\{$/.test(text) || /\bfunction\b[^=]*\{$/.test(text)) return text;
  if (CONTROL.test(text)) return null;
  if (METHOD.test(text) && !/^(?:class|interface|enum|namespace|type)\b/.test(text)) return text;
  if (/^\)|^\}\)|^\]\)/.test(text)) {
    // The end of a parameter list spread over lines: find where it opened, at the same indentation.
    const indent = indentOf(lines[index] ?? "");
    for (let j = index - 1; j >= 0; j--) {
      const line = lines[j] ?? "";
      if (line.trim() === "" || indentOf(line) > indent) continue;
      const start = line.trim();
      return indentOf(line) === indent && OPENS_PARAMS.test(start) && !CONTROL.test(start) ? start : null;
    }
  }
  return null;
}

/** Every brace-bodied function of `source`, with its length from header to closing brace. */
export function measureFunctions(source: string): FunctionSpan[] {
  const lines = source.split("\n");
  const spans: FunctionSpan[] = [];
  lines.forEach((line, index) => {
    const header = functionHeader(lines, index);
    if (header === null) return;
    const indent = indentOf(line);
    // Where the header started (a parameter list may span lines above the `{` line).
    let start = index;
    if (header !== line.trim()) while (start > 0 && (lines[start]?.trim() ?? "") !== header) start--;
    for (let j = index + 1; j < lines.length; j++) {
      const candidate = lines[j] ?? "";
      if (indentOf(candidate) === indent && candidate.trim().startsWith("}")) {
        spans.push({ line: start + 1, name: nameOf(header), lines: j - start + 1 });
        return;
      }
    }
  });
  return spans;
}

/** Whether `source` opens (after an optional shebang) with a comment, the module's header. */
export function hasModuleHeader(source: string): boolean {
  const text = source.replace(/^#!.*\n/, "").trimStart();
  return text.startsWith("/**") || text.startsWith("/*") || text.startsWith("//");
}
