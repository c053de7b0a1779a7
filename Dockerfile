# syntax=docker/dockerfile:1
# The production image (the last stage, the default target) holds the service alone: the api, worker and
# seed services of docker-compose.yml run it, each naming its command. The `sandbox` target is the demo's
# LinkedIn sandbox, a development tool built from tools/; it never enters the production image.

FROM node:24-bookworm-slim AS sources
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src

FROM sources AS build
RUN npm run build
# What remains in node_modules is what the runtime image ships.
RUN npm prune --omit=dev

FROM sources AS tools-build
COPY tools ./tools
RUN npm run build:tools
RUN npm prune --omit=dev

FROM node:24-bookworm-slim AS sandbox
ENV NODE_ENV=production
WORKDIR /app
COPY --from=tools-build /app/package.json /app/package-lock.json ./
COPY --from=tools-build /app/node_modules ./node_modules
COPY --from=tools-build /app/dist-tools ./dist-tools
USER node
EXPOSE 3001
CMD ["node", "dist-tools/tools/sandbox/main.js"]

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The embedded job store (no DATABASE_URL) writes here; the code stays read-only for the node user.
RUN mkdir .data && chown node:node .data
USER node
EXPOSE 3000
CMD ["node", "dist/api/main.js"]
