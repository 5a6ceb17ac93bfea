"""Where a vault's backup jobs are read: its own Backup API, or the secondary region's passive stamp.

A :class:`~restorekit.model.jobs.Job` reads itself through one of these, so a restore job and a cross-region
restore job share one implementation of reading, waiting and showing:

* :class:`VaultJobs`: ``GET {vault}/backupJobs/{id}``, ``GET {vault}/backupJobs?$filter=…``,
  ``POST {vault}/backupJobs/{id}/cancel``;
* :class:`CrossRegionJobs`: ``POST {loc}/backupCrrJob`` and ``POST {loc}/backupCrrJobs`` with
  ``{resourceId: <vault id>}`` at api-version 2018-12-20; the passive stamp cannot cancel a job.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from ..core.api_versions import PASSIVE_STAMP
from ..core.errors import ArmError, NotFoundError, RestorekitError
from ..core.ids import location_path

if TYPE_CHECKING:  # pragma: no cover
    from ..core.protocols import ArmApi, VaultLike


class JobApi(Protocol):
    """How to read, list and cancel the jobs of one vault in one region."""

    vault: VaultLike
    session: ArmApi

    def read(self, job_id: str) -> Any:
        """The job's resource (an ``ArmResponse``); raises ``ArmError`` (404 when unknown)."""
        ...

    def list(self, flt: str | None) -> list[dict[str, Any]]:
        """Every job resource the ``$filter`` selects, across pages."""
        ...

    def cancel(self, job_id: str) -> Any:
        """Ask the service to cancel the job (the answer to follow), or raise when it cannot."""
        ...

    def not_found(self, job_id: str, exc: ArmError) -> NotFoundError:
        """The error for a job id the service does not know, saying where to look."""
        ...


class VaultJobs:
    """The jobs of a vault, through its Backup API (the primary region)."""

    def __init__(self, vault: VaultLike, session: ArmApi | None = None) -> None:
        self.vault = vault
        self._session = session

    @property
    def session(self) -> ArmApi:
        """The session jobs are read through (the vault's connection unless given)."""
        return self._session if self._session is not None else self.vault.connection.arm

    def _path(self, job_id: str) -> str:
        return f"{self.vault.id}/backupJobs/{job_id}"

    def read(self, job_id: str) -> Any:
        """``GET {vault}/backupJobs/{id}``."""
        return self.session.request("GET", self._path(job_id), ok=(200,))

    def list(self, flt: str | None) -> list[dict[str, Any]]:
        """``GET {vault}/backupJobs?$filter=…``, every page."""
        return self.session.list(f"{self.vault.id}/backupJobs", params={"$filter": flt} if flt else None)

    def cancel(self, job_id: str) -> Any:
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

    def __init__(self, vault: VaultLike, region: str, session: ArmApi | None = None) -> None:
        self.vault = vault
        self.region = region
        self._session = session

    @property
    def session(self) -> ArmApi:
        """The session jobs are read through (the vault's connection unless given)."""
        return self._session if self._session is not None else self.vault.connection.arm

    @property
    def location(self) -> str:
        """The secondary region's location path."""
        return location_path(self.vault.connection.subscription_id, self.region)

    def read(self, job_id: str) -> Any:
        """``POST {loc}/backupCrrJob {resourceId, jobName}``."""
        return self.session.request("POST", f"{self.location}/backupCrrJob", api_version=PASSIVE_STAMP,
                                    json_body={"resourceId": self.vault.id, "jobName": job_id}, ok=(200,))

    def pages(self, flt: str | None) -> Iterator[dict[str, Any]]:
        """The job resources of ``POST {loc}/backupCrrJobs?$filter=…``, page after page."""
        url: str | None = self.session.url(f"{self.location}/backupCrrJobs", {"$filter": flt} if flt else None,
                                           PASSIVE_STAMP)
        seen: set[str] = set()
        while url and url not in seen:
            seen.add(url)
            page = self.session.request("POST", url, json_body={"resourceId": self.vault.id}, ok=(200,)).body
            values = page.get("value") if isinstance(page, dict) else None
            yield from (v for v in values or [] if isinstance(v, dict))
            url = page.get("nextLink") if isinstance(page, dict) else None

    def list(self, flt: str | None) -> list[dict[str, Any]]:
        """Every cross-region restore job the ``$filter`` selects."""
        return list(self.pages(flt))

    def cancel(self, job_id: str) -> Any:
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
