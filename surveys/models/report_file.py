"""Reports rendered by a worker, kept until the one who asked downloads them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .base import Base, utcnow
from .journey import Journey

REPORT_FILE_STATUSES = ("pending", "ready", "failed")


class ReportFile(Base):
    """One XLSX or PDF pain-point report asked for on the page, with REDIS_URL set.

    The file lives here rather than on a disk so that any web process can serve what any
    worker rendered; rows are deleted once `expires_at` has passed.
    """

    __tablename__ = "report_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(
        ForeignKey("journeys.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    fmt: Mapped[str] = mapped_column(String(8))
    # The page's filters as its query string reads them (Filters.to_query()).
    filters: Mapped[dict] = mapped_column(default=dict)
    min_n: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    file_name: Mapped[str] = mapped_column(String(200))
    # Loaded only to be downloaded: the status page reads the row without the file.
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    size: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(300))
    job_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)

    journey: Mapped[Journey] = relationship()
