"""`nadi bench startup`: process start to the first interactive main window of the app on a demo
clinic, against a bare PySide6 window, started alternately in the same run. With --packaged PATH the
packaged executable (dist/nadi/nadi) takes its turn in the same rotation, on the same clinic, so
packaged and source start-up are compared under the same conditions.

Both sides are timed through the startup-probe contract (desktop/startup_probe.py): the child
writes time.time_ns() once its window is shown and ready to use, then quits.
The figure is that timestamp minus time.time_ns() taken just before the child is started. A
wall-clock stamp is used because it is the one clock both processes read the same way.

The bench reads only the probe, never the window, so it keeps working whatever the app's first
screen becomes. This module imports no Qt: the parent only starts processes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core.errors import NadiError

START_TIMEOUT_S = 120

# The baseline a developer would write first: one window with one label. It probes exactly as the
# app does (a zero-delay timer fires once the event loop has turned), and names the Qt platform
# it ran on so the report can say so.
BARE_QT_PROGRAM = """
import os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("bare PySide6 window"))
window.resize(720, 360)
window.show()

def ready():
    with open(os.environ["NADI_STARTUP_PROBE"], "w", encoding="ascii") as f:
        f.write(str(time.time_ns()))
    print(app.platformName(), flush=True)
    app.exit(0)

