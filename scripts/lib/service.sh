# Shared by the scripts that run a local Java service for tests and dev (kafka.sh, apicurio.sh):
# messages, logs on failure, and stopping by pid file. Source it after setting SCRIPT_NAME.

die() { echo "$SCRIPT_NAME: $*" >&2; exit 1; }

# Shutdown chatter buries the cause, so the first errors come before the tail.
show_log() {
  echo "--- first errors in $1:" >&2
  grep -m 8 -E 'ERROR|FATAL|Exception' "$1" >&2 || true
  echo "--- last lines:" >&2
  tail -n 25 "$1" >&2
}

# pid_running PIDFILE: the process the file names is alive.
pid_running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid PIDFILE: TERM, then KILL after 20 s (a KRaft node that lost its quorum can hang on
# TERM), waits for the process to be gone and removes the file.
stop_pid() {
  if ! pid_running "$1"; then rm -f "$1"; return 0; fi
  local pid
  pid="$(cat "$1")"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$SCRIPT_NAME: pid $pid ignored TERM, killing" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$1"
}
