/**
 * Helpers of `bench/pipeline.bench.ts`: distinct article pages made from corpus pages, the PSS sampler
 * of a process tree, and small statistics. Each variant is a real corpus page whose `mid` (every
 * occurrence: inline variables, og:url, msg_link…) is replaced by a new number of the same length, so
 * the parser reads a NEW article identity from the page itself and every job stores its own article:
 * the bench measures fetch → parse → store, not the dedup short-cut.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArticle } from "../src/parsers/wechat-article.ts";
import { articleKey } from "../src/parsers/wechat-url.ts";

/** One corpus page split around its `mid`, ready to be re-joined with another one. */
export interface PageTemplate {
  readonly file: string;
  readonly biz: string;
  readonly mid: string;
  readonly idx: string;
  readonly sn: string;
  readonly bytes: number;
  readonly parts: readonly Buffer[];
}

/** One synthetic article: its WeChat URL, expected stored key and the template that serves it. */
export interface Variant {
  readonly url: string;
  readonly mid: string;
  readonly key: string;
  readonly template: PageTemplate;
}

/**
 * Templates of the corpus pages WeChat serves today as raw server HTML (01–10, 2.3–3.6 MB each: the
 * "3 MB corpus page" of issue 3's measurements); the older browser-saved/snapshot pages are smaller and
 * would flatter the rates.
 */
export function loadTemplates(dir: string): PageTemplate[] {
  const files = readdirSync(dir)
    .filter((f) => /^(0\d|10)-.*\.html$/.test(f))
    .sort();
  const templates: PageTemplate[] = [];
  for (const file of files) {
    const buffer = readFileSync(join(dir, file));
    let article: ReturnType<typeof parseArticle>;
    try {
      article = parseArticle(buffer.toString("utf8"));
    } catch {
      continue; // not an article page
    }
    const sn = article.canonicalUrl === null ? null : new URL(article.canonicalUrl).searchParams.get("sn");
    if (article.identity === null || sn === null) continue;
    const { biz, mid, idx } = article.identity;
    templates.push({ file, biz, mid, idx, sn, bytes: buffer.length, parts: splitAround(buffer, mid) });
  }
  return templates;
}

function splitAround(buffer: Buffer, needle: string): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = buffer.indexOf(needle, from); at !== -1; at = buffer.indexOf(needle, from)) {
    parts.push(buffer.subarray(from, at));
    from = at + needle.length;
  }
  parts.push(buffer.subarray(from));
  return parts;
}

/** The page body of `variant`: its template with every original `mid` replaced by the variant's. */
export function renderVariant(variant: Variant): Buffer {
  const mid = Buffer.from(variant.mid);
  const pieces: Buffer[] = [];
  variant.template.parts.forEach((part, i) => {
    if (i > 0) pieces.push(mid);
    pieces.push(part);
  });
  return Buffer.concat(pieces);
}

/** Variant `n` (0-based) of the run: templates in rotation, a unique same-length `mid` per variant. */
export function makeVariant(templates: readonly PageTemplate[], n: number): Variant {
  const template = templates[n % templates.length];
  if (template === undefined) throw new Error("bench: no article templates");
  const mid = `9${String(n).padStart(template.mid.length - 1, "0")}`;
  const identity = { biz: template.biz, mid, idx: template.idx };
  const url = `https://mp.weixin.qq.com/s?__biz=${template.biz}&mid=${mid}&idx=${template.idx}&sn=${template.sn}`;
  return { url, mid, key: articleKey(identity), template };
}

/** Throws unless the parser reads the variant's own identity from its rewritten page. */
export function checkVariant(variant: Variant): void {
  const article = parseArticle(renderVariant(variant).toString("utf8"));
  const key = article.identity === null ? null : articleKey(article.identity);
  if (key !== variant.key) {
    throw new Error(`bench: ${variant.template.file} variant reads as ${key}, expected ${variant.key}`);
  }
}

/** One PSS sample of a process tree, in kB. */
export interface PssSample {
  readonly totalKb: number;
  readonly nodeKb: number;
  readonly otherKb: number;
  readonly processes: number;
  /** Descendants' PSS by Chromium process type (`renderer`, `gpu-process`, `browser`…), kB. */
  readonly byType: Readonly<Record<string, number>>;
}

