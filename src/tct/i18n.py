"""Labels and notices in Vietnamese or English.

Language: `--lang vi|en`, then TCT_LANG, then the locale (`vi*` → vi), else English.
JSON keys and stored values never change with the language; only what people read does.
"""

from __future__ import annotations

import os
import re

LANGUAGES = ("vi", "en")

# key: (English, Vietnamese)
LABELS: dict[str, tuple[str, str]] = {
    "yes": ("yes", "có"),
    # --- what every command may say on stderr: errors, warnings, usage mistakes ---
    "error_line": ("Error: {text}", "Lỗi: {text}"),
    "warning_line": ("Warning: {text}", "Lưu ý: {text}"),
    "more_warnings_of_a_kind": ("Warning: …and {count} more row(s) warned as line {line} is",
                                "Lưu ý: …và {count} dòng khác có cùng lưu ý như dòng {line}"),
    "warning_at_line": ("Warning: line {line}: {text}", "Lưu ý: dòng {line}: {text}"),
    "see_help": (" (see '{command} --help')", " (xem '{command} --help')"),
    "no_such_option": ("No such option {name!r}.", "Không có tùy chọn {name!r}."),
    "global_option_first": ("{name} is a global option: type it before the command, e.g. {example}",
                            "{name} là tùy chọn chung: gõ ngay sau tct, trước lệnh, ví dụ {example}"),
    "no_such_command": ("No such command {name!r}.", "Không có lệnh {name!r}."),
    "did_you_mean": ("Did you mean {names}?", "Có phải ý bạn là {names}?"),
    "missing_option": ("Missing option {name}.", "Thiếu tùy chọn {name}."),
    "missing_argument": ("Missing argument {name}.", "Thiếu đối số {name}."),
    "invalid_value_for": ("Invalid value for {name}: {text}", "Giá trị không hợp lệ cho {name}: {text}"),
    "not_an_integer": ("{value!r} is not a valid integer.", "{value!r} không phải là số nguyên."),
    "not_in_range": ("{value} is not in the range {range}.", "{value} nằm ngoài khoảng {range}."),
    "not_a_choice": ("{value!r} is not one of {choices}.", "{value!r} không phải một trong các giá trị {choices}."),
    "extra_arguments": ("Got unexpected extra argument(s) ({args})", "Có đối số thừa: {args}"),
    "needs_value": ("Option {name!r} requires an argument.", "Tùy chọn {name!r} cần một giá trị."),
    "lang_choice": ("choose vi or en", "chọn vi hoặc en"),
    "not_utf8_argument": ("{where} is not UTF-8 text; check the terminal's character encoding",
                          "{where} không phải văn bản UTF-8; hãy kiểm tra bảng mã ký tự của cửa sổ lệnh"),
    "not_utf8_value_of": ("the value of {option}", "giá trị của {option}"),
    "not_utf8_an_argument": ("an argument", "một đối số"),
    "db_conflict": ("the change conflicts with data already in the register ({detail}); nothing was written",
                    "thay đổi xung đột với dữ liệu đã có trong sổ ({detail}); chưa ghi gì"),
    "internal_error": ("internal error in tct ({detail}); nothing more was written. "
                       "Run again with TCT_DEBUG=1 to see the details and report them",
                       "lỗi nội bộ của tct ({detail}); không ghi thêm gì. "
                       "Chạy lại với TCT_DEBUG=1 để xem chi tiết và báo lại"),
    "to_before_from": ("--to is before --from", "--to sớm hơn --from"),
    "missing_no_terminal": ("missing {options} (no terminal to ask for them)",
                            "thiếu {options} (không có cửa sổ lệnh để hỏi)"),
    "one_flag_kind": ("give exactly one of --crowd, --repeat, --escalated, --complex, --hotspot",
                      "chọn đúng một trong --crowd, --repeat, --escalated, --complex, --hotspot"),
    "one_period": ("give one period: {named!r} or --period {option!r}",
                   "chọn một đợt: {named!r} hoặc --period {option!r}"),
    "xlsx_needs_output": ("--format xlsx needs --output FILE", "--format xlsx cần --output TỆP"),
    "report_lang_choice": ("--lang takes vi or en", "--lang nhận vi hoặc en"),
    "period_or_range": ("give either a PERIOD or --from/--to, not both",
                        "chỉ cho một trong hai: tên ĐỢT hoặc --from/--to"),
    "period_or_from": ("give a PERIOD (e.g. tet-2021) or --from DATE [--to DATE]",
                       "cho tên ĐỢT (ví dụ tet-2021) hoặc --from NGÀY [--to NGÀY]"),
    "cannot_read": ("cannot read {path}: {reason}", "không đọc được {path}: {reason}"),
    "file_not_utf8": ("{path} is not UTF-8 text; save it as CSV UTF-8",
                      "{path} không phải văn bản UTF-8; hãy lưu dưới dạng CSV UTF-8"),
    "visits_file_not_utf8": ("{path} is not UTF-8 text (save the spreadsheet as CSV UTF-8)",
                             "{path} không phải văn bản UTF-8 (hãy lưu bảng tính dưới dạng CSV UTF-8)"),
    "file_too_large": ("{path} is larger than {mb} MB; split it", "{path} lớn hơn {mb} MB; hãy chia nhỏ"),
    "import_file_or_visits": ("give either FILE (a JSON export of `tct export`) or --visits FILE.csv",
                              "cần một trong hai: TỆP (bản xuất JSON của `tct export`) hoặc --visits TỆP.csv"),
    "restore_needs_force": ("restore replaces the whole register; give --force to do it without a terminal",
                            "khôi phục sẽ thay toàn bộ sổ; thêm --force để làm mà không có cửa sổ lệnh"),
    "roster_rows_rejected": ("{count} bad row(s) in {file}; nothing was imported",
                             "{count} dòng lỗi trong {file}; chưa nhập gì"),
    "visits_rows_rejected": ("{count} bad row(s) of {total}; nothing was imported",
                             "{count}/{total} dòng lỗi; chưa nhập gì"),
    "no": ("no", "không"),
    "key": ("setting", "thiết lập"),
    "record_field": ("field", "mục"),  # the left column of one record shown as pairs (visit, case, citizen show)
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
    "changed_fields": ("fields", "các mục"),  # tct log: the fields of a citizen's record an event changed
    "reason": ("reason", "lý do"),
    "db_info": ("Database", "Cơ sở dữ liệu"),
    "settings": ("Settings", "Thiết lập"),
    "audit_log": ("Audit log", "Nhật ký thao tác"),
    "upgraded": ("Upgraded {location} from schema {old} to {new}; copy of the old file: {backup}",
                 "Đã nâng cấp {location} từ lược đồ {old} lên {new}; bản sao tệp cũ: {backup}"),
    "upgraded_server": ("Upgraded {location} from schema {old} to {new}",
                        "Đã nâng cấp {location} từ lược đồ {old} lên {new}"),
    "up_to_date": ("{location} is already at schema {new}", "{location} đã ở lược đồ {new}"),
    "check_ok": ("{location}: integrity and foreign keys ok", "{location}: toàn vẹn và khóa ngoại đạt"),
    "check_failed": ("{location}: {count} problem(s) found, to be dealt with (exit code 1)",
                     "{location}: phát hiện {count} vấn đề cần xử lý (mã thoát 1)"),
    "counter_repaired": ("{kind} counter of {year}: set to its highest code, {highest}",
                         "bộ đếm mã {kind} năm {year}: đã đặt bằng số của mã lớn nhất, {highest}"),
    "status_day_repaired": ("case {code}: day of its latest status change set from its history",
                            "vụ việc {code}: ngày thay đổi trạng thái gần nhất đã lấy lại theo lịch sử"),
    "derived_repaired": ("case {code}: day of its first visit and order of its history set from its records",
                         "vụ việc {code}: ngày tiếp lần đầu và thứ tự lịch sử đã lấy lại theo hồ sơ"),
    "extension_days_repaired": ("case {code}: extension days and deadline set from the extensions of its time "
                                "now running",
                                "vụ việc {code}: số ngày gia hạn và hạn giải quyết đã lấy lại theo các lần gia hạn "
                                "của lần giải quyết hiện tại"),
    "setting_saved": ("{key} = {value}", "{key} = {value}"),
    "aborted": ("Aborted: nothing was written.", "Đã dừng, chưa ghi gì vào sổ."),
    "answer_yes_no": ("answer y (yes) or n (no)", "hãy trả lời c (có) hoặc k (không)"),
    "interrupted": ("interrupted (Ctrl-C, or SIGTERM from kill or systemd)",
                    "đã bị ngắt (Ctrl-C, hoặc SIGTERM từ kill hay systemd)"),
    "name": ("name", "họ tên"),
    "officer_title": ("title", "chức vụ"),
    "unit": ("unit", "đơn vị"),
    "phone": ("phone", "điện thoại"),
    "active": ("active", "đang làm"),
    "officer_added": ("Added officer {name}", "Đã thêm cán bộ {name}"),
    "officer_retired": ("{name} no longer receives citizens", "{name} đã thôi tiếp công dân"),
    "officer_retired_rostered": ("{name} still holds {count} shift(s) on the roster, {span}; remove them with: "
                                 "{command}",
                                 "{name} vẫn còn {count} ca trực trong lịch, {span}; bỏ các ca đó bằng lệnh: "
                                 "{command}"),
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
    # A case's timeline, as `tct case show` tables say it (cases.timeline gives the English in `text`).
    "tl_visit": ("{code}: {people} people, {handling}", "{code}: {people} người, {handling}"),
    "tl_visit_one": ("{code}: 1 person, {handling}", "{code}: 1 người, {handling}"),
    "tl_void": (" (void)", " (đã hủy)"),
    "tl_status": ("{before} → {after}", "{before} → {after}"),
    "tl_result": (" ({result})", " ({result})"),
    "tl_agency": (" to {agency}", " đến {agency}"),
    "tl_flag_set": ("{flag} set ({source})", "gắn cảnh báo {flag} ({source})"),
    "tl_flag_cleared": ("{flag} cleared", "gỡ cảnh báo {flag}"),
    "tl_referral": ("information sent to {to}", "cung cấp thông tin cho {to}"),
    "tl_extension": ("deadline extended by {days} days", "gia hạn {days} ngày"),
    "tl_why": ("reason, note", "lý do, ghi chú"),
    # The reasons tct itself gives in a case's history (its automatic flags, a repair): stored in
    # English, as the audit trail keeps them; a table says them in the reader's language (reason_label).
    "reason_crowd": ("delegation visit {code}", "lượt tiếp đoàn đông người {code}"),
    "reason_escalated": ("escalated visit {code}", "lượt tiếp vượt cấp {code}"),
    "reason_repeat": ("{count} or more visits within {days} days", "từ {count} lượt tiếp trở lên trong {days} ngày"),
    "reason_hotspot": ("{count} or more crowd cases in {place} within {days} days",
                       "từ {count} vụ việc đông người trở lên tại {place} trong {days} ngày"),
    "reason_not_called": ("no visit calls for {flag} any more", "không còn lượt tiếp nào cần cảnh báo {flag}"),
    "reason_status_day": ("the day of its latest status change, from its history",
                          "ngày thay đổi trạng thái gần nhất, theo lịch sử của vụ việc"),
    "reason_derived": ("what its visits and status history say",
                       "theo các lượt tiếp và lịch sử trạng thái của vụ việc"),
    "note_answered_at_the_desk": ("answered at the desk ({code})", "đã trả lời trực tiếp khi tiếp ({code})"),
    "reason_extension_days": ("the extensions granted since its acceptance or reopening",
                              "các lần gia hạn kể từ khi thụ lý hoặc mở lại vụ việc"),
    "reason_counter_behind": ("the counter was behind the highest code of its year",
                              "bộ đếm đang thấp hơn mã lớn nhất của năm"),
    # Errors the desk meets most, made by TctError.said_as (the English is the error's message).
    "or_words": (" or ", " hoặc "),
    "list_separator": (", ", "; "),
    "forms_date": ("YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, 'today', 'yesterday', 'hôm nay', 'hôm qua'",
                   "DD/MM/YYYY, DD-MM-YYYY, DD/MM/YY, YYYY-MM-DD, 'hôm nay', 'hôm qua', 'today', 'yesterday'"),
    "forms_datetime": ("YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, 'today', 'yesterday', 'hôm nay', 'hôm qua', "
                       "optionally followed by a time HH:MM (e.g. 10/02/2021 08:30)",
                       "DD/MM/YYYY, DD-MM-YYYY, DD/MM/YY, YYYY-MM-DD, 'hôm nay', 'hôm qua', 'today', 'yesterday', "
                       "có thể kèm giờ HH:MM, 8h30 hoặc 14g (ví dụ 10/02/2021 08:30), hoặc chỉ giờ cho hôm nay"),
    "err_not_one_of": ("{label} {typed!r} is not one of: {choices}", "{label} {typed!r} không thuộc: {choices}"),
    "err_date_empty": ("{label} is empty; use {forms}", "{label} đang để trống; hãy dùng {forms}"),
    "err_impossible_time": ("{label}: {text!r} has an impossible time; use {forms}",
                            "{label}: {text!r} có giờ không hợp lệ; hãy dùng {forms}"),
    "err_not_real_date": ("{label}: {raw!r} is not a real date; use {forms}",
                          "{label}: {raw!r} không phải là ngày có thật; hãy dùng {forms}"),
    "err_time_without_day": ("{label}: {raw!r} is a time without its day; a file's row needs both, e.g. "
                             "04/02/2021 08:30",
                             "{label}: {raw!r} chỉ có giờ, thiếu ngày; mỗi dòng của tệp cần cả hai, ví dụ "
                             "04/02/2021 08:30"),
    "err_unreadable_date": ("{label}: cannot read {raw!r} as a date; use {forms}",
                            "{label}: không hiểu {raw!r} là ngày nào; hãy dùng {forms}"),
    "err_outside_years": ("{label}: {raw!r} is outside the years {first}–{last}",
                          "{label}: {raw!r} nằm ngoài các năm {first}–{last}"),
    "err_day_in_future": ("the date {day} is in the future", "ngày {day} là ngày trong tương lai"),
    "err_unknown_time_zone": ("unknown time zone {name!r} (e.g. Asia/Ho_Chi_Minh)",
                              "múi giờ {name!r} không tồn tại (ví dụ Asia/Ho_Chi_Minh)"),
    "err_xlsx_needs_openpyxl": ("xlsx output needs openpyxl: pip install 'tct[xlsx]'",
                                "xuất xlsx cần gói openpyxl: pip install 'tct[xlsx]'"),
    "err_xlsx_temporary": ("cannot make the xlsx file in the temporary folder ({failure}); nothing was written",
                           "không tạo được tệp xlsx trong thư mục tạm ({failure}); chưa ghi gì"),
    "err_calendar_years": ("the holiday calendar covers {first}–{last}, not {year}",
                           "lịch nghỉ lễ chỉ có các năm {first}–{last}, không có năm {year}"),
    "err_export_format": ("--format {fmt} is not an export format; use json or csv",
                          "--format {fmt} không phải định dạng xuất; hãy dùng json hoặc csv"),
    "err_csv_needs_output": ("a CSV export is one file per table: give --output FOLDER or --output FILE.zip",
                             "xuất CSV là mỗi bảng một tệp: hãy cho --output THƯ-MỤC hoặc --output TỆP.zip"),
    "err_export_folder_full": ("{folder} already holds files; add --force to replace its tables' files",
                               "{folder} đã có tệp; thêm --force để ghi đè các tệp của từng bảng"),
    "err_export_output_folder": ("--output {path} is a folder; give a file name",
                                 "--output {path} là thư mục; hãy cho tên tệp"),
    "err_export_unwritable": ("cannot write {path}: {reason}; nothing was exported",
                              "không ghi được {path}: {reason}; chưa xuất gì"),
    "err_export_output_file": ("--output {folder} is a file; give a folder or a name ending in .zip for CSV",
                               "--output {folder} là tệp; với CSV hãy cho thư mục hoặc tên tệp đuôi .zip"),
    "err_import_no_file": ("no file {path}", "không có tệp {path}"),
    "err_import_folder": ("{path} is a folder; give the JSON file of `tct export`",
                          "{path} là thư mục; hãy cho tệp JSON do `tct export` tạo ra"),
    "err_import_unreadable": ("cannot read {path}: {reason}", "không đọc được {path}: {reason}"),
    "err_import_not_utf8": ("{path} is not UTF-8 text (byte {byte}); give the JSON file of `tct export`",
                            "{path} không phải văn bản UTF-8 (byte {byte}); hãy cho tệp JSON do `tct export` tạo ra"),
    "err_import_not_json": ("{path} is not valid JSON (line {line}, column {column}: {problem})",
                            "{path} không phải JSON hợp lệ (dòng {line}, cột {column}: {problem})"),
    "err_import_too_deep": ("{path} nests arrays or objects too deeply; give the JSON file of `tct export`",
                            "{path} lồng mảng hoặc đối tượng quá sâu; hãy cho tệp JSON do `tct export` tạo ra"),
    "err_import_not_export": ("{path} is not a tct export (no \"format\": \"{format}\")",
                              "{path} không phải bản xuất của tct (không có \"format\": \"{format}\")"),
    "err_import_format_version": ("export format version {version!r} is not one this tct reads ({known})",
                                  "phiên bản định dạng xuất {version!r} không phải loại tct này đọc được ({known})"),
    "err_import_newer": ("the export comes from schema {schema!r}, newer than this tct ({head}); upgrade tct to "
                         "import it",
                         "bản xuất có lược đồ {schema!r}, mới hơn phiên bản tct này ({head}); hãy nâng cấp tct để "
                         "nhập"),
    "err_import_schema": ("the export's schema {schema} is not a tct schema ({known})",
                          "lược đồ {schema} của bản xuất không phải lược đồ của tct ({known})"),
    "err_import_no_identities": ("the export does not say whether identities were withheld (\"identities\")",
                                 "bản xuất không cho biết danh tính có được ẩn hay không (\"identities\")"),
    "err_import_no_tables": ("the export has no \"tables\" object", "bản xuất không có đối tượng \"tables\""),
    "err_import_not_empty": ("the register {location} is not empty ({held}); import only fills an empty register: "
                             "give a new --db, or use `tct restore` to replace a register",
                             "sổ {location} không trống ({held}); lệnh import chỉ nạp vào sổ trống: hãy cho --db "
                             "mới, hoặc dùng `tct restore` để thay sổ"),
    "err_import_meanwhile": ("the register {location} received data meanwhile; nothing was imported",
                             "sổ {location} vừa có dữ liệu mới trong lúc nhập; chưa nhập gì"),
    "err_import_locked": ("the database {location} is locked by another program past the timeout; nothing was "
                          "imported",
                          "cơ sở dữ liệu {location} đang bị chương trình khác khóa quá thời gian chờ; chưa nhập gì"),
    "err_import_rows_misfit": ("the export's rows do not fit together ({problem}); nothing was imported",
                               "các dòng của bản xuất không khớp với nhau ({problem}); chưa nhập gì"),
    "none_made": ("no backup was made", "chưa sao lưu được gì"),
    "none_changed": ("nothing was changed", "chưa thay đổi gì"),
    "err_checksum_unwritable": ("cannot write the checksum file beside {path} ({reason}); {failed}",
                                "không ghi được tệp mã kiểm tra bên cạnh {path} ({reason}); {failed}"),
    "err_backup_folder_uncreatable": ("cannot create the backup folder {folder}: {reason}; no backup was made",
                                      "không tạo được thư mục sao lưu {folder}: {reason}; chưa sao lưu được gì"),
    "err_backup_folder_not_folder": ("{folder} is not a folder; no backup was made",
                                     "{folder} không phải là thư mục; chưa sao lưu được gì"),
    "err_copy_integrity": ("the copy failed its integrity check ({problem}); no backup was made",
                           "bản sao không qua được kiểm tra toàn vẹn ({problem}); chưa sao lưu được gì"),
    "err_copy_counts": ("the copy's row counts differ from the register's ({differ}); no backup was made",
                        "số dòng của bản sao khác với sổ ({differ}); chưa sao lưu được gì"),
    "err_gzip_unreadable_back": ("the compressed copy cannot be read back ({error}); no backup was made",
                                 "không đọc lại được bản sao nén ({error}); chưa sao lưu được gì"),
    "err_gzip_differs": ("the compressed copy does not give back the checked copy; no backup was made",
                         "bản sao nén không giải nén ra đúng bản sao đã kiểm tra; chưa sao lưu được gì"),
    "err_backup_no_space": ("no space left on the disk of {folder} (the register is {megabytes} MB); no backup was "
                            "made",
                            "ổ đĩa chứa {folder} đã hết chỗ (sổ có dung lượng {megabytes} MB); chưa sao lưu được gì"),
    "none_upgraded": ("nothing was upgraded", "chưa nâng cấp gì"),
    "err_upgrade_no_space": ("no space left on the disk of {folder} for the copy of the register taken before an "
                             "upgrade (the register is {megabytes} MB); nothing was upgraded",
                             "ổ đĩa chứa {folder} đã hết chỗ cho bản sao sổ cần có trước khi nâng cấp (sổ có dung "
                             "lượng {megabytes} MB); chưa nâng cấp gì"),
    "err_upgrade_copy_failed": ("cannot write the copy of the register taken before an upgrade in {folder} "
                                "({reason}); nothing was upgraded",
                                "không ghi được bản sao sổ cần có trước khi nâng cấp vào {folder} ({reason}); "
                                "chưa nâng cấp gì"),
    "err_upgrade_copy_unchecked": ("the copy of the register taken before an upgrade failed its check ({problem}); "
                                   "nothing was upgraded",
                                   "bản sao sổ cần có trước khi nâng cấp không qua được kiểm tra ({problem}); "
                                   "chưa nâng cấp gì"),
    "err_backup_unwritable_at": ("cannot write the backup in {folder} ({reason}: {where}); no backup was made",
                                 "không ghi được bản sao lưu vào {folder} ({reason}: {where}); chưa sao lưu được gì"),
    "err_backup_unwritable": ("cannot write the backup in {folder} ({reason}); no backup was made",
                              "không ghi được bản sao lưu vào {folder} ({reason}); chưa sao lưu được gì"),
    "err_backup_source_damaged": ("the database {source} is damaged ({problem}); no backup was made",
                                  "cơ sở dữ liệu {source} bị hỏng ({problem}); chưa sao lưu được gì"),
    "err_backup_source_locked": ("the database {source} is locked by another program past the timeout; no backup "
                                 "was made; try again in a moment",
                                 "cơ sở dữ liệu {source} đang bị chương trình khác khóa quá thời gian chờ; "
                                 "chưa sao lưu được gì; hãy thử lại sau ít phút"),
    "err_backup_failed": ("backup of {source} into {folder} failed: {problem}; no backup was made",
                          "sao lưu {source} vào {folder} không thành công: {problem}; chưa sao lưu được gì"),
    "err_old_backup_undeletable": ("the backup was made, but the old backup {path} could not be deleted: {reason}",
                                   "đã sao lưu xong, nhưng không xóa được bản sao lưu cũ {path}: {reason}"),
    "err_no_pg_dump": ("pg_dump is not on PATH: a PostgreSQL register is backed up with the server's own tools; "
                       "install the PostgreSQL client (pg_dump) or use your server's backups",
                       "không tìm thấy pg_dump trong PATH: sổ trên PostgreSQL được sao lưu bằng công cụ của máy chủ; "
                       "hãy cài PostgreSQL client (pg_dump) hoặc dùng cơ chế sao lưu của máy chủ"),
    "err_pg_register_locked": ("the register is locked by another program past the timeout ({detail}); no backup "
                               "was made; try again when it is done",
                               "sổ đang bị chương trình khác khóa quá thời gian chờ ({detail}); chưa sao lưu được gì; "
                               "hãy thử lại khi chương trình đó xong"),
    "err_pg_backup_no_space": ("no space left on the disk of {folder} for the pg_dump file; no backup was made",
                               "ổ đĩa chứa {folder} đã hết chỗ cho tệp pg_dump; chưa sao lưu được gì"),
    "err_pg_dump_failed": ("pg_dump failed ({detail}); no backup was made",
                           "pg_dump không thành công ({detail}); chưa sao lưu được gì"),
    "err_pg_dump_unreadable": ("pg_restore cannot read the dump pg_dump wrote; no backup was made",
                               "pg_restore không đọc được bản dump do pg_dump ghi; chưa sao lưu được gì"),
    "err_restore_folder_uncreatable": ("cannot create {folder}: {reason}",
                                       "không tạo được thư mục {folder}: {reason}"),
    "err_restore_unprepared": ("cannot prepare the restore beside {target} ({reason}); nothing was changed",
                               "không chuẩn bị được việc khôi phục bên cạnh {target} ({reason}); chưa thay đổi gì"),
    "err_restore_no_safety_copy": ("cannot back up the current register first ({reason}); nothing was changed",
                                   "không sao lưu được sổ hiện tại trước khi khôi phục ({reason}); chưa thay đổi gì"),
    "err_restore_target_locked": ("the database {target} is locked by another program past the timeout; nothing "
                                  "was changed; try again in a moment",
                                  "cơ sở dữ liệu {target} đang bị chương trình khác khóa quá thời gian chờ; không thay "
                                  "đổi gì; hãy thử lại sau ít phút"),
    "err_restore_no_space": ("no space left on the disk of {folder} to restore {source} ({megabytes} MB); nothing "
                             "was changed",
                             "ổ đĩa chứa {folder} đã hết chỗ để khôi phục {source} ({megabytes} MB); chưa thay đổi "
                             "gì"),
    "err_restore_failed": ("restore into {target} failed ({reason})",
                           "khôi phục vào {target} không thành công ({reason})"),
    "err_db_not_a_file": ("{path} is not a file; give --db a database file path",
                          "{path} không phải là tệp; hãy cho --db đường dẫn tới tệp cơ sở dữ liệu"),
    "err_db_cannot_read": ("cannot read {path}: {why}; check its permissions",
                           "không đọc được {path}: {why}; hãy kiểm tra quyền truy cập tệp"),
    "err_db_not_sqlite": ("{path} is not a tct database (not an SQLite file); nothing was changed",
                          "{path} không phải cơ sở dữ liệu của tct (không phải tệp SQLite); chưa thay đổi gì"),
    "err_timezone_with_visits": ("the register already holds visits dated in {before}: their days would no longer "
                                 "match their times; the time zone is set before the first visit",
                                 "sổ đã có lượt tiếp được ghi ngày theo múi giờ {before}: ngày của chúng sẽ không "
                                 "còn khớp với giờ; múi giờ được đặt trước lượt tiếp đầu tiên"),
    "err_db_none_at": ("no database at {path}: check --db or TCT_DB (the first officer, visit or setting "
                       "entered at a new location creates the register)",
                       "không có cơ sở dữ liệu tại {path}: hãy kiểm tra --db hoặc TCT_DB (cán bộ, lượt tiếp hay "
                       "thiết lập đầu tiên ghi vào một vị trí mới sẽ tạo sổ)"),
    "err_db_not_started": ("the register at {path} has no officer yet: check --db or TCT_DB (a register "
                           "is started with tct officer add NAME); nothing to report from it",
                           "sổ tại {path} chưa có cán bộ nào: hãy kiểm tra --db hoặc TCT_DB (sổ bắt đầu bằng "
                           "tct officer add TÊN); không có gì để báo cáo"),
    "err_complex_shorter": ("a complex complaint's time to be settled ({complex_} days) cannot be shorter than an "
                            "ordinary one's ({ordinary} days): set deadline.complaint_complex_days and "
                            "deadline.complaint_days so (Law on Complaints 2011: 45 and 30)",
                            "thời hạn giải quyết khiếu nại phức tạp ({complex_} ngày) không thể ngắn hơn khiếu nại "
                            "thông thường ({ordinary} ngày): hãy đặt deadline.complaint_complex_days và "
                            "deadline.complaint_days cho đúng (Luật Khiếu nại 2011: 45 và 30)"),
    "err_db_cannot_create": ("cannot create the database at {path}: {why}",
                             "không tạo được cơ sở dữ liệu tại {path}: {why}"),
    "err_db_locked": ("the database {location} is locked by another program past the timeout; try again in a moment",
                      "cơ sở dữ liệu {location} đang bị chương trình khác khóa quá thời gian chờ; hãy thử lại sau "
                      "ít phút"),
    "err_db_damaged": ("the database {location} is damaged ({problem}); restore the latest backup with `tct restore`",
                       "cơ sở dữ liệu {location} bị hỏng ({problem}); hãy khôi phục bản sao lưu gần nhất bằng "
                       "`tct restore`"),
    "err_db_role": ("the database role at {location} may not use the register ({problem}); use the role that owns "
                    "the database, or grant this one access",
                    "vai trò (role) cơ sở dữ liệu tại {location} không được dùng sổ ({problem}); hãy dùng vai trò "
                    "sở hữu cơ sở dữ liệu hoặc cấp quyền cho vai trò này"),
    "err_db_no_space": ("no space left on the disk of {folder}, which holds the register {location}; free some room "
                        "there, then run the command again (nothing was written)",
                        "ổ đĩa chứa {folder} đã hết chỗ (sổ {location} nằm ở đó); hãy giải phóng dung lượng rồi "
                        "chạy lại lệnh (chưa ghi gì)"),
    "err_db_read_only_disk": ("cannot use the database {location}: the disk of {folder} is mounted read-only (as "
                              "after a disk error); check the disk, then have it mounted read-write again",
                              "không dùng được cơ sở dữ liệu {location}: ổ đĩa chứa {folder} đang ở chế độ chỉ đọc "
                              "(thường do lỗi đĩa); hãy kiểm tra ổ đĩa rồi gắn lại ở chế độ đọc-ghi"),
    "err_db_folder_unwritable": ("cannot use the database {location}: the user {user} cannot write in its folder "
                                 "{folder}, where SQLite keeps its -wal and -shm files; give the folder to the user "
                                 "who runs tct (chown), as the file is",
                                 "không dùng được cơ sở dữ liệu {location}: người dùng {user} không ghi được vào thư "
                                 "mục {folder}, nơi SQLite đặt các tệp -wal và -shm; hãy giao thư mục cho người dùng "
                                 "chạy tct (chown), như tệp sổ"),
    "err_db_not_writable": ("cannot open the database {location} for writing: {problem}",
                            "không mở được cơ sở dữ liệu {location} để ghi: {problem}"),
    "err_db_no_driver": ("PostgreSQL needs the psycopg driver: pip install 'tct[postgres]'",
                         "PostgreSQL cần trình điều khiển psycopg: pip install 'tct[postgres]'"),
    "err_db_url_malformed": ("the database URL is malformed; write postgresql+psycopg://USER@HOST[:PORT]/DBNAME "
                             "(PORT a number)",
                             "URL cơ sở dữ liệu sai dạng; hãy viết postgresql+psycopg://USER@HOST[:PORT]/DBNAME "
                             "(PORT là một số)"),
    "err_db_url_driver": ("this URL needs a driver tct does not use ({problem}); write "
                          "postgresql+psycopg://USER@HOST/DBNAME",
                          "URL này cần một trình điều khiển tct không dùng ({problem}); hãy viết "
                          "postgresql+psycopg://USER@HOST/DBNAME"),
    "err_db_url_unsupported": ("unsupported database URL {location}; use a file path, sqlite:///PATH or "
                               "postgresql+psycopg://USER@HOST/DBNAME",
                               "tct không dùng được URL cơ sở dữ liệu {location}; hãy dùng đường dẫn tệp, "
                               "sqlite:///PATH hoặc postgresql+psycopg://USER@HOST/DBNAME"),
    "err_db_value_too_big": ("a value is too long for the register's database ({problem}); shorten it. Nothing was "
                             "written",
                             "một giá trị quá dài đối với cơ sở dữ liệu của sổ ({problem}); hãy rút ngắn. Chưa ghi "
                             "gì"),
    "err_db_unreachable": ("cannot reach the database {location}: {problem}",
                           "không kết nối được cơ sở dữ liệu {location}: {problem}"),
    "err_db_other": ("database error at {location}: {problem}", "lỗi cơ sở dữ liệu tại {location}: {problem}"),
    "err_db_no_schema": ("{location} has no tct schema", "{location} chưa có cấu trúc dữ liệu của tct"),
    "err_db_newer": ("{location} was written by a newer tct (schema {revision}); upgrade tct to use it. "
                     "Nothing was changed",
                     "{location} do phiên bản tct mới hơn ghi (lược đồ {revision}); hãy nâng cấp tct để dùng. "
                     "Chưa thay đổi gì"),
    "err_db_older": ("{location} has an older schema ({revision}, this tct needs {head}); run `tct db upgrade` "
                     "first",
                     "{location} có lược đồ cũ ({revision}, phiên bản tct này cần {head}); hãy chạy `tct db upgrade` "
                     "trước"),
    "err_db_foreign": ("{location} is not a tct database (it has other tables); nothing was changed",
                       "{location} không phải cơ sở dữ liệu của tct (có các bảng khác); chưa thay đổi gì"),
    "err_db_version_table": ("{location} has a damaged schema version table; nothing was changed",
                             "bảng phiên bản lược đồ của {location} bị hỏng; chưa thay đổi gì"),
    "err_db_upgraded_meanwhile": ("{location} changed from schema {revision} to {now} while this command waited "
                                  "(`tct db upgrade` at another desk); nothing was written, run the command again",
                                  "{location} đã chuyển từ lược đồ {revision} sang {now} trong lúc lệnh này chờ "
                                  "(`tct db upgrade` ở bàn khác); chưa ghi gì, hãy chạy lại lệnh"),
    "err_required": ("{label} is required", "cần nhập {label}"),
    "officer_name": ("officer name", "tên cán bộ"),
    "err_nul_character": ("{label} contains a NUL character", "{label} chứa ký tự NUL"),
    "err_control_characters": ("{label} contains control characters", "{label} chứa ký tự điều khiển"),
    "err_too_long": ("{label} is too long ({length} characters, at most {most})",
                     "{label} quá dài ({length} ký tự, tối đa {most})"),
    "err_too_long_folded": ("{label} is too long for its search key ({length} characters once folded, at most "
                            "{most}: a letter such as ß or ﬃ folds to two or three)",
                            "{label} quá dài đối với khóa tìm kiếm ({length} ký tự sau khi chuẩn hóa, tối đa "
                            "{most}: một chữ như ß hay ﬃ thành hai hoặc ba ký tự)"),
    "err_search_too_long": ("the search text is too long ({length} characters, at most {most})",
                            "nội dung tìm kiếm quá dài ({length} ký tự, tối đa {most})"),
    "err_days_positive": ("--days must be a positive number of days", "--days phải là số ngày lớn hơn 0"),
    "err_extend_needs_complex": ("only a complex denunciation may be extended: "
                                 "tct case flag {code} --complex --reason …",
                                 "chỉ gia hạn được vụ tố cáo phức tạp: tct case flag {code} --complex --reason …"),
    "err_extension_at_most": ("one extension is at most {limit} days", "mỗi lần gia hạn tối đa {limit} ngày"),
    "err_not_complex_on": ("case {code} was not complex on {day}; an extension cannot be dated when it was not "
                           "(date the flag: tct case flag --complex --date)",
                           "ngày {day} vụ việc {code} chưa được xác định là phức tạp; không thể gia hạn vào ngày đó "
                           "(ghi ngày xác định phức tạp: tct case flag --complex --date)"),
    "err_already_extended": ("case {code} was already extended {done} time(s); the law allows one (two with "
                             "--particularly-complex)",
                             "vụ việc {code} đã được gia hạn {done} lần; pháp luật chỉ cho gia hạn một lần (hai lần "
                             "với --particularly-complex)"),
    "err_already_extended_twice": ("case {code} was already extended {done} time(s); the law allows two for a "
                                   "particularly complex case",
                                   "vụ việc {code} đã được gia hạn {done} lần; vụ việc đặc biệt phức tạp chỉ được "
                                   "gia hạn hai lần"),
    "err_due_within": ("--due-within takes a number of days from 0 to {most}",
                       "--due-within nhận số ngày từ 0 đến {most}"),
    "err_date_complex_only": ("--date applies to --complex only (the deadline of a past day depends on when a case "
                              "was complex); other flags are dated when they are entered",
                              "--date chỉ dùng với --complex (hạn giải quyết của một ngày đã qua tùy thuộc vụ việc "
                              "phức tạp từ khi nào); các cảnh báo khác lấy ngày nhập"),
    "err_unflag_before_set": ("case {code} was flagged {which} after {day}; it cannot be cleared before it was set",
                              "vụ việc {code} được gắn cảnh báo {which} sau ngày {day}; không thể gỡ trước khi gắn"),
    "err_output_is_companion": ("{target} is where SQLite keeps a database's unwritten changes (its -wal, -shm "
                                "or -journal): tct never writes there; choose another name",
                                "{target} là nơi SQLite giữ các thay đổi chưa ghi của một cơ sở dữ liệu (tệp -wal, "
                                "-shm hoặc -journal): tct không bao giờ ghi vào đó; hãy chọn tên khác"),
    "err_output_is_database": ("{target} is a database (a register or a backup); tct never writes an output over one",
                               "{target} là một cơ sở dữ liệu (sổ tiếp công dân hoặc bản sao lưu); tct không bao giờ "
                               "ghi đè lên đó"),
    "err_output_exists": ("{target} already exists; add --force to replace it",
                          "{target} đã có; thêm --force để ghi đè"),
    "err_output_is_folder": ("{target} is a folder; give a file name", "{target} là thư mục; hãy cho tên tệp"),
    "err_no_folder": ("no folder {folder}", "không có thư mục {folder}"),
    "err_cannot_write_in": ("cannot write in {folder}: {why}", "không ghi được vào thư mục {folder}: {why}"),
    "err_cannot_write": ("cannot write {target}: {why}", "không ghi được {target}: {why}"),
    "err_day_before": ("the date {day} is before {since} ({before})", "ngày {day} sớm hơn {since} ({before})"),
    "since_opened": ("case {code} was opened", "ngày tiếp nhận vụ việc {code}"),
    "since_accepted": ("case {code} was accepted", "ngày thụ lý vụ việc {code}"),
    "since_last_step": ("the last step of case {code}, to {status},",
                        "bước xử lý gần nhất của vụ việc {code}, sang trạng thái {status},"),
    "err_time_alone_to_come": ("{label} {typed!r} is a time still to come today; give the day of a past visit, "
                               "e.g. 'yesterday {typed}'",
                               "{label} {typed!r} là giờ chưa tới trong hôm nay; lượt tiếp đã qua thì ghi cả ngày, "
                               "ví dụ 'hôm qua {typed}'"),
    "err_at_in_future": ("{label} {typed!r} is in the future: a visit is logged once it took place",
                         "{label} {typed!r} là thời điểm trong tương lai: chỉ ghi lượt tiếp đã diễn ra"),
    "err_no_case": ("no case {code!r}", "không có vụ việc {code!r}"),
    "err_not_a_time": ("{label}: cannot read {text!r} as a time; use HH:MM, e.g. 07:30",
                       "{label}: không hiểu {text!r} là giờ nào; hãy dùng HH:MM, ví dụ 07:30"),
    "err_custom_shift_hours": ("a custom shift needs both --start HH:MM and --end HH:MM",
                               "ca trực theo giờ cần cả --start HH:MM và --end HH:MM"),
    "err_end_not_after_start": ("--end {end} is not after --start {start}",
                                "--end {end} không muộn hơn --start {start}"),
    "err_range_backwards": ("the range ends ({last}) before it starts ({first})",
                            "khoảng ngày kết thúc ({last}) trước khi bắt đầu ({first})"),
    "err_range_too_long": ("the range has {count} days; at most {most} at a time",
                           "khoảng ngày có {count} ngày; mỗi lần tối đa {most} ngày"),
    "err_no_weekday": ("the range has no weekday; nothing to add",
                       "khoảng ngày không có ngày làm việc; không có gì để thêm"),
    "err_no_such_shift": ("{officer} has no {shift} shift on {span}; nothing was removed",
                          "{officer} không có ca {shift} vào ngày {span}; không xóa gì"),
    "err_no_shift": ("{officer} has no shift on {span}; nothing was removed",
                     "{officer} không có ca trực nào vào ngày {span}; không xóa gì"),
    "err_file_shift_backwards": ("shift {text!r}: the end is not after the start",
                                 "shift {text!r}: giờ kết thúc không muộn hơn giờ bắt đầu"),
    "err_custom_shift_in_file": ("a custom shift is written as its hours, e.g. 08:00-10:00",
                                 "ca trực theo giờ được ghi bằng giờ bắt đầu và kết thúc, ví dụ 08:00-10:00"),
    "err_period_range_backwards": ("the range {text!r} ends before it starts",
                                   "khoảng ngày {text!r} kết thúc trước khi bắt đầu"),
    "err_to_before_from": ("--to {last} is before --from {first}", "--to {last} trước --from {first}"),
    "err_unknown_setting": ("unknown setting {key!r}; `tct config list` shows them all",
                            "không có thiết lập {key!r}; `tct config list` liệt kê tất cả"),
    "err_setting_not_a_number": ("{key} takes a whole number, not {raw!r}",
                                 "{key} cần một số nguyên, không phải {raw!r}"),
    "err_setting_out_of_range": ("{key} must be between {low} and {high}", "{key} phải trong khoảng {low} đến {high}"),
    "err_env_officer": ("TCT_OFFICER: {error}", "TCT_OFFICER: {error}"),
    "err_missing_officer": ("missing {label} (no single officer is rostered at that time and TCT_OFFICER is not set)",
                            "thiếu {label} (lúc đó không có đúng một cán bộ trong lịch trực, và chưa đặt "
                            "TCT_OFFICER)"),
    # Warnings of `visit add` and `import --visits` (i18n.said)
    "warn_more_representatives": ("{named} representatives named for a visit of {people} people: is --people right?",
                                  "ghi {named} người đại diện cho lượt tiếp {people} người: số người (--people) "
                                  "có đúng không?"),
    "warn_representatives": ("a delegation of {people} people should choose {low}–{high} representatives "
                             "(Law on Citizen Reception 2013, art. 30); {named} named",
                             "đoàn {people} người cần cử {low}–{high} người đại diện (Luật Tiếp công dân 2013, "
                             "Điều 30); đã ghi {named} người"),
    "warn_nobody_rostered": ("nobody is rostered on the desk at that time",
                             "không có ai trong lịch trực tiếp công dân vào thời điểm đó"),
    "warn_visit_at_that_minute": ("a visit at this very time is already in the register ({code}); if it is this "
                                  "row's, the file was imported before",
                                  "đã có trong sổ một lượt tiếp vào đúng thời điểm này ({code}); nếu đó là lượt "
                                  "của dòng này thì tệp đã được nhập trước đây"),
    "warn_visit_entered_twice": ("a visit of this citizen at this very time is already in the register ({code}): "
                                 "entered twice? (`tct visit void` the one too many)",
                                 "lượt tiếp của công dân này vào đúng thời điểm này đã có trong sổ ({code}): nhập "
                                 "hai lần? (`tct visit void` lượt thừa)"),
    "warn_visit_entered_at_that_minute": ("a visit you received at this very time is already in the register "
                                          "({code}); if it is this one, it was entered twice (`tct visit void` "
                                          "the one too many)",
                                          "đã có trong sổ một lượt tiếp do cán bộ này tiếp vào đúng thời điểm "
                                          "này ({code}); nếu là lượt này thì đã nhập hai lần (`tct visit void` "
                                          "lượt thừa)"),
    "warn_visit_already_in": ("a visit of this citizen at this very time is already in the register ({code}): "
                              "was the file imported before?",
                              "lượt tiếp của công dân này vào đúng thời điểm này đã có trong sổ ({code}): tệp "
                              "đã được nhập trước đây?"),
    "warn_case_stays_closed": ("case {code} stays closed as answered at the desk by this visit: `tct case reopen "
                               "{code}` if it still awaits an answer",
                               "vụ việc {code} vẫn kết thúc (đã trả lời trực tiếp khi tiếp lượt này): "
                               "`tct case reopen {code}` nếu vẫn còn phải trả lời"),
    "warn_case_keeps_closing_day": ("case {code} keeps the day it was closed as answered at the desk ({day})",
                                    "vụ việc {code} giữ ngày kết thúc khi trả lời trực tiếp ({day})"),
    "warn_case_keeps_locality": ("case {code} keeps its own locality: it has other visits",
                                 "vụ việc {code} giữ nguyên địa bàn của nó: vụ việc còn lượt tiếp khác"),
    "warn_other_type": ("case {code} is a {case_type}, this visit a {visit_type}",
                        "vụ việc {code} là {case_type}, lượt tiếp này là {visit_type}"),
    "warn_id_number_known": ("ID number {number} is on the register as {known}; the visit is linked to that citizen",
                             "số CCCD/CMND {number} đã có trong sổ với tên {known}; lượt tiếp được gắn với "
                             "công dân đó"),
    "warn_address_kept": ("the address typed differs from the one on record CD-{number}, which is kept; if the "
                          "citizen moved, correct it with `tct visit edit CODE --address`",
                          "địa chỉ vừa nhập khác địa chỉ trong hồ sơ CD-{number}; hồ sơ vẫn giữ địa chỉ cũ; nếu "
                          "công dân đã chuyển chỗ ở, hãy sửa bằng `tct visit edit MÃ --address`"),
    "warn_phone_kept": ("the phone typed differs from the one on record CD-{number}, which is kept; if it changed, "
                        "correct it with `tct visit edit CODE --phone`",
                        "số điện thoại vừa nhập khác số trong hồ sơ CD-{number}; hồ sơ vẫn giữ số cũ; nếu đã đổi số, "
                        "hãy sửa bằng `tct visit edit MÃ --phone`"),
    "err_not_a_shift": ("{label} {typed!r} is not a shift; choose {choices}",
                        "{label} {typed!r} không phải ca trực; chọn {choices}"),
    "err_not_a_role": ("{label} {typed!r} is not a role; choose {choices}",
                       "{label} {typed!r} không phải vai trò; chọn {choices}"),
    "err_no_visit": ("no visit {code!r}", "không có lượt tiếp {code!r}"),
    "err_no_citizen_number": ("no citizen #{number}", "không có công dân #{number}"),
    "err_no_citizen": ("no citizen {typed!r}; give the number from `tct citizen list` or an ID number",
                       "không có công dân {typed!r}; hãy nhập số trong `tct citizen list` hoặc số CCCD/CMND"),
    "err_no_citizen_by_name": ("{typed!r} is not a citizen's number: `tct citizen show` takes the number from "
                               "`tct citizen list` (CD-12) or an ID number; find it with "
                               "tct citizen list --search \"{typed}\"",
                               "{typed!r} không phải số hồ sơ công dân: `tct citizen show` nhận số hồ sơ (CD-12) "
                               "hoặc số CCCD/CMND; tìm số hồ sơ bằng tct citizen list --search \"{typed}\""),
    "err_officer_retired": ("officer {names} has retired (tct officer list --all)",
                            "cán bộ {names} đã thôi tiếp công dân (tct officer list --all)"),
    "err_no_officer": ("no officer matches {typed!r}; officers: {listed}",
                       "không có cán bộ nào khớp với {typed!r}; các cán bộ: {listed}"),
    "err_step_needs": ("case {code} is {status}; `case {action}` needs it to be {allowed}",
                       "vụ việc {code} đang ở trạng thái {status}; `case {action}` chỉ dùng khi vụ việc {allowed}"),
    "err_no_acceptance": ("case {code} is a {type}: it has no acceptance step (that is a complaint's and a "
                          "denunciation's); it is processed within {days} days of receipt: `case close` it once "
                          "answered, or guide or transfer it",
                          "vụ việc {code} là {type}: không có bước thụ lý (chỉ khiếu nại, tố cáo mới thụ lý); "
                          "xử lý trong {days} ngày kể từ ngày tiếp nhận: trả lời xong thì `case close`, hoặc "
                          "hướng dẫn, chuyển đơn"),
    "err_extend_needs_accepted": ("case {code} is {status}; only an accepted case can be extended",
                                  "vụ việc {code} đang ở trạng thái {status}; chỉ vụ việc đã thụ lý mới được gia hạn"),
    "err_no_extension": ("the law allows no extension for a {type}", "pháp luật không cho gia hạn giải quyết {type}"),
    "err_no_extension_complaint": ("the law allows no extension for a {type}; flag it complex for the longer deadline",
                                   "pháp luật không cho gia hạn giải quyết {type}; hãy gắn cảnh báo phức tạp để có "
                                   "thời hạn dài hơn"),
    "err_reopen_needs_reason": ("`case reopen` needs --reason", "`case reopen` cần --reason (lý do)"),
    "err_flag_needs_reason": ("a {which} flag set by hand needs --reason",
                              "gắn cảnh báo {which} bằng tay cần --reason (lý do)"),
    "err_unflag_needs_reason": ("clearing a flag needs --reason", "gỡ cảnh báo cần --reason (lý do)"),
    "err_already_flagged": ("case {code} is already flagged {which}", "vụ việc {code} đã có cảnh báo {which}"),
    "err_not_flagged": ("case {code} is not flagged {which}", "vụ việc {code} không có cảnh báo {which}"),
    "err_unflag_before_extension": (
        "case {code} was extended on {extended} as a complex case; its complexity cannot be cleared on {day}, "
        "before that (clear it dated {extended} or later)",
        "vụ việc {code} đã được gia hạn ngày {extended} vì phức tạp; không thể gỡ cảnh báo phức tạp ngày {day}, "
        "trước ngày gia hạn (hãy gỡ với ngày {extended} hoặc muộn hơn)"),
    "text": ("detail", "chi tiết"),
    "days": ("days", "số ngày"),
    "days_left": ("days left", "còn (ngày)"),
    "crowd_cases": ("crowd", "đông người"),
    "repeat_cases": ("repeat", "tái diễn"),
    "escalated_cases": ("escalated", "vượt cấp"),
    "hotspot": ("hotspot", "điểm nóng"),
    "case_step": ("{code}: {status}, deadline {deadline}", "{code}: {status}, hạn {deadline}"),
    "case_step_no_deadline": ("{code}: {status}, no deadline now", "{code}: {status}, không còn hạn giải quyết"),
    "case_flagged": ("{code} flagged {kind}", "Đã gắn cảnh báo {kind} cho {code}"),
    "case_unflagged": ("{code}: {kind} flag cleared", "Đã gỡ cảnh báo {kind} của {code}"),
    "case_referred": ("{code}: information sent to {to}", "{code}: đã cung cấp thông tin cho {to}"),
    "alerts_flagged": ("Flagged open cases", "Vụ việc đang mở có cảnh báo"),
    "alerts_deadlines": ("Overdue or due soon", "Quá hạn hoặc sắp đến hạn"),
    "alerts_delegations": ("Recent delegations", "Đoàn đông người gần đây"),
    "alerts_repeat_citizens": ("Citizens coming back", "Công dân đến nhiều lần"),
    "alerts_none": ("No alerts on {on}", "Không có cảnh báo ngày {on}"),
    "alerts_found": ("{count} alert(s) to deal with (exit code 1)", "Có {count} cảnh báo cần xử lý (mã thoát 1)"),
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
    # the desk's dialogue of `tct visit add` at a terminal
    "ask_citizen": ("Citizen (họ tên)", "Họ tên công dân"),
    "ask_type": ("Type (complaint/denunciation/petition/feedback)",
                 "Loại đơn (khiếu nại/tố cáo/kiến nghị/phản ánh)"),
    "ask_field": ("Field", "Lĩnh vực"),
    "ask_address": ("Address (Enter: none)", "Địa chỉ (Enter: bỏ qua)"),
    "ask_locality": ("Locality: commune, district (Enter: none)", "Địa bàn: xã, huyện (Enter: bỏ qua)"),
    "ask_content": ("Content (Enter: none)", "Nội dung (Enter: bỏ qua)"),
    "ask_when": ("When", "Thời gian tiếp"),
    "ask_officer": ("Officer", "Cán bộ tiếp"),
    "ask_same_person": ("Same person as CD-{id} {name}, {address}?",
                        "Có phải cùng người với CD-{id} {name}, {address}?"),
    "ask_same_person_no_address": ("Same person as CD-{id} {name} (no address on record)?",
                                   "Có phải cùng người với CD-{id} {name} (hồ sơ chưa có địa chỉ)?"),
    "ask_save_visit": ("Save this visit?", "Lưu lượt tiếp này?"),
    "visit_edited": ("Visit {code} corrected", "Đã sửa lượt tiếp {code}"),
    "visit_voided": ("Visit {code} is void (kept in the register)", "Đã hủy lượt tiếp {code} (vẫn lưu trong sổ)"),
    # --- rosters ---
    "roster_title": ("Duty roster {start}–{end}", "Lịch trực tiếp công dân {start}–{end}"),
    "roster_day": ("day", "ngày"),
    "roster_day_off": ("day off", "ngày nghỉ"),
    "roster_weekend": ("weekend", "cuối tuần"),
    "roster_morning": ("morning", "sáng"),
    "roster_afternoon": ("afternoon", "chiều"),
    "roster_full": ("full day", "cả ngày"),
    "roster_custom": ("custom hours", "giờ riêng"),
    "roster_role_main": ("main", "chính"),
    "roster_role_backup": ("backup", "dự bị"),
    "roster_role_leader": ("leader", "lãnh đạo"),
    "roster_retired": ("retired", "đã nghỉ"),
    "roster_officer": ("officer", "cán bộ"),
    "roster_role": ("role", "vai trò"),
    "roster_shift": ("shift", "ca trực"),
    "roster_hours": ("hours", "giờ"),
    "roster_location": ("location", "địa điểm"),
    "roster_note": ("note", "ghi chú"),
    "roster_date": ("date", "ngày"),
    "roster_problem": ("problem", "vấn đề"),
    "roster_detail": ("detail", "chi tiết"),
    "roster_gap": ("uncovered", "chưa có người trực chính"),
    "roster_backup_only": ("backup only", "chỉ có người dự bị"),
    "roster_double_booked": ("booked twice", "trùng ca"),
    "roster_retired_rostered": ("retired officer rostered", "cán bộ đã nghỉ còn trong lịch"),
    "roster_ok": ("Every day from {start} to {end} has a main officer morning and afternoon",
                  "Mọi ngày từ {start} đến {end} đều có cán bộ trực chính buổi sáng và buổi chiều"),
    "roster_summary": ("{gaps} uncovered half-day(s) from {start} to {end}",
                       "{gaps} buổi chưa có người trực chính từ {start} đến {end}"),
    "roster_other_problems": ("{count} other problem(s)", "{count} vấn đề khác"),
    "check_exit": ("{summary} (exit code 1)", "{summary} (mã thoát 1)"),
    "roster_added": ("Added {count} shift(s) for {name}: {shift} {hours}, {span}",
                     "Đã xếp {count} ca trực cho {name}: {shift} {hours}, {span}"),
    "roster_removed": ("Removed {count} shift(s) of {name}", "Đã bỏ {count} ca trực của {name}"),
    "roster_imported": ("Imported {count} shift(s) from {file}", "Đã nhập {count} ca trực từ {file}"),
    "roster_exported": ("Exported {count} shift(s) to {file}", "Đã xuất {count} ca trực ra {file}"),
    "roster_bad_row": ("{file} line {line}: {problem}", "{file} dòng {line}: {problem}"),
    "roster_wd_0": ("Mon", "T2"),
    "roster_wd_1": ("Tue", "T3"),
    "roster_wd_2": ("Wed", "T4"),
    "roster_wd_3": ("Thu", "T5"),
    "roster_wd_4": ("Fri", "T6"),
    "roster_wd_5": ("Sat", "T7"),
    "roster_wd_6": ("Sun", "CN"),
    "duty_title": ("On duty at {at}", "Cán bộ trực lúc {at}"),
    "duty_nobody": ("Nobody is rostered at {at}", "Không có cán bộ nào trực lúc {at}"),
    # --- `tct log`: the audited fields whose key is not a column's label elsewhere ---
    "log_flag": ("flag", "cảnh báo"),
    "log_flag_source": ("source", "cách gắn"),
    "log_decided_on": ("decided on", "ngày quyết định"),
    "log_status_changed_on": ("status changed on", "ngày đổi trạng thái"),
    "log_referred_to": ("to", "gửi đến"),
    "log_sent_on": ("sent on", "ngày gửi"),
    "log_search": ("search", "tìm theo"),
    "log_void_reason": ("void reason", "lý do hủy"),
    "log_shift_start": ("start", "giờ bắt đầu"),
    "log_shift_end": ("end", "giờ kết thúc"),
    "log_before_days": ("days before", "số ngày trước đợt"),
    "log_after_days": ("days after", "số ngày sau đợt"),
    "log_period_code": ("name", "mã đợt"),
    "log_extension_days": ("days", "số ngày gia hạn"),
    "log_import_visits": ("visits", "số lượt tiếp"),
    "log_import_first": ("first", "mã đầu"),
    "log_import_last": ("last", "mã cuối"),
    "log_new_cases": ("new cases", "số vụ việc mới"),
    "log_new_citizens": ("new citizens", "số công dân mới"),
    "log_file": ("file", "tệp"),
    "log_sha256": ("sha256", "mã băm SHA-256"),
    "log_pre_restore_backup": ("pre-restore backup", "bản sao trước khi khôi phục"),
    "log_upgraded_from": ("upgraded from", "nâng cấp từ phiên bản"),
    "log_counter_last": ("last", "số cuối đã cấp"),
    # --- periods ---
    "period_name": ("period", "đợt"),
    "period_title": ("title", "tên đợt"),
    "period_kind": ("kind", "loại"),
    "period_start": ("from", "từ ngày"),
    "period_end": ("to", "đến ngày"),
    "period_phase_before": ("before", "trước"),
    "period_phase_during": ("during", "trong"),
    "period_during_column": ("during", "giai đoạn trong"),
    "period_phase_after": ("after", "sau"),
    "period_lunar_new_year": ("lunar new year's day", "mùng một Tết"),
    "period_phase": ("phase", "giai đoạn"),
    "period_days": ("days", "số ngày"),
    "period_kind_tet": ("Lunar New Year (Tết Nguyên đán)", "Tết Nguyên đán"),
    "period_kind_new-year": ("New Year (Tết Dương lịch)", "Tết Dương lịch"),
    "period_kind_custom": ("custom period", "đợt tự đặt"),
    "period_kind_range": ("date range", "khoảng ngày"),
    "periods_of_year": ("Periods of {year}", "Các đợt năm {year}"),
    "period_added": ("Added period {name}: {title}, during {during}",
                     "Đã thêm đợt {name}: {title}, giai đoạn trong {during}"),
    "period_removed": ("Removed period {name}", "Đã xóa đợt {name}"),
    # --- reports ---
    "report_title": ("Citizen reception report: {title}", "Báo cáo kết quả tiếp công dân: {title}"),
    "report_no_agency": ("(agency name not set: tct config set agency.name …)",
                         "(chưa đặt tên cơ quan: tct config set agency.name …)"),
    "report_dates": ("Period: {start} to {end}", "Thời gian: từ {start} đến {end}"),
    "report_made": ("Made on {at}", "Lập lúc {at}"),
    "report_written": ("Report written to {path}", "Đã ghi báo cáo vào {path}"),
    "report_phase": ("phase", "giai đoạn"),
    "phase_before": ("Before", "Trước kỳ nghỉ"),
    "phase_during": ("During", "Trong kỳ nghỉ"),
    "phase_after": ("After", "Sau kỳ nghỉ"),
    "phase_total": ("Total", "Tổng cộng"),
    "rc_visits": ("visits", "lượt"),
    "rc_people": ("people", "người"),
    "rc_cases_old": ("old cases", "vụ việc cũ"),
    "rc_cases_new": ("new cases", "vụ việc mới phát sinh"),
    "rc_delegations": ("delegations", "đoàn đông người"),
    "rc_delegation_people": ("delegation people", "người (đoàn)"),
    "rc_delegation_cases_old": ("deleg. old cases", "vụ việc cũ (đoàn)"),
    "rc_delegation_cases_new": ("deleg. new cases", "vụ việc mới (đoàn)"),
    "report_reception_all": ("1. Reception, all", "1. Kết quả tiếp công dân (tổng hợp)"),
    "report_reception_regular": ("1a. Regular reception", "1a. Tiếp thường xuyên"),
    "report_reception_leader": ("1b. Head of agency's reception", "1b. Tiếp định kỳ, đột xuất của Thủ trưởng"),
    "report_content_type": ("2a. Content by type", "2a. Phân loại theo loại đơn"),
    "report_content_field": ("2b. Content by field", "2b. Phân loại theo lĩnh vực"),
    "report_content_type_field": ("2c. Cases by type and field", "2c. Số vụ việc theo loại đơn và lĩnh vực"),
    "report_handling": ("3. Handling of visits", "3. Kết quả xử lý qua tiếp công dân"),
    "report_resolution": ("3b. Cases by state of resolution on the period's last day",
                          "3b. Vụ việc theo tình trạng giải quyết đến ngày cuối kỳ"),
    "report_flagged": ("4. Flagged cases", "4. Vụ việc đông người, phức tạp, tái diễn, vượt cấp, điểm nóng"),
    "report_backlog": ("5. Backlog at the period's end", "5. Vụ việc tồn đọng, quá hạn"),
    "report_no_visits": ("No visit was recorded from {start} to {end}: every count of the report is 0",
                         "Không có lượt tiếp nào được ghi từ {start} đến {end}: mọi số liệu của báo cáo đều bằng 0"),
    "report_not_over": ("The period is not over: the states of resolution (3b), the flagged cases (4) and "
                        "the backlog (5) are as of {on}",
                        "Đợt chưa kết thúc: tình trạng giải quyết (mục 3b), vụ việc có cảnh báo (mục 4) và "
                        "vụ việc tồn đọng (mục 5) tính đến ngày {on}"),
    "report_duty": ("6. Duty roster", "6. Lịch trực tiếp công dân"),
    "report_duty_gaps": ("6a. Uncovered days", "6a. Ngày chưa bố trí công chức trực"),
    "report_referrals": ("7. Coordination: information sent", "7. Phối hợp, cung cấp thông tin"),
    # the report's xlsx sheets (at most 31 characters, none of []:*?/\): in English the sections' keys
    "sheet_report": ("report", "Báo cáo"),
    "sheet_reception_all": ("reception_all", "1. Tiếp công dân"),
    "sheet_reception_regular": ("reception_regular", "1a. Tiếp thường xuyên"),
    "sheet_reception_leader": ("reception_leader", "1b. Thủ trưởng tiếp"),
    "sheet_content_type": ("content_type", "2a. Theo loại đơn"),
    "sheet_content_field": ("content_field", "2b. Theo lĩnh vực"),
    "sheet_content_type_field": ("content_type_field", "2c. Loại đơn và lĩnh vực"),
    "sheet_handling": ("handling", "3. Kết quả xử lý"),
    "sheet_resolution": ("resolution", "3b. Tình hình giải quyết"),
    "sheet_flagged_cases": ("flagged_cases", "4. Đông người, phức tạp"),
    "sheet_backlog": ("backlog", "5. Tồn đọng, quá hạn"),
    "sheet_duty": ("duty", "6. Lịch trực"),
    "sheet_duty_gaps": ("duty_gaps", "6a. Ngày chưa có người trực"),
    "sheet_referrals": ("referrals", "7. Phối hợp"),
    "report_to": ("sent to", "cơ quan nhận"),
    "shifts": ("shifts", "ca trực"),
    # --- backup, restore, export, import ---
    "visits_imported": ("{rows} visit(s) imported from {path}: {codes}", "Đã nhập {rows} lượt tiếp từ {path}: {codes}"),
    "code_range": ("{first} to {last}", "{first} đến {last}"),
    "visits_checked": ("{path}: {rows} row(s) checked, all good; nothing was written",
                       "{path}: đã kiểm tra {rows} dòng, đều hợp lệ; chưa ghi gì"),
    "line": ("line", "dòng"),
    "problem": ("problem", "lỗi"),
    "backing_up": ("Backing up", "Đang sao lưu"),
    "backup_removed": ("Removed old backup {path}", "Đã xóa bản sao lưu cũ {path}"),
    "restore_confirm": ("Replace the register {path} with this backup?",
                        "Thay sổ {path} bằng bản sao lưu này?"),
    "restore_current": ("now", "hiện tại"),
    "restore_incoming": ("from backup", "từ bản sao lưu"),
    "newest_visit": ("newest visit", "lượt tiếp mới nhất"),
    "restored": ("Restored {path} from {source}; the replaced register was backed up to {backup}",
                 "Đã khôi phục {path} từ {source}; sổ bị thay đã được sao lưu vào {backup}"),
    "restore_upgraded": ("The backup had the older schema {old}; it was upgraded on a copy",
                         "Bản sao lưu có lược đồ cũ {old}; đã nâng cấp trên một bản sao"),
    "log_no_events": ("No event names {entity}: check the code or name (a record imported in bulk has only "
                      "its import's event)", "Không có sự kiện nào ghi {entity}: hãy kiểm tra lại mã hoặc tên "
                      "(bản ghi nhập hàng loạt chỉ có sự kiện của lần nhập)"),
    "log_limited": ("Only the newest {limit} events are shown; there are older ones (--limit N, or --from and --to)",
                    "Chỉ hiện {limit} sự kiện mới nhất; còn sự kiện cũ hơn (--limit N, hoặc --from và --to)"),
    "list_limited": ("Only the first {limit} are shown; there are more (--limit N shows more)",
                     "Chỉ hiện {limit} dòng đầu; còn nữa (--limit N để xem thêm)"),
    "exporting": ("Exporting", "Đang xuất"),
    "exported": ("Exported {rows} rows to {path}", "Đã xuất {rows} dòng ra {path}"),
    "identities_withheld": ("Identities of {count} denouncer(s) withheld; --reveal includes them (audited)",
                            "Đã ẩn danh tính của {count} người tố cáo; --reveal để đưa vào (có ghi nhật ký)"),
    "importing": ("Importing", "Đang nhập"),
    "imported": ("Imported {rows} rows from {path}", "Đã nhập {rows} dòng từ {path}"),
    "import_checked": ("{path} is valid: {rows} rows would be imported; nothing was written",
                       "{path} hợp lệ: sẽ nhập {rows} dòng; chưa ghi gì"),
    "import_withheld": ("This export withheld the identity of {count} denouncer(s): they carry a placeholder",
                        "Bản xuất này đã ẩn danh tính {count} người tố cáo: họ mang tên thay thế"),
    # library errors (periods, rosters, visits, …)
    "err_year_not_covered": ("{name}: the holiday calendar covers {first}–{last}, not {year}",
                             "{name}: lịch nghỉ lễ chỉ có các năm {first}–{last}, không có năm {year}"),
    "err_no_lunar_new_year": ("the holiday calendar has no Lunar New Year in {year}",
                              "lịch nghỉ lễ không có Tết Nguyên đán năm {year}"),
    "err_no_new_years_day": ("the holiday calendar has no New Year's Day in {year}",
                             "lịch nghỉ lễ không có Tết Dương lịch năm {year}"),
    "forms_range": ("a range FROM..TO such as 2021-02-01..2021-02-28 or 01/02/2021..28/02/2021",
                    "khoảng ngày dạng TỪ..ĐẾN, ví dụ 01/02/2021..28/02/2021 hoặc 2021-02-01..2021-02-28"),
    "err_unreadable_range": ("cannot read {text!r} as a period range; use {forms}",
                             "không hiểu {text!r} là khoảng ngày nào; hãy dùng {forms}"),
    "range_start": ("start of the range", "ngày đầu của khoảng"),
    "range_end": ("end of the range", "ngày cuối của khoảng"),
    "err_period_name_empty": ("a period needs a name, e.g. plan-tet-2021", "đợt cần có tên, ví dụ plan-tet-2021"),
    "err_period_name_dots": ("period name {name!r} may not contain '..' (that is how ranges are written)",
                             "tên đợt {name!r} không được chứa '..' (dấu này dùng để viết khoảng ngày)"),
    "err_period_name_long": ("period name is too long ({length} characters, at most {most})",
                             "tên đợt quá dài ({length} ký tự, tối đa {most})"),
    "err_period_name_letters": ("period name {name!r} may only have lowercase letters a–z, digits and dashes, "
                                "e.g. plan-tet-2021",
                                "tên đợt {name!r} chỉ được gồm chữ thường không dấu a–z, chữ số và dấu gạch ngang, "
                                "ví dụ plan-tet-2021"),
    "err_period_name_builtin": ("period name {name!r} looks like a built-in one (tet-YYYY, new-year-YYYY); "
                                "choose another, e.g. plan-tet-2021",
                                "tên đợt {name!r} dễ nhầm với đợt có sẵn (tet-YYYY, new-year-YYYY); hãy chọn tên "
                                "khác, ví dụ plan-tet-2021"),
    "err_days_not_whole": ("{option} takes a whole number of days", "{option} cần là số ngày nguyên"),
    "err_days_out_of_range": ("{option} must be between 0 and {most} days, not {value}",
                              "{option} phải từ 0 đến {most} ngày, không phải {value}"),
    "err_period_exists": ("a period named {name!r} already exists; `tct period show {name}`",
                          "đã có đợt tên {name!r}; xem bằng `tct period show {name}`"),
    "err_remove_builtin_period": ("{name} is a built-in period and cannot be removed; only custom periods can",
                                  "{name} là đợt có sẵn, không xóa được; chỉ xóa được đợt tự đặt"),
    "err_remove_range": ("{name!r} is a date range, not a stored period; nothing to remove",
                         "{name!r} là khoảng ngày, không phải đợt đã lưu; không có gì để xóa"),
    "err_no_custom_period": ("no custom period named {name!r}; custom periods: {names}",
                             "không có đợt tự đặt nào tên {name!r}; các đợt tự đặt: {names}"),
    "no_custom_periods": ("none yet (tct period add)", "chưa có (tct period add)"),
    "err_no_period": ("no period named {name!r}; use tet-YYYY or new-year-YYYY ({first}–{last}), "
                      "a custom period ({names}), or {forms}",
                      "không có đợt nào tên {name!r}; hãy dùng tet-YYYY hoặc new-year-YYYY ({first}–{last}), "
                      "một đợt tự đặt ({names}) hoặc {forms}"),
    "err_setting_not_hours": ("setting shift.{name} is not HH:MM-HH:MM; fix it with `tct config set`",
                              "thiết lập shift.{name} không đúng dạng HH:MM-HH:MM; hãy sửa bằng `tct config set`"),
    "err_hours_and_shift": ("--start/--end give a custom shift's hours; leave out --shift {name}",
                            "--start/--end là giờ của ca trực theo giờ; hãy bỏ --shift {name}"),
    "shift_and_hours": ("{shift} {hours}", "{shift} {hours}"),
    "and_more_days": (" (and {count} more day(s))", " (và {count} ngày khác)"),
    "err_shift_taken": ("{officer} is already on the {taken} shift on {day}, which overlaps {planned}{more}; "
                        "nothing was added",
                        "{officer} đã có ca {taken} ngày {day}, trùng giờ với ca {planned}{more}; không thêm gì"),
    "err_file_empty": ("{source} is empty; it needs a header: {columns}",
                       "{source} trống; tệp cần có dòng tiêu đề: {columns}"),
    "err_unreadable_csv": ("unreadable CSV: {error}", "không đọc được CSV: {error}"),
    "err_unknown_columns": ("unknown column(s) {columns}", "cột không xác định: {columns}"),
    "err_missing_columns": ("missing column(s) {columns}", "thiếu cột {columns}"),
    "err_column_twice": ("a column appears twice", "có cột bị lặp lại"),
    "err_joined": ("{first}; {then}", "{first}; {then}"),
    "err_bad_header": ("{problem}; the columns are {columns}", "{problem}; các cột hợp lệ là {columns}"),
    "err_file_too_many_rows": ("{source} has more than {most} rows; split it",
                               "{source} có hơn {most} dòng; hãy tách thành nhiều tệp"),
    "err_too_many_cells": ("{cells} cells, the header has {columns}",
                           "{cells} ô, trong khi dòng tiêu đề có {columns} cột"),
    "err_file_no_rows": ("{source} has a header but no rows; nothing was imported",
                         "{source} chỉ có dòng tiêu đề, không có dòng dữ liệu; chưa nhập gì"),
    "err_officer_cell_empty": ("officer is empty", "officer (cán bộ) đang để trống"),
    "err_overlaps_rostered": ("{officer}'s {shift} shift on {day} overlaps the {taken} shift already rostered",
                              "ca {shift} của {officer} ngày {day} trùng giờ với ca {taken} đã có trong lịch trực"),
    "err_overlaps_line": ("{officer}'s {shift} shift on {day} overlaps line {line}",
                          "ca {shift} của {officer} ngày {day} trùng giờ với dòng {line}"),
    "err_people_out_of_range": ("{label} must be between 1 and {most}, not {people}",
                                "{label} phải từ 1 đến {most}, không phải {people}"),
    "err_too_many_representatives": ("{label} names {count} people; at most {most}",
                                     "{label} ghi {count} người; tối đa {most} người"),
    "err_officer_ambiguous_on_duty": ("missing {label}: {names} are all on duty at that time",
                                      "thiếu {label}: vào thời điểm đó {names} đều đang trực"),
    "err_missing_options": ("missing {options}", "thiếu {options}"),
    "err_to_before_from_bare": ("--to is before --from", "--to trước --from"),
    "err_edit_void_visit": ("visit {code} is void; it cannot be edited", "lượt tiếp {code} đã bị hủy; không sửa được"),
    "err_nothing_to_change": ("nothing to change: give at least one option, e.g. --people 6",
                              "không có gì để sửa: hãy nêu ít nhất một tùy chọn, ví dụ --people 6"),
    "err_id_number_taken": ("ID number {number} belongs to another citizen record (CD-{id})",
                            "số CCCD/CMND {number} thuộc hồ sơ công dân khác (CD-{id})"),
    "err_visit_already_void": ("visit {code} is already void", "lượt tiếp {code} đã bị hủy trước đó"),
    "err_not_an_id_number": ("{label} {value!r} is not a citizen ID: 12 digits (CCCD) or 9 digits (CMND)",
                             "{label} {value!r} không phải số định danh công dân: CCCD gồm 12 chữ số, CMND "
                             "gồm 9 chữ số"),
    "err_id_number_province": ("{label} {value!r}: a 12-digit CCCD starts with a province code 001–096",
                               "{label} {value!r}: số CCCD 12 chữ số phải bắt đầu bằng mã tỉnh 001–096"),
    "err_not_a_phone": ("{label} {value!r} is not a phone number", "{label} {value!r} không phải số điện thoại"),
    "err_other_id_number": ("citizen #{number} has another ID number", "công dân #{number} có số CCCD/CMND khác"),
    "err_officer_exists": ("an officer named {name} is already on the register", "đã có cán bộ tên {name} trong sổ"),
    "err_officer_name_required": ("an officer's name is required", "cần nhập tên cán bộ"),
    "no_officers_yet": ("none yet: tct officer add NAME", "chưa có (thêm bằng tct officer add NAME)"),
    "err_officer_ambiguous": ("{typed!r} matches more than one officer ({names}); {hint}",
                              "{typed!r} khớp với nhiều cán bộ ({names}); {hint}"),
    "hint_type_accents": ("type the name with its accents", "hãy gõ tên có dấu"),
    "hint_type_more": ("type more of the name", "hãy gõ đầy đủ hơn tên cán bộ"),
    "err_setting_list_empty": ("{key} needs at least one value (separate values with ';')",
                               "{key} cần ít nhất một giá trị (các giá trị cách nhau bằng ';')"),
    "err_setting_list_twice": ("{key} lists a value twice", "{key} có một giá trị bị lặp lại"),
    "err_setting_hours": ("{key} takes HH:MM-HH:MM with the start before the end, e.g. 07:30-11:30",
                          "{key} cần dạng HH:MM-HH:MM, giờ bắt đầu trước giờ kết thúc, ví dụ 07:30-11:30"),
    "err_setting_cannot_hold": ("{key} cannot hold {shown}", "{key} không nhận giá trị {shown}"),
    "err_not_yes_or_no": ("escalated {value!r} is not yes or no",
                          "escalated {value!r} không phải yes/no (có/không)"),
    "err_visits_file_empty": ("the file is empty; it needs a header row naming the columns",
                              "tệp trống; tệp cần có dòng tiêu đề ghi tên các cột"),
    "hint_semicolon_header": ("; the header is separated by ';': save the spreadsheet as CSV UTF-8 (comma-separated)",
                              "; dòng tiêu đề phân cách bằng ';': hãy lưu bảng tính dưới dạng CSV UTF-8 (phân cách "
                              "bằng dấu phẩy)"),
    "err_unknown_visit_columns": ("unknown column(s) {unknown}; the columns are {columns}{hint}",
                                  "cột không xác định: {unknown}; các cột hợp lệ là {columns}{hint}"),
    "err_columns_twice": ("the header names the column(s) {columns} more than once",
                          "dòng tiêu đề ghi cột {columns} hơn một lần"),
    "err_no_citizen_column": ("the header has no `citizen` column", "dòng tiêu đề không có cột `citizen` (công dân)"),
    "err_csv_line": ("line {line}: {error}; nothing was imported", "dòng {line}: {error}; chưa nhập gì"),
    "err_visits_file_no_rows": ("the file has a header but no rows",
                                "tệp chỉ có dòng tiêu đề, không có dòng dữ liệu"),
    "err_people_not_whole": ("people {people!r} is not a whole number", "people {people!r} không phải số nguyên"),
    "err_at_empty": ("`at` (when the visit happened) is empty", "`at` (thời điểm tiếp) đang để trống"),
    "one_more_bad_row": ("…and {count} more bad row", "…và {count} dòng lỗi khác"),
    "more_bad_rows": ("…and {count} more bad rows", "…và {count} dòng lỗi khác"),
    "err_pg_no_folder": ("a PostgreSQL register has no folder of its own: give --to DIR or --to FILE",
                         "sổ trên PostgreSQL không có thư mục riêng: hãy dùng --to DIR (thư mục) hoặc --to FILE (tệp)"),
    "err_keep_at_least_one": ("--keep must be at least 1", "--keep phải từ 1 trở lên"),
    "err_gzip_postgres": ("--gzip does not apply to PostgreSQL: pg_dump's custom format is already compressed",
                          "--gzip không dùng cho PostgreSQL: định dạng custom của pg_dump đã được nén sẵn"),
    "err_cannot_read_unchanged": ("cannot read {path}: {reason}; nothing was changed",
                                  "không đọc được {path}: {reason}; chưa thay đổi gì"),
    "err_checksum_differs": ("{source} is not the file that was backed up: its sha256 differs from the one in "
                             "{recorded} (changed or damaged since); nothing was changed",
                             "{source} không phải tệp đã được sao lưu: mã sha256 của tệp khác với mã ghi trong "
                             "{recorded} (tệp đã bị thay đổi hoặc hư hỏng); chưa thay đổi gì"),
    "err_gzip_name": ("--gzip writes a compressed file: name it with .gz ({path}.gz), or leave --gzip out",
                      "--gzip ghi tệp nén: hãy đặt tên có đuôi .gz ({path}.gz), hoặc bỏ --gzip"),
    "err_checksum_unreadable": ("cannot read the checksum file {recorded} ({reason}), so {source} cannot be "
                                "verified (the backup itself may be fine); nothing was changed: check it against "
                                "another copy, or move {recorded} aside to restore it on SQLite's checks alone",
                                "không đọc được tệp mã kiểm tra {recorded} ({reason}) nên không xác minh được "
                                "{source} (bản sao lưu có thể vẫn tốt); chưa thay đổi gì: hãy đối chiếu với bản sao "
                                "khác, hoặc chuyển {recorded} đi chỗ khác để khôi phục chỉ với các kiểm tra của "
                                "SQLite"),
    "err_checksum_malformed": ("the checksum file {recorded} is damaged (it holds no sha256), so {source} cannot "
                               "be verified (the backup itself may be fine); nothing was changed: check it against "
                               "another copy, or move {recorded} aside to restore it on SQLite's checks alone",
                               "tệp mã kiểm tra {recorded} bị hỏng (không chứa mã sha256) nên không xác minh được "
                               "{source} (bản sao lưu có thể vẫn tốt); chưa thay đổi gì: hãy đối chiếu với bản sao "
                               "khác, hoặc chuyển {recorded} đi chỗ khác để khôi phục chỉ với các kiểm tra của SQLite"),
    "err_backup_exists": ("{path} already exists; a backup never replaces a file: choose a new name or a folder",
                          "{path} đã tồn tại; bản sao lưu không bao giờ ghi đè tệp có sẵn: hãy chọn tên khác hoặc "
                          "một thư mục"),
    "err_backup_exists_now": ("{path} already exists; a backup never replaces a file",
                              "{path} đã tồn tại; bản sao lưu không bao giờ ghi đè tệp có sẵn"),
    "err_no_file_unchanged": ("no file {path}; nothing was changed", "không có tệp {path}; chưa thay đổi gì"),
    "err_restore_folder": ("{path} is a folder; give the backup file to restore",
                           "{path} là thư mục; hãy chỉ ra tệp sao lưu cần khôi phục"),
    "err_damaged_gzip": ("{path} is a damaged gzip file ({error}); nothing was changed",
                         "{path} là tệp gzip bị hỏng ({error}); chưa thay đổi gì"),
    "err_gzip_not_tct": ("{path} does not hold a tct database (not an SQLite file); nothing was changed",
                         "{path} không chứa cơ sở dữ liệu tct (không phải tệp SQLite); chưa thay đổi gì"),
    "err_import_too_large": ("{path} is {size} MB, larger than the {limit} MB that import reads into memory; nothing "
                             "was imported. To move it into PostgreSQL, set TCT_IMPORT_MAX_MB={needed} where the "
                             "machine has about {memory} MB of memory free; between SQLite files, `tct backup` and "
                             "`tct restore` move a register of any size",
                             "{path} có dung lượng {size} MB, lớn hơn mức {limit} MB mà lệnh import đọc vào bộ nhớ; "
                             "chưa nhập gì. Để chuyển sang PostgreSQL, hãy đặt TCT_IMPORT_MAX_MB={needed} trên máy "
                             "còn trống khoảng {memory} MB bộ nhớ; giữa các tệp SQLite, `tct backup` và "
                             "`tct restore` chuyển được sổ cỡ nào cũng được"),
    "err_restore_pg_dump_file": ("{path} is a PostgreSQL backup (pg_dump): restore it into the PostgreSQL register "
                                 "with pg_restore (README, Backups); nothing was changed",
                                 "{path} là bản sao lưu PostgreSQL (pg_dump): hãy khôi phục vào sổ PostgreSQL bằng "
                                 "pg_restore (README, mục Backups); chưa thay đổi gì"),
    "err_not_tct_file": ("{path} is not a tct database (not an SQLite or gzip file); nothing was changed",
                         "{path} không phải cơ sở dữ liệu tct (không phải tệp SQLite hay gzip); chưa thay đổi gì"),
    "err_backup_damaged": ("{path} is damaged ({problem}); nothing was changed",
                           "{path} bị hỏng ({problem}); chưa thay đổi gì"),
    "err_backup_broken_rows": ("{path} has {count} row(s) pointing to missing rows (first in table {table}); "
                               "nothing was changed",
                               "{path} có {count} dòng trỏ tới dòng không tồn tại (đầu tiên ở bảng {table}); "
                               "chưa thay đổi gì"),
    "err_no_schema_version": ("{path} is not a tct database (no schema version); nothing was changed",
                              "{path} không phải cơ sở dữ liệu tct (không có phiên bản lược đồ); chưa thay đổi gì"),
    "err_schema_table_damaged": ("{path} has a damaged schema version table; nothing was changed",
                                 "{path} có bảng phiên bản lược đồ bị hỏng; chưa thay đổi gì"),
    "err_backup_newer": ("{path} was written by a newer tct (schema {revision}); upgrade tct to restore it. "
                         "Nothing was changed",
                         "{path} được ghi bởi phiên bản tct mới hơn (lược đồ {revision}); hãy nâng cấp tct để "
                         "khôi phục. Chưa thay đổi gì"),
    "err_restore_postgres": ("tct restore replaces an SQLite register; restore a PostgreSQL register from its "
                             "pg_dump file with pg_restore",
                             "tct restore chỉ thay sổ SQLite; sổ trên PostgreSQL hãy khôi phục từ tệp pg_dump bằng "
                             "pg_restore"),
    "err_restore_itself": ("{path} is the register itself; give a backup file",
                           "{path} chính là sổ đang dùng; hãy chỉ ra tệp sao lưu"),
    "err_unreadable_backup": ("{path} cannot be read as a tct database ({error}); nothing was changed",
                              "không đọc được {path} như một cơ sở dữ liệu tct ({error}); chưa thay đổi gì"),
}


