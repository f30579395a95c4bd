"""Statistics for the coordinator's pages and exports: aggregated and suppressed only.

``GET /api/statistics`` answers the JSON the charts need; ``GET /api/statistics/export``
downloads the same report as CSV, XLSX or JSON. A reversed range answers 422
``statistics.range_reversed``; a range over three years 422 ``statistics.range_too_long``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from chatsupport.api.deps import CoordinatorDep
from chatsupport.api.diary_routes import DiaryDep
from chatsupport.api.feedback_routes import FeedbackDep
from chatsupport.domain.statistics import Granularity
from chatsupport.services.export import MEDIA_TYPES, ExportFormat, file_name, render, to_json

router = APIRouter(prefix="/api/statistics", tags=["statistics"])

Lang = Annotated[str, Query(pattern="^(fi|sv|en)$")]


@router.get("")
async def statistics(
    start: date,
    end: date,
    _: CoordinatorDep,
    diary: DiaryDep,
    feedback: FeedbackDep,
    granularity: Granularity = Granularity.MONTH,
    lang: Lang = "fi",
) -> dict[str, Any]:
    report = await diary.report(start=start, end=end, granularity=granularity, lang=lang)
    # The youth's "did this help?" answers: a separate small table, counts only (no total).
    return to_json(report) | {"feedback": await feedback.table(start=start, end=end, lang=lang)}


@router.get("/export")
async def export(
    start: date,
    end: date,
    _: CoordinatorDep,
    diary: DiaryDep,
    granularity: Granularity = Granularity.MONTH,
    lang: Lang = "fi",
    format: ExportFormat = ExportFormat.CSV,
) -> Response:
    report = await diary.report(start=start, end=end, granularity=granularity, lang=lang)
    return Response(
        render(report, format),
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(report, format)}"',
            "Cache-Control": "no-store",
        },
    )