QTimer.singleShot(0, ready)
sys.exit(app.exec())
"""


def _child_environment(key_dir: Path, probe: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["NADI_KEY_DIR"] = str(key_dir)
    env["NADI_STARTUP_PROBE"] = str(probe)
    env["NADI_EXIT_AFTER_SHOW"] = "1"
    env.pop("NADI_DATA_DIR", None)  # --data-dir is given explicitly
    # The caller's choice of Qt platform stands; without a display there is nothing else to use.
    if not env.get("QT_QPA_PLATFORM") and sys.platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _timed_start(command: list[str], env: dict[str, str], probe: Path, what: str) -> tuple[float, str]:
    """Milliseconds from just before the process starts to its probe, and what it printed."""
    probe.unlink(missing_ok=True)
    started_ns = time.time_ns()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = child.communicate(timeout=START_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise NadiError(f"the {what} did not show its window within {START_TIMEOUT_S} s") from None
    if child.returncode != 0 or not probe.exists():
        last = (err.strip().splitlines() or ["no message"])[-1]
        raise NadiError(f"the {what} did not start cleanly (exit status {child.returncode}): {last}")
    return (int(probe.read_text(encoding="ascii")) - started_ns) / 1e6, out.strip()


def _summary(samples: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(samples), 1), "min": round(min(samples), 1), "max": round(max(samples), 1)}


def _make_demo_clinic(clinic: Path, patients: int, key_dir: Path | None) -> Path:
    """Build the demo clinic; returns the key store the app must be pointed at."""
    from core.demo.generate import add_demo_data  # noqa: PLC0415
    from core.settings import load_settings  # noqa: PLC0415
    from core.storage.database import open_database  # noqa: PLC0415

    settings = load_settings(clinic)
    if key_dir is not None:
        settings = settings.model_copy(update={"key_dir": key_dir})
    db, _ = open_database(settings, create=True)
    try:
        add_demo_data(db, patients=patients)
    finally:
        db.close()
    return settings.key_dir


def _compile_our_code() -> None:
    import compileall  # noqa: PLC0415

    root = Path(__file__).resolve().parent.parent
    for package in ("core", "desktop", "sync"):
        compileall.compile_dir(root / package, quiet=2)


def _packaged_executable(path: Path) -> Path:
    path = Path(path).expanduser()
    if path.is_dir():  # dist/nadi given: the executable inside it
        path = path / ("nadi.exe" if sys.platform == "win32" else "nadi")
    if not path.is_file() or not os.access(path, os.X_OK):
        raise NadiError(f"{path} is not the packaged nadi executable (build it with `bash packaging/build`; it is dist/nadi/nadi)")
    return path.resolve()


def run_startup_bench(rounds: int = 7, patients: int = 300, data_dir: Path | None = None, packaged: Path | None = None) -> dict:
    """Time `rounds` starts of the app on a demo clinic of `patients`, alternating with a bare
    PySide6 window (and, with `packaged`, the packaged executable on the same clinic). With
    data_dir the demo clinic is built there and kept; it must not already hold a Nadi database."""
    packaged = _packaged_executable(packaged) if packaged is not None else None
    if rounds < 1:
        raise NadiError("--rounds must be at least 1")
    if patients < 1:
        raise NadiError("--patients must be at least 1")
    from core.storage.database import DB_FILE  # noqa: PLC0415

    if data_dir is not None and (Path(data_dir).expanduser() / DB_FILE).exists():
        raise NadiError(f"{data_dir} already holds a Nadi database; the benchmark builds its own in a new directory")

    with tempfile.TemporaryDirectory(prefix="nadi-bench-startup-") as tmp_name:
        tmp = Path(tmp_name)
        clinic = Path(data_dir).expanduser().resolve() if data_dir is not None else tmp / "clinic"
        # A throwaway clinic keeps its key in the throwaway directory; a kept one uses this
        # user's key store, so `nadi --data-dir DIR` opens it afterwards.
        build_started = time.perf_counter()
        key_dir = _make_demo_clinic(clinic, patients, tmp / "keys" if data_dir is None else None)
        build_s = time.perf_counter() - build_started

        probe = tmp / "probe"
        env = _child_environment(key_dir, probe)
        app_command = [sys.executable, "-m", "desktop", "--data-dir", str(clinic)]
        bare_command = [sys.executable, "-c", BARE_QT_PROGRAM]
        packaged_command = [str(packaged), "--data-dir", str(clinic)] if packaged else None

        # Our own modules compiled to bytecode first, as an installed copy ships them (PyInstaller)
        # and as any normal Python start caches them; where PYTHONDONTWRITEBYTECODE is set the app
        # would otherwise recompile every module on every start, which the bare window never does.
        _compile_our_code()
        # One untimed start of each first, so every timed side finds the OS file cache warm.
        _timed_start(app_command, env, probe, "app")
        _, qt_platform = _timed_start(bare_command, env, probe, "bare Qt window")
        if packaged_command:
            _timed_start(packaged_command, env, probe, "packaged app")

        app_ms: list[float] = []
        bare_ms: list[float] = []
        packaged_ms: list[float] = []
        for _ in range(rounds):
            app_ms.append(_timed_start(app_command, env, probe, "app")[0])
            if packaged_command:
                packaged_ms.append(_timed_start(packaged_command, env, probe, "packaged app")[0])
            bare_ms.append(_timed_start(bare_command, env, probe, "bare Qt window")[0])

    app, bare = _summary(app_ms), _summary(bare_ms)
    extra = {}
    if packaged_command:
        extra = {"packaged_ms": _summary(packaged_ms), "packaged": str(packaged),
                 "packaged_ratio": round(statistics.median(packaged_ms) / app["median"], 2)}
    return {
        "app_ms": app,
        "bare_qt_ms": bare,
        "ratio": round(app["median"] / bare["median"], 2),
        "rounds": rounds,
        "patients": patients,
        "platform": qt_platform,
        "os": platform.platform(),
        "interpreter": sys.executable,
        "python": platform.python_version(),
        "warm_cache": True,
        "bytecode_compiled": True,
        "samples_ms": {"app": [round(v, 1) for v in app_ms], "bare_qt": [round(v, 1) for v in bare_ms]}
                      | ({"packaged": [round(v, 1) for v in packaged_ms]} if packaged_command else {}),
        "build_seconds": round(build_s, 1),
        "data_dir": str(clinic) if data_dir is not None else None,
    } | extra


def _text(result: dict) -> str:
    def row(label: str, ms: dict) -> str:
        return f"  {label:<32} median {ms['median']:7.1f} ms   min {ms['min']:7.1f}   max {ms['max']:7.1f}"

    packaged = "packaged_ms" in result
    return "\n".join([
        f"Start-up to the first interactive window: {result['rounds']} round{'s' if result['rounds'] != 1 else ''} of app{', packaged app' if packaged else ''} and bare window alternating"
        f" (Qt platform {result['platform']}, {result['os']}, Python {result['python']} at {result['interpreter']})",
        row(f"Nadi app, {result['patients']:,} demo patients", result["app_ms"]),
    ] + ([row("packaged Nadi (same clinic)", result["packaged_ms"])] if packaged else []) + [
        row("bare PySide6 window", result["bare_qt_ms"]),
        f"  ratio app / bare window (median / median): {result['ratio']}",
    ] + ([f"  ratio packaged / app from source (median / median): {result['packaged_ratio']}  ({result['packaged']})"] if packaged else []) + [
        "One untimed start of each came first, so every side was timed with the OS file cache warm.",
    ] + ([f"The demo clinic is kept in {result['data_dir']}."] if result["data_dir"] else []))


def cmd_bench_startup(args) -> int:
    result = run_startup_bench(rounds=args.rounds, patients=args.patients, data_dir=Path(args.data_dir) if getattr(args, "data_dir", None) else None,
                               packaged=Path(args.packaged) if args.packaged else None)
    print(json.dumps(result) if args.json else _text(result))
    return 0


def register_bench(bench_subparsers) -> None:
    """Add `nadi bench startup` to the `nadi bench` subcommands."""
    help_text = "process start to the app's first interactive window on a demo clinic, against a bare PySide6 window"
    p = bench_subparsers.add_parser("startup", help=help_text, description=help_text)
    # SUPPRESS, as for the other commands, so a --data-dir given before `bench` still counts.
    # NADI_DATA_DIR is deliberately not read: it names the clinic's real data.
    p.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="build the demo clinic here and keep it (default: a temporary directory)")
    p.add_argument("--rounds", type=int, default=7, help="timed starts of each (default 7)")
    p.add_argument("--patients", type=int, default=300, help="demo patients in the clinic (default 300)")
    p.add_argument("--packaged", metavar="PATH", default=None,
                   help="also time the packaged executable (dist/nadi/nadi, or the dist/nadi folder) on the same clinic")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_bench_startup)
