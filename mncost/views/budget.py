"""The view of a budget check (``mncost check``): table, verdict, and the CI formats."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from mncost.core.units import grouped
from mncost.views.base import View
from mncost.views.formats import Column, TableData, markdown

_STATUS_MARKDOWN = {"ok": "✅ ok", "warn": "⚠️ warn", "fail": "❌ fail"}
_STATUS_RICH = {"ok": "ok", "warn": "warn", "fail": "FAIL"}
_STATUS_STYLES = (("ok", "green"), ("warn", "bold yellow"), ("FAIL", "bold red"))


@dataclass
class CheckView(View):
    """Every output format of one check run, built from the same results; rich and markdown
    are its own (a compact table with a rule between budgets; bullets after the table), github
    and junit are formats only a check has."""

    extra_formats = ("github", "junit")

    result: Any
    budgets_arg: str
    baseline_path: str | None
    updated: bool | None  # None: not written; True: written; False: already current

    @classmethod
    def formats(cls) -> tuple[str, ...]:
        return ("rich", "json", "markdown", "github", "junit")

    @property
    def show_baseline(self) -> bool:
        return self.baseline_path is not None

    def to_dict(self) -> dict[str, Any]:
        return self.json()

    def tables(self) -> tuple[TableData, ...]:
        return (self.table(_STATUS_MARKDOWN, compact=False),)

    def terminal_tables(self) -> tuple[tuple[TableData, tuple[bool, ...] | None], ...]:
        """The compact table (the model under each budget's name), a rule between budgets."""
        rules = tuple(here.entry is not after.entry
                      for here, after in zip(self.result.results, self.result.results[1:]))
        return ((self.table(_STATUS_RICH, compact=True), rules),)

    def render_markdown(self) -> str:
        return self.markdown()

    def render_github(self) -> str:
        return self.github()

    def render_junit(self) -> str:
        return self.junit()

    # -- shared pieces ----------------------------------------------------------------------
    def summary(self) -> str:
        """``5 budgets, 14 limits: 13 ok, 1 warning, 0 failed``."""
        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        results = self.result.results
        return (f"{count(len(self.result.budget.entries), 'budget')}, "
                f"{count(len(results), 'limit')}: {sum(r.status == 'ok' for r in results)} ok, "
                f"{count(len(self.result.warnings), 'warning')}, "
                f"{len(self.result.failures)} failed")

    def verdict(self) -> str:
        return "passed" if self.result.ok else "failed"

    def warning_messages(self) -> list[str]:
        from mncost.core.budget import describe
        return [describe(r) for r in self.result.warnings]

    def failure_messages(self) -> list[str]:
        from mncost.core.budget import describe
        return [describe(r) for r in self.result.failures]

    def accepted_growth(self) -> list[str]:
        from mncost.core.budget import describe
        return [describe(r) for r in self.result.results
                if r.ok and r.baseline is not None and r.grew_past_tolerance]

    def failure_summary(self) -> str:
        failures = self.result.failures
        names = [f"{r.name} {r.metric}" for r in failures]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        return (f"budget check failed for {shown} ({len(failures)} of "
                f"{len(self.result.results)} limits)")

    def baseline_line(self) -> str:
        if self.updated is None:
            return f"Baseline {self.baseline_path} not updated: the check failed."
        if self.updated:
            return f"Baseline {self.baseline_path} updated."
        return f"Baseline {self.baseline_path} unchanged (already up to date)."

    def github_path(self) -> str:
        return _relative(self.budgets_arg)

    def _model_label(self, entry) -> str:
        """``separable α=0.5 160px · trainable · float32``: what the numbers are of."""
        net = entry.network
        size = net.resolution if isinstance(net.resolution, int) else net.resolution_text
        text = f"{net.variant} α={net.alpha:g} {size}px"
        if net.depth_multiplier != 1:
            text += f" dm={net.depth_multiplier}"
        return f"{text} · {entry.config.params_convention} · {entry.config.dtype}"

    def table(self, status_cells: dict[str, str], *, compact: bool):
        """One row per entry × metric. ``compact`` (rich) folds the model into the Budget
        cell, under the name, so the table fits 160 columns even with baseline columns."""
        from mncost.core.budget import results_by_entry
        columns = [Column("name", "Budget")]
        if not compact:
            columns.append(Column("model", "Model"))
        columns += [Column("metric", "Metric"), Column("actual", "Actual", numeric=True),
                    Column("limit", "Limit", numeric=True), Column("level", "Level", drop=3),
                    Column("headroom", "Headroom", numeric=True, drop=2)]
        if self.show_baseline:
            columns += [Column("baseline", "Baseline", numeric=True, drop=1),
                        Column("growth", "Growth", numeric=True),
                        Column("tolerance", "Tol.", numeric=True, drop=4)]
        columns.append(Column("status", "Status", styles=_STATUS_STYLES))
        rows = []
        for results in results_by_entry(self.result.results).values():
            model = self._model_label(results[0].entry)
            # compact: the name, then the model on the rows below it (joined onto the last
            # row when the entry has fewer rows than lines)
            lines = [results[0].name] + (model.split(" · ", 1) if compact else [])
            for k, r in enumerate(results):
                name = lines[k] if k < len(lines) else ""
                if k == len(results) - 1 and k < len(lines):
                    name = "\n".join(lines[k:])
                rows.append(self._row(r, name, model if k == 0 else "", status_cells))
        title = f"mncost check · {self.budgets_arg} · {self.verdict()}"
        return TableData(title=title, columns=tuple(columns), rows=tuple(rows))

    def _row(self, r, name: str, model: str, status_cells: dict[str, str]) -> dict[str, str]:
        from mncost.core.budget import format_percent
        limit = grouped(r.limit.max)
        if r.limit.text.replace("_", "") != str(r.limit.max):
            limit += f" ({r.limit.text})"
        return {
            "name": name, "model": model, "metric": r.metric, "actual": grouped(r.actual),
            "limit": limit, "level": r.level, "headroom": format_percent(r.headroom),
            "baseline": "-" if r.baseline is None else grouped(r.baseline),
            "growth": format_percent(r.growth, signed=True),
            "tolerance": "-" if r.baseline is None else f"{float(r.limit.tolerance):g}%",
            "status": status_cells[r.status],
        }

    # -- formats ----------------------------------------------------------------------------
    def closing(self) -> tuple[tuple[str, str], ...]:
        lines = [(f"{self.verdict().upper()}: {self.summary()}",
                  "bold green" if self.result.ok else "bold red")]
        lines += [(f"✗ {message}", "red") for message in self.failure_messages()]
        lines += [(f"! warning: {message}", "yellow") for message in self.warning_messages()]
        lines += [(f"· {message}", "dim") for message in self.accepted_growth()]
        lines += [(f"· {note}", "dim") for note in self.result.notes]
        return tuple(lines)

    def markdown(self) -> str:
        icon = "✅" if self.result.ok else "❌"
        lines = [markdown(self.table(_STATUS_MARKDOWN, compact=False)).rstrip("\n"), "",
                 f"**{icon} {self.verdict()}** — {self.summary()}"]
        bullets = ([f"- ❌ {m}" for m in self.failure_messages()]
                   + [f"- ⚠️ {m}" for m in self.warning_messages()]
                   + [f"- {m}" for m in self.accepted_growth()]
                   + [f"- {n}" for n in self.result.notes])
        if bullets:
            lines += [""] + bullets
        return "\n".join(lines) + "\n"

    def github(self) -> str:
        path = _escape_property(self.github_path())
        lines = []
        for r, message in zip(self.result.failures, self.failure_messages()):
            lines.append(self._command("error", path, r, message))
        for r, message in zip(self.result.warnings, self.warning_messages()):
            lines.append(self._command("warning", path, r, message))
        lines.append(f"mncost check {self.budgets_arg}: {self.verdict()} — {self.summary()}")
        lines += self.accepted_growth() + list(self.result.notes)
        return "\n".join(lines) + "\n"

    def _command(self, kind: str, path: str, r, message: str) -> str:
        what = "exceeded" if r.reason == "limit" else "grew past baseline"
        title = _escape_property(f"mncost budget {what}: {r.name} {r.metric}")
        line = f",line={r.limit.line}" if r.limit.line is not None else ""
        return f"::{kind} file={path}{line},title={title}::{_escape_data(message)}"

    def junit(self) -> str:
        import xml.etree.ElementTree as ET

        from mncost.core.budget import describe, results_by_entry

        failures = self.result.failures
        root = ET.Element("testsuites", {
            "name": f"mncost check {self.budgets_arg}",
            "tests": str(len(self.result.results)), "failures": str(len(failures)),
            "errors": "0"})
        for name, results in results_by_entry(self.result.results).items():
            suite_failures = sum(r.status == "fail" for r in results)
            suite = ET.SubElement(root, "testsuite", {
                "name": name, "tests": str(len(results)), "failures": str(suite_failures),
                "errors": "0", "skipped": "0"})
            for r in results:
                case = ET.SubElement(suite, "testcase", {
                    "classname": f"mncost.check.{name}", "name": r.metric,
                    "file": self.github_path(), "line": str(r.limit.line or 0)})
                message = describe(r)
                if r.status == "fail":
                    failure = ET.SubElement(case, "failure", {
                        "message": message,
                        "type": "BudgetExceeded" if r.reason == "limit" else "BudgetGrowth"})
                    failure.text = self._detail(r)
                else:
                    out = ET.SubElement(case, "system-out")
                    out.text = (f"WARNING: {message}\n" if r.status == "warn" else
                                f"{message}\n") + self._detail(r)
        ET.indent(root)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                + ET.tostring(root, encoding="unicode") + "\n")

    def _detail(self, r) -> str:
        lines = [f"actual: {r.actual}", f"limit: {r.limit.max} ({r.limit.text})",
                 f"level: {r.level}", f"budget: {self.github_path()}:{r.limit.line}"]
        if r.baseline is not None:
            lines += [f"baseline: {r.baseline}", f"tolerance: {float(r.limit.tolerance):g}%"]
        return "\n".join(lines) + "\n"

    def json(self) -> dict[str, Any]:
        results = []
        for r in self.result.results:
            growth = r.growth
            results.append({
                "name": r.name, "metric": r.metric, "actual": r.actual, "limit": r.limit.max,
                "level": r.level, "baseline": r.baseline, "ok": r.ok, "status": r.status,
                "reason": r.reason, "headroom_percent": float(r.headroom),
                "growth_percent": None if growth is None else float(growth),
                "tolerance_percent": float(r.limit.tolerance),
                "file": self.github_path(), "line": r.limit.line,
                "params_convention": r.entry.config.params_convention,
                "dtype": r.entry.config.dtype,
            })
        return {
            "ok": self.result.ok,
            "budget_file": self.github_path(),
            "baseline_file": self.baseline_path,
            "baseline_updated": bool(self.updated),
            "summary": {"limits": len(self.result.results),
                        "ok": sum(r.status == "ok" for r in self.result.results),
                        "warnings": len(self.result.warnings),
                        "failures": len(self.result.failures)},
            "results": results,
            "notes": list(self.result.notes),
        }


def _relative(path: str) -> str:
    """A path relative to the working directory (the repository root in a GitHub Actions
    job), with forward slashes, as annotations and reports name files."""
    if os.path.isabs(path):
        try:
            path = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            pass
    text = PurePath(path).as_posix()
    return text[2:] if text.startswith("./") else text


def _escape_data(text: str) -> str:
    """GitHub workflow command data: %, CR and LF are percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """GitHub workflow command properties: also ':' and ','."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")

