"""Documents from a case: agendas, notes, plans, chronology, conference records.

Templates are Jinja, rendered in a bounded ``SandboxedEnvironment`` with
``StrictUndefined`` over a view model of plain data (cptui.viewmodel): a
template, including a team's own, gets no path, no model object and no
function, and cannot exhaust memory or CPU with ``**``, ``*`` or ``range``.
Record text is data, never compiled as a template, so ``{{7*7}}`` in a summary
prints as typed; in Markdown output raw HTML from record text is escaped and
images become plain links, so opening a ``.md`` file loads nothing.

HTML is made from the Markdown by markdown-it-py with raw HTML, links and
images off; print CSS puts the copy banner in the page margins (``@page``
margin boxes), where it can never cover text, on every printed page.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import Any, Iterator

from jinja2 import (ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError,
                    TemplateNotFound, TemplateSyntaxError)
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from cptui.caseload import Caseload, CaseView
from cptui.dates import fmt_date
from cptui.paths import bundled_templates
from cptui.viewmodel import DocumentError, build, omitted_for

__all__ = ["DOCUMENTS", "DocumentError", "render", "context", "write_document", "output_dir",
           "check_output_path", "md_to_html", "OutputError"]

DOCUMENTS = {
    "agenda": "Core group agenda",
    "notes": "Core group notes",
    "plan": "Child protection plan",
    "plan-child": "My plan (for the child and family)",
    "chronology": "Chronology",
    "record": "Conference record",
}

# Bounds on what a template may compute (a team template is shared code).
MAX_RANGE_TOTAL = 10_000   # items all range() calls of one render may produce
MAX_POWER_BITS = 100_000   # largest integer ** may make, in bits
MAX_REPEAT = 100_000       # longest string or list made by *
MAX_OUTPUT = 5_000_000     # characters one document may have


class OutputError(DocumentError):
    """A document would be written where it must not go."""


class KeepEscaping(Extension):
    """Templates cannot turn HTML escaping off: no ``{% autoescape %}`` block (the
    ``safe`` filter is removed from the environment too), so a case note holding
    markup can never run in a page someone opens in a browser."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        after_block = False
        for token in stream:
            if after_block and token.type == "name" and token.value == "autoescape":
                raise TemplateSyntaxError("cptui templates cannot turn escaping off "
                                          "(no autoescape blocks)", token.lineno, stream.name,
                                          stream.filename)
            after_block = token.type == "block_begin"
            yield token


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox, with ``**``, ``*`` and ``range`` bounded per render."""

    intercepted_binops = frozenset({"**", "*"})

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.range_left = MAX_RANGE_TOTAL
        self.globals["range"] = self._range

    def _range(self, *args: int) -> range:
        r = range(*args)
        self.range_left -= len(r)
        if self.range_left < 0:
            raise DocumentError(f"template asked for more than {MAX_RANGE_TOTAL} range() items")
        return r

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Refuse an oversized result before computing it; the sandbox then computes."""
        if operator == "**":
            if (isinstance(left, int) and isinstance(right, int) and abs(left) > 1
                    and left.bit_length() * right > MAX_POWER_BITS):
                raise DocumentError(f"template power over {MAX_POWER_BITS} bits")
        elif operator == "*":
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, (str, list, tuple))
                    and isinstance(n, int)
                    and len(seq) * n > MAX_REPEAT
                ):
                    raise DocumentError(f"template repeat over {MAX_REPEAT} items")
        return super().call_binop(context, operator, left, right)


_IMAGE = re.compile(r"!\[([^\]]*)\]\(")


def md_text(value: Any) -> Any:
    """Record text as it goes into Markdown: raw HTML shown as typed, images as links."""
    if not isinstance(value, str):
        return value
    text = _IMAGE.sub(lambda m: f"[image: {m.group(1)}](", value)
    return text.replace("![", "!\\[").replace("<", "\\<")


class TeamLoader(FileSystemLoader):
    """The team's templates folder, whose files must really be in it.

    Git carries symbolic links, so a shared templates folder could point a template
    at any file the user can read and print it into a document: a template whose
    real path is outside the folder is refused (a link within it is fine).
    """

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        root = Path(self.searchpath[0]).resolve()
        real = Path(filename).resolve()
        if root not in real.parents:
            raise DocumentError(f"the template {template} is a link to a file outside the "
                                f"team's templates folder ({root}): refused")
        return source, filename, uptodate


