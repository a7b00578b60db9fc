#!/usr/bin/env bash
# Real local services for development and CI, without Docker: Kafka (KRaft, jars from Maven
# Central), InfluxDB 1.x and Prometheus (Debian packages), MLflow (a pip venv).
#
#   bash deploy/local/services.sh up|down|status [kafka] [influxdb] [prometheus] [mlflow]
#
# No names: `up` starts $EDGEFLOW_SERVICES (space or comma separated; default
# "kafka influxdb prometheus"); `down` and `status` cover every service.
# State lives in ${EDGEFLOW_HOME:-<repo>/.edgeflow}/services/<name>/ (pid, log, data/);
# after up/down, services/env holds `export KEY=value` lines for what runs.
# Everything binds 127.0.0.1. See docs/operations-local-services.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/deploy/local"
mkdir -p "${EDGEFLOW_HOME:-$ROOT/.edgeflow}"
EDGEFLOW_HOME=$(cd "${EDGEFLOW_HOME:-$ROOT/.edgeflow}" && pwd)
SERVICES_DIR="$EDGEFLOW_HOME/services"
ALL_SERVICES=(kafka influxdb prometheus mlflow)

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:-${KAFKA_HEAP:--Xms256m -Xmx1G}}
INFLUX_PORT=${INFLUX_PORT:-8086}
INFLUX_RPC_PORT=${INFLUX_RPC_PORT:-8088}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
MLFLOW_PORT=${MLFLOW_PORT:-5000}
# Seconds to wait for readiness; a first MLflow start runs its DB migrations.
KAFKA_READY_TIMEOUT=${KAFKA_READY_TIMEOUT:-150}
INFLUX_READY_TIMEOUT=${INFLUX_READY_TIMEOUT:-60}
PROMETHEUS_READY_TIMEOUT=${PROMETHEUS_READY_TIMEOUT:-60}
MLFLOW_READY_TIMEOUT=${MLFLOW_READY_TIMEOUT:-240}
STOP_TIMEOUT=${EDGEFLOW_STOP_TIMEOUT:-20}

SECONDS=0
say() { printf '[services %4ss] %s\n' "$SECONDS" "$*"; }
die() { printf '[services %4ss] ERROR: %s\n' "$SECONDS" "$*" >&2; exit 1; }

state_dir() { echo "$SERVICES_DIR/$1"; }
pid_file() { echo "$SERVICES_DIR/$1/pid"; }
log_file() { echo "$SERVICES_DIR/$1/log"; }

url_of() {
  case $1 in
    kafka) echo "127.0.0.1:$KAFKA_PORT" ;;
    influxdb) echo "http://127.0.0.1:$INFLUX_PORT" ;;
    prometheus) echo "http://127.0.0.1:$PROMETHEUS_PORT" ;;
    mlflow) echo "http://127.0.0.1:$MLFLOW_PORT" ;;
  esac
}

ports_of() {
  case $1 in
    kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;;
    influxdb) echo "$INFLUX_PORT $INFLUX_RPC_PORT" ;;
    prometheus) echo "$PROMETHEUS_PORT" ;;
    mlflow) echo "$MLFLOW_PORT" ;;
  esac
}

# ---------------------------------------------------------------- processes

# Alive and not a zombie (a service we just started and killed is our child until reaped).
alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# A pid is ours only if its command line names this service's state dir: pids get reused.
ours() {
  local name=$1 pid=$2
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(state_dir "$name")/"
}

# Pid of the running service, or nothing.
running_pid() {
  local name=$1 pid
  pid=$(cat "$(pid_file "$name")" 2>/dev/null || true)
  if [[ -n $pid ]] && ours "$name" "$pid"; then echo "$pid"; fi
}

