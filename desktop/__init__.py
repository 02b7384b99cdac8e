"""The clinic PC's program: the `nadi` command and the PySide6 desk screens."""
