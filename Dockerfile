# Build the web client, then a slim Python runtime that serves it.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web_client
COPY web_client/package.json web_client/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web_client/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 QOU_DATA_DIR=/data
RUN useradd --create-home --uid 10001 qou && mkdir /data && chown qou /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY classroom_server/ classroom_server/
COPY signaling/ signaling/
COPY recording/ recording/
COPY vod/ vod/
COPY portal_api/ portal_api/
COPY web_client/__init__.py web_client/__init__.py
COPY --from=web /src/web_client/dist/ web_client/dist/
RUN pip install --no-cache-dir .
USER qou
VOLUME /data
EXPOSE 8080
CMD ["qou-classroom", "serve", "--host", "0.0.0.0"]
