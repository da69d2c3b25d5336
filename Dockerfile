# Build the wheel as pip does (setup.py builds the web client into it), then a slim Python
# runtime that installs only the wheel.
FROM node:20-bookworm-slim AS node

FROM python:3.11-slim-bookworm AS wheel
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /src
# node_modules in a layer of its own, rebuilt only when the lockfile changes.
COPY web_client/package.json web_client/package-lock.json web_client/
RUN cd web_client && npm ci --no-audit --no-fund
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY classroom_server/ classroom_server/
COPY signaling/ signaling/
COPY recording/ recording/
COPY vod/ vod/
COPY portal_api/ portal_api/
COPY web_client/build.mjs web_client/
COPY web_client/src/ web_client/src/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 QOU_DATA_DIR=/data
# LibreOffice converts PowerPoint, Word and OpenDocument decks to PDF.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libreoffice-impress libreoffice-writer \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 qou && mkdir /data && chown qou /data
COPY --from=wheel /wheels/ /wheels/
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER qou
WORKDIR /home/qou
VOLUME /data
EXPOSE 8080
CMD ["qou-classroom", "serve", "--host", "0.0.0.0"]
