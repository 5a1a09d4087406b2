/**
 * Classifies IP addresses for the outbound-request guard: is an address public unicast, or loopback,
 * private, link-local, CGNAT, multicast, reserved…? Pure (no DNS): the guarded client calls it on every
 * address a name resolves to, at connect time, and on literal-IP hosts before connecting; the config
 * check calls it on literal hosts of configured URLs. IPv6 forms that embed an IPv4 address (mapped,
 * NAT64, 6to4, Teredo, compatible) are judged by that address, so `[::ffff:127.0.0.1]` is loopback.
 */

import { isIP } from "node:net";

/** Why an address is not public (null when it is public unicast). */
export type NonPublicKind =
  | "unspecified"
  | "loopback"
  | "private"
  | "link-local"
  | "shared (CGNAT)"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "documentation"
  | "benchmarking"
  | "unique-local"
  | "site-local"
  | "invalid";

type Range4 = readonly [base: string, bits: number, kind: NonPublicKind];

// IANA IPv4 special-purpose registry entries that must never be reached from a server-side fetch.
const V4_RANGES: readonly Range4[] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (CGNAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["255.255.255.255", 32, "broadcast"],
  ["240.0.0.0", 4, "reserved"],
];

function v4ToInt(address: string): number {
  return address.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

const V4_TABLE = V4_RANGES.map(([base, bits, kind]) => {
  const size = 2 ** (32 - bits);
  const start = v4ToInt(base);
  return { start, end: start + size - 1, kind };
});

function classifyV4Int(value: number): NonPublicKind | null {
  for (const range of V4_TABLE) if (value >= range.start && value <= range.end) return range.kind;
  return null;
}

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped, embedded IPv4 expanded). */
function parseV6Groups(address: string): number[] | null {
  let text = address.replace(/%.*$/, "").toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const n = v4ToInt(v4[1]);
    text = `${text.slice(0, v4.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] === "" ? [] : (halves[0]?.split(":") ?? []);
  const tail = halves.length === 2 && halves[1] !== "" ? (halves[1]?.split(":") ?? []) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail].map((g) => Number.parseInt(g, 16));
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function classifyV6(address: string): NonPublicKind | null {
  const g = parseV6Groups(address);
  if (g === null) return "invalid";
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = (hi: number, lo: number) => classifyV4Int(hi * 65536 + lo) ?? null;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return "unspecified";
  if (zeroTo(7) && g7 === 1) return "loopback";
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated), ::a.b.c.d (deprecated compatible).
  if (zeroTo(5) && g5 === 0xffff) return embedded(g6, g7);
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return embedded(g6, g7);
  if (zeroTo(6)) return embedded(g6, g7) ?? "reserved";
  // 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64) reach the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b) return g2 === 0 || g2 === 1 ? embedded(g6, g7) : "reserved";
  if (g0 === 0x2002) return embedded(g1, g2); // 6to4 carries the IPv4 address in bits 16..47
  if (g0 === 0x2001 && g1 === 0) return embedded(~g6 & 0xffff, ~g7 & 0xffff) ?? "reserved"; // Teredo
  if (g0 === 0x2001 && g1 === 0xdb8) return "documentation";
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "reserved"; // discard-only 100::/64
  if ((g0 & 0xfe00) === 0xfc00) return "unique-local";
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  if ((g0 & 0xffc0) === 0xfec0) return "site-local";
  if ((g0 & 0xff00) === 0xff00) return "multicast";
  // Global unicast is 2000::/3; everything else is unassigned or reserved.
  return (g0 & 0xe000) === 0x2000 ? null : "reserved";
}

/**
 * Why `address` (a literal IPv4 or IPv6 address, brackets allowed) must not be connected to, or null
 * when it is public unicast. Anything that is not an IP literal answers "invalid".
 */
export function classifyAddress(address: string): NonPublicKind | null {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const family = isIP(bare.replace(/%.*$/, ""));
  if (family === 4) return classifyV4Int(v4ToInt(bare));
  if (family === 6) return classifyV6(bare);
  return "invalid";
}

/** True when `hostname` (as a WHATWG URL gives it) is an IP literal rather than a name. */
export function isIpLiteral(hostname: string): boolean {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return isIP(bare) !== 0;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { "http:": "80", "https:": "443" };

/** `host:port` of a URL with the scheme's default port filled in (`[::1]:80`, `feeds.example:443`). */
export function toHostKey(url: URL): string {
  return `${url.hostname}:${url.port === "" ? (DEFAULT_PORTS[url.protocol] ?? "") : url.port}`;
}

/**
 * The normalised `host:port` of an allow-list entry (`127.0.0.1:8080`, `[::1]:9000`,
 * `rss.internal:443`), parsed as a URL host so `2130706433:80` and `127.0.0.1:80` agree; null when the
 * entry is not exactly a host with an explicit port.
 */
export function parseHostKey(entry: string): string | null {
  if (!/^[^/?#@\s\\]+:\d{1,5}$/.test(entry)) return null;
  try {
    const url = new URL(`http://${entry}`);
    return url.port === "" && !entry.endsWith(":80") ? null : `${url.hostname}:${url.port || "80"}`;
  } catch {
    return null;
  }
}

/**
 * Why the configured URL `input` must be refused, or null: its literal host is a non-public address and
 * its `host:port` is not in `allowed` (normalised keys). Names are left to the connect-time check.
 */
export function findPrivateHostProblem(input: string, allowed: ReadonlySet<string>): string | null {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return null; // the schema reports malformed URLs itself
  }
  const key = toHostKey(url);
  if (!isIpLiteral(url.hostname) || allowed.has(key)) return null;
  const kind = classifyAddress(url.hostname);
  if (kind === null) return null;
  return `${url.hostname} is a ${kind} address; list "${key}" in fetch.allowedPrivateHosts to allow it`;
}
