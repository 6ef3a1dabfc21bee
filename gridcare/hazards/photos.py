"""Hazard photos: checked with Pillow, stripped of EXIF (it carries GPS), downscaled, and
stored under the instance folder with random names. Only the hazards views serve them,
after a scope check.
"""

import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from gridcare.errors import FieldError

MAX_SIDE = 1600
THUMB_SIDE = 320
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "MPO", "GIF", "BMP"}


class PhotoError(FieldError):
    def __init__(self, message, field: str = "photo"):
        super().__init__(field, message)


@dataclass(frozen=True)
class StoredPhoto:
    filename: str
    width: int
    height: int
    size_bytes: int


def photo_folder() -> Path:
    folder = Path(current_app.instance_path) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def photo_path(filename: str, thumbnail: bool = False) -> Path:
    stem = filename.removesuffix(".jpg")
    return photo_folder() / (f"{stem}.thumb.jpg" if thumbnail else filename)


def store_photo(data: bytes) -> StoredPhoto:
    """Check an upload is a real image, drop its metadata, shrink it and save it as JPEG.

    An image over GRIDCARE_PHOTO_MAX_PIXELS is refused from its header, before decoding;
    Pillow's decompression-bomb limit stays on and its warning is treated as a refusal.
    """
    limit = current_app.config["GRIDCARE_PHOTO_MAX_BYTES"]
    if len(data) > limit:
        raise PhotoError(
            _l("The photo is too large: at most %(mb)d MB.", mb=limit // (1024 * 1024))
        )
    # Pillow's own bomb limit (89 Mpx) stays as a second guard; ours is lower.
    max_pixels = current_app.config["GRIDCARE_PHOTO_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                kind = probe.format
                # Image.open reads the header only: refused before a pixel is decoded.
                if probe.width * probe.height > max_pixels:
                    raise PhotoError(
                        _l(
                            "This photo has too many pixels (%(mp)d megapixels; at most "
                            "%(max)d). Take it again at a lower resolution.",
                            mp=round(probe.width * probe.height / 1_000_000),
                            max=max_pixels // 1_000_000,
                        )
                    )
                probe.verify()  # structure only; the image must be reopened to be used
            with Image.open(BytesIO(data)) as image:
                # A JPEG is decoded at 1/2 to 1/8 scale, still at least twice the kept size
                # (draft keeps both sides at least as asked: ask in the photo's proportions).
                scale = MAX_SIDE * 2 / max(image.size)
                image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
                image.load()
                # Shrunk in place before the two copies below, so only one full-size image
                # is ever held (other formats cannot be decoded at a smaller scale).
                if image.mode in ("RGBA", "LA"):
                    # Smooth resampling of alpha first makes a full-size premultiplied copy;
                    # nearest does not, and the final shrink below smooths what it skips.
                    image.thumbnail((MAX_SIDE * 2, MAX_SIDE * 2), Image.Resampling.NEAREST)
                else:
                    image.thumbnail((MAX_SIDE, MAX_SIDE))
                image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
                picture = image.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoError(_l("This image is too large to process.")) from exc
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(_l("This file is not a photo we can read (JPEG or PNG).")) from exc
    if kind not in ACCEPTED_FORMATS:
        raise PhotoError(_l("This file is not a photo we can read (JPEG or PNG)."))

    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    stem = secrets.token_urlsafe(18)
    filename = f"{stem}.jpg"
    # A fresh image from pixels only: no EXIF, no GPS, no comments.
    clean = Image.new("RGB", picture.size)
    clean.paste(picture)
    clean.save(photo_path(filename), "JPEG", quality=82, optimize=True)
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb.save(photo_path(filename, thumbnail=True), "JPEG", quality=75, optimize=True)
    return StoredPhoto(filename, clean.width, clean.height, photo_path(filename).stat().st_size)


def discard_photo(filename: str) -> None:
    """Remove a stored photo whose database row was rolled back."""
    for thumbnail in (False, True):
        photo_path(filename, thumbnail).unlink(missing_ok=True)
