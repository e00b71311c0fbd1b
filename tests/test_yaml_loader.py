"""One bounded YAML loader (herz._yaml): hostile documents are refused fast, in one sentence.

Each case is refused with an InputError naming the source, in well under a second and a few
megabytes, whatever the document's content (issue #14).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herz._yaml import MAX_BYTES, load_yaml, quote
from herz.cli import app
from herz.errors import InputError, ScenarioError
from herz.scenario import Scenario

STATES = "states: [{id: A, military: 1, economy: 1}]\n"


def laughs(levels: int = 9) -> str:
    """The "billion laughs": each level refers nine times to the one before."""
    out = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for k in range(1, levels + 1):
        refs = ", ".join([f"*a{k - 1}"] * 9)
        out.append(f"a{k}: &a{k} [{refs}]")
    return "\n".join(out) + "\n"


HOSTILE = {
    "alias expansion": (
        "name: x\n"
        + STATES
        + "description:\n"
        + "".join("  " + line + "\n" for line in laughs().splitlines()),
        "counting each alias",
    ),
    "deep nesting": ("name: x\n" + STATES + "description: " + "[" * 500 + "]" * 500, "nested"),
    "huge integer": (
        "name: x\nstates: [{id: A, military: 1" + "0" * 4300 + ", economy: 1}]",
        "digits",
    ),
    "duplicate key": ("name: x\nname: y\n" + STATES, "duplicate key 'name' at line 2"),
    "boolean for a number": (
        "name: x\ntime: {steps: true}\n" + STATES,
        "time.steps: must be a number, not true or false",
    ),
    "long scalar": ("name: x\n" + STATES + "description: " + "y" * 200_001, "characters"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_scenarios_are_refused_in_one_sentence_quickly(case: str) -> None:
    text, needle = HOSTILE[case]
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        Scenario.from_yaml(text, source="hostile.yaml")
    took = time.perf_counter() - t0
    message = str(info.value)
    assert message.startswith("hostile.yaml: ") and needle in message
    assert "\n" not in message and len(message) < 300
    assert took < 2.0, f"{case}: {took:.2f} s"


def test_refusing_the_worst_file_costs_little_memory(tmp_path: Path) -> None:
    """In a fresh process, so the measured peak is the refusal's own."""
    path = tmp_path / "laughs.yaml"
    path.write_text(HOSTILE["alias expansion"][0])
    code = (
        "import resource, sys\n"
        "from herz.scenario import load_scenario\n"
        "from herz.errors import ScenarioError\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        f"    load_scenario({str(path)!r})\n"
        "except ScenarioError as exc:\n"
        "    print(exc)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    ).stdout.splitlines()
    assert "counting each alias" in out[0]
    assert int(out[1]) < 200  # MB above the interpreter with herz loaded


def test_the_cli_refuses_hostile_files_with_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    for case, (text, needle) in HOSTILE.items():
        path = tmp_path / f"{case.replace(' ', '-')}.yaml"
        path.write_text(text)
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 2, case
        assert needle in result.stderr and result.stderr.count("\n") == 1, case
    result = runner.invoke(app, ["run", "two-state", "--set", "time.steps=1" + "0" * 4300])
    assert result.exit_code == 2 and "digits" in result.stderr


def test_the_loader_bounds_size_and_reads_ordinary_yaml() -> None:
    assert load_yaml("a: 1\nb: [1, 2, {c: d}]\n") == {"a": 1, "b": [1, 2, {"c": "d"}]}
    assert load_yaml("x: &v [1, 2]\ny: *v\n") == {"x": [1, 2], "y": [1, 2]}  # modest aliases
    assert load_yaml("") is None
    with pytest.raises(InputError, match="limit is"):
        load_yaml("a: " + "b" * MAX_BYTES)
    with pytest.raises(InputError, match=r"invalid YAML at line \d"):
        load_yaml("a: [")
    with pytest.raises(InputError, match="not UTF-8"):
        load_yaml(b"a: \xff\n")


def test_quoting_a_huge_value_is_bounded() -> None:
    deep: list[object] = []
    cur = deep
    for _ in range(10_000):
        nxt: list[object] = []
        cur.append(nxt)
        cur = nxt
    t0 = time.perf_counter()
    assert len(quote(deep)) <= 60 and len(quote(list(range(10**6)))) <= 60
    assert time.perf_counter() - t0 < 0.1


@pytest.mark.parametrize(
    "body",
    [
        "[" + ",".join(["1"] * (MAX_BYTES // 2 - 64)) + "]",  # the most values that fit
        "\n" + "".join(f"  k{i}: v\n" for i in range(MAX_BYTES // 13)),  # a huge mapping
        "[" + ",".join(["[[[[1]]]]"] * (MAX_BYTES // 10 - 64)) + "]",  # nested, many events
    ],
    ids=["flat list", "mapping", "nested lists"],
)
def test_any_document_up_to_the_size_cap_is_read_or_refused_within_2_seconds(body: str) -> None:
    text = "description: " + body + "\n"
    assert len(text) <= MAX_BYTES
    t0 = time.perf_counter()
    try:
        load_yaml(text, source="big.yaml")
    except InputError as exc:
        assert str(exc).startswith("big.yaml: ")
    assert time.perf_counter() - t0 < 2.0
