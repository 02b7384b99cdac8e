"""Errors a person can act on. Each carries a message that names the problem in plain words."""

from __future__ import annotations


class NadiError(Exception):
    """Base for errors shown to a user as one clear line."""


class InvalidInput(NadiError):
    """Input rejected at a service boundary. `problems` maps a field path to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in self.problems.items()))


class NotFound(NadiError):
    pass


class ImmutableRecord(NadiError):
    """A signed record was about to change; corrections are amendments that point at it."""


class ForbiddenDelete(NadiError):
    """Clinical records are voided with a reason, never deleted."""


class RecordNotShareable(NadiError):
    """A record cannot be made into a health document to share (a prescription with no medicines
    left, a clinic not set up yet); the message says why and what to do."""


class DatabaseKeyError(NadiError):
    """The database key is missing, wrong, or the file is not a Nadi database."""


class AuditChainBroken(NadiError):
    pass
