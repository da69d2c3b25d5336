# The two commands a newcomer needs are `make serve` and `make test` (see README.md).
PYTHON ?= python3
NPM ?= npm
WEB := web_client

.PHONY: serve test install install-test web chromium lint

serve: install web
	qou-classroom serve

test: install-test web chromium
	$(PYTHON) -m pytest

install:
	$(PYTHON) -m pip install --quiet -e .

install-test:
	$(PYTHON) -m pip install --quiet -e ".[test]"

web:
	cd $(WEB) && $(NPM) ci --no-audit --no-fund --loglevel=error && $(NPM) run build

# Debian's Chromium drives the browser tests; installed only when missing and we are root.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "install Debian's chromium (apt-get install chromium) for the browser tests"; fi; }

lint:
	ruff check .
	ruff format --check .
	mypy
