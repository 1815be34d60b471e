"""The `mastgraph` console script (`cli/_entry.py`): a Ctrl-C while the commands are imported and
a fault no command expected each end in one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from mastgraph import __version__
from mastgraph.cli import _entry


class _FakeMain(types.ModuleType):
    """`mastgraph.cli.main` whose `app` raises `exc` (when imported, or when called)."""

    def __init__(self, exc: BaseException, on_import: bool) -> None:
        super().__init__("mastgraph.cli.main")
        self.exc, self.on_import = exc, on_import

    def __getattr__(self, name: str):
        if name != "app":
            raise AttributeError(name)
        if self.on_import:
            raise self.exc

        def app(prog_name: str) -> None:
            raise self.exc
        return app


def _run(monkeypatch, capsys, exc: BaseException, on_import: bool) -> tuple[int, str]:
    monkeypatch.setitem(sys.modules, "mastgraph.cli.main", _FakeMain(exc, on_import))
    with pytest.raises(SystemExit) as stopped:
        _entry.run()
    return stopped.value.code, capsys.readouterr().err


def _wrapped_interrupt() -> RuntimeError:
    """What Python makes of a Ctrl-C inside a class body's __set_name__ while a module is imported."""
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as inner:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance 'programs' in 'Manifest'") from inner
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), _wrapped_interrupt()], ids=["plain", "wrapped"])
@pytest.mark.parametrize("on_import", [True, False], ids=["importing", "running"])
def test_ctrl_c_is_one_line_and_status_130(monkeypatch, capsys, exc, on_import):
    code, err = _run(monkeypatch, capsys, exc, on_import)
    assert (code, err) == (130, "error: interrupted\n")


def test_an_unexpected_fault_is_one_line_its_traceback_in_the_state_folders_log(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path))
    code, err = _run(monkeypatch, capsys, ValueError("something no command expected\nsecond line"), False)
    log = tmp_path / "logs" / "errors.log"
    assert (code, err) == (1, "error: the command failed unexpectedly (ValueError: something no command "
                              f"expected); details in {log}\n")
    assert "Traceback (most recent call last)" in log.read_text() and "second line" in log.read_text()


def test_the_console_script_runs_the_command():
    done = subprocess.run([sys.executable, "-m", "mastgraph.cli", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"mastgraph {__version__}\n", "")


def _typer_main(command) -> types.ModuleType:
    """`mastgraph.cli.main` whose `app` is a real Typer app of the one `command`."""
    import typer

    main = types.ModuleType("mastgraph.cli.main")
    main.app = typer.Typer(pretty_exceptions_enable=False)
    main.app.command()(command)
    return main


def test_ctrl_c_in_a_command_that_does_not_catch_it_is_one_line(monkeypatch, capsys):
    def command() -> None:
        raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "mastgraph.cli.main", _typer_main(command))
    monkeypatch.setattr(sys, "argv", ["mastgraph"])
    with pytest.raises(SystemExit) as stopped:
        _entry.run()
    assert (stopped.value.code, capsys.readouterr().err) == (130, "error: interrupted\n")


def test_a_command_that_says_its_own_interrupted_line_is_not_repeated(monkeypatch, capsys):
    from mastgraph.cli.common import fail

    def command() -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise fail("interrupted (--dry-run: nothing was written)", 130) from None

    monkeypatch.setitem(sys.modules, "mastgraph.cli.main", _typer_main(command))
    monkeypatch.setattr(sys, "argv", ["mastgraph"])
    with pytest.raises(SystemExit) as stopped:
        _entry.run()
    assert (stopped.value.code, capsys.readouterr().err) == (130, "error: interrupted (--dry-run: nothing was written)\n")


@pytest.mark.parametrize("argv, message", [
    (["--count", "abc"], "error: Invalid value for '--count': Input should be a valid integer, unable to parse string "
                         "as an integer (see mastgraph --help)\n"),
    (["--bogus"], "error: No such option: --bogus (see mastgraph --help)\n"),
])
def test_a_usage_error_is_one_line(monkeypatch, capsys, argv, message):
    """Typer's box of several lines (Usage, Try, the error framed) becomes the one line mastgraph's
    errors are, with where to look; the status stays 2."""
    import typer

    def command(count: int = typer.Option(1, "--count")) -> None:
        pass

    monkeypatch.setitem(sys.modules, "mastgraph.cli.main", _typer_main(command))
    monkeypatch.setattr(sys, "argv", ["mastgraph", *argv])
    from typer import rich_utils

    monkeypatch.setattr(rich_utils, "rich_format_error", rich_utils.rich_format_error)  # (restored after)
    with pytest.raises(SystemExit) as stopped:
        _entry.run()
    assert (stopped.value.code, capsys.readouterr().err) == (2, message)


@pytest.mark.parametrize("argv", [[], ["sample"], ["server"]])
def test_a_group_given_no_command_shows_its_help_and_no_error(monkeypatch, capsys, argv):
    """`mastgraph sample` alone printed its help and then `error:  (see mastgraph sample --help)`: the help
    is the message of click's NoArgsIsHelpError, which the one-line usage errors printed as an error."""
    from typer import rich_utils

    monkeypatch.setattr(rich_utils, "rich_format_error", rich_utils.rich_format_error)  # (restored after)
    monkeypatch.setattr(sys, "argv", ["mastgraph", *argv])
    with pytest.raises(SystemExit) as stopped:
        _entry.run()
    out, err = capsys.readouterr()
    assert stopped.value.code == 2
    assert "Usage: mastgraph" in out + err and "error" not in err
