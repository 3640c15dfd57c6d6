#!/usr/bin/env bash
# Our Rust gateway and the seed's NestJS + KafkaJS gateway (reconstructed in
# bench/seed-gateway/), side by side in one run, on the same broker, measured by the same
# external load tool (wrk) with the same request; then `orders bench` against ours.
#
#   KAFKA_BROKERS=127.0.0.1:19400 DURATION=30s N=10000 bench/compare.sh
#
# STACK=whole compares the whole pipeline instead (issue 17): for each side in turn, its
# gateway and its order-service on the same broker, on a topic and group of its own
# (ours: serve-gateway + serve-consumer on SQLite; the seed's: bench/seed-gateway +
# bench/seed-order-service), a wrk sweep over SWEEP connection counts, each run after a
# warm-up, then a wait until the order-service has persisted what was accepted (or stops
# growing, or DRAIN_TIMEOUT). Whole-pipeline throughput = min(accepted/s, persisted/s), with
# persisted/s = orders the order-service persisted (its /stats "created" difference, at most
# the accepted ones) over the time from the start of the run until they were persisted.
#
#   KAFKA_BROKERS=127.0.0.1:19400 STACK=whole DURATION=30s WARMUP=10s SWEEP="64 128 256" bench/compare.sh
#
# Needs: a running broker at KAFKA_BROKERS (e.g. nisshi, see /work/shared/kafka-broker.md
# or `orders up`), target/release/orders (cargo build --release -p orders-cli), Node.js 20
# and npm (the seed gateway, and with STACK=whole the seed order-service, are built here if
# their dist/ is missing), wrk, curl, awk.
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
#   STACK           gateway: the gateways only; whole: gateway + order-service [gateway]
# With STACK=whole (N and CONNECTIONS are not used):
#   SWEEP           wrk connection counts, one warm-up + one run each  [64 128 256]
#   OURS_ADMIN_LISTEN         admin HTTP of our serve-consumer      [127.0.0.1:3101]
#   SEED_ORDER_SERVICE_LISTEN GET /stats of the seed's order-service [127.0.0.1:3201]
#   DRAIN_TIMEOUT   longest wait, after a run, for the order-service to catch up (s) [120]
#   DRAIN_STALL     a count that has not grown for this long has stopped (s)         [10]
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
STACK=${STACK:-gateway}
SWEEP=${SWEEP:-64 128 256}
OURS_ADMIN_LISTEN=${OURS_ADMIN_LISTEN:-127.0.0.1:3101}
SEED_ORDER_SERVICE_LISTEN=${SEED_ORDER_SERVICE_LISTEN:-127.0.0.1:3201}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-120}
DRAIN_STALL=${DRAIN_STALL:-10}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORDERS_BIN=${ORDERS_BIN:-$ROOT/target/release/orders}
SEED_DIR=$ROOT/bench/seed-gateway
SEED_OS_DIR=$ROOT/bench/seed-order-service
LUA=$ROOT/bench/post-order.lua
LOG_DIR=${LOG_DIR:-$(mktemp -d -t orders-compare.XXXXXX)}
mkdir -p "$LOG_DIR"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'compare.sh: %s\n' "$*" >&2; exit 1; }

# --- stop everything we started, whatever happens --------------------------------------
STARTED=()
# TERM, then KILL after 10 s, each of the given pids, and wait for them.
stop_pids() {
  local pid i
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$@"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
cleanup() {
  local status=$?
  stop_pids "${STARTED[@]}"
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

case $STACK in gateway | whole) ;; *) die "STACK is gateway or whole, not '$STACK'" ;; esac
ADDRS=("$OURS_LISTEN" "$SEED_LISTEN")
[ "$STACK" != whole ] || ADDRS+=("$OURS_ADMIN_LISTEN" "$SEED_ORDER_SERVICE_LISTEN")
port_busy() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }
for addr in "${ADDRS[@]}"; do
  ! port_busy "$addr" \
    || die "something already listens on $addr (set OURS_LISTEN / SEED_LISTEN / OURS_ADMIN_LISTEN / SEED_ORDER_SERVICE_LISTEN)"
done

