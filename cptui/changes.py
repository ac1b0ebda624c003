"""One save sequence for every edit: change, validate, lock, compare, write, commit.

The app used to open a ``CaseFile``, edit, save, commit and reload itself,
in the TUI. The order matters too much for that: the file on disk must be
compared with what the edit started from *under the folder lock*, in the
same breath as the write, or two writers (two cptui windows, a colleague
over a shared drive, a ``git pull``) can each believe they saved while one
of them lost. So the sequence lives here, in the core, and the TUI only
describes the change.

When the file changed on disk since it was loaded, the change is applied to
the file as it is now if, and only if, the record it touches is still
exactly as the user saw it (adding a record always qualifies: it touches
nothing that exists). Otherwise nothing is written and the user is asked to
reload. Either way no acknowledged save is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

from cptui.fsio import explain_os_error, folder_lock
from cptui.records import KINDS
from cptui.storage import CaseFile, ExternalChange, SaveError, content_digest, plain_value

Op = Literal["add", "update", "delete", "case", "plan"]


@dataclass(frozen=True)
class Change:
    """What the user asked for, with what they saw when they asked."""

    op: Op
    kind: str | None = None  # a record kind for add/update/delete
    rid: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    seen: Mapping[str, Any] | None = None  # the record (or keys) as shown to the user
    message: str = ""  # the git commit message, when commits are on

    def touches_unchanged(self, cf: CaseFile) -> bool:
        """Is what this change touches still as the user saw it, in ``cf``?"""
        if self.op == "add":
            return True
        if self.op in ("update", "delete"):
            assert self.kind and self.rid
            now = cf.record(self.kind, self.rid)
            if now is None or self.seen is None:
                return False
            return plain_value(now) == plain_value(self.seen)
        table = cf.data if self.op == "case" else cf.data.get("plan", {})
        seen = self.seen or {}
        return all(plain_value(table.get(k)) == plain_value(seen.get(k)) for k in self.values)

    def apply_to(self, cf: CaseFile) -> str:
        """Make the edit in ``cf``; returns the record id it concerns ("" for case/plan)."""
        if self.op == "add":
            assert self.kind
            return cf.add(self.kind, self.values)
        if self.op == "update":
            assert self.kind and self.rid
            cf.update(self.kind, self.rid, self.values)
            return self.rid
        if self.op == "delete":
            assert self.kind and self.rid
            cf.delete(self.kind, self.rid)
            return self.rid
        if self.op == "case":
            cf.set_root(self.values)
        else:
            cf.set_table("plan", self.values)
        return ""


@dataclass(frozen=True)
class Batch:
    """Several changes saved as one (booking a series of meetings): all or none."""

    changes: tuple[Change, ...]
    summary: str  # what the user is told was done: "3 core groups"
    message: str = ""
    kind = None
    rid = None

    def touches_unchanged(self, cf: CaseFile) -> bool:
        return all(c.touches_unchanged(cf) for c in self.changes)

    def apply_to(self, cf: CaseFile) -> str:
        for c in self.changes:
            c.apply_to(cf)
        return self.summary


@dataclass
class Saved:
    rid: str  # the record the change concerns ("" for case details or plan text)
    digest: str  # content hash of the file as written
    rebased: bool  # the file had changed on disk; the change went onto the newer file
    committed: bool
    commit_error: str | None = None


def apply_change(path: Path, loaded_digest: str | None, change: Change | Batch,
                 commit: bool = False) -> Saved:
    """Edit, validate, then under the folder lock: compare, write, and commit if asked.

    Raises ``ExternalChange`` when the file changed on disk in a way that
    touches this edit, ``SaveError`` for any other refusal; the file on disk
    is then exactly as it was.
    """
    folder = path.parent
    try:
        with folder_lock(folder):
            cf = CaseFile(path)
            rebased = loaded_digest is not None and cf.digest != loaded_digest
            if rebased and not change.touches_unchanged(cf):
                what = (
                    f"{KINDS[change.kind].title} {change.rid}"
                    if change.kind and change.rid
                    else "what you edited"
                )
                raise ExternalChange(
                    f"{path.name} was changed on disk since it was loaded (perhaps by git or a "
                    f"colleague), and {what} changed too. Nothing was saved: reload (ctrl+r) "
                    "and make the edit again.")
            rid = change.apply_to(cf)
            errors = cf.check()
            if errors:
                raise SaveError("Not saved: the edit would leave the file with errors:\n"
                                + "\n".join(f"  {p.message}" for p in errors))
            data = cf.text().encode("utf-8")
            if data != cf.original:
                cf.write_locked(data)
            saved = Saved(rid, content_digest(data), rebased, False)
            if commit and data != cf.original:
                from cptui.gitops import GitError, commit as git_commit

                try:
                    git_commit(folder, path, change.message or f"Edit {path.stem}")
                    saved.committed = True
                except GitError as e:
                    saved.commit_error = str(e)
            return saved
    except OSError as e:
        raise SaveError(f"could not save {path.name}: {explain_os_error(e)}. "
                        "The file on disk is unchanged.") from e


def new_case_values(
    values: Mapping[str, Any], team_procedure: str | None
) -> tuple[dict, dict, dict]:
    """Root keys, first child and lead worker for a new case from the new-case form.

    ``procedure`` is written only when it differs from the team's default in
    cptui.toml, so changing the team default later moves every case that
    never chose otherwise.
    """
    root: dict[str, Any] = {"schema": 1, "id": values["id"]}
    if values.get("procedure") and values["procedure"] != team_procedure:
        root["procedure"] = values["procedure"]
    root["lead_social_worker"] = "m1"
    child = {"name": values["child_name"], "date_of_birth": values.get("date_of_birth"),
             "expected_date": values.get("expected_date"), "category": values.get("category"),
             "plan_start": values.get("plan_start")}
    worker = {"name": values["worker_name"], "role": "Lead social worker",
              "agency": values.get("worker_agency") or "Children's Social Care",
              "kind": "professional", "core_group": True}
    return root, child, worker


def create_new_case(folder: Path, values: Mapping[str, Any], team_procedure: str | None) -> Path:
    """Write a new case file from the new-case form, atomically, refusing to overwrite."""
    from cptui.storage import create_case, new_case_text

    root, child, worker = new_case_values(values, team_procedure)
    with folder_lock(folder):
        return create_case(folder, values["id"], new_case_text(root, child, worker))