# Stored values (English keys) as people read them; official Vietnamese terms from domain.md.
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "type": {"complaint": ("complaint", "khiếu nại"), "denunciation": ("denunciation", "tố cáo"),
             "petition": ("petition", "kiến nghị"), "feedback": ("feedback", "phản ánh")},
    "field": {"land": ("land", "đất đai"), "housing": ("housing", "nhà ở"), "policy": ("policy", "chế độ chính sách"),
              "administration": ("administration", "hành chính"), "justice": ("justice", "tư pháp"),
              "press-media": ("press and media", "báo chí, truyền thông"),
              "telecom-it": ("telecom and IT", "viễn thông, công nghệ thông tin"), "other": ("other", "khác")},
    "handling": {"accepted": ("accepted", "thụ lý, tiếp nhận đơn"), "guided": ("guided", "hướng dẫn"),
                 "transferred": ("transferred", "chuyển đơn"), "answered": ("answered", "trả lời trực tiếp"),
                 "refused": ("refused", "từ chối tiếp")},
    "status": {"new": ("new", "mới tiếp nhận"), "accepted": ("accepted", "đã thụ lý"),
               "resolved": ("resolved", "đã giải quyết"), "closed": ("closed", "đã kết thúc"),
               "guided": ("guided", "đã hướng dẫn"), "transferred": ("transferred", "đã chuyển"),
               "open": ("open", "đang mở")},  # (`case list --status open`: new or accepted)
    "flag": {"crowd": ("crowd", "đông người"), "repeat": ("repeat", "tái diễn"), "complex": ("complex", "phức tạp"),
             "escalated": ("escalated", "vượt cấp"), "hotspot": ("hotspot", "điểm nóng")},
    "shift": {"morning": ("morning", "sáng"), "afternoon": ("afternoon", "chiều"), "full": ("full", "cả ngày"),
              "custom": ("custom", "theo giờ")},
    "source": {"auto": ("auto", "tự động"), "manual": ("manual", "thủ công")},
    "kind": {"regular": ("regular", "tiếp thường xuyên"), "leader": ("leader", "Thủ trưởng tiếp")},
    "result": {"upheld": ("upheld", "đúng"), "partly-upheld": ("partly-upheld", "đúng một phần"),
               "rejected": ("rejected", "sai"), "withdrawn": ("withdrawn", "rút đơn")},
    "role": {"main": ("main", "trực chính"), "backup": ("backup", "trực dự bị"), "leader": ("leader", "lãnh đạo")},
    "event": {"visit": ("visit", "lượt tiếp"), "status": ("status", "trạng thái"), "flag": ("flag", "cảnh báo"),
              "referral": ("referral", "cung cấp thông tin"), "extension": ("extension", "gia hạn")},
    # the audit trail (`tct log`): what kind of record an event is about, and what was done to it
    "entity": {"case": ("case", "vụ việc"), "citizen": ("citizen", "công dân"), "visit": ("visit", "lượt tiếp"),
               "officer": ("officer", "cán bộ"), "period": ("period", "đợt"), "setting": ("setting", "thiết lập"),
               "duty_shift": ("duty_shift", "ca trực"), "register": ("register", "sổ tiếp công dân"),
               "import": ("import", "nhập dữ liệu"), "report": ("report", "báo cáo")},
    "action": {"create": ("create", "tạo mới"), "edit": ("edit", "sửa"), "void": ("void", "hủy"),
               "set": ("set", "đặt"), "remove": ("remove", "xóa"), "retire": ("retire", "thôi tiếp công dân"),
               "complete": ("complete", "bổ sung thông tin"), "import": ("import", "nhập"),
               "export-reveal": ("export-reveal", "xuất kèm danh tính"), "reveal": ("reveal", "xem danh tính"),
               "restore": ("restore", "khôi phục"), "repair": ("repair", "sửa lại"), "extend": ("extend", "gia hạn"),
               "refer": ("refer", "cung cấp thông tin"), "flag": ("flag", "gắn cảnh báo"),
               "unflag": ("unflag", "gỡ cảnh báo"), "accept": ("accept", "thụ lý"),
               "resolve": ("resolve", "giải quyết"), "close": ("close", "kết thúc"),
               "transfer": ("transfer", "chuyển đơn"), "guide": ("guide", "hướng dẫn"),
               "reopen": ("reopen", "mở lại")},
    "period_kind": {"tet": ("tet", "Tết Nguyên đán"), "new-year": ("new-year", "Tết Dương lịch"),
                    "custom": ("custom", "tự đặt"), "range": ("range", "khoảng ngày")},
}

