/**
 * The layout-based function counter of test/support/function-lengths.ts on hand-written sources:
 * declarations, arrows, methods and multi-line parameter lists are measured from header to closing
 * brace; control blocks, classes and object literals are not functions; a module header is a leading
 * comment.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasModuleHeader, measureFunctions } from "../../support/function-lengths.ts";

const SOURCE = `/** Header. */
export function declared(a: number): number {
  if (a > 1) {
    return a;
  }
  return 0;
}

export const arrow = async (x: string) => {
  for (const c of x) {
    void c;
  }
};

export function spread(
  first: string,
  second: string,
): string {
  return first + second;
}

class Box {
  method(value: number): void {
    void value;
  }
}

const table = {
  key: 1,
  run() {
    return 2;
  },
};
const short = (n: number) => n + 1;
`;

describe("measureFunctions", () => {
  it("measures each brace-bodied function from header to closing brace, and nothing else", () => {
    assert.deepEqual(
      measureFunctions(SOURCE).map((s) => [s.name, s.line, s.lines]),
      [
        ["declared", 2, 6],
        ["arrow", 9, 5],
        ["spread", 15, 6],
        ["method", 23, 3],
        ["run", 30, 3],
      ],
    );
  });

  it("counts a long body in full", () => {
    const body = Array.from({ length: 100 }, (_, i) => `  const v${i} = ${i};`).join("\n");
    const [span] = measureFunctions(`function long(): void {\n${body}\n}\n`);
    assert.equal(span?.lines, 102);
  });
});

describe("hasModuleHeader", () => {
  it("accepts a leading block or line comment and rejects code first", () => {
    assert.equal(hasModuleHeader("/**\n * Owns x.\n */\nexport const a = 1;\n"), true);
    assert.equal(hasModuleHeader("#!/usr/bin/env node\n// Owns y.\n"), true);
    assert.equal(hasModuleHeader('import { a } from "./a.ts";\n/** late */\n'), false);
  });
});
