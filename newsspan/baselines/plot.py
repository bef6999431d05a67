"""The results plot: content F1 against boilerplate F1 per system, with 95% intervals as error bars.

matplotlib (the `bench` extra) draws it with the Agg backend and no date or version in the PNG's
metadata, so one set of results gives one image on a given matplotlib version.
"""
from __future__ import annotations

from pathlib import Path

PLOT = "content-vs-boilerplate.png"


def _point(result: dict, key: str) -> tuple[float, float, float] | None:
    f1 = result["scores"]["overall"]["spans"][key]["micro"]["f1"]
    if f1["value"] is None:
        return None
    low = f1["low"] if f1["low"] is not None else f1["value"]
    high = f1["high"] if f1["high"] is not None else f1["value"]
    return f1["value"], f1["value"] - low, high - f1["value"]


def plot_results(results: list[dict], title: str, path: Path) -> Path | None:
    """Write the plot of `results` to `path`; None (nothing written) when no system has both figures."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = [(r["system"], _point(r, "char/content"), _point(r, "char/boilerplate")) for r in results]
    points = [(name, c, b) for name, c, b in points if c and b]
    if not points:
        return None
    fig, ax = plt.subplots(figsize=(8, 6.5), dpi=110)
    palette = [plt.get_cmap("tab10")(k) for k in range(10)] + ["black", "darkgoldenrod", "navy", "darkred"]
    markers = "osD^vPXp*h<>"
    placed: list[tuple[float, float]] = []
    for i, (name, (cx, clo, chi), (by, blo, bhi)) in enumerate(sorted(points)):
        colour = palette[i % len(palette)]
        ax.errorbar(cx, by, xerr=[[clo], [chi]], yerr=[[blo], [bhi]], fmt=markers[i % len(markers)], color=colour,
                    capsize=3, markersize=6, label=name)
        # A label near an earlier one goes below it, so that names of systems with close scores stay legible.
        crowd = sum(1 for x, y in placed if abs(x - cx) < 0.08 and abs(y - by) < 0.04)
        placed.append((cx, by))
        ax.annotate(name, (cx, by), textcoords="offset points", xytext=(-6, 6 - 11 * crowd), fontsize=7.5,
                    color=colour, ha="right" if cx > 0.85 else "left")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("content F1 (non-space characters kept that are main text)")
    ax.set_ylabel("boilerplate F1 (non-space characters removed that are boilerplate)")
    ax.set_title(f"{title}\n(error bars: 95% bootstrap intervals over pages)", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="lower left", ncol=2, framealpha=0.8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    fig.savefig(partial, format="png", metadata={"Software": None})
    plt.close(fig)
    partial.replace(path)
    return path
