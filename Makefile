# The contract: `make run` starts the assistant, `make test` runs the whole suite.
# Everything else here is a step those two are made of.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

# --- Python 3.10 (Rasa 3.6 supports 3.8-3.10) --------------------------------------
# python3.10 on PATH if it really runs (a pyenv shim may not), else pyenv's newest 3.10.
find_python310 = $(shell \
  for c in "$$(command -v python3.10)" \
           $$(ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -rV); do \
    [ -n "$$c" ] && "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo "$$c"; break; }; \
  done)
PYTHON310 ?= $(find_python310)

# The virtual environment lives outside the clone, keyed on the requirements, so a fresh
# clone (CI) reuses it and a change of requirements builds a new one.
REQ_HASH := $(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
VENV_ROOT ?= $(HOME)/.cache/xiangtan-assistant
VENV ?= $(VENV_ROOT)/venv-py310-$(REQ_HASH)
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed

# --- settings (override in the environment or in .env; see .env.example) -------------
-include .env
export RASA_HOST ?= 127.0.0.1
export RASA_PORT ?= 5005
export ACTION_HOST ?= 127.0.0.1
export ACTION_PORT ?= 5055
export ACTION_ENDPOINT_URL ?= http://$(ACTION_HOST):$(ACTION_PORT)/webhook
export NLG_ENDPOINT_URL ?= http://$(ACTION_HOST):$(ACTION_PORT)/nlg
export WEB_HOST ?= 127.0.0.1
export WEB_PORT ?= 8080
# Sites allowed to embed the widget (open its socket, post feedback): the local web app.
export WIDGET_ALLOWED_ORIGINS ?= http://$(WEB_HOST):$(WEB_PORT),http://localhost:$(WEB_PORT)
# REST channel: open locally; the production profile needs REST_CHANNEL_TOKEN (else off).
export REST_CHANNEL_TOKEN ?=
export REST_CHANNEL_REQUIRE_TOKEN ?= false
export FEEDBACK_DB ?= .state/feedback.db
export FAQ_RERANKER ?= off
# Local development only: a random widget session secret kept in .state/ (never
# committed). Production sets WIDGET_SESSION_SECRET; the servers refuse a short one.
ifeq ($(strip $(WIDGET_SESSION_SECRET)),)
WIDGET_SESSION_SECRET := $(shell mkdir -p .state && { cat .state/widget_session_secret 2>/dev/null || python3 -c 'import secrets; print(secrets.token_hex(32))' | tee .state/widget_session_secret; })
endif
export WIDGET_SESSION_SECRET
# WeChat Official Account: empty until the account administrator configures it.
export WECHAT_TOKEN ?=
export WECHAT_APP_ID ?=
export WECHAT_APP_SECRET ?=
export WECHAT_ENCODING_AES_KEY ?=
export WECHAT_API_BASE_URL ?= https://api.weixin.qq.com
export REDIS_URL ?=
# Staff admin (/admin). The API is off until ADMIN_API_TOKEN is set (32+ characters).
export ADMIN_DB ?= .state/admin.db
export INBOX_DB ?= .state/inbox.db
export ADMIN_API_TOKEN ?=
export ADMIN_COOKIE_SECURE ?=
# Investment leads and handoffs (SQLite unless LEADS_DB_URL), staff webhook, office hours.
export LEADS_DB ?= .state/leads.db
export LEADS_DB_URL ?=
export LEAD_WEBHOOK_URL ?=
export ADMIN_PUBLIC_URL ?= http://$(WEB_HOST):$(WEB_PORT)
export OFFICE_HOURS ?=
export OFFICE_CLOSED_DATES ?=
# The Rasa server pulls the live model from the web app (endpoints.yml `models:`).
export MODEL_SERVER_URL ?= http://$(WEB_HOST):$(WEB_PORT)/models/assistant.tar.gz
export MODEL_SERVER_TOKEN ?=
export MODEL_PULL_SECONDS ?= 10
export TRACKER_DB_DIALECT ?= sqlite
# Production profile (make run-prod, deploy/endpoints.prod.yml). Empty POSTGRES_HOST:
# local PostgreSQL and Redis on loopback, data in .state/prod/.
export RASA_INSTANCES ?= 3
export POSTGRES_HOST ?=
export POSTGRES_PORT ?= 5432
export POSTGRES_DB ?= rasa
export POSTGRES_USER ?= rasa
export POSTGRES_PASSWORD ?=
export REDIS_HOST ?=
export REDIS_PORT ?= 6379
export REDIS_PASSWORD ?=
export REDIS_LOCK_DB ?= 1
export TRACKER_SYNCHRONOUS_COMMIT ?= off
export TRACKER_DB ?= .state/tracker.db
export RASA_AUTH_TOKEN
export KNOWLEDGE_DIR
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)

MODEL := models/assistant.tar.gz
GENERATED := data/nlu/faq.yml data/nlu/figure_names.yml data/jieba/userdict.txt data/jieba/synonyms.json
TRAIN_INPUTS := config.yml domain.yml $(wildcard data/nlu/*.yml data/rules/*.yml data/stories/*.yml data/jieba/*) \
  $(wildcard components/*.py) kb/text.py kb/lexicon.py

.PHONY: help setup data validate train run run-prod test lint unit stories eval live audit browser measure bench wechat-menu admin-user clean

help:
	@echo "make run       set up, train if needed, start action server :$(ACTION_PORT), Rasa :$(RASA_PORT), web app :$(WEB_PORT)"
	@echo "make test      the whole suite: validate, unit tests, train, story tests, held-out evaluation"
	@echo "make setup     create the Python 3.10 environment ($(VENV))"
	@echo "make data      regenerate data/ files from knowledge/"
	@echo "make validate  check knowledge/ (file, line, plain message) and the Rasa training data"
	@echo "make train     train when the model is missing or older than its inputs"
	@echo "make lint      ruff check and ruff format --check (ruff.toml)"
	@echo "make unit      pytest only"
	@echo "make stories   tests/test_stories.yml with rasa test --fail-on-prediction-errors"
	@echo "make eval      held-out NLU accuracy (fails below 0.92), held-out conversations turn by turn through the servers"
	@echo "make live      start the real servers on the model and talk to them over REST"
	@echo "make audit     replay the abuse cases (security, issue 13) against the servers; prints held/total"
	@echo "make browser   the chat widget end to end in headless Chromium (screenshots in results/)"
	@echo "make measure   serial REST latency p50/p95 and resident memory of both servers"
	@echo "make bench     load at 1/10/50 conversations vs a stock-config Rasa (results/bench/; ~15 min)"
	@echo "make run-prod  production profile: PostgreSQL + Redis, RASA_INSTANCES Rasa behind nginx on :$(RASA_PORT)"
	@echo "make wechat-menu  create the Official Account's custom menu (needs WECHAT_APP_ID/SECRET)"
	@echo "make admin-user NAME=alice ROLE=editor|publisher   create a staff login for /admin (asks for the password)"

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON310)" || { echo "error: Python 3.10 not found (on PATH or under pyenv). Install it, or run: make PYTHON310=/path/to/python3.10" >&2; exit 1; }
	@echo "Creating the environment in $(VENV) with $(PYTHON310)"
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@ln -sfn $(VENV) .venv
	@touch $@

data: setup
	$(PY) -m kb build

# kb build checks every knowledge entry (file, line, plain message) before it writes.
validate: data
	$(RASA) data validate --fail-on-warnings

# Regenerate data/ from knowledge/ first, then retrain only if an input is newer.
train: data
	@$(MAKE) --no-print-directory $(MODEL)

$(MODEL): $(TRAIN_INPUTS) | $(STAMP)
	@echo "Training (inputs changed or no model yet) ..."
	@mkdir -p models
	$(RASA) train --fixed-model-name assistant --out models --quiet
	@touch $@

run: train
	@mkdir -p .state
	@PY=$(PY) RASA=$(RASA) scripts/run.sh $(MODEL)

unit: setup
	@scripts/prerequisites.sh redis postgresql
	$(PY) -m pytest -q

# ruff.toml: pyflakes, pycodestyle, import order, and the formatter's layout.
lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

stories: train
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors --out results/stories

# Two held-out measures: single questions through NLU (tests/nlu/heldout.yml), and the
# conversations and WeChat-style messages of tests/heldout/ turn by turn through the real
# servers; single-message, conversation-turn and out-of-scope accuracy must each be >= 0.95.
eval: train
	$(PY) -m scripts.evaluate_nlu --model $(MODEL) --data tests/nlu/heldout.yml --min-accuracy 0.92 --out results/heldout
	$(PY) scripts/evaluate_conversations.py tests/heldout/*.yml --min-accuracy 0.95 --out results/conversations

live: train
	@scripts/prerequisites.sh redis postgresql nginx
	$(PY) -m pytest -q -m live

# Replays every abuse case of issue 13 against freshly started servers; prints held/total.
audit: train
	$(PY) -m scripts.audit

browser: train
	@scripts/prerequisites.sh chromium fonts
	$(PY) -m pytest -q -m browser

wechat-menu: setup
	$(PY) -m scripts.wechat_menu

# Staff accounts are only ever created here (or with python -m web.admin.cli): there is
# no default user or password. More: python -m web.admin.cli --help
admin-user: setup
	@test -n "$(NAME)" || { echo "usage: make admin-user NAME=alice ROLE=editor|publisher" >&2; exit 1; }
	$(PY) -m web.admin.cli add "$(NAME)" --role "$(or $(ROLE),editor)"

measure: train
	$(PY) -m scripts.measure_rest

# The stock configuration `make bench` compares against: `rasa init`'s config.yml
# (bench/stock_config.yml) trained on the same domain and data.
STOCK_MODEL := models/stock/stock.tar.gz
# Only the data: the stock configuration uses none of components/ or data/jieba/.
$(STOCK_MODEL): bench/stock_config.yml domain.yml $(wildcard data/nlu/*.yml data/rules/*.yml data/stories/*.yml) | $(STAMP)
	@echo "Training the stock-configuration model for the comparison (about 6 min) ..."
	@mkdir -p models/stock
	$(RASA) train --config bench/stock_config.yml --fixed-model-name stock --out models/stock --quiet
	@touch $@

bench: train
	@scripts/prerequisites.sh redis postgresql nginx
	@$(MAKE) --no-print-directory $(STOCK_MODEL)
	$(PY) -m bench --model $(MODEL) --stock-model $(STOCK_MODEL)

# The production profile on this machine (docs/deployment.md): PostgreSQL and Redis from
# POSTGRES_*/REDIS_* settings, or started on loopback with data in .state/prod/ when
# POSTGRES_HOST is empty; RASA_INSTANCES Rasa servers behind nginx on RASA_PORT.
run-prod: train
	@scripts/prerequisites.sh nginx $(if $(strip $(POSTGRES_HOST)),,redis postgresql)
	$(PY) -m serving.run_prod --model $(MODEL)

test: lint validate unit stories eval live audit browser
	@echo "All tests passed."

clean:
	rm -rf models results .state .pytest_cache
