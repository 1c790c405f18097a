#!/usr/bin/env bash
# Local single-node Kafka (KRaft) + FerretDB on PostgreSQL (Debian's package) for
# development and tests. Kafka and FerretDB bind 127.0.0.1; PostgreSQL listens on
# a unix socket inside the stack dir only. See deploy/local/README.md.
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
# A server's log is appended to across restarts; at a start, one over this size is moved to
# <name>.log.1 (replacing the one before) and a new one begun.
LOG_ROTATE_BYTES=${KINDRED_LOG_ROTATE_BYTES:-10485760}

# Versions have one source of truth each: the pom and the go.mod next to this script.
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/kafka/pom.xml")
FERRETDB_VERSION=$(awk '$1 == "github.com/FerretDB/FerretDB" {print $2}' "$HERE/ferretdb/go.mod")

KAFKA_HOME=$CACHE_DIR/kafka-$KAFKA_VERSION
FERRETDB_BIN=$CACHE_DIR/ferretdb-$FERRETDB_VERSION/bin/ferretdb

LOG_DIR=$STACK_DIR/logs
RUN_DIR=$STACK_DIR/run
KAFKA_DATA=$STACK_DIR/kafka-data
PG_DATA=$STACK_DIR/postgres-data
PG_SOCK_DIR=$RUN_DIR/pg
PG_PORT=5432 # no TCP listener: the port only names the socket file, .s.PGSQL.5432
PG_SUPERUSER=postgres
PG_DATABASE=ferretdb

# Start order. `stop` stops FerretDB before PostgreSQL.
SERVERS=(postgres kafka ferretdb)

# PostgreSQL refuses to run as root. As root, initdb and postgres run as Debian's
# `postgres` system user through setpriv (which execs, so the pid recorded is the
# postmaster's); otherwise as the current user.
if ((EUID == 0)); then
  PG_OS_USER=postgres
else
  PG_OS_USER=$(id -un)
fi

# The caller's libpq settings (PGHOST, PGOPTIONS, ...) must not reach psql,
# pg_isready or FerretDB's pgx.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^PG' || true)

say() { echo "stack: $*" >&2; }
die() { say "error: $*"; exit 1; }

# ---------------------------------------------------------------- install

# 95 -> "1m35s"
duration() { if (($1 >= 60)); then echo "$(($1 / 60))m$(($1 % 60))s"; else echo "${1}s"; fi; }

