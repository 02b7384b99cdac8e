"""A stand-in for whisper.cpp's command-line program (whisper-cli), following its contract:
`-m MODEL -f WAV -otxt -of OUTBASE` writes the transcript to OUTBASE.txt and exits 0; a missing
model or an unreadable file exits non-zero with the reason on stderr. Instead of a speech model it
reads the words from a `<wav>.words` file beside the recording, which the tests write; a recording
made at the desk has none, so it "hears" WHISPER_STANDIN_HEARS (what the stand-in microphone
speaks) when the file holds sound, and nothing when it is silent, as whisper does. A
`<wav>.hold` file makes it a slow engine on a long recording: it writes its process id to
`<wav>.pid` and works until it is killed."""

import array
import math
import os
import signal
import sys
import wave
from pathlib import Path


def main(argv: list[str]) -> int:
    valued = {"-m", "-f", "-of", "-l"}  # whisper-cli options that take a value; the rest are flags
    args: dict[str, str] = {}
    options: set[str] = set()
    i = 0
    while i < len(argv):
        if argv[i] in valued and i + 1 < len(argv):
            args[argv[i]] = argv[i + 1]
            i += 2
        else:
            options.add(argv[i])
            i += 1
    model, wav, out = Path(args.get("-m", "")), Path(args.get("-f", "")), args.get("-of")
    if not model.is_file():
        print(f"error: failed to open model '{model}'", file=sys.stderr)
        return 3
    if not wav.is_file() or wav.read_bytes()[:4] != b"RIFF":
        print(f"error: failed to read WAV file '{wav}'", file=sys.stderr)
        return 4
    if "-otxt" not in options or not out:
        print("error: no output asked for", file=sys.stderr)
        return 2
    if wav.with_suffix(wav.suffix + ".hold").exists():
        wav.with_suffix(wav.suffix + ".pid").write_text(str(os.getpid()))
        while True:
            signal.pause()
    words = wav.with_suffix(wav.suffix + ".words")
    if words.exists():
        said = words.read_text()
    else:
        said = os.environ.get("WHISPER_STANDIN_HEARS", "") if _loudness(wav) > 100 else ""
    Path(out + ".txt").write_text(" " + said + "\n")
    return 0


def _loudness(wav: Path) -> float:
    """Root-mean-square of a 16-bit mono WAV's samples."""
    with wave.open(str(wav), "rb") as audio:
        samples = array.array("h", audio.readframes(audio.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return math.sqrt(sum(v * v for v in samples) / len(samples)) if samples else 0.0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
