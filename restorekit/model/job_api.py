"""Where a vault's backup jobs are read: its own Backup API, or the secondary region's passive stamp.

A :class:`~restorekit.model.jobs.Job` reads itself through one of these, so a restore job and a cross-region
restore job share one implementation of reading, following and showing:

* :class:`VaultJobs`: ``GET {vault}/backupJobs/{id}``, ``GET {vault}/backupJobs?$filter=…``,
  ``POST {vault}/backupJobs/{id}/cancel``;
* :class:`CrossRegionJobs`: ``POST {loc}/backupCrrJob`` and ``POST {loc}/backupCrrJobs`` with
  ``{resourceId: <vault id>}`` at api-version 2018-12-20; the passive stamp cannot cancel a job.

Each is built from the connection and the vault's ID: values, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from ..core.api_versions import PASSIVE_STAMP
from ..core.errors import ArmError, NotFoundError, RestorekitError
from ..core.ids import VaultRef, location_path

if TYPE_CHECKING:  # pragma: no cover
    from ..core.json_values import JsonObject
    from ..core.protocols import ArmAnswer, ArmApi, ConnectionLike


class JobApi(Protocol):
    """How to read, list and cancel the jobs of one vault in one region."""

    connection: ConnectionLike
    vault: VaultRef

    @property
    def session(self) -> ArmApi:
        """The session jobs are read through."""
        ...

    def read(self, job_id: str) -> ArmAnswer:
        """The job's resource; raises ``ArmError`` (404 when unknown)."""
        ...

    def list(self, flt: str | None) -> list[JsonObject]:
        """Every job resource the ``$filter`` selects, across pages."""
        ...

    def cancel(self, job_id: str) -> ArmAnswer:
        """Ask the service to cancel the job (the answer to follow), or raise when it cannot."""
        ...

    def not_found(self, job_id: str, exc: ArmError) -> NotFoundError:
        """The error for a job id the service does not know, saying where to look."""
        ...


class VaultJobs:
    """The jobs of a vault, through its Backup API (the primary region)."""

    def __init__(self, connection: ConnectionLike, vault_id: str, session: ArmApi | None = None) -> None:
        self.connection = connection
        self.vault = VaultRef.from_id(vault_id)
        self._session = session

    @property
    def session(self) -> ArmApi:
        """The session jobs are read through (the connection's unless given)."""
        return self._session if self._session is not None else self.connection.arm

    def _path(self, job_id: str) -> str:
        return f"{self.vault.id}/backupJobs/{job_id}"

    def read(self, job_id: str) -> ArmAnswer:
        """``GET {vault}/backupJobs/{id}``."""
        return self.session.request("GET", self._path(job_id), ok=(200,))

    def list(self, flt: str | None) -> list[JsonObject]:
        """``GET {vault}/backupJobs?$filter=…``, every page."""
        return self.session.list(f"{self.vault.id}/backupJobs", params={"$filter": flt} if flt else None)

    def cancel(self, job_id: str) -> ArmAnswer:
        """``POST {vault}/backupJobs/{id}/cancel`` (202 with ``Location``)."""
        return self.session.post(f"{self._path(job_id)}/cancel")

    def not_found(self, job_id: str, exc: ArmError) -> NotFoundError:
        """No such job in the vault."""
        return NotFoundError(f"vault {self.vault.name!r} has no backup job {job_id!r} ({exc.code}); list the vault's "
                             "jobs with vault.jobs(operation=None) — jobs are kept for a limited time")

    def __repr__(self) -> str:
        return f"<jobs of vault {self.vault.name}>"


class CrossRegionJobs:
    """The cross-region restore jobs of a vault, read in its secondary region (passive stamp, 2018-12-20)."""

    def __init__(self, connection: ConnectionLike, vault_id: str, region: str, session: ArmApi | None = None) -> None:
        self.connection = connection
        self.vault = VaultRef.from_id(vault_id)
        self.region = region
        self._session = session

    @property
    def session(self) -> ArmApi:
        """The session jobs are read through (the connection's unless given)."""
        return self._session if self._session is not None else self.connection.arm

    @property
    def location(self) -> str:
        """The secondary region's location path."""
        return location_path(self.vault.subscription_id, self.region)

    def read(self, job_id: str) -> ArmAnswer:
        """``POST {loc}/backupCrrJob {resourceId, jobName}``."""
        return self.session.request("POST", f"{self.location}/backupCrrJob", api_version=PASSIVE_STAMP,
                                    json_body={"resourceId": self.vault.id, "jobName": job_id}, ok=(200,))

    def pages(self, flt: str | None) -> Iterator[JsonObject]:
        """The job resources of ``POST {loc}/backupCrrJobs?$filter=…``, page after page."""
        url: str | None = self.session.url(f"{self.location}/backupCrrJobs", {"$filter": flt} if flt else None,
                                           PASSIVE_STAMP)
        seen: set[str] = set()
        while url and url not in seen:
            seen.add(url)
            page = self.session.request("POST", url, json_body={"resourceId": self.vault.id}, ok=(200,)).body
            values = page.get("value") if isinstance(page, dict) else None
            yield from (v for v in values or [] if isinstance(v, dict))
            next_link = page.get("nextLink") if isinstance(page, dict) else None
            url = next_link if isinstance(next_link, str) else None

    def list(self, flt: str | None) -> list[JsonObject]:
        """Every cross-region restore job the ``$filter`` selects."""
        return list(self.pages(flt))

    def cancel(self, job_id: str) -> ArmAnswer:
        """Refused: the passive stamp has no cancel operation."""
        raise RestorekitError(
            f"cross-region restore job {job_id} cannot be cancelled: api-version {PASSIVE_STAMP} of the "
            f"secondary region has no cancel operation; the job goes on in {self.region}")

    def not_found(self, job_id: str, exc: ArmError) -> NotFoundError:
        """No such cross-region restore job."""
        return NotFoundError(f"the secondary region {self.region} has no cross-region restore job {job_id!r} of "
                             f"vault {self.vault.name!r} ({exc.code}); list them with crr.jobs()")

    def __repr__(self) -> str:
        return f"<cross-region restore jobs of vault {self.vault.name} in {self.region}>"
