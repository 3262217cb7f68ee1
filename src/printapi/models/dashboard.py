"""The dashboard's own tables: signed-in browser sessions and the sign-in attempts that rate-limit them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from printapi.kit.db import UTCDateTime
from printapi.models.base import Base


class DashboardSession(Base):
    """One signed-in browser. The cookie holds a random token; only its keyed hash is stored, so a
    copy of the database does not let anyone sign in."""

    __tablename__ = "dashboard_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    # Sent back in every form (and the X-CSRF-Token header of htmx requests).
    csrf_token: Mapped[str] = mapped_column(String(64))
    # Messages for the next page the browser shows (JSON list), written with the action they report.
    flash: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class SignInAttempt(Base):
    """A failed sign-in, or any sign-up: counted per e-mail and per client address over a window."""

    __tablename__ = "dashboard_sign_in_attempts"

    pk: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # sign_in | sign_up
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (
        Index("ix_dashboard_sign_in_attempts_email", "email", "kind", "attempted_at"),
        Index("ix_dashboard_sign_in_attempts_ip", "ip", "kind", "attempted_at"),
    )
