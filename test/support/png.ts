/**
 * Minimal PNG writing and reading for browser tests: `makePng` encodes a real truecolour PNG (IHDR,
 * one zlib-compressed IDAT, IEND, with CRCs) that any browser decodes, so a mock image host can serve
 * distinct, genuine images; `readPngSize` checks a screenshot's signature and reads its dimensions.
 */
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** Encodes a `width`×`height` RGB PNG whose pixels come from `pixel(x, y)`. */
export function makePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => readonly [number, number, number],
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit depth, truecolour, deflate, no filter method, no interlace
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    raw[row] = 0; // filter type None
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A soft two-colour diagonal gradient PNG, its colours derived from `seed` (e.g. an image path). */
export function makeGradientPng(seed: string, width = 320, height = 200): Buffer {
  const h = createHash("sha256").update(seed).digest();
  const from = [h[0] ?? 0, h[1] ?? 0, h[2] ?? 0].map((v) => 90 + (v % 140));
  const to = [h[3] ?? 0, h[4] ?? 0, h[5] ?? 0].map((v) => 60 + (v % 160));
  return makePng(width, height, (x, y) => {
    const t = (x / width + y / height) / 2;
    const mix = (i: number) => Math.round((from[i] ?? 0) * (1 - t) + (to[i] ?? 0) * t);
    return [mix(0), mix(1), mix(2)];
  });
}

/** The dimensions of a PNG; throws when `data` does not start with a PNG signature and IHDR. */
export function readPngSize(data: Buffer): { readonly width: number; readonly height: number } {
  if (data.length < 24 || !data.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG");
  if (data.toString("latin1", 12, 16) !== "IHDR") throw new Error("PNG without IHDR first");
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}
