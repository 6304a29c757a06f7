"""Convert the public ChainKnowledgeGraph CSV split (``shared/data/ckg``) to a graph bundle.

Mapping: companies → ``Firm`` (``firm:<code>``), products → ``Segment`` (``seg:<name>``, so a
product that bears the name of an authored fishbone segment *is* that segment), main products
→ ``OPERATES_IN`` with the revenue share as ``weight``, upstream materials → ``UPSTREAM_OF``
material→product, downstream products → ``UPSTREAM_OF`` product→downstream, sub-types →
``SUBSEGMENT_OF`` subtype→product, Shenwan industries → ``Industry`` with ``SUBINDUSTRY_OF``.

Noise handled (and counted in the report): duplicate company codes (one firm per code; the
row whose listing date fits the code's board wins, else the first; other full names kept in
``former_names``), accounting lines that are not products (平衡项目, 分部间抵销, …), revenue
shares outside [0, 1], self-loops and duplicate edges. A firm's ``region`` (``region_source:
fullname``) is 湖州市 when its full name says 湖州, else the province of the province,
municipality or city its full name starts with (无锡宏盛… → 江苏省; prefecture-level and
county-level cities, from :mod:`.cities`), else of a place in brackets (…（苏州）股份有限公司);
it is left empty otherwise (:func:`region_of`).

A user's copy of the folder may be broken (a file missing or empty, a column renamed, saved as
GBK by Excel, a row with a field too many that pandas would silently read shifted by a column):
every file is read and checked before anything is written (:func:`load_ckg`), and the bundle
is written into a temporary folder beside ``out`` and renamed into place, so a failure leaves
no half-written bundle and keeps a previous one. Only ``companies.csv`` must hold rows; the
relation and industry files may be header-only (no edges).
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from chainatlas.graph.errors import ChainAtlasError, RowError
from chainatlas.graph.io.sources.cities import COUNTY_CITIES, PREFECTURES
from chainatlas.graph.model import ID_REFUSED, char_class

__all__ = [
    "CKG_FILES",
    "CkgError",
    "CkgReport",
    "ckg_to_bundle",
    "is_noise_product",
    "load_ckg",
    "region_of",
]

#: The files of the ckg split and the columns the converter reads (others are ignored). Only
#: companies.csv is required to hold rows: without firms there is nothing to convert.
CKG_FILES: dict[str, tuple[str, ...]] = {
    "companies.csv": ("code", "name", "fullname", "exchange", "listed"),
    "industries.csv": ("code", "name"),
    "industry_parent.csv": ("child", "parent"),
    "company_industry.csv": ("company", "industry"),
    "company_product.csv": ("company", "product", "weight"),
    "product_upstream.csv": ("product", "upstream_material"),
    "product_subtype.csv": ("product", "subtype"),
    "product_downstream.csv": ("product", "downstream_product"),
}
_REQUIRED = frozenset({"companies.csv"})


class CkgError(ChainAtlasError):
    """The ckg folder (or the output folder) cannot be used; nothing was written.

    ``where`` says the file, row and column when the fault is in a source file.
    """

    def __init__(self, message: str, where: RowError | None = None) -> None:
        super().__init__(message)
        self.where = where


def _refuse(name: str, reason: str, *, row: int = 0, column: str = "") -> CkgError:
    where = RowError(name, row, column, reason)
    return CkgError(f"ckg 数据无法转换，未写入 bundle：{where}", where)


_NOISE = re.compile(
    r"(抵销|抵消|平衡项目|调整项目|合计|小计|其他业务|其它业务|^其他$|^其它$|^补充$|减[:：]|内部交易)"
)
_PROVINCES = (
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "台湾",
)
_MUNICIPAL = {"北京", "天津", "上海", "重庆"}
# earliest listing date that fits a code prefix (board opening dates)
_BOARD_START = {"688": "2019-07-22", "689": "2019-07-22", "300": "2009-10-30", "301": "2020-08-24"}


def is_noise_product(name: str) -> bool:
    """True for accounting lines and fragments that are not products.

    >>> is_noise_product("分部间抵销"), is_noise_product("锂电池"), is_noise_product("钢")
    (True, False, False)
    """
    name = name.strip()
    if not name or re.fullmatch(r"[\W\d_]+", name):
        return True
    return bool(_NOISE.search(name))


def _province(short: str) -> str:
    """A province's full name from the short form a firm name uses (江苏 → 江苏省)."""
    if short in _MUNICIPAL:
        return short + "市"
    if short in ("香港", "澳门"):
        return short + "特别行政区"
    if short in ("内蒙古", "广西", "西藏", "宁夏", "新疆"):
        return {"广西": "广西壮族自治区", "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区"}.get(
            short, short + "自治区"
        )
    return short + "省"


