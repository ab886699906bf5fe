# call-guard: the service with its committed model. Build: docker build -t call-guard .
# Run:   docker run -p 8080:8080 -e AUTH_TOKENS="$(cat tokens.json)" call-guard
# scripts/docker-steps.sh replays these steps without Docker (test/integration/docker-steps.test.ts runs it).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# The image's npm runs every install script: this keeps onnxruntime-node from downloading CUDA files
# (its CPU library ships in the package). Newer npm reads package.json's allowScripts instead.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts scripts
COPY src src
# npm ci runs "prepare", which compiles the service to dist/src and bundles the console into dist/console.
RUN npm ci
RUN npm prune --omit=dev && node scripts/prune-onnxruntime.mjs

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 MODEL_DIR=/app/models/use-lite-abuse
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY models models
# The incident record's SQLite file goes to DATA_DIR (data/ here); 1000 is the `node` user of the
# official Node images. Mount a volume at /app/data to keep the record beyond the container.
RUN mkdir data && chown 1000:1000 data
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# Plain node runs the compiled JavaScript (no TypeScript loader at run time); SIGTERM reaches it for a graceful drain.
CMD ["node", "dist/src/main.js"]
