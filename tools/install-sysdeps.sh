#!/bin/sh
# Installs Debian's clang (and libdpdk-dev, used by the dispatcher tests; graphviz for
# the chain's picture) when absent.
# As root it installs; otherwise it prints the one command to run.
missing=""
command -v clang >/dev/null 2>&1 || missing="$missing clang"
command -v clang++ >/dev/null 2>&1 || missing="$missing clang"
pkg-config --exists libdpdk 2>/dev/null || missing="$missing libdpdk-dev pkg-config"
command -v dot >/dev/null 2>&1 || missing="$missing graphviz"      # the plan's picture (SVG)
[ -z "$missing" ] && exit 0
pkgs=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$pkgs"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
else
    echo "flowmagec needs:$pkgs" >&2
    echo "run:  sudo apt-get install -y $pkgs" >&2
    command -v clang >/dev/null 2>&1 || exit 1
fi
