#!/usr/bin/env bash
# Nightly backup of the tct register, for cron or a systemd timer (see README, "Backups").
#
# Takes a verified backup (backups/ beside the register unless TCT_BACKUP_DIR is set), then keeps
# the newest TCT_BACKUP_KEEP (default 30) tct backups of that folder; no other file is touched.
# Silent on success (so cron sends no mail); on failure tct's one-line error and a line naming this
# script go to stderr and the exit status is non-zero, so cron mails it and systemd marks the unit
# failed.
#
#   TCT_DB            the register (file path or URL); default: tct's default location
#   TCT_BACKUP_DIR    destination folder, which must exist (create it once, inside the mounted
#                     backup disk, not at its mount point: mkdir -m 700 /mnt/backup/tct), so that a
#                     backup disk not mounted tonight fails the night instead of filling the
#                     machine's own disk under its mount point; default: backups/ beside the register
#   TCT_BACKUP_KEEP   how many backups to keep; default 30
#   TCT_BACKUP_GZIP   1 to compress (.db.gz)
#   TCT               the tct command; default: the .venv/bin/tct that `make` installed in this
#                     script's checkout when there is one (cron's PATH has no tct), else tct on PATH
set -euo pipefail
umask 077

installed="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/tct"
if [[ -z "${TCT:-}" && -x "$installed" ]]; then
    TCT="$installed"
fi
tct="${TCT:-tct}"
keep="${TCT_BACKUP_KEEP:-30}"
args=(backup --keep "$keep")
if [[ -n "${TCT_BACKUP_DIR:-}" ]]; then
    args+=(--to "$TCT_BACKUP_DIR")
fi
if [[ "${TCT_BACKUP_GZIP:-0}" == "1" ]]; then
    args+=(--gzip)
fi

status=0
if [[ -n "${TCT_BACKUP_DIR:-}" && ! -d "$TCT_BACKUP_DIR" ]]; then
    echo "Error: the backup folder $TCT_BACKUP_DIR does not exist (is its disk mounted?); create it once with mkdir -m 700" >&2
    status=1
else
    path="$("$tct" "${args[@]}")" || status=$?
fi
if [[ $status -ne 0 ]]; then
    # (a PostgreSQL URL's password is never printed: cron mails this line)
    register="$(printf '%s' "${TCT_DB:-the default tct register}" \
        | sed -E -e 's#(://[^:/@]*):.*@#\1:***@#' -e 's#([?&](ssl)?password=)[^&]*#\1***#g')"
    echo "nightly-backup: backup of $register FAILED (exit $status) on ${HOSTNAME:-$(uname -n)} at $(date '+%Y-%m-%d %H:%M:%S')" >&2
    exit "$status"
fi
if [[ -t 1 ]]; then
    echo "$path"
fi
