#!/usr/bin/env bash
# Starts the RepoRadar multi-instance topology with Docker Compose (v2, else v1) and waits until it is healthy.
#   scripts/deploy-multi-instance.sh          # nginx, INSTANCE_COUNT instances (default 3), PostgreSQL, Redis
#   scripts/deploy-multi-instance.sh --ha     # plus two Redis replicas and three Sentinels, which the instances follow
#   scripts/deploy-multi-instance.sh --tls    # nginx serves https on LB_HTTPS_PORT (docker-compose.tls.yml)
#   scripts/deploy-multi-instance.sh --instances 5   # scales to 5 (with the options it was deployed with)
# Then nginx is reloaded: it resolves the service name again, to every replica now running (docs/scaling.md).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
env_file="$root/docker/.env.multi-instance"
files=(-f "$root/docker/docker-compose.multi-instance.yml")
required=(POSTGRES_PASSWORD REDIS_PASSWORD SESSION_SECRET SESSION_ENCRYPTION_KEY)
tls=""
instances=""

while [ "$#" -gt 0 ]; do
  case "$1" in
    --ha) files+=(-f "$root/docker/docker-compose.ha.yml"); required+=(REDIS_SENTINEL_PASSWORD) ;;
    --tls) files+=(-f "$root/docker/docker-compose.tls.yml"); tls=yes ;;
    --instances)
      if [ "$#" -lt 2 ] || ! [[ "$2" =~ ^[1-9][0-9]{0,2}$ ]]; then
        echo "deploy-multi-instance: --instances ${2:-} (expected: a number of instances, 1 to 999)" >&2
        exit 2
      fi
      instances="$2"
      shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "deploy-multi-instance: unknown option $1 (expected: --ha, --tls, --instances N)" >&2; exit 2 ;;
  esac
  shift
done

# Compose v2 (the docker plugin) when there is one, else v1 (docker-compose, what many distributions package).
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "deploy-multi-instance: needs Docker Compose: the compose plugin (docker compose version) or docker-compose" >&2
  exit 2
fi
if [ ! -f "$env_file" ]; then
  echo "deploy-multi-instance: $env_file is missing; copy docker/.env.multi-instance.example and fill it in" >&2
  exit 2
fi
for name in "${required[@]}"; do
  if ! grep -Eq "^${name}=.+" "$env_file"; then
    echo "deploy-multi-instance: $name is empty in $env_file" >&2
    exit 2
  fi
done
setting() { # the env file's value of $1, else $2
  local value
  value=$(grep -E "^$1=" "$env_file" | tail -n 1 | cut -d= -f2-)
  echo "${value:-$2}"
}

compose+=("${files[@]}" --env-file "$env_file")

# Starts or stops replicas so that $1 run (none given: INSTANCE_COUNT, the env file's, else 3) and waits until every
# container is healthy.
up_and_wait() {
  local up=(up -d --build)
  if [ -n "${1:-}" ]; then
    up+=(--scale "reporadar=$1" --no-recreate)
  fi
  if [ "${compose[0]}" = docker ] && [ "${compose[1]}" = compose ]; then
    "${compose[@]}" "${up[@]}" --wait
    return
  fi
  # Compose v1 has no --wait: poll each container's health check (every service has one).
  "${compose[@]}" "${up[@]}"
  deadline=$(( SECONDS + ${DEPLOY_WAIT_SECONDS:-300} ))
  while :; do
    mapfile -t ids < <("${compose[@]}" ps -q)
    if [ "${#ids[@]}" -eq 0 ]; then
      echo "deploy-multi-instance: no container is running" >&2
      exit 1
    fi
    pending=()
    while read -r name state; do
      case "$state" in
        healthy|running) ;; # running: a container without a health check
        # restarting: an instance that refused to start (a pool past max_connections says so in its log) and whose
        # restart policy starts it again; nginx is not reloaded, so it gets no traffic
        exited|dead|restarting) echo "deploy-multi-instance: ${name#/} $state; see: ${compose[*]} logs ${name#/}" >&2; exit 1 ;;
        *) pending+=("${name#/} ($state)") ;;
      esac
    done < <(docker inspect --format '{{.Name}} {{if .State.Restarting}}restarting{{else if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "${ids[@]}")
    [ "${#pending[@]}" -eq 0 ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "deploy-multi-instance: not healthy in time: ${pending[*]}" >&2
      exit 1
    fi
    sleep 2
  done
}

# nginx resolved the service name to the replicas running when it started or last reloaded: a reload resolves it
# again, so new replicas get traffic and removed ones none (its old workers finish the requests they hold).
reload_nginx() {
  "${compose[@]}" exec -T nginx nginx -s reload
}

# The compose file scales the instances to INSTANCE_COUNT, and each pool checks its budget against it. --instances
# overrides it for this run (the shell's value wins over the env file's): the replicas it starts check
# (N + INSTANCE_SURGE) x DB_POOL_MAX against max_connections, and refuse to start when that does not fit (then nginx
# is not reloaded: they get no traffic). The running ones are left as they are (--no-recreate).
if [ -n "$instances" ]; then
  export INSTANCE_COUNT="$instances"
  running=$("${compose[@]}" ps -q reporadar | grep -c . || true)
  # Down one replica at a time, nginx reloaded after each: a stopping replica drains, then refuses connections, which
  # nginx retries on another replica (up to 3 tries a request); with one stopped at a time, a request always finds
  # a live one. Several stopped at once could take all 3 tries.
  while [ "$running" -gt $((instances + 1)) ]; do
    running=$((running - 1))
    up_and_wait "$running"
    reload_nginx
  done
fi
up_and_wait "$instances"
reload_nginx
"${compose[@]}" ps
if [ -n "$tls" ]; then
  url="https://localhost:$(setting LB_HTTPS_PORT 443)"
else
  url="http://localhost:$(setting LB_PORT 80)"
fi
echo "RepoRadar is up: $url (health: $url/health)"
