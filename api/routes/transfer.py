"""Import and export over HTTP: templates (xlsx/csv) and bundles (zip) in, bundles out."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response

from chainatlas.api.auth import Forbidden
from chainatlas.api.deps import AuthDep, PrincipalDep, StoreDep
from chainatlas.api.errors import ZIP, downloads
from chainatlas.graph.bundle import export_bundle, import_bundle
from chainatlas.graph.errors import ImportFailed, RowError
from chainatlas.graph.templates import import_template

router = APIRouter(tags=["import and export"])

MAX_UPLOAD = 50 * 1024 * 1024  # bytes of an upload
MAX_UNZIPPED = 400 * 1024 * 1024  # bytes a bundle may expand to


def _safe_extract(data: bytes, dest: Path, name: str) -> None:
    """Unpack a bundle zip, refusing path traversal, non-CSV members and zip bombs."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFailed([RowError(name, 0, "", "不是有效的 zip 文件")]) from None
    total = 0
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
        total += info.file_size
        if total > MAX_UNZIPPED:
            raise ImportFailed([RowError(name, 0, "", "解压后超过 400 MB，拒绝导入")])
        with zf.open(info) as src:
            payload = src.read(MAX_UNZIPPED + 1)
        if len(payload) != info.file_size:
            raise ImportFailed([RowError(name, 0, info.filename, "压缩包声明的大小与内容不符")])
        (dest / member.name).write_bytes(payload)


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
    if who.role != "city":
        raise Forbidden("只有链长办可以批量导入")
    name = Path(file.filename or "upload").name
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ImportFailed([RowError(name, 0, "", "文件超过 50 MB")])
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        if suffix == ".zip":
            folder = Path(tmp) / "bundle"
            folder.mkdir()
            _safe_extract(data, folder, name)
            rep = import_bundle(store, folder, skip_bad=skip_bad, progress=False)
        elif suffix in (".xlsx", ".csv"):
            path = Path(tmp) / name
            path.write_bytes(data)
            rep = import_template(store, path, kind=kind, skip_bad=skip_bad, progress=False)
        else:
            raise ImportFailed([RowError(name, 0, "", "只接受 .xlsx、.csv 或 .zip")])
    auth.audit(
        who,
        "POST",
        request.url.path,
        name,
        None,
        {"nodes": rep.nodes, "relationships": rep.relationships},
    )
    return {
        "nodes": rep.nodes,
        "relationships": rep.relationships,
        "skipped": [e.__dict__ for e in rep.skipped],
    }


@router.get("/export", responses=downloads(ZIP))
def export_zip(store: StoreDep) -> Response:
    """The whole graph as a bundle (zip of neo4j-admin CSV files)."""
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        export_bundle(store, Path(tmp), progress=False)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(Path(tmp).iterdir()):
                zf.write(p, p.name)
    name = "产业链图谱包.zip"
    return Response(
        buf.getvalue(),
        media_type="application/zip",
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"bundle.zip\"; filename*=UTF-8''{quote(name)}"
            )
        },
    )
