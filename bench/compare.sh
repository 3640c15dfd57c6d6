#!/usr/bin/env bash
# Our Rust gateway and the seed's NestJS + KafkaJS gateway (reconstructed in
# bench/seed-gateway/), side by side in one run, on the same broker, measured by the same
# external load tool (wrk) with the same request; then `orders bench` against ours.
#
#   KAFKA_BROKERS=127.0.0.1:19400 DURATION=30s N=10000 bench/compare.sh
#
# Needs: a running broker at KAFKA_BROKERS (e.g. nisshi, see /work/shared/kafka-broker.md
# or `orders up`), target/release/orders (cargo build --release -p orders-cli), Node.js 20
# and npm (the seed gateway is built here if bench/seed-gateway/dist is missing), wrk, curl.
# Everything it starts is stopped when it exits, however it exits.
#
# Parameters (environment):
#   KAFKA_BROKERS   bootstrap servers of the running broker (required)
#   DURATION        length of each measured wrk run                  [30s]
#   WARMUP          length of the wrk warm-up run before each one    [10s]
#   N               orders for `orders bench` against ours           [10000]
#   CONNECTIONS     wrk connections and `orders bench -c`            [64]
#   THREADS         wrk threads                                      [2]
#   OURS_LISTEN     address of our gateway                           [127.0.0.1:3100]
#   SEED_LISTEN     address of the seed's gateway                    [127.0.0.1:3200]
#   SEED_IDEMPOTENT KafkaJS idempotent producer for the seed (true/false) [true]
#   ORDERS_BIN      our binary                                       [target/release/orders]
#   LOG_DIR         where the gateways' logs and raw results go      [a new temporary dir]
set -euo pipefail

: "${KAFKA_BROKERS:?set KAFKA_BROKERS to the running broker, e.g. KAFKA_BROKERS=127.0.0.1:19400}"
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-10s}
N=${N:-10000}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
OURS_LISTEN=${OURS_LISTEN:-127.0.0.1:3100}
SEED_LISTEN=${SEED_LISTEN:-127.0.0.1:3200}
SEED_IDEMPOTENT=${SEED_IDEMPOTENT:-true}
TOPIC=${KAFKA_TOPIC_ORDER_CREATED:-order_created}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORDERS_BIN=${ORDERS_BIN:-$ROOT/target/release/orders}
SEED_DIR=$ROOT/bench/seed-gateway
LUA=$ROOT/bench/post-order.lua
LOG_DIR=${LOG_DIR:-$(mktemp -d -t orders-compare.XXXXXX)}
mkdir -p "$LOG_DIR"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'compare.sh: %s\n' "$*" >&2; exit 1; }

# --- stop everything we started, whatever happens --------------------------------------
STARTED=()
cleanup() {
  local status=$? pid i
  for pid in "${STARTED[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED[@]}"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [ "${#STARTED[@]}" -eq 0 ] || log "stopped ${STARTED[*]}; logs and raw results in $LOG_DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- preflight ---------------------------------------------------------------------------
command -v wrk >/dev/null || die "wrk is not installed"
command -v curl >/dev/null || die "curl is not installed"
[ -x "$ORDERS_BIN" ] || die "$ORDERS_BIN is missing: cargo build --release -p orders-cli"

port_busy() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }
for addr in "$OURS_LISTEN" "$SEED_LISTEN"; do
  ! port_busy "$addr" || die "something already listens on $addr (set OURS_LISTEN / SEED_LISTEN)"
done

if [ ! -f "$SEED_DIR/dist/main.js" ]; then
  log "building the seed gateway (npm ci && npm run build)"
  (cd "$SEED_DIR" && npm ci --no-audit --no-fund && npm run build) >"$LOG_DIR/seed-build.log" 2>&1 \
    || die "seed gateway build failed, see $LOG_DIR/seed-build.log"
fi

# --- topic and gateways ------------------------------------------------------------------
log "creating the topics on $KAFKA_BROKERS"
"$ORDERS_BIN" topics create --brokers "$KAFKA_BROKERS" --topic "$TOPIC"