# The label of a table's column → the kind of coded value its cells hold: a table or Markdown
# shows them in the reader's language (JSON and CSV keep the codes, for scripts).
COLUMN_VALUES = {"visit_type": "type", "field": "field", "handling": "handling", "status": "status",
                 "flags": "flag", "roster_shift": "shift", "shifts": "shift", "reception_kind": "kind",
                 "result": "result", "roster_role": "role", "event": "event", "period_kind": "period_kind",
                 "entity": "entity", "action": "action"}


def value_label(kind: str, value: str, lang: str = "en") -> str:
    pair = VALUES.get(kind, {}).get(value)
    if pair is None:
        return value
    return pair[1] if lang == "vi" else pair[0]


SYSTEM_REASONS = ("reason_crowd", "reason_escalated", "reason_repeat", "reason_hotspot", "reason_not_called",
                  "reason_status_day", "reason_derived", "reason_extension_days", "note_answered_at_the_desk")


def reason_label(text: str | None, lang: str) -> str | None:
    """A reason tct gave in a case's history (SYSTEM_REASONS, known by its English) as `lang` says
    it; any other text as it is. Callers pass only reasons tct may have written (an automatic
    flag's, a repair's), never an officer's note."""
    if not text or lang == "en":
        return text
    for key, pattern in _reason_patterns():
        found = pattern.fullmatch(text)
        if found:
            values = found.groupdict()
            if "flag" in values:
                values["flag"] = value_label("flag", values["flag"], lang)
            return label(key, lang, **values)
    return text


