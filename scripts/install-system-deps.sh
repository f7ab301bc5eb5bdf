#!/usr/bin/env bash
# Installs the Debian packages that the end-to-end tests use, when they are missing.
# Needs root or sudo; prints what it would install otherwise.
set -euo pipefail
packages=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "install-system-deps: please install: ${missing[*]}" >&2
  exit 1
fi
install() {
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
echo "install-system-deps: installing ${missing[*]}"
$sudo apt-get update -qq
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  # Tests start throwaway clusters of their own (packages/test-support), so the server package must not
  # create and start Debian's default "main" cluster: postgresql-common first, then switch that off.
  install postgresql-common
  $sudo pg_conftool /etc/postgresql-common/createcluster.conf set create_main_cluster false
fi
install "${missing[@]}"
