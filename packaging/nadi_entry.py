"""What the packaged `nadi` executable runs: the same command as the `nadi` console script
(desktop.cli:main), nothing imported ahead of it, so start-up stays as lazy as from source.

A file here rather than desktop/__main__.py because PyInstaller puts the entry script's folder at
the front of the module search path while it analyses: from desktop/, `desktop/sync` would stand in
for the top-level `sync` package. This folder holds no module names of its own.
"""

import os
import sys


def _leave_a_console_made_only_for_us() -> None:
    """Windows: nadi.exe is a console program, so the CLI prints where IT typed it. Started from a
    shortcut or Explorer, Windows gives it a console of its own, which would sit behind the desks;
    when no other process shares that console (no cmd.exe started us), let it go. Output after that
    has nowhere to go, so it goes to the null device rather than to a closed handle."""
    import ctypes  # noqa: PLC0415

    kernel32 = ctypes.windll.kernel32
    attached = (ctypes.c_uint32 * 2)()
    if kernel32.GetConsoleProcessList(attached, 2) == 1:
        kernel32.FreeConsole()
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process


if __name__ == "__main__":
    if sys.platform == "win32" and getattr(sys, "frozen", False):
        _leave_a_console_made_only_for_us()
    from desktop.cli import main

    sys.exit(main())
