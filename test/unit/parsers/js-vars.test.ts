import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeEntities,
  type JsValue,
  jsPath,
  jsString,
  readValue,
  scanJsVars,
  unescapeJs,
} from "../../../src/parsers/js-vars.ts";

function scalars(src: string, ...names: string[]): Record<string, string> {
  return Object.fromEntries(scanJsVars(src, names).values);
}

describe("unescapeJs", () => {
  const cases: [string, string][] = [
    ["plain", "plain"],
    ["a\\x26amp;b", "a&amp;b"],
    ["\\x3cp\\x3e", "<p>"],
    ["line\\x0aline", "line\nline"],
    ["line\\nline\\r\\t", "line\nline\r\t"],
    ["\\u4e2d\\u6587", "中文"],
    ["\\u{1F600}", "😀"],
    ['it\\\'s \\"q\\"', `it's "q"`],
    ["back\\\\slash", "back\\slash"],
    ["con\\\ntinued", "continued"],
    ["\\/path", "/path"],
  ];
  for (const [input, want] of cases) {
    it(`undoes ${JSON.stringify(input)}`, () => assert.equal(unescapeJs(input), want));
  }

  it("is followed by entity decoding for text fields (JS escapes first, then entities)", () => {
    assert.equal(decodeEntities(unescapeJs("a\\x26amp;b")), "a&b");
    assert.equal(decodeEntities("&#x5FC3;&#x673A; &quot;x&quot;"), '心机 "x"');
  });
});

describe("scanJsVars: scalar assignments", () => {
  it("takes the first non-empty literal of a || chain", () => {
    assert.deepEqual(
      scalars(`var biz = "" || "MzIy";\nwindow.mid = '' || '' || '2248864730';`, "biz", "mid"),
      {
        biz: "MzIy",
        mid: "2248864730",
      },
    );
  });

  it("accepts wrappers and coercions", () => {
    const src = [
      "var msg_title = 'A &amp; B'.html(false);",
      'var nickname = htmlDecode("轩辕");',
      'var create_time = "1762747210" * 1;',
      'var ct="1500853064"*1;',
      "window.user_uin = ('0' || '') * 1;",
      "window.copyright_stat = JsDecode('1');",
    ].join("\n");
    assert.deepEqual(
      scalars(src, "msg_title", "nickname", "create_time", "ct", "user_uin", "copyright_stat"),
      {
        msg_title: "A &amp; B",
        nickname: "轩辕",
        create_time: "1762747210",
        ct: "1500853064",
        user_uin: "0",
        copyright_stat: "1",
      },
    );
  });

  it("ignores library code that reuses the names (01-article.html)", () => {
    const src = [
      "var biz = null;",
      "var mid = start + end >> 1;",
      "var idx = permanentListeners[event].indexOf(callback);",
      "for (var idx = 0; idx < n; idx++) {}",
      "if (window.top.item_show_type === '0') {}",
      "window.fake_ct = '123';",
      "x.window.ct = '999';",
      "myvar ct = '888';",
      'var biz = "MzIyNjMxOTY0NA==" || "";',
      "var mid = '2247504179';",
    ].join("\n");
    assert.deepEqual(scalars(src, "biz", "mid", "idx", "item_show_type", "ct"), {
      biz: "MzIyNjMxOTY0NA==",
      mid: "2247504179",
    });
  });

  it("keeps the first non-empty value and lets a later one fill an empty name (04-article-author.html)", () => {
    const src = `var sn = "" || "";\nvar biz = "first";\nvar biz = "second";\nvar sn = "abc";`;
    assert.deepEqual(scalars(src, "sn", "biz"), { sn: "abc", biz: "first" });
  });

  it("records an empty literal when nothing else is found (22-article-2020-snapshot.html)", () => {
    const scan = scanJsVars(`var sn = "" || ""|| "";`, ["sn"]);
    assert.equal(scan.values.get("sn"), "");
  });

  it("reads strings holding quotes, separators and JS escapes", () => {
    const src =
      String.raw`var msg_desc = "say \"hi\"; a || b, c" || "";` +
      "\n" +
      String.raw`window.msg_link = 'https://x/?a=1\x26amp;b=2';`;
    assert.deepEqual(scalars(src, "msg_desc", "msg_link"), {
      msg_desc: 'say "hi"; a || b, c',
      msg_link: "https://x/?a=1&amp;b=2",
    });
  });

  it("rejects a 'literal' broken by a raw newline", () => {
    assert.deepEqual(scalars("var author = 'abc\ndef';", "author"), {});
  });

  it("does not read assignments written inside a skipped object literal", () => {
    const src = `window.cgiDataNew = { note: 'var ct = "1";', ct: '2' };\nvar ct = "3";`;
    const scan = scanJsVars(src, ["ct"], ["cgiDataNew"]);
    assert.equal(scan.values.get("ct"), "3");
    assert.equal(jsString(scan.objects.get("cgiDataNew"), "ct"), "2");
  });
});

