#!/usr/bin/env bash
# Local single-node Kafka (KRaft) + FerretDB (SQLite backend) for development
# and tests. Everything binds 127.0.0.1. See deploy/local/README.md.
#
#   stack.sh install | start | stop | status | env
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HERE/../.." && pwd)

# Absolute, because the paths end up in server configs and command lines.
STACK_DIR=$(realpath -m -- "${KINDRED_STACK_DIR:-$REPO_ROOT/.local-stack}")
CACHE_DIR=$(realpath -m -- "${KINDRED_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kindred}")
KAFKA_PORT=${KINDRED_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KINDRED_KAFKA_CONTROLLER_PORT:-9093}
MONGO_PORT=${KINDRED_MONGO_PORT:-27017}
START_TIMEOUT=${KINDRED_START_TIMEOUT:-120}
STOP_TIMEOUT=${KINDRED_STOP_TIMEOUT:-30}

# Versions have one source of truth each: the pom and the go.mod next to this script.
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/kafka/pom.xml")
FERRETDB_VERSION=$(awk '$1 == "github.com/FerretDB/FerretDB" {print $2}' "$HERE/ferretdb/go.mod")

KAFKA_HOME=$CACHE_DIR/kafka-$KAFKA_VERSION
FERRETDB_BIN=$CACHE_DIR/ferretdb-$FERRETDB_VERSION/bin/ferretdb

LOG_DIR=$STACK_DIR/logs
RUN_DIR=$STACK_DIR/run
KAFKA_DATA=$STACK_DIR/kafka-data
FERRETDB_DATA=$STACK_DIR/ferretdb-data

say() { echo "stack: $*" >&2; }
die() { say "error: $*"; exit 1; }

# ---------------------------------------------------------------- install

install_kafka() {
  [[ -f $KAFKA_HOME/.complete ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch Kafka jars)"
  say "downloading Kafka $KAFKA_VERSION jars from Maven Central (first time, ~1-2 min)..."
  rm -rf "$KAFKA_HOME"
  mkdir -p "$KAFKA_HOME"
  local log=$KAFKA_HOME/install.log
  mvn -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_HOME/libs" >"$log" 2>&1 ||
    { tail -n 40 "$log" >&2; die "mvn failed to fetch Kafka jars (full log: $log)"; }
  touch "$KAFKA_HOME/.complete"
  say "Kafka jars in $KAFKA_HOME/libs"
}

install_ferretdb() {
  [[ -x $FERRETDB_BIN ]] && "$FERRETDB_BIN" --version >/dev/null 2>&1 && return 0
  command -v go >/dev/null || die "go not found (needed once to build FerretDB)"
  say "building FerretDB $FERRETDB_VERSION with Go (first time, a few minutes)..."
  local root build src
  root=$(dirname "$(dirname "$FERRETDB_BIN")")
  build=$root/build
  local -x GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"
  # cmd/ferretdb panics at startup unless build/version/version.txt exists, and
  # the module zip does not ship it (upstream generates it in CI). So build from
  # a copy of the checksum-verified module source with that file added, wired in
  # by a `replace` in a scratch copy of our go.mod.
  src=$(cd "$HERE/ferretdb" && go mod download github.com/FerretDB/FerretDB &&
    go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
  [[ -d $src ]] || die "go mod download of FerretDB failed"
  rm -rf "$build"
  mkdir -p "$build"
  cp -R "$src" "$build/src"
  chmod -R u+w "$build/src"
  echo "$FERRETDB_VERSION" >"$build/src/build/version/version.txt"
  cp "$HERE/ferretdb/go.mod" "$HERE/ferretdb/go.sum" "$build/"
  (
    cd "$build"
    go mod edit -replace github.com/FerretDB/FerretDB=./src
    GOBIN="$root/bin" go install -trimpath github.com/FerretDB/FerretDB/cmd/ferretdb
  ) >&2 || die "go install of FerretDB failed"
  rm -rf "$build"
  "$FERRETDB_BIN" --version >/dev/null || die "built FerretDB does not run"
  say "FerretDB binary at $FERRETDB_BIN"
}

cmd_install() {
  mkdir -p "$CACHE_DIR"
  # Two stacks (e.g. dev + test runner) may install at the same moment.
  exec 9>"$CACHE_DIR/.install.lock"
  flock 9
  install_kafka
  install_ferretdb
  exec 9>&-
}

# ---------------------------------------------------------------- helpers

pid_file() { echo "$RUN_DIR/$1.pid"; }

# Prints the pid if the process recorded for this stack dir is alive. Checking
# the command line guards against a recycled pid after a reboot or crash.
running_pid() {
  local f pid
  f=$(pid_file "$1")
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STACK_DIR/" || return 1
  echo "$pid"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

port_of() { case $1 in kafka) echo "$KAFKA_PORT" ;; ferretdb) echo "$MONGO_PORT" ;; esac; }

# The line each server logs once it accepts clients; the log is moved aside
# before each start so an old run's line cannot match.
ready_pattern() {
  case $1 in
    kafka) echo "Kafka Server started" ;;
    ferretdb) echo "Listening on TCP 127.0.0.1:$MONGO_PORT..." ;;
  esac
}

