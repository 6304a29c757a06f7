"""Click's own texts in Chinese: usage lines, help headings and the usage errors it raises.

Click marks every text it shows with gettext (``_()`` and ``ngettext()``, imported by name into
``click.core``, ``click.exceptions``, ``click.formatting``, ``click.types``, ``click.parser``,
``click.decorators``, ``click.termui`` …). Those names are looked up when a message is built, so
:func:`install` points them at one :class:`ClickChinese` catalogue — a
:class:`gettext.NullTranslations` whose msgids are click's, kept in :data:`MESSAGES` and
:data:`PLURALS` below — instead of the process's global gettext domain (argparse and the
standard library share that one, and it would follow ``LANG``). The texts click does not pass
through gettext — the type names shown as metavars (``TEXT``, ``INTEGER``), ``[OPTIONS]`` and
``COMMAND [ARGS]...`` in usage lines, and the colon after a heading — are set by
:func:`install` too, and help columns are aligned by display width (a 汉字 takes two columns of
a terminal; click counts characters).

``tests/api/test_cli_i18n.py`` reads the installed click's source: every msgid it uses must have
a translation here and every msgid here must still be click's, so an upgrade of click that adds
or rewords a text fails a test instead of showing English. Exit codes are click's own (2 for a
usage error).
"""

from __future__ import annotations

import gettext
import importlib
import string
import unicodedata

import click
import click.formatting
import click.types

__all__ = ["MESSAGES", "PLURALS", "ClickChinese", "ChineseHelpFormatter", "install"]

#: click's msgids (``_("…")``) and their Chinese; placeholders as in the msgid
MESSAGES: dict[str, str] = {
    # usage errors (exit code 2)
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的首字符无效（{option}）",
    "Value must be an iterable.": "取值必须是一组值。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "unknown error": "未知错误",
    "Aborted!": "已中止！",
    # values of a type
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Choice({choices})": "可选值（{choices}）",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} 不是有效的布尔值，可用：{states}"
    ),
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    # help pages
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示此帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "env var: {var}": "环境变量：{var}",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "弃用提示：命令 {name!r} 已弃用。{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "弃用提示：{param_type} {name!r} 已弃用。{extra_message}"
    ),
    # prompts and terminal
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不经询问直接确认。",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入的值不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
    "Unknown color {colour!r}": "未知颜色 {colour!r}",
    "d": "天",
    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
    "Unknown standard stream '{name}'": "未知的标准流 '{name}'",
    "Windows error: {error}": "Windows 错误：{error}",
    "Couldn't detect Bash version, shell completion is not supported.": (
        "无法检测 Bash 版本，不支持命令补全。"
    ),
    "Shell completion is not supported for Bash versions older than 4.4.": (
        "Bash 4.4 以前的版本不支持命令补全。"
    ),
    # mistakes in a command's definition (a programmer's, never a user's)
    "Could not determine name for option with declarations {decls!r}": (
        "无法从声明 {decls!r} 确定选项名称"
    ),
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?": (
        "没有定义选项，却给出了名称（{name}）：是想声明参数，还是想写 '--{name}'？"
    ),
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": (
        "参数只能有一个声明，却给出了 {length} 个：{decls}。"
    ),
    "Name '{name}' defined twice": "名称 '{name}' 重复定义",
    "Boolean option {decl!r} cannot use the same flag for true/false.": (
        "布尔选项 {decl!r} 的真、假取值不能用同一个标志。"
    ),
}

#: click's plural msgids (``ngettext(singular, plural, n)``) and their Chinese (singular, plural)
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "多余的参数（{args}）",
        "多余的参数（{args}）",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "是不是要用 {possibility}？",
        "（是不是要用其中之一：{possibilities}？）",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "选项 {name!r} 需要一个值。",
        "选项 {name!r} 需要 {nargs} 个值。",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "需要 {nargs} 个值，但只给了 1 个。",
        "需要 {nargs} 个值，但给了 {len} 个。",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} 不是可选值 {choice}。",
        "{value!r} 不在可选值 {choices} 之中。",
    ),
    (
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
    ): ("{value!r} 不符合格式 {format}。", "{value!r} 不符合任何一种格式：{formats}。"),
    (
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ): (
        "需要 {len_type} 个值，但给了 {len_value} 个。",
        "需要 {len_type} 个值，但给了 {len_value} 个。",
    ),
}

#: the names click shows for its types (metavars such as ``--top INTEGER``, and in messages)
TYPE_NAMES: dict[type[click.ParamType], str] = {
    click.types.StringParamType: "文本",
    click.types.UnprocessedParamType: "文本",
    click.types.IntParamType: "整数",
    click.types.IntRange: "整数范围",
    click.types.FloatParamType: "数字",
    click.types.FloatRange: "数字范围",
    click.types.BoolParamType: "布尔值",
    click.types.DateTime: "日期时间",
    click.types.UUIDParameterType: "UUID",
    click.types.File: "文件",
    click.types.Choice: "可选值",
}

#: placeholders of usage lines that click writes without gettext
USAGE_WORDS = {
    "[OPTIONS]": "[选项]",
    "COMMAND [ARGS]...": "命令 [参数]...",
    "[ARGS]...": "[参数]...",
}

#: the click modules that bind ``_`` / ``ngettext`` from :mod:`gettext`
MODULES = (
    "click._termui_impl",
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.shell_completion",
    "click.termui",
    "click.types",
    "click.utils",
)


class ClickChinese(gettext.NullTranslations):
    """click's messages in Chinese; an unknown msgid comes back unchanged (English)."""

    def gettext(self, message: str) -> str:
        return MESSAGES.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        pair = PLURALS.get((msgid1, msgid2))
        if pair is None:
            return msgid1 if n == 1 else msgid2
        return pair[0] if n == 1 else pair[1]


class ChineseHelpFormatter(click.HelpFormatter):
    """Headings end with a full-width colon; usage placeholders are Chinese."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for word, zh in USAGE_WORDS.items():
            args = args.replace(word, zh)
        if prefix is None:
            prefix = CATALOGUE.gettext("Usage:")  # no space after a full-width colon
        super().write_usage(prog, args, prefix)


CATALOGUE = ClickChinese()


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: two for wide (CJK) characters, ANSI codes none.

    >>> display_width("--home 路径"), display_width("--home PATH")
    (11, 11)
    """
    plain = click.unstyle(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in plain)


def install() -> None:
    """Make click speak Chinese in this process (idempotent). Call it before any click type
    is built: :class:`click.Path` names itself (文件/文件夹/路径) when it is made."""
    for name in MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = CATALOGUE.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = CATALOGUE.ngettext  # type: ignore[attr-defined]
    for cls, zh in TYPE_NAMES.items():
        cls.name = zh
    click.Context.formatter_class = ChineseHelpFormatter
    click.formatting.term_len = display_width  # type: ignore[assignment]  # aligned under 汉字


def placeholders(text: str) -> set[str]:
    """The ``str.format`` fields of ``text`` (for checking a translation keeps them)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