# Runs a long install step with its output appended to a log and, while it runs, a
# line every 15 s: what it does, for how long, and what the log counts so far
# (pairs of a grep pattern and a noun: `'^go: downloading' 'modules downloaded'`).
run_logged() {
  local what=$1 log=$2 pid rc=0 t0=$SECONDS next=$((SECONDS + 15)) counts i n
  shift 2
  local tallies=()
  while [[ ${1:-} != -- ]]; do tallies+=("$1" "$2"); shift 2; done
  shift
  "$@" >>"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= next)); then
      counts=""
      for ((i = 0; i < ${#tallies[@]}; i += 2)); do
        n=$(grep -c -E -- "${tallies[i]}" "$log" 2>/dev/null) || true
        ((${n:-0} == 0)) || counts+=", $n ${tallies[i + 1]}"
      done
      say "still $what ($(duration $((SECONDS - t0)))$counts)..."
      next=$((SECONDS + 15))
    fi
    sleep 0.5
  done
  wait "$pid" || rc=$?
  return "$rc"
}

install_kafka() {
  [[ -f $KAFKA_HOME/.complete ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch Kafka jars)"
  say "downloading Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_HOME (first time only; seconds to a minute)..."
  rm -rf "$KAFKA_HOME"
  mkdir -p "$KAFKA_HOME"
  local log=$KAFKA_HOME/install.log t0=$SECONDS
  run_logged "downloading Kafka jars" "$log" '^Downloaded from' 'files downloaded' -- \
    mvn -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_HOME/libs" ||
    { tail -n 40 "$log" >&2; die "mvn failed to fetch Kafka jars (full log: $log)"; }
  touch "$KAFKA_HOME/.complete"
  say "Kafka jars in $KAFKA_HOME/libs (took $(duration $((SECONDS - t0))))"
}

install_ferretdb() {
  [[ -x $FERRETDB_BIN ]] && "$FERRETDB_BIN" --version >/dev/null 2>&1 && return 0
  command -v go >/dev/null || die "go not found (needed once to build FerretDB)"
  local root build src log t0=$SECONDS
  root=$(dirname "$(dirname "$FERRETDB_BIN")")
  build=$root/build
  log=$root/install.log
  say "building FerretDB $FERRETDB_VERSION with Go into $root (first time only; 1-4 minutes on 2 cores, progress every 15 s, log: $log)..."
  mkdir -p "$root"
  : >"$log"
  local -x GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"
  # cmd/ferretdb panics at startup unless build/version/version.txt exists, and
  # the module zip does not ship it (upstream generates it in CI). So build from
  # a copy of the checksum-verified module source with that file added, wired in
  # by a `replace` in a scratch copy of our go.mod.
  (cd "$HERE/ferretdb" && run_logged "downloading FerretDB's source" "$log" -- \
    go mod download -x github.com/FerretDB/FerretDB) ||
    { tail -n 40 "$log" >&2; die "go mod download of FerretDB failed (full log: $log)"; }
  src=$(cd "$HERE/ferretdb" && go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
  [[ -d $src ]] || die "go mod download of FerretDB failed"
  rm -rf "$build"
  mkdir -p "$build"
  cp -R "$src" "$build/src"
  chmod -R u+w "$build/src"
  echo "$FERRETDB_VERSION" >"$build/src/build/version/version.txt"
  cp "$HERE/ferretdb/go.mod" "$HERE/ferretdb/go.sum" "$build/"
  # -v names each package as it is compiled: the progress lines count them.
  (
    cd "$build"
    go mod edit -replace github.com/FerretDB/FerretDB=./src
    export GOBIN=$root/bin
    run_logged "building FerretDB" "$log" \
      '^go: downloading' 'modules downloaded' '^[^ ]+$' 'packages compiled' -- \
      go install -v -trimpath github.com/FerretDB/FerretDB/cmd/ferretdb
  ) || { tail -n 40 "$log" >&2; die "go install of FerretDB failed (full log: $log)"; }
  rm -rf "$build"
  "$FERRETDB_BIN" --version >/dev/null || die "built FerretDB does not run"
  say "FerretDB binary at $FERRETDB_BIN (took $(duration $((SECONDS - t0))))"
}

# Prints the bin dir of the PostgreSQL server to use: the major version that
# created the data dir if there is one, else the newest /usr/lib/postgresql/*/bin
# (Debian's layout) holding a server.
pg_bin_dir() {
  local d best=""
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    d=/usr/lib/postgresql/$(<"$PG_DATA/PG_VERSION")/bin
    [[ -x $d/postgres && -x $d/initdb ]] || return 1
    echo "$d"
    return 0
  fi
  while read -r d; do
    [[ -x $d/postgres && -x $d/initdb ]] && best=$d
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  [[ -n $best ]] || return 1
  echo "$best"
}

install_postgres() {
  PG_BIN=$(pg_bin_dir) && return 0
  local pkg=postgresql sudo=() log=$CACHE_DIR/postgres-install.log
  local missing="no PostgreSQL server in /usr/lib/postgresql/*/bin"
  # An existing data dir needs the major version that created it.
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    pkg=postgresql-$(<"$PG_DATA/PG_VERSION")
    missing="no PostgreSQL $(<"$PG_DATA/PG_VERSION") server in /usr/lib/postgresql/$(<"$PG_DATA/PG_VERSION")/bin (the version that created $PG_DATA)"
  fi
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
      die "$missing, and installing it needs root: run 'sudo apt-get install $pkg' (Debian's package), then this again"
    fi
    sudo=(sudo -n)
  fi
  command -v apt-get >/dev/null || die "$missing, and no apt-get: install Debian's $pkg package"
  say "installing $pkg with apt-get (first time, about a minute)..."
  # The package's postinst may create and start Debian's own cluster on port
  # 5432 (unless policy-rc.d forbids it). The stack never uses or touches it.
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
  "${apt[@]}" update >"$log" 2>&1 ||
    say "warning: apt-get update failed; trying the install anyway (log: $log)"
  run_logged "installing $pkg" "$log" -- \
    "${apt[@]}" install -y --no-install-recommends -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "$pkg" ||
    { tail -n 40 "$log" >&2; die "apt-get install $pkg failed (full log: $log)"; }
  PG_BIN=$(pg_bin_dir) || die "apt-get installed $pkg, but still $missing"
  say "PostgreSQL server in $PG_BIN"
}

cmd_install() {
  mkdir -p "$CACHE_DIR"
  # Two stacks (e.g. dev + test runner) may install at the same moment.
  exec 9>"$CACHE_DIR/.install.lock"
  flock 9
  install_kafka
  install_ferretdb
  install_postgres
  exec 9>&-
}

# ---------------------------------------------------------------- helpers

PG_BIN=$(pg_bin_dir) || PG_BIN=""

pid_file() { echo "$RUN_DIR/$1.pid"; }

# True if the process exists and is not a zombie: an exited process whose parent
# has not reaped it yet (the servers' parent is init, which may reap lazily). A
# JVM's main thread may show as a zombie while its other threads still shut down:
# the process is alive while /proc/<pid>/task lists more than that thread.
alive() {
  local stat tasks
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  { stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]] && return 0
  tasks=(/proc/"$1"/task/*)
  ((${#tasks[@]} > 1))
}

# True if the pid is alive and its command line names this stack dir. Checking
# the command line guards against a recycled pid after a reboot or crash.
ours() {
  alive "$1" || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$STACK_DIR/"
}

# Prints the pid if the process recorded for this stack dir is alive. For
# PostgreSQL without a pid file of ours: the pid in its own postmaster.pid.
running_pid() {
  local f pid=""
  f=$(pid_file "$1")
  if [[ -f $f ]]; then
    pid=$(<"$f")
  elif [[ $1 == postgres && -f $PG_DATA/postmaster.pid ]]; then
    pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || true
  fi
  ours "$pid" || return 1
  echo "$pid"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# True if the port stays taken for 10 s. A server of ours killed a moment ago may
# still be exiting and hold its port: its command line is already gone, so it no
# longer counts as running, but the kernel closes its sockets only as its last
# thread exits, which for a JVM can take a moment.
port_taken() {
  local deadline=$((SECONDS + 10))
  while port_open "$1"; do
    ((SECONDS < deadline)) || return 0
    sleep 0.2
  done
  return 1
}

port_of() { case $1 in kafka) echo "$KAFKA_PORT" ;; ferretdb) echo "$MONGO_PORT" ;; esac; }

pg_socket() { echo "$PG_SOCK_DIR/.s.PGSQL.$PG_PORT"; }

where() {
  if [[ $1 == postgres ]]; then echo "unix socket $(pg_socket)"; else echo "127.0.0.1:$(port_of "$1")"; fi
}

log_file() { echo "$LOG_DIR/$1.log"; }

# Byte offset in each server's log where the current start's lines begin (see
# open_log), so that the readiness check never matches an earlier run's line.
declare -A LOG_START=()

# Appends a marker line for this start to a server's log (rotating it first if it
# is over LOG_ROTATE_BYTES) and records where the new lines begin.
open_log() {
  local name=$1 f
  f=$(log_file "$name")
  if [[ -f $f ]] && (($(stat -c %s "$f") > LOG_ROTATE_BYTES)); then
    mv -f "$f" "$f.1"
  fi
  echo "=== stack.sh: starting $name at $(date -u '+%Y-%m-%d %H:%M:%S') UTC ===" >>"$f"
  LOG_START[$name]=$(stat -c %s "$f")
  if [[ $name == kafka ]]; then # its stdout/stderr, next to the log
    tail -n 1 "$f" >>"$LOG_DIR/kafka.out"
  fi
}

# This start's part of a server's log.
current_log() { tail -c +$((${LOG_START[$1]:-0} + 1)) "$(log_file "$1")" 2>/dev/null; }

# The line Kafka and FerretDB log once they accept clients (looked for only in
# this start's part of the log, see open_log).
ready_pattern() {
  case $1 in
    kafka) echo "Kafka Server started" ;;
    ferretdb) echo "Listening on TCP 127.0.0.1:$MONGO_PORT..." ;;
  esac
}

pg_ready() {
  [[ -n $PG_BIN && -S $(pg_socket) ]] &&
    "$PG_BIN/pg_isready" -q -t 2 -h "$PG_SOCK_DIR" -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres
}

# PostgreSQL: pg_isready through the socket. Kafka and FerretDB: the port
# accepts TCP and the log shows the ready line.
is_ready() {
  case $1 in
    postgres) pg_ready ;;
    # Not `current_log | grep -q`: grep's early exit would fail the pipe under pipefail.
    *) port_open "$(port_of "$1")" && grep -qF "$(ready_pattern "$1")" < <(current_log "$1") ;;
  esac
}

# Launch in a new session so the servers outlive the caller and are not hit by
# signals sent to the caller's process group (e.g. a test runner's Ctrl-C); run
# from the stack dir so they never pin the caller's (maybe temporary) cwd. The
# pid file is written whole and then renamed into place: read while half
# written, it would hold no pid and the server would look dead.
launch() {
  local name=$1 out=$2
  shift 2
  (
    cd "$STACK_DIR"
    setsid bash -c 'echo $$ >"$0.new" && mv -f "$0.new" "$0" && exec nohup "$@"' \
      "$(pid_file "$name")" "$@" >>"$out" 2>&1 </dev/null &
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
# A single-node development broker: 4 partitions for the group offsets topic, not
# 50. Its 50 partitions were most of the work of a restart (every one is loaded
# at start-up) and of a consumer group's first use (when it is created).
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4
share.coordinator.state.topic.num.partitions=4
# After an unclean stop (SIGKILL, crash) the restarted broker may register only
# once the controller has expired its previous incarnation's session: 9 s by
# default, which made such a restart take 12 s. Broker and controller share this
# process, so heartbeats never cross a network.
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=500
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
    # `--cluster-id=ID`, not `-t ID`: one id in 64 starts with '-' and would read as an option.
    "${JAVA_CMD[@]}" kafka.tools.StorageTool format --cluster-id="$cluster_id" \
      -c "$RUN_DIR/kafka-server.properties" >"$LOG_DIR/kafka-format.log" 2>&1 ||
      { cat "$LOG_DIR/kafka-format.log" >&2; die "Kafka storage format failed"; }
  fi
  launch kafka "$LOG_DIR/kafka.out" "${JAVA_CMD[@]}" kafka.Kafka "$RUN_DIR/kafka-server.properties"
}

# ---------------------------------------------------------------- postgres

# Sets the global array AS_PG: the prefix that runs a command as the PostgreSQL
# OS user (empty unless root).
set_as_pg() {
  AS_PG=()
  if ((EUID == 0)); then
    AS_PG=(setpriv --reuid="$PG_OS_USER" --regid="$(id -g "$PG_OS_USER")" --init-groups --reset-env --)
  fi
}

# Directories, permissions and limits, checked before every PostgreSQL start.
prepare_postgres() {
  local sock n
  sock=$(pg_socket)
  n=$(printf %s "$sock" | wc -c)
  ((n <= 107)) ||
    die "PostgreSQL's unix socket path $sock is $n bytes, over the 107-byte limit of unix socket paths: use a shorter KINDRED_STACK_DIR"
  set_as_pg
  if ((EUID == 0)); then
    id -u "$PG_OS_USER" >/dev/null 2>&1 ||
      die "user $PG_OS_USER not found: PostgreSQL refuses to run as root, so it runs as $PG_OS_USER, whom Debian's postgresql-common package creates (apt-get install postgresql)"
    # A mktemp stack dir is 0700 root: let the postgres user traverse (not list) it.
    chmod go+x "$STACK_DIR" "$RUN_DIR"
  fi
  mkdir -p "$PG_SOCK_DIR"
  ((EUID != 0)) || chown "$PG_OS_USER:" "$PG_SOCK_DIR"
  # Connections through the socket are trusted: only this directory guards it.
  chmod 700 "$PG_SOCK_DIR"
  ((EUID == 0)) || return 0
  (cd / && "${AS_PG[@]}" test -w "$PG_SOCK_DIR" -a -x "$PG_SOCK_DIR") && return 0
  # Name the first directory on the way that the postgres user cannot traverse.
  local d=$PG_SOCK_DIR dirs=()
  while [[ $d != / ]]; do
    d=$(dirname "$d")
    dirs=("$d" "${dirs[@]}")
  done
  for d in "${dirs[@]}"; do
    (cd / && "${AS_PG[@]}" test -x "$d") ||
      die "directory $d ($(stat -c '%A %U:%G' "$d")) is not traversable by user $PG_OS_USER, who runs PostgreSQL (it refuses to run as root): use a KINDRED_STACK_DIR that $PG_OS_USER can reach (e.g. under /tmp), or chmod o+x $d"
  done
  die "user $PG_OS_USER cannot write to $PG_SOCK_DIR"
}

# A single-quoted postgresql.conf string.
pg_quote() { printf "'%s'" "${1//\'/\'\'}"; }

write_postgres_config() {
  cat >"$RUN_DIR/postgres.conf" <<EOF
# Generated by deploy/local/stack.sh; rewritten on every start. Passed to postgres
# as config_file, so it replaces the data dir's postgresql.conf.
listen_addresses = ''           # no TCP at all: unix socket only
port = $PG_PORT                     # only names the socket file
unix_socket_directories = $(pg_quote "\"$PG_SOCK_DIR\"")
unix_socket_permissions = 0700
hba_file = $(pg_quote "$RUN_DIR/pg_hba.conf")
max_connections = 200           # FerretDB opens up to 50 per pool
shared_buffers = 128MB
synchronous_commit = off        # a crash may lose the last moments of commits, never consistency
fsync = on
log_destination = 'stderr'      # stack.sh sends stderr to logs/postgres.log
logging_collector = off
log_line_prefix = '%m [%p] '
log_timezone = 'UTC'
timezone = 'UTC'
datestyle = 'iso, mdy'
lc_messages = 'C'
EOF
  echo "local all all trust" >"$RUN_DIR/pg_hba.conf"
  chmod 644 "$RUN_DIR/postgres.conf" "$RUN_DIR/pg_hba.conf"
}

# initdb into a scratch dir and rename it, so an interrupted initdb never leaves
# a half-made data dir behind.
init_postgres() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  if [[ -d $PG_DATA ]]; then
    rmdir "$PG_DATA" 2>/dev/null ||
      die "$PG_DATA is not empty but holds no PostgreSQL data (no PG_VERSION); move it away"
  fi
  local tmp=$PG_DATA.initdb log=$LOG_DIR/postgres-initdb.log
  say "initialising PostgreSQL data in $PG_DATA as user $PG_OS_USER (first start)"
  rm -rf "$tmp"
  mkdir -m 700 "$tmp"
  ((EUID != 0)) || chown "$PG_OS_USER:" "$tmp"
  (cd "$STACK_DIR" && "${AS_PG[@]}" "$PG_BIN/initdb" -D "$tmp" -U "$PG_SUPERUSER" \
    --encoding=UTF8 --locale=C --auth=trust --no-instructions) >"$log" 2>&1 ||
    { tail -n 30 "$log" >&2; die "initdb failed (full log: $log)"; }
  mv -T "$tmp" "$PG_DATA"
}

# postgres itself clears a postmaster.pid (and socket lock file) whose pid is
# gone. It refuses to start while that pid exists at all: as a zombie (a
# SIGKILLed postmaster that init has not reaped yet) or reused by another process
# (e.g. after a reboot). Those two cases are cleared here. Safe: since
# PostgreSQL 12 the shared memory interlock, which stops a second postmaster
# while any old backend is still attached, is keyed by the data dir's inode and
# does not need postmaster.pid.
clear_stale_pg_locks() {
  local f pid
  for f in "$PG_DATA/postmaster.pid" "$(pg_socket).lock"; do
    [[ -f $f ]] || continue
    pid=$(head -n 1 "$f" 2>/dev/null) || continue
    if [[ $pid =~ ^[0-9]+$ && -e /proc/$pid ]] && ! ours "$pid"; then
      say "removing stale $f (pid $pid is not a live postgres of this stack)"
      rm -f "$f"
    fi
  done
}

start_postgres() {
  prepare_postgres
  init_postgres
  write_postgres_config
  clear_stale_pg_locks
  launch postgres "$(log_file postgres)" "${AS_PG[@]}" "$PG_BIN/postgres" \
    -D "$PG_DATA" -c config_file="$RUN_DIR/postgres.conf"
}

pg_psql() {
  "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -p "$PG_PORT" \
    -U "$PG_SUPERUSER" -d postgres "$@"
}

ensure_ferretdb_database() {
  local found
  found=$(pg_psql -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'") ||
    die "psql could not query PostgreSQL through $(pg_socket)"
  [[ $found == 1 ]] && return 0
  say "creating PostgreSQL database $PG_DATABASE"
  pg_psql -c "CREATE DATABASE $PG_DATABASE" >/dev/null || die "could not create database $PG_DATABASE"
}

# ---------------------------------------------------------------- ferretdb

# Percent-encodes a string for a URL query value.
url_encode() {
  local LC_ALL=C s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9/._~-]) out+=$c ;;
      *) printf -v c '%%%02X' "'$c" && out+=$c ;;
    esac
  done
  echo "$out"
}

start_ferretdb() {
  mkdir -p "$RUN_DIR/ferretdb-state"
  # pgx takes the unix socket's directory as host=/dir in the URL query.
  # --debug-addr=- : no metrics/pprof HTTP listener (one less port to clash).
  launch ferretdb "$(log_file ferretdb)" "$FERRETDB_BIN" \
    --handler=postgresql \
    --postgresql-url="postgres://$PG_SUPERUSER@/$PG_DATABASE?host=$(url_encode "$PG_SOCK_DIR")&port=$PG_PORT" \
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
      # but the process is gone, the server died during startup. (Only whether it
      # is alive: its command line can read empty while it execs the server.)
      if [[ -f $(pid_file "$name") ]] && ! alive "$(<"$(pid_file "$name")")"; then
        fail_start "$name" "process exited"
      elif is_ready "$name"; then
        say "$name ready on $(where "$name") (pid $(running_pid "$name"))"
      else
        still+=("$name")
      fi
    done
    pending=("${still[@]}")
    ((${#pending[@]})) || break
    ((SECONDS < deadline)) || fail_start "${pending[0]}" "not ready after ${START_TIMEOUT}s"
    sleep 0.2
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

# Marks the start in the server's log and launches it.
begin_start() {
  local name=$1
  rm -f "$(pid_file "$name")"
  open_log "$name"
  say "starting $name on $(where "$name")"
  "start_$name"
}

cmd_start() {
  cmd_install
  mkdir -p "$LOG_DIR" "$RUN_DIR" "$KAFKA_DATA"
  [[ -d $STACK_DIR/ferretdb-data ]] &&
    say "note: $STACK_DIR/ferretdb-data (the former SQLite backend's data) is no longer used"
  local to_start=() name pid port
  for name in "${SERVERS[@]}"; do
    if pid=$(running_pid "$name"); then
      say "$name already running (pid $pid)"
      continue
    fi
    if [[ $name != postgres ]]; then # postgres has a private socket, no port
      port=$(port_of "$name")
      port_taken "$port" && die "port 127.0.0.1:$port is already in use by another process (set KINDRED_*_PORT)"
    fi
    [[ $name == kafka ]] && port_taken "$KAFKA_CONTROLLER_PORT" &&
      die "port 127.0.0.1:$KAFKA_CONTROLLER_PORT is already in use by another process (set KINDRED_KAFKA_CONTROLLER_PORT)"
    to_start+=("$name")
  done
  if ((${#to_start[@]} == 0)); then
    say "stack already running in $STACK_DIR; nothing to do"
    return 0
  fi
  SECONDS=0
  # PostgreSQL and Kafka start together; FerretDB once PostgreSQL answers.
  local wanted=" ${to_start[*]} " rest=()
  for name in "${to_start[@]}"; do
    [[ $name == ferretdb ]] || begin_start "$name"
    [[ $name == postgres ]] || rest+=("$name")
  done
  if [[ $wanted == *" postgres "* ]]; then
    wait_ready postgres
    ensure_ferretdb_database
  fi
  if [[ $wanted == *" ferretdb "* ]]; then
    pg_ready || wait_ready postgres
    begin_start ferretdb
  fi
  ((${#rest[@]} == 0)) || wait_ready "${rest[@]}"
  say "stack up in ${SECONDS}s (data and logs in $STACK_DIR)"
}

stop_one() {
  local name=$1 pid deadline sig=TERM
  if ! pid=$(running_pid "$name"); then
    rm -f "$(pid_file "$name")"
    say "$name not running"
    return 0
  fi
  # PostgreSQL: SIGINT is its "fast" shutdown (as pg_ctl stop -m fast): roll back,
  # disconnect clients, checkpoint. SIGTERM ("smart") would wait for every client.
  [[ $name == postgres ]] && sig=INT
  say "stopping $name (pid $pid)"
  kill -"$sig" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  if [[ $name == postgres ]] && alive "$pid"; then
    # "Immediate" shutdown: every child quits at once; crash recovery on next start.
    say "$name did not exit after ${STOP_TIMEOUT}s; sending SIGQUIT"
    kill -QUIT "$pid" 2>/dev/null || true
    deadline=$((deadline + 5))
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  fi
  if alive "$pid"; then
    say "$name did not exit after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    # Wait for the kernel to reap it so its ports are free for a restart.
    while alive "$pid" && ((SECONDS < deadline + 5)); do sleep 0.1; done
  fi
  rm -f "$(pid_file "$name")"
}

cmd_stop() {
  # Kafka takes seconds to stop: in the background. FerretDB before PostgreSQL.
  stop_one kafka &
  local kafka_stop=$!
  stop_one ferretdb
  stop_one postgres
  wait "$kafka_stop"
}

cmd_status() {
  local rc=0 name pid up
  for name in "${SERVERS[@]}"; do
    if pid=$(running_pid "$name"); then
      if [[ $name == postgres ]]; then pg_ready && up=1 || up=""; else port_open "$(port_of "$name")" && up=1 || up=""; fi
      if [[ -n $up ]]; then
        echo "$name: running (pid $pid, $(where "$name") answering)"
      else
        echo "$name: process running (pid $pid) but $(where "$name") not answering"
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
