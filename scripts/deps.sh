#!/usr/bin/env bash
# Install carptop's build and test dependencies on Debian 12 (as root, or via sudo).
set -euo pipefail
pkgs=(
  build-essential meson ninja-build pkg-config
  libncurses-dev libcurl4-openssl-dev libjson-c-dev libssh2-1-dev libyaml-dev libxml2-dev
  libmicrohttpd-dev
  libssl-dev jq time openssl openssh-server openssh-client csh tmux curl
  # an HTTP/2 front (nghttpx) before carpsim for the api-h2 suite
  nghttp2-proxy
  # the ssh harness runs carptop's VIP program with the real PHP CLI
  # (tests/ssh/phpstub); unshare gives it a private /tmp
  php-cli util-linux
  # the fuzz targets (clang only recommends its libFuzzer runtime) and the
  # valgrind suite
  clang libclang-rt-14-dev valgrind
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