build_seed() { # dir name log
  [ ! -f "$1/dist/main.js" ] || return 0
  log "building $2 (npm ci && npm run build)"
  (cd "$1" && npm ci --no-audit --no-fund && npm run build) >"$LOG_DIR/$3" 2>&1 \
    || die "$2 build failed, see $LOG_DIR/$3"
}
build_seed "$SEED_DIR" "the seed gateway" seed-build.log
[ "$STACK" != whole ] || build_seed "$SEED_OS_DIR" "the seed order-service" seed-order-service-build.log

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
# wrk's RESULT line (bench/post-order.lua) in $LOG_DIR/NAME.txt: field NAME KEY
field() { sed -n 's/^RESULT .*'"$2"'=\([^ ]*\).*/\1/p' "$LOG_DIR/$1.txt"; }

# --- STACK=whole: gateway + order-service, one side after the other ------------------------
if [ "$STACK" = whole ]; then
  RUN_ID=$(date +%s)-$$
  # The body of bench/post-order.lua, for the probe order.
  BODY='{"customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{"sku":"SKU-1","quantity":2}],"totalAmount":150}'
  now() { date +%s.%N; }
  # The order-service's persisted orders: "created" in its /stats JSON (ours and the seed's
  # say it the same way); empty when it does not answer.
  persisted() {
    curl -fsS --max-time 2 "$1" 2>/dev/null \
      | sed -n 's/.*"created"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p' || true
  }
  # Stops a side's processes and forgets them, so the next side has the machine to itself.
  stop_side() {
    local keep=() pid p
    stop_pids "$@"
    for pid in "${STARTED[@]}"; do
      for p in "$@"; do [ "$pid" != "$p" ] || continue 2; done
      keep+=("$pid")
    done
    STARTED=("${keep[@]}")
  }
  # One order end to end, POSTed again every second until the order-service counts it: its
  # consumer has joined the group and placed itself on the partitions. 60 s at most.
  probe() { # name gateway-addr stats-url
    local before n i j
    before=$(persisted "$3")
    for ((i = 0; i < 60; i++)); do
      curl -s -o /dev/null -X POST -H 'content-type: application/json' -d "$BODY" "http://$2/orders" || true
      for ((j = 0; j < 10; j++)); do
        n=$(persisted "$3")
        [ "${n:-0}" -le "${before:-0}" ] || return 0
        sleep 0.1
      done
    done
    die "$1: no order went through to the order-service in 60s, see $LOG_DIR"
  }
  # Waits until the count at URL reaches TARGET, or has not grown for DRAIN_STALL s, or
  # DRAIN_TIMEOUT s went by. Sets DRAIN_COUNT (the last count), DRAIN_AT (when the count was
  # last seen growing, or this wait began if it did not grow) and DRAIN_END (how it ended).
  drain() { # url target
    local url=$1 target=$2 start t n last last_at
    start=$(now) last_at=$start
    last=$(persisted "$url") last=${last:-0}
    while :; do
      t=$(now)
      n=$(persisted "$url")
      if [ "${n:-0}" -gt "$last" ]; then last=$n last_at=$t; fi
      if [ "$last" -ge "$target" ]; then DRAIN_END=reached; break; fi
      if awk -v t="$t" -v s="$last_at" -v d="$DRAIN_STALL" 'BEGIN { exit !(t - s >= d) }'; then
        DRAIN_END=stalled; break
      fi
      if awk -v t="$t" -v s="$start" -v d="$DRAIN_TIMEOUT" 'BEGIN { exit !(t - s >= d) }'; then
        DRAIN_END=timeout; break
      fi
      sleep 0.2
    done
    DRAIN_COUNT=$last DRAIN_AT=$last_at
  }
  accepted() { # wrk result name: 2xx answers
    local requests non2xx
    requests=$(field "$1" requests) non2xx=$(field "$1" non2xx)
    [ -n "$requests" ] && [ -n "$non2xx" ] || die "no wrk result in $LOG_DIR/$1.txt"
    echo $((requests - non2xx))
  }
  SUMMARY=$LOG_DIR/whole-summary.tsv
  : >"$SUMMARY"
  # The sweep on one side: for each connection count a warm-up, a wait until it is
  # persisted, then the measured run and the wait until that one is.
  sweep() { # side gateway-addr stats-url
    local side=$1 addr=$2 url=$3 c name base acc t0 t1
    for c in $SWEEP; do
      name=whole-$side-c$c
      base=$(persisted "$url")
      log "$side: warm-up, $WARMUP, $c connections"
      wrk -t"$THREADS" -c"$c" -d"$WARMUP" -s "$LUA" "http://$addr/orders" >"$LOG_DIR/$name-warmup.txt"
      acc=$(accepted "$name-warmup")
      drain "$url" $((${base:-0} + acc))
      log "$side: warm-up persisted ($DRAIN_END, $((DRAIN_COUNT - ${base:-0}))/$acc)"

      base=$(persisted "$url") base=${base:-0}
      log "$side: wrk -t$THREADS -c$c -d$DURATION --latency http://$addr/orders"
      t0=$(now)
      wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency -s "$LUA" "http://$addr/orders" | tee "$LOG_DIR/$name.txt"
      t1=$(now)
      acc=$(accepted "$name")
      drain "$url" $((base + acc))
      log "$side: $((DRAIN_COUNT - base))/$acc accepted orders persisted ($DRAIN_END)"
      # side conns req/s accepted p99 persisted accepted/s persisted/s lag drain. persisted/s
      # counts at most the accepted orders: requests still in flight when wrk stopped were
      # published (and persisted) too, but wrk never counted their 202.
      awk -v side="$side" -v c="$c" -v rps="$(field "$name" rps)" -v acc="$acc" \
        -v secs="$(field "$name" seconds)" -v p99="$(field "$name" p99_ms)" \
        -v n="$((DRAIN_COUNT - base))" -v t0="$t0" -v t1="$t1" -v at="$DRAIN_AT" -v end="$DRAIN_END" \
        'BEGIN { el = at - t0; if (el < t1 - t0) el = t1 - t0
                 done = (n < acc) ? n : acc
                 printf "%s\t%s\t%s\t%d\t%s\t%d\t%.0f\t%.0f\t%.1f\t%s\n",
                   side, c, rps, acc, p99, n, acc / secs, done / el, at - t1, end }' >>"$SUMMARY"
    done
  }

  # Ours: every topic of the pipeline under a name of this run's, and a group of its own.
  OURS_ENV=()
  for t in ORDER_CREATED INVENTORY_RESERVED INVENTORY_REJECTED INVENTORY_RELEASED PAYMENT_COMPLETED \
    PAYMENT_FAILED ORDER_CONFIRMED ORDER_REJECTED INVENTORY_DLT PAYMENT_DLT NOTIFICATION_DLT; do
    OURS_ENV+=("KAFKA_TOPIC_$t=${t,,}_ours_$RUN_ID")
  done
  OURS_TOPIC=order_created_ours_$RUN_ID
  OURS_GROUP=order-service-group-ours-$RUN_ID
  log "ours: creating every topic of the pipeline as *_ours_$RUN_ID ($OURS_TOPIC, ...) on $KAFKA_BROKERS"
  env "${OURS_ENV[@]}" "$ORDERS_BIN" topics create --brokers "$KAFKA_BROKERS" \
    >"$LOG_DIR/whole-ours-topics.log" 2>&1 || die "topics create failed, see $LOG_DIR/whole-ours-topics.log"
  log "ours: gateway on $OURS_LISTEN, order-service (admin $OURS_ADMIN_LISTEN) on sqlite://$LOG_DIR/orders.db"
  env "${OURS_ENV[@]}" "$ORDERS_BIN" serve-gateway --brokers "$KAFKA_BROKERS" --listen "$OURS_LISTEN" \
    >"$LOG_DIR/whole-ours-gateway.log" 2>&1 &
  OURS_GW=$!
  STARTED+=("$OURS_GW")
  env "${OURS_ENV[@]}" "$ORDERS_BIN" serve-consumer --brokers "$KAFKA_BROKERS" --group "$OURS_GROUP" \
    --admin-listen "$OURS_ADMIN_LISTEN" --database-url "sqlite://$LOG_DIR/orders.db" \
    >"$LOG_DIR/whole-ours-order-service.log" 2>&1 &
  OURS_OS=$!
  STARTED+=("$OURS_OS")
  wait_ready "our gateway" "$OURS_GW" "curl -fs -o /dev/null 'http://$OURS_LISTEN/readyz'"
  wait_ready "our order-service" "$OURS_OS" "curl -fs -o /dev/null 'http://$OURS_ADMIN_LISTEN/readyz'"
  probe ours "$OURS_LISTEN" "http://$OURS_ADMIN_LISTEN/stats"
  sweep ours "$OURS_LISTEN" "http://$OURS_ADMIN_LISTEN/stats"
  log "ours: stopping"
  stop_side "$OURS_GW" "$OURS_OS"

  # The seed's: its gateway and its order-service on a topic and group of this run's.
  SEED_TOPIC=order_created_seed_$RUN_ID
  SEED_GROUP=order-service-group-seed-$RUN_ID
  log "seed: creating topic $SEED_TOPIC on $KAFKA_BROKERS"
  "$ORDERS_BIN" topics create --brokers "$KAFKA_BROKERS" "$SEED_TOPIC" \
    >"$LOG_DIR/whole-seed-topics.log" 2>&1 || die "topics create failed, see $LOG_DIR/whole-seed-topics.log"
  log "seed: gateway on $SEED_LISTEN, order-service (/stats on $SEED_ORDER_SERVICE_LISTEN)"
  (cd "$SEED_DIR" && KAFKA_BROKERS=$KAFKA_BROKERS KAFKA_TOPIC_ORDER_CREATED=$SEED_TOPIC \
    KAFKA_IDEMPOTENT=$SEED_IDEMPOTENT HOST=${SEED_LISTEN%:*} PORT=${SEED_LISTEN##*:} \
    exec node dist/main.js) >"$LOG_DIR/whole-seed-gateway.log" 2>&1 &
  SEED_GW=$!
  STARTED+=("$SEED_GW")
  (cd "$SEED_OS_DIR" && KAFKA_BROKERS=$KAFKA_BROKERS KAFKA_TOPIC_ORDER_CREATED=$SEED_TOPIC \
    KAFKA_GROUP_ID=$SEED_GROUP SEED_ORDER_SERVICE_LISTEN=$SEED_ORDER_SERVICE_LISTEN \
    exec node dist/main.js) >"$LOG_DIR/whole-seed-order-service.log" 2>&1 &
  SEED_OS=$!
  STARTED+=("$SEED_OS")
  wait_ready "the seed's gateway" "$SEED_GW" \
    "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' -d '{}' 'http://$SEED_LISTEN/orders')\" = 400 ]"
  # Its /stats listens once the consumer has joined its group.
  wait_ready "the seed's order-service" "$SEED_OS" "curl -fs -o /dev/null 'http://$SEED_ORDER_SERVICE_LISTEN/stats'"
  probe seed "$SEED_LISTEN" "http://$SEED_ORDER_SERVICE_LISTEN/stats"
  sweep seed "$SEED_LISTEN" "http://$SEED_ORDER_SERVICE_LISTEN/stats"
  log "seed: stopping"
  stop_side "$SEED_GW" "$SEED_OS"

  # --- summary -----------------------------------------------------------------------------
  echo
  echo "whole pipeline, gateway + order-service: same broker ($KAFKA_BROKERS), a topic and group per side, wrk -t$THREADS -d$DURATION after a $WARMUP warm-up, same body"
  echo "ours: serve-gateway + serve-consumer (SQLite); seed: NestJS gateway (KafkaJS idempotent=$SEED_IDEMPOTENT) + NestJS order-service (in-memory Map)"
  echo "persisted/s = orders persisted (/stats created, at most those accepted) / time from the run's start until they were; pipeline/s = min(accepted/s, persisted/s)"
  awk -F'\t' '
    BEGIN { printf "%-5s %6s %9s %9s %9s %10s %11s %12s %11s %7s  %s\n",
              "side", "conns", "req/s", "accepted", "p99_ms", "persisted", "accepted/s",
              "persisted/s", "pipeline/s", "lag_s", "drain" }
    { pipe = ($7 < $8) ? $7 : $8
      printf "%-5s %6s %9s %9s %9s %10s %11s %12s %11.0f %7s  %s\n",
        $1, $2, $3, $4, $5, $6, $7, $8, pipe, $9, $10
      if (!($1 in best) || pipe > best[$1]) { best[$1] = pipe; at[$1] = $2 } }
    END {
      print ""
      n = split("ours seed", sides, " ")
      for (i = 1; i <= n; i++) if (sides[i] in best)
        printf "best %-5s %9.0f orders/s through the whole pipeline (%s connections)\n",
          sides[i], best[sides[i]], at[sides[i]]
      if (("ours" in best) && ("seed" in best) && best["seed"] > 0)
        printf "ratio ours/seed: %.1fx\n", best["ours"] / best["seed"]
    }' "$SUMMARY"
  log "logs and raw results in $LOG_DIR"
  exit 0
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
