# One image for every Gatehouse service; compose picks the entry with `command`.
# No build step: tsx (a runtime dependency) loads the TypeScript as it starts.
FROM node:20-bookworm-slim

WORKDIR /app
# No NODE_ENV=production: Apollo Server would then turn off introspection and
# change error shapes, and the containers should answer exactly like `npm start`.

# Dependencies first, so a source change does not reinstall them.
# --omit=dev is enough: tsx is in `dependencies`; only tsc and vitest are dev.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY . .

# Nothing writes under /app at run time (tsx caches in /tmp), so run unprivileged.
USER node

# Services bind 127.0.0.1 unless told otherwise; a container must listen on all
# interfaces to be reachable from the others.
ENV HOST=0.0.0.0
EXPOSE 4000
CMD ["node", "--import", "tsx", "gateway/main.ts"]