def reason_without_place(text: str | None) -> str | None:
    """A hotspot flag's reason (tct's, in English) with its locality left out, for a case whose
    locality is withheld (a denouncer's: part of their address); any other text as it is."""
    if not text:
        return text
    for key, pattern in _reason_patterns():
        if key == "reason_hotspot" and (found := pattern.fullmatch(text)):
            return LABELS[key][0].format(**{**found.groupdict(), "place": WITHHELD_PLACE})
    return text


WITHHELD_PLACE = "…"  # where a withheld locality stood in a reason

_REASON_PATTERNS: list[tuple[str, re.Pattern[str]]] = []


# What each value of a system reason can be: typed, so an officer's own words are not taken for
# one, and one free value (a place) between fixed words matches in one pass, however long the text.
_REASON_VALUES = {"code": r"[A-Z]+-\d{4}-\d+", "count": r"\d+", "days": r"\d+",
                  "flag": r"crowd|repeat|escalated|hotspot|complex", "place": r".*"}


def _reason_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each system reason's English as a pattern, its values as named groups."""
    if not _REASON_PATTERNS:
        for key in SYSTEM_REASONS:
            pieces = re.split(r"\{(\w+)\}", LABELS[key][0])  # text, name, text, name, ..., text
            _REASON_PATTERNS.append((key, re.compile("".join(
                re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>{_REASON_VALUES[piece]})"
                for index, piece in enumerate(pieces)), re.DOTALL)))
    return _REASON_PATTERNS


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