log_file() { case $1 in kafka) echo "$LOG_DIR/kafka.log" ;; ferretdb) echo "$LOG_DIR/ferretdb.log" ;; esac; }

# Launch in a new session so the servers outlive the caller and are not hit by
# signals sent to the caller's process group (e.g. a test runner's Ctrl-C); run
# from the stack dir so they never pin the caller's (maybe temporary) cwd.
launch() {
  local name=$1 out=$2
  shift 2
  (
    cd "$STACK_DIR"
    setsid bash -c 'echo $$ >"$0"; exec nohup "$@"' "$(pid_file "$name")" "$@" >"$out" 2>&1 </dev/null &
  )
}

# ---------------------------------------------------------------- kafka

write_kafka_config() {
  cat >"$RUN_DIR/kafka-server.properties" <<EOF
# Generated by deploy/local/stack.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
# Static voters (not the dynamic --standalone quorum): the controller port can
# change between starts without reformatting.
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
log.dirs=$KAFKA_DATA
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

# Sets the global array JAVA_CMD (an array so paths with spaces survive).
set_java_cmd() {
  JAVA_CMD=("${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xms128m -Xmx512m -XX:+UseG1GC
    -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    -Dkafka.logs.dir="$LOG_DIR" -Dlog4j2.configurationFile="$HERE/kafka/log4j2.xml"
    -cp "$KAFKA_HOME/libs/*")
}

start_kafka() {
  write_kafka_config
  set_java_cmd
  if [[ ! -f $KAFKA_DATA/meta.properties ]]; then
    say "formatting Kafka KRaft storage in $KAFKA_DATA (first start)"
    local cluster_id
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    "${JAVA_CMD[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$RUN_DIR/kafka-server.properties" >"$LOG_DIR/kafka-format.log" 2>&1 ||
      { cat "$LOG_DIR/kafka-format.log" >&2; die "Kafka storage format failed"; }
  fi
  launch kafka "$LOG_DIR/kafka.out" "${JAVA_CMD[@]}" kafka.Kafka "$RUN_DIR/kafka-server.properties"
}

# ---------------------------------------------------------------- ferretdb

start_ferretdb() {
  mkdir -p "$FERRETDB_DATA" "$RUN_DIR/ferretdb-state"
  # --debug-addr=- : no metrics/pprof HTTP listener (one less port to clash).
  launch ferretdb "$LOG_DIR/ferretdb.log" "$FERRETDB_BIN" \
    --handler=sqlite --sqlite-url="file:$FERRETDB_DATA/" \
    --listen-addr="127.0.0.1:$MONGO_PORT" --debug-addr=- \
    --state-dir="$RUN_DIR/ferretdb-state" --telemetry=disable --log-level=info
}

# ---------------------------------------------------------------- commands

wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT)) pending=("$@") still name
  while ((${#pending[@]})); do
    still=()
    for name in "${pending[@]}"; do
      # The pid file appears as soon as the launched shell runs; if it is there
      # but the process is gone, the server died during startup.
      if [[ -f $(pid_file "$name") ]] && ! running_pid "$name" >/dev/null; then
        fail_start "$name" "process exited"
      elif port_open "$(port_of "$name")" && grep -qF "$(ready_pattern "$name")" "$(log_file "$name")" 2>/dev/null; then
        say "$name ready on 127.0.0.1:$(port_of "$name") (pid $(running_pid "$name"))"
      else
        still+=("$name")
      fi
    done
    pending=("${still[@]}")
    ((${#pending[@]})) || break
    ((SECONDS < deadline)) || fail_start "${pending[0]}" "not ready after ${START_TIMEOUT}s"
    sleep 0.5
  done
}

fail_start() {
  local name=$1 why=$2 f files=("$(log_file "$1")")
  [[ $name == kafka ]] && files+=("$LOG_DIR/kafka.out")
  say "error: $name failed to start: $why"
  for f in "${files[@]}"; do
    [[ -s $f ]] && { say "--- last lines of $f"; tail -n 30 "$f" >&2; }
  done
  stop_one "$name" >/dev/null 2>&1 || true
  exit 1
}

cmd_start() {
  cmd_install
  mkdir -p "$LOG_DIR" "$RUN_DIR" "$KAFKA_DATA" "$FERRETDB_DATA"
  local to_start=() name pid port
  for name in kafka ferretdb; do
    if pid=$(running_pid "$name"); then
      say "$name already running (pid $pid)"
      continue
    fi
    port=$(port_of "$name")
    port_open "$port" && die "port 127.0.0.1:$port is already in use by another process (set KINDRED_*_PORT)"
    [[ $name == kafka ]] && port_open "$KAFKA_CONTROLLER_PORT" &&
      die "port 127.0.0.1:$KAFKA_CONTROLLER_PORT is already in use by another process (set KINDRED_KAFKA_CONTROLLER_PORT)"
    to_start+=("$name")
  done
  if ((${#to_start[@]} == 0)); then
    say "stack already running in $STACK_DIR; nothing to do"
    return 0
  fi
  SECONDS=0
  for name in "${to_start[@]}"; do
    rm -f "$(pid_file "$name")"
    [[ -f $(log_file "$name") ]] && mv -f "$(log_file "$name")" "$(log_file "$name").prev"
    say "starting $name on 127.0.0.1:$(port_of "$name")"
    "start_$name"
  done
  wait_ready "${to_start[@]}"
  say "stack up in ${SECONDS}s (data and logs in $STACK_DIR)"
}

stop_one() {
  local name=$1 pid deadline
  if ! pid=$(running_pid "$name"); then
    rm -f "$(pid_file "$name")"
    say "$name not running"
    return 0
  fi
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name did not exit after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    # Wait for the kernel to reap it so its ports are free for a restart.
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline + 5)); do sleep 0.1; done
  fi
  rm -f "$(pid_file "$name")"
}

cmd_stop() {
  stop_one kafka
  stop_one ferretdb
}

cmd_status() {
  local rc=0 name pid port
  for name in kafka ferretdb; do
    port=$(port_of "$name")
    if pid=$(running_pid "$name"); then
      if port_open "$port"; then
        echo "$name: running (pid $pid, 127.0.0.1:$port answering)"
      else
        echo "$name: process running (pid $pid) but 127.0.0.1:$port not answering"
        rc=3
      fi
    else
      echo "$name: not running"
      rc=3
    fi
  done
  return $rc
}

cmd_env() {
  echo "export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT"
  echo "export MONGODB_URL=mongodb://127.0.0.1:$MONGO_PORT/"
}

case ${1:-} in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 {install|start|stop|status|env}" >&2
    exit 2
    ;;
esac
