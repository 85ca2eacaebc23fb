#!/bin/sh
# Starts a Redis data node of the compose topology: start-node.sh [redis-server arguments...].
#
# The password is written from REDIS_PASSWORD into a file the node reads (never onto a command line). With
# Sentinels (REDIS_SENTINELS="host:port host:port ...", the ha profile), a node that starts while most of them
# name another node as master starts as that master's replica (--replicaof, after the given arguments). A node
# that came back as a master, with its old data and no replicas, is one Sentinel may promote at the next
# failover whatever its --replica-priority: Sentinel reads priorities and offsets only from nodes that report
# themselves replicas, so it would throw away every write acknowledged since (docs/high-availability.md,
# "The campaign's second finding"). When the Sentinels do not answer or disagree (the first start), the node
# starts as its arguments say.
#
# REDIS_MASTER_NAME (reporadar-master), REDIS_SENTINEL_PASSWORD, REDIS_PORT (6379), REDIS_SELF_ADDRESSES
# (hostname -i), REDIS_AUTH_FILE (/tmp/auth.conf) and REDIS_SERVER (redis-server) may be set.
set -eu
: "${REDIS_PASSWORD:?REDIS_PASSWORD: missing}"
auth_file=${REDIS_AUTH_FILE:-/tmp/auth.conf}
(umask 077 && printf 'requirepass "%s"\nmasterauth "%s"\n' "$REDIS_PASSWORD" "$REDIS_PASSWORD" > "$auth_file")

if [ -n "${REDIS_SENTINELS:-}" ]; then
  [ -z "${REDIS_SENTINEL_PASSWORD:-}" ] || export REDISCLI_AUTH="$REDIS_SENTINEL_PASSWORD"
  count=0
  answers=""
  for sentinel in $REDIS_SENTINELS; do
    count=$((count + 1))
    answer=$(timeout 2 redis-cli -h "${sentinel%:*}" -p "${sentinel##*:}" --raw \
      SENTINEL get-master-addr-by-name "${REDIS_MASTER_NAME:-reporadar-master}" 2>/dev/null | tr '\n' ' ' || true)
    case "$answer" in
      ?*" "[0-9]*" ") answers="$answers$answer
" ;;
    esac
  done
  agreed=$(printf '%s' "$answers" | sort | uniq -c | awk -v need=$((count / 2 + 1)) '$1 >= need { print $2 " " $3; exit }')
  if [ -n "$agreed" ]; then
    host=${agreed% *}
    port=${agreed#* }
    self=" ${REDIS_SELF_ADDRESSES:-$(hostname -i 2>/dev/null || true)} "
    case "$self" in
      *" $host "*) [ "$port" = "${REDIS_PORT:-6379}" ] && agreed="" ;;
    esac
  fi
  if [ -n "$agreed" ]; then
    echo "start-node.sh: most Sentinels name $host:$port as master: starting as its replica" >&2
    set -- "$@" --replicaof "$host" "$port"
  fi
fi
exec "${REDIS_SERVER:-redis-server}" "$auth_file" "$@"
