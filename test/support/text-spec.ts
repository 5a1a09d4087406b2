/**
 * The character rules of text-clean.ts written independently, for property tests to check the
 * service's output against: which code points no document, title or name may hold.
 */

/**
 * C0 controls other than tab, newline and carriage return, DEL and C1 controls: removed, never in a
 * written document. A carriage return is a line break instead (LF in a body, a space in a name).
 */
export function isDroppedControl(cp: number): boolean {
  return (cp <= 0x1f && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || (cp >= 0x7f && cp <= 0x9f);
}

/** Bidi embeddings, overrides and isolates: never in a published title or name. */
export function isBidiControl(cp: number): boolean {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/** The first code point of `text` that a title or name may not hold (a control or bidi control), or null. */
export function firstForbiddenInName(text: string): number | null {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (isDroppedControl(cp) || cp === 0x0d || isBidiControl(cp) || (cp >= 0xd800 && cp <= 0xdfff)) return cp;
  }
  return null;
}

/** True when `text` holds no control but tab and LF, and no lone surrogate (bidi controls are allowed). */
export function isCleanText(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (isDroppedControl(cp) || cp === 0x0d || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  }
  return true;
}