def environment(cases_dir: Path) -> BoundedSandbox:
    """Team templates in ``<cases>/templates`` win over the bundled ones."""
    loaders = []
    if (cases_dir / "templates").is_dir():
        loaders.append(TeamLoader(str(cases_dir / "templates")))
    loaders.append(FileSystemLoader(str(bundled_templates())))
    env = BoundedSandbox(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                         extensions=[KeepEscaping],
                         autoescape=lambda name: bool(name and name.endswith(".html.j2")),
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    del env.filters["safe"]  # see KeepEscaping
    env.filters["d"] = fmt_date
    env.filters["first_word"] = lambda s: (str(s or "").split() or [""])[0]
    env.filters["and_list"] = lambda xs: (
        (", ".join(xs[:-1]) + " and " + xs[-1]) if len(xs) > 1 else "".join(xs)
    )
    env.filters["cell"] = lambda s: " ".join(str(s or "").split()).replace("|", "/")
    env.filters["dates"] = lambda ds: ", ".join(fmt_date(d) for d in ds) if ds else "none"
    return env


def context(view: CaseView, load: Caseload, copy: str, meeting: str | None = None,
            conference: str | None = None, *, name: str) -> dict[str, Any]:
    """The whole template context: the view model, plus the document's own count."""
    if copy not in ("full", "parent"):
        raise DocumentError("--copy is full or parent")
    parent_vm, parent_refs = build(view, load, True, None if copy == "full" else meeting,
                                   None if copy == "full" else conference)
    if copy == "parent":
        vm = parent_vm
        vm["omitted"] = 0
    else:
        vm, full_refs = build(view, load, False, meeting, conference)
        vm["omitted"] = omitted_for(name, full_refs, parent_refs)
    vm["document"] = {"name": name, "title": DOCUMENTS[name]}
    return vm


def _render_template(tpl: Any, ctx: dict[str, Any]) -> str:
    out: list[str] = []
    size = 0
    for chunk in tpl.generate(**ctx):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise DocumentError(f"document longer than {MAX_OUTPUT} characters: template stopped")
        out.append(chunk)
    return "".join(out)


_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}) \
    .enable("table").disable(["image", "link", "autolink"])


def md_to_html(md: str) -> str:
    """CommonMark + tables; raw HTML shown as text; links and images left as plain text."""
    return _breakable(_MD.render(md))


LONG_WORD = 24  # a run of letters without a space longer than this may break when printed


def _breakable(html: str) -> str:
    """Break opportunities (``<wbr>``) inside long unbroken words of the text, so a
    pasted web address wraps instead of pushing a table column off the printed page.

    Only text between tags is touched, entities stay whole, and nothing visible or
    copied changes: ``<wbr>`` only allows a line break there.
    """
    def word(m: re.Match[str]) -> str:
        out, run = [], 0
        for part in re.split(r"(&#?\w+;)", m.group(0)):
            if part.startswith("&") and part.endswith(";"):
                out.append(part)
                run += 1
                continue
            for ch in part:
                out.append(ch)
                run += 1
                if ch in "/?=-_.," or run >= 20:
                    out.append("<wbr>")
                    run = 0
        return "".join(out).removesuffix("<wbr>")

    return re.sub(r"(?<=>)[^<]+", lambda t: re.sub(rf"[^\s<>]{{{LONG_WORD + 1},}}", word,
                                                    t.group(0)), html)


def render(name: str, view: CaseView, load: Caseload, copy: str = "full", fmt: str = "md",
           meeting: str | None = None, conference: str | None = None) -> str:
    """One document as text; any failure of a template is a ``DocumentError`` in one line."""
    try:
        return _render(name, view, load, copy, fmt, meeting, conference)
    except DocumentError:
        raise
    except Exception as e:  # a team's template (or ours) failed
        raise DocumentError(template_failure(e)) from None


def template_failure(e: BaseException) -> str:
    """Which template, which line, what went wrong: never a value from the case.

    Jinja's own messages name variables and attributes, not their values; any
    other error (raised by a filter or an operation in the template) is named by
    its kind only, as its text may quote the case.
    """
    where, line = None, getattr(e, "lineno", None)
    if isinstance(e, TemplateSyntaxError):
        where = e.name or e.filename
    tb = e.__traceback__
    while tb is not None:  # the innermost template frame (Jinja maps it to the template)
        file = tb.tb_frame.f_code.co_filename
        if file.endswith(".j2"):
            where, line = file, tb.tb_lineno
        tb = tb.tb_next
    name = Path(where).name if where else "a template"
    at = f" line {line}" if line else ""
    if isinstance(e, TemplateSyntaxError):
        what = f"syntax error: {e.message}"
    elif isinstance(e, TemplateError):
        what = e.message or type(e).__name__
    else:
        what = type(e).__name__
    what = " ".join(str(what).split())
    return f"the template {name}{at} failed: {what}"


