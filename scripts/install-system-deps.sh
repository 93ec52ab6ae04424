#!/usr/bin/env bash
# Installs the system pieces the tests use, from Debian's packages, into .tools/ where a
# package would clash with the machine's own kubectl. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
mkdir -p "$TOOLS"

need_update=1
apt_update() {
  if [ "$need_update" = 1 ]; then
    apt-get update -qq
    need_update=0
  fi
}

# kubectl 1.32 comes with the machine image (/usr/bin/kubectl, the Cloud SDK dispatcher).
if ! command -v kubectl >/dev/null 2>&1; then
  echo "install-system-deps: kubectl is not on PATH; the plugin and conformance tests need kubectl 1.32" >&2
  exit 1
fi

# kubectl 1.20 (Debian kubernetes-client), unpacked rather than installed so that it does not
# replace /usr/bin/kubectl.
if [ ! -x "$TOOLS/kubectl-1.20/usr/bin/kubectl" ]; then
  apt_update
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq kubernetes-client)
  dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$TOOLS/kubectl-1.20"
  rm -rf "$tmp"
fi
"$TOOLS/kubectl-1.20/usr/bin/kubectl" version --client=true >/dev/null 2>&1 || {
  echo "install-system-deps: kubectl 1.20 from kubernetes-client does not run" >&2
  exit 1
}
# Prometheus (Debian prometheus), unpacked into .tools/prometheus rather than installed: no system
# service, no prometheus user, no Recommends. The analysis tests start it on a free loopback port.
if [ ! -x "$TOOLS/prometheus/usr/bin/prometheus" ]; then
  apt_update
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq prometheus)
  dpkg-deb -x "$tmp"/prometheus_*.deb "$TOOLS/prometheus"
  rm -rf "$tmp"
fi
"$TOOLS/prometheus/usr/bin/prometheus" --version >/dev/null 2>&1 || {
  echo "install-system-deps: prometheus from the Debian package does not run" >&2
  exit 1
}
# openssl makes the self-signed certificates of the TLS provider tests.
if ! command -v openssl >/dev/null 2>&1; then
  apt_update
  apt-get install -y -qq openssl >/dev/null
fi
# Chromium (Debian chromium) for the dashboard's browser tests, driven by playwright-core with
# executablePath /usr/bin/chromium (playwright's own browser download is unreachable here).
if [ ! -x /usr/bin/chromium ]; then
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version >/dev/null 2>&1 || {
  echo "install-system-deps: /usr/bin/chromium does not run" >&2
  exit 1
}
echo "install-system-deps: kubectl $(kubectl version --client 2>/dev/null | head -1), kubectl 1.20 and prometheus in .tools/, $(/usr/bin/chromium --version 2>/dev/null)"
