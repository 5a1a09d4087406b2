/**
 * Generated article pages for the depth and size hardening tests: an ordinary article shell (the
 * window.* block the parser reads, modelled on test/fixtures/synthetic/short-content.html) whose
 * `#js_content` is either nested `depth` elements deep or filled with ordinary paragraphs up to a size.
 */

/** Options of buildArticlePage. */
export interface ArticlePageOptions {
  readonly title?: string;
  readonly account?: string;
  readonly mid?: string;
}

/** An article page around the given `#js_content` inner HTML. */
export function buildArticlePage(body: string, options: ArticlePageOptions = {}): string {
  const title = options.title ?? "合成深层页面";
  const account = options.account ?? "合成测试号";
  const mid = options.mid ?? "2650000077";
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title></title></head><body>
<div id="img-content"><h1 class="rich_media_title" id="activity-name">${title}</h1>
<a id="js_name">${account}</a></div>
<div class="rich_media_content" id="js_content">${body}</div>
<script type="text/javascript">
    window.idx = '' || '' || '1';
    window.biz = '' || 'MzA4MjQxNjQzMA==';
    window.item_show_type = '0' || '';
    window.mid = '' || '' || '${mid}';
    window.sn = '' || '' || '0123456789abcdef0123456789abcdef';
    window.ct = '1735700400' || '';
    var msg_title = '${title}'.html(false);
    var nickname = htmlDecode("${account}");
</script>
</body></html>
`;
}

/** An article page whose body nests `depth` elements (cycling through `tags`) around one line of text. */
export function buildDeepArticlePage(
  depth: number,
  tags: readonly string[] = ["section", "span", "div"],
): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    const tag = tags[i % tags.length] ?? "div";
    open.push(`<${tag}>`);
    close.push(`</${tag}>`);
  }
  return buildArticlePage(`${open.join("")}深处的一句话${close.reverse().join("")}`);
}

/** An article page of ordinary paragraphs (text, bold, links, images) of about `bytes` UTF-16 units. */
export function buildLargeArticlePage(bytes: number): string {
  const paragraph =
    '<p style="margin: 0px 8px; line-height: 1.75em;"><span leaf>这是一段普通的正文，' +
    "</span><strong><span leaf>有加粗</span></strong><span leaf>，也有</span>" +
    '<a href="https://mp.weixin.qq.com/s/SyntheticLink">链接</a><span leaf>。</span></p>' +
    '<p><img data-src="https://mmbiz.qpic.cn/mmbiz_png/SYNTH/640?wx_fmt=png" class="rich_pages"></p>\n';
  const count = Math.max(1, Math.floor(bytes / paragraph.length));
  return buildArticlePage(paragraph.repeat(count));
}
