#!/usr/bin/env bash
# Checks that `./mvnw -Prelease verify` produces what Maven Central requires, without uploading anything.
#
# Builds a copy of this checkout (tracked and new files, no target/) with the release profile, signing with a
# throwaway key made for the check in a temporary GNUPGHOME, then scripts/CheckRelease.java checks every
# published artifact: jar, sources and javadoc jars (pom alone for the parent and the BOM), a signature of
# each that gpg verifies, and name, description, url, licenses, developers and scm in its effective pom. It
# never touches the checkout's target/ directories, ~/.m2 beyond downloading plugins, or a real key.
#
# Usage: scripts/check-release.sh [maven options]    e.g. -o to stay offline once the plugins are downloaded.
# Needs a JDK 17+, git and gpg. Exits 1 naming what is missing; the Maven log stays in the work directory then.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

for tool in git gpg gpg-agent gpgconf java; do
  command -v "$tool" >/dev/null 2>&1 || { echo "check-release: needs $tool (apt-get install gpg gpg-agent git, or a JDK)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/reporadar-release-check.XXXXXX")
keep_work=""
finish() {
  # gpg started an agent for the throwaway keyring: stop it, it must not outlive the check.
  gpgconf --homedir "$work/gnupg" --kill all >/dev/null 2>&1 || true
  if [ -z "$keep_work" ]; then rm -rf "$work"; fi
}
trap finish EXIT
fail() {
  echo "check-release: $1" >&2
  echo "check-release: Maven's log and the build are in $work" >&2
  keep_work=yes
  exit 1
}
started=$SECONDS

# A copy, so that neither the checkout's own build output nor stale signatures from an earlier run count.
mkdir -p "$work/src"
git -C "$root" ls-files -z --cached --others --exclude-standard \
  | (cd "$root" && while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) \
  | tar -C "$root" --null -T - -cf - | tar -C "$work/src" -xf -

# The throwaway key: made here, valid for a day, never leaves $work.
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'RepoRadar release check (throwaway key) <release-check@reporadar.invalid>' \
  ed25519 sign 1d > "$work/gpg.log" 2>&1 || { cat "$work/gpg.log" >&2; fail "gpg could not make the throwaway key"; }
MAVEN_GPG_KEY=$(gpg --batch --armor --export-secret-keys)
export MAVEN_GPG_KEY
unset MAVEN_GPG_PASSPHRASE MAVEN_GPG_KEY_FINGERPRINT

cd "$work/src"
echo "check-release: ./mvnw -Prelease verify (tests skipped) in a copy at $work/src, signing with a throwaway key"
# demo-app, demo-launcher and benchmarks are not published: the check leaves them out of the build (the
# effective poms below still include them, to check that the Central plugin skips them).
./mvnw -B -ntp -Prelease -Dgpg.signer=bc -Dmaven.test.skip=true -pl '!demo-app,!demo-launcher,!benchmarks' "$@" verify \
  > "$work/build.log" 2>&1 || { tail -n 60 "$work/build.log" >&2; fail "./mvnw -Prelease verify failed"; }
./mvnw -B -ntp -q -Prelease "$@" help:effective-pom -Doutput="$work/effective-poms.xml" \
  > "$work/effective-pom.log" 2>&1 || { tail -n 60 "$work/effective-pom.log" >&2; fail "help:effective-pom failed"; }

java "$root/scripts/CheckRelease.java" "$work/src" "$work/effective-poms.xml" || fail "the release artifacts are incomplete"
echo "check-release: passed in $(( SECONDS - started )) s; nothing was uploaded"
