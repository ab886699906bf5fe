# call-guard: the service with its committed model. Build: docker build -t call-guard .
# Run:   docker run -p 8080:8080 -e AUTH_TOKENS="$(cat tokens.json)" call-guard

FROM node:20-bookworm-slim AS build
WORKDIR /app
# .npmrc keeps onnxruntime-node from downloading CUDA files at install (the CPU build ships in the package).
COPY package.json package-lock.json .npmrc ./
COPY src src
# npm ci runs "prepare", which bundles the console page into dist/console.
RUN npm ci --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 MODEL_DIR=/app/models/use-lite-abuse
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist/console dist/console
COPY --from=build /app/src src
COPY models models
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# tsx (a runtime dependency) runs the TypeScript sources directly, as `npm start` does; SIGTERM reaches node for a graceful drain.
CMD ["node", "--import", "tsx", "src/main.ts"]
