#!/usr/bin/env bash
# Starts the RepoRadar multi-instance topology with Docker Compose and waits until nginx answers.
#   scripts/deploy-multi-instance.sh          # nginx, reporadar-1..3, PostgreSQL, Redis
#   scripts/deploy-multi-instance.sh --ha     # plus a Redis replica and three Sentinels
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
compose_file="$root/docker/docker-compose.multi-instance.yml"
env_file="$root/docker/.env.multi-instance"
profile=()

for arg in "$@"; do
  case "$arg" in
    --ha) profile=(--profile ha) ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "deploy-multi-instance: unknown option $arg (expected: --ha)" >&2; exit 2 ;;
  esac
done

if ! docker compose version >/dev/null 2>&1; then
  echo "deploy-multi-instance: needs Docker with the compose plugin (docker compose version)" >&2
  exit 2
fi
if [ ! -f "$env_file" ]; then
  echo "deploy-multi-instance: $env_file is missing; copy docker/.env.multi-instance.example and fill it in" >&2
  exit 2
fi
for required in POSTGRES_PASSWORD REDIS_PASSWORD SESSION_SECRET SESSION_ENCRYPTION_KEY; do
  if ! grep -Eq "^${required}=.+" "$env_file"; then
    echo "deploy-multi-instance: $required is empty in $env_file" >&2
    exit 2
  fi
done

docker compose -f "$compose_file" --env-file "$env_file" "${profile[@]}" up -d --build --wait
docker compose -f "$compose_file" --env-file "$env_file" "${profile[@]}" ps
echo "RepoRadar is up: http://localhost:8080 (health: http://localhost:8080/health)"
