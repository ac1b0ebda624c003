"""``cptui bundle DIR``: one folder a team can carry to machines with no network.

Council laptops often reach no package index and let nobody install system
software. The team lead runs this on a connected machine; the folder holds
cptui's wheel, every dependency's wheels for each platform and Python asked
for, the demo cases, install scripts and a SHA256SUMS manifest the scripts
check before installing anything (a bundle passed around a shared drive must
not be swappable silently).

Only wheels are ever shipped (``--only-binary=:all:``): a source build needs a
compiler the locked-down machine does not have. Where a project has no
compiled wheel for a platform pip falls back to its pure-Python wheel, and the
report says so; where it has neither, the platform is reported as not covered.

pip evaluates dependency markers (``sys_platform == "win32"``,
``python_version < "3.13"``) against the machine it runs on, not the target, so
after each download the requirement graph is walked again with the target's
markers and anything missing is fetched. All pip calls go through one
function (``Pip``) so tests can stand in for the network.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from email.parser import Parser
from importlib import resources
from pathlib import Path
from typing import Callable

from cptui import __version__
from cptui.paths import demo_cases

# args after ``python -m pip`` -> (exit code, combined output)
Pip = Callable[[list[str]], tuple[int, str]]

PYTHONS = ("3.11", "3.12", "3.13")  # requires-python >= 3.11; newest pythons checked in CI
SCRIPTS = ("install.sh", "install.ps1", "install.cmd")


@dataclass(frozen=True)
class Platform:
    """A target: pip platform tags, and the marker values a dependency may test."""

    name: str
    tags: tuple[str, ...]  # empty: this machine's own tags
    markers: dict[str, str]
    title: str


def _posix(system: str, machine: str, platform_: str) -> dict[str, str]:
    return {"sys_platform": platform_, "platform_system": system, "os_name": "posix",
            "platform_machine": machine}


# Linux: glibc 2.28 or newer (RHEL 8, Ubuntu 20.04, Debian 10 and later).
PLATFORMS: dict[str, Platform] = {
    p.name: p for p in (
        Platform("linux-x86_64", ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
                                  "manylinux2014_x86_64"),
                 _posix("Linux", "x86_64", "linux"), "Linux on Intel/AMD (64-bit, glibc 2.28+)"),
        Platform("linux-aarch64", ("manylinux_2_28_aarch64", "manylinux_2_17_aarch64",
                                   "manylinux2014_aarch64"),
                 _posix("Linux", "aarch64", "linux"), "Linux on ARM (64-bit, glibc 2.28+)"),
        Platform("windows-x64", ("win_amd64",),
                 {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                  "platform_machine": "AMD64"}, "Windows 10/11 (64-bit)"),
        Platform("macos-arm64", ("macosx_11_0_arm64",), _posix("Darwin", "arm64", "darwin"),
                 "macOS 11+ on Apple silicon"),
        Platform("macos-x86_64", ("macosx_11_0_x86_64",), _posix("Darwin", "x86_64", "darwin"),
                 "macOS 11+ on Intel"),
    )
}
DEFAULT_PLATFORMS = tuple(PLATFORMS)


def run_pip(args: list[str]) -> tuple[int, str]:
    """The real pip, as a subprocess of this interpreter (the one cptui runs in)."""
    r = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def current_platform() -> Platform:
    """This machine, with pip's own tags (used by tests and single-machine bundles)."""
    from cptui._packaging import default_environment

    env = default_environment()
    return Platform("current", (), {k: env[k] for k in ("sys_platform", "platform_system",
                                                       "os_name", "platform_machine")},
                    f"this machine ({env['platform_system']} {env['platform_machine']})")


def resolve_platform(name: str) -> Platform:
    """A named target, ``current``, or a raw pip platform tag such as ``musllinux_1_2_x86_64``."""
    if name in PLATFORMS:
        return PLATFORMS[name]
    if name == "current":
        return current_platform()
    raise ValueError(f"unknown platform {name!r}: use one of "
                     f"{', '.join([*PLATFORMS, 'current'])}")


@dataclass
class Target:
    platform: Platform
    python: str
    wheels: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def label(self) -> str:
        return f"{self.platform.name} / Python {self.python}"


@dataclass
class Bundle:
    folder: Path
    targets: list[Target]
    notes: list[str]
    manifest_digest: str = ""

    @property
    def covered(self) -> list[Target]:
        return [t for t in self.targets if not t.error]