describe("scanJsVars: object literals", () => {
  const cgi = String.raw`
    window.cgiDataNew = {
      base_resp: { ret: '0' * 1, errmsg: JsDecode('ok') },
      nick_name: JsDecode('36氪'),
      desc: JsDecode('line1\x0aline2'),
      // a comment, with a quote ' in it
      copyright_info: { copyright_stat: '1' * 1, },
      show: 'true' === 'true' ? 1 : 0,
      "quoted key": JsDecode('q'),
      enterid: '1' * 1 || parseInt(Date.now() / 1000, 10),
      re: str.replace(/\\x22/g, '"'),
      picture_page_info_list: [
        {
          cdn_url: 'https://a/1?x=1\x26amp;y=2',
          watermark_info: { cdn_url: 'https://a/wm' },
          share_cover: { cdn_url: '' },
        },
        { width: '1' * 1, cdn_url: '' },
      ],
      after: JsDecode('still read'),
    };`;

  const obj = (): JsValue | undefined => scanJsVars(cgi, [], ["cgiDataNew"]).objects.get("cgiDataNew");

  it("reads nested properties through wrappers, comments and skipped expressions", () => {
    const o = obj();
    assert.equal(jsString(o, "nick_name"), "36氪");
    assert.equal(jsString(o, "desc"), "line1\nline2");
    assert.equal(jsString(o, "copyright_info", "copyright_stat"), "1");
    assert.equal(jsString(o, "base_resp", "errmsg"), "ok");
    assert.equal(jsString(o, "quoted key"), "q");
    assert.equal(jsString(o, "show"), "true");
    assert.equal(jsString(o, "enterid"), "1");
    assert.equal(jsString(o, "after"), "still read");
  });

  it("keeps array order and separates top-level from nested cdn_url", () => {
    const list = jsPath(obj(), "picture_page_info_list");
    assert.ok(Array.isArray(list));
    assert.equal((list as readonly JsValue[]).length, 2);
    assert.equal(jsString(list, 0, "cdn_url"), "https://a/1?x=1&amp;y=2");
    assert.equal(jsString(list, 0, "watermark_info", "cdn_url"), "https://a/wm");
    assert.equal(jsString(list, 1, "cdn_url"), "");
    assert.equal(jsString(list, 2, "cdn_url"), undefined);
  });

  it("returns undefined for missing paths and non-string leaves", () => {
    assert.equal(jsString(obj(), "copyright_info"), undefined);
    assert.equal(jsString(obj(), "nope", "deeper"), undefined);
    assert.equal(jsPath(undefined, "x"), undefined);
  });

  it("survives unterminated input without looping", () => {
    const v = readValue("{ a: 'x', b: [1, 2", 0);
    assert.equal(jsString(v.value, "a"), "x");
  });
});

describe("scanJsVars: objects filled member by member (2018 templates)", () => {
  const page = String.raw`<script>window.cgiData = { vid : 'x1', title: 'literal' };</script>
<script>(function(_g){
  var d = _g.cgiData;
  d.title = "" || "成员标题";
  d.ct = "1524926195";
  d.msg_link = "http://mp.weixin.qq.com/s?__biz=QQ==\x26amp;mid=1";
  d.mid = cgiData.mid;
})(window);</script>
<script>(function(_g){
  var cgiData = _g.cgiData;
  _g.item_show_type = '5';
  _g.mid = cgiData.mid;
})(window);
d.title = "after the block";</script>`;

  it("reads d.* literals into the object's members and _g.* literals as window variables", () => {
    const vars = scanJsVars(page, ["item_show_type", "mid"], ["cgiData"], ["cgiData"]);
    assert.deepEqual(Object.fromEntries(vars.members.get("cgiData") ?? []), {
      title: "成员标题",
      ct: "1524926195",
      msg_link: "http://mp.weixin.qq.com/s?__biz=QQ==&amp;mid=1",
    });
    assert.deepEqual(Object.fromEntries(vars.values), { item_show_type: "5" });
    assert.equal(jsString(vars.objects.get("cgiData"), "vid"), "x1");
  });

  it("reads no members unless asked to", () => {
    assert.equal(scanJsVars(page, ["item_show_type"], ["cgiData"]).members.size, 0);
  });
});
