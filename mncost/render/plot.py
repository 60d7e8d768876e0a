"""Plots of a sweep: the paper's trade-off surface (Figures 4 and 5 style).

matplotlib (the ``plot`` extra) is imported only inside ``plot_sweep``, and only through its
object API with the Agg canvas: no pyplot, no global backend, no display needed.

Files are written atomically: the figure goes to a temporary file in the target's directory,
which then replaces the target in one step (``os.replace``), so a reader never sees half a
PNG. An existing file is kept unless ``overwrite=True``; without it the new file is put in
place with ``os.link``, which fails rather than overwrite if the file appeared meanwhile.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from mncost.core.errors import ConfigError, MissingExtra
from mncost.core import fileio
from mncost.core.sweep import Sweep, SweepPoint, format_number

DPI = 150
# Width × height in inches; at DPI 150 the files are 1800×750 (two panels) or 1050×750 pixels.
SIZE_TWO_PANELS = (12.0, 5.0)
SIZE_ONE_PANEL = (7.0, 5.0)
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
# Above this many points, labels would bury the markers: points are coloured, not labelled.
MAX_LABELLED_POINTS = 40
MAX_LEGEND_ALPHAS = 10


def pixel_size(sweep: Sweep) -> tuple[int, int]:
    """The PNG's width and height in pixels for this sweep."""
    inches = SIZE_TWO_PANELS if sweep.has_accuracy else SIZE_ONE_PANEL
    return round(inches[0] * DPI), round(inches[1] * DPI)


def check_target(path: str | os.PathLike, *, overwrite: bool) -> Path:
    """Refuse early what ``plot_sweep`` would refuse after the work: a bad suffix, a missing
    directory, or an existing file without ``overwrite``."""
    if Path(path).suffix.lower() not in FORMATS:
        raise ConfigError(f"plot file {str(path)!r} must end in {', '.join(FORMATS)}")
    return fileio.check_target(path, overwrite=overwrite, what="plot")


def alpha_label(alpha: Fraction) -> str:
    """The paper's way of writing α: 1.0, 0.75, 0.5, 0.25."""
    text = format_number(alpha)
    return f"{text}.0" if "." not in text and "/" not in text else text


def point_label(point: SweepPoint) -> str:
    """``0.75-192``: the paper's "0.75 MobileNet-192" without the model name."""
    return f"{alpha_label(point.alpha)}-{point.resolution}"


