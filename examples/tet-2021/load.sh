#!/usr/bin/env bash
# Loads an invented Tết Tân Sửu 2021 at a provincial Department of Information and Communications
# into the register named by TCT_DB (or --db): officers, the duty roster (13 Feb left uncovered),
# 34 visits (delegations, a denunciation, repeat visitors, leader reception, a mistaken entry that
# is then voided), and a few steps on the cases. Run it on an empty register.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# after `make`, tct is .venv/bin/tct of this checkout, not a command on PATH
installed="$(cd "$here/../.." && pwd)/.venv/bin"
if ! command -v tct >/dev/null && [[ -x "$installed/tct" ]]; then
    PATH="$installed:$PATH"
fi
export TCT_OFFICER="${TCT_OFFICER:-Trần Thị Bình}"

tct config set agency.name "Sở Thông tin và Truyền thông tỉnh Kiên Giang (ví dụ)"
tct officer add "Nguyễn Văn Đức" --title "Phó Giám đốc Sở" --unit "Ban Giám đốc"
tct officer add "Trần Thị Bình" --title "Chánh Thanh tra" --unit "Thanh tra Sở"
tct officer add "Lê Minh Tuấn" --title "Thanh tra viên" --unit "Thanh tra Sở"
tct officer add "Phạm Thị Hồng Nhung" --title "Chuyên viên" --unit "Văn phòng Sở"
tct officer add "Võ Quốc Huy" --title "Thanh tra viên" --unit "Thanh tra Sở"
tct roster import "$here/roster.csv"
tct import --visits "$here/visits.csv"

tct visit void TCD-2021-0016 --reason "Nhập thử, không phải lượt tiếp thật"
tct case accept VV-2021-0001 --date 04/02/2021
tct case flag VV-2021-0001 --complex --date 04/02/2021 --reason "Nhiều hộ dân, cần đo kiểm bức xạ trạm BTS"
tct case refer VV-2021-0001 --to "Thanh tra tỉnh" --date 11/02/2021 --note "Đoàn đông người đến cơ quan ngày Tết"
tct case accept VV-2021-0006 --date 08/02/2021
tct case refer VV-2021-0006 --to "UBND huyện" --date 06/02/2021 --note "Phối hợp xác minh ranh đất"
tct case close VV-2021-0003 --date 19/02/2021  # a petition, answered (no acceptance: a complaint's step)
tct case guide VV-2021-0004 --date 04/02/2021
tct case accept VV-2021-0008 --date 17/02/2021
tct case accept VV-2021-0009 --date 09/02/2021
tct case transfer VV-2021-0022 --to "Viettel Kiên Giang" --date 23/02/2021
