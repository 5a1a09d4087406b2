/**
 * Locates the shared corpora (never copied into the project): `WECHAT_CORPUS_DIR`, else
 * `<project>/../shared/corpus/wechat`, and its siblings `wechat-more` and `archive-sample`. Suites
 * that need them skip with a printed reason when absent.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The WeChat page corpus directory, or null when it is absent. */
export function corpusDir(): string | null {
  const dir = process.env.WECHAT_CORPUS_DIR ?? join(projectRoot, "..", "shared", "corpus", "wechat");
  return existsSync(join(dir, "expected.json")) ? dir : null;
}

/** A sibling directory of the WeChat corpus, or null when it lacks `marker`. */
function siblingDir(name: string, marker: string): string | null {
  const wechat = process.env.WECHAT_CORPUS_DIR ?? join(projectRoot, "..", "shared", "corpus", "wechat");
  const dir = join(dirname(wechat), name);
  return existsSync(join(dir, marker)) ? dir : null;
}

/** The extra pages of templates the main corpus lacks (`wechat-more`), or null when absent. */
export function moreCorpusDir(): string | null {
  return siblingDir("wechat-more", "expected.json");
}

/** The old-archive sample directory (a sibling of the WeChat corpus), or null when it is absent. */
export function archiveSampleDir(): string | null {
  return siblingDir("archive-sample", "manifest.json");
}

/** The seed document the format comes from, or null when it is absent. */
export function seedFile(): string | null {
  const file = join(projectRoot, "..", "shared", "seed", "000_4d99c496e8eeee9b.txt");
  return existsSync(file) ? file : null;
}

/** A `skip` option value for node:test: false when `dir` exists, else a reason that is printed. */
export function skipReason(dir: string | null, what: string): string | false {
  return dir === null
    ? `${what} not found: set WECHAT_CORPUS_DIR or put ../shared beside the project`
    : false;
}
