# One image for every Gatehouse service; compose (or your orchestrator) picks
# the entry with `command`. Two targets:
#   production (the default): compiled JavaScript (`npm run build`) under the
#     production profile: `docker build -t gatehouse .`
#   demo: the TypeScript sources through tsx, as `npm start` runs them;
#     docker-compose.yml builds this one.

# Runtime dependencies only; both targets start from here.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# Dependencies first, so a source change does not reinstall them.
# tsx stays a runtime dependency: the demo runs on it, and worker threads load through it.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# tsc is a dev dependency, so the build has its own stage.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM deps AS demo
COPY . .
# Nothing writes under /app at run time (tsx caches in /tmp), so run unprivileged.
USER node
# Services bind 127.0.0.1 unless told otherwise; a container must listen on all
# interfaces to be reachable from the others.
ENV HOST=0.0.0.0
EXPOSE 4000
CMD ["node", "--import", "tsx", "gateway/main.ts"]

FROM deps AS production
COPY --from=build /app/dist ./dist
USER node
# GATEHOUSE_PROFILE=production: each service refuses development secrets and
# missing settings at start (README, Production). NODE_ENV=production keeps
# Express and Apollo on their production defaults too.
# supergraph.yaml and the SDL files it names were copied into dist/ by the build.
ENV HOST=0.0.0.0 GATEHOUSE_PROFILE=production NODE_ENV=production SUPERGRAPH_CONFIG=dist/supergraph.yaml
EXPOSE 4000
# Other services: node dist/registry/main.js, dist/subgraphs/catalog/main.js,
# dist/subgraphs/approval/main.js, dist/subgraphs/malls/<id>/main.js; the CLI: node dist/cli/gatehouse.js.
CMD ["node", "dist/gateway/main.js"]
