"""Import and export over HTTP: templates (xlsx/csv) and bundles (zip) in, bundles out."""

from __future__ import annotations

import io
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from chainatlas.api.auth import require_role
from chainatlas.api.deps import AuthDep, PrincipalDep, StoreDep
from chainatlas.api.downloads import ZIP, download, downloads
from chainatlas.api.roles import CITY
from chainatlas.graph.errors import MAX_ERRORS, ImportFailed, RowError
from chainatlas.graph.store.contract import GraphStore

if TYPE_CHECKING:  # imports read with pandas and pyarrow: loaded with the first import or export
    from chainatlas.graph.io.bundle import ImportReport, RecordChanges

router = APIRouter(tags=["import and export"])

MAX_UPLOAD = 50 * 1024 * 1024  # bytes of an upload
MAX_UNZIPPED = 400 * 1024 * 1024  # bytes a bundle may expand to


def _safe_extract(data: bytes, dest: Path, name: str) -> None:
    """Unpack a bundle zip, refusing path traversal, non-CSV members, two members of the same
    file name (they would overwrite each other), members whose content is not what their
    header says, and zip bombs — each with a Chinese error naming the member."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise ImportFailed([RowError(name, 0, "", "不是有效的 zip 文件")]) from None
    total = 0
    seen: dict[str, str] = {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        member = Path(info.filename)
        if member.is_absolute() or ".." in member.parts:
            raise ImportFailed([RowError(name, 0, info.filename, "压缩包内路径不安全")])
        if member.suffix.lower() not in (".csv", ".json"):
            raise ImportFailed(
                [RowError(name, 0, info.filename, "图谱包只能包含 CSV 和 bundle.json")]
            )
        if member.name in seen:
            why = f"与「{seen[member.name]}」同名，解压后会互相覆盖；请改名后重新打包"
            raise ImportFailed([RowError(name, 0, info.filename, why)])
        seen[member.name] = info.filename
        total += info.file_size
        if total > MAX_UNZIPPED:
            raise ImportFailed([RowError(name, 0, "", "解压后超过 400 MB，拒绝导入")])
        (dest / member.name).write_bytes(_member(zf, info, name))


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """One member's bytes, read no further than it claims to hold (plus one byte)."""
    try:
        with zf.open(info) as src:
            payload = src.read(info.file_size + 1)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error):
        # a lying size or CRC, a truncated member, an unknown compression method
        raise ImportFailed(
            [RowError(name, 0, info.filename, "压缩包成员已损坏或无法解压")]
        ) from None
    if len(payload) != info.file_size:
        raise ImportFailed([RowError(name, 0, info.filename, "压缩包声明的大小与内容不符")])
    return payload


def _import_upload(
    store: GraphStore, data: bytes, name: str, kind: str | None, skip_bad: bool
) -> ImportReport:
    """The import's own work (unpacking, reading, checking, writing): run in a worker thread,
    so that the event loop keeps answering other requests meanwhile."""
    from chainatlas.graph.io.bundle import import_bundle
    from chainatlas.graph.io.templates import import_template

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        if suffix == ".zip":
            folder = Path(tmp) / "bundle"
            folder.mkdir()
            _safe_extract(data, folder, name)
            return import_bundle(store, folder, skip_bad=skip_bad, progress=False)
        if suffix in (".xlsx", ".csv", ".xls"):  # an old .xls: the reader says how to save it
            path = Path(tmp) / name
            path.write_bytes(data)
            return import_template(store, path, kind=kind, skip_bad=skip_bad, progress=False)
    raise ImportFailed([RowError(name, 0, "", "只接受 .xlsx、.csv 或 .zip")])


def _records(changes: RecordChanges) -> dict[str, object]:
    return {
        "new": changes.new,
        "updated": changes.updated,
        "unchanged": changes.unchanged,
        "summary": changes.text(),
    }


@router.post("/import")
async def import_file(
    request: Request,
    file: UploadFile,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    skip_bad: bool = Query(False),
    kind: str | None = Query(None, description="firms|projects|demands|supplies"),
) -> dict[str, object]:
    """Import a filled template (.xlsx/.csv) or a bundle (.zip of neo4j-admin CSV files) in one
    atomic batch; every bad row is reported and nothing is written unless ``skip_bad``.
    City office only (imports may touch every district and chain)."""
    require_role(who, CITY, "批量导入")  # 批量导入需要市链长办令牌；当前令牌为…
    name = Path(file.filename or "upload").name
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ImportFailed([RowError(name, 0, "", "文件超过 50 MB")])
    intended = {"file": name, "kind": kind, "skip_bad": skip_bad}
    with auth.audited(who, request, name, None, intended) as entry:
        rep = await run_in_threadpool(_import_upload, store, data, name, kind, skip_bad)
        entry.after = {"nodes": rep.nodes, "relationships": rep.relationships}
    return {
        "nodes": rep.nodes,
        "relationships": rep.relationships,
        # the first MAX_ERRORS skipped rows, and how many there were
        "skipped": [e.__dict__ for e in rep.skipped[:MAX_ERRORS]],
        "skipped_count": len(rep.skipped),
        # the rows those errors are on (a row may have several errors)
        "skipped_rows": rep.skipped_rows,
        # a template's records: new, changed, unchanged (a file imported twice), and in words
        "records": None if rep.changes is None else _records(rep.changes),
    }


@router.get("/export", responses=downloads(ZIP))
def export_zip(store: StoreDep, who: PrincipalDep, auth: AuthDep, request: Request) -> Response:
    """The whole graph as a bundle (zip of neo4j-admin CSV files). City office only: it is
    everything, and costly (rate-limited per token, see ``api/limits.py``). The one read in
    the audit log (who took everything, and when): a row with the files and rows exported."""
    require_role(who, CITY, "导出全部数据")
    buf = io.BytesIO()
    from chainatlas.graph.io.bundle import export_bundle

    with (
        auth.audited(who, request, None) as entry,
        tempfile.TemporaryDirectory() as tmp,
    ):
        counts = export_bundle(store, Path(tmp), progress=False)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(Path(tmp).iterdir()):
                zf.write(p, p.name)
        entry.after = {"files": len(zf.namelist()), "rows": sum(counts.values())}
    return download(buf.getvalue(), "zip", "产业链图谱包.zip", fallback="bundle")
