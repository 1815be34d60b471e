# The mastgraph API image; Neo4j runs beside it (docker-compose.yml) or anywhere NEO4J_URI points.
# The explorer page and GraphiQL are bundled from npm in a first stage (nothing from a CDN at run time).
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/build.mjs ./
COPY web/src ./src
RUN mkdir -p /api && npm run build

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY mastgraph ./mastgraph
COPY model ./model
COPY graph ./graph
COPY pipeline ./pipeline
COPY api ./api
COPY --from=web /api/web-build ./api/web-build
COPY loaders ./loaders
COPY cli ./cli
COPY cypher ./cypher
COPY sample ./sample
COPY bench ./bench
# the versions of requirements.lock, the build backend included (PIP_CONSTRAINT reaches its environment)
RUN PIP_CONSTRAINT=/app/requirements.lock pip install --no-cache-dir -c requirements.lock ".[mast]" && useradd --create-home mastgraph
USER mastgraph
ENV MASTGRAPH_HOME=/home/mastgraph/.mastgraph
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["mastgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
