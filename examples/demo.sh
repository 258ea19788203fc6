#!/usr/bin/env bash
# The main job on a throw-away register: what `make demo` runs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TCT_DB="$work/tct.db" TCT_OFFICER="demo"

tct config set agency.name "Sở Thông tin và Truyền thông (ví dụ)"
tct db info
tct config list
tct log
