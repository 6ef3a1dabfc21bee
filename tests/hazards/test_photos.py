"""Storing a hazard photo: a big photo under the pixel limit must not take a worker's memory."""

import subprocess
import sys
import textwrap

import pytest

# Made in a child process: a 48 Mpx picture is 190 MB while Pillow holds it.
MAKE = textwrap.dedent(
    """
    import sys
    from PIL import Image
    image = Image.new("RGB", (8000, 6000), (220, 30, 30))
    image.paste((30, 30, 220), (0, 3000, 8000, 6000))  # red above, blue below
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; shown rotated 90° clockwise
    image.save(sys.argv[1], sys.argv[2], exif=exif)
    """
)

# Stores the photo in a fresh process, whose peak resident size is what a worker would reach.
STORE = textwrap.dedent(
    """
    import resource, sys
    from PIL import Image
    from gridcare import create_app
    from gridcare.config import TestConfig
    from gridcare.hazards.photos import photo_path, store_photo

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "GRIDCARE_INSTANCE_PATH": sys.argv[2]})
    data = open(sys.argv[1], "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with app.app_context():
        photo = store_photo(data)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        with Image.open(photo_path(photo.filename)) as stored:
            (r1, _, b1), (r2, _, b2) = stored.getpixel((20, 800)), stored.getpixel((1180, 800))
            print(grown // 1024, stored.width, stored.height, b1 > r1, r2 > b2)
    """
)


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# Before, the full-size image was decoded then copied twice: about 540 MB for either.
# A JPEG is now decoded at a smaller scale; a PNG still once at full size (4 bytes a pixel).
@pytest.mark.parametrize(("kind", "most_mb"), [("PNG", 300), ("JPEG", 150)])
def test_a_48_megapixel_photo_is_stored_small_and_upright_without_filling_memory(
    tmp_path, kind, most_mb
):
    upload = tmp_path / f"big.{kind.lower()}"
    run(MAKE, str(upload), kind)

    grown_mb, width, height, blue_left, red_right = run(
        STORE, str(upload), str(tmp_path / "instance")
    ).split()

    assert int(grown_mb) < most_mb
    assert (width, height) == ("1200", "1600")  # turned upright, longest side 1600
    assert (blue_left, red_right) == ("True", "True")  # the bottom of the sensor is on the left
