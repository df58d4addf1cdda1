"""Upload checks shared by every app: images (logos) are sniffed, capped and re-encoded."""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 4096 * 4096  # refuse decompression bombs before decoding
LOGO_BOX = (512, 512)
_IMAGE_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def clean_logo(
    upload: UploadedFile, *, max_bytes: int = LOGO_MAX_BYTES, box: tuple[int, int] = LOGO_BOX, noun: str = "logo"
) -> ContentFile:
    """Check an uploaded logo and return it re-encoded as PNG under a random name.

    The content is sniffed by decoding it (the name and the browser's content
    type are ignored); anything that is not a PNG, JPEG, GIF or WebP image is
    refused, as is anything larger than `max_bytes` or than 16 megapixels.
    Re-encoding drops metadata and anything smuggled after the image data,
    and shrinks the logo to fit 512×512 (other images, e.g. the hero image of
    an insights post, pass their own `box` and `noun` for the messages).

    Raises ValidationError with a message for the form field.
    """
    size = upload.size or 0
    if size == 0:
        raise ValidationError("The file is empty.")
    if size > max_bytes:
        raise ValidationError(f"The {noun} is {size / 1_048_576:.1f} MB; the limit is {max_bytes // 1_048_576} MB.")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            if image_format not in _IMAGE_FORMATS:
                raise ValidationError(f"The {noun} must be a PNG, JPEG, GIF or WebP image.")
            if width * height > LOGO_MAX_PIXELS:
                raise ValidationError(f"The {noun}'s dimensions are too large; 4096×4096 pixels at most.")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as decoded:
            decoded.load()
            image = decoded.convert("RGBA")
            image.thumbnail(box)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(f"The {noun} must be a PNG, JPEG, GIF or WebP image.") from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.png")
