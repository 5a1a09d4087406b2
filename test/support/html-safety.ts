/**
 * Safety checks on sanitized HTML for publishing tests: the fragment must be well-formed XML (so it
 * is safe inside CDATA) and contain nothing executable: no script-like element, no `on*` or `style`
 * attribute, no URL attribute with a scheme other than http(s) (or `data:image/...` on img src), and
 * no iframe outside the player allowlist. Written from the spec, independently of src/publish.
 */
import assert from "node:assert/strict";
import { parseStrictXml } from "./strict-xml.ts";

const ALLOWED_TAGS = new Set(
  "p br hr h1 h2 h3 h4 h5 h6 strong b em i del s code pre blockquote ul ol li a img table thead tbody tr th td figure figcaption sup sub span div audio video source iframe".split(
    " ",
  ),
);
const URL_ATTRS = new Set(["href", "src", "poster", "action", "formaction", "xlink:href", "background"]);
const PLAYER_HOSTS = new Set(["v.qq.com", "player.bilibili.com"]);

/** Parses a sanitized fragment as XML and returns its elements (throws via assert when malformed). */
export function fragmentElements(html: string): Element[] {
  const doc = parseStrictXml(`<root>${html}</root>`);
  return [...doc.documentElement.getElementsByTagName("*")];
}

/** Asserts that a sanitized fragment is well-formed and has nothing executable in it. */
export function assertSafeFragment(html: string): Element[] {
  assert.doesNotMatch(html, /<\s*script/i, "a script tag survived");
  const elements = fragmentElements(html);
  for (const el of elements) {
    const tag = el.tagName.toLowerCase();
    assert.ok(ALLOWED_TAGS.has(tag), `tag not allowed: ${tag}`);
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      assert.ok(!name.startsWith("on"), `event handler attribute: ${name}`);
      assert.notEqual(name, "style", "style attribute survived");
      assert.notEqual(name, "srcdoc", "srcdoc attribute survived");
      if (!URL_ATTRS.has(name)) continue;
      const value = attr.value;
      const image =
        tag === "img" &&
        name === "src" &&
        /^data:image\/(?:png|jpe?g|gif|webp|avif|bmp);base64,/i.test(value);
      assert.ok(image || /^https?:\/\//i.test(value), `unsafe URL in ${tag}@${name}: ${value}`);
    }
    if (tag === "iframe") {
      assert.ok(PLAYER_HOSTS.has(new URL(el.getAttribute("src") ?? "").hostname), "iframe host not allowed");
      assert.ok(el.hasAttribute("sandbox"), "iframe without sandbox");
    }
    if (tag === "img") assert.equal(el.getAttribute("referrerpolicy"), "no-referrer");
    if (tag === "a") assert.equal(el.getAttribute("rel"), "noopener noreferrer");
  }
  return elements;
}