def _render(name: str, view: CaseView, load: Caseload, copy: str, fmt: str,
            meeting: str | None, conference: str | None) -> str:
    if name not in DOCUMENTS:
        raise DocumentError(f"unknown document {name!r}; choose from: {', '.join(DOCUMENTS)}")
    if fmt not in ("md", "html"):
        raise DocumentError("--format is md or html")
    ctx = context(view, load, copy, meeting, conference, name=name)
    env = environment(load.folder)
    title = DOCUMENTS[name]
    if fmt == "html":
        try:
            return _render_template(env.get_template(f"{name}.html.j2"), ctx)
        except TemplateNotFound:
            pass
    env.finalize = md_text  # every {{ value }} in a Markdown template
    body = _render_template(env.get_template(f"{name}.md.j2"), ctx)
    if fmt == "md":
        return body
    env.finalize = None
    page = env.get_template("page.html.j2")
    banner = "Parent's copy" if copy == "parent" else "Full copy — confidential"
    return page.render(title=f"{title} — {view.case.id}", banner=banner,
                       css_banner=_css_string(f"{banner} · {title} — {view.case.id}"),
                       css_foot=_css_string(banner), body=Markup(md_to_html(body)))


def _css_string(s: str) -> Markup:
    """A CSS string literal: only letters, digits and a few marks survive, so nothing escapes it."""
    safe = re.sub(r"[^\w \-·—.,()']", "", s)
    return Markup(f'"{safe}"')


def check_output_path(path: Path, cases: Path | None) -> Path:
    """The absolute path to write, or OutputError: never in the cases folder, never via a symlink.

    Every folder on the way is checked except the ones the cases folder itself
    sits in (the user's own setup, e.g. a linked home folder) and top-level
    system folders (``/tmp`` is a link on macOS).
    """
    absolute = Path(path).expanduser().absolute()
    parts = absolute.parts
    common = 0
    if cases is not None:
        for a, b in zip(parts, cases.expanduser().absolute().parent.parts):
            if a != b:
                break
            common += 1
    for i in range(max(3, common + 1), len(parts) + 1):
        p = Path(*parts[:i])
        if p.is_symlink():
            raise OutputError(f"will not write {absolute}: {p} is a symbolic link")
    resolved = absolute.resolve()
    if cases is not None:
        root = cases.resolve()
        if resolved == root or root in resolved.parents:
            raise OutputError(f"will not write {resolved}: it is inside the cases folder {root}, "
                              "which is shared; choose a folder outside it")
    return resolved


def output_dir(load: Caseload) -> Path:
    """Where the TUI writes documents: ``out/`` beside the cases folder (not in it).

    ``output_dir`` in cptui.toml is relative to the cases folder (the loader
    refuses an absolute one: that file is shared through git).
    """
    configured = load.settings.output_dir
    folder = load.folder / configured if configured else load.folder.parent / "out"
    return check_output_path(folder, load.folder)


def write_text(path: Path, text: str) -> None:
    """Write atomically; a full disk or a refused write is an OutputError with a plain message."""
    from cptui.fsio import write_atomic

    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as e:
        why = (
            "the disk is full"
            if e.errno in (errno.ENOSPC, errno.EDQUOT)
            else (e.strerror or str(e))
        )
        raise OutputError(f"could not write {path}: {why}; nothing was written") from None


def keep_out_of_git(folder: Path) -> None:
    """A ``.gitignore`` of ``*`` in the documents folder: git then ignores everything
    in it, itself included. The folder often sits inside the team's repository (its
    root above the cases folder), where one ``git add -A`` would share every document.
    A team's own ``.gitignore`` there is kept as it is."""
    ignore = folder / ".gitignore"
    if not os.path.lexists(ignore):
        write_text(ignore, "# cptui: documents about children are never shared through git\n*\n")


def write_document(name: str, view: CaseView, load: Caseload, copy: str, fmt: str) -> Path:
    text = render(name, view, load, copy, fmt)
    folder = output_dir(load)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # the umask can only narrow this
    keep_out_of_git(folder)
    suffix = "-parent" if copy == "parent" else ""
    path = check_output_path(
        folder / f"{view.case.id}-{name}{suffix}-{load.today.isoformat()}.{fmt}", load.folder
    )
    write_text(path, text)
    return path
