"""dudao installs like any Python package: a wheel, or ``pip install .`` (not editable), into a
fresh environment outside the repository carries its forms, plans and sample roster.

The wheel is built from this tree and installed without its dependencies into a new venv, which
borrows them from the running interpreter through a ``.pth`` file (they are the same versions, and
the test stays offline and quick); ``.ci/run`` also installs the wheel with its dependencies from
PyPI into a bare venv and runs the same three commands.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONIOENCODING"] = "utf-8"
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=600)
    if check:
        assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv outside the repository with the wheel built from this tree installed in it."""
    tmp = tmp_path_factory.mktemp("package")
    wheels = tmp / "wheels"
    run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", wheels, cwd=tmp)
    (wheel,) = wheels.glob("dudao-*.whl")
    env = tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp)
                   .stdout.strip())
    # The dependencies, from this interpreter's site-packages; never the source tree itself.
    paths = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (purelib / "borrowed_dependencies.pth").write_text("\n".join(paths) + "\n", encoding="utf-8")
    run(python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp)
    return env


def dudao(env: Path, *args, cwd: Path) -> subprocess.CompletedProcess:
    return run(env / "bin" / "dudao", *args, cwd=cwd)


def test_the_installed_package_is_not_the_source_tree(installed, tmp_path):
    where = run(installed / "bin" / "python", "-c",
                "import aggregator, excel_templates; print(aggregator.__file__); print(excel_templates.__file__)",
                cwd=tmp_path).stdout.split()
    assert all(str(ROOT) not in w for w in where), where


def test_forms_lists_both_bundled_forms_and_the_plan(installed, tmp_path):
    out = dudao(installed, "forms", cwd=tmp_path).stdout
    assert "annex5_2023" in out and "annex3_checklist_2023" in out and "shuangjian-2023" in out


def test_the_demo_runs_from_the_wheel(installed, tmp_path):
    done = dudao(installed, "demo", tmp_path / "演示", cwd=tmp_path)
    assert (tmp_path / "演示" / "summary").is_dir() and "汇总" in done.stdout


def test_init_with_the_bundled_plan_and_sample_roster(installed, tmp_path):
    roster = run(installed / "bin" / "python", "-c",
                 "from aggregator.demo import SAMPLE_ROSTER; print(SAMPLE_ROSTER)", cwd=tmp_path).stdout.strip()
    assert Path(roster).is_file() and str(ROOT) not in roster
    done = dudao(installed, "init", tmp_path / "收集", "--roster", roster, "--name", "某某区",
                 "--plan", "shuangjian-2023", cwd=tmp_path)
    assert "名单共 40 所学校" in done.stdout and (tmp_path / "收集" / "plan.toml").is_file()
