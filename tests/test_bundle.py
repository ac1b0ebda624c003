"""``cptui bundle``: an offline install folder, checked by SHA256SUMS before installing.

Most tests stand a fake pip in for the network (fast, and able to show
platforms that real PyPI always covers failing). One test builds a real
bundle for this machine and installs it inside a network namespace with no
network at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cptui import __version__, bundle
from cptui._packaging import Requirement, default_environment

PY = f"{sys.version_info.major}.{sys.version_info.minor}"


def make_wheel(folder: Path, filename: str, requires: list[str]) -> Path:
    name, version = filename.split("-")[:2]
    path = folder / filename
    with zipfile.ZipFile(path, "w") as z:
        meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        meta += [f"Requires-Dist: {r}" for r in requires]
        z.writestr(f"{name}-{version}.dist-info/METADATA", "\n".join(meta) + "\n")
    return path


class FakePip:
    """pip over a made-up index. Like real pip it resolves dependencies with
    *this* machine's markers, prefers compiled wheels to pure ones and never
    offers an sdist under --only-binary."""

    def __init__(self, index: dict[str, list[tuple[str, list[str]]]]) -> None:
        self.index = index  # name -> [(wheel file name, requires)]
        self.calls: list[list[str]] = []

    def _pick(self, name: str, plats: list[str], py: str) -> tuple[str, list[str]] | None:
        cp = "cp" + py.replace(".", "")
        ok = []
        for fn, req in self.index.get(name, []):
            pytag, _abi, plat = fn[:-4].split("-")[-3:]
            if plat == "any" or (pytag == cp and plat in plats):
                ok.append((plat == "any", fn, req))
        return (lambda c: (c[1], c[2]))(sorted(ok)[0]) if ok else None

    def __call__(self, args: list[str]) -> tuple[int, str]:
        self.calls.append(args)
        if args[0] == "wheel":
            make_wheel(Path(args[args.index("--wheel-dir") + 1]), f"cptui-{__version__}-py3-none-any.whl",
                       self.index["cptui"][0][1])
            return 0, ""
        assert args[0] == "download" and "--only-binary=:all:" in args, args
        dest = Path(args[args.index("--dest") + 1])
        dest.mkdir(parents=True, exist_ok=True)
        plats = [args[i + 1] for i, a in enumerate(args) if a == "--platform"] or ["host"]
        py = args[args.index("--python-version") + 1] if "--python-version" in args else PY
        reqs, rest = [], iter(args[1:])
        for a in rest:
            if a in ("--dest", "--find-links", "--platform", "--python-version", "--implementation"):
                next(rest)
            elif not a.startswith("-"):
                reqs.append(a)
        todo = []
        for r in reqs:
            if r.endswith(".whl"):  # cptui's own wheel, given by path
                shutil.copy(r, dest)
                todo += [Requirement(x) for x in bundle._metadata(Path(r))]
            else:
                todo.append(Requirement(r))
        todo = [r.name for r in todo if r.marker is None or r.marker.evaluate(default_environment())]
        nodeps = "--no-deps" in args
        while todo:
            name = todo.pop()
            got = self._pick(name, plats, py)
            if got is None:
                return 1, f"ERROR: No matching distribution found for {name}\n"
            make_wheel(dest, *got)
            if not nodeps:
                for r in got[1]:
                    req = Requirement(r)
                    if req.marker is None or req.marker.evaluate(default_environment()):
                        todo.append(req.name)
        return 0, "Saved\n"


INDEX = {
    "cptui": [("cptui", ["fastlib>=1", "winonly; sys_platform == 'win32'"])],
    # compiled for Windows only; a pure build everywhere else
    "fastlib": [("fastlib-1.0-cp311-cp311-win_amd64.whl", []), ("fastlib-1.0-py3-none-any.whl", [])],
    "winonly": [("winonly-2.0-py3-none-any.whl", [])],
    # compiled for Windows only, and no pure build at all
    "needscc": [("needscc-1.0-cp311-cp311-win_amd64.whl", [])],
    "pip": [("pip-99-py3-none-any.whl", [])],
}
LINUX, WINDOWS = bundle.PLATFORMS["linux-x86_64"], bundle.PLATFORMS["windows-x64"]


def test_windows_only_dependency_is_fetched_though_pip_runs_on_linux(tmp_path: Path) -> None:
    pip = FakePip(INDEX)
    b = bundle.build(tmp_path / "b", [LINUX, WINDOWS], ["3.11"], pip)
    wheels = {t.platform.name: t.wheels for t in b.targets}
    assert "winonly-2.0-py3-none-any.whl" in wheels["windows-x64"]
    assert not any(w.startswith("winonly") for w in wheels["linux-x86_64"])
    assert "fastlib-1.0-cp311-cp311-win_amd64.whl" in wheels["windows-x64"]
    # every download asked for wheels only: never an sdist that needs a compiler
    assert all("--only-binary=:all:" in c for c in pip.calls if c[0] == "download")


def test_walk_takes_the_newest_wheel_in_range_and_names_what_is_missing(tmp_path: Path) -> None:
    make_wheel(tmp_path, f"cptui-{__version__}-py3-none-any.whl",
               ["rangelib<2", "extras[fast]", "gone>=3", "old; python_version < '3.12'"])
    for fn in ("rangelib-1.5-py3-none-any.whl", "rangelib-1.10-py3-none-any.whl",
               "rangelib-2.0-py3-none-any.whl", "old-1.0-py3-none-any.whl"):
        make_wheel(tmp_path, fn, [])
    make_wheel(tmp_path, "extras-1.0-py3-none-any.whl", ["speedup; extra == 'fast'"])
    env = {**default_environment(), "python_version": "3.12"}
    needed, missing = bundle._walk(tmp_path, f"cptui=={__version__}", env)
    assert needed == {f"cptui-{__version__}-py3-none-any.whl", "rangelib-1.10-py3-none-any.whl",
                      "extras-1.0-py3-none-any.whl"}
    assert sorted(missing) == ["gone>=3", "speedup"]
    env["python_version"] = "3.11"
    assert "old-1.0-py3-none-any.whl" in bundle._walk(tmp_path, "cptui", env)[0]


def test_pure_fallback_and_uncovered_platform_are_reported(tmp_path: Path) -> None:
    index = dict(INDEX, cptui=[("cptui", ["fastlib", "needscc"])])
    out = tmp_path / "b"
    rc = bundle.main(out, ["linux-x86_64", "windows-x64"], ["3.11"], FakePip(index))
    assert rc == 1  # not everything covered
    report = (out / "REPORT.txt").read_text(encoding="utf-8")
    assert re.search(r"MISSING\s+linux-x86_64 / Python 3.11: no wheel of needscc", report)
    assert re.search(r"ok\s+windows-x64 / Python 3.11", report)
    index2 = dict(INDEX, cptui=[("cptui", ["fastlib"])])
    b = bundle.build(tmp_path / "c", [LINUX, WINDOWS], ["3.11"], FakePip(index2))
    assert b.notes == ["fastlib: no compiled wheel for linux-x86_64 / Python 3.11; uses its "
                       "pure-Python build (fastlib-1.0-py3-none-any.whl)"]
    assert "fastlib: no compiled wheel for linux-x86_64" in (tmp_path / "c" / "REPORT.txt").read_text("utf-8")
    install = (out / "INSTALL.txt").read_text(encoding="utf-8")
    assert "Windows 10/11 (64-bit): Python 3.11" in install
    assert "Linux on Intel" not in install  # the uncovered platform is not claimed


def test_manifest_lists_every_file_with_its_hash(tmp_path: Path) -> None:
    out = tmp_path / "b"
    bundle.build(out, [LINUX], ["3.11"], FakePip(INDEX))
    lines = (out / "SHA256SUMS").read_text("ascii").splitlines()
    listed = {ln[66:]: ln[:64] for ln in lines}
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    assert {"install.sh", "install.ps1", "install.cmd", "INSTALL.txt", "REPORT.txt"} <= files
    assert any(f.startswith("demo/") and f.endswith(".toml") for f in files)
    for rel, digest in listed.items():
        assert bundle.sha256(out / rel) == digest


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(bundle.BundleError):
        bundle.build(tmp_path, [LINUX], ["3.11"], FakePip(INDEX))
    assert bundle.main(tmp_path / "x", ["solaris"], None, FakePip(INDEX)) == 2


def test_bundle_carried_through_git_on_windows_still_verifies(tmp_path: Path) -> None:
    """Git for Windows checks text out with CRLF (core.autocrlf=true) unless told not to."""
    repo = tmp_path / "team"
    out = repo / "cptui-offline"
    bundle.build(out, [LINUX], ["3.11"], FakePip(INDEX))
    g = ["git", "-c", "user.name=Ash Example", "-c", "user.email=ash@example.invalid",
         "-c", "init.defaultBranch=main"]
    subprocess.run([*g, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*g, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*g, "commit", "-qm", "bundle"], cwd=repo, check=True)
    clone = tmp_path / "laptop"
    subprocess.run([*g, "-c", "core.autocrlf=true", "clone", "-q", str(repo), str(clone)], check=True)
    r = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=clone / "cptui-offline",
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout


def _run_install(folder: Path, home: Path, net: bool = True, python: str = sys.executable,
                 target: str = "cptui") -> subprocess.CompletedProcess[str]:
    """install.sh as a user runs it, with this machine's pip settings left in place:
    the script must shut them out itself."""
    home.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(home), CPTUI_PYTHON=python)
    env.pop("VIRTUAL_ENV", None)
    cmd = ["sh", str(folder / "install.sh"), target]
    return subprocess.run(cmd if net else [*_no_network(), *cmd], env=env, capture_output=True,
                          text=True, timeout=300, cwd=home)


@pytest.mark.parametrize("damage", ["corrupt", "extra", "missing"])
def test_install_sh_refuses_a_changed_bundle(tmp_path: Path, damage: str) -> None:
    out = tmp_path / "b"
    bundle.build(out, [LINUX], ["3.11"], FakePip(INDEX))
    wheel = next((out / "wheels").glob("fastlib-*.whl"))
    if damage == "corrupt":
        data = bytearray(wheel.read_bytes())
        data[-1] ^= 0xFF
        wheel.write_bytes(bytes(data))
    elif damage == "extra":
        shutil.copyfile(wheel, out / "wheels" / "evil-1.0-py3-none-any.whl")
    else:
        wheel.unlink()
    r = _run_install(out, tmp_path / "home")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "refusing to install" in r.stderr
    assert not (tmp_path / "home" / "cptui").exists()  # stopped before making anything


def test_install_ps1_checks_before_installing_and_is_ascii() -> None:
    """No pwsh here to parse it; what can be checked without one is."""
    data = (Path(bundle.__file__).parent / "bundle_data" / "install.ps1").read_bytes()
    data.decode("ascii")  # Windows PowerShell 5.1 reads BOM-less files as the ANSI code page
    text = data.decode("ascii")
    assert text.index("Get-FileHash") < text.index("-m venv") < text.index("pip install --no-index")
    assert "ContainsKey(\"wheels/" in text  # unlisted wheels are refused too
    for pair in ("{}", "()"):
        assert text.count(pair[0]) == text.count(pair[1]), pair


def _no_network() -> list[str]:
    return ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-r", "-n"]


def _can_unshare() -> str:
    if shutil.which("unshare") is None:
        return "no unshare command"
    r = subprocess.run([*_no_network(), "true"], capture_output=True, text=True)
    return "" if r.returncode == 0 else f"unshare -n failed: {r.stderr.strip()}"


def test_real_bundle_installs_with_no_network(tmp_path: Path) -> None:
    why = _can_unshare()
    if why:
        print(f"\n*** SKIPPING the offline install test: {why} ***\n", file=sys.stderr)
        pytest.skip(f"cannot make a network namespace: {why}")
    out = tmp_path / "bundle folder"  # a space, as on a shared drive
    b = bundle.build(out, [bundle.current_platform()], [PY])
    assert [t.error for t in b.targets] == [""], b.targets
    own = next((out / "wheels").glob("cptui-*.whl"))
    with zipfile.ZipFile(own) as z:
        names = set(z.namelist())
    assert {"cptui/bundle_data/install.ps1", "cptui/demo_cases/CP-2026-0001.toml"} <= names
    home = tmp_path / "Ash O'Example"  # an apostrophe, as in many user names
    home.mkdir()
    # A newer "cptui" where this machine's pip settings point: installing from it would
    # mean the script listened to something other than the bundle.
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    make_wheel(decoy, "cptui-99.0-py3-none-any.whl", [])
    os.environ["PIP_FIND_LINKS"], saved = str(decoy), os.environ.get("PIP_FIND_LINKS")
    try:
        r = _run_install(out, home, net=False)
    finally:
        os.environ.pop("PIP_FIND_LINKS")
        if saved is not None:
            os.environ["PIP_FIND_LINKS"] = saved
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All files match" in r.stdout
    launcher = home / "cptui" / "cptui"
    v = subprocess.run([*_no_network(), str(launcher), "--version"], capture_output=True, text=True)
    assert v.stdout.strip() == f"cptui {__version__}"
    c = subprocess.run([*_no_network(), str(launcher), "check", str(out / "demo")],
                       capture_output=True, text=True, env=dict(os.environ, HOME=str(home)))
    assert c.returncode == 0, c.stdout + c.stderr
    assert re.search(r"\d+ case files checked \(0 broken\): 0 errors", c.stderr)
    # the installed cptui is the venv's, not this checkout's; and it can pass itself on:
    # a wheel repacked from that install holds the same files as the one shipped
    pyexe = home / "cptui" / "venv" / "bin" / "python"
    code = ("import sys; from pathlib import Path; import cptui; from cptui.bundle import _repack_installed;"
            "print(cptui.__file__); print(_repack_installed(Path(sys.argv[1])))")
    again = tmp_path / "again"
    again.mkdir()
    where = subprocess.run([str(pyexe), "-c", code, str(again)], capture_output=True, text=True,
                           cwd=home)
    assert where.returncode == 0, where.stderr
    assert str(home / "cptui" / "venv") in where.stdout.splitlines()[0]
    with zipfile.ZipFile(where.stdout.splitlines()[1]) as z:
        repacked = set(z.namelist())
    assert repacked - {n for n in repacked if ".dist-info/" in n} == \
        names - {n for n in names if ".dist-info/" in n}

    # A Python without ensurepip (Debian without python3-venv): the bundle's pip wheel is used.
    wrapper = tmp_path / "python-no-ensurepip"
    wrapper.write_text('#!/bin/sh\ncase " $* " in *" -m venv "*)\n'
                       '  case " $* " in *" --without-pip "*) ;; *) echo "ensurepip is not available" >&2;'
                       ' exit 1;; esac;;\nesac\n'
                       f'exec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    r = _run_install(out, home, net=False, python=str(wrapper), target="second")
    assert r.returncode == 0, r.stdout + r.stderr
    second = subprocess.run([str(home / "second" / "cptui"), "--version"], capture_output=True, text=True)
    assert second.stdout.strip() == f"cptui {__version__}"
