import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyAddress, isIpLiteral } from "../../../src/fetchers/ip-class.ts";

/** The hostname a WHATWG URL gives for `host`: decimal, octal and hex IPv4 forms are normalised. */
const hostnameOf = (host: string) => new URL(`http://${host}/`).hostname;

describe("classifyAddress", () => {
  const table: ReadonlyArray<readonly [string, string | null]> = [
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", null],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "shared (CGNAT)"],
    ["100.127.255.255", "shared (CGNAT)"],
    ["100.128.0.1", null],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    ["192.0.2.10", "documentation"],
    ["198.18.0.1", "benchmarking"],
    ["8.8.8.8", null],
    ["1.1.1.1", null],
    ["203.0.114.1", null],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["fec0::1", "site-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:8.8.8.8", null],
    ["::ffff:0:a9fe:a9fe", "link-local"],
    ["64:ff9b::7f00:1", "loopback"],
    ["64:ff9b::808:808", null],
    ["64:ff9b:1::a00:1", "private"],
    ["2002:7f00:1::", "loopback"],
    ["2002:c0a8:101::1", "private"],
    ["2002:808:808::1", null],
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"], // Teredo client 127.0.0.1 (bits inverted)
    ["::127.0.0.1", "loopback"],
    ["2001:db8::1", "documentation"],
    ["2606:4700:4700::1111", null],
    ["2400:3200::1", null],
    ["4000::1", "reserved"],
    ["example.com", "invalid"],
    ["1.2.3", "invalid"],
  ];
  for (const [address, kind] of table) {
    it(`${address} → ${kind ?? "public"}`, () => assert.equal(classifyAddress(address), kind));
  }

  it("judges the hostnames WHATWG URL parsing makes of decimal, octal and hex IPv4 forms", () => {
    assert.equal(classifyAddress(hostnameOf("2130706433")), "loopback");
    assert.equal(classifyAddress(hostnameOf("0x7f.1")), "loopback");
    assert.equal(classifyAddress(hostnameOf("0177.0.0.1")), "loopback");
    assert.equal(classifyAddress(hostnameOf("0xa9fea9fe")), "link-local");
    assert.equal(classifyAddress(hostnameOf("012.1")), "private");
    assert.equal(classifyAddress(hostnameOf("[0:0:0:0:0:ffff:127.0.0.1]")), "loopback");
  });
});

describe("isIpLiteral", () => {
  it("tells IP literals from names", () => {
    assert.equal(isIpLiteral("127.0.0.1"), true);
    assert.equal(isIpLiteral("[::1]"), true);
    assert.equal(isIpLiteral(hostnameOf("2130706433")), true);
    assert.equal(isIpLiteral("localhost"), false);
    assert.equal(isIpLiteral("mp.weixin.qq.com"), false);
  });
});
