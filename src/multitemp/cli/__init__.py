"""Command line: ``multitemp run``, ``multitemp demo``.  Each command is a thin layer over
:mod:`multitemp.ensemble.run`.  Bad input: a message naming the key and exit code 2; a blow-up: exit 1.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from multitemp import __version__
from multitemp.api import load_config
from multitemp.core.config import ConfigError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Overdamped particles, each with its own heat bath.",
)
err = Console(stderr=True)


def _progress_reporter(enabled: bool, unit: str = "replica-steps/s"):
    """A callback ``(step, total, rate)`` showing a rich progress bar on stderr once a run has lasted 2 s."""
    if not enabled:
        return None, lambda: None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    state: dict = {"start": time.perf_counter(), "bar": None}

    def update(step: int, total: int, rate: float) -> None:
        if state["bar"] is None:
            if time.perf_counter() - state["start"] < 2.0:
                return
            bar = Progress(
                TextColumn("step {task.completed:.0f}/{task.total:.0f}"),
                BarColumn(),
                TextColumn("{task.percentage:>5.1f}%"),
                TextColumn("{task.fields[rate]:.3g} " + unit),
                TimeRemainingColumn(),
                console=err,
            )
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("run", total=total, rate=rate)
        state["bar"].update(state["task"], completed=step, rate=rate)

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].stop()

    return update, close


def _print_summary(summary: dict, as_json: bool) -> None:
    if _print_json(as_json, summary):
        return
    from rich.table import Table

    def fmt(v):
        if v is None:
            return "-"
        if isinstance(v, list):
            return ", ".join(fmt(x) for x in v)
        return f"{v:.4g}"

    table = Table(title="multitemp run", show_lines=False)
    for col in ("quantity", "measured", "std. error", "exact"):
        table.add_column(col)
    for key in (
        "entropy_production_rate",
        "entropy_production_rate_path",
        "entropy_production_rate_ito",
        "heat_rate",
        "angular_momentum",
        "mean_velocity",
    ):
        if key in summary:
            table.add_row(key, fmt(summary[key]), fmt(summary.get(key + "_stderr")), fmt(summary.get(key + "_exact")))
    Console().print(table)
    Console().print(
        f"throughput: {summary['replica_steps_per_second']:.3g} replica-steps/s; results: {summary.get('output')}"
    )


def _print_json(as_json: bool, obj) -> bool:
    """With ``--json``: print ``obj`` as one JSON line on stdout and say so (the command then returns)."""
    if as_json:
        sys.stdout.write(json.dumps(obj) + "\n")
    return as_json


def _fail(message: str, code: int) -> None:
    from rich.markup import escape

    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="TOML config file")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a key: --set run.replicas=100")] = None,
    out: Annotated[
        Path | None, typer.Option(help="output folder (default: next to the config, named after it)")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="continue an interrupted run from OUT/checkpoint.npz")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
) -> None:
    """Run a config: an ensemble (results.nc, phase_space.png for d = 1 pairs) or, with a
    \\[mixture] table, a many-body run (trajectory.gsd, results.nc).  Both write checkpoint.npz
    and continue from it with --resume; Ctrl-C or SIGTERM keep what was computed."""
    import multitemp
    from multitemp.mixture.config import MixtureConfig
    from multitemp.mixture.trajectory import TrajectoryError

    try:
        cfg = load_config(config, set_ or [])
    except ConfigError as e:
        _fail(str(e), 2)
    out = out if out is not None else config.with_suffix("")
    mixture = isinstance(cfg, MixtureConfig)
    update, close = _progress_reporter(
        not as_json and err.is_terminal, "particle-steps/s" if mixture else "replica-steps/s"
    )
    try:
        result = multitemp.run(cfg, out, update, resume=resume)
    except (multitemp.ResumeError, TrajectoryError, ConfigError) as e:
        close()
        _fail(str(e), 2)
    except multitemp.BlowUpError as e:
        close()
        kept = (
            "frames and the checkpoint written before are kept"
            if mixture
            else f"partial results: {out / 'results_partial.nc'}"
        )
        _fail(f"{e}\nset run.dt = {e.suggested_dt:g} (e.g. --set run.dt={e.suggested_dt:g}); {kept}", 1)
    except KeyboardInterrupt as e:
        close()
        checkpoint = getattr(e, "checkpoint", None)
        kept = "" if mixture else f"; results so far: {out / 'results_partial.nc'}"
        again = f"\ncontinue with: multitemp run {config} --out {out} --resume" if checkpoint is not None else ""
        _fail(f"{e or 'interrupted'}{kept}{again}", 130)
    close()
    if mixture:
        _print_mixture_summary(result.summary, as_json)
    else:
        _print_summary(result.summary, as_json)


def _print_mixture_summary(s: dict, as_json: bool) -> None:
    if _print_json(as_json, s):
        return
    from rich.table import Table

    table = Table(title=f"multitemp mixture: {s['particles']} particles, t = {s['time']:g}")
    for col in ("quantity", "value", "std. error"):
        table.add_column(col)
    if "entropy_production_rate" in s:
        table.add_row(
            "entropy production rate",
            f"{s['entropy_production_rate']:.4g}",
            f"{s['entropy_production_rate_stderr']:.2g}",
        )
        for name, h, e in zip(s["types"], s["heat_rate"], s["heat_rate_stderr"], strict=True):
            table.add_row(f"heat rate into the {name} baths", f"{h:.4g}", f"{e:.2g}")
        table.add_row(
            "center diffusion (measured / exact)",
            f"{s['center_diffusion']:.4g} / {s['center_diffusion_exact']:.4g}",
            "",
        )
    Console().print(table)
    Console().print(f"throughput: {s['particle_steps_per_second']:.3g} particle-steps/s; trajectory: {s['output']}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="output folder")] = Path("demo_output"),
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
) -> None:
    """The course's numerics: harmonic pair, d = 1, k = lambda = 1, T = (5, 1)."""
    from multitemp.ensemble.run import demo_config, run_config

    update, close = _progress_reporter(not as_json and err.is_terminal)
    output = run_config(demo_config(), out, progress=update, checkpoint_seconds=float("inf"))
    close()
    s = output.summary
    if as_json:
        _print_summary(s, True)
        return
    Console().print(
        f"entropy production rate: measured {s['entropy_production_rate']:.4f} +- {s['entropy_production_rate_stderr']:.4f}"
        f"  exact {s['entropy_production_rate_exact']:.4f}\n"
        f"angular momentum:        measured {s['angular_momentum']:.4f} +- {s['angular_momentum_stderr']:.4f}"
        f"  exact {s['angular_momentum_exact']:.4f}\n"
        f"heat into baths:         measured {s['heat_rate'][0]:.4f}, {s['heat_rate'][1]:.4f}"
        f"  exact {s['heat_rate_exact'][0]:.4f}, {s['heat_rate_exact'][1]:.4f}\n"
        f"throughput {s['pair_steps_per_second']:.3g} pair-steps/s\n"
        f"wrote {output.results_file} and {output.figure}"
    )


