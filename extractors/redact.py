"""Secrets (webhook URLs, API keys) never reach a log line, whoever logs it.

Libraries log URLs on their own (urllib3's "Retrying ... /services/T0/B0/secret" warnings,
Prefect's task errors), so a filter on gapwatch's loggers is not enough. Every secret is
registered here once, where it is read, and a log record factory rewrites every record of every
logger in the process before any handler sees it. Lives at the bottom layer so every layer can
register what it reads.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from urllib.parse import urlsplit

MASK = "[redacted]"
_secrets: set[str] = set()
_guard = threading.Lock()
_installed: list[Callable[..., logging.LogRecord]] = []
# parts shorter than this are not secrets (and would mask ordinary words)
_MIN_LENGTH = 8


def register(secret: str | None) -> None:
    """Mask this value, and for a URL its path, query and credentials, from now on."""
    if not secret:
        return
    parts = {secret}
    if "://" in secret:
        split = urlsplit(secret)
        parts.update({split.path, split.query, split.netloc.rpartition("@")[0]})
        if split.path:
            parts.add(split.path + ("?" + split.query if split.query else ""))
            # a long path segment is a token on its own (Slack's last segment is the secret)
            parts.update(segment for segment in split.path.split("/") if len(segment) >= 16)
    with _guard:
        _secrets.update(p for p in parts if len(p) >= _MIN_LENGTH)
    install()


def redact(text: str) -> str:
    """The text with every registered secret replaced by [redacted]."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def install() -> None:
    """Wrap the log record factory once: every record is redacted as it is made."""
    with _guard:
        if _installed:
            return
        previous = logging.getLogRecordFactory()
        _installed.append(previous)

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _secrets:
            _redact_record(record)
        return record

    logging.setLogRecordFactory(factory)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is the logging module's business, not ours
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text)
