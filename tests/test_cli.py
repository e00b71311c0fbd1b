"""The command line: exit codes, JSON output, files written, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import herz
from herz.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.strip() == f"herz {herz.__version__}"
    code, out, _ = run("--help")
    assert code == 0
    for command in ("scenarios", "show", "validate", "run"):
        assert command in out


def test_scenarios_lists_the_builtins() -> None:
    code, out, _ = run("scenarios", "--json")
    assert code == 0
    names = {row["name"] for row in json.loads(out)}
    assert {"two-state", "europe-1909", "cold-war"} <= names
    code, out, _ = run("scenarios")
    assert code == 0 and "europe-1909" in out


def test_show_prints_states_alliances_and_sources() -> None:
    code, out, _ = run("show", "europe-1909")
    assert code == 0
    for text in ("GMY", "Triple Entente", "Singer"):
        assert text in out
    code, out, _ = run("show", "cold-war", "--yaml", "--set", "world.offense_advantage=0.9")
    assert code == 0
    assert yaml.safe_load(out)["world"]["offense_advantage"] == 0.9


def test_run_json_has_the_promised_keys() -> None:
    code, out, err = run("run", "europe-1909", "--model", "richardson", "--json", "--seed", "3")
    assert code == 0, err
    summary = json.loads(out)  # stdout is JSON and nothing else
    for key in ("model", "scenario", "seed", "equilibrium", "stable", "regime", "eigenvalues"):
        assert key in summary
    assert summary["model"] == "richardson" and summary["scenario"] == "europe-1909"
    assert summary["seed"] == 3
    assert set(summary["equilibrium"]) == {"UKG", "FRN", "RUS", "GMY", "AUH", "ITA"}
    assert isinstance(summary["stable"], bool)
    # The JSON agrees with the model computed directly.
    from herz.models.richardson import coefficients_from_scenario

    system = coefficients_from_scenario(herz.load_scenario("europe-1909"))
    eq = system.equilibrium()
    assert np.allclose([summary["equilibrium"][s] for s in system.actors], eq)
    assert summary["regime"] == system.stability().regime


def test_run_writes_series_summary_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "results"
    code, stdout, err = run(
        "run",
        "two-state",
        "--steps",
        "12",
        "--runs",
        "3",
        "--noise",
        "0.1",
        "--seed",
        "9",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "military.png",
        "outcomes.csv",
        "summary.json",
        "timeseries.csv",
    ]
    import pandas as pd

    series = pd.read_csv(out / "timeseries.csv")
    assert list(series.columns[:5]) == ["run", "t", "year", "state", "military"]
    assert len(series) == 3 * 13 * 2
    png = (out / "military.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 3 and summary["seed"] == 9
    assert "regime" in stdout


def test_written_files_are_readable_as_the_umask_allows(tmp_path: Path) -> None:
    """Tables and summary get the mode ``open`` would give them (0o666 less the umask), as
    the figures do; they were written 0o600 through ``tempfile.mkstemp``."""
    import os

    old = os.umask(0o022)
    try:
        out = tmp_path / "r"
        code, _, err = run("run", "two-state", "--runs", "2", "--seed", "1", "--out", str(out))
    finally:
        os.umask(old)
    assert code == 0, err
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()}
    assert modes == dict.fromkeys(modes, 0o644), modes
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_an_out_path_through_a_file_exits_2_before_the_run(tmp_path: Path) -> None:
    """``--out afile/sub``: one sentence naming the file, exit 2 (it was an "internal error",
    exit 1, after the run)."""
    (tmp_path / "afile").write_text("x")
    code, _, err = run("run", "two-state", "--runs", "2", "--out", str(tmp_path / "afile" / "sub"))
    assert code == 2 and err.startswith("error: --out: ") and "afile is a file" in err, err
    assert len(err.strip().splitlines()) == 1


def test_out_into_a_folder_of_an_earlier_run_says_what_it_leaves(tmp_path: Path) -> None:
    """A spiral run, then a Richardson run, into one folder: the spiral's report.html and
    figures stay (they may be the user's), and the second run says so."""
    out = tmp_path / "r"
    args = ("run", "two-state", "--runs", "2", "--seed", "1", "--out", str(out))
    assert run(*args, "--model", "spiral")[0] == 0
    with pytest.warns(UserWarning, match=r"already holds 5 file\(s\).*report\.html"):
        code, _, err = run(*args)
    assert code == 0, err
    assert (out / "report.html").exists() and (out / "military.png").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(*args, "--out", str(tmp_path / "fresh"))[0] == 0  # a new folder: nothing


def test_a_folder_where_an_output_file_goes_is_refused_before_anything_moves(
    tmp_path: Path,
) -> None:
    """It failed half-way (an internal error), leaving the new summary.json beside the old
    tables; now exit 2 and the earlier run's files untouched."""
    out = tmp_path / "half"
    assert run("run", "two-state", "--runs", "2", "--seed", "1", "--out", str(out))[0] == 0
    (out / "timeseries.csv").unlink()
    (out / "timeseries.csv").mkdir()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    code, _, err = run("run", "two-state", "--runs", "2", "--seed", "2", "--out", str(out))
    assert code == 2 and "is a folder where the run would write its file" in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["half"]  # no temporary folders


def test_a_failed_move_puts_the_earlier_run_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or none: a move that fails part-way (injected on summary.json, after the csv files
    were moved in) takes the new files out and restores the old ones."""
    out = tmp_path / "r"
    assert run("run", "two-state", "--runs", "2", "--seed", "1", "--out", str(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = Path.replace

    def failing(self: Path, target: Any) -> Path:
        # the new summary.json's move from the staging folder (not the set-aside copy's)
        moving_in = ".old." not in self.parent.name and Path(target).parent == out
        if self.name == "summary.json" and moving_in:
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", failing)
    code, _, err = run("run", "two-state", "--runs", "2", "--seed", "2", "--out", str(out))
    monkeypatch.undo()
    assert code == 2 and "No space left on device" in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_files_that_cannot_be_put_back_are_kept_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the roll-back itself fails, the earlier files stay where they were set aside, and
    the message says where: never deleted."""
    out = tmp_path / "r"
    assert run("run", "two-state", "--runs", "2", "--seed", "1", "--out", str(out))[0] == 0
    old_summary = (out / "summary.json").read_bytes()
    real = Path.replace

    def failing(self: Path, target: Any) -> Path:
        if self.name == "summary.json" and Path(target).parent == out:
            raise OSError(28, "No space left on device")  # moving in, and putting back
        return real(self, target)

    monkeypatch.setattr(Path, "replace", failing)
    code, _, err = run("run", "two-state", "--runs", "2", "--seed", "2", "--out", str(out))
    monkeypatch.undo()
    assert code == 2 and "could not all be put back: they are in " in err, err
    aside = Path(" ".join(err.split()).split("they are in ")[1].rstrip("."))
    assert (aside / "summary.json").read_bytes() == old_summary


def test_run_is_reproducible_from_the_seed() -> None:
    args = ("run", "two-state", "--runs", "4", "--noise", "0.2", "--seed", "77", "--json")
    assert run(*args)[1] == run(*args)[1]


def test_blocs_sum_alliances(tmp_path: Path) -> None:
    code, out, _ = run("run", "europe-1909", "--blocs", "--json", "--seed", "0")
    assert code == 0
    summary = json.loads(out)
    assert summary["actors"] == ["Triple Entente", "Triple Alliance"]
    sc = herz.load_scenario("europe-1909")
    entente = sum(s.military for s in sc.states if s.id in ("UKG", "FRN", "RUS"))
    assert summary["initial"]["Triple Entente"] == pytest.approx(entente)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("run", "no-such-scenario"), "no-such-scenario"),
        (("run", "two-state", "--set", "world.nothing=1"), "world.nothing"),
        (("run", "two-state", "--set", "world.offense_advantage=7"), "world.offense_advantage"),
        (("run", "two-state", "--set", "novalue"), "PATH=VALUE"),
        (("run", "two-state", "--model", "nope"), "nope"),
        (("run", "two-state", "--runs", "0"), "--runs"),
        (("run", "two-state", "--steps", "0"), "--steps"),
        (("run", "two-state", "--seed", "-1"), "--seed"),
        (("run", "two-state", "--method", "rk4"), "rk4"),
        (("run", "two-state", "--noise", "-1"), "option noise"),
        (("show", "missing.yaml"), "missing.yaml"),
        # NaN and infinity are named as such, not as a bound they happen to fail
        (("run", "two-state", "--noise", "nan"), "option noise: must be a finite number"),
        (("run", "two-state", "--set", "time.step=.nan"), "time.step: must be a finite number"),
        (("run", "two-state", "--set", "states[0].military=nan"), "must be a finite number"),
        # the calibration's era is the command's ERA, not an API field "scenario"
        (("calibrate", "spiral", "abc", "--json"), "ERA: 'abc' is not an era"),
    ],
)
def test_bad_input_exits_2_with_one_sentence(args: tuple[str, ...], needle: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err and out == ""


def test_validate_reports_file_field_and_value(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    herz.load_scenario("two-state").save(good)
    code, out, _ = run("validate", str(good))
    assert code == 0 and "valid" in out
    doc = yaml.safe_load(good.read_text())
    doc["states"][1]["military"] = -3
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc))
    code, _, err = run("validate", str(good), str(bad))
    assert code == 2
    assert "bad.yaml" in err and "states[1].military" in err and "-3" in err


