# wechat-feed: one image for every role (`start --role scheduler|worker|server|all`).
#
# Build: docker build -t wechat-feed .      Run: docker compose up -d (see docker-compose.yml)
#
# Chromium: Playwright only drives the system Chromium from Debian's `chromium-headless-shell` package
# (the engine without the browser UI, which costs memory even headless; see src/fetchers/chromium.ts),
# through `executablePath` (config browser.executablePath, env CHROMIUM_PATH below). It never downloads a
# browser: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1, and no `playwright install` step. PLAYWRIGHT_VERSION must
# equal the `playwright` version pinned in package.json (the build checks the installed one, and
# test/unit/deploy/dockerfile.test.ts checks this line): when you bump Playwright, rebuild and run the
# browser tests against the image's Chromium before changing it here.
#
# No init in the image: compose runs the container with `init: true`, so signals reach node and
# Chromium's exited helper processes are reaped. With plain `docker run`, pass `--init`.

# Two stages: `build` installs every dependency and compiles src/ to dist/ (`npm run build`); the final
# stage carries production dependencies and dist/ only, so neither tsx nor typescript is in the image.
# Node 26 is the Active LTS (Node 20 reached end of life on 2026-04-30); `.ci/run` runs the test suite
# on the same release line.

FROM node:26-bookworm-slim AS build

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:26-bookworm-slim

ARG PLAYWRIGHT_VERSION=1.65.1

# chromium-headless-shell: the browser fetcher; fonts-noto-cjk: Chinese glyphs for rendered pages;
# ca-certificates: TLS for feed and WeChat requests.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium-headless-shell fonts-noto-cjk ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# NODE_OPTIONS: the node flags of package.json's `start` script (test/unit/deploy checks they agree).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=1024 \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    CHROMIUM_PATH=/usr/lib/chromium/chromium-headless-shell \
    DATA_DIR=/data \
    PORT=8080

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. --omit=dev: the image runs the
# compiled dist/, so the compiler and tsx stay out. Install scripts stay off, as in package.json's
# allowScripts: msgpackr falls back to JavaScript.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && node -e "const v = require('playwright/package.json').version; if (v !== process.env.PLAYWRIGHT_VERSION) { console.error('playwright ' + v + ' installed, Dockerfile expects ' + process.env.PLAYWRIGHT_VERSION); process.exit(1); }"

COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY config ./config

# The archive, digests and static feeds live in /data (a volume); a fresh named volume copies this
# directory's ownership, so the unprivileged user can write there.
RUN mkdir -p /data && chown node:node /data

# The `node` user (uid 1000) of the base image: Chromium runs with --no-sandbox, so it must not be root.
USER node

EXPOSE 8080

# Healthy while /readyz answers 200: Redis reachable, the archive writable, Chromium launchable for a
# browser fetcher, the scheduler ticking (each 503 otherwise). No curl in the slim image, so node's
# fetch does the request. A worker-only container answers on server.opsPort (9464): its compose
# service points the same check there.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]

CMD ["node", "bin/wechat-feed.js", "start"]
