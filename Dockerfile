# syntax=docker/dockerfile:1
# One image for the api, worker, sandbox and seed services of docker-compose.yml; each names its command.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
# What remains in node_modules is what the runtime image ships.
RUN npm prune --omit=dev

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