def _cities() -> dict[str, str]:
    """Every city's short name → its province (:mod:`.cities`), less :data:`NOT_PLACES`."""
    out = {}
    for table in (COUNTY_CITIES, PREFECTURES):  # a prefecture wins a name both hold
        for province, names in table.items():
            out.update(dict.fromkeys(names.split(), province))
    return {k: v for k, v in out.items() if k not in NOT_PLACES}


#: City names that begin firm names as ordinary words, not as places (东方电气 is in Sichuan,
#: not in 东方市, Hainan), found by reading every city match on the ckg firms.
NOT_PLACES = frozenset({"东方", "东兴", "永安", "沙河", "东港", "海伦", "福安"})
_CITY = _cities()
_LONGEST = max(map(len, _CITY))
#: A place in brackets: 纽威数控装备（苏州）股份有限公司.
_BRACKETED = re.compile(r"[（(]([^（）()]{2,8}?)(?:市|省)?[）)]")


def _place(name: str, *, whole: bool = False) -> str | None:
    """The province of the province or city ``name`` starts with (or is, with ``whole``)."""
    for p in _PROVINCES:
        if name.startswith(p) and (not whole or name == p):
            return _province(p)
    for n in range(min(_LONGEST, len(name)), 1, -1):
        if (not whole or n == len(name)) and name[:n] in _CITY:
            return _CITY[name[:n]]
    return None


def region_of(fullname: str) -> str | None:
    """Where a listed firm is, from its full name: 湖州市 when the name says 湖州, else the
    province of the province or city (prefecture-level or county-level) the name starts with,
    else of a place in brackets; ``None`` when the name names no place.

    >>> region_of("无锡宏盛换热器制造股份有限公司"), region_of("昆山国力电子科技股份有限公司")
    ('江苏省', '江苏省')
    >>> region_of("纽威数控装备（苏州）股份有限公司"), region_of("东方电气股份有限公司")
    ('江苏省', None)
    """
    if "湖州" in fullname:
        return "湖州市"
    found = _place(fullname)
    if found is None:
        for m in _BRACKETED.finditer(fullname):
            if found := _place(m.group(1), whole=True):
                break
    return found


@dataclass
class CkgReport:
    firms: int = 0
    duplicate_codes: int = 0
    segments: int = 0
    industries: int = 0
    relationships: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return self.firms + self.segments + self.industries + sum(self.relationships.values())


#: Control characters, line breaks and invisible or format characters, which ids may not hold
#: (the source has a product written 小\\x08大肠, and 北极虾 once with a zero-width joiner
#: after it, a second product that looks like the first): removed from product names.
_NOT_IN_NAMES = re.compile(char_class(ID_REFUSED))


def _product(names: pd.Series) -> pd.Series:
    """Product names as segment names: without control or invisible characters, stripped."""
    return names.str.replace(_NOT_IN_NAMES, "", regex=True).str.strip()


def _fits_board(code: str, listed: str) -> bool:
    start = _BOARD_START.get(code[:3])
    return start is None or listed >= start


