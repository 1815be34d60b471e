"""The pipelines' worker processes start with what the calling command imported already imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from mastgraph.pipeline import forkserver

SCRIPT = textwrap.dedent('''
    import concurrent.futures
    import sys

    # multiprocessing runs this script again in each worker (as __mp_main__): there this says
    # whether the workers' server had imported the CLI before the worker was forked
    ALREADY = "mastgraph.cli.main" in sys.modules
    import mastgraph.cli.main  # noqa: F401 (as the `mastgraph` command's script does)
    from mastgraph.pipeline import forkserver


    def probe():
        return sys.modules["__mp_main__"].ALREADY


    if __name__ == "__main__":
        with concurrent.futures.ProcessPoolExecutor(
                1, mp_context=forkserver.context(["mastgraph.pipeline.bulk_spill"])) as pool:
            print(ALREADY, pool.submit(probe).result())
''')


def test_a_worker_finds_the_command_s_modules_imported(tmp_path):
    """Python 3.11 runs the main script again in each worker; its imports are then found done by
    the server (`forkserver.preload`), not made again in each worker (about 0.6 s each)."""
    script = tmp_path / "command.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def test_the_preload_is_the_modules_given_then_those_imported():
    import mastgraph.cli.main  # noqa: F401

    names = forkserver.preload(["mastgraph.pipeline.bulk_spill", "mastgraph.cli.main"])
    assert names[:2] == ["mastgraph.pipeline.bulk_spill", "mastgraph.cli.main"]
    assert len(names) == len(set(names)) and "mastgraph.pipeline.forkserver" in names
    assert all(name.startswith("mastgraph.") for name in names)


IMPOSTOR = textwrap.dedent('''
    import concurrent.futures
    import sys

    import mastgraph.pipeline.bulk_spill  # noqa: F401
    from mastgraph.pipeline import forkserver


    def probe():
        return sys.modules["mastgraph"].__file__, sys.modules["mastgraph.pipeline.bulk_spill"].__file__


    if __name__ == "__main__":
        mine = sys.modules["mastgraph"].__file__, sys.modules["mastgraph.pipeline.bulk_spill"].__file__
        with concurrent.futures.ProcessPoolExecutor(
                1, mp_context=forkserver.context(["mastgraph.pipeline.bulk_spill"])) as pool:
            print(pool.submit(probe).result() == mine)
''')


def test_workers_import_the_caller_s_package_not_one_in_the_working_folder(tmp_path):
    """Run from a folder holding another `mastgraph` package, the workers import the modules the
    command imported, not that folder's (Python 3.11's server puts its working folder first)."""
    impostor = tmp_path / "mastgraph"
    impostor.mkdir()
    (impostor / "__init__.py").write_text("")
    script = tmp_path / "scripts" / "command.py"
    script.parent.mkdir()
    script.write_text(IMPOSTOR)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"]
