/**
 * The document writer and the lenient reader: exact rendering of the format doc's example, quoting of
 * hostile values, write-then-read and write-then-YAML round trips (table and property tests), and the
 * reader's tolerance (seed file, CRLF, BOM, unknown keys, invalid YAML titles).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { isAppError } from "../../../src/errors.ts";
import type { ArticleDocument } from "../../../src/model.ts";
import { isPlainScalarSafe, readDocument, renderDocument } from "../../../src/parsers/front-matter.ts";
import { seedFile, skipReason } from "../../support/corpus.ts";

const KEYS = ["title", "url", "source", "date", "fetch_date"] as const;

function doc(overrides: Partial<ArticleDocument> = {}): ArticleDocument {
  return {
    title: "两个 AI 圈的明星，成了阿里云的新「代言人」",
    url: "https://mp.weixin.qq.com/s?__biz=MTMwNDMwODQ0MQ==&mid=2653046990&idx=1&sn=0f16a1981e543e20a01d5aae363bbc48",
    source: "极客公园",
    date: "2024-07-09",
    fetch_date: "2025-10-06T17:46:02.915375",
    body: "# 两个 AI 圈的明星，成了阿里云的新「代言人」\n\n正文",
    ...overrides,
  };
}

/** The YAML text between the opening and closing `---` lines. */
function frontMatterOf(text: string): string {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(match, "rendered text starts with a front-matter block");
  return match[1] ?? "";
}

function yamlValues(text: string): Record<string, unknown> {
  return parseYaml(frontMatterOf(text)) as Record<string, unknown>;
}

describe("renderDocument", () => {
  it("writes the format doc's example with plain values, keys in order, blank line, body, newline", () => {
    assert.equal(
      renderDocument(doc()),
      [
        "---",
        "title: 两个 AI 圈的明星，成了阿里云的新「代言人」",
        "url: https://mp.weixin.qq.com/s?__biz=MTMwNDMwODQ0MQ==&mid=2653046990&idx=1&sn=0f16a1981e543e20a01d5aae363bbc48",
        "source: 极客公园",
        "date: 2024-07-09",
        "fetch_date: 2025-10-06T17:46:02.915375",
        "---",
        "",
        "# 两个 AI 圈的明星，成了阿里云的新「代言人」",
        "",
        "正文",
        "",
      ].join("\n"),
    );
  });

  it("keeps the date and fetch_date plain and the yaml package reads them as strings", () => {
    const values = yamlValues(renderDocument(doc()));
    assert.equal(values.date, "2024-07-09");
    assert.equal(values.fetch_date, "2025-10-06T17:46:02.915375");
  });

  const quoted: Array<[string, string]> = [
    ["中国信通院敖立: 万物智联", '"中国信通院敖立: 万物智联"'],
    ["ends with colon:", '"ends with colon:"'],
    ["C# 入门 #1", '"C# 入门 #1"'],
    ['say "hi": now', '"say \\"hi\\": now"'],
    ["back\\slash: x", '"back\\\\slash: x"'],
    ["line\nbreak", '"line\\nbreak"'],
    ["tab\there", '"tab\\there"'],
    ["nul\0", '"nul\\0"'],
    ["bell\x07 esc\x1b del\x7f c1\x9f", '"bell\\a esc\\e del\\x7f c1\\x9f"'],
    ["nel\u0085 ls\u2028 ps\u2029", '"nel\\N ls\\L ps\\P"'],
    ["bom\ufeff nonchar\uffff", '"bom\\ufeff nonchar\\uffff"'],
    ["lone \ud800 surrogate", '"lone \\ud800 surrogate"'],
    [" leading space", '" leading space"'],
    ["trailing space ", '"trailing space "'],
    ["", '""'],
  ];
  for (const [value, line] of quoted) {
    it(`quotes ${JSON.stringify(value)} as ${line}`, () => {
      const text = renderDocument(doc({ title: value }));
      assert.equal(text.split("\n")[1], `title: ${line}`);
      assert.equal(yamlValues(text).title, value);
    });
  }

  const indicatorStarts = [
    "[",
    "]",
    "{",
    "}",
    "*",
    "&",
    "!",
    "%",
    "@",
    "`",
    "|",
    ">",
    "'",
    '"',
    "#",
    ",",
    "- ",
    "? ",
    ": ",
    "-",
    "?",
    ":",
  ];
  for (const start of indicatorStarts) {
    it(`quotes a title starting with ${JSON.stringify(start)}`, () => {
      const value = `${start}标题 x`;
      const text = renderDocument(doc({ title: value }));
      assert.ok((text.split("\n")[1] ?? "").startsWith('title: "'), text.split("\n")[1]);
      assert.equal(yamlValues(text).title, value);
      assert.equal(readDocument(text).title, value);
    });
  }

  const nonStrings = [
    "true",
    "False",
    "TRUE",
    "null",
    "Null",
    "~",
    "123",
    "-7",
    "+12",
    "0o17",
    "0x1F",
    "1.5",
    ".5",
    "5.",
    "1e3",
    "-.inf",
    ".NaN",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
  ];
  for (const value of nonStrings) {
    it(`quotes ${value}, which YAML would not read as a string`, () => {
      const text = renderDocument(doc({ title: value, source: value }));
      assert.equal(text.split("\n")[1], `title: "${value}"`);
      assert.equal(yamlValues(text).title, value);
      assert.equal(yamlValues(text).source, value);
    });
  }

  const plain = [
    "2024年度网络安全政策法规一览",
    "a#b",
    "a:b",
    "x=1&y=2",
    "【安全圈】OWASP – 漏洞",
    "Doonsec's feed",
    "...",
    "x---",
    "1_000",
    'say "hi"',
    "back\\slash",
    "é 😀 中",
  ];
  for (const value of plain) {
    it(`writes ${JSON.stringify(value)} plain`, () => {
      const text = renderDocument(doc({ title: value }));
      assert.equal(text.split("\n")[1], `title: ${value}`);
      assert.equal(yamlValues(text).title, value);
    });
  }

  it("round-trips hostile values through readDocument and the yaml package", () => {
    const hostile = [
      "MEGR-APT: 基于攻击表示学习",
      "#hashtag title",
      "'single' and \"double\"",
      "[Tag] title",
      "*star",
      "&anchor",
      "!tag",
      "%percent",
      "@at",
      "`tick`",
      "- dash",
      "? question",
      "trailing spaces   ",
      "multi\nline\r\ntitle",
      "true",
      "null",
      "3.14",
      "unicode 😀 \u00a0 \u3000 é",
    ];
    for (const title of hostile) {
      const written = doc({ title, source: title, url: `https://x.test/?q=${title}` });
      const text = renderDocument(written);
      const back = readDocument(text);
      for (const key of KEYS) assert.equal(back[key], written[key], `${key} of ${JSON.stringify(title)}`);
      assert.equal(back.body, written.body);
      const values = yamlValues(text);
      for (const key of KEYS)
        assert.equal(values[key], written[key], `yaml ${key} of ${JSON.stringify(title)}`);
    }
  });
});

