"""Files the API answers with: one media-type table and one way to name a download.

Every route that may answer with a file (xlsx, html, svg, zip) builds its answer with
:func:`download`: the media type from :data:`MEDIA_TYPES` (the views' own table,
:data:`chainatlas.viz.export.FORMATS`, plus the zip of a bundle), and a ``Content-Disposition``
whose ``filename*`` carries the Chinese name (RFC 6266 / RFC 5987) beside a plain ASCII
``filename`` for clients that cannot read it. Pages and drawings open in the browser
(``inline``), workbooks and bundles are saved (``attachment``); JSON carries no file name.
:func:`downloads` documents those media types in the OpenAPI.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from chainatlas.viz.export import FORMATS

__all__ = ["HTML", "MEDIA_TYPES", "SVG", "XLSX", "ZIP", "download", "downloads"]

#: The media type of each format the API answers with.
MEDIA_TYPES: dict[str, str] = {**FORMATS, "zip": "application/zip"}
#: Media types as the OpenAPI names them (without parameters).
XLSX = MEDIA_TYPES["xlsx"]
HTML = "text/html"
SVG = MEDIA_TYPES["svg"]
ZIP = MEDIA_TYPES["zip"]
#: Formats a browser shows rather than saves.
_INLINE = {"html", "svg"}


def downloads(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for an endpoint whose 200 answer may also be a file of these media types."""
    return {200: {"content": {m: {} for m in media_types}}}


def download(
    data: bytes | str, fmt: str, name: str | None = None, *, fallback: str = "chainatlas"
) -> Response:
    """``data`` in format ``fmt``; named ``name`` (shown inline or saved, see above) unless it
    is JSON or has no name; ``fallback`` is the ASCII file name without its suffix."""
    headers = {}
    if name and fmt != "json":
        how = "inline" if fmt in _INLINE else "attachment"
        headers["Content-Disposition"] = (
            f"{how}; filename=\"{fallback}.{fmt}\"; filename*=UTF-8''{quote(name)}"
        )
    return Response(content=data, media_type=MEDIA_TYPES[fmt], headers=headers)
