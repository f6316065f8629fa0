# The API image: stateless; Neo4j is the neo4j:5.26-community service in docker-compose.yml
# (or any neo4j:// routing address: a cluster or Aura).
FROM node:20-bookworm-slim AS graphiql
WORKDIR /build/web/graphiql
COPY web/graphiql/ ./
RUN npm ci --no-audit --no-fund && npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CDS_HOST=0.0.0.0 CDS_ENVIRONMENT=production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY graph ./graph
COPY seed ./seed
COPY --from=graphiql /build/api/static/graphiql ./api/static/graphiql
RUN pip install --no-cache-dir .
USER nobody
EXPOSE 8000
CMD ["cds", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