// Synchronous on purpose: async reads of /proc files cost ~3× the CPU (thread pool round trips), and
// the sampler's CPU is taken from the machine being measured.
function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null; // the process went away between listing and reading
  }
}

interface ProcessEntry {
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks: reaped children count in their parent. */
  readonly cpuTicks: number;
  /** utime + stime only. */
  readonly ownTicks: number;
}

/** Every process, from /proc/<pid>/stat. */
function readProcessTable(): Map<number, ProcessEntry> {
  const table = new Map<number, ProcessEntry>();
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    const stat = readText(`/proc/${pid}/stat`);
    if (stat === null) continue;
    // Fields after "(comm)": state ppid … utime(11) stime(12) cutime(13) cstime(14).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i] ?? 0));
    const ownTicks = (utime ?? 0) + (stime ?? 0);
    const cpuTicks = ownTicks + (cutime ?? 0) + (cstime ?? 0);
    table.set(Number(pid), { ppid: Number(fields[1]), cpuTicks, ownTicks });
  }
  return table;
}

/** `roots` and all their live descendants. */
function treeOf(table: Map<number, ProcessEntry>, roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree: number[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (!table.has(pid) || tree.includes(pid)) continue;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * CPU time (ms) used so far by `roots` themselves (`own`) and by all their descendants (`others`,
 * reaped ones included: a closed page's renderer counts in the zygote that reaped it).
 */
export function readTreeCpuMs(roots: readonly number[]): { own: number; others: number } {
  const table = readProcessTable();
  let own = 0;
  let others = 0;
  for (const pid of treeOf(table, roots)) {
    const entry = table.get(pid);
    if (entry === undefined) continue;
    // A root's cutime would be its reaped Chromium children, already counted under `others`.
    if (roots.includes(pid)) own += entry.ownTicks;
    else others += entry.cpuTicks;
  }
  return { own: own * 10, others: others * 10 }; // USER_HZ is 100 on Linux
}

/** Busy and total CPU time (ms, all cores) of the whole machine so far, from /proc/stat. */
export function readMachineCpuMs(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy: busy * 10, total: (busy + (idle ?? 0) + (iowait ?? 0)) * 10 };
}

/** Sums `Pss:` of `/proc/<pid>/smaps_rollup` over `roots` and all their descendants (Chromium's too). */
export function samplePss(roots: readonly number[]): PssSample {
  const tree = treeOf(readProcessTable(), roots);
  let nodeKb = 0;
  let otherKb = 0;
  const byType: Record<string, number> = {};
  for (const pid of tree) {
    const rollup = readText(`/proc/${pid}/smaps_rollup`);
    const kb = Number(/^Pss:\s+(\d+) kB/m.exec(rollup ?? "")?.[1] ?? 0);
    if (roots.includes(pid)) {
      nodeKb += kb;
      continue;
    }
    otherKb += kb;
    // Chromium rewrites its argv into one space-separated string.
    const cmdline = readText(`/proc/${pid}/cmdline`) ?? "";
    const type = /--type=(\S+)/.exec(cmdline)?.[1] ?? "browser";
    const sub = /--utility-sub-type=\S*?([A-Za-z]+)(?:\s|$)/.exec(cmdline)?.[1];
    const name = sub === undefined ? type : `${type}:${sub}`;
    byType[name] = (byType[name] ?? 0) + kb;
  }
  return { totalKb: nodeKb + otherKb, nodeKb, otherKb, processes: tree.length, byType };
}

/** Samples the tree every `intervalMs`, keeps the highest total, and counts its own CPU time. */
export function startPssSampler(
  roots: () => readonly number[],
  intervalMs: number,
): { cpuMs(): number; stop(): Promise<PssSample & { samples: number }> } {
  let peak: PssSample = { totalKb: 0, nodeKb: 0, otherKb: 0, processes: 0, byType: {} };
  let samples = 0;
  let cpuMicros = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const before = process.cpuUsage();
      const sample = samplePss(roots());
      const used = process.cpuUsage(before);
      cpuMicros += used.user + used.system;
      samples += 1;
      if (sample.totalKb > peak.totalKb) peak = sample;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    cpuMs: () => cpuMicros / 1000,
    async stop() {
      running = false;
      await loop;
      return { ...peak, samples };
    },
  };
}

/** Nearest-rank percentile of an ascending array (the same rule as bench:parse). */
export function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}
