// The CLI progress bar: drawn only on a terminal, throttled, complete at the end, erased by done().
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createProgressBar } from "../../../src/cli/progress.ts";

function stream(isTTY: boolean): Writable & { written: string[] } {
  const written: string[] = [];
  const s = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  return Object.assign(s, { written, isTTY });
}

describe("createProgressBar", () => {
  it("writes nothing when the stream is not a terminal", () => {
    const s = stream(false);
    const bar = createProgressBar(s);
    bar.update("reading", 1, 2);
    bar.update("reading", 2, 2);
    bar.done();
    assert.deepEqual(s.written, []);
  });

  it("redraws at most every 80 ms, always draws the last step, and erases itself", () => {
    const s = stream(true);
    let clock = 1000;
    const bar = createProgressBar(s, () => clock);
    bar.update("reading", 1, 4);
    clock += 10;
    bar.update("reading", 2, 4); // throttled
    clock += 100;
    bar.update("reading", 3, 4);
    bar.update("reading", 4, 4); // the last step is never throttled
    assert.equal(s.written.length, 3);
    assert.equal(s.written[0], `\r\x1b[Kreading [${"#".repeat(8)}${"-".repeat(22)}] 1/4 25%`);
    assert.match(s.written[2] ?? "", /\[#{30}\] 4\/4 100%$/);
    bar.done();
    assert.equal(s.written.at(-1), "\r\x1b[K");
    bar.done();
    assert.equal(s.written.length, 4);
  });
});
