"""The experiment commands: sweep, results, plot phase / sensitivity; exit 2 on bad input."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from herz.cli import app

pytest.importorskip("duckdb")
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def phase_args(
    db: Path, png: Path, *, y: str = "world.distinguishability", z: str | None = None
) -> tuple[str, ...]:
    """``herz plot phase DB`` over offense advantage × ``y`` (of ``z``), written to ``png``."""
    args = ("plot", "phase", str(db), "--x", "world.offense_advantage", "--y", y)
    return (*args, *(("--z", z) if z else ()), "-o", str(png))


def spec_file(folder: Path, name: str = "spec.yaml", **changes: Any) -> Path:
    doc: dict[str, Any] = {
        "name": "cli-grid",
        "scenario": "two-state",
        "model": "richardson",
        "options": {"noise": 0.2},
        "parameters": {
            "world.offense_advantage": {"values": [0.0, 1.0]},
            "world.distinguishability": {"range": {"start": 0, "stop": 1, "num": 3}},
        },
        "runs": 4,
        "steps": 10,
        "seed": 9,
    }
    doc.update(changes)
    path = folder / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_sweep_results_and_phase_plot(tmp_path: Path) -> None:
    db = tmp_path / "out.duckdb"
    code, _, err = run(
        "sweep",
        str(spec_file(tmp_path)),
        "--db",
        str(db),
        "--workers",
        "1",
        "--runs",
        "5",
        "--steps",
        "8",
    )
    assert code == 0, err
    assert "computed 30 runs" in err and str(db) in err
    code, out, err = run("results", str(db))
    assert code == 0, err
    runs = pd.read_csv(io.StringIO(out))
    assert len(runs) == 6 * 5
    assert list(runs.columns[:4]) == [
        "world.offense_advantage",
        "world.distinguishability",
        "point",
        "run",
    ]
    assert "final_military" in runs.columns
    code, _, err = run(
        "results",
        str(db),
        "--summary",
        "--csv",
        str(tmp_path / "s.csv"),
        "--parquet",
        str(tmp_path / "s.parquet"),
    )
    assert code == 0, err
    summary = pd.read_csv(tmp_path / "s.csv")
    assert len(summary) == 6 and (summary["n_runs"] == 5).all()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "s.parquet"), summary)
    png = tmp_path / "phase.png"
    code, _, err = run(*phase_args(db, png, z="mean_arms_growth"))
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The stored steps are the ones given on the command line.
    code, out, _ = run("results", str(db), "--csv", str(tmp_path / "r.csv"))
    assert code == 0
    # A second sweep into the same file needs --resume; with it, nothing is left to do.
    code, _, err = run(
        "sweep",
        str(spec_file(tmp_path)),
        "--db",
        str(db),
        "--runs",
        "5",
        "--steps",
        "8",
        "--workers",
        "1",
    )
    assert code == 2 and "--resume" in err
    code, _, err = run(
        "sweep",
        str(spec_file(tmp_path)),
        "--db",
        str(db),
        "--runs",
        "5",
        "--steps",
        "8",
        "--workers",
        "1",
        "--resume",
        "--quiet",
    )
    assert code == 0 and "computed 0 runs, 30 were already stored" in err


def test_default_database_goes_under_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "results"
    code, _, err = run("sweep", str(spec_file(tmp_path)), "--out", str(out), "--workers", "1", "-q")
    assert code == 0, err
    assert (out / "cli-grid.duckdb").is_file()


@pytest.mark.parametrize(
    ("changes", "args", "needle"),
    [
        ({"parameters": {"world.offence": {"values": [0.5]}}}, (), "world.offence"),
        ({"parameters": {"world.offense_advantage": {"values": []}}}, (), "the grid is empty"),
        ({"runs": 0}, (), "runs"),
        ({}, ("--runs", "0"), "--runs must be a positive integer, got 0"),
        (
            {
                "parameters": {
                    "world.offense_advantage": {"range": {"start": 0, "stop": 1, "num": 10**6}},
                    "world.distinguishability": {"range": {"start": 0, "stop": 1, "num": 10**6}},
                }
            },
            (),
            "1,000,000,000,000 points, more than a sweep may have (1,000,000)",
        ),
        ({}, ("--steps", "-1"), "--steps"),
        ({}, ("--cluster", "tcp://127.0.0.1:9", "--connect-timeout", "0.5"), "cannot reach"),
        ({}, ("--cluster", "nonsense"), "scheduler address"),
        ({}, ("--cluster", "tcp://foo"), "got 'tcp://foo'"),  # no port: Dask hung 10 s closing
        ({}, ("--cluster", "tcp://host:99999"), "port 1-65535"),
        ({}, ("--cluster", "udp://host:8786"), "scheduler address"),
        ({}, ("--cluster", "tcp://a b:8786"), "scheduler address"),
        ({}, ("--cluster", "tcp://127.0.0.1:9", "--connect-timeout", "nan"), "got nan"),
        ({}, ("--cluster", "tcp://127.0.0.1:9", "--connect-timeout", "inf"), "got inf"),
        ({}, ("--cluster", "tcp://127.0.0.1:9", "--connect-timeout", "-1"), "above 0, got -1"),
        ({}, ("--cluster", "tcp://127.0.0.1:9", "--connect-timeout", "0"), "--connect-timeout"),
        ({}, ("--dask-local", "0"), "--dask-local"),
        ({}, ("--workers", "0"), "--workers"),
    ],
)
def test_bad_input_exits_2_and_creates_no_database(
    tmp_path: Path, changes: dict[str, Any], args: tuple[str, ...], needle: str
) -> None:
    spec = spec_file(tmp_path, **changes)
    db = tmp_path / "sub" / "never.duckdb"
    code, out, err = run("sweep", str(spec), "--db", str(db), *args)
    assert code == 2, (out, err)
    assert needle in err and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not db.exists() and not db.parent.exists()


def test_a_database_path_through_a_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    for args in (
        ("--db", str(tmp_path / "afile" / "x.duckdb")),
        ("--out", str(tmp_path / "afile")),
    ):
        code, out, err = run("sweep", str(spec_file(tmp_path)), *args, "--workers", "1", "-q")
        assert code == 2, (out, err)
        assert f"error: {args[0]}: cannot write " in err and "afile is a file" in err, err
    assert (tmp_path / "afile").read_text() == "x"


def test_results_and_plots_of_a_missing_database_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    for args in (
        ("results", str(missing)),
        ("plot", "phase", str(missing), "--x", "a", "--y", "b", "-o", str(tmp_path / "p.png")),
    ):
        code, _, err = run(*args)
        assert code == 2 and "no such" in err
    assert not missing.exists()


def test_plot_phase_rejects_an_unknown_axis(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    assert run("sweep", str(spec_file(tmp_path)), "--db", str(db), "--workers", "1", "-q")[0] == 0
    code, _, err = run(*phase_args(db, tmp_path / "p.png", y="world.nope"))
    assert code == 2 and "--y" in err and "world.nope" in err
    assert not (tmp_path / "p.png").exists()


def test_plot_sensitivity_of_a_saltelli_sweep(tmp_path: Path) -> None:
    from herz.analysis import sweep_sensitivity

    spec = spec_file(
        tmp_path,
        parameters={
            "world.offense_advantage": {"low": 0, "high": 1},
            "richardson.derive.fatigue": {"low": 0.2, "high": 1.0},
        },
        design={"kind": "saltelli", "samples": 16},
        runs=1,
        options={},
    )
    db = tmp_path / "s.duckdb"
    assert run("sweep", str(spec), "--db", str(db), "--workers", "1", "-q")[0] == 0
    png = tmp_path / "sens.png"
    code, out, err = run("plot", "sensitivity", str(db), "--z", "mean_arms_growth", "-o", str(png))
    assert code == 0, err
    assert png.is_file() and "richardson.derive.fatigue: S1 =" in out
    # The bars print the indices of herz.analysis.sweep_sensitivity (the one implementation).
    for row in sweep_sensitivity(db, "mean_arms_growth").itertuples(index=False):
        assert (
            f"{row.parameter}: S1 = {row.S1:.3f} ± {row.S1_conf:.3f}, "
            f"ST = {row.ST:.3f} ± {row.ST_conf:.3f}"
        ) in out
    # A grid sweep has no Sobol' indices.
    grid_db = tmp_path / "g.duckdb"
    assert (
        run(
            "sweep",
            str(spec_file(tmp_path, "g.yaml")),
            "--db",
            str(grid_db),
            "--workers",
            "1",
            "-q",
        )[0]
        == 0
    )
    code, _, err = run("plot", "sensitivity", str(grid_db), "-o", str(png))
    assert code == 2 and "saltelli" in err


def test_help_is_fast_and_lists_the_commands() -> None:
    # The experiment modules must not import numpy, pandas, duckdb or dask at start-up.
    code = (
        "import sys, herz.cli; "
        "print(','.join(m for m in ('duckdb', 'distributed', 'pandas', 'matplotlib') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""
    _, out, _ = run("--help")
    for command in ("sweep", "results", "plot"):
        assert command in out


def test_ctrl_c_exits_130_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import herz.analysis
    import herz.experiment

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(herz.experiment, "run_sweep", interrupted)
    code, out, err = run("sweep", str(spec_file(tmp_path)), "--db", str(tmp_path / "x.duckdb"))
    assert (code, out, err) == (130, "", "interrupted; run again with --resume\n")
    # Any other command: "interrupted", 130 (not click's "Aborted!" and 1).
    monkeypatch.setattr(herz.analysis, "sweep_summary", interrupted)
    code, out, err = run("results", str(tmp_path / "x.duckdb"), "--summary")
    assert (code, err) == (130, "interrupted\n")


def test_results_to_a_full_disk_is_one_sentence(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    db = tmp_path / "x.duckdb"
    assert run("sweep", str(spec_file(tmp_path)), "--db", str(db), "--workers", "1", "-q")[0] == 0
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "herz", "results", str(db)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "error: cannot write the table to standard output: No space left on device.\n"
    )


def test_a_bad_parameter_is_named_even_where_the_sweep_is_stored(tmp_path: Path) -> None:
    """Validation comes before the database's state: a bad parameter path in a spec whose
    sweep is stored already was reported as "already holds a sweep named ...; pass --resume"."""
    db = tmp_path / "s.duckdb"
    code, _, err = run("sweep", str(spec_file(tmp_path)), "--db", str(db), "--workers", "1", "-q")
    assert code == 0, err
    bad = spec_file(tmp_path, "bad.yaml", parameters={"world.nope": {"values": [0.1]}})
    code, _, err = run("sweep", str(bad), "--db", str(db), "--workers", "1", "-q")
    assert code == 2 and "world.nope" in err and "already holds" not in err, err
    code, _, err = run("sweep", str(spec_file(tmp_path)), "--db", str(db), "--workers", "1")
    assert code == 2 and "already holds" in err and "resume=True" in err, err


def test_results_and_plots_of_an_interrupted_sweep_warn_that_it_is_incomplete(
    tmp_path: Path,
) -> None:
    """A sweep stopped part-way (here after two of six chunks) was exported and plotted
    without a word; now stderr says how many of how many runs are stored. A complete sweep
    says nothing."""
    from herz.experiment import Progress, run_sweep

    spec = spec_file(tmp_path)  # 6 points × 4 runs
    db = tmp_path / "cut.duckdb"

    def stop_after_two(p: Progress) -> None:
        if p.chunks_done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, db=db, workers=1, chunk=4, progress=stop_after_two)
    warning = f"warning: sweep 'cli-grid' in {db} is incomplete: 8 of 24 runs stored"
    png = tmp_path / "phase.png"
    for args in (
        ("results", str(db)),
        ("results", str(db), "--summary"),
        phase_args(db, png, z="mean_arms_growth"),
    ):
        code, _, err = run(*args)
        assert code == 0, err
        assert warning in err and "--resume" in err, err
    assert run("sweep", str(spec), "--db", str(db), "--resume", "--workers", "1", "-q")[0] == 0
    code, _, err = run("results", str(db), "--summary")
    assert code == 0 and "warning" not in err