# Live, non-zombie members of a process group (each service leads its own session/group).
group_members() {
  local pgid=$1 p
  for p in $(pgrep -g "$pgid" 2>/dev/null || true); do
    if alive "$p"; then echo "$p"; fi
  done
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Start "$@" in its own session (so `down` can signal the whole group, e.g. MLflow's
# uvicorn child), stdout+stderr appended to the service log, pid written by the process
# itself just before exec. fd 9 (our lock) is closed so the service does not hold it.
launch() {
  local name=$1; shift
  local pidf logf
  pidf=$(pid_file "$name"); logf=$(log_file "$name")
  rm -f "$pidf"
  printf '\n===== %s starting: %s\n' "$(date -Is)" "$*" >>"$logf"
  setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidf" "$@" \
    </dev/null >>"$logf" 2>&1 9>&- &
  local i
  for i in $(seq 1 50); do
    [[ -s $pidf ]] && return 0
    sleep 0.1
  done
  die "$name: process did not start (see $logf)"
}

stop_service() {
  local name=$1 pidf pid
  pidf=$(pid_file "$name")
  pid=$(cat "$pidf" 2>/dev/null || true)
  if [[ -z $pid ]]; then say "$name not running"; return 0; fi
  if ! ours "$name" "$pid"; then
    say "$name not running (stale pid file $pid removed)"
    rm -f "$pidf"
    return 0
  fi
  say "$name stopping (pid $pid, SIGTERM)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while [[ -n $(group_members "$pid") ]] && ((waited < STOP_TIMEOUT * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if [[ -n $(group_members "$pid") ]]; then
    say "$name still alive after ${STOP_TIMEOUT}s: SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  # Reap it if it is our own child (a failed start in this same run).
  wait "$pid" 2>/dev/null || true
  if [[ -n $(group_members "$pid") ]]; then
    die "$name: processes $(group_members "$pid" | tr '\n' ' ')still alive after SIGKILL"
  fi
  rm -f "$pidf"
  say "$name stopped"
}

log_tail() {
  local logf
  logf=$(log_file "$1")
  echo "----- last 40 lines of $logf -----" >&2
  tail -n 40 "$logf" >&2 || true
  echo "-----" >&2
}

# wait_ready <name> <timeout> <probe command...>: probe until it succeeds, the process dies
# or the timeout passes; on failure print the log tail and stop what we started.
wait_ready() {
  local name=$1 timeout=$2; shift 2
  local pid start=$SECONDS
  pid=$(cat "$(pid_file "$name")")
  while true; do
    if "$@"; then
      say "$name ready (pid $pid, $(url_of "$name"), $((SECONDS - start))s)"
      return 0
    fi
    if ! alive "$pid"; then
      log_tail "$name"
      rm -f "$(pid_file "$name")"
      wait "$pid" 2>/dev/null || true
      printf '[services %4ss] ERROR: %s exited before it was ready (log: %s)\n' \
        "$SECONDS" "$name" "$(log_file "$name")" >&2
      return 1
    fi
    if ((SECONDS - start >= timeout)); then
      log_tail "$name"
      printf '[services %4ss] ERROR: %s not ready after %ss (log: %s); stopping it\n' \
        "$SECONDS" "$name" "$timeout" "$(log_file "$name")" >&2
      stop_service "$name" >&2 || true
      return 1
    fi
    sleep 1
  done
}

http_status_is() {
  local want=$1 url=$2
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$url" 2>/dev/null) == "$want" ]]
}

# ---------------------------------------------------------------- installs

apt_install() {
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  say "apt-get install $*"
  local opts=(-y -q -o DPkg::Lock::Timeout=600)
  if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install "${opts[@]}" "$@" >/dev/null; then
    say "apt-get install failed: apt-get update, then again"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install "${opts[@]}" "$@" >/dev/null
  fi
}

ensure_kafka_libs() {
  local libs="$SERVICES_DIR/kafka/libs" pom="$HERE/kafka/pom.xml" sha stamp
  stamp="$libs/.pom.sha256"
  sha=$(sha256sum "$pom" | cut -d' ' -f1)
  if compgen -G "$libs/*.jar" >/dev/null && [[ $(cat "$stamp" 2>/dev/null) == "$sha" ]]; then
    return 0
  fi
  command -v java >/dev/null || die "kafka: java not found (install a JDK 17, e.g. apt-get install openjdk-17-jre-headless)"
  command -v mvn >/dev/null || die "kafka: mvn not found (apt-get install maven)"
  say "kafka: resolving jars from Maven Central into $libs (first time takes a minute or two)"
  rm -rf "$libs"
  mkdir -p "$libs"
  if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$libs" >"$SERVICES_DIR/kafka/mvn.log" 2>&1; then
    tail -n 30 "$SERVICES_DIR/kafka/mvn.log" >&2
    rm -rf "$libs"
    die "kafka: Maven could not resolve $pom (log: $SERVICES_DIR/kafka/mvn.log)"
  fi
  echo "$sha" >"$stamp"
  say "kafka: $(find "$libs" -name '*.jar' | wc -l) jars resolved"
}

ensure_debian_binaries() {
  local name=$1 pkg=$1; shift
  local missing=0 b
  for b in "$@"; do command -v "$b" >/dev/null || missing=1; done
  ((missing == 0)) && return 0
  apt_install "$pkg"
  for b in "$@"; do command -v "$b" >/dev/null || die "$name: $b still missing after apt-get install $pkg"; done
}

MLFLOW_VENV="$EDGEFLOW_HOME/venvs/mlflow"

ensure_mlflow_venv() {
  local req="$HERE/mlflow/requirements.txt" stamp="$MLFLOW_VENV/.requirements.sha256" sha
  sha=$(sha256sum "$req" | cut -d' ' -f1)
  if [[ -x $MLFLOW_VENV/bin/mlflow && $(cat "$stamp" 2>/dev/null) == "$sha" ]]; then return 0; fi
  if [[ ! -x $MLFLOW_VENV/bin/python ]]; then
    say "mlflow: creating venv $MLFLOW_VENV"
    python3 -m venv "$MLFLOW_VENV" || die "mlflow: python3 -m venv failed (apt-get install python3-venv)"
  fi
  say "mlflow: pip install -r deploy/local/mlflow/requirements.txt (first time takes a few minutes)"
  local piplog="$SERVICES_DIR/mlflow/pip.log"
  mkdir -p "$SERVICES_DIR/mlflow"
  if ! "$MLFLOW_VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >"$piplog" 2>&1; then
    tail -n 30 "$piplog" >&2
    die "mlflow: pip install failed (log: $piplog)"
  fi
  echo "$sha" >"$stamp"
  say "mlflow: installed $("$MLFLOW_VENV/bin/python" -c 'import mlflow; print(mlflow.__version__)')"
}

# ---------------------------------------------------------------- services

start_kafka() {
  local st libs props data
  st=$(state_dir kafka); libs="$st/libs"; props="$st/server.properties"; data="$st/data"
  ensure_kafka_libs
  mkdir -p "$data"
  cat >"$props" <<EOF
# Generated by deploy/local/services.sh on every start: edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/logs
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
# Small internal topics and no initial rebalance delay: consumer groups and transactional
# producers get going in well under a second on one node.
offsets.topic.num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=72
log.segment.bytes=104857600
EOF
  cat >"$st/admin.properties" <<EOF
request.timeout.ms=3000
default.api.timeout.ms=5000
EOF
  local java_common=(-Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" -cp "$libs/*")
  if [[ ! -f $data/logs/meta.properties ]]; then
    local cluster_id
    cluster_id=$(java "${java_common[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    [[ $cluster_id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "kafka: StorageTool random-uuid gave '$cluster_id'"
    say "kafka: formatting storage (cluster id $cluster_id)"
    java "${java_common[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" \
      >>"$(log_file kafka)" 2>&1 || { log_tail kafka; die "kafka: storage format failed"; }
  fi
  say "kafka: starting broker+controller on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT)"
  # shellcheck disable=SC2086 # heap options are a word list
  launch kafka java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    "${java_common[@]}" kafka.Kafka "$props"
  wait_ready kafka "$KAFKA_READY_TIMEOUT" kafka_answers
}

# Ready = the admin API answers a topic listing (not just an open port).
kafka_answers() {
  port_busy "$KAFKA_PORT" || return 1
  local st
  st=$(state_dir kafka)
  timeout 30 java -Xmx128m -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" -cp "$st/libs/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
    --command-config "$st/admin.properties" --list >/dev/null 2>&1
}

start_influxdb() {
  local st conf
  st=$(state_dir influxdb); conf="$st/influxdb.conf"
  ensure_debian_binaries influxdb influxd
  mkdir -p "$st/data/meta" "$st/data/data" "$st/data/wal"
  cat >"$conf" <<EOF
# Generated by deploy/local/services.sh on every start: edit the script, not this file.
# Debian's influxdb names the switch reporting-enabled; upstream 1.x reporting-disabled.
reporting-enabled = false
reporting-disabled = true
bind-address = "127.0.0.1:$INFLUX_RPC_PORT"

[meta]
  dir = "$st/data/meta"

[data]
  dir = "$st/data/data"
  wal-dir = "$st/data/wal"
  query-log-enabled = false

[monitor]
  # No _internal database: less disk and CPU on a shared dev/CI machine.
  store-enabled = false

[subscriber]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:$INFLUX_PORT"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "info"
  suppress-logo = true
EOF
  say "influxdb: starting $(influxd version 2>/dev/null | head -n 1) on 127.0.0.1:$INFLUX_PORT"
  launch influxdb influxd -config "$conf"
  wait_ready influxdb "$INFLUX_READY_TIMEOUT" http_status_is 204 "http://127.0.0.1:$INFLUX_PORT/ping"
}

start_prometheus() {
  local st conf src="$ROOT/deploy/prometheus/prometheus.yml"
  st=$(state_dir prometheus); conf="$st/prometheus.yml"
  ensure_debian_binaries prometheus prometheus promtool
  mkdir -p "$st/data" "$st/targets"
  # The checked-in config uses paths relative to deploy/prometheus/; make them absolute:
  # targets from our state dir (tests write file_sd files there), rules from the repo.
  sed -e "s#- targets/\*\.json#- $st/targets/*.json#" \
      -e "s#- rules/\*\.rules\.yml#- $ROOT/deploy/prometheus/rules/*.rules.yml#" \
      "$src" >"$conf"
  grep -qF "$st/targets/*.json" "$conf" || die "prometheus: could not rewrite the targets path in $src"
  promtool check config "$conf" >>"$(log_file prometheus)" 2>&1 \
    || { log_tail prometheus; die "prometheus: promtool check config $conf failed"; }
  say "prometheus: starting $(prometheus --version 2>&1 | head -n 1 | awk '{print $3}') on 127.0.0.1:$PROMETHEUS_PORT"
  launch prometheus prometheus --config.file="$conf" --storage.tsdb.path="$st/data" \
    --storage.tsdb.retention.time=3d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-lifecycle
  wait_ready prometheus "$PROMETHEUS_READY_TIMEOUT" http_status_is 200 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"
}

start_mlflow() {
  local st
  st=$(state_dir mlflow)
  ensure_mlflow_venv
  mkdir -p "$st/data/artifacts"
  say "mlflow: starting tracking server on 127.0.0.1:$MLFLOW_PORT"
  # Telemetry off: no calls out of the machine. Job execution off: it runs ~8 huey worker
  # processes (~2 GB) for GenAI features (judges, trace archival) we do not use; set
  # MLFLOW_SERVER_ENABLE_JOB_EXECUTION=true to have them. The host allow-list (MLflow 3.5+
  # security middleware) names the addresses our clients use.
  launch mlflow env MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true \
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION="${MLFLOW_SERVER_ENABLE_JOB_EXECUTION:-false}" \
    "$MLFLOW_VENV/bin/mlflow" server --host 127.0.0.1 --port "$MLFLOW_PORT" \
    --backend-store-uri "sqlite:///$st/data/mlflow.db" \
    --artifacts-destination "$st/data/artifacts" --serve-artifacts --workers 1 \
    --allowed-hosts "127.0.0.1:$MLFLOW_PORT,localhost:$MLFLOW_PORT,127.0.0.1,localhost"
  wait_ready mlflow "$MLFLOW_READY_TIMEOUT" http_status_is 200 "http://127.0.0.1:$MLFLOW_PORT/health"
}

up_one() {
  local name=$1 pid p
  mkdir -p "$(state_dir "$name")"
  pid=$(running_pid "$name")
  if [[ -n $pid ]]; then
    echo "$name already running (pid $pid)"
    return 0
  fi
  for p in $(ports_of "$name"); do
    if port_busy "$p"; then
      printf '[services %4ss] ERROR: %s: port 127.0.0.1:%s is taken by a process not started by this script (%s)\n' \
        "$SECONDS" "$name" "$p" "$(ss -ltnpH "sport = :$p" 2>/dev/null | head -n 1)" >&2
      return 1
    fi
  done
  "start_$name"
}

write_env() {
  local f="$SERVICES_DIR/env" tmp
  tmp=$(mktemp "$SERVICES_DIR/.env.XXXXXX")
  {
    echo "# Written by deploy/local/services.sh at $(date -Is): the services running now."
    [[ -n $(running_pid kafka) ]] && echo "export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
    [[ -n $(running_pid influxdb) ]] && echo "export INFLUX_URL=http://127.0.0.1:$INFLUX_PORT"
    if [[ -n $(running_pid prometheus) ]]; then
      echo "export PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
      echo "export PROMETHEUS_TARGETS_DIR=$(state_dir prometheus)/targets"
    fi
    [[ -n $(running_pid mlflow) ]] && echo "export MLFLOW_TRACKING_URI=http://127.0.0.1:$MLFLOW_PORT"
    true
  } >"$tmp"
  mv "$tmp" "$f"
}

status_one() {
  local name=$1 pid
  pid=$(running_pid "$name")
  if [[ -n $pid ]]; then echo "$name running pid=$pid $(url_of "$name")"; else echo "$name stopped"; fi
}

# ---------------------------------------------------------------- main

usage() {
  echo "usage: $0 up|down|status [kafka] [influxdb] [prometheus] [mlflow]" >&2
  exit 2
}

main() {
  local cmd=${1:-}; shift || true
  [[ $cmd == up || $cmd == down || $cmd == status ]] || usage
  local names=("$@") n
  if ((${#names[@]} == 0)); then
    if [[ $cmd == up ]]; then
      read -r -a names <<<"${EDGEFLOW_SERVICES:-kafka influxdb prometheus}"
      names=(${names[@]//,/ })
    else
      names=("${ALL_SERVICES[@]}")
    fi
  fi
  for n in "${names[@]}"; do
    [[ " ${ALL_SERVICES[*]} " == *" $n "* ]] || { echo "unknown service: $n" >&2; usage; }
  done

  if [[ $cmd == status ]]; then
    for n in "${names[@]}"; do status_one "$n"; done
    return 0
  fi

  mkdir -p "$SERVICES_DIR"
  # One up/down at a time per state dir (tests and a developer may race).
  exec 9>"$SERVICES_DIR/.lock"
  flock -w 900 9 || die "another services.sh up/down holds $SERVICES_DIR/.lock"

  local failed=()
  if [[ $cmd == up ]]; then
    for n in "${names[@]}"; do up_one "$n" || failed+=("$n"); done
  else
    for n in "${names[@]}"; do stop_service "$n" || failed+=("$n"); done
  fi
  write_env
  if ((${#failed[@]} > 0)); then
    die "$cmd failed for: ${failed[*]}"
  fi
  local now=()
  for n in "${ALL_SERVICES[@]}"; do [[ -z $(running_pid "$n") ]] || now+=("$n"); done
  say "$cmd done; running: ${now[*]:-none}; env in $SERVICES_DIR/env"
}

main "$@"
