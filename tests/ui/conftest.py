"""Fixtures shared by the desk tests."""

from tests.ui.recorder_standin import microphone  # noqa: F401 - the stand-in microphone, for the recorder and the Scribe tab