def test_failed_run_leaves_no_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "never"
    code, _, _ = run("run", "two-state", "--set", "world.bad=1", "--out", str(out))
    assert code == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_console_script_exit_code_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: x\nstates:\n  - {id: A, military: 1, economy: 0}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "herz", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "broken.yaml" in proc.stderr and "states[0].economy" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_import_herz_is_light() -> None:
    code = (
        "import sys, herz; heavy = [m for m in ('numpy', 'pandas', 'scipy', 'matplotlib', "
        "'pydantic', 'yaml', 'statsmodels', 'typer') if m in sys.modules]; print(heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


# -- errors by cause (issue #10) --------------------------------------------------------------
def _broken_model(kind: str) -> type:
    from herz.errors import ModelError
    from herz.models import Model

    class Broken(Model):
        name = "broken"
        title = "a model with a defect"

        def simulate(self, scenario, **kwargs):  # type: ignore[no-untyped-def, override]
            if kind == "model":
                raise ModelError("the system matrix is singular at /secret/path")
            raise ZeroDivisionError("division by zero")

    return Broken


@pytest.mark.parametrize("kind", ["model", "internal"])
def test_a_fault_inside_a_model_exits_1_with_a_pointer_to_debug(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import herz.models as registry

    cls = _broken_model(kind)
    monkeypatch.setattr(sys.modules[__name__], "Broken", cls, raising=False)
    monkeypatch.setitem(registry.REGISTRY, "broken", f"{__name__}:Broken")
    registry._load.cache_clear()
    result = runner.invoke(app, ["run", "two-state", "--model", "broken"])
    assert result.exit_code == 1
    err = result.stderr
    assert err.count("\n") == 1 and "Traceback" not in err
    assert ("model error" if kind == "model" else "internal error") in err
    assert "--debug" in err
    debug = runner.invoke(app, ["--debug", "run", "two-state", "--model", "broken"])
    assert debug.exit_code != 0 and debug.exception is not None  # the traceback, for a developer
    assert not isinstance(debug.exception, SystemExit)
    registry._load.cache_clear()


def test_run_takes_any_models_options_from_its_schema() -> None:
    code, out, err = run(
        "run", "two-state", "--option", "method=euler", "-O", "blocs=false", "--json", "--seed", "1"
    )
    assert code == 0, err
    assert json.loads(out)["options"]["method"] == "euler"
    code, _, err = run("run", "two-state", "--model", "spiral", "-O", "chunk=0")
    assert code == 2 and "chunk" in err and err.count("\n") == 1
    code, _, err = run("run", "two-state", "--model", "spiral", "--blocs")
    assert code == 2 and "no option 'blocs'" in err
    code, _, err = run("run", "two-state", "-O", "method")
    assert code == 2 and "NAME=VALUE" in err
    code, out, _ = run("models")
    assert code == 0 and "richardson" in out and "spiral" in out
    code, out, _ = run("models", "--json")
    names = {m["name"]: m for m in json.loads(out)}
    method = names["richardson"]["options"]["properties"]["method"]
    # default None: the scenario's richardson.method (the form of its coefficients), else exact
    assert [b.get("enum") for b in method["anyOf"]] == [["exact", "euler"], None]
    assert method["default"] is None


def test_run_refuses_runs_that_would_not_fit_in_memory_before_allocating() -> None:
    code, _, err = run("run", "two-state", "--runs", "1000000000000")
    assert code == 2 and err.count("\n") == 1
    # the CLI's own way out (its flags), not the Python API's keep='summary'
    assert "GB of memory" in err and "fewer --runs" in err and "herz sweep" in err
    code, _, err = run("run", "two-state", "--runs", "100000000000", "--out", "/nonexistent/x")
    assert code == 2 and "--keep summary" in err and "keep=" not in err
    code, _, err = run("run", "two-state", "--steps", "1000000000")
    assert code == 2 and "at most 100000" in err
    code, _, err = run("run", "two-state", "--noise", "nan")
    assert code == 2 and "noise" in err
