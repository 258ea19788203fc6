"""Labels and notices in Vietnamese or English.

Language: `--lang vi|en`, then TCT_LANG, then the locale (`vi*` → vi), else English.
JSON keys and stored values never change with the language; only what people read does.
"""

from __future__ import annotations

import os

LANGUAGES = ("vi", "en")

# key: (English, Vietnamese)
LABELS: dict[str, tuple[str, str]] = {
    "yes": ("yes", "có"),
    "no": ("no", "không"),
    "key": ("setting", "thiết lập"),
    "value": ("value", "giá trị"),
    "default": ("default", "mặc định"),
    "help": ("meaning", "ý nghĩa"),
    "location": ("location", "vị trí"),
    "dialect": ("database", "loại CSDL"),
    "schema": ("schema version", "phiên bản lược đồ"),
    "schema_head": ("schema of this tct", "lược đồ của tct này"),
    "size_bytes": ("size (bytes)", "dung lượng (byte)"),
    "table": ("table", "bảng"),
    "rows": ("rows", "số dòng"),
    "check": ("check", "kiểm tra"),
    "ok": ("ok", "đạt"),
    "problems": ("problems", "lỗi"),
    "at": ("when", "thời điểm"),
    "actor": ("who", "người thực hiện"),
    "entity": ("entity", "đối tượng"),
    "code": ("code", "mã"),
    "action": ("action", "thao tác"),
    "changes": ("changes", "thay đổi"),
    "reason": ("reason", "lý do"),
    "db_info": ("Database", "Cơ sở dữ liệu"),
    "settings": ("Settings", "Thiết lập"),
    "audit_log": ("Audit log", "Nhật ký thao tác"),
    "upgraded": ("Upgraded {location} from schema {old} to {new}; copy of the old file: {backup}",
                 "Đã nâng cấp {location} từ lược đồ {old} lên {new}; bản sao tệp cũ: {backup}"),
    "up_to_date": ("{location} is already at schema {new}", "{location} đã ở lược đồ {new}"),
    "check_ok": ("{location}: integrity and foreign keys ok", "{location}: toàn vẹn và khóa ngoại đạt"),
    "check_failed": ("{location}: {count} problem(s) found", "{location}: phát hiện {count} lỗi"),
    "setting_saved": ("{key} = {value}", "{key} = {value}"),
    "aborted": ("Aborted.", "Đã hủy."),
    "name": ("name", "họ tên"),
    "officer_title": ("title", "chức vụ"),
    "unit": ("unit", "đơn vị"),
    "phone": ("phone", "điện thoại"),
    "active": ("active", "đang làm"),
    "officer_added": ("Added officer {name}", "Đã thêm cán bộ {name}"),
    "officer_retired": ("{name} no longer receives citizens", "{name} đã thôi tiếp công dân"),
    # --- visits, citizens, cases ---
    "status": ("status", "trạng thái"),
    "deadline": ("deadline", "hạn giải quyết"),
    "flags": ("flags", "cảnh báo"),
    "result": ("result", "kết quả giải quyết"),
    "transferred_to": ("transferred to", "chuyển đến"),
    "within_authority": ("within authority", "thuộc thẩm quyền"),
    "opened_on": ("opened", "ngày tiếp nhận"),
    "accepted_on": ("accepted", "ngày thụ lý"),
    "resolved_on": ("resolved", "ngày giải quyết"),
    "closed_on": ("closed", "ngày kết thúc"),
    "days_overdue": ("days overdue", "số ngày quá hạn"),
    "extension_days": ("extension (days)", "gia hạn (ngày)"),
    "date": ("date", "ngày"),
    "event": ("event", "sự kiện"),
    "text": ("detail", "chi tiết"),
    "days": ("days", "số ngày"),
    "days_left": ("days left", "còn (ngày)"),
    "crowd_cases": ("crowd", "đông người"),
    "repeat_cases": ("repeat", "tái diễn"),
    "escalated_cases": ("escalated", "vượt cấp"),
    "hotspot": ("hotspot", "điểm nóng"),
    "case_step": ("{code}: {status}, deadline {deadline}", "{code}: {status}, hạn {deadline}"),
    "case_flagged": ("{code} flagged {kind}", "Đã gắn cảnh báo {kind} cho {code}"),
    "case_unflagged": ("{code}: {kind} flag cleared", "Đã gỡ cảnh báo {kind} của {code}"),
    "case_referred": ("{code}: information sent to {to}", "{code}: đã cung cấp thông tin cho {to}"),
    "alerts_flagged": ("Flagged open cases", "Vụ việc đang mở có cảnh báo"),
    "alerts_deadlines": ("Overdue or due soon", "Quá hạn hoặc sắp đến hạn"),
    "alerts_delegations": ("Recent delegations", "Đoàn đông người gần đây"),
    "alerts_repeat_citizens": ("Citizens coming back", "Công dân đến nhiều lần"),
    "alerts_none": ("No alerts on {on}", "Không có cảnh báo ngày {on}"),
    "alerts_found": ("{count} alert(s)", "{count} cảnh báo"),
    "visited_at": ("visited", "thời gian tiếp"),
    "citizen": ("citizen", "công dân"),
    "citizen_ref": ("ref", "số hồ sơ"),
    "id_number": ("ID number", "số CCCD/CMND"),
    "address": ("address", "địa chỉ"),
    "locality": ("locality", "địa bàn"),
    "people": ("people", "số người"),
    "delegation": ("delegation", "đoàn đông người"),
    "representatives": ("representatives", "người đại diện"),
    "visit_type": ("type", "loại đơn"),
    "field": ("field", "lĩnh vực"),
    "content": ("content", "nội dung"),
    "handling": ("handling", "kết quả tiếp"),
    "reception_kind": ("reception", "hình thức tiếp"),
    "escalated": ("escalated", "vượt cấp"),
    "officer": ("officer", "cán bộ tiếp"),
    "note": ("note", "ghi chú"),
    "void": ("void", "đã hủy"),
    "case": ("case", "vụ việc"),
    "cases": ("cases", "vụ việc"),
    "visits": ("visits", "lượt tiếp"),
    "last_visit": ("last visit", "lần tiếp gần nhất"),
    "visit_edited": ("Visit {code} corrected", "Đã sửa lượt tiếp {code}"),
    "visit_voided": ("Visit {code} is void (kept in the register)", "Đã hủy lượt tiếp {code} (vẫn lưu trong sổ)"),
    # --- rosters ---
    # --- periods ---
    "period_name": ("period", "đợt"),
    "period_title": ("title", "tên đợt"),
    "period_kind": ("kind", "loại"),
    "period_start": ("from", "từ ngày"),
    "period_end": ("to", "đến ngày"),
    "period_phase_before": ("before", "trước"),
    "period_phase_during": ("during", "trong"),
    "period_phase_after": ("after", "sau"),
    "period_lunar_new_year": ("lunar new year's day", "mùng một Tết"),
    "period_phase": ("phase", "giai đoạn"),
    "period_days": ("days", "số ngày"),
    "period_kind_tet": ("Lunar New Year (Tết Nguyên đán)", "Tết Nguyên đán"),
    "period_kind_new-year": ("New Year (Tết Dương lịch)", "Tết Dương lịch"),
    "period_kind_custom": ("custom period", "đợt tự đặt"),
    "period_kind_range": ("date range", "khoảng ngày"),
    "periods_of_year": ("Periods of {year}", "Các đợt năm {year}"),
    "period_added": ("Added period {name}: {title}, during {during}", "Đã thêm đợt {name}: {title}, trong {during}"),
    "period_removed": ("Removed period {name}", "Đã xóa đợt {name}"),
    # --- reports ---
    # --- backup, restore, export, import ---
}


def resolve(option: str | None = None) -> str:
    for candidate in (option, os.environ.get("TCT_LANG")):
        if candidate and candidate.lower()[:2] in LANGUAGES:
            return candidate.lower()[:2]
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def label(key: str, lang: str = "en", /, **values: object) -> str:
    pair = LABELS.get(key)
    text = key if pair is None else pair[1] if lang == "vi" else pair[0]
    return text.format(**values) if values else text