class BundleError(Exception):
    pass


# ---------------------------------------------------------------- wheels
def _wheel_name(filename: str) -> str:
    from cptui._packaging import canonicalize_name

    return canonicalize_name(filename.split("-")[0])


def _is_pure(filename: str) -> bool:
    return filename.endswith("-none-any.whl")


def _metadata(wheel: Path) -> list[str]:
    """``Requires-Dist`` lines of a wheel, read from its METADATA."""
    with zipfile.ZipFile(wheel) as z:
        name = next((n for n in z.namelist()
                     if n.count("/") == 1 and n.endswith(".dist-info/METADATA")), None)
        if name is None:
            raise BundleError(f"{wheel.name} has no METADATA: not a wheel")
        text = z.read(name).decode("utf-8", "replace")
    return Parser().parsestr(text).get_all("Requires-Dist") or []


def _own_wheel(dest: Path, pip: Pip) -> Path:
    """cptui's wheel: built from the source tree, else repacked from this install."""
    root = Path(__file__).resolve().parent.parent
    project = root / "pyproject.toml"
    if project.is_file() and re.search(r'^name\s*=\s*"cptui"', project.read_text("utf-8"), re.M):
        # Build from a clean copy: setuptools leaves build/ behind, and a stale
        # build/lib could slip files deleted from the source into the wheel.
        with tempfile.TemporaryDirectory(prefix="cptui-wheel-") as tmp:
            src = Path(tmp) / "src"
            shutil.copytree(root, src, ignore=shutil.ignore_patterns(
                ".*", "build", "dist", "*.egg-info", "__pycache__", "out"))
            code, out = pip(["wheel", "--no-deps", "--wheel-dir", str(dest), str(src)])
        if code:
            raise BundleError(f"could not build the cptui wheel:\n{out[-2000:]}")
    else:
        _repack_installed(dest)
    found = sorted(dest.glob(f"cptui-{__version__}-*.whl"))
    if not found:
        raise BundleError("building the cptui wheel left no cptui-*.whl")
    return found[-1]


