"""A post's files leave the disk with their rows.

Staff archive posts rather than delete them, but the admin can delete a post
(its body images go with it) or one image. The files are removed once the
deletion commits: a deletion rolled back keeps them, and a file never
outlives the row that served it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete

from .models import Post, PostImage


def _remove_after_commit(file: FieldFile) -> None:
    if not file.name:
        return
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: storage.delete(name))


def _post_deleted(sender, instance: Post, **kwargs) -> None:
    _remove_after_commit(instance.hero_image)


def _image_deleted(sender, instance: PostImage, **kwargs) -> None:
    _remove_after_commit(instance.image)


def connect_signals() -> None:
    post_delete.connect(_post_deleted, sender=Post, dispatch_uid="insights-post-files")
    post_delete.connect(_image_deleted, sender=PostImage, dispatch_uid="insights-image-files")