def ckg_to_bundle(src: Path, out: Path) -> CkgReport:
    """Write the bundle for the ckg folder ``src`` into ``out``; returns what was converted.

    ``out`` is created, or replaced whole when it holds a bundle already. Raises
    :class:`CkgError` (nothing written, a previous bundle kept) when a source file is missing,
    empty, undecodable, lacks a column or has a row of the wrong width, or when ``out`` is a
    file or a folder of other files.
    """
    tables = load_ckg(src)
    _check_out(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as e:
        raise CkgError(f"无法写入输出目录 {out}（{_os_reason(e)}），未写入 bundle") from None
    try:
        rep = _convert(tables, tmp)
        _publish(tmp, out)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CkgError(f"无法写入输出目录 {out}（{_os_reason(e)}），未写入 bundle") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return rep


def _os_reason(e: OSError) -> str:
    """Why a file could not be read or written, in words users know."""
    if isinstance(e, PermissionError):
        return "没有权限"
    if isinstance(e, IsADirectoryError):
        return "这是一个目录，不是文件"
    if isinstance(e, (FileExistsError, NotADirectoryError)):
        return "路径中有同名的文件，不是目录"
    if e.errno == errno.ENOSPC:
        return "磁盘空间不足"
    return f"系统错误：{e.strerror or e}"


def _convert(tables: dict[str, pd.DataFrame], out: Path) -> CkgReport:
    rep = CkgReport()
    firm_ids = _firms(tables["companies.csv"], out, rep)
    _industries(tables, out, rep, firm_ids)
    main = _main_products(tables["company_product.csv"], rep, firm_ids)
    products: set[str] = set(main["product"])
    up_p, up_m = _product_pairs(
        tables["product_upstream.csv"], "upstream_material", "上游材料", rep
    )
    sub_p, sub_s = _product_pairs(tables["product_subtype.csv"], "subtype", "子类", rep)
    dn_p, dn_d = _product_pairs(
        tables["product_downstream.csv"], "downstream_product", "下游产品", rep
    )
    for col in (up_p, up_m, sub_p, sub_s, dn_p, dn_d):
        products.update(col)
    seg = sorted(products)
    pd.DataFrame(
        {"id:ID": ["seg:" + p for p in seg], ":LABEL": "Segment", "name": seg, "source": "ckg"}
    ).to_csv(out / "nodes_Segment.csv", index=False)
    rep.segments = len(seg)
    _rels(
        out,
        "OPERATES_IN",
        "firm:" + main["company"],
        "seg:" + main["product"],
        rep,
        {"weight:double": main["w"].round(6)},
    )
    flows = pd.DataFrame({"s": pd.concat([up_m, dn_p]), "e": pd.concat([up_p, dn_d])})
    flows = flows.drop_duplicates()
    _rels(out, "UPSTREAM_OF", "seg:" + flows["s"], "seg:" + flows["e"], rep)
    _rels(out, "SUBSEGMENT_OF", "seg:" + sub_s, "seg:" + sub_p, rep)
    _manifest(out, rep)
    return rep


def load_ckg(src: Path) -> dict[str, pd.DataFrame]:
    """Every file of :data:`CKG_FILES` in ``src``, read and checked, as string columns.

    Raises :class:`CkgError` at the first file that is missing, empty, not UTF-8, lacks a
    column, has a row with too many or too few fields, or (companies.csv) holds no row.
    """
    if not src.is_dir():
        raise CkgError(f"找不到 ckg 数据目录：{src}（应包含 {'、'.join(CKG_FILES)}）")
    return {name: _read(src, name) for name in CKG_FILES}


def _read(src: Path, name: str) -> pd.DataFrame:
    """One source file as a frame of its :data:`CKG_FILES` columns (csv rather than pandas:
    pandas reads a row with a field too many shifted by a column, without a word)."""
    columns = CKG_FILES[name]
    header_line = ",".join(columns)
    required = name in _REQUIRED
    try:
        data = (src / name).read_bytes()
    except FileNotFoundError:
        need = "必需文件（企业表）" if required else "没有数据时可以只有表头行，但文件不能缺少"
        raise _refuse(name, f"文件不存在（{need}；表头为 {header_line}）") from None
    except OSError as e:
        raise _refuse(name, f"无法读取（{_os_reason(e)}）") from None
    if not data.strip():
        need = (
            f"这是必需文件（企业表），须有表头行 {header_line} 和至少一家企业"
            if required
            else f"没有数据时请只保留表头行 {header_line}"
        )
        raise _refuse(name, f"文件是空的（{len(data)} 字节，连表头都没有）；{need}")
    rows = list(_rows(name, _decode(name, data), columns))
    if required and not rows:
        raise _refuse(name, "只有表头，没有数据行；此文件是必需的（企业表），至少要有一家企业")
    return pd.DataFrame(rows, columns=list(columns), dtype="str")


def _decode(name: str, data: bytes) -> str:
    """UTF-8 text, with or without the byte-order mark Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            hint = "文件看起来是 GBK 编码，请另存为 UTF-8（Excel：「CSV UTF-8（逗号分隔）」）"
        except UnicodeDecodeError:
            hint = f"字节 0x{data[e.start]:02x} 无法按 UTF-8 解码，请另存为 UTF-8"
        raise _refuse(name, f"不是 UTF-8 编码：{hint}", row=line) from None


def _rows(name: str, text: str, columns: tuple[str, ...]) -> Iterator[list[str]]:
    """The data rows of ``text`` (blank lines skipped), cut to ``columns``, after checking the
    header holds each column once and every row is as wide as the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]  # [] for a file of a BOM alone
        if missing := [c for c in columns if c not in header]:
            raise _refuse(
                name,
                f"表头缺少列 {'、'.join(missing)}（表头须含 {','.join(columns)}，"
                f"现为 {','.join(header)}）",
                row=1,
                column="、".join(missing),
            )
        if twice := [c for c in columns if header.count(c) > 1]:
            raise _refuse(name, "表头中此列出现了不止一次", row=1, column="、".join(twice))
        at = [header.index(c) for c in columns]
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise _refuse(
                    name,
                    f"有 {len(row)} 个字段，表头有 {len(header)} 列"
                    "（字段中的逗号须用英文双引号括起）",
                    row=reader.line_num,
                )
            yield [row[i] for i in at]
    except csv.Error as e:
        raise _refuse(name, f"不是有效的 CSV（{e}）", row=reader.line_num) from None


