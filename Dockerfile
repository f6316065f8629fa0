# The API image: stateless; Neo4j is the neo4j:5.26-community service in docker-compose.yml
# (or any neo4j:// routing address: a cluster or Aura).
# The pages' bundles (GraphiQL, the dashboard) are built from npm here; the image serves them and
# fetches nothing at run time.
FROM node:20-bookworm-slim AS pages
WORKDIR /build/web/graphiql
COPY web/graphiql/ ./
RUN npm ci --no-audit --no-fund && npm run build
WORKDIR /build/web/dashboard
COPY web/dashboard/ ./
RUN npm ci --no-audit --no-fund && npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CDS_HOST=0.0.0.0 CDS_ENVIRONMENT=production
WORKDIR /app
# WeasyPrint (the editions' PDF reports) draws text with pango; DejaVu has the Vietnamese letters.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY api ./api
COPY graph ./graph
COPY seed ./seed
COPY spreadsheets ./spreadsheets
COPY --from=pages /build/api/static/graphiql ./api/static/graphiql
COPY --from=pages /build/api/static/dashboard ./api/static/dashboard
RUN pip install --no-cache-dir .
USER nobody
EXPOSE 8000
CMD ["cds", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
