"""Archives as objects in an S3-compatible bucket, written once (``ARCHIVE_S3_BUCKET``).

The bucket is reached through django-storages' ``S3Storage`` (its connection, its key prefix
and name checks, and the ``AWS_*`` settings it reads: endpoint, region, addressing style,
credentials). Writes do not use ``Storage.save``, which checks for the name and then uploads
(two steps, so a race could replace an object): each archive is one ``PutObject`` with
``If-None-Match: *``, which the store answers with 412 when the key exists. The name is
server-chosen and random, so a refusal means something is wrong, never a normal collision.

Nothing is staged in the bucket: the signed PDF stays in memory until it is published, and a
single PUT is atomic (the object appears whole or not at all), so there are no temporary
objects. What the sweep can find is an object whose job was killed after the PUT and before
its record was committed: an unrecorded object, old enough, whose key has the archive name
form. Nothing else under the prefix is ever touched.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import BinaryIO

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils import timezone
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from .names import new_name

logger = logging.getLogger(__name__)

# The form new_name() gives; the sweep deletes nothing else.
ARCHIVE_NAME = re.compile(r"\d{4}/\d{2}/\d+-[0-9a-f]+\.pdf")
# 412: the key exists. 409: a conflicting write to the same key is in progress.
REFUSED_STATUSES = (409, 412)


def _status(error: ClientError) -> int:
    return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)


@functools.lru_cache(maxsize=8)
def _s3_store(bucket: str, prefix: str, endpoint: str | None, region: str | None, style: str | None) -> S3ArchiveStore:
    return S3ArchiveStore(S3Storage(bucket_name=bucket, location=prefix.strip("/"), default_acl=None,
                                    querystring_auth=True, file_overwrite=False))


def s3_store(bucket: str, prefix: str) -> S3ArchiveStore:
    """One store (one boto3 session, connections per thread) per bucket, prefix and endpoint."""
    return _s3_store(bucket, prefix, getattr(settings, "AWS_S3_ENDPOINT_URL", None),
                     getattr(settings, "AWS_S3_REGION_NAME", None), getattr(settings, "AWS_S3_ADDRESSING_STYLE", None))


@dataclass
class _InMemory:
    store: S3ArchiveStore
    data: bytes

    def publish(self, *, assignment_id: int) -> str:
        name = new_name(assignment_id)
        self.store.write_new(name, self.data)
        return name

    def discard(self) -> None:
        self.data = b""


class S3ArchiveStore:
    def __init__(self, storage: S3Storage):
        self.storage = storage

    @property
    def client(self):
        return self.storage.connection.meta.client

    def key(self, name: str) -> str:
        """The object key of an archive name; refuses names that would leave the prefix."""
        return self.storage._normalize_name(clean_name(name))

    def prepare(self, data: bytes, *, label: str) -> _InMemory:
        return _InMemory(self, data)

    def write_new(self, name: str, data: bytes) -> None:
        """Create the object ``name``; raise ``FileExistsError`` if the store already has it."""
        params = self.storage.get_object_parameters(name)  # AWS_S3_OBJECT_PARAMETERS, e.g. encryption
        params.setdefault("ContentType", "application/pdf")
        params.setdefault("Metadata", {})["sha256"] = hashlib.sha256(data).hexdigest()
        try:
            self.client.put_object(Bucket=self.storage.bucket_name, Key=self.key(name), Body=data,
                                   IfNoneMatch="*", **params)
        except ClientError as exc:
            if _status(exc) in REFUSED_STATUSES:
                raise FileExistsError(f"archive object exists, not overwritten: {name}") from exc
            raise

    def open(self, name: str) -> BinaryIO:
        """The object's body as a stream (read in chunks, never whole); ``FileNotFoundError`` if absent."""
        try:
            answer = self.client.get_object(Bucket=self.storage.bucket_name, Key=self.key(name))
        except ClientError as exc:
            if _status(exc) == 404:
                raise FileNotFoundError(f"archive object missing: {name}") from exc
            raise
        return answer["Body"]

    def remove(self, name: str) -> None:
        self.storage.delete(name)

    def sweep(self, *, referenced: set[str], max_age_seconds: int) -> list[str]:
        """Delete unrecorded archive objects older than ``max_age_seconds``; return their names."""
        prefix = f"{self.storage.location}/" if self.storage.location else ""
        cutoff = timezone.now() - timezone.timedelta(seconds=max_age_seconds)
        removed = []
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.storage.bucket_name, Prefix=prefix)
        for page in pages:
            for entry in page.get("Contents", ()):
                name = entry["Key"][len(prefix):]
                if not ARCHIVE_NAME.fullmatch(name) or name in referenced or entry["LastModified"] >= cutoff:
                    continue
                try:
                    self.remove(name)
                except ClientError:  # e.g. under Object Lock retention: keep going, say so
                    logger.exception("archive sweep: could not delete the unrecorded object %s", entry["Key"])
                    continue
                removed.append(name)
        return sorted(removed)

    def describe(self) -> str:
        return f"s3://{self.storage.bucket_name}/{self.storage.location}".rstrip("/")