log "starting our gateway on $OURS_LISTEN"
KAFKA_BROKERS=$KAFKA_BROKERS KAFKA_TOPIC_ORDER_CREATED=$TOPIC \
  "$ORDERS_BIN" serve-gateway --listen "$OURS_LISTEN" >"$LOG_DIR/ours.log" 2>&1 &
OURS_PID=$!
STARTED+=("$OURS_PID")

log "starting the seed's gateway on $SEED_LISTEN"
(cd "$SEED_DIR" && KAFKA_BROKERS=$KAFKA_BROKERS KAFKA_TOPIC_ORDER_CREATED=$TOPIC \
  KAFKA_IDEMPOTENT=$SEED_IDEMPOTENT HOST=${SEED_LISTEN%:*} PORT=${SEED_LISTEN##*:} \
  exec node dist/main.js) >"$LOG_DIR/seed.log" 2>&1 &
SEED_PID=$!
STARTED+=("$SEED_PID")

# Ready when `check` succeeds; fails if the process died or 60 s went by.
wait_ready() {
  local name=$1 pid=$2 check=$3 i
  for ((i = 0; i < 600; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$name exited, see $LOG_DIR"
    if eval "$check"; then return 0; fi
    sleep 0.1
  done
  die "$name not ready after 60s, see $LOG_DIR"
}
# Ours reports readiness (broker reachable) on /readyz. The seed has no such endpoint; it
# listens only after its producer connected (onModuleInit), so any answer to a POST of an
# empty order (400) means ready.
wait_ready "our gateway" "$OURS_PID" \
  "curl -fsS -o /dev/null 'http://$OURS_LISTEN/readyz'"
wait_ready "the seed's gateway" "$SEED_PID" \
  "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' -d '{}' 'http://$SEED_LISTEN/orders')\" = 400 ]"

# --- load ----------------------------------------------------------------------------------
run_wrk() { # name addr
  local name=$1 url="http://$2/orders"
  log "$name: warm-up, $WARMUP"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$LUA" "$url" >"$LOG_DIR/$name-warmup.txt"
  log "$name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "$url" | tee "$LOG_DIR/$name.txt"
}

run_wrk ours "$OURS_LISTEN"
run_wrk seed "$SEED_LISTEN"

log "ours: orders bench -n $N -c $CONNECTIONS --json"
"$ORDERS_BIN" bench -n "$N" -c "$CONNECTIONS" --gateway "http://$OURS_LISTEN" --json \
  >"$LOG_DIR/orders-bench.json" 2>"$LOG_DIR/orders-bench.stderr" \
  || log "orders bench exited with $? (its JSON says why)"
cat "$LOG_DIR/orders-bench.json"

# --- summary -------------------------------------------------------------------------------
field() { sed -n 's/^RESULT .*'"$2"'=\([^ ]*\).*/\1/p' "$LOG_DIR/$1.txt"; }
echo
echo "side by side: same broker ($KAFKA_BROKERS), topic $TOPIC, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, same body"
echo "seed producer: KafkaJS idempotent=$SEED_IDEMPOTENT, acks=-1; ours: librdkafka enable.idempotence=true, acks=all"
printf '%-28s %10s %10s %8s %8s %10s %10s %10s\n' \
  gateway requests req/s non-2xx sockerr p50_ms p99_ms max_ms
for name in ours seed; do
  label=$([ "$name" = ours ] && echo "ours (Rust, $OURS_LISTEN)" || echo "seed (NestJS, $SEED_LISTEN)")
  printf '%-28s %10s %10s %8s %8s %10s %10s %10s\n' "$label" \
    "$(field "$name" requests)" "$(field "$name" rps)" "$(field "$name" non2xx)" \
    "$(field "$name" socket_errors)" "$(field "$name" p50_ms)" "$(field "$name" p99_ms)" \
    "$(field "$name" max_ms)"
done
if command -v jq >/dev/null; then
  jq -r --arg n "$N" '"orders bench (ours, -n \($n) -c \(.concurrency)): \(.accepted)/\(.sent) accepted, \(.throughput | floor) orders/s, p50 \(.latencyMs.p50) ms, p99 \(.latencyMs.p99) ms"' \
    "$LOG_DIR/orders-bench.json" 2>/dev/null || true
fi
