#!/usr/bin/env bash
# Runs before `npm test`: makes sure the machine has what the tests talk to.
# FerretDB is started (and built once per machine with Go) by the tests themselves.
set -euo pipefail

# RabbitMQ (broker ingestion and the cross-replica change feed).
if ! rabbitmqctl -q status >/dev/null 2>&1; then
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "test setup: starting RabbitMQ"
    rabbitmq-server -detached
    for _ in $(seq 1 60); do rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 1; done
  else
    echo "test setup: RabbitMQ is not installed; install rabbitmq-server or point AMQP_URL at a broker" >&2
  fi
fi

# Redis (the site limits shared by a mall's replicas).
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "test setup: starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' >/dev/null
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  else
    echo "test setup: Redis is not installed; install redis-server" >&2
  fi
fi

# Debian's Chromium for the portal widget test (playwright-core drives it).
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "test setup: installing Debian's chromium for the widget test"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test setup: cannot install chromium without root; run: sudo apt-get install chromium" >&2
  fi
fi

# A CJK font, so screenshots of the Korean demo in the browser tests read as text.
if ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then
  if [ "$(id -u)" = 0 ]; then
    echo "test setup: installing Debian's fonts-noto-cjk for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
  else
    echo "test setup: cannot install fonts-noto-cjk without root; run: sudo apt-get install fonts-noto-cjk" >&2
  fi
fi