// Characters that matter to YAML, mixed with ordinary ones, so short random strings hit the edge cases.
const yamlish = fc.constantFrom(
  ..."ab 中:#-?[]{},&*!|>'\"%@`~=.+0123456789eExo\\\t\n\r\0\x07\x1b\x7f\u0085\u00a0\u2028\u2029\ufeff\ufffe\u3000😀".split(
    "",
  ),
  "😀",
  "true",
  "null",
  ": ",
  " #",
  "---",
);
const anyString = fc.oneof(
  fc.string({ unit: yamlish, maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    maxLength: 10,
  }),
);

describe("renderDocument properties", () => {
  it("write-then-read gives back all five values and the body, and the yaml package agrees", () => {
    fc.assert(
      fc.property(anyString, anyString, anyString, anyString, anyString, fc.string(), (t, u, s, d, f, b) => {
        const written: ArticleDocument = {
          title: t,
          url: u,
          source: s,
          date: d,
          fetch_date: f,
          body: b.replaceAll("\r", ""),
        };
        const text = renderDocument(written);
        const back = readDocument(text);
        const values = yamlValues(text);
        for (const key of KEYS) {
          assert.equal(back[key], written[key]);
          assert.equal(values[key], written[key]);
        }
        assert.deepEqual(Object.keys(back.fields), [...KEYS]);
        assert.equal(back.body, written.body);
      }),
      { numRuns: 1500 },
    );
  });

  it("every value judged plain reads back unchanged in the yaml package", () => {
    fc.assert(
      fc.property(anyString, (value) => {
        if (!isPlainScalarSafe(value)) return;
        assert.equal(parseYaml(`k: ${value}\n`).k, value);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("readDocument", () => {
  it("reads the seed's five values as written", { skip: skipReason(seedFile(), "seed file") }, () => {
    const file = seedFile();
    assert.ok(file);
    const back = readDocument(readFileSync(file, "utf8"));
    assert.equal(back.title, "两个 AI 圈的明星，成了阿里云的新「代言人」");
    assert.equal(
      back.url,
      "https://mp.weixin.qq.com/s?__biz=MTMwNDMwODQ0MQ==&mid=2653046990&idx=1&sn=0f16a1981e543e20a01d5aae363bbc48&chksm=7e5735784920bc6e754baa9981b3eb7020f57bbc90ad5db3d489fa4157401ef71643f405f036&scene=58&subscene=0#rd",
    );
    assert.equal(back.source, "极客公园");
    assert.equal(back.date, "2024-07-09");
    assert.equal(back.fetch_date, "2025-10-06T17:46:02.915375");
    assert.ok(back.body.startsWith("# 两个 AI 圈的明星，成了阿里云的新「代言人」\n\n![cover_image]("));
  });

  it("splits at the first ': ' so unquoted colon titles read as written", () => {
    const back = readDocument("---\ntitle: Salesloft: GitHub账户遭入侵\nsource: a: b\n---\n\nbody");
    assert.equal(back.title, "Salesloft: GitHub账户遭入侵");
    assert.equal(back.source, "a: b");
    assert.equal(back.body, "body");
  });

  it("keeps titles that are invalid YAML (leading [ * & ! #) as written", () => {
    for (const title of ["[转载] 标题", "*重要* 通知", "&amp 标题", "!警告", "# 不是注释"]) {
      assert.equal(readDocument(`---\ntitle: ${title}\n---\n`).title, title);
    }
  });

  it("unquotes double- and single-quoted values with their escapes", () => {
    const back = readDocument(
      [
        "---",
        'title: "a: \\"b\\" \\\\ \\n \\t \\x41 \\u4e2d \\U0001F600 \\N \\_ \\L \\P \\0 \\/"',
        "source: 'it''s'",
        'url: ""',
        "---",
        "",
      ].join("\n"),
    );
    assert.equal(back.title, 'a: "b" \\ \n \t A 中 😀 \u0085 \u00a0 \u2028 \u2029 \0 /');
    assert.equal(back.source, "it's");
    assert.equal(back.url, "");
  });

  it("keeps values that only look quoted as written", () => {
    const back = readDocument(`---\ntitle: "双11"来了，"安全"\nsource: 'a'b'\nurl: "bad \\q escape"\n---\n`);
    assert.equal(back.title, '"双11"来了，"安全"');
    assert.equal(back.source, "'a'b'");
    assert.equal(back.url, '"bad \\q escape"');
  });

  it("tolerates CRLF and a BOM, keeps unknown keys in order and gives '' for missing keys", () => {
    const text = "\ufeff---\r\ntitle: T\r\nextra: one\r\nurl: U\r\nzeta:\r\n---\r\n\r\nline 1\r\nline 2\r\n";
    const back = readDocument(text);
    assert.deepEqual(back.fields, { title: "T", extra: "one", url: "U", zeta: "" });
    assert.equal(back.source, "");
    assert.equal(back.date, "");
    assert.equal(back.fetch_date, "");
    assert.equal(back.body, "line 1\nline 2");
  });

  it("reads a key named __proto__ as an ordinary field", () => {
    const back = readDocument("---\n__proto__: x\ntitle: T\n---\n");
    assert.equal(Object.getPrototypeOf(back.fields), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(back.fields, "__proto__")?.value, "x");
    assert.equal(back.title, "T");
  });

  it("keeps a body without a trailing newline whole (the old archive writes none)", () => {
    assert.equal(readDocument("---\ntitle: T\n---\n\n# T\n\n听过").body, "# T\n\n听过");
  });

  for (const [name, text] of [
    ["no front matter", "# just markdown\n\ntext"],
    ["an unclosed block", "---\ntitle: T\n\nbody"],
    ["an empty text", ""],
  ] as const) {
    it(`throws ParseError PARSE_SEED with a one-line message for ${name}`, () => {
      assert.throws(
        () => readDocument(text),
        (error: unknown) =>
          isAppError(error, "PARSE_SEED") &&
          !error.message.includes("\n") &&
          error.message.startsWith("front-matter: "),
      );
    });
  }
});
