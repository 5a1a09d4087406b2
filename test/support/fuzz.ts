/**
 * Shared pieces of the fuzz tests: the fixed fast-check seed (printed, so a failure can be replayed by
 * changing it here) and arbitraries of hostile text: controls, bidi controls, lone surrogates,
 * markup, Markdown syntax, and any Unicode.
 */
import fc from "fast-check";

/** The seed of every fuzz property in the suite. */
export const FUZZ_SEED = 20_261_205;

/** fast-check parameters: seeded, a bounded number of runs. */
export function fuzzParams(numRuns: number): { seed: number; numRuns: number } {
  return { seed: FUZZ_SEED, numRuns };
}

const HOSTILE_PARTS = [
  "\u0000",
  "\u0001",
  "\u0007",
  "\u001b",
  "\u007f",
  "\u0085",
  "\u009b",
  "\r",
  "\r\n",
  "\n",
  "\t",
  "\u2028",
  "\u202e",
  "\u202d",
  "\u2066",
  "\u2069",
  "\u200e",
  "\u200f",
  "\ud800",
  "\udfff",
  "\ufeff",
  "\ufffe",
  "😀",
  "极客",
  "]]>",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "javascript:alert(1)",
  "[x](javascript:alert(1))",
  "&amp;",
  "# ",
  "---",
  "1. ",
  "> ",
  "*",
  "_",
  "`",
  "\\",
  ": ",
  '"',
  "'",
  " ",
];

/** Any text, weighted towards the characters and fragments that break writers and readers. */
export const hostileText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(...HOSTILE_PARTS),
      fc.string({ unit: "binary", maxLength: 8 }),
      // Raw UTF-16 code units: lone surrogates included.
      fc
        .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 4 })
        .map((units) => String.fromCharCode(...units)),
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.join(""));