def _check_out(out: Path) -> None:
    """``out`` may be missing, an empty folder or a bundle (which is replaced whole); a file or
    a folder of other files is refused, so that no one's files are deleted."""
    if out.exists() and not out.is_dir():
        raise CkgError(f"输出路径 {out} 已存在且不是目录，未写入 bundle；请换一个输出目录")
    if out.is_dir() and any(out.iterdir()) and not (out / "bundle.json").is_file():
        raise CkgError(
            f"输出目录 {out} 里已有其他文件（不是 bundle，没有 bundle.json），未写入；"
            "请换一个新的或空的输出目录"
        )


def _publish(tmp: Path, out: Path) -> None:
    """Rename the finished bundle ``tmp`` to ``out``, replacing a previous bundle whole."""
    if not out.exists():
        os.replace(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.replace(out, old / "bundle")
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def _firms(comp: pd.DataFrame, out: Path, rep: CkgReport) -> set[str]:
    """``nodes_Firm.csv``, one firm per stock code; returns the codes."""
    comp["code"] = comp["code"].str.strip().str.zfill(6)
    comp["fits"] = [_fits_board(c, ld) for c, ld in zip(comp["code"], comp["listed"], strict=True)]
    comp["order"] = range(len(comp))
    rep.duplicate_codes = int(comp["code"].duplicated().sum())
    comp = comp.sort_values(["code", "fits", "order"], ascending=[True, False, True])
    former = comp.groupby("code")["fullname"].apply(lambda s: list(dict.fromkeys(s))[1:])
    firms = comp.drop_duplicates("code", keep="first").copy()
    firms["former_names"] = [";".join(former[c]) for c in firms["code"]]
    firms["region"] = [region_of(f) or "" for f in firms["fullname"]]
    firms_out = pd.DataFrame(
        {
            "id:ID": "firm:" + firms["code"],
            ":LABEL": "Firm",
            "name": firms["name"],
            "fullname": firms["fullname"],
            "stock_code": firms["code"],
            "exchange": firms["exchange"],
            "listed": firms["listed"],
            "region": firms["region"],
            "region_source": ["fullname" if r else "" for r in firms["region"]],
            "tags:string[]": "上市",
            "former_names:string[]": firms["former_names"],
            "source": "ckg",
        }
    )
    firms_out.to_csv(out / "nodes_Firm.csv", index=False)
    rep.firms = len(firms_out)
    return set(firms["code"])


def _industries(
    tables: dict[str, pd.DataFrame], out: Path, rep: CkgReport, firm_ids: set[str]
) -> None:
    """``nodes_Industry.csv`` with its levels, SUBINDUSTRY_OF and the firms' IN_INDUSTRY."""
    ind = tables["industries.csv"]
    ind["level"] = [1 if c.endswith("0000") else 2 if c.endswith("00") else 3 for c in ind["code"]]
    pd.DataFrame(
        {
            "id:ID": "ind:" + ind["code"],
            ":LABEL": "Industry",
            "name": ind["name"],
            "code": ind["code"],
            "level:long": ind["level"],
        }
    ).to_csv(out / "nodes_Industry.csv", index=False)
    rep.industries = len(ind)
    ind_ids = set(ind["code"])
    par = tables["industry_parent.csv"]
    par = par[par["child"].isin(ind_ids) & par["parent"].isin(ind_ids)].drop_duplicates()
    _rels(out, "SUBINDUSTRY_OF", "ind:" + par["child"], "ind:" + par["parent"], rep)
    ci = tables["company_industry.csv"]
    ci["company"] = ci["company"].str.zfill(6)
    ok = ci["company"].isin(firm_ids) & ci["industry"].isin(ind_ids)
    rep.dropped["company_industry 未知企业或行业"] = int((~ok).sum())
    ci = ci[ok].drop_duplicates()
    _rels(out, "IN_INDUSTRY", "firm:" + ci["company"], "ind:" + ci["industry"], rep)


def _main_products(cp: pd.DataFrame, rep: CkgReport, firm_ids: set[str]) -> pd.DataFrame:
    """The firms' main products (company, product, revenue share ``w``) without noise, bad
    shares or unknown firms, one row per firm and product (the largest share)."""
    cp = cp.copy()
    cp["company"] = cp["company"].str.zfill(6)
    cp["product"] = _product(cp["product"])
    cp["w"] = pd.to_numeric(cp["weight"], errors="coerce")
    noise = cp["product"].map(is_noise_product).astype(bool)  # bool also when empty
    bad_w = ~cp["w"].between(0, 1)
    unknown = ~cp["company"].isin(firm_ids)
    rep.dropped["主营产品为会计科目等噪声"] = int(noise.sum())
    rep.dropped["主营产品占比不在 0~1"] = int((bad_w & ~noise).sum())
    rep.dropped["主营产品的企业不在企业表"] = int((unknown & ~noise & ~bad_w).sum())
    cp = cp[~noise & ~bad_w & ~unknown]
    return cp.sort_values("w", ascending=False).drop_duplicates(["company", "product"])


def _product_pairs(
    df: pd.DataFrame, other: str, label: str, rep: CkgReport
) -> tuple[pd.Series, pd.Series]:
    """(product, ``other``) pairs of one relation file without noise, self-loops or repeats."""
    a, b = "product", other
    df = df.copy()
    df[a], df[b] = _product(df[a]), _product(df[b])
    bad = df[a].map(is_noise_product).astype(bool) | df[b].map(is_noise_product).astype(bool)
    loops = df[a] == df[b]
    rep.dropped[f"{label} 噪声端点"] = int(bad.sum())
    rep.dropped[f"{label} 自环"] = int((loops & ~bad).sum())
    df = df[~bad & ~loops].drop_duplicates([a, b])
    return df[a], df[b]


def _manifest(out: Path, rep: CkgReport) -> None:
    """``bundle.json``: the format, and the report of what was converted and dropped."""
    manifest = {
        "format": "neo4j-admin-csv",
        "array_delimiter": ";",
        "source": "ckg",
        "report": {
            "firms": rep.firms,
            "duplicate_codes": rep.duplicate_codes,
            "segments": rep.segments,
            "industries": rep.industries,
            "relationships": rep.relationships,
            "dropped": rep.dropped,
        },
    }
    (out / "bundle.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")


def _rels(
    out: Path,
    rtype: str,
    start: pd.Series,
    end: pd.Series,
    rep: CkgReport,
    extra: dict[str, pd.Series] | None = None,
) -> None:
    df = pd.DataFrame({":START_ID": start.values, ":END_ID": end.values, ":TYPE": rtype})
    for k, v in (extra or {}).items():
        df[k] = v.values
    # Sorted by endpoints, as `chainatlas export` writes: an import then appends to the store's
    # index in order instead of sorting first.
    df = df.sort_values([":START_ID", ":END_ID"], kind="stable")
    df.to_csv(out / f"rels_{rtype}.csv", index=False)
    rep.relationships[rtype] = len(df)