class Said(str):
    """An English text (the string itself) that can also be said in another language
    (`in_language`): an error or warning of a library module, which returns data and never knows
    who reads it. Made by `said`; it keeps its label and values through a pickle (a second process)."""

    key: str
    values: dict[str, object]
    coded: dict[str, str]


def said(key: str, /, *, coded: dict[str, str] | None = None, **values: object) -> Said:
    """The text of the label `key` in English, able to be said in another language. `coded` names
    the values that are codes of a kind of VALUES (a status, a flag…, or a list of them), or
    ("label") labels themselves: they are said in the language too."""
    text = Said(_say(key, "en", coded or {}, values))
    text.key, text.values, text.coded = key, values, coded or {}
    return text


def in_language(text: str, lang: str) -> str:
    """A text as `lang` says it: one made by `said` in that language, any other as it is."""
    if lang == "en" or not isinstance(text, Said):
        return str(text)
    return _say(text.key, lang, text.coded, text.values)


def _say(key: str, lang: str, coded: dict[str, str], values: dict[str, object]) -> str:
    # (a value that is itself a said text, such as an error put inside another, is said in `lang` too)
    shown = {name: in_language(value, lang) if isinstance(value, Said) else value for name, value in values.items()}
    for name, kind in coded.items():
        value = values[name]
        if kind == "label":
            shown[name] = label(str(value), lang)
        elif kind.startswith("list:"):  # (choices, where a name may hold a comma: "thụ lý, tiếp nhận đơn")
            # (in English the keys themselves, which are what is typed: `press-media`, not "press and media")
            shown[name] = label("list_separator", lang).join(
                str(item) if lang == "en" else value_label(kind[5:], str(item), lang) for item in value)
        elif isinstance(value, list | tuple):
            shown[name] = label("or_words", lang).join(value_label(kind, str(item), lang) for item in value)
        else:
            shown[name] = value_label(kind, str(value), lang)
    return label(key, lang, **shown)
