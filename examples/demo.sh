#!/usr/bin/env bash
# The main job on a throw-away register (what `make demo` runs): load the Tết 2021 example,
# check its duty roster, and print the holiday report an inspector would send up.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TCT_DB="$work/tct.db"

bash "$here/tet-2021/load.sh" 2>/dev/null
tct --lang "${TCT_LANG:-vi}" roster check tet-2021 || true
echo
tct report tet-2021 --lang "${TCT_LANG:-vi}"
