"""``mncost check``: model budgets that fail CI when a model grows."""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Any

import click

from mncost.cli.common import emit, format_option

CHECK_FORMATS = ("rich", "json", "markdown", "github", "junit")
_STATUS_MARKDOWN = {"ok": "✅ ok", "warn": "⚠️ warn", "fail": "❌ fail"}
_STATUS_RICH = {"ok": "ok", "warn": "warn", "fail": "FAIL"}
_STATUS_STYLES = (("ok", "green"), ("warn", "bold yellow"), ("FAIL", "bold red"))


@click.command()
@click.argument("budgets", metavar="BUDGETS")
@click.option("--baseline", "baseline_path", metavar="FILE", default=None,
              help="Baseline JSON of the last accepted numbers. A metric that grew past "
                   "baseline + tolerance fails even under its limit.")
@click.option("--update-baseline", is_flag=True, default=False,
              help="Write the current numbers to --baseline FILE (atomically), only when "
                   "every error-level limit holds. Growth is reported but accepted.")
@format_option(CHECK_FORMATS)
def check(budgets: str, baseline_path: str | None, update_baseline: bool, fmt: str) -> None:
    """Check models against a budget file; exit 1 when a limit is exceeded.

    BUDGETS is a YAML file of named entries, each naming a model (spec, variant, alpha,
    resolution) and limits on mult_adds, params, weight_bytes and peak_activation_bytes, as
    plain ints or units ("80M", "1.4M", "2 MiB", "4.2e6"). A limit is an error (the default)
    or a warning ({max: 1.4M, level: warn}). See docs/check.md for every key.

    Formats: rich (a table, one row per entry × metric), markdown (for a CI job summary or a
    PR comment), github (::error / ::warning workflow commands pointing at the budget's
    line), junit (JUnit XML, one test case per entry × metric), json (also printed when the
    check fails).

    Exit codes: 0 every error-level limit holds (warnings are printed); 1 a limit was
    exceeded or a metric grew past its baseline + tolerance; 2 bad input (a malformed budget
    or baseline file, a bad flag).

    \b
    Examples:
      mncost check configs/budgets.yaml
      mncost check configs/budgets.yaml --format markdown >> "$GITHUB_STEP_SUMMARY"
      mncost check budgets.yaml --baseline budgets.baseline.json --format github
      mncost check budgets.yaml --baseline budgets.baseline.json --update-baseline
      mncost check budgets.yaml --format junit > mncost-junit.xml
    """
    from mncost.core import budget
    from mncost.core.errors import CheckFailed, SpecError

    if update_baseline and baseline_path is None:
        raise click.UsageError("--update-baseline needs --baseline FILE")
    try:
        budget_file = budget.load(budgets)
        baseline = None
        if baseline_path is not None and (os.path.exists(baseline_path) or not update_baseline):
            if not os.path.exists(baseline_path):
                raise click.BadParameter(f"{baseline_path}: no such file; create it with "
                                         "--update-baseline", param_hint="--baseline")
            baseline = budget.load_baseline(baseline_path)
    except SpecError as exc:
        if fmt == "github" and exc.file is not None:  # annotate the bad line, then exit 2
            line = f",line={exc.line}" if exc.line is not None else ""
            click.echo(f"::error file={_escape_property(_relative(exc.file))}{line},"
                       f"title=mncost check%3A invalid input::"
                       f"{_escape_data((exc.field + ': ' if exc.field else '') + exc.message)}")
        raise

    result = budget.check(budget_file, baseline, enforce_growth=not update_baseline)
    updated: bool | None = None
    if update_baseline and result.ok:
        updated = budget.write_atomic(baseline_path, budget.baseline_json(result))

    view = _View(result, budgets, baseline_path, updated)
    if fmt == "github":
        click.echo(view.github(), nl=False)
    elif fmt == "junit":
        click.echo(view.junit(), nl=False)
    else:
        emit(fmt, rich=view.rich, markdown=view.markdown, json=view.json)
    if fmt in ("json", "junit"):  # the report itself is for machines; tell the human too
        for message in view.warning_messages():
            click.echo(f"Warning: {message}", err=True)
    if update_baseline:
        click.echo(view.baseline_line(), err=True)
    if not result.ok:
        raise CheckFailed(view.failure_summary())


class _View:
    """Every output format of one check run, built from the same results."""

    def __init__(self, result, budgets_arg: str, baseline_path: str | None,
                 updated: bool | None) -> None:
        self.result = result
        self.budgets_arg = budgets_arg
        self.baseline_path = baseline_path
        self.updated = updated  # None: not written; True: written; False: already current
        self.show_baseline = baseline_path is not None

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
        text = f"{net.variant} α={net.alpha:g} {net.resolution}px"
        if net.depth_multiplier != 1:
            text += f" dm={net.depth_multiplier}"
        return f"{text} · {entry.config.params_convention} · {entry.config.dtype}"

    def table(self, status_cells: dict[str, str], *, compact: bool):
        """One row per entry × metric. ``compact`` (rich) folds the model into the Budget
        cell, under the name, so the table fits 160 columns even with baseline columns."""
        from mncost.core.budget import results_by_entry
        from mncost.views.formats import Column, TableData

        columns = [Column("name", "Budget")]
        if not compact:
            columns.append(Column("model", "Model"))
        columns += [Column("metric", "Metric"), Column("actual", "Actual", numeric=True),
                    Column("limit", "Limit", numeric=True), Column("level", "Level"),
                    Column("headroom", "Headroom", numeric=True)]
        if self.show_baseline:
            columns += [Column("baseline", "Baseline", numeric=True),
                        Column("growth", "Growth", numeric=True),
                        Column("tolerance", "Tol.", numeric=True)]
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
        from mncost.views.formats import grouped

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
    def rich(self):
        from rich.console import Group
        from rich.text import Text

        from mncost.render.terminal import rich_table

        table = rich_table(self.table(_STATUS_RICH, compact=True))
        table.columns[0].no_wrap = True  # a budget's name is never broken or cut
        results = self.result.results
        for row, here, after in zip(table.rows, results, results[1:]):
            row.end_section = here.entry is not after.entry  # a rule between budgets
        parts: list[Any] = [table]
        style = "bold green" if self.result.ok else "bold red"
        parts.append(Text(f"{self.verdict().upper()}: {self.summary()}", style=style))
        for message in self.failure_messages():
            parts.append(Text(f"✗ {message}", style="red"))
        for message in self.warning_messages():
            parts.append(Text(f"! warning: {message}", style="yellow"))
        for message in self.accepted_growth():
            parts.append(Text(f"· {message}", style="dim"))
        for note in self.result.notes:
            parts.append(Text(f"· {note}", style="dim"))
        return Group(*parts)

    def markdown(self) -> str:
        from mncost.views.formats import markdown

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

