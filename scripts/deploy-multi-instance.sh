#!/usr/bin/env bash
# Starts the RepoRadar multi-instance topology with Docker Compose (v2, else v1) and waits until it is healthy.
#   scripts/deploy-multi-instance.sh          # nginx, reporadar-1..3, PostgreSQL, Redis
#   scripts/deploy-multi-instance.sh --ha     # plus two Redis replicas and three Sentinels, which the instances follow
#   scripts/deploy-multi-instance.sh --tls    # nginx serves https on LB_HTTPS_PORT (docker-compose.tls.yml)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
env_file="$root/docker/.env.multi-instance"
files=(-f "$root/docker/docker-compose.multi-instance.yml")
required=(POSTGRES_PASSWORD REDIS_PASSWORD SESSION_SECRET SESSION_ENCRYPTION_KEY)
tls=""

for arg in "$@"; do
  case "$arg" in
    --ha) files+=(-f "$root/docker/docker-compose.ha.yml"); required+=(REDIS_SENTINEL_PASSWORD) ;;
    --tls) files+=(-f "$root/docker/docker-compose.tls.yml"); tls=yes ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "deploy-multi-instance: unknown option $arg (expected: --ha, --tls)" >&2; exit 2 ;;
  esac
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
if [ "${compose[0]}" = docker ] && [ "${compose[1]}" = compose ]; then
  "${compose[@]}" up -d --build --wait
else
  # Compose v1 has no --wait: poll each container's health check (every service has one).
  "${compose[@]}" up -d --build
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
        exited|dead) echo "deploy-multi-instance: ${name#/} $state; see: ${compose[*]} logs ${name#/}" >&2; exit 1 ;;
        *) pending+=("${name#/} ($state)") ;;
      esac
    done < <(docker inspect --format '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "${ids[@]}")
    [ "${#pending[@]}" -eq 0 ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "deploy-multi-instance: not healthy in time: ${pending[*]}" >&2
      exit 1
    fi
    sleep 2
  done
fi
"${compose[@]}" ps
if [ -n "$tls" ]; then
  url="https://localhost:$(setting LB_HTTPS_PORT 443)"
else
  url="http://localhost:$(setting LB_PORT 80)"
fi
echo "RepoRadar is up: $url (health: $url/health)"
