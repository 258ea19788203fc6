"""tct's error types. Each carries the exit code the command layer returns.

Exit codes (documented in README):
  0  success
  1  a domain or validation error (bad value, unknown code, impossible transition),
     or a check that found problems (`db check`, `alerts --check`, `roster check --strict`)
  2  a usage error: unknown option, missing or malformed argument (Click's convention)
  3  the database cannot be used: cannot be opened, locked past the timeout, corrupt,
     not a tct database, written by a newer tct, or needs `tct db upgrade`
  4  an internal error in tct itself (a bug; TCT_DEBUG=1 shows the traceback)
  130 interrupted (Ctrl-C)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130


class TctError(Exception):
    """A problem the user can fix; printed as one line `Error: …`.

    One made by `said_as` can also be said in the person's language (`said`): its message is an
    i18n.Said, whose English and other languages come from one label, so they say the same thing."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @classmethod
    def said_as(cls, key: str, /, *, coded: dict[str, str] | None = None, **values: object) -> TctError:
        """The error of the i18n label `key` (see i18n.said)."""
        from tct.i18n import said

        return cls(said(key, coded=coded, **values))

    def said(self, lang: str) -> str:
        """The message in `lang` (English, or one made without a label, as it is)."""
        from tct.i18n import in_language

        return in_language(self.message, lang)


class ValidationError(TctError):
    """A value the user typed is not acceptable."""


class NotFoundError(TctError):
    """A code or name that matches nothing (or more than one thing)."""


class UsageError(TctError):
    """Arguments that do not fit together, found after parsing."""

    exit_code = EXIT_USAGE


class DatabaseError(TctError):
    """The database cannot be used as it is; the message says what to do."""

    exit_code = EXIT_DATABASE


class CheckFailed(TctError):
    """A check command found problems (exit 1, its report already printed). Not a mistake: its one
    line says what was found and the exit code (cron mails it), without `Error:`."""


def debugging() -> bool:
    """TCT_DEBUG=1 (or true, yes, on) shows tracebacks; 0, false, no, off and empty do not, as a
    person setting TCT_DEBUG=0 means."""
    import os

    return os.environ.get("TCT_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")