def plot_sweep(sweep: Sweep, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Draw the sweep and write it to ``path`` (png, svg or pdf by suffix)."""
    target = check_target(path, overwrite=overwrite)
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtra("plot", "mncost sweep --plot") from None

    two = sweep.has_accuracy
    figure = Figure(figsize=SIZE_TWO_PANELS if two else SIZE_ONE_PANEL, dpi=DPI,
                    layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2 if two else 1, squeeze=False)[0]
    colours = _alpha_colours(sweep)
    _cost_panel(axes[0], sweep, colours, figure)
    if two:
        _accuracy_panel(axes[1], sweep, colours)
    count = len(sweep.points)
    figure.suptitle(f"{sweep.model} · {sweep.variant} · {count} configuration"
                    f"{'s' if count != 1 else ''}",
                    fontsize=12)
    _write_atomically(figure, target, overwrite)
    return target


def plot_families(sweeps: list[Sweep], path: str | os.PathLike, *,
                  overwrite: bool = False) -> Path:
    """Several specs on one figure: mult-adds vs params for every configuration, and, where
    papers report it, ImageNet top-1 vs mult-adds (cited in the panel)."""
    target = check_target(path, overwrite=overwrite)
    try:
        from matplotlib import colormaps
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtra("plot", "mncost sweep --plot") from None

    two = any(s.has_accuracy for s in sweeps)
    figure = Figure(figsize=SIZE_TWO_PANELS if two else SIZE_ONE_PANEL, dpi=DPI,
                    layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2 if two else 1, squeeze=False)[0]
    palette = colormaps["tab10"]
    colours = {i: palette(i % 10) for i in range(len(sweeps))}
    ax = axes[0]
    for i, sweep in enumerate(sweeps):
        # One line per α across resolutions (params stay, mult-adds grow with pixels).
        n = len(sweep.resolutions)
        for j in range(len(sweep.alphas)):
            row = sorted(sweep.points[j * n:(j + 1) * n], key=lambda p: p.mult_adds)
            ax.plot([_millions(p.mult_adds) for p in row], [_millions(p.params) for p in row],
                    "o-", color=colours[i], markersize=4, linewidth=1, alpha=0.8,
                    label=sweep.model if j == 0 else None)
    ax.set_xscale("log")
    ax.set_yscale("log")
    _plain_log_ticks(ax)
    ax.set_xlabel("million mult-adds (log scale)")
    ax.set_ylabel(f"million params, {sweeps[0].params_convention} (log scale)")
    ax.set_title("Cost of every configuration", fontsize=10.5)
    ax.grid(True, which="major", alpha=0.35)
    ax.legend(fontsize=8, loc="upper left", frameon=True, framealpha=0.9)
    if two:
        ax = axes[1]
        citations = []
        for i, sweep in enumerate(sweeps):
            known = sorted((p for p in sweep.points if p.top1_paper is not None),
                           key=lambda p: p.mult_adds)
            if not known:
                continue
            citations.append(sweep.accuracy_citation)
            ax.plot([_millions(p.mult_adds) for p in known], [p.top1_paper for p in known],
                    "o--", color=colours[i], markersize=6, linewidth=1, label=sweep.model)
            for p in known:
                ax.annotate(f"{alpha_label(p.alpha)}-{p.resolution}  {p.top1_paper:.1f}%",
                            (_millions(p.mult_adds), p.top1_paper), textcoords="offset points",
                            xytext=(6, -4), ha="left", va="top", fontsize=7.5,
                            color="#333333")
        ax.set_xscale("log")
        _plain_log_ticks(ax, y=False)
        low, high = ax.get_xlim()
        ax.set_xlim(low * 0.9, high * 1.35)  # room for the labels right of each point
        ax.set_xlabel("million mult-adds (log scale)")
        ax.set_ylabel("ImageNet top-1 accuracy (%), as reported")
        ax.set_title("Published accuracy vs exact mult-adds", fontsize=10.5)
        ax.grid(True, which="major", alpha=0.35)
        ax.legend(fontsize=8, loc="upper left", frameon=True, framealpha=0.9)
        import textwrap
        # supxlabel: constrained layout keeps room for it under both panels.
        figure.supxlabel(textwrap.fill("Top-1 as reported by: " +
                                       "; ".join(dict.fromkeys(citations)), 180),
                         fontsize=7, color="#555555")
    count = sum(len(s.points) for s in sweeps)
    models = sweeps[0].model if len(sweeps) == 1 else f"{len(sweeps)} models"
    figure.suptitle(f"{models} · {count} configuration{'s' if count != 1 else ''}",
                    fontsize=12)
    _write_atomically(figure, target, overwrite)
    return target


def _alpha_colours(sweep: Sweep) -> dict[Fraction, tuple]:
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    ordered = sorted(sweep.alphas)
    n = len(ordered)
    # Darkest = widest network; stop short of viridis' pale yellow end, which fades on white.
    return {a: cmap(0.85 * (1 - i / (n - 1)) if n > 1 else 0.0) for i, a in enumerate(ordered)}


def _millions(value: int) -> float:
    return value / 1e6


def _cost_panel(ax, sweep: Sweep, colours: dict, figure) -> None:
    labelled = len(sweep.points) <= MAX_LABELLED_POINTS
    n = len(sweep.resolutions)
    for i, alpha in enumerate(sweep.alphas):
        row = sorted(sweep.points[i * n:(i + 1) * n], key=lambda p: p.mult_adds)
        xs = [_millions(p.mult_adds) for p in row]
        ys = [_millions(p.params) for p in row]
        ax.plot(xs, ys, "-", color=colours[alpha], alpha=0.45, linewidth=1.2, zorder=1)
        ax.scatter(xs, ys, s=36 if labelled else 10, color=colours[alpha], zorder=2,
                   edgecolors="white", linewidths=0.6,
                   label=f"α = {alpha_label(alpha)}" + _params_note(row))
        if labelled:
            for p, x, y in zip(row, xs, ys):
                ax.annotate(str(p.resolution), (x, y), textcoords="offset points",
                            xytext=(0, 7), ha="center", fontsize=7.5, color="#333333")
    ax.margins(x=0.06, y=0.08)
    ax.set_xscale("log")
    ax.set_yscale("log")
    _plain_log_ticks(ax)
    ax.set_xlabel("million mult-adds (log scale)")
    ax.set_ylabel(f"million parameters ({sweep.params_convention}, log scale)")
    title = "Cost: mult-adds vs parameters"
    if labelled:
        title += "  (labels: input resolution)"
    ax.set_title(title, fontsize=10.5)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    if len(sweep.alphas) <= MAX_LEGEND_ALPHAS:
        ax.legend(fontsize=8, loc="upper left", frameon=True, framealpha=0.9)
    else:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import LinearSegmentedColormap, Normalize

        ordered = sorted(sweep.alphas)
        cmap = LinearSegmentedColormap.from_list("alpha", [colours[a] for a in ordered])
        mappable = ScalarMappable(norm=Normalize(float(ordered[0]), float(ordered[-1])),
                                  cmap=cmap)
        figure.colorbar(mappable, ax=ax, label="width multiplier α", pad=0.01)


def _params_note(row: list[SweepPoint]) -> str:
    """`` (4.23M params)`` when every resolution of this α has the same parameter count."""
    counts = {p.params for p in row}
    if len(counts) != 1:
        return ""
    from mncost.views.formats import human
    return f"  ({human(counts.pop())} params)"


def _accuracy_panel(ax, sweep: Sweep, colours: dict) -> None:
    known = [p for p in sweep.points if p.top1_paper is not None]
    # The paper's two series: α at the full resolution (Table 6), resolution at α = 1 (Table 7).
    top_resolution = max(p.resolution for p in known)
    series = (
        ("α series at %d (Table 6)" % top_resolution,
         [p for p in known if p.resolution == top_resolution], "#1f77b4"),
        ("resolution series at α = 1.0 (Table 7)", [p for p in known if p.alpha == 1],
         "#d62728"),
    )
    drawn = 0
    for label, points, colour in series:
        if len(points) < 2:
            continue
        drawn += 1
        points = sorted(points, key=lambda p: p.mult_adds)
        ax.plot([_millions(p.mult_adds) for p in points], [p.top1_paper for p in points],
                "--", color=colour, linewidth=1.2, alpha=0.7, label=label, zorder=1)
    in_alpha_series = {id(p) for p in series[0][1]} - {id(p) for p in series[1][1]}
    for p in known:
        x = _millions(p.mult_adds)
        ax.scatter([x], [p.top1_paper], s=44, color=colours[p.alpha], zorder=3,
                   edgecolors="white", linewidths=0.6)
        # Table 6's points are labelled above-left, Table 7's below-right: the two series run
        # side by side, and this keeps their labels on opposite sides.
        upper_left = id(p) in in_alpha_series
        ax.annotate(f"{alpha_label(p.alpha)} MobileNet-{p.resolution}\n{p.top1_paper:.1f}%",
                    (x, p.top1_paper), textcoords="offset points",
                    xytext=(-6, 4) if upper_left else (6, -4),
                    ha="right" if upper_left else "left", va="bottom" if upper_left else "top",
                    fontsize=7.5, color="#333333")
    ax.set_xscale("log")
    _plain_log_ticks(ax, y=False)
    xs = [_millions(p.mult_adds) for p in known]
    ys = [p.top1_paper for p in known]
    # Room on the right and below for the labels, which sit right of and under each point.
    ax.set_xlim(min(xs) / 3, max(xs) * 1.8)
    ax.set_ylim(min(ys) - 3, max(ys) + 2)
    ax.set_xlabel("million mult-adds (log scale)")
    ax.set_ylabel("ImageNet top-1 accuracy (%), as reported")
    ax.set_title("Accuracy reported by the paper (Tables 6–7) vs mult-adds", fontsize=10.5)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    if drawn:
        ax.legend(fontsize=8, loc="lower right", frameon=True, framealpha=0.9)


def _plain_log_ticks(ax, y: bool = True) -> None:
    """Log axes labelled 50, 100, 200 rather than 10^2."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    formatter = FuncFormatter(lambda v, _: f"{v:g}")
    axes = [ax.xaxis, ax.yaxis] if y else [ax.xaxis]
    for axis in axes:
        subs = (1.0, 2.0, 5.0) if axis is ax.xaxis else (1.0, 2.0, 3.0, 4.0, 5.0, 7.0)
        axis.set_major_locator(LogLocator(base=10, subs=subs))
        axis.set_major_formatter(formatter)
        axis.set_minor_formatter(FuncFormatter(lambda v, _: ""))


def _write_atomically(figure, target: Path, overwrite: bool) -> None:
    def save(stream) -> None:
        figure.savefig(stream, format=FORMATS[target.suffix.lower()], dpi=DPI)

    fileio.write_file(target, save, overwrite=overwrite, what="plot")