def _repack_installed(dest: Path) -> Path:
    """Rebuild a wheel from an installed (non-editable) cptui, file by file from RECORD."""
    import base64
    from importlib.metadata import distribution

    dist = distribution("cptui")
    out = dest / f"cptui-{__version__}-py3-none-any.whl"
    record_name = ""
    rows = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in dist.files or []:
            rel = str(f).replace("\\", "/")
            if rel.startswith("..") or "__pycache__" in rel or rel.endswith(".pyc"):
                continue  # console scripts and bytecode are made again at install time
            if rel.endswith(".dist-info/RECORD"):
                record_name = rel
                continue
            if rel.endswith((".dist-info/INSTALLER", ".dist-info/REQUESTED", "direct_url.json")):
                continue
            data = Path(dist.locate_file(f)).read_bytes()
            z.writestr(rel, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            rows.append(f"{rel},sha256={digest.decode()},{len(data)}")
        if not record_name:
            raise BundleError("the installed cptui has no RECORD: cannot repack it as a wheel")
        z.writestr(record_name, "\n".join([*rows, f"{record_name},,"]) + "\n")
    return out


# ---------------------------------------------------------------- download
def _pip_target_args(t: Target) -> list[str]:
    args = ["--only-binary=:all:", "--python-version", t.python, "--implementation", "cp"]
    for tag in t.platform.tags:
        args += ["--platform", tag]
    return args


def _why(out: str) -> str:
    m = re.findall(r"No matching distribution found for ([^\s]+)", out)
    if m:
        return (f"no wheel of {', '.join(dict.fromkeys(m))} for this platform and Python "
                "(only a source build, which needs a compiler, or nothing at all)")
    tail = [ln for ln in out.strip().splitlines() if ln.strip()][-1:] or ["pip failed"]
    return tail[0].strip()


def _walk(folder: Path, root: str, markers: dict[str, str]) -> tuple[set[str], list[str]]:
    """Wheels the target needs (file names) and requirements no wheel here meets.

    Markers are evaluated for the target (``markers`` plus ``extra``), so a
    Windows-only or Python-3.11-only dependency is found even when pip ran on
    Linux under another Python. For each requirement the newest wheel that
    satisfies its version range is taken, as pip will at install time.
    """
    from cptui._packaging import InvalidVersion, Requirement, Version, canonicalize_name

    versions: dict[str, list[tuple[Version, Path]]] = {}
    for w in folder.glob("*.whl"):
        try:
            versions.setdefault(_wheel_name(w.name), []).append((Version(w.name.split("-")[1]), w))
        except (InvalidVersion, IndexError):
            continue
    needed: set[str] = set()
    missing: list[str] = []
    seen: set[str] = set()
    stack = [Requirement(root)]
    while stack:
        req = stack.pop()
        key = str(req)
        if key in seen:
            continue
        seen.add(key)
        fits = sorted(((v, w) for v, w in versions.get(canonicalize_name(req.name), [])
                       if req.specifier.contains(v, prereleases=True)), key=lambda x: x[0])
        if not fits:
            missing.append(str(req).split(";")[0].strip())
            continue
        wheel = fits[-1][1]
        needed.add(wheel.name)
        for line in _metadata(wheel):
            dep = Requirement(line)
            if dep.marker is None or any(dep.marker.evaluate({**markers, "extra": e})
                                         for e in {"", *req.extras}):
                dep.marker = None
                stack.append(dep)
    return needed, missing


def _fetch(t: Target, own: Path, work: Path, pip: Pip) -> None:
    """Download one target's wheels into ``work``; fill ``t.wheels`` or ``t.error``."""
    from cptui._packaging import default_environment

    work.mkdir(parents=True)
    markers = {**default_environment(), **t.platform.markers,
               "python_version": t.python, "python_full_version": f"{t.python}.0",
               "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    wanted = [str(own)]
    for _ in range(4):  # each round can only add wheels; four is plenty for real graphs
        code, out = pip(["download", *_pip_target_args(t), "--dest", str(work),
                         "--find-links", str(own.parent), *wanted])
        if code:
            t.error = _why(out)
            return
        needed, missing = _walk(work, f"cptui=={__version__}", markers)
        if not missing:
            t.wheels = sorted(needed)
            return
        wanted = missing
    t.error = f"dependencies still missing after several downloads: {', '.join(missing)}"


def _fallback_notes(targets: list[Target]) -> list[str]:
    """Projects compiled for some targets but pure-Python on others: say where."""
    compiled = {_wheel_name(w) for t in targets for w in t.wheels if not _is_pure(w)}
    notes = []
    for t in targets:
        for w in t.wheels:
            if _is_pure(w) and _wheel_name(w) in compiled:
                notes.append(f"{_wheel_name(w)}: no compiled wheel for {t.label}; "
                             f"uses its pure-Python build ({w})")
    return notes


# ---------------------------------------------------------------- folder
def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(folder: Path) -> str:
    """SHA256SUMS over every file but itself, in ``sha256sum -c`` format; returns its digest."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    lines = [f"{sha256(p)}  {p.relative_to(folder).as_posix()}\n" for p in files]
    manifest = folder / "SHA256SUMS"
    manifest.write_bytes("".join(lines).encode("ascii"))
    return sha256(manifest)


def _copy_data(folder: Path) -> None:
    data = resources.files("cptui") / "bundle_data"
    for name in SCRIPTS:
        dest = folder / name
        text = (data / name).read_bytes()
        dest.write_bytes(text.replace(b"\n", b"\r\n") if name.endswith(".cmd") else text)
        if name.endswith(".sh"):
            dest.chmod(0o755)  # where the OS has modes; `sh install.sh` works regardless
    # Carried in a git repository, Windows git would turn LF into CRLF on checkout
    # and every text file would fail its checksum: keep bytes exactly as made.
    (folder / ".gitattributes").write_bytes(
        b"# keep every file byte for byte (SHA256SUMS)\n* -text\n"
    )
    demo = folder / "demo"
    demo.mkdir()
    for p in sorted(demo_cases().glob("*.toml")):
        shutil.copyfile(p, demo / p.name)


def _texts(b: Bundle) -> tuple[str, str]:
    """(INSTALL.txt, REPORT.txt) from the template and the download results."""
    covered = sorted({(t.platform.title, t.python) for t in b.covered})
    by_platform: dict[str, list[str]] = {}
    for title, py in covered:
        by_platform.setdefault(title, []).append(py)
    cover_lines = [f"  - {title}: Python {', '.join(pys)}" for title, pys in by_platform.items()]
    cover = "\n".join(cover_lines) or "  (nothing: see REPORT.txt)"
    template = (resources.files("cptui") / "bundle_data" / "INSTALL.txt").read_text("utf-8")
    install = template.replace("{version}", __version__).replace("{covers}", cover)
    report = [f"cptui {__version__} offline bundle", "", "Covered (platform / Python):"]
    report += [f"  ok       {t.label}: {len(t.wheels)} wheels" for t in b.covered]
    missing = [t for t in b.targets if t.error]
    if missing:
        report += ["", "NOT covered (installing there will fail):"]
        report += [f"  MISSING  {t.label}: {t.error}" for t in missing]
    report += ["", "Pure-Python fallbacks:"] + [f"  {n}" for n in b.notes or ["(none)"]]
    report += ["", "Wheels per target:"]
    for t in b.covered:
        report += [f"  {t.label}:"] + [f"    {w}" for w in t.wheels]
    return install, "\n".join(report) + "\n"


def _check_new(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BundleError(f"{folder} is not an empty folder; choose a new one")


def build(
    folder: Path, platforms: list[Platform], pythons: list[str], pip: Pip = run_pip
) -> Bundle:
    """Write the offline install folder; every target's outcome is in the returned Bundle."""
    _check_new(folder)
    folder.mkdir(parents=True, exist_ok=True)
    wheels = folder / "wheels"
    work = folder / ".download"
    wheels.mkdir()
    try:
        own = _own_wheel(wheels, pip)
        targets = [Target(p, py) for p in platforms for py in pythons]
        for i, t in enumerate(targets):
            tmp = work / f"{i}-{t.platform.name}-{t.python}"
            _fetch(t, own, tmp, pip)
            for name in t.wheels:
                if not (wheels / name).exists():
                    shutil.copyfile(tmp / name, wheels / name)
        # pip itself, pure Python: lets install.sh make a venv where ensurepip is missing
        code, out = pip(
            ["download", "--no-deps", "--only-binary=:all:", "--dest", str(wheels), "pip"]
        )
        notes = _fallback_notes(targets)
        if code:
            notes.append(f"pip's own wheel could not be added ({_why(out)}); machines whose "
                         "Python lacks ensurepip will need python3-venv")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    b = Bundle(folder, targets, notes)
    _copy_data(folder)
    install, report = _texts(b)
    (folder / "INSTALL.txt").write_text(install, encoding="utf-8", newline="\r\n")
    (folder / "REPORT.txt").write_text(report, encoding="utf-8", newline="\r\n")
    b.manifest_digest = write_manifest(folder)
    return b


def main(folder: Path, platforms: list[str] | None, pythons: list[str] | None,
         pip: Pip = run_pip) -> int:
    """The ``cptui bundle`` command: 0 when every target is covered, 1 when some are not."""
    try:
        plats = [resolve_platform(n) for n in platforms or DEFAULT_PLATFORMS]
    except ValueError as e:
        print(f"cptui: {e}", file=sys.stderr)
        return 2
    pys = list(dict.fromkeys(pythons or PYTHONS))
    bad = [p for p in pys if not re.fullmatch(r"3\.\d+", p)]
    if bad:
        print(f"cptui: {', '.join(bad)}: give Python versions like 3.12", file=sys.stderr)
        return 2
    try:
        _check_new(folder)
    except BundleError as e:
        print(f"cptui: {e}", file=sys.stderr)
        return 1
    print(
        f"Downloading wheels for {len(plats) * len(pys)} platform/Python pairs ...", file=sys.stderr
    )
    try:
        b = build(folder, plats, pys, pip)
    except BundleError as e:
        print(f"cptui: {e}", file=sys.stderr)
        return 1
    for t in b.targets:
        print(f"  {'ok     ' if not t.error else 'MISSING'}  {t.label}"
              + (f": {t.error}" if t.error else ""))
    for n in b.notes:
        print(f"  note: {n}")
    print(f"\nWrote {folder} ({len(b.covered)} of {len(b.targets)} platform/Python pairs covered; "
          "see REPORT.txt).")
    print(
        f"SHA256SUMS digest: {b.manifest_digest}\n"
        "Give colleagues this digest by another route (email, chat) so they can check the folder."
    )
    print(f"On each machine: Windows `install.cmd`; Linux/macOS `sh {folder / 'install.sh'}`.")
    return 0 if len(b.covered) == len(b.targets) else 1