@app.command()
def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="TOML: a run config plus a [sweep] table")],
    out: Annotated[Path | None, typer.Option(help="output folder (default: named after the sweep file)")] = None,
    workers: Annotated[
        int | None, typer.Option(help="worker processes of the local cluster (default: one per core)")
    ] = None,
    scheduler: Annotated[str | None, typer.Option(help="address of a running Dask scheduler, tcp://HOST:PORT")] = None,
    scheduler_file: Annotated[Path | None, typer.Option(help="scheduler file of a running Dask cluster")] = None,
    zarr: Annotated[bool, typer.Option("--zarr", help="also write OUT/sweep.zarr (large sweeps)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
) -> None:
    """Run every point of a parameter sweep on Dask; resumable; results in OUT/sweep.nc."""
    from multitemp.sweep import load_sweep, run_sweep

    try:
        spec = load_sweep(sweep_file)
    except ConfigError as e:
        _fail(str(e), 2)
    out = out if out is not None else sweep_file.with_suffix("")
    show = not as_json and err.is_terminal
    state: dict = {}

    def connected(dashboard: str | None, n_workers: int) -> None:
        err.print(f"dask: {n_workers} workers" + (f", dashboard {dashboard}" if dashboard else ""), highlight=False)
        if show:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            bar = Progress(
                TextColumn("points"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TimeRemainingColumn(),
                console=err,
            )
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("sweep", total=len(spec.points()), failed=0)

    def progress(done: int, total: int, failed: int) -> None:
        if "bar" in state:
            state["bar"].update(state["task"], completed=done, failed=failed)

    try:
        summary = run_sweep(
            spec, out, scheduler=scheduler, scheduler_file=str(scheduler_file) if scheduler_file else None,
            workers=workers, progress=progress, on_connect=connected, zarr=zarr,
        )  # fmt: skip
    except ConfigError as e:
        _fail(str(e), 2)
    except OSError as e:
        _fail(f"cannot reach the Dask scheduler: {e}", 2)
    finally:
        if "bar" in state:
            state["bar"].stop()
    result = summary.as_dict()
    if _print_json(as_json, result):
        return
    Console().print(
        f"{summary.total} points: {summary.computed} computed, {summary.skipped} already done, "
        f"{len(summary.failures)} failed; {summary.wall_seconds:.1f} s; results: {summary.output}"
    )
    for f in summary.failures:
        Console().print(f"  failed {f['values']}: {f['error']}", highlight=False, soft_wrap=True, markup=False)


@app.command()
def plot(
    results: Annotated[Path, typer.Argument(help="sweep.nc written by multitemp sweep")],
    x: Annotated[str, typer.Option("--x", help="swept key on the horizontal axis")],
    y: Annotated[str, typer.Option("--y", help="result field, e.g. entropy_production_rate")],
    out: Annotated[Path | None, typer.Option(help="image file (default: next to the results)")] = None,
) -> None:
    """A curve with error bars (one swept key) or a heatmap (two) of a sweep's results."""
    import xarray as xr

    from multitemp.ensemble.plots import sweep_figure

    if not results.exists():
        _fail(f"results file not found: {results}", 2)
    ds = xr.open_dataset(results)
    try:
        path = sweep_figure(ds, x, y, out or results.with_name(f"{y}_vs_{x}.png"))
    except ValueError as e:
        _fail(str(e), 2)
    Console().print(f"wrote {path}")


@app.command()
def infer(
    trajectories: Annotated[Path, typer.Argument(help=".npy/.npz (replicas, time, coordinates), .csv, .nc or .gsd")],
    dt: Annotated[float | None, typer.Option(help="sampling interval (time between samples)")] = None,
    method: Annotated[list[str] | None, typer.Option(help="tur, short_time_tur, current (repeat; default all)")] = None,
    basis: Annotated[str, typer.Option(help="currents' basis: linear, poly2, poly3, pair (needs --dim)")] = "linear",
    dim: Annotated[
        int | None, typer.Option(help="axes per particle (coordinates = particles x dim), for --basis pair")
    ] = None,
    window: Annotated[int, typer.Option(help="samples per window of the TUR bound")] = 10,
    bins: Annotated[int, typer.Option(help="bins per coordinate of the current-based estimator")] = 24,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
) -> None:
    """Entropy production rate from trajectories alone: TUR bound, short-time TUR, current-based."""
    from multitemp.inference import InputError, load_trajectories
    from multitemp.inference import infer as run_infer
    from multitemp.inference.basis import BASES
    from multitemp.inference.estimators import METHODS

    if basis not in BASES:
        _fail(f"--basis {basis!r}: allowed {', '.join(BASES)}", 2)
    for m in method or ():
        if m not in METHODS:
            _fail(f"--method {m!r}: allowed {', '.join(METHODS)}", 2)
    try:
        traj = load_trajectories(trajectories, dt)
        results = run_infer(traj, tuple(method or METHODS), basis, window, bins, dim)
    except InputError as e:  # the library names its parameters; here they are options
        _fail(
            str(e).replace("dt (", "--dt (").replace(": pass it", ": give --dt").replace("needs dim", "needs --dim"), 2
        )
    if _print_json(as_json, {k: v.as_dict() for k, v in results.items()}):
        return
    from rich.table import Table

    table = Table(
        title=f"entropy production rate from {traj.x.shape[0]} x {traj.x.shape[1]} samples of {traj.x.shape[2]} coordinates, dt = {traj.dt:g}"
    )
    for col in ("method", "rate", "std. error", "kind"):
        table.add_column(col)
    for name, est in results.items():
        table.add_row(
            name,
            f"{est.entropy_production_rate:.4g}",
            f"{est.stderr:.2g}",
            "lower bound" if est.is_bound else "estimate",
        )
    Console().print(table)


@app.command()
def analyze(
    trajectory: Annotated[Path, typer.Argument(help="GSD trajectory of a mixture run")],
    out: Annotated[Path | None, typer.Option(help="output folder (default: the trajectory's folder)")] = None,
    cold_type: Annotated[str, typer.Option(help="name of the cold type")] = "cold",
    hot_type: Annotated[str, typer.Option(help="name of the hot type")] = "hot",
    stride: Annotated[int, typer.Option(min=1, help="analyse every n-th frame (and the last)")] = 1,
    movie: Annotated[bool, typer.Option("--movie", help="also write movie.mp4")] = False,
    control: Annotated[
        Path | None, typer.Option(help="a control trajectory (e.g. equal temperatures) drawn dashed in coarsening.png")
    ] = None,
    pictures: Annotated[bool, typer.Option(help="write snapshot.png and coarsening.png")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
) -> None:
    """Phase separation of a mixture: largest cold cluster, demixing, local density, partial
    g(r), coarsening length L(t) (freud); writes analysis.nc, pictures, optionally a movie."""
    from multitemp.mixture.analysis import AnalysisOptions, analyze_trajectory
    from multitemp.mixture.trajectory import TrajectoryError

    out = out if out is not None else trajectory.parent
    out.mkdir(parents=True, exist_ok=True)
    try:
        ds, last = analyze_trajectory(trajectory, AnalysisOptions(cold_type=cold_type, hot_type=hot_type), stride)
        ref = None
        if control is not None:
            cds, clast = analyze_trajectory(control, AnalysisOptions(cold_type=cold_type, hot_type=hot_type), stride)
            ref = (cds.time.values, cds.coarsening_length.values, cds.demixing.values)
    except TrajectoryError as e:
        _fail(str(e), 2)
    nc = out / "analysis.nc"
    ds.to_netcdf(nc, engine="h5netcdf")
    result = {**last.as_dict(), "frames_analyzed": int(ds.sizes["frame"]), "output": str(nc)}
    if control is not None:
        result["control"] = clast.as_dict()
    if pictures:
        from multitemp.mixture.pictures import coarsening_figure, snapshot

        result["snapshot"] = str(snapshot(trajectory, out / "snapshot.png"))
        result["coarsening_figure"] = str(
            coarsening_figure(
                ds.time.values,
                ds.coarsening_length.values,
                out / "coarsening.png",
                ds.demixing.values,
                control=ref,
                local_phi=(ds.phi.values, ds.cold_local_phi_density.values[0], ds.cold_local_phi_density.values[-1]),
            )  # fmt: skip
        )
    if movie:
        from multitemp.mixture.pictures import movie as make_movie

        result["movie"] = str(make_movie(trajectory, out / "movie.mp4"))
    if _print_json(as_json, result):
        return
    Console().print(
        f"last frame (step {last.step}): largest cold cluster {last.largest_cold_cluster_fraction:.3f} of the cold "
        f"particles, demixing {last.demixing:.3f}, coarsening length {last.coarsening_length:.3g}\n"
        + "\n".join(
            f"wrote {v}" for k, v in result.items() if k in ("output", "snapshot", "coarsening_figure", "movie")
        )
    )


@app.command()
def chains(
    trajectory: Annotated[Path, typer.Argument(help="GSD trajectory of a run with a [polymer] table")],
    out: Annotated[Path | None, typer.Option(help="output folder (default: the trajectory's folder)")] = None,
    radius: Annotated[float | None, typer.Option(min=0.0, help="contact radius (default 1.5 diameters)")] = None,
    skip: Annotated[float, typer.Option(min=0.0, max=0.99, help="fraction of the frames left out at the start")] = 0.5,
    stride: Annotated[int, typer.Option(min=1, help="use every n-th frame")] = 1,
    s_min: Annotated[
        int | None, typer.Option(min=1, help="compartment score over |i - j| >= s-min (default: twice the mean block)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
) -> None:
    """Chains with hot and cold monomers: contact map and compartment score, separation
    against |i - j|, block sizes, radial positions, entropy production along the chain;
    writes chains.nc and chains.png."""
    from multitemp.mixture.chain_analysis import analyze_chains, chain_figure
    from multitemp.mixture.trajectory import TrajectoryError

    out = out if out is not None else trajectory.parent
    out.mkdir(parents=True, exist_ok=True)
    try:
        result = analyze_chains(trajectory, radius, skip, stride, s_min)
    except TrajectoryError as e:
        _fail(str(e), 2)
    from multitemp.core.files import write_netcdf

    summary = {**result.summary, "output": str(write_netcdf(result.dataset, out / "chains.nc"))}
    summary["figure"] = str(chain_figure(result, out / "chains.png"))
    if _print_json(as_json, summary):
        return
    s = summary
    Console().print(
        f"{s['chains_analysed']} of {s['chains']} chains of {s['monomers_per_chain']} monomers, {s['frames_analysed']} "
        f"frames: compartment score {s['compartment_score']:.4f} ± {s['compartment_score_stderr']:.4f}\n"
        f"wrote {s['output']}\nwrote {s['figure']}"
    )


@app.command()
def entropy(
    trajectory: Annotated[Path, typer.Argument(help="GSD trajectory of a mixture run")],
    out: Annotated[Path | None, typer.Option(help="output folder (default: the trajectory's folder)")] = None,
    skip: Annotated[float, typer.Option(min=0.0, max=0.99, help="fraction of the frames left out at the start")] = 0.5,
    bins: Annotated[int, typer.Option(min=4, help="grid cells along x for the density map")] = 48,
    cold_type: Annotated[str, typer.Option(help="name of the cold type")] = "cold",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
) -> None:
    """Where the entropy is produced: a density map, each particle's entropy production, and
    its mean in bulk hot, bulk cold and interface environments (from the trajectory's heat and,
    independently, from snapshots); writes entropy.json and entropy.png."""
    from multitemp.mixture.local_entropy import local_entropy, local_entropy_figure
    from multitemp.mixture.trajectory import TrajectoryError

    out = out if out is not None else trajectory.parent
    out.mkdir(parents=True, exist_ok=True)
    try:
        result = local_entropy(trajectory, skip=skip, bins=bins, cold_type=cold_type)
    except TrajectoryError as e:
        _fail(str(e), 2)
    from multitemp.core.files import write_json

    summary = {**result.summary, "figure": str(local_entropy_figure(result, out / "entropy.png"))}
    write_json(out / "entropy.json", summary)
    if _print_json(as_json, summary):
        return
    s = summary
    total = sum(s["entropy_production_rate_per_environment"].values())
    Console().print(
        f"entropy production {s['entropy_production_rate']:.5g} ± {s['entropy_production_rate_stderr']:.2g} over "
        f"{s['intervals']} intervals; share by environment: "
        + ", ".join(f"{e} {100 * v / total:.1f}%" for e, v in s["entropy_production_rate_per_environment"].items())
        + f"\nwrote {out / 'entropy.json'}\nwrote {s['figure']}"
    )


@app.command("phase-diagram")
def phase_diagram_command(
    sweep: Annotated[Path, typer.Argument(help="a sweep's output folder (or its sweep.nc) over temperature and phi")],
    out: Annotated[Path | None, typer.Option(help="output PNG (default: phase_diagram.png in the folder)")] = None,
    criterion: Annotated[
        str, typer.Option(help="separated when: 'demixing' (psi > 0.05) or 'cluster' (largest cold cluster > 1/2)")
    ] = "demixing",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
) -> None:
    """The demixing order parameter over T_hot / T_cold and phi, with the Grosberg-Joanny
    spinodal, and where simulation and theory disagree (examples/phase_diagram_2d.toml)."""
    import xarray as xr

    from multitemp.mixture.phase_diagram import phase_diagram

    nc = sweep / "sweep.nc" if sweep.is_dir() else sweep
    if not nc.exists():
        _fail(f"{nc} not found: run `multitemp sweep` first", 2)
    ds = xr.open_dataset(nc)
    for need in ("demixing", "largest_cold_cluster_fraction", "mixture.phi"):
        if need not in ds.variables:
            _fail(f"{nc} has no {need!r}: a sweep of a [mixture] config over mixture.phi is needed", 2)
    out = out if out is not None else nc.parent / "phase_diagram.png"
    try:
        path, summary = phase_diagram(ds, out, criterion)
    except ValueError as e:
        _fail(str(e), 2)
    from multitemp.core.files import write_json

    summary["figure"] = str(path)
    write_json(out.with_suffix(".json"), summary)
    if _print_json(as_json, summary):
        return
    Console().print(
        f"{sum(p['separated'] for p in summary['points'])} of {len(summary['points'])} points separated; "
        f"{len(summary['disagreements'])} disagree with the spinodal\nwrote {path}"
    )


@app.command()
def gallery(
    out: Annotated[Path, typer.Option(help="output folder")] = Path("gallery"),
    workers: Annotated[int | None, typer.Option(help="Dask worker processes (default 2)")] = None,
) -> None:
    """Regenerate every figure of the project (scans on Dask) and an index.md."""
    from multitemp.gallery import make_gallery

    index = make_gallery(out, workers=workers, log=lambda m: err.print(m, highlight=False))
    Console().print(f"wrote {index}")


@app.command()
def explore(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0: a free one)", min=0, max=65535)] = 5006,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="do not open a browser")] = False,
) -> None:
    """Open the explorer in the browser: the two-temperature pair, ratchets, run-and-chase and the
    arrow of time, with sliders and live simulations next to the exact results."""
    try:
        from multitemp.explore import serve
    except ImportError as exc:  # panel is an optional dependency
        _fail(f"the explorer needs Panel: pip install 'multitemp[explore]' ({exc})", 2)
    try:
        serve(port=port, show=not no_browser, log=lambda m: err.print(m, highlight=False))
    except OSError as exc:
        _fail(f"--port {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); choose another port or 0", 2)


def _version(value: bool) -> None:
    if value:
        print(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit"),
    ] = False,
) -> None:
    """multitemp: overdamped particles, each with its own heat bath."""


if __name__ == "__main__":
    app()
